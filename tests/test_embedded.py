"""The embedded dataset: what the sources say, checked fact by fact."""

from __future__ import annotations

import re

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie import Money, PartialDate
from spie_occitanie.designations import DESIGNATIONS
from spie_occitanie.facts import FACTS_DIR
from spie_occitanie.model.text import agree
from spie_occitanie.tables import TABLES


DS = spie.load()
RELEASE = "prefet-occitanie-2022-02-03"
RELEASE_TEXT = FACTS_DIR / "texts" / f"{RELEASE}.txt"
SHARED_RELEASE = Path(__file__).parents[2] / "shared" / "sources" / "000_8f8cfb9c3aa670af.txt"


def normalise(text: str) -> str:
    """DESIGN section 2's verbatim rule: drop Markdown emphasis, fold white space."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def errors_of(ds: spie.Dataset) -> set[str]:
    return {f.check for f in ds.check().errors}


class TestChecks:
    def test_no_error(self):
        """The embedded dataset passes every error-level check."""
        report = DS.check()
        assert report.ok, str(report)

    def test_expected_warnings(self):
        """The warnings are the known conflicts and the two incomplete lists."""
        report = DS.check()
        incomplete = {(f.table, f.key) for f in report.by_check("incomplete-list")}
        assert {("rounds", "ami-2"), ("envelopes", "occitanie-2021-2023")} == incomplete
        assert {"source-conflict", "incomplete-list"} == {f.check for f in report.warnings}

    def test_every_value_is_cited(self):
        """value-uncited finds nothing: each value has a citation of its field, or is exempt."""
        assert DS.check().by_check("value-uncited") == ()

    def test_every_record_is_cited(self):
        """No record without a citation (COG rows by their table-level one)."""
        assert not DS.check().by_check("record-uncited")
        cited = {(c.record_table, c.record_key) for c in DS.citations}
        for table in (
            "programmes",
            "rounds",
            "selections",
            "envelopes",
            "allocations",
            "tallies",
            "organisations",
        ):
            for record in DS.table(table):
                assert (table, record.key) in cited, f"{table} {record.key}"

    def test_loading_is_cached(self):
        """load() reads the files once."""
        assert spie.load() is spie.load()


class TestVerbatim:
    def test_shipped_release_has_no_personal_data(self):
        """The press contacts (names, phone numbers, e-mail) are not shipped."""
        text = RELEASE_TEXT.read_text(encoding="utf-8")
        for personal in ("CONTACTS", "Tél", "LATREILLE", "AMILHAU", "SCHERER", "@", "05 34"):
            assert personal not in text

    @pytest.mark.skipif(
        not SHARED_RELEASE.exists(), reason="the original release lies outside the repository"
    )
    def test_shipped_release_is_the_original_up_to_the_contacts(self):
        """The shipped text is the founding release, cut before the contacts."""
        original = SHARED_RELEASE.read_text(encoding="utf-8")
        shipped = RELEASE_TEXT.read_text(encoding="utf-8").strip()
        assert original.strip().startswith(shipped)

    def test_release_quotes_are_verbatim(self):
        """Every quote of the press release is a substring of it, by DESIGN's rule."""
        text = normalise(RELEASE_TEXT.read_text(encoding="utf-8"))
        quotes = [c for c in DS.citations if c.source_id == RELEASE]
        assert len(quotes) >= 30
        for citation in quotes:
            assert citation.quote is not None
            assert normalise(citation.quote) in text, citation.citation_id

    # The other sources' quotes are checked against their own passages in tests/test_quotes.py.


