"""pandas: one DataFrame per table, with the published Arrow types, never NumPy guesses."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from decimal import Decimal

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pytest

from hypothesis import given

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.formats.pandas import to_pandas
from spie_occitanie.formats.parquet import arrow_schema, arrow_type
from spie_occitanie.tables import TABLES, Column


DS = spie.load()
FRAMES = to_pandas(DS)


def test_one_frame_per_table_in_order():
    """to_pandas gives a DataFrame for every table, in TABLES order."""
    assert list(TABLES) == list(FRAMES)
    assert all(isinstance(frame, pd.DataFrame) for frame in FRAMES.values())


def expected_dtype(column: Column) -> object:
    """An enum column is a category of its allowed values; any other the ArrowDtype of its column."""
    if column.enum is not None:
        return pd.CategoricalDtype(categories=list(column.enum))
    return pd.ArrowDtype(arrow_type(column))


@pytest.mark.parametrize("name", list(TABLES))
def test_rows_columns_and_dtypes(name):
    """One row per record (RangeIndex), columns in tables.py order, each typed from its column."""
    table, frame = TABLES[name], FRAMES[name]
    assert len(table.to_rows(DS)) == len(frame)
    assert pd.RangeIndex(len(frame)).equals(frame.index)
    assert list(table.column_names) == list(frame.columns)
    assert [expected_dtype(c) for c in table.columns] == list(frame.dtypes)


NUMPY = to_pandas(DS, dtypes="numpy")


def test_numpy_amounts_describe_sum_and_plot():
    """With dtypes='numpy', amounts are floats: describe(), sum() and plotting work."""
    amounts = NUMPY["allocations"]["amount_eur"]
    assert "float64" == amounts.dtype
    summary = amounts.describe()
    assert 3 == summary["count"]
    assert 370000.0 == summary["max"]
    assert float(FRAMES["allocations"]["amount_eur"].sum()) == amounts.sum()


def test_numpy_dates_are_datetimes_and_enums_categories():
    rounds = NUMPY["rounds"]
    assert "datetime64[s]" == str(rounds["launched_earliest"].dtype)
    assert isinstance(rounds["kind"].dtype, pd.CategoricalDtype)
    assert ["experimentation", "ami"] == list(rounds["kind"].cat.categories)
    assert "09" in set(NUMPY["territories"]["code_departement"].dropna())


def test_unknown_dtypes_are_refused():
    with pytest.raises(spie.UsageError, match="dtypes"):
        to_pandas(DS, dtypes="float")  # type: ignore[arg-type]


def test_codes_are_strings():
    """code_departement and code_region are string dtypes: the Ariège is '09', not 9; Corsica's 2A stays."""
    territories = FRAMES["territories"]
    assert pd.ArrowDtype(pa.string()) == territories["code_departement"].dtype
    assert pd.ArrowDtype(pa.string()) == territories["code_region"].dtype
    assert pd.api.types.is_string_dtype(territories["code_departement"])
    ariege = territories[territories["territory_id"] == "fr:departement:09"]
    assert ["09"] == ariege["code_departement"].tolist()
    assert {"2A", "2B"} <= set(FRAMES["coverage"]["code_departement"])


def test_amounts_are_exact_decimals():
    """amount_eur is decimal128(18, 2): values are Decimal, exactly 370000.00, never a float."""
    allocations = FRAMES["allocations"].set_index("allocation_id")
    assert pd.ArrowDtype(pa.decimal128(18, 2)) == allocations["amount_eur"].dtype
    amount = allocations.loc["cd-31-etat", "amount_eur"]
    assert Decimal("370000.00") == amount
    assert "370000.00" == str(amount)
    assert (
        sum(row["amount_eur"] for row in TABLES["allocations"].to_rows(DS)) == allocations["amount_eur"].sum()
    )


def test_dates_are_days():
    """*_earliest and *_latest columns hold datetime.date values (date32), not timestamps or text."""
    for name, frame in FRAMES.items():
        for column in (c for c in frame.columns if c.endswith(("_earliest", "_latest"))):
            assert pd.ArrowDtype(pa.date32()) == frame[column].dtype, f"{name}.{column}"
            values = frame[column].dropna().tolist()
            assert all(type(value) is dt.date for value in values), f"{name}.{column}"


def test_partial_dates_keep_edtf_and_bounds():
    """A month stays a month: the EDTF text beside its first and last day."""
    rounds = FRAMES["rounds"].set_index("round_id")
    row = rounds.loc["experimentation-2020"]
    assert ("2020-03", dt.date(2020, 3, 1), dt.date(2020, 3, 31)) == (
        row["launched_edtf"],
        row["launched_earliest"],
        row["launched_latest"],
    )
    for round_ in DS.rounds:
        launched = round_.launched
        expected = (launched.edtf, launched.earliest, launched.latest) if launched else (None, None, None)
        got = tuple(
            rounds.loc[round_.round_id, f"launched_{part}"] for part in ("edtf", "earliest", "latest")
        )
        assert expected == tuple(None if pd.isna(v) else v for v in got)


@given(sst.datasets())
def test_frames_hold_the_rows(ds):
    """For any dataset, each frame converts back to exactly the rows tables.py gives."""
    for name, frame in to_pandas(ds).items():
        table = TABLES[name]
        back = pa.Table.from_pandas(frame, schema=arrow_schema(table), preserve_index=False)
        assert table.to_rows(ds) == back.to_pylist()


def test_import_does_not_load_pandas():
    """`import spie_occitanie` alone does not import pandas: the exporter imports it when used."""
    code = "import spie_occitanie, sys; assert 'pandas' not in sys.modules, 'pandas imported'"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
