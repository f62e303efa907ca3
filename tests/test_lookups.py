"""Lookups take what a person types, and say so when nothing matches: never a silent empty answer."""

from __future__ import annotations

import pytest

import spie_occitanie as spie

from spie_occitanie.errors import AmbiguousReferenceError


DS = spie.load()


@pytest.mark.parametrize("ref", ["31", 31, "fr:departement:31"])
def test_a_territory_by_code_or_id(ref):
    assert "fr:departement:31" == DS.territory_id(ref)
    assert [("ami-2", "fr:departement:31")] == [(s.round_id, s.territory_id) for s in DS.selections_of(ref)]
    assert DS.allocations_for(territory_id=ref)


def test_a_single_digit_code_is_padded_as_insee_writes_it():
    assert "fr:departement:09" == DS.territory_id(9)


@pytest.mark.parametrize("ref", [76, "76", "fr:region:76"])
def test_a_region_by_code_or_id(ref):
    assert 13 == len(DS.territories_in(ref))
    assert {"fr:departement:11", "fr:departement:12", "fr:departement:81"} == {
        s.territory_id for s in DS.selections_in("ami-1", code_region=ref)
    }


def test_envelopes_of_a_region_by_id():
    assert ["occitanie-2021-2023"] == [e.envelope_id for e in DS.envelopes_for("fr:region:76")]


def test_a_code_that_names_a_departement_and_a_region_is_not_guessed():
    with pytest.raises(AmbiguousReferenceError) as caught:
        DS.envelopes_for("76")
    assert ("fr:departement:76", "fr:region:76") == caught.value.candidates


@pytest.mark.parametrize(
    ("ask", "closest"),
    [
        (lambda: DS.citations_for("round", "ami-2", "launched"), "rounds"),
        (lambda: DS.citations_for("rounds", "ami-2", "launch"), "launched"),
        (lambda: DS.round("ami-3"), "ami-2"),
        (lambda: DS.selections_of("fr:departement:310"), "fr:departement:31"),
        (lambda: DS.territories_in(99), None),
        (lambda: DS.allocations_for(envelope_id="occitanie"), "occitanie-2021-2023"),
    ],
)
def test_an_unknown_name_raises_with_the_closest(ask, closest):
    with pytest.raises(spie.NotFoundError) as caught:
        ask()
    if closest is not None:
        assert closest in caught.value.closest
        assert repr(closest) in str(caught.value)


def test_summary_takes_a_region_code_as_a_number():
    assert DS.summary(76).equals(DS.summary("76"))