class TestOccitanie:
    def test_eight_laureates(self):
        """Aude, Aveyron and Tarn in AMI 1; Gard, Haute-Garonne, Lot, Hautes-Pyrénées and
        Pyrénées-Orientales in AMI 2."""
        by_round = {
            r: sorted(DS.territory(s.territory_id).code or "" for s in DS.selections_in(r, code_region="76"))
            for r in ("experimentation-2020", "ami-1", "ami-2")
        }
        assert {
            "experimentation-2020": [],
            "ami-1": ["11", "12", "81"],
            "ami-2": ["30", "31", "46", "65", "66"],
        } == by_round

    def test_not_laureates(self):
        """Tarn-et-Garonne and the candidate Hauts-de-Seine are not selected."""
        assert () == DS.selections_of("fr:departement:82")
        assert () == DS.selections_of("fr:departement:92")

    @pytest.mark.parametrize(
        ("code", "label"),
        [
            ("31", "de la Haute-Garonne"),
            ("65", "des Hautes-Pyrénées"),
            ("11", "de l'Aude"),
            ("30", "du Gard"),
        ],
    )
    def test_labels(self, code, label):
        """INSEE's TNCC gives the charnière of each département."""
        assert label == DS.territory(code).of_label

    def test_thirteen_departements(self):
        """Occitanie (76) has 13 départements in the COG."""
        assert 13 == len(DS.territories_in("76"))
        assert "FR-OCC" == DS.region("76").iso_3166_2

    def test_councils_hold_the_projects(self):
        """Each Occitanie laureate is carried by its conseil départemental, SIREN unverified."""
        for selection in DS.selections_in(code_region="76"):
            assert selection.holder_id is not None
            council = DS.organisation(selection.holder_id)
            assert council.territory_id == selection.territory_id
            assert council.siren is not None
            assert not council.siren_verified

    def test_funding(self):
        """1,7 M EUR to the nearest 100 000; Haute-Garonne's 370 000 + 93 000 EUR to the euro."""
        envelope = DS.envelope("occitanie-2021-2023")
        assert Money.from_text("1700000 ±50000") == envelope.amount
        assert 8 == envelope.beneficiary_count
        by_funder = {a.funder_id: a for a in DS.allocations_for(territory_id="fr:departement:31")}
        assert Decimal(370000) == by_funder["etat"].amount.amount
        assert Decimal(93000) == by_funder["cd-31"].amount.amount
        assert PartialDate.from_edtf("2022-11-25") == by_funder["etat"].convention

    def test_unknown_amounts_stay_unknown(self):
        """Seven of the eight Occitanie amounts are not in any source: no allocation."""
        funded = {a.territory_id for a in DS.allocations_for(envelope_id="occitanie-2021-2023")}
        assert {"fr:departement:31"} == funded


class TestNational:
    def test_completeness(self):
        """14/14 and 31/31 known; AMI 2 31 of 34, three of them by inference."""
        lines = {(c.round_id, c.scope_id): c for c in DS.completeness()}
        assert (14, 14) == (
            lines["experimentation-2020", None].declared,
            lines["experimentation-2020", None].known,
        )
        assert (31, 31) == (lines["ami-1", None].declared, lines["ami-1", None].known)
        ami2 = lines["ami-2", None]
        assert (34, 31, 3, 3) == (ami2.declared, ami2.known, ami2.inferred, ami2.missing)

    @pytest.mark.parametrize(
        ("table", "key", "field", "values"),
        [
            ("rounds", "ami-2", "launched", {"2021-06", "2021-07-15"}),
            ("rounds", "experimentation-2020", "launched", {"2020-03", "2019"}),
            ("rounds", "ami-2", "retained", {"34", "35", "31"}),
            ("rounds", "ami-2", "announced", {"2022-02", "2021"}),
            (
                "envelopes",
                "national-2021-2023",
                "amount",
                {"80000000.00 ±500000.00", "65000000.00 ±500000.00"},
            ),
            ("programmes", "spie", "territories_engaged", {"79", "80"}),
            (
                "selections",
                "experimentation-2020|fr:departement:80",
                "round_id",
                {"experimentation-2020", "ami-1"},
            ),
        ],
    )
    def test_conflicts_are_kept(self, table, key, field, values):
        """The disagreements of the evidence sheet stay, each with its sources."""
        conflicts = {(c.table, c.key, c.field): c for c in DS.conflicts()}
        conflict = conflicts[table, key, field]
        assert values <= {claim.text for claim in conflict.claims}
        assert conflict.follows_rule

    def test_principle_announcement_is_not_a_launch(self):
        """BDT-AMI1's 17 December 2020 is the announcement of the AMI's principle: no launch conflict."""
        assert all(c.value == "2020-12-16" for c in DS.citations_for("rounds", "ami-1", "launched"))
        assert not [c for c in DS.conflicts() if (c.key, c.field) == ("ami-1", "launched")]

    def test_kept_values(self):
        """The preference rule keeps 15 July, 16 December, 80 M EUR, 79, and the Somme in 2020."""
        assert "2021-07-15" == str(DS.round("ami-2").launched)
        assert "2020-12-16" == str(DS.round("ami-1").launched)
        assert Decimal(80_000_000) == DS.envelope("national-2021-2023").amount.amount
        assert 79 == DS.programme.territories_engaged
        assert ("experimentation-2020",) == tuple(s.round_id for s in DS.selections_of("fr:departement:80"))

    def test_non_departement_territories(self):
        """The CeA covers 67 and 68; Bastia and Ile Rousse share 2B; Lyon lies in 69."""
        assert ("fr:departement:67", "fr:departement:68") == DS.territory(
            "spie:collectivite-europeenne-d-alsace"
        ).covers
        assert (
            DS.territory("spie:bastia").covers
            == DS.territory("spie:ile-rousse").covers
            == ("fr:departement:2B",)
        )
        assert ("fr:departement:69",) == DS.territory("spie:metropole-de-lyon").covers
        assert DS.territory("spie:metropole-de-lyon").code is None

    def test_cog(self):
        """101 départements and 18 régions; the overseas ones are marked restated."""
        kinds = [t for t in DS.territories if t.cog is not None]
        assert 101 == sum(t.kind.value == "departement" for t in kinds)
        assert 18 == sum(t.kind.value == "region" for t in kinds)
        restated = sorted(t.territory_id for t in kinds if t.cog.value == "restated")  # type: ignore[union-attr]
        assert 10 == len(restated)
        assert all(t.startswith(("fr:departement:97", "fr:region:0")) for t in restated)

    def test_meuse(self):
        """The Meuse's 180 000 EUR over two years, its years unknown."""
        (meuse,) = DS.allocations_for(territory_id="fr:departement:55")
        assert Money.from_text("180000 ±0.5") == meuse.amount
        assert (None, None) == (meuse.first_year, meuse.last_year)


