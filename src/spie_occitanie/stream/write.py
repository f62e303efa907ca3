r"""Write a data package and Parquet files from Arrow tables, without a Python object per row.

:func:`write_arrow_package` takes one Arrow table per published table (as
:func:`spie_occitanie.formats.parquet.to_arrow` gives them, or as a national
ledger builds them) and writes exactly the bytes that
:func:`~spie_occitanie.formats.datapackage.write_datapackage` and
:func:`~spie_occitanie.formats.parquet.write_parquet` write for the same
rows, in the pinned dialect (``,``, ``"`` doubled, ``\n``, two decimals,
ISO dates, ``true``/``false``). The hash and size of each CSV are computed as
it is written.

Speed (a package of a million allocations and their million citations in
about a second on two cores) comes from four choices, each exact:

* Cells are formatted by Arrow, batch by batch, never one Python object per
  row. A batch whose text cells hold none of ``,`` ``"`` ``\n`` ``\r`` is
  written by Arrow's own CSV writer without quoting, which is then exactly
  the pinned dialect (Python's ``QUOTE_MINIMAL`` quotes nothing either).
  Only a batch where such a byte appears goes through the quoting kernels,
  and only its columns holding one are tested cell by cell.
* Whether a text column holds such a byte is a search of its value buffer
  for four single bytes (``memchr`` speed). UTF-8 never uses these bytes
  inside a multi-byte character, so a miss proves no cell needs quoting; a
  hit inside a null slot merely sends the batch to the exact slow path.
* Numbers, dates and booleans never need quoting. Their text is cast once
  per distinct value when a batch has few of them (dates, years,
  precisions): the cast of each value is the same function, so taking the
  cast distinct values by index gives the same cells.
* The CSV and Parquet files are written by two threads, because the machine
  this was tuned on has two cores and Arrow's kernels, its Parquet encoder,
  ``hashlib`` on large buffers and file writes all release the GIL. Each
  file is written by one thread from start to end, so its bytes do not
  depend on the scheduling. An error in a thread is raised to the caller
  once the other thread has stopped, and the descriptor is then not written.

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
import itertools

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from spie_occitanie.formats.datapackage import (
    DESCRIPTOR,
    package_descriptor,
    resource_entry,
    source_entry,
    write_table_schema,
)
from spie_occitanie.formats.parquet import COMPRESSION, arrow_schema
from spie_occitanie.formats.table_schema import data_file, json_bytes
from spie_occitanie.publisher import publisher
from spie_occitanie.tables import TABLES


if TYPE_CHECKING:
    from spie_occitanie.stream.validate import ProgressCallback

__all__ = ["write_arrow_package", "write_hive_allocations"]

#: Rows per batch formatted at once: enough that the cost of a kernel call
#: vanishes, few enough that a batch's columns stay in the CPU cache
#: (2^16 measured faster than 2^18 on a million allocations).
_BATCH_ROWS = 1 << 16

#: Threads writing files: one CSV and one Parquet at a time on two cores.
_WORKERS = 2

#: The bytes that send a batch to the quoting kernels: the three the dialect
#: quotes, and ``\r``, which Python's ``csv`` writes bare (its line
#: terminator is ``\n``) but Arrow's writer refuses to write unquoted.
_SPECIAL_BYTES = (b",", b'"', b"\n", b"\r")

#: The cells Python's ``csv`` quotes with ``QUOTE_MINIMAL`` and ``\n`` line ends.
_NEEDS_QUOTES = '[,"\n]'

#: A batch with at most one distinct value per this many rows is cast
#: value by value on its distinct values only.
_FEW_VALUES = 4

#: Arrow's CSV writer for batches with nothing to quote: no header, no quotes.
_BARE = pcsv.WriteOptions(include_header=False, quoting_style="none", batch_size=_BATCH_ROWS)


def _conformed(name: str, table: pa.Table) -> pa.Table:
    """The table with the published schema: column order, types, nullability and documentation."""
    schema = arrow_schema(TABLES[name])
    missing = [field.name for field in schema if field.name not in table.column_names]
    if missing:
        raise ValueError(f"table {name!r} lacks the columns {missing}")
    return table.select(schema.names).cast(schema)


def _offset(offsets: pa.Buffer, index: int) -> int:
    """The ``index``-th 32-bit offset of a string array's offsets buffer."""
    return int.from_bytes(offsets[index * 4 : index * 4 + 4], "little", signed=True)


def _values(text: pa.Array) -> pa.Buffer:
    """The bytes of a string array's cells, end to end, as a view of its value buffer."""
    _, offsets, data = text.buffers()
    if data is None or len(text) == 0:
        return pa.py_buffer(b"")
    return data[_offset(offsets, text.offset) : _offset(offsets, text.offset + len(text))]


def _may_need_quotes(column: pa.Array) -> bool:
    """Whether a cell of ``column`` may hold a byte of :data:`_SPECIAL_BYTES`.

    Only text can: numbers, ISO dates and ``true``/``false`` never do. A
    text column is searched as one buffer; a null cell's bytes count too,
    which can only send a batch to the exact slow path.
    """
    if not pa.types.is_string(column.type):
        return False
    data = _values(column).to_pybytes()
    return any(byte in data for byte in _SPECIAL_BYTES)


