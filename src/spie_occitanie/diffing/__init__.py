"""What changed between two releases, by key, down to the citation.

>>> import spie_occitanie as spie
>>> changes = spie.diff("old-release/", "new-release/")  # doctest: +SKIP
>>> print(changes.to_markdown())  # doctest: +SKIP

:func:`diff` compares two releases (data packages, or folders of Parquet
files) table by table on their primary keys, in Arrow columns: the records
added, removed and changed with each field's old and new value; the sources
added or withdrawn for each field; the conflicts between sources that
appeared, were resolved or keep another value; the completeness figures that
moved; and, first, the changes to the Table Schemas. The result is a
:class:`~spie_occitanie.diffing.result.ReleaseDiff`.

Nothing heavy is imported with this package: pyarrow loads when :func:`diff`
is first called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from spie_occitanie.diffing.result import ReleaseDiff


__all__ = ["diff"]


def diff(old: Path | str, new: Path | str) -> ReleaseDiff:
    """What changed from release ``old`` to release ``new``.

    Each is a data package (its ``datapackage.json`` or the folder holding
    it) or a folder of Parquet files (an export's ``parquet/`` folder, or the
    export folder itself).

    Raises:
        DiffError: a release cannot be read; the message names the path.
    """
    from spie_occitanie.diffing.engine import diff_releases

    return diff_releases(old, new)
