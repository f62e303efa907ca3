"""The columnar writer's shortcuts are exact: same bytes as the pinned CSV writer, whatever the cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import threading

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.formats.csv import csv_bytes
from spie_occitanie.formats.datapackage import DESCRIPTOR, write_datapackage
from spie_occitanie.formats.parquet import to_arrow, write_parquet
from spie_occitanie.stream import write
from spie_occitanie.stream.write import write_arrow_package
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES


#: Characters the dialect quotes or Arrow refuses, and ordinary ones around them.
CHARACTERS = st.sampled_from([",", '"', "\n", "\r", "a", "é", " ", "'", "€", ";"]) | st.characters(
    codec="utf-8"
)
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def expected_csv(table: pa.Table) -> bytes:
    """The bytes the record-based writer gives for the same rows."""
    return csv_bytes(table.column_names, table.to_pylist())


def columnar_csv(table: pa.Table, rows_per_batch: int) -> bytes:
    """The bytes :func:`write._batch_csv` gives, batch after batch, after the header."""
    header = (",".join(table.column_names) + "\n").encode("utf-8")
    batches = table.to_batches(max_chunksize=rows_per_batch)
    return header + b"".join(write._batch_csv(batch).to_pybytes() for batch in batches)


def written_csv(table: pa.Table, folder: Path, rows_per_batch: int = 2) -> bytes:
    """Write ``table`` with the columnar writer; its bytes, once size and hash are checked."""
    path = folder / "table.csv"
    size, digest = write._write_csv(table, path, rows_per_batch=rows_per_batch)
    data = path.read_bytes()
    assert (len(data), hashlib.sha256(data).hexdigest()) == (size, digest)
    return data


@st.composite
def column_values(draw: st.DrawFn, values: st.SearchStrategy[object], rows: int) -> list[object]:
    """``rows`` cells, absent or drawn from a pool: a small pool repeats values, as dates and years do."""
    pool = draw(st.lists(values, min_size=1, max_size=rows + 1))
    cell = st.none() | st.sampled_from(pool)
    return draw(st.lists(cell, min_size=rows, max_size=rows))


@st.composite
def arrow_tables(draw: st.DrawFn) -> pa.Table:
    """A table of every published Arrow type, cut into chunks and sliced so arrays have offsets."""
    rows = draw(st.integers(min_value=0, max_value=14))
    columns = {
        "text": (st.text(CHARACTERS, max_size=6), pa.string()),
        "code": (st.text("abc-09:", min_size=1, max_size=4), pa.string()),
        "amount": (AMOUNTS, pa.decimal128(18, 2)),
        "day": (st.dates(), pa.date32()),
        "count": (st.integers(min_value=-(2**31), max_value=2**31 - 1), pa.int32()),
        "flag": (st.booleans(), pa.bool_()),
    }
    table = pa.table(
        {name: pa.array(draw(column_values(values, rows)), kind) for name, (values, kind) in columns.items()}
    )
    cut = draw(st.integers(min_value=0, max_value=rows))
    table = pa.concat_tables([table.slice(0, cut), table.slice(cut)])
    return table.slice(draw(st.integers(min_value=0, max_value=rows)))


@given(arrow_tables(), st.integers(min_value=1, max_value=5))
def test_any_cells_give_the_bytes_of_the_pinned_writer(table, rows_per_batch):
    """For any cells, batch sizes and chunking, the columnar CSV equals the record writer's."""
    assert expected_csv(table) == columnar_csv(table, rows_per_batch)


@pytest.mark.parametrize(
    ("cell", "line"),
    [
        ("a,b", b'"a,b",x\n'),
        ('dit "non"', b'"dit ""non""",x\n'),
        ("ligne\nsuivante", b'"ligne\nsuivante",x\n'),
        ("retour\rchariot", b"retour\rchariot,x\n"),
        ('"', b'"""",x\n'),
        ("simple", b"simple,x\n"),
        ("", b",x\n"),
        (None, b",x\n"),
    ],
)
def test_a_special_cell_is_quoted_as_the_csv_module_quotes_it(tmp_path, cell, line):
    """A comma, a quote or a line feed is quoted; a carriage return or a plain cell is not."""
    table = pa.table({"text": pa.array(["propre", cell, "fin"], pa.string()), "code": ["x", "x", "x"]})
    data = written_csv(table, tmp_path)
    assert expected_csv(table) == data
    assert b"text,code\npropre,x\n" + line + b"fin,x\n" == data


