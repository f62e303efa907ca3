"""One side of a diff: a release's tables, their Table Schemas, and their rows as Arrow text.

A release is a data package (its ``datapackage.json`` or the folder holding
it) or a folder of Parquet files (``<table>.parquet``, as ``spie-occitanie
export`` writes under ``parquet/``). Either way each table gives its Table
Schema (from the descriptor, or from the Parquet file's metadata, where the
writer puts it) and its rows in batches of Arrow *text* columns: a CSV is read
with every column as text, a Parquet column is cast to text, which gives the
published forms (two decimals, ISO dates, ``true``). Cells compare the same
whichever format each side came in.

The package's paths are checked by the reader's own helpers before any file
is opened (no absolute path, no ``..``, no URL), and nothing is fetched.
"""

from __future__ import annotations

import csv
import json

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from spie_occitanie.errors import DiffError, PackageUnreadableError
from spie_occitanie.formats.csv import FIELD_SIZE_LIMIT
from spie_occitanie.formats.parquet import SCHEMA_KEY
from spie_occitanie.stream.package import DESCRIPTOR, declared_resources, descriptor_path, load_json
from spie_occitanie.stream.reading import BLOCK_BYTES, PacedReader


__all__ = ["BATCH_ROWS", "BLOCK_BYTES", "Release", "TableFile", "open_release"]

#: Rows per batch read from a Parquet file.
BATCH_ROWS = 1 << 16

#: Table Schema types of the Arrow types a Parquet file may hold, for a file without our metadata.
_TYPES = (
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
    (pa.types.is_integer, "integer"),
    (pa.types.is_decimal, "number"),
    (pa.types.is_floating, "number"),
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_date, "date"),
)