def test_iso_codes_exist():
    """Every ISO 3166-2 code in the data is a real subdivision (checked with pycountry)."""
    pycountry = pytest.importorskip("pycountry")
    for territory in DS.territories:
        if territory.iso_3166_2 is not None:
            assert pycountry.subdivisions.get(code=territory.iso_3166_2) is not None, territory.territory_id


# -- corrupting each fact in turn --------------------------------------------

OWN_RECORDS = [
    (table, record.key)
    for table in (
        "programmes",
        "rounds",
        "selections",
        "envelopes",
        "allocations",
        "tallies",
        "organisations",
    )
    for record in DS.table(table)
]


@pytest.mark.parametrize(("table", "key"), OWN_RECORDS, ids=[f"{t}:{k}" for t, k in OWN_RECORDS])
def test_uncited_record_is_caught(table, key):
    """Removing a record's citations makes record-uncited name it."""
    kept = [c for c in DS.citations if (c.record_table, c.record_key) != (table, key)]
    findings = attrs.evolve(DS, citations=kept).check().by_check("record-uncited")
    assert [(table, key)] == [(f.table, f.key) for f in findings]


OCCITANIE = [s for s in DS.selections if s.code_region == "76"]


@pytest.mark.parametrize("selection", OCCITANIE, ids=[s.key for s in OCCITANIE])
def test_territory_outside_region_is_caught(selection):
    """Moving a laureate's stated région makes selection-region fail."""
    bad = attrs.evolve(selection, code_region="75")
    corrupted = attrs.evolve(DS, selections=[bad if s is selection else s for s in DS.selections])
    assert "selection-region" in errors_of(corrupted)


@pytest.mark.parametrize("selection", OCCITANIE, ids=[s.key for s in OCCITANIE])
def test_missing_laureate_breaks_the_count(selection):
    """Dropping an Occitanie laureate is caught: the release counts 3 + 5 = 8."""
    corrupted = attrs.evolve(DS, selections=[s for s in DS.selections if s is not selection])
    warnings = {(f.table, f.key) for f in corrupted.check().by_check("incomplete-list")}
    assert ("tallies", "occitanie-ami") in warnings


@pytest.mark.parametrize("tally", DS.tallies, ids=[t.key for t in DS.tallies])
def test_tally_below_selections_is_caught(tally):
    """A stated count smaller than the selections fails count-mismatch."""
    corrupted = attrs.evolve(
        DS, tallies=[attrs.evolve(t, count=t.count - 1) if t is tally else t for t in DS.tallies]
    )
    assert "count-mismatch" in errors_of(corrupted)


ROUNDS_WITH_DATES = [r for r in DS.rounds if r.launched and (r.announced or r.deadline)]


@pytest.mark.parametrize("round_", ROUNDS_WITH_DATES, ids=[r.key for r in ROUNDS_WITH_DATES])
def test_launch_after_announcement_is_caught(round_):
    """A launch after the announcement (or deadline) fails dates-order."""
    bad = attrs.evolve(round_, launched=PartialDate.from_edtf("2030"))
    corrupted = attrs.evolve(DS, rounds=[bad if r is round_ else r for r in DS.rounds])
    assert "dates-order" in errors_of(corrupted)


