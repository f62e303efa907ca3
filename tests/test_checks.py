"""Checks across records, on generated datasets: valid by construction, then
one fact corrupted at a time."""

import attrs
import pytest

from hypothesis import assume, given

from spie_occitanie import Citation, Dataset, Money, PartialDate, Selection, Severity
from spie_occitanie import strategies as sst


def errors_of(ds: Dataset) -> set[str]:
    return {f.check for f in ds.check().errors}


@given(sst.datasets())
def test_generated_datasets_pass_every_check(ds):
    """The strategy builds consistent datasets: no check finds an error."""
    report = ds.check()
    assert report.ok, str(report)


@given(sst.datasets())
def test_dataset_equality_ignores_record_order(ds):
    """Records are kept sorted by key: the same records make the same dataset."""
    shuffled = attrs.evolve(
        ds, citations=tuple(reversed(ds.citations)), selections=tuple(reversed(ds.selections))
    )
    assert ds == shuffled


@given(sst.datasets())
def test_territory_outside_its_region(ds):
    """A selection placed in a région its territory is not in fails selection-region."""
    assume(ds.selections)
    selection = ds.selections[0]
    territory = ds.territory(selection.territory_id)
    wrong = "01" if territory.code_region != "01" else "02"
    bad = attrs.evolve(selection, code_region=wrong)
    corrupted = attrs.evolve(ds, selections=[bad, *ds.selections[1:]])
    assert "selection-region" in errors_of(corrupted)


@given(sst.datasets())
def test_duplicate_selection(ds):
    """A territory selected twice in one round fails duplicate-selection."""
    assume(ds.selections)
    corrupted = attrs.evolve(ds, selections=[*ds.selections, ds.selections[0]])
    assert "duplicate-selection" in errors_of(corrupted)


@given(sst.datasets())
def test_allocation_over_its_envelope(ds):
    """Allocations that cannot fit their envelope fail allocation-exceeds-envelope."""
    assume(ds.allocations)
    allocation = ds.allocations[0]
    envelope = ds.envelope(allocation.envelope_id)
    huge = Money.of(envelope.amount.high + 1, "1")
    corrupted = attrs.evolve(ds, allocations=[attrs.evolve(allocation, amount=huge), *ds.allocations[1:]])
    assert "allocation-exceeds-envelope" in errors_of(corrupted)


@given(sst.datasets())
def test_envelope_over_its_parent(ds):
    """A regional envelope larger than the national one fails envelope-exceeds-parent."""
    regional = ds.envelope("regional")
    national = ds.envelope("national")
    bigger = attrs.evolve(regional, amount=Money.of(national.amount.high + 1, "1"))
    corrupted = attrs.evolve(ds, envelopes=[national, bigger], allocations=[])
    assert "envelope-exceeds-parent" in errors_of(corrupted)


@given(sst.datasets())
def test_citation_of_a_missing_source(ds):
    """A citation whose source is not in the dataset fails reference-unresolved."""
    citation = attrs.evolve(ds.citations[0], source_id="no-such-source")
    corrupted = attrs.evolve(ds, citations=[citation, *ds.citations[1:]])
    findings = corrupted.check().by_check("reference-unresolved")
    assert any("'no-such-source' is not in sources" in f.message for f in findings)


@given(sst.datasets())
def test_launch_after_announcement(ds):
    """A round launched certainly after its announcement fails dates-order."""
    round_ = ds.rounds[0]
    corrupted = attrs.evolve(
        ds,
        rounds=[
            attrs.evolve(
                round_,
                launched=PartialDate.from_edtf("2030-01-01"),
                announced=PartialDate.from_edtf("2029"),
            ),
            *ds.rounds[1:],
        ],
    )
    assert "dates-order" in errors_of(corrupted)


@given(sst.datasets())
def test_uncited_record(ds):
    """A record whose citations are removed fails record-uncited."""
    round_ = ds.rounds[0]
    kept = [c for c in ds.citations if (c.record_table, c.record_key) != ("rounds", round_.key)]
    corrupted = attrs.evolve(ds, citations=kept)
    findings = corrupted.check().by_check("record-uncited")
    assert [("rounds", round_.key)] == [(f.table, f.key) for f in findings]


@given(sst.datasets())
def test_more_selections_than_counted(ds):
    """A round retaining fewer territories than the dataset holds fails count-mismatch."""
    assume(ds.selections)
    round_id = ds.selections[0].round_id
    known = len(ds.selections_in(round_id))
    corrupted = attrs.evolve(
        ds,
        rounds=[attrs.evolve(r, retained=known - 1) if r.round_id == round_id else r for r in ds.rounds],
        programmes=[attrs.evolve(ds.programme, territories_engaged=None)],
    )
    assert "count-mismatch" in errors_of(corrupted)


@given(sst.datasets())
def test_selection_of_unknown_territory(ds):
    """A selection naming a territory the dataset lacks fails reference-unresolved."""
    ghost = Selection(round_id=ds.rounds[0].round_id, territory_id="spie:nowhere")
    citation = Citation(
        citation_id="selections/ghost/*/1",
        record_table="selections",
        record_key=ghost.key,
        source_id=ds.sources[0].source_id,
        quote="x",
    )
    corrupted = attrs.evolve(
        ds,
        selections=[*ds.selections, ghost],
        citations=[*ds.citations, citation],
        rounds=[attrs.evolve(r, retained=None) for r in ds.rounds],
        programmes=[attrs.evolve(ds.programme, territories_engaged=None)],
        tallies=[],
    )
    assert {"reference-unresolved"} == errors_of(corrupted)


class TestReport:
    def test_empty_dataset_is_valid(self):
        """Nothing to check is nothing wrong."""
        report = Dataset().check()
        assert report.ok
        assert "0 error(s), 0 warning(s): every check passed" == str(report)

    def test_report_lists_errors_first(self):
        """Printing a report gives a count, then one finding per line, errors first."""
        selection = Selection(round_id="ami-1", territory_id="fr:departement:31", code_region="76")
        report = Dataset(selections=[selection]).check()
        lines = str(report).splitlines()
        assert lines[0].startswith(f"{len(report.errors)} error(s)")
        assert all(line.startswith("error") for line in lines[1 : 1 + len(report.errors)])
        assert not report.ok
        assert all(f.severity is Severity.ERROR for f in report.errors)

    def test_messages_name_record_field_and_value(self):
        """A finding's message names the table, the record, the field and the value."""
        selection = Selection(round_id="ami-1", territory_id="fr:departement:31")
        report = Dataset(selections=[selection]).check()
        messages = [f.message for f in report.by_check("reference-unresolved")]
        assert "selections 'ami-1|fr:departement:31' field 'round_id': 'ami-1' is not in rounds" in messages


@pytest.mark.parametrize("table", ["sources", "tallies"])
def test_table_lookup(table):
    """Tables are reachable by their published name."""
    assert () == Dataset().table(table)
