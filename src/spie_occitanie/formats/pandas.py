"""pandas: one DataFrame per table, typed from the same Arrow schema as Parquet.

Two flavours, chosen by ``dtypes``:

* ``"arrow"`` (the default): :class:`pandas.ArrowDtype` columns that keep
  the published types exactly: codes are strings (``09`` stays ``09``),
  amounts are exact ``decimal128(18, 2)`` values read back as
  :class:`~decimal.Decimal` (``sum()`` is exact; pandas cannot take
  quantiles of Arrow decimals, so ``describe()`` needs the other flavour),
  dates are ``date32`` read back as :class:`datetime.date`, integers and
  booleans stay nullable.
* ``"numpy"``: for statistics and plots: amounts are ``float64`` (a float
  holds every amount of cents up to 2**53 cents exactly, but sums may
  round), dates are ``datetime64[s]``, integers and booleans pandas'
  nullable ``Int32`` and ``boolean``, texts pandas' string dtype.

In both, a column whose values come from a fixed list (a kind of source,
of territory, of round...) is a :class:`pandas.CategoricalDtype` with the
allowed values as its categories, in the schema's order. A partial date
keeps its three columns: the EDTF text and its earliest and latest days.

The summary frame (:func:`~spie_occitanie.frames.summary_frame`) lives in
:mod:`spie_occitanie.frames`, below the dataset; it is re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa

from spie_occitanie.errors import UsageError
from spie_occitanie.formats.parquet import to_arrow
from spie_occitanie.frames import SUMMARY_LEVELS, SUMMARY_SCHEMAS, summary_frame
from spie_occitanie.tables import TABLES, Column


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["SUMMARY_LEVELS", "SUMMARY_SCHEMAS", "summary_frame", "to_pandas"]


Dtypes = Literal["arrow", "numpy"]


def to_pandas(ds: Dataset, dtypes: Dtypes = "arrow") -> dict[str, pd.DataFrame]:
    """One DataFrame per table, in :data:`~spie_occitanie.tables.TABLES` order.

    One row per record in key order, with a default ``RangeIndex``; columns in
    the order :mod:`spie_occitanie.tables` gives them, typed as ``dtypes``
    says (see the module's documentation).

    Raises:
        UsageError: ``dtypes`` is neither ``"arrow"`` nor ``"numpy"``.
    """
    if dtypes not in ("arrow", "numpy"):
        raise UsageError(f"dtypes must be 'arrow' or 'numpy', not {dtypes!r}")
    frames = {}
    for name, table in to_arrow(ds).items():
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)
        for column in TABLES[name].columns:
            frame[column.name] = _typed(frame[column.name], column, dtypes)
        frames[name] = frame
    return frames


def _typed(series: pd.Series, column: Column, dtypes: Dtypes) -> pd.Series:
    """One column as the chosen flavour asks."""
    if column.enum is not None:
        return series.astype(pd.CategoricalDtype(categories=list(column.enum)))
    if dtypes == "arrow":
        return series
    match column.arrow:
        case "decimal(18,2)":
            return series.astype(pd.ArrowDtype(pa.float64())).astype("float64")
        case "date32":
            return series.astype(pd.ArrowDtype(pa.timestamp("s"))).astype("datetime64[s]")
        case "int32":
            return series.astype("Int32")
        case "bool":
            return series.astype("boolean")
        case _:
            return series.astype("string")
