"""The summary DataFrame: rounds, laureates and known funding per région and round, per région and
per Occitanie département, one level per table so that no column sums across levels; exact amounts
with their precision, unknown as null, and the citations behind each line."""

from __future__ import annotations

import subprocess
import sys

from decimal import Decimal

import attrs
import pandas as pd  # type: ignore[import-untyped]
import pytest

from hypothesis import given

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.formats.pandas import SUMMARY_LEVELS, SUMMARY_SCHEMAS, summary_frame


DS = spie.load()
FRAME = summary_frame(DS)
REGIONS = summary_frame(DS, level="region")
DEPARTEMENTS = summary_frame(DS, level="departement")


def line(frame: pd.DataFrame, **where: object) -> pd.Series:
    """The one line matching every column = value given (None matches null)."""
    mask = pd.Series(data=True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column].isna() if value is None else (frame[column] == value).fillna(value=False)
    found = frame[mask]
    assert 1 == len(found), f"{where}: {len(found)} lines"
    return found.iloc[0]


def test_columns_and_types():
    """Columns are the level's schema, each an ArrowDtype: money decimal128(18, 2), ids lists of strings."""
    for level in SUMMARY_LEVELS:
        frame = summary_frame(DS, level=level)
        schema = SUMMARY_SCHEMAS[level]
        assert schema.names == list(frame.columns)
        assert [pd.ArrowDtype(f.type) for f in schema] == list(frame.dtypes)
        assert pd.RangeIndex(len(frame)).equals(frame.index)


def state_allocations(ds: spie.Dataset, code_region: str | None = None) -> Decimal:
    """The State's allocations to laureates (of one région), each once: what the summary sums."""
    state = {o.organisation_id for o in ds.organisations if o.kind is spie.OrganisationKind.STATE}
    laureates = {(s.round_id, s.territory_id) for s in ds.selections}
    found = []
    for allocation in ds.allocations:
        where = allocation.territory_id
        territory = None if where is None else ds.get("territories", where)
        laureate = (allocation.round_id, allocation.territory_id) in laureates
        here = code_region is None or (territory is not None and territory.code_region == code_region)
        if allocation.funder_id in state and laureate and here:
            found.append(allocation.amount.amount)
    return sum(found, Decimal(0))


def test_amount_columns_sum_to_what_the_sources_state():
    """No column mixes levels: at every level the State's column sums to the State's known allocations
    to laureates (550 000 EUR, Haute-Garonne's 370 000 and the Meuse's 180 000), each counted once;
    summed over the table that mixed régions, rounds and départements it gave 1 470 000."""
    assert Decimal("550000.00") == state_allocations(DS)
    assert state_allocations(DS) == FRAME["state_eur"].sum() == REGIONS["state_eur"].sum()
    assert DS.summary()["state_eur"].sum() == state_allocations(DS)
    assert Decimal("370000.00") == state_allocations(DS, "76") == DEPARTEMENTS["state_eur"].sum()
    assert len(DS.selections) == FRAME["laureates"].sum() == REGIONS["laureates"].sum()
    assert 8 == DEPARTEMENTS["laureates"].sum()
    regional = [e.amount.amount for e in DS.envelopes if e.scope_id and e.scope_id.startswith("fr:region:")]
    assert sum(regional, Decimal(0)) == REGIONS["envelope_eur"].sum()
    for level in SUMMARY_LEVELS:
        assert "level" not in summary_frame(DS, level=level).columns


def test_an_unknown_level_is_refused():
    """A level that is not one of the three is refused, naming them."""
    with pytest.raises(ValueError, match="region-round, region, departement"):
        DS.summary(level="national")


def test_occitanie_rounds():
    """Occitanie: 3 laureates of AMI 1 and 5 of AMI 2, as the release counts them, 8 in all."""
    ami1 = line(FRAME, code_region="76", round_id="ami-1")
    assert 3 == ami1["laureates"] == ami1["declared"]
    assert ["Aude", "Aveyron", "Tarn"] == list(ami1["laureate_names"])
    assert "premier appel à manifestation d'intérêt" == ami1["round"]
    ami2 = line(FRAME, code_region="76", round_id="ami-2")
    assert 5 == ami2["laureates"] == ami2["declared"]
    total = line(REGIONS, code_region="76")
    assert 8 == total["laureates"] == total["declared"]
    assert "Occitanie" == total["region"]


def test_occitanie_funding_is_exact_with_its_precision():
    """The 1,7 M EUR envelope is Decimal 1700000.00 to the nearest 100 000; HG's 370 000 EUR to the euro."""
    total = line(REGIONS, code_region="76")
    assert ["occitanie-2021-2023"] == list(total["envelope_ids"])
    assert Decimal("1700000.00") == total["envelope_eur"]
    assert Decimal("100000.00") == total["envelope_precision_eur"]
    assert isinstance(total["envelope_eur"], Decimal)
    hg = line(DEPARTEMENTS, code_departement="31")
    assert Decimal("370000.00") == hg["state_eur"]
    assert Decimal("1.00") == hg["state_precision_eur"]
    assert 1 == hg["state_known"]
    assert Decimal("93000.00") == hg["other_funders_eur"]


