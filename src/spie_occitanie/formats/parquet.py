"""Parquet: one file per table, typed by an explicit Arrow schema.

The schema comes from :mod:`spie_occitanie.tables` and nowhere else: money is
``decimal128(18, 2)`` so that amounts stay exact, dates are ``date32``, and
codes are strings so that ``09`` stays ``09``. A type inferred from the values
would change with the data (an all-empty column would become ``null``, a code
column of digits an integer), so nothing is inferred.

Each field carries its column's French title and description, and the file
metadata the table's name, title, description and whole Table Schema, so a
file read on its own still documents itself.

Files are deterministic: pyarrow writes no timestamp, rows come in key order
and the schema is fixed, so the same dataset gives the same bytes with the same
pyarrow version.
"""

from __future__ import annotations

import decimal
import json

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from spie_occitanie.dataset import RECORD_TYPES, Dataset
from spie_occitanie.errors import InvalidValueError, SpieError
from spie_occitanie.tables import TABLES, Column, RowError, Table, dataset_from_rows, record_from_row


__all__ = ["COMPRESSION", "arrow_schema", "arrow_type", "read_parquet", "to_arrow", "write_parquet"]

#: The compression of every file: small files, and read by every Parquet reader.
COMPRESSION = "zstd"

#: Schema metadata keys, prefixed so that they never collide with pyarrow's own.
TABLE_KEY = b"spie_occitanie.table"
TITLE_KEY = b"spie_occitanie.title"
DESCRIPTION_KEY = b"spie_occitanie.description"
SCHEMA_KEY = b"spie_occitanie.table_schema"

_CENT = Decimal("0.01")
#: Quantizing under this context raises rather than rounds a fraction of a cent away.
_EXACT = decimal.Context(traps=[decimal.Inexact, decimal.InvalidOperation])


def arrow_type(column: Column) -> pa.DataType:
    """The Arrow type of a column, from its short name in :data:`~spie_occitanie.tables.ARROW_TYPES`."""
    match column.arrow:
        case "string":
            return pa.string()
        case "int32":
            return pa.int32()
        case "bool":
            return pa.bool_()
        case "date32":
            return pa.date32()
        case "decimal(18,2)":
            return pa.decimal128(18, 2)
        case _:  # pragma: no cover - Column refuses unknown Arrow types
            raise AssertionError(f"column {column.name!r}: unknown Arrow type {column.arrow!r}")


def arrow_schema(table: Table) -> pa.Schema:
    """The explicit Arrow schema of ``table``: types, nullability and documentation.

    A field is non-nullable exactly when its column is required. Field metadata
    holds ``title`` and ``description``; schema metadata holds the table's name,
    title, description and Table Schema (JSON, sorted keys, UTF-8).
    """
    fields = [
        pa.field(
            column.name,
            arrow_type(column),
            nullable=not column.required,
            metadata={b"title": column.title.encode(), b"description": column.description.encode()},
        )
        for column in table.columns
    ]
    descriptor = json.dumps(table.schema_descriptor(), sort_keys=True, ensure_ascii=False)
    return pa.schema(
        fields,
        metadata={
            TABLE_KEY: table.name.encode(),
            TITLE_KEY: table.title.encode(),
            DESCRIPTION_KEY: table.description.encode(),
            SCHEMA_KEY: descriptor.encode(),
        },
    )


def _arrow_cell(column: Column, value: object) -> object:
    """A typed cell as Arrow takes it: amounts at exactly two decimals.

    Arrow refuses a Decimal with more decimals than the type, and a ``370000``
    would mean the same as ``370000.00``; quantizing here makes both explicit.
    """
    if column.arrow == "decimal(18,2)" and isinstance(value, Decimal):
        return value.quantize(_CENT, context=_EXACT)
    return value