ALLOCATIONS = [a for a in DS.allocations if a.envelope_id]


@pytest.mark.parametrize("allocation", ALLOCATIONS, ids=[a.key for a in ALLOCATIONS])
def test_allocation_over_envelope_is_caught(allocation):
    """An allocation larger than its envelope fails allocation-exceeds-envelope."""
    envelope = DS.envelope(allocation.envelope_id)
    bad = attrs.evolve(allocation, amount=Money.of(envelope.amount.high + 1, "1"))
    corrupted = attrs.evolve(DS, allocations=[bad if a is allocation else a for a in DS.allocations])
    assert "allocation-exceeds-envelope" in errors_of(corrupted)


CHILDREN = [e for e in DS.envelopes if e.parent_id]


@pytest.mark.parametrize("envelope", CHILDREN, ids=[e.key for e in CHILDREN])
def test_envelope_over_parent_is_caught(envelope):
    """An envelope larger than the one it is part of fails envelope-exceeds-parent."""
    parent = DS.envelope(envelope.parent_id)
    bad = attrs.evolve(envelope, amount=Money.of(parent.amount.high + 1, "1"))
    corrupted = attrs.evolve(DS, envelopes=[bad if e is envelope else e for e in DS.envelopes])
    assert "envelope-exceeds-parent" in errors_of(corrupted)


CONFLICTS = DS.conflicts()


@pytest.mark.parametrize("conflict", CONFLICTS, ids=[f"{c.table}:{c.key}:{c.field}" for c in CONFLICTS])
def test_keeping_a_losing_value_is_caught(conflict):
    """A record that keeps a value the preference rule ranks below the winner fails conflict-preference."""
    winner = conflict.claims[0]
    loser = next(c for c in reversed(conflict.claims) if not agree(c.value, winner.value))
    record = DS.get(conflict.table, conflict.key)
    assert record is not None
    bad = attrs.evolve(
        record,
        **{
            conflict.field: loser.value
            if not isinstance(loser.value, str)
            else _typed(record, conflict.field, loser.text)
        },
    )
    table = DS.table(conflict.table)
    corrupted = attrs.evolve(DS, **{conflict.table: [bad if r is record else r for r in table]})
    if bad.key == record.key:
        assert "conflict-preference" in errors_of(corrupted)
    else:  # a key field (the Somme's round): its citations now point at no record
        assert "reference-unresolved" in errors_of(corrupted)


FIELDED = [
    c
    for c in DS.citations
    if c.field is not None
    and c.record_key is not None
    and (c.record_table, c.field) not in DESIGNATIONS
    and c.field not in TABLES[c.record_table].primary_key
]
ONLY_CITATIONS = [c for c in FIELDED if len(DS.citations_for(c.record_table, c.record_key, c.field)) == 1]


@pytest.mark.parametrize("citation", ONLY_CITATIONS[::7], ids=[c.key for c in ONLY_CITATIONS[::7]])
def test_value_losing_its_citation_is_caught(citation):
    """Removing the only citation of a field makes value-uncited name that record and field."""
    corrupted = attrs.evolve(DS, citations=[c for c in DS.citations if c is not citation])
    findings = corrupted.check().by_check("value-uncited")
    assert [(citation.record_table, citation.record_key, citation.field)] == [
        (f.table, f.key, f.field) for f in findings
    ]
    assert "value-uncited" in errors_of(corrupted)


def test_tncc_no_source_gives_is_unknown():
    """The TNCC of the territories that are not départements stays empty (but the Guyane's)."""
    tnccs = {t.territory_id: t.tncc for t in DS.territories if t.territory_id.startswith("spie:")}
    assert {k for k, v in tnccs.items() if v is not None} == {"spie:collectivite-territoriale-de-guyane"}


def _typed(record: object, field: str, text: str) -> object:
    current = getattr(record, field)
    return type(current)(text) if current is not None else text


@pytest.mark.parametrize("citation", DS.citations[:40], ids=[c.key for c in DS.citations[:40]])
def test_citation_of_missing_source_is_caught(citation):
    """A citation of a source the dataset lacks fails reference-unresolved."""
    bad = attrs.evolve(citation, source_id="no-such-source")
    corrupted = attrs.evolve(DS, citations=[bad if c is citation else c for c in DS.citations])
    assert "reference-unresolved" in errors_of(corrupted)
