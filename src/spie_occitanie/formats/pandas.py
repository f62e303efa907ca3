"""pandas: one DataFrame per table, typed by the same Arrow schema as Parquet.

The frames are built from :func:`spie_occitanie.formats.parquet.to_arrow` with
:class:`pandas.ArrowDtype` columns, so they keep the published types instead of
NumPy's approximations: codes are strings (``09`` stays ``09``), amounts are
exact ``decimal128(18, 2)`` values read back as :class:`~decimal.Decimal`,
dates are ``date32`` read back as :class:`datetime.date` (not timestamps),
integers and booleans stay nullable. A partial date keeps its three columns:
the EDTF text and its earliest and latest days.

The summary frame (:func:`~spie_occitanie.frames.summary_frame`) lives in
:mod:`spie_occitanie.frames`, below the dataset; it is re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd  # type: ignore[import-untyped]

from spie_occitanie.formats.parquet import to_arrow
from spie_occitanie.frames import SUMMARY_SCHEMA, summary_frame


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["SUMMARY_SCHEMA", "summary_frame", "to_pandas"]


def to_pandas(ds: Dataset) -> dict[str, pd.DataFrame]:
    """One DataFrame per table, in :data:`~spie_occitanie.tables.TABLES` order.

    One row per record in key order, with a default ``RangeIndex``; columns in
    the order :mod:`spie_occitanie.tables` gives them, each an ``ArrowDtype``.
    """
    return {name: table.to_pandas(types_mapper=pd.ArrowDtype) for name, table in to_arrow(ds).items()}
