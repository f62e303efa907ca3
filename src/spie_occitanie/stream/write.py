r"""Write a data package and Parquet files from Arrow tables, without a Python object per row.

:func:`write_arrow_package` takes one Arrow table per published table (as
:func:`spie_occitanie.formats.parquet.to_arrow` gives them, or as a national
ledger builds them) and writes exactly the bytes that
:func:`~spie_occitanie.formats.datapackage.write_datapackage` and
:func:`~spie_occitanie.formats.parquet.write_parquet` write for the same
rows: Arrow's CSV writer quoting only where needed is the pinned dialect
(``,``, ``"`` doubled, ``\\n``, two decimals, ISO dates, ``true``/``false``).
The hash and size of each CSV are computed as it is written.

:func:`write_hive_allocations` adds a Hive-partitioned copy of the allocations
(``round_id=ami-2/year=2022/part-0.parquet``) that DuckDB, Spark and Dask read
with their partition columns. The ``year`` of an allocation is the year of
its convention's earliest day when a convention date is known, else its
``first_year``, else none (the partition ``year=__HIVE_DEFAULT_PARTITION__``,
read back as null); an allocation outside any round is in
``round_id=__HIVE_DEFAULT_PARTITION__``.
"""

from __future__ import annotations

import hashlib

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from spie_occitanie.formats.datapackage import (
    DESCRIPTOR,
    data_file,
    json_bytes,
    package_descriptor,
    resource_entry,
    source_entry,
    write_table_schema,
)
from spie_occitanie.formats.parquet import COMPRESSION, arrow_schema
from spie_occitanie.publisher import publisher
from spie_occitanie.tables import TABLES


if TYPE_CHECKING:
    from spie_occitanie.stream.validate import ProgressCallback

__all__ = ["write_arrow_package", "write_hive_allocations"]

#: Rows per batch handed to the CSV writer.
_BATCH_ROWS = 1 << 16


class _HashingSink:
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("wb")
        self.hash = hashlib.sha256()
        self.bytes = 0
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.hash.update(view)
        self.bytes += view.nbytes
        return self._handle.write(view)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
            self.closed = True


def _conformed(name: str, table: pa.Table) -> pa.Table:
    """The table with the published schema: column order, types, nullability and documentation."""
    schema = arrow_schema(TABLES[name])
    missing = [field.name for field in schema if field.name not in table.column_names]
    if missing:
        raise ValueError(f"table {name!r} lacks the columns {missing}")
    return table.select(schema.names).cast(schema)


def _text(column: pa.Array) -> pa.Array:
    """A column's cells as the pinned dialect writes them: canonical text, quoted where needed.

    Python's ``csv`` module with ``QUOTE_MINIMAL`` quotes a cell holding the
    delimiter, the quote or a line feed, and doubles its quotes; Arrow's
    casts give the canonical texts (two decimals, ISO dates, ``true``).
    """
    text = pc.fill_null(pc.cast(column, pa.string()), "")
    special = pc.match_substring_regex(text, '[,"\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def _write_csv(table: pa.Table, path: Path) -> tuple[int, str]:
    """Write ``table`` in the pinned dialect, batch by batch; its size and sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = _HashingSink(path)
    try:
        sink.write((",".join(table.column_names) + "\n").encode("utf-8"))
        for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
            if batch.num_rows == 0:
                continue
            cells = [_text(column) for column in batch.columns]
            row = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
            lines = pc.binary_join_element_wise(row, "\n", "")
            offsets = lines.buffers()[1]
            first, last = lines.offset, lines.offset + len(lines)
            start = int.from_bytes(offsets[first * 4 : first * 4 + 4], "little", signed=True)
            end = int.from_bytes(offsets[last * 4 : last * 4 + 4], "little", signed=True)
            sink.write(lines.buffers()[2][start:end])
    finally:
        sink.close()
    return sink.bytes, sink.hash.hexdigest()


def _cited_sources(tables: Mapping[str, pa.Table]) -> list[dict[str, str]]:
    """The descriptor's ``sources``: every source a citation uses, in key order."""
    used = pc.unique(tables["citations"].column("source_id"))
    sources = tables["sources"].filter(pc.is_in(tables["sources"].column("source_id"), value_set=used))
    rows = sources.sort_by("source_id").select(["title", "publisher", "url"]).to_pylist()
    return [source_entry(row["title"], row["publisher"], row["url"]) for row in rows]


def write_arrow_package(
    tables: Mapping[str, pa.Table],
    directory: Path | str,
    *,
    parquet: bool = True,
    progress: ProgressCallback | None = None,
) -> Path:
    """Write the data package (and ``parquet/<table>.parquet``) of Arrow ``tables`` into ``directory``.

    The rows must already be in key order, as every writer of the project
    writes them; the bytes are then those of the record-based writers.

    Returns:
        The path of ``datapackage.json``.

    Raises:
        ValueError: a table is missing, or lacks a published column.
    """
    root = Path(directory)
    who = publisher()
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise ValueError(f"no Arrow table for {missing}")
    conformed = {name: _conformed(name, tables[name]) for name in TABLES}
    resources = []
    for number, (name, table) in enumerate(conformed.items(), start=1):
        size, digest = _write_csv(table, root / data_file(TABLES[name]))
        write_table_schema(root, TABLES[name], who)
        resources.append(resource_entry(TABLES[name], size=size, sha256=digest))
        if parquet:
            target = root / "parquet" / f"{name}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target, compression=COMPRESSION)
        if progress is not None:
            progress("writing tables", number, len(conformed))
    descriptor = package_descriptor(who, sources=_cited_sources(conformed), resources=resources)
    path = root / DESCRIPTOR
    path.write_bytes(json_bytes(descriptor))
    return path


def partition_year(allocations: pa.Table) -> pa.Array:
    """An allocation's partition year: its convention's earliest year, else ``first_year``, else null."""
    earliest = allocations.column("convention_earliest")
    convention_year = pc.cast(pc.year(earliest), pa.int32())
    return pc.coalesce(convention_year, pc.cast(allocations.column("first_year"), pa.int32()))


def write_hive_allocations(allocations: pa.Table, directory: Path | str) -> Path:
    """Write the allocations as Parquet partitioned by ``round_id`` and ``year`` (Hive layout).

    Returns:
        The folder of the partitions (``directory/allocations``), which
        DuckDB reads with ``read_parquet('<folder>/**/*.parquet', hive_partitioning = true)``.
    """
    import pyarrow.dataset as pds

    table = _conformed("allocations", allocations)
    table = table.append_column(pa.field("year", pa.int32()), partition_year(table))
    folder = Path(directory) / "allocations"
    partitioning = pds.partitioning(
        pa.schema([pa.field("round_id", pa.string()), pa.field("year", pa.int32())]), flavor="hive"
    )
    pds.write_dataset(
        table,
        folder,
        format="parquet",
        partitioning=partitioning,
        existing_data_behavior="delete_matching",
        basename_template="part-{i}.parquet",
        file_options=pds.ParquetFileFormat().make_write_options(compression=COMPRESSION),
        use_threads=False,
    )
    return folder
