r"""The one CSV dialect, pinned here and used by every path that writes CSV.

UTF-8 without BOM, comma separator, ``\\n`` line ends, ``"`` quoting only
where needed (the standard library's ``QUOTE_MINIMAL``), ``.`` as decimal
point, a header row, and an empty cell for an absent value. Cells are written
in their canonical text: amounts with exactly two decimals, dates as ISO
``YYYY-MM-DD``, booleans as ``true``/``false``. The same rows always give the
same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.errors import CellError


if TYPE_CHECKING:
    from spie_occitanie.tables import Column, Table


__all__ = [
    "DIALECT",
    "FIELD_SIZE_LIMIT",
    "Written",
    "cell_text",
    "csv_bytes",
    "parse_cell",
    "read_rows",
    "write_csv",
]

#: The Frictionless dialect descriptor of every CSV the project writes.
DIALECT: Mapping[str, Any] = {
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}

#: The largest cell a reader accepts, in characters: an untrusted file with a
#: gigabyte-long cell gets an error, not an exhausted machine.
FIELD_SIZE_LIMIT = 1 << 20


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


@attrs.frozen
class Written:
    """A file written: where, how many bytes, and its sha256."""

    path: Path
    bytes: int
    sha256: str


def cell_text(value: object) -> str:
    """The canonical text of one typed cell."""
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case Decimal():
            return f"{value:.2f}"
        case dt.date():
            return value.isoformat()
        case _:
            return str(value)


def csv_bytes(
    names: Sequence[str],
    rows: Iterable[Mapping[str, object]],
    cell: Callable[[object], str] = cell_text,
) -> bytes:
    """The bytes of a CSV file in the pinned dialect: a header, then each row's cells.

    ``cell`` writes one value; a format with other conventions for some values
    (SCDL's ``oui``/``non``) passes its own, and keeps the dialect.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=_Dialect)
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in names])
    return buffer.getvalue().encode("utf-8")


def write_csv(path: Path, table: Table, rows: Iterable[Mapping[str, object]]) -> Written:
    """Write ``rows`` of ``table`` to ``path`` in the pinned dialect."""
    data = csv_bytes(table.column_names, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Written(path=path, bytes=len(data), sha256=hashlib.sha256(data).hexdigest())


def parse_cell(column: Column, text: str) -> object:
    """The typed value of one CSV cell; ``""`` is absent.

    Raises:
        CellError: the text is not a value of the column's type.
    """
    if text == "":
        return None
    try:
        match column.type:
            case "integer":
                if not text.lstrip("-").isdigit():
                    raise CellError
                return int(text)
            case "number":
                value = Decimal(text)
                if not value.is_finite():
                    raise CellError
                return value
            case "boolean":
                return {"true": True, "false": False}[text]
            case "date":
                return dt.date.fromisoformat(text) if len(text) == 10 else _bad()
            case _:
                return text
    except (ValueError, KeyError, ArithmeticError):
        raise CellError(f"{text!r} is not a valid {column.type}") from None


def _bad() -> object:
    raise CellError


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each row of a CSV file in the pinned dialect, numbered as frictionless numbers rows.

    The header is row 1, so the first data row is row 2.

    Raises:
        csv.Error: a row is malformed or a cell is larger than :data:`FIELD_SIZE_LIMIT`.
    """
    previous = csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from enumerate(csv.reader(handle, dialect=_Dialect), start=1)
    finally:
        csv.field_size_limit(previous)
