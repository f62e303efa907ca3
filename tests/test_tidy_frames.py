"""Tidy tables for research: one row per laureate, one row per stated amount with its level."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd  # type: ignore[import-untyped]

from hypothesis import given, settings

import spie_occitanie as spie

from spie_occitanie import strategies as sst


DS = spie.load()
LAUREATES = DS.laureates()
FUNDING = DS.funding()


def test_one_row_per_selection():
    assert len(DS.selections) == len(LAUREATES)
    assert not LAUREATES.duplicated(["round_id", "territory_id"]).any()


def test_region_is_where_the_territory_lies():
    """code_region is the territory's région for every row where it is known, as selections_in finds."""
    for code in ("76", "84", "44"):
        assert len(DS.selections_in(code_region=code)) == int((LAUREATES["code_region"] == code).sum())


def test_occitanie_laureates_and_the_one_known_amount():
    occitanie = LAUREATES[LAUREATES["code_region"] == "76"].set_index("name")
    assert 8 == len(occitanie)
    assert Decimal("370000.00") == occitanie.loc["Haute-Garonne", "state_eur"]
    assert Decimal("1.00") == occitanie.loc["Haute-Garonne", "state_precision_eur"]
    unknown = occitanie.drop(index="Haute-Garonne")
    assert unknown["state_eur"].isna().all()  # unknown, never zero
    assert "prefet-occitanie-2022-02-03" in occitanie.loc["Aude", "source_ids"]


def test_funding_rows_have_a_level_and_sum_within_it():
    assert {"national", "region", "departement"} == set(FUNDING["level"])
    assert len(DS.envelopes) + len(DS.allocations) == len(FUNDING)
    regional = FUNDING[(FUNDING["level"] == "region") & (FUNDING["record"] == "envelope")]
    assert [Decimal("1700000.00")] == list(regional["amount_eur"])
    allocations = FUNDING[FUNDING["record"] == "allocation"]
    assert sum(a.amount.amount for a in DS.allocations) == allocations["amount_eur"].sum()


@settings(max_examples=20)
@given(sst.datasets())
def test_generated_datasets(ds):
    laureates = ds.laureates()
    assert len(ds.selections) == len(laureates)
    state = laureates["state_eur"].dropna()
    assert (state >= 0).all()
    funding = ds.funding()
    assert isinstance(funding, pd.DataFrame)
    assert len(ds.envelopes) + len(ds.allocations) == len(funding)