def to_arrow(ds: Dataset) -> dict[str, pa.Table]:
    """One Arrow table per published table, in :data:`~spie_occitanie.tables.TABLES` order.

    Rows are in key order, as :meth:`Table.to_rows` gives them, and every
    column has its explicit type even when the table is empty.
    """
    tables: dict[str, pa.Table] = {}
    for name, table in TABLES.items():
        schema = arrow_schema(table)
        rows = table.to_rows(ds)
        arrays = [
            pa.array([_arrow_cell(column, row.get(column.name)) for row in rows], type=field.type)
            for column, field in zip(table.columns, schema, strict=True)
        ]
        tables[name] = pa.Table.from_arrays(arrays, schema=schema)
    return tables


def write_parquet(ds: Dataset, directory: Path | str) -> list[Path]:
    """Write ``<directory>/<table>.parquet`` for every table; the paths in table order.

    The directory is created if needed; existing files of the same names are
    replaced. The same dataset always gives byte-identical files.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, arrow_table in to_arrow(ds).items():
        path = directory / f"{name}.parquet"
        pq.write_table(arrow_table, path, compression=COMPRESSION)
        paths.append(path)
    return paths


def _schema_differences(found: pa.Schema, expected: pa.Schema) -> list[str]:
    """What a file's schema lacks or adds, in words; titles and descriptions are not compared.

    Documentation may be reworded between releases without making older files
    unreadable; names, types and nullability are the data's shape and must match.
    """
    problems = []
    found_fields = {field.name: field for field in found}
    expected_names = [field.name for field in expected]
    for field in expected:
        other = found_fields.get(field.name)
        if other is None:
            problems.append(f"missing column {field.name!r}")
        elif not other.type.equals(field.type):
            problems.append(f"column {field.name!r} is {other.type}, expected {field.type}")
        elif other.nullable != field.nullable:
            problems.append(
                f"column {field.name!r} is {'nullable' if other.nullable else 'not nullable'}, "
                f"expected {'nullable' if field.nullable else 'not nullable'}"
            )
    problems.extend(f"unexpected column {name!r}" for name in found_fields if name not in expected_names)
    if not problems and list(found_fields) != expected_names:
        problems.append(f"columns in order {list(found_fields)}, expected {expected_names}")
    return problems


def _read_rows(path: Path, table: Table) -> list[dict[str, Any]]:
    """The rows of one file as typed cells, once its schema is the table's.

    Raises:
        SpieError: the file is missing, is not Parquet, or has another schema.
    """
    if not path.is_file():
        raise SpieError(f"{path}: no such file (table {table.name!r})")
    try:
        with pq.ParquetFile(path) as parquet:
            problems = _schema_differences(parquet.schema_arrow, arrow_schema(table))
            data = parquet.read()
    except (pa.ArrowException, OSError) as error:
        raise SpieError(f"{path}: cannot be read as Parquet: {error}") from error
    if problems:
        raise SpieError(f"{path}: schema differs from table {table.name!r}: {'; '.join(problems)}")
    rows: list[dict[str, Any]] = data.to_pylist()
    return rows


def read_parquet(directory: Path | str) -> Dataset:
    """The dataset written by :func:`write_parquet` in ``directory``.

    Raises:
        SpieError: a file is missing or unreadable, its schema is not the
            table's, or a row cannot be a record; the message names the file.
    """
    directory = Path(directory)
    rows_by_table: dict[str, list[dict[str, Any]]] = {}
    for name, table in TABLES.items():
        path = directory / f"{name}.parquet"
        rows = _read_rows(path, table)
        _check_records(path, name, rows)
        rows_by_table[name] = rows
    try:
        return dataset_from_rows(rows_by_table)
    except (RowError, InvalidValueError) as error:
        # Records were all checked above: only a coverage row can still fail.
        raise SpieError(f"{directory / 'coverage.parquet'}: {error}") from error


def _check_records(path: Path, name: str, rows: list[dict[str, Any]]) -> None:
    """Build each row's record once, so that a bad row is reported with its file and position."""
    if name not in RECORD_TYPES:
        return
    for number, row in enumerate(rows, start=1):
        try:
            record_from_row(name, row)
        except (RowError, InvalidValueError) as error:
            raise SpieError(f"{path}: row {number}: {error}") from error
