"""Parquet: explicit types from tables.py, exact round trips, identical bytes,
and files that DuckDB reads with the published types."""

from __future__ import annotations

import json
import tempfile

from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hypothesis import given, settings

import spie_occitanie as spie

from spie_occitanie import Dataset, SpieError
from spie_occitanie import strategies as sst
from spie_occitanie.formats.parquet import arrow_schema, read_parquet, to_arrow, write_parquet
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES


DS = spie.load()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The embedded dataset written once, for the tests that only read it."""
    directory: Path = tmp_path_factory.mktemp("parquet")
    write_parquet(DS, directory)
    return directory


def file_bytes(paths: list[Path]) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


# -- round trips and determinism ------------------------------------------------


def test_embedded_dataset_round_trips(tmp_path):
    """The embedded dataset reads back equal to itself."""
    assert DS == read_parquet(write_parquet(DS, tmp_path)[0].parent)


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_generated_datasets_round_trip(ds):
    """Any consistent dataset reads back equal, and writing it again gives the same bytes."""
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        paths = write_parquet(ds, first)
        assert ds == read_parquet(first)
        assert file_bytes(paths) == file_bytes(write_parquet(ds, second))


def test_empty_dataset_round_trips(tmp_path):
    """An empty dataset writes typed, empty tables and reads back empty."""
    write_parquet(Dataset(), tmp_path)
    assert Dataset() == read_parquet(tmp_path)
    for name, table in TABLES.items():
        assert arrow_schema(table).equals(pq.read_schema(tmp_path / f"{name}.parquet"), check_metadata=True)


def test_writes_are_byte_identical(tmp_path):
    """Two writes of the same dataset give byte-identical files: no timestamp, fixed order."""
    first = write_parquet(DS, tmp_path / "first")
    second = write_parquet(DS, tmp_path / "second")
    assert file_bytes(first) == file_bytes(second)


def test_one_file_per_table_in_table_order(tmp_path):
    """write_parquet creates missing folders and returns <table>.parquet paths in TABLES order."""
    directory = tmp_path / "nested" / "out"
    paths = write_parquet(DS, directory)
    assert [directory / f"{name}.parquet" for name in TABLES] == paths
    assert all(path.is_file() for path in paths)


def test_files_are_zstd_compressed(written):
    """Every column chunk is compressed with zstd."""
    metadata = pq.ParquetFile(written / "citations.parquet").metadata
    codecs = {metadata.row_group(0).column(i).compression for i in range(metadata.num_columns)}
    assert {"ZSTD"} == codecs


# -- explicit schema --------------------------------------------------------------


def test_types_are_explicit(written):
    """Money is decimal128(18, 2), dates date32, codes strings, whatever the values look like."""
    allocations = pq.read_schema(written / "allocations.parquet")
    territories = pq.read_schema(written / "territories.parquet")
    rounds = pq.read_schema(written / "rounds.parquet")
    assert pa.decimal128(18, 2) == allocations.field("amount_eur").type
    assert pa.decimal128(18, 2) == allocations.field("amount_precision_eur").type
    assert pa.date32() == allocations.field("convention_earliest").type
    assert pa.date32() == rounds.field("launched_earliest").type
    assert pa.date32() == rounds.field("launched_latest").type
    assert pa.string() == territories.field("code_departement").type
    assert pa.string() == territories.field("code_region").type
    assert pa.int32() == territories.field("tncc").type


@pytest.mark.parametrize("name", list(TABLES))
def test_file_schema_is_the_tables_schema(written, name):
    """Each file's schema, metadata included, is arrow_schema() of its table: names, order, types,
    nullability (required columns only are not nullable), and documentation."""
    table = TABLES[name]
    schema = pq.read_schema(written / f"{name}.parquet")
    assert arrow_schema(table).equals(schema, check_metadata=True)
    assert list(table.column_names) == schema.names
    assert [not c.required for c in table.columns] == [f.nullable for f in schema]


@pytest.mark.parametrize("name", list(TABLES))
def test_files_document_their_columns(written, name):
    """Field metadata holds each column's French title and description; the file metadata holds
    the table's name, title, description and Table Schema."""
    table = TABLES[name]
    schema = pq.read_schema(written / f"{name}.parquet")
    for column in table.columns:
        metadata = schema.field(column.name).metadata
        assert column.title == metadata[b"title"].decode()
        assert column.description == metadata[b"description"].decode()
    assert name == schema.metadata[b"spie_occitanie.table"].decode()
    assert table.title == schema.metadata[b"spie_occitanie.title"].decode()
    assert table.description == schema.metadata[b"spie_occitanie.description"].decode()
    assert table.schema_descriptor() == json.loads(schema.metadata[b"spie_occitanie.table_schema"])