def _canonical(column: pa.Array) -> pa.Array:
    """A column's cells as canonical text (two decimals, ISO dates, ``true``); nulls stay null."""
    if pa.types.is_string(column.type):
        return column
    if not pa.types.is_boolean(column.type):
        encoded = pc.dictionary_encode(column)
        if len(encoded.dictionary) * _FEW_VALUES <= len(column):
            return pc.take(pc.cast(encoded.dictionary, pa.string()), encoded.indices)
    return pc.cast(column, pa.string())


def _quoted(text: pa.Array, special: bool) -> pa.Array:
    """A text column's cells as the dialect writes them: empty for null, quoted where needed.

    Python's ``csv`` module with ``QUOTE_MINIMAL`` quotes a cell holding the
    delimiter, the quote or a line feed, and doubles its quotes.
    """
    if text.null_count:
        text = pc.fill_null(text, "")
    if not special:
        return text
    needed = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needed).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needed, quoted, text)


def _batch_csv(batch: pa.RecordBatch) -> pa.Buffer:
    r"""The CSV lines of ``batch``, each ending with ``\n``, without the header."""
    special = [_may_need_quotes(column) for column in batch.columns]
    texts = [_canonical(column) for column in batch.columns]
    if not any(special):
        sink = pa.BufferOutputStream()
        pcsv.write_csv(pa.RecordBatch.from_arrays(texts, names=batch.schema.names), sink, _BARE)
        return sink.getvalue()
    cells = [_quoted(text, flag) for text, flag in zip(texts, special, strict=True)]
    cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "")
    lines = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
    return _values(lines)


def _write_csv(table: pa.Table, path: Path, *, rows_per_batch: int = _BATCH_ROWS) -> tuple[int, str]:
    """Write ``table`` in the pinned dialect, batch by batch; its size and sha256.

    Each batch's lines are hashed and written as soon as they are formatted,
    so only one batch of text is in memory at a time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (",".join(table.column_names) + "\n").encode("utf-8")
    lines = map(_batch_csv, table.to_batches(max_chunksize=rows_per_batch))
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as handle:
        for data in itertools.chain([header], lines):
            view = memoryview(data)
            digest.update(view)
            handle.write(view)
            size += view.nbytes
    return size, digest.hexdigest()


def _write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` as :func:`~spie_occitanie.formats.parquet.write_parquet` writes it."""
    pq.write_table(table, path, compression=COMPRESSION)


def _cited_sources(tables: Mapping[str, pa.Table]) -> list[dict[str, str]]:
    """The descriptor's ``sources``: every source a citation uses, in key order."""
    used = pc.unique(tables["citations"].column("source_id"))
    sources = tables["sources"].filter(pc.is_in(tables["sources"].column("source_id"), value_set=used))
    rows = sources.sort_by("source_id").select(["title", "publisher", "url"]).to_pylist()
    return [source_entry(row["title"], row["publisher"], row["url"]) for row in rows]


#: Each table's CSV job (its size and sha256) and Parquet job, if any.
_Jobs = dict[str, tuple[Future[tuple[int, str]], Future[None] | None]]


def _submit(pool: ThreadPoolExecutor, tables: Mapping[str, pa.Table], root: Path, *, parquet: bool) -> _Jobs:
    """Start writing each table's CSV (and Parquet), largest tables first, so both threads stay busy."""
    jobs: _Jobs = {}
    for name in sorted(tables, key=lambda name: tables[name].num_rows, reverse=True):
        table = tables[name]
        csv_job = pool.submit(_write_csv, table, root / data_file(TABLES[name]))
        parquet_job = (
            pool.submit(_write_parquet, table, root / "parquet" / f"{name}.parquet") if parquet else None
        )
        jobs[name] = (csv_job, parquet_job)
    return jobs


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
    Files are written by :data:`_WORKERS` threads, largest tables first; a
    descriptor left by an earlier package in ``directory`` is removed first,
    and the new one is written only once every file is complete, so a
    failure never leaves a descriptor describing other files.

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
    path = root / DESCRIPTOR
    path.unlink(missing_ok=True)
    if parquet:
        (root / "parquet").mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="spie-write") as pool:
        try:
            jobs = _submit(pool, conformed, root, parquet=parquet)
            resources = []
            for number, (name, described) in enumerate(TABLES.items(), start=1):
                write_table_schema(root, described, who)
                csv_job, parquet_job = jobs[name]
                size, digest = csv_job.result()
                resources.append(resource_entry(described, size=size, sha256=digest))
                if parquet_job is not None:
                    parquet_job.result()
                if progress is not None:
                    progress("writing tables", number, len(TABLES))
            sources = _cited_sources(conformed)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    path.write_bytes(json_bytes(package_descriptor(who, sources=sources, resources=resources)))
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