def test_a_batch_with_nothing_to_quote_follows_one_that_has(tmp_path):
    """Batches with and without special cells, in one file, keep the rows in order."""
    cells = ["a", "b,c", "d", "e", "f", 'g"h', "i", "j"]
    table = pa.table({"text": cells, "number": pa.array(range(8), pa.int32())})
    assert expected_csv(table) == written_csv(table, tmp_path, rows_per_batch=2)


def test_a_null_cell_holding_a_comma_is_still_empty(tmp_path):
    """A null slot whose bytes hold a comma is written empty, and the other cells unquoted."""
    offsets = pa.array([0, 1, 4, 5], pa.int32()).buffers()[1]
    text = pa.Array.from_buffers(
        pa.string(), 3, [pa.array([True, False, True]).buffers()[1], offsets, pa.py_buffer(b"a,,,b")]
    )
    table = pa.table({"text": text, "code": ["x", "y", "z"]})
    assert [None] == [text[1].as_py()]
    assert b"text,code\na,x\n,y\nb,z\n" == written_csv(table, tmp_path)


@pytest.mark.parametrize("distinct", [1, 3, 64])
def test_numbers_and_dates_read_the_same_with_few_or_many_values(tmp_path, distinct):
    """Amounts, dates, years and booleans have their canonical text whether values repeat or not."""
    rows = 64
    table = pa.table(
        {
            "amount": pa.array([Decimal(i % distinct) / 4 for i in range(rows)], pa.decimal128(18, 2)),
            "day": pa.array([dt.date(2021, 1, 1) + dt.timedelta(days=i % distinct) for i in range(rows)]),
            "year": pa.array([None if i % 5 == 0 else 2000 + i % distinct for i in range(rows)], pa.int32()),
            "flag": pa.array([None if i % 7 == 0 else i % distinct == 0 for i in range(rows)]),
        }
    )
    data = written_csv(table, tmp_path, rows_per_batch=rows)
    assert expected_csv(table) == data
    assert data.startswith(b"amount,day,year,flag\n0.00,2021-01-01,,\n")


def test_every_table_has_two_columns_or_more():
    """No published row is a lone field, which the csv module would write as '""' when empty."""
    assert [] == [name for name, table in TABLES.items() if len(table.columns) < 2]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_generated_packages_are_byte_identical(ds):
    """For generated datasets, the package and Parquet files equal the record writers' byte for byte."""
    with tempfile.TemporaryDirectory() as folder:
        records, columns = Path(folder) / "records", Path(folder) / "columns"
        write_datapackage(ds, records)
        write_parquet(ds, records / "parquet")
        write_arrow_package(to_arrow(ds), columns)
        assert files(records) == files(columns)


@pytest.mark.parametrize("job", ["_write_csv", "_write_parquet"])
def test_an_error_in_a_worker_reaches_the_caller_and_no_descriptor_is_left(tmp_path, monkeypatch, job):
    """A writer thread's error is raised by write_arrow_package, and no descriptor is left behind."""
    tables = to_arrow(spie.load())
    write_arrow_package(tables, tmp_path)
    threads = []
    original = getattr(write, job)

    def failing(table, path, **options):
        if path.stem == "allocations":
            threads.append(threading.current_thread().name)
            raise OSError(f"{path}: disque plein")
        return original(table, path, **options)

    monkeypatch.setattr(write, job, failing)
    with pytest.raises(OSError, match=r"allocations\.(csv|parquet): disque plein"):
        write_arrow_package(tables, tmp_path)
    assert not (tmp_path / DESCRIPTOR).exists()
    assert [True] == [name.startswith("spie-write") for name in threads]


def test_progress_counts_the_tables_in_order(tmp_path):
    """Progress is reported once per table, in table order, and parquet=False writes no Parquet."""
    calls = []
    write_arrow_package(
        to_arrow(spie.load()), tmp_path, parquet=False, progress=lambda *call: calls.append(call)
    )
    total = len(TABLES)
    assert [("writing tables", n, total) for n in range(1, total + 1)] == calls
    assert not (tmp_path / "parquet").exists()