def test_amounts_are_exact_to_the_cent():
    """Arrow holds amounts as the exact Decimal with two decimals (370000.00, not a float)."""
    amounts = to_arrow(DS)["allocations"].column("amount_eur").to_pylist()
    assert all(isinstance(amount, Decimal) for amount in amounts)
    assert "370000.00" in {str(amount) for amount in amounts}


# -- DuckDB reads the files with the published types -------------------------------


def test_duckdb_counts_and_sums_allocations(written):
    """DuckDB counts every allocation and sums amount_eur exactly, as a Decimal."""
    rows = TABLES["allocations"].to_rows(DS)
    result = duckdb.execute(
        "select count(*), sum(amount_eur) from read_parquet(?)", [str(written / "allocations.parquet")]
    ).fetchone()
    assert result is not None
    count, total = result
    assert len(rows) == count
    assert sum(row["amount_eur"] for row in rows) == total
    assert isinstance(total, Decimal)


def test_duckdb_keeps_leading_zeros(written):
    """code_departement is text to DuckDB: '09' (Ariège) is found as '09'."""
    result = duckdb.execute(
        "select code_departement, typeof(code_departement) from read_parquet(?) "
        "where code_departement = '09'",
        [str(written / "territories.parquet")],
    ).fetchall()
    assert [("09", "VARCHAR")] == result


@pytest.mark.parametrize("name", list(TABLES))
def test_duckdb_row_counts(written, name):
    """DuckDB sees as many rows in each file as tables.py gives for the table."""
    result = duckdb.execute(
        "select count(*) from read_parquet(?)", [str(written / f"{name}.parquet")]
    ).fetchone()
    assert (len(TABLES[name].to_rows(DS)),) == result


# -- bad input ------------------------------------------------------------------------


def write_with(directory: Path, name: str, table: pa.Table) -> Path:
    """The embedded dataset in ``directory``, with one table's file replaced by ``table``."""
    write_parquet(DS, directory)
    path = directory / f"{name}.parquet"
    pq.write_table(table, path)
    return path


def test_missing_file(tmp_path):
    """A missing file is a SpieError naming it."""
    write_parquet(DS, tmp_path)
    (tmp_path / "rounds.parquet").unlink()
    with pytest.raises(SpieError, match=r"rounds\.parquet: no such file"):
        read_parquet(tmp_path)


def test_wrong_type(tmp_path):
    """A column of another type (float amounts) is a SpieError naming the file, column and types."""
    table = to_arrow(DS)["allocations"]
    index = table.schema.get_field_index("amount_eur")
    floats = pa.array([float(v) for v in table.column("amount_eur").to_pylist()], pa.float64())
    write_with(tmp_path, "allocations", table.set_column(index, "amount_eur", floats))
    with pytest.raises(SpieError, match=r"allocations\.parquet: .*'amount_eur' is double, expected decimal"):
        read_parquet(tmp_path)


def test_integer_codes(tmp_path):
    """Codes written as integers (9 for '09') are refused, not silently read back as '9'."""
    table = to_arrow(DS)["coverage"]
    index = table.schema.get_field_index("code_departement")
    ints = pa.array([9] * table.num_rows, pa.int64())
    write_with(tmp_path, "coverage", table.set_column(index, "code_departement", ints))
    with pytest.raises(SpieError, match=r"coverage\.parquet: .*'code_departement' is int64, expected string"):
        read_parquet(tmp_path)


def test_missing_column(tmp_path):
    """A file without one of its table's columns is a SpieError naming the file and column."""
    write_with(tmp_path, "sources", to_arrow(DS)["sources"].drop_columns(["place"]))
    with pytest.raises(SpieError, match=r"sources\.parquet: .*missing column 'place'"):
        read_parquet(tmp_path)


def test_extra_column(tmp_path):
    """A file with a column its table does not have is a SpieError naming it."""
    table = to_arrow(DS)["tallies"]
    extra = pa.array([None] * table.num_rows, pa.string())
    write_with(tmp_path, "tallies", table.append_column("extra", extra))
    with pytest.raises(SpieError, match=r"tallies\.parquet: .*unexpected column 'extra'"):
        read_parquet(tmp_path)


def test_not_parquet(tmp_path):
    """A file that is not Parquet is a SpieError naming it."""
    write_parquet(DS, tmp_path)
    (tmp_path / "envelopes.parquet").write_text("envelope_id\nnational\n", encoding="utf-8")
    with pytest.raises(SpieError, match=r"envelopes\.parquet: cannot be read as Parquet"):
        read_parquet(tmp_path)


def test_row_that_is_not_a_record(tmp_path):
    """A well-typed row that breaks a record rule is a SpieError naming the file and row."""
    table = to_arrow(DS)["rounds"]
    rows = table.to_pylist()
    rows[0]["launched_edtf"] = "2019"
    write_with(tmp_path, "rounds", pa.Table.from_pylist(rows, schema=table.schema))
    with pytest.raises(SpieError, match=r"rounds\.parquet: row 1: 'launched_earliest' must be 2019-01-01"):
        read_parquet(tmp_path)