def test_unknown_amounts_are_null_not_zero():
    """The Aude's State allocation is unknown: null, never 0; AMI 1 in Occitanie knows no amount."""
    aude = line(DEPARTEMENTS, code_departement="11")
    assert pd.isna(aude["state_eur"])
    assert pd.isna(aude["state_precision_eur"])
    assert 0 == aude["state_known"]
    ami1 = line(FRAME, code_region="76", round_id="ami-1")
    assert pd.isna(ami1["state_eur"])
    ami2 = line(FRAME, code_region="76", round_id="ami-2")
    assert 1 == ami2["state_known"]
    assert Decimal("370000.00") == ami2["state_eur"]


def test_every_occitanie_departement_has_a_line():
    """The 13 départements each have a line; the 5 no round selected have 0 laureates and no round."""
    departements = DEPARTEMENTS
    assert {t.code for t in DS.territories_in("76")} == set(departements["code_departement"])
    unselected = departements[departements["round_id"].isna()]
    assert {"09", "32", "34", "48", "82"} == set(unselected["code_departement"])
    assert {0} == set(unselected["laureates"])
    assert {"ami-1": 3, "ami-2": 5} == departements["round_id"].value_counts().to_dict()


def test_citations_behind_each_line():
    """Each line lists the citations it rests on, all real: HG's selection and allocations, tallies for 0."""
    known = {c.citation_id for c in DS.citations}
    for ids in (*FRAME["citation_ids"], *REGIONS["citation_ids"], *DEPARTEMENTS["citation_ids"]):
        assert set(ids) <= known
        assert list(ids) == sorted(set(ids))
    hg = set(line(DEPARTEMENTS, code_departement="31")["citation_ids"])
    assert {c.citation_id for c in DS.citations_for("selections", "ami-2|fr:departement:31")} <= hg
    assert {c.citation_id for c in DS.citations_for("allocations", "cd-31-etat")} <= hg
    ariege = set(line(DEPARTEMENTS, code_departement="09")["citation_ids"])
    assert {c.citation_id for c in DS.citations_for("tallies", "occitanie-ami-2")} <= ariege
    total = set(line(REGIONS, code_region="76")["citation_ids"])
    assert {c.citation_id for c in DS.citations_for("envelopes", "occitanie-2021-2023")} <= total


def test_other_regions():
    """Other régions: a line per round with known laureates, Corsica's three in AMI 2, the Meuse's money."""
    corse = line(FRAME, code_region="94", round_id="ami-2")
    assert ["Bastia", "Ile Rousse", "Pays Ajaccien"] == list(corse["laureate_names"])
    assert pd.isna(corse["declared"])
    grand_est = line(FRAME, code_region="44", round_id="ami-2")
    assert Decimal("180000.00") == grand_est["state_eur"]
    assert {"76"} == set(DEPARTEMENTS["code_region"])
    assert {"44"} == set(DS.summary(44)["code_region"])
    assert {"44"} == set(DS.summary("44", level="region")["code_region"])


def test_unknown_when_the_lists_are_not_known_complete():
    """Without the release's counts, AMI 2's national list (31 of 34) leaves an unselected one unknown."""
    frame = summary_frame(attrs.evolve(DS, tallies=()), level="departement")
    ariege = line(frame, code_departement="09")
    assert pd.isna(ariege["laureates"])
    assert [] == list(ariege["citation_ids"])


def test_another_region_in_detail():
    """code_region picks the région shown per département."""
    frame = summary_frame(DS, code_region="94", level="departement")
    assert {"2A", "2B"} == set(frame["code_departement"])


def test_dataset_summary_loads_pandas_only_when_called():
    """Dataset.summary() returns the frame; `import spie_occitanie` alone loads no pandas."""
    assert FRAME.equals(DS.summary())
    code = (
        "import sys, spie_occitanie as s\n"
        "ds = s.load()\n"
        "assert 'pandas' not in sys.modules\n"
        "frame = ds.summary()\n"
        "assert 'pandas' in sys.modules and len(frame) > 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@given(sst.datasets())
def test_lines_add_up(ds):
    """For any dataset: a round's région rows count every selection once, the régions' rows too, and
    the State's column sums to the State's allocations to laureates at both levels."""
    by_round = summary_frame(ds)
    for round_ in ds.rounds:
        counted = by_round.loc[by_round["round_id"] == round_.round_id, "laureates"].sum()
        assert len(ds.selections_in(round_.round_id)) == counted
    totals = summary_frame(ds, level="region")
    assert len(ds.selections) == totals["laureates"].sum()
    for frame in (by_round, totals):
        assert state_allocations(ds) == frame["state_eur"].fillna(Decimal(0)).sum()
        unknown = frame[frame["state_known"] == 0]
        assert unknown["state_eur"].isna().all()