@attrs.frozen(kw_only=True)
class TableFile:
    """One table of a release.

    Attributes:
        name: the table's name.
        path: its file.
        format: ``csv`` or ``parquet``.
        schema: its Table Schema (``fields``, ``primaryKey``, ...).
    """

    name: str
    path: Path
    format: str
    schema: dict[str, Any]

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of its fields, in order."""
        return tuple(str(f.get("name")) for f in self.schema.get("fields", ()) if isinstance(f, dict))

    @property
    def primary_key(self) -> tuple[str, ...]:
        """The columns of its primary key (empty when it declares none)."""
        key = self.schema.get("primaryKey", ())
        return (key,) if isinstance(key, str) else tuple(str(k) for k in key)

    def batches(self) -> Generator[pa.RecordBatch, None, None]:
        """Its rows, batch by batch, every column as text (an empty cell is null).

        Raises:
            DiffError: the file cannot be read; the message names it.
        """
        try:
            if self.format == "parquet":
                yield from self._parquet_batches()
            else:
                yield from self._csv_batches()
        except (pa.ArrowException, csv.Error, UnicodeDecodeError) as error:
            raise DiffError(f"{self.path}: cannot be read: {error}") from None

    def _csv_batches(self) -> Iterator[pa.RecordBatch]:
        header = _header(self.path)
        if list(header) != list(self.columns):
            raise DiffError(
                f"{self.path}: header {header} differs from the fields of its schema {list(self.columns)}"
            )
        with self.path.open("rb") as handle:
            paced = PacedReader(handle, size=self.path.stat().st_size)
            try:
                for batch in self._csv_reader(paced, header):
                    yield batch
                    paced.used()
            finally:
                paced.release()

    def _csv_reader(self, source: PacedReader, header: list[str]) -> Any:
        return pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            # Only an empty cell is absent: Arrow would also take "null", "NA" or "nan" for one.
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
            ),
        )

    def _parquet_batches(self) -> Iterator[pa.RecordBatch]:
        with pq.ParquetFile(self.path) as parquet:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                columns = [
                    column if pa.types.is_string(column.type) else column.cast(pa.string())
                    for column in batch.columns
                ]
                yield pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _header(path: Path) -> list[str]:
    previous = csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle), [])
    finally:
        csv.field_size_limit(previous)


@attrs.frozen(kw_only=True)
class Release:
    """A release read for diffing.

    Attributes:
        path: the path as given.
        format: ``datapackage`` or ``parquet``.
        version: the descriptor's ``version``, if any.
        tables: its tables by name.
    """

    path: str
    format: str
    version: str | None
    tables: dict[str, TableFile]


def open_release(path: Path | str) -> Release:
    """The release at ``path``: a ``datapackage.json``, the folder holding one, or a folder of Parquet files.

    A folder holding no descriptor is read as Parquet: its ``*.parquet``
    files, or those of its ``parquet/`` folder (an export's layout).

    Raises:
        DiffError: nothing there can be diffed (no such path, no tables, an
            unsafe or missing file, a descriptor or schema that is not JSON);
            the message names the path.
    """
    given = Path(path)
    if not given.exists():
        raise DiffError(f"{path}: no such file or folder")
    if given.is_dir() and not (given / DESCRIPTOR).is_file():
        folder = given
        if not any(given.glob("*.parquet")) and (given / "parquet").is_dir():
            folder = given / "parquet"
        if not any(folder.glob("*.parquet")):
            raise DiffError(f"{path}: neither a data package ({DESCRIPTOR}) nor a folder of Parquet files")
        return _parquet_release(str(path), folder)
    return _package_release(str(path), given)


def _package_release(label: str, given: Path) -> Release:
    try:
        descriptor_file = descriptor_path(given)
        root = descriptor_file.parent
        descriptor = load_json(descriptor_file, "descriptor")
    except OSError as error:
        raise DiffError(f"{given}: cannot be read: {error.strerror or error}") from None
    except PackageUnreadableError as error:  # it names the path already
        raise DiffError(str(error)) from None
    if not isinstance(descriptor, dict):
        raise DiffError(f"{descriptor_file}: the descriptor must be a JSON object")
    declared, findings = declared_resources(root, descriptor)
    fatal = [f for f in findings if f.check != "missing-resource"]
    if fatal:
        raise DiffError(f"{descriptor_file}: " + "; ".join(f.message for f in fatal))
    tables: dict[str, TableFile] = {}
    for name, resource in declared.items():
        data = root / resource["path"]
        if not data.is_file():
            raise DiffError(f"{data}: the data of table {name!r} does not exist")
        schema = resource["schema"]
        if isinstance(schema, str):
            schema_path = root / schema
            if not schema_path.is_file():
                raise DiffError(f"{schema_path}: the schema of table {name!r} does not exist")
            try:
                schema = load_json(schema_path, "schema")
            except PackageUnreadableError as error:  # it names the file
                raise DiffError(str(error)) from None
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise DiffError(f"{descriptor_file}: the schema of table {name!r} must hold a list of 'fields'")
        tables[name] = TableFile(name=name, path=data, format="csv", schema=schema)
    version = descriptor.get("version")
    return Release(
        path=label,
        format="datapackage",
        version=version if isinstance(version, str) else None,
        tables=tables,
    )


def _parquet_release(label: str, folder: Path) -> Release:
    tables: dict[str, TableFile] = {}
    for path in sorted(folder.glob("*.parquet")):
        try:
            arrow = pq.read_schema(path)
        except (pa.ArrowException, OSError) as error:
            raise DiffError(f"{path}: cannot be read as Parquet: {error}") from None
        tables[path.stem] = TableFile(name=path.stem, path=path, format="parquet", schema=_schema_of(arrow))
    return Release(path=label, format="parquet", version=None, tables=tables)


def _schema_of(arrow: pa.Schema) -> dict[str, Any]:
    """The Table Schema a Parquet file carries in its metadata, or one read from its Arrow types."""
    metadata = arrow.metadata or {}
    if SCHEMA_KEY in metadata:
        try:
            schema = json.loads(metadata[SCHEMA_KEY])
        except (UnicodeDecodeError, json.JSONDecodeError):
            schema = None
        if isinstance(schema, dict) and isinstance(schema.get("fields"), list):
            return schema
    fields = []
    for field in arrow:
        kind = next((name for test, name in _TYPES if test(field.type)), "string")
        fields.append({"name": field.name, "type": kind})
    return {"fields": fields}
