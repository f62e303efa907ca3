"""Checks across records, each with a stable kebab-case id.

Value rules (a SIREN's checksum, a date that exists) ran when each record was
built; the checks here need the whole dataset. :func:`run_checks` returns a
:class:`Report` of every finding at once, never stopping at the first.

=========================== ========
id                          severity
=========================== ========
duplicate-key               error
duplicate-selection         error
reference-unresolved        error
citation-field-unknown      error
citation-value-invalid      error
citation-quote-missing      error
record-uncited              error
value-uncited               error
selection-region            error
count-mismatch              error
dates-order                 error
allocation-exceeds-envelope error
envelope-exceeds-parent     error
conflict-preference         error
source-conflict             warning
incomplete-list             warning
=========================== ========

What each finds, in English and in French, is said once, for these and for
the checks made while reading a package: :data:`spie_occitanie.wording.FINDING_KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from spie_occitanie.designations import DESIGNATIONS, KEYS
from spie_occitanie.errors import InvalidValueError
from spie_occitanie.findings import Finding, Report, Severity
from spie_occitanie.model import RECORD_TYPES, Envelope, SourceKind
from spie_occitanie.model.references import REFERENCES
from spie_occitanie.model.text import field_names, parse_as, to_text


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "CHECKS",
    "READS",
    "REFERENCES",
    "Finding",
    "Report",
    "Severity",
    "allocations_low_findings",
    "beneficiary_findings",
    "run_checks",
    "uncited_finding",
    "value_uncited_finding",
]


Check = Callable[["Dataset"], Iterator[Finding]]


def record_finding(
    check: str,
    table: str,
    key: str | None,
    field: str | None,
    message: str,
    *,
    warning: bool = False,
    value: str | None = None,
    refers_to: str | None = None,
) -> Finding:
    """A finding about a record, its message prefixed with table, key and field.

    ``value`` and ``refers_to`` say, for a broken reference, which key of
    which table it names: a reference to a row the reader rejected is then
    attached to that row's finding, as its consequence.
    """
    where = f"{table} {key!r}" if key is not None else table
    if field is not None:
        where += f" field '{field}'"
    return Finding(
        check=check,
        severity=Severity.WARNING if warning else Severity.ERROR,
        table=table,
        key=key,
        field=field,
        value=value,
        refers_to=refers_to,
        message=f"{where}: {message}",
    )


def _duplicate_keys(ds: Dataset) -> Iterator[Finding]:
    for table in RECORD_TYPES:
        seen: set[str] = set()
        for record in ds.table(table):
            if record.key in seen:
                check = "duplicate-selection" if table == "selections" else "duplicate-key"
                what = (
                    "territory is selected more than once in this round"
                    if table == "selections"
                    else "key appears more than once"
                )
                yield record_finding(check, table, record.key, None, what)
            seen.add(record.key)


def _references(ds: Dataset) -> Iterator[Finding]:
    for (table, field), target in REFERENCES.items():
        for record in ds.table(table):
            value = getattr(record, field)
            for ref in value if isinstance(value, tuple) else (value,):
                if ref is not None and ds.get(target, ref) is None:
                    yield record_finding(
                        "reference-unresolved",
                        table,
                        record.key,
                        field,
                        f"{ref!r} is not in {target}",
                        value=ref,
                        refers_to=target,
                    )
    selections = {s.key for s in ds.selections}
    for allocation in ds.allocations:
        if allocation.round_id is not None:
            key = f"{allocation.round_id}|{allocation.territory_id}"
            if key not in selections and ds.get("rounds", allocation.round_id) is not None:
                yield record_finding(
                    "reference-unresolved",
                    "allocations",
                    allocation.key,
                    "territory_id",
                    f"{allocation.territory_id!r} was not selected in round {allocation.round_id!r}",
                    value=key,
                    refers_to="selections",
                )
    for citation in ds.citations:
        cls = RECORD_TYPES.get(citation.record_table)
        if cls is None or citation.record_table in ("sources", "citations"):
            yield record_finding(
                "reference-unresolved",
                "citations",
                citation.key,
                "record_table",
                f"{citation.record_table!r} is not a table of cited records",
            )
            continue
        if citation.record_key is not None and ds.get(citation.record_table, citation.record_key) is None:
            yield record_finding(
                "reference-unresolved",
                "citations",
                citation.key,
                "record_key",
                f"{citation.record_key!r} is not in {citation.record_table}",
                value=citation.record_key,
                refers_to=citation.record_table,
            )
        if citation.field is not None and citation.field not in field_names(cls):
            yield record_finding(
                "citation-field-unknown",
                "citations",
                citation.key,
                "field",
                f"{citation.field!r} is not a field of {citation.record_table}",
            )


def _citations(ds: Dataset) -> Iterator[Finding]:
    for citation in ds.citations:
        source = ds.get("sources", citation.source_id)
        reference = source is not None and source.kind is SourceKind.REFERENCE_DATASET
        if citation.quote is None and not reference:
            yield record_finding(
                "citation-quote-missing",
                "citations",
                citation.key,
                "quote",
                f"a citation of {citation.source_id!r} needs the exact quote",
            )
        if citation.record_key is None and source is not None and not reference:
            yield record_finding(
                "citation-quote-missing",
                "citations",
                citation.key,
                "record_key",
                f"only a reference dataset may cite a whole table, not {citation.source_id!r}",
            )
        cls = RECORD_TYPES.get(citation.record_table)
        if cls is None or citation.field is None or citation.value is None:
            continue
        if citation.field not in field_names(cls):
            continue
        try:
            parse_as(cls, citation.field, citation.value)
        except InvalidValueError as error:
            yield record_finding(
                "citation-value-invalid",
                "citations",
                citation.key,
                "value",
                f"{citation.value!r} is not a value of "
                f"{citation.record_table}.{citation.field}: {error.reason}",
            )


def _uncited(ds: Dataset) -> Iterator[Finding]:
    cited = {(c.record_table, c.record_key) for c in ds.citations}
    reference_tables = {
        c.record_table
        for c in ds.citations
        if c.record_key is None
        and (s := ds.get("sources", c.source_id)) is not None
        and s.kind is SourceKind.REFERENCE_DATASET
    }
    for table in RECORD_TYPES:
        if table in ("sources", "citations"):
            continue
        for record in ds.table(table):
            if (table, record.key) in cited:
                continue
            if table in reference_tables and getattr(record, "cog", None) is not None:
                continue
            yield uncited_finding(table, record.key)


def uncited_finding(table: str, key: str) -> Finding:
    """A record no citation supports (shared with the streaming validator)."""
    return record_finding("record-uncited", table, key, None, "no citation supports this record")


def _values_uncited(ds: Dataset) -> Iterator[Finding]:
    """Each value a record states that no citation of its field supports.

    A record cited as a whole by a reference dataset (a COG row) is a
    reference row: its source vouches for every value at once. Keys name the
    record, and the columns of :data:`~spie_occitanie.designations.DESIGNATIONS`
    are the project's own; neither needs a citation of its own.
    """
    fielded = {(c.record_table, c.record_key, c.field) for c in ds.citations if c.field is not None}
    reference = {s.source_id for s in ds.sources if s.kind is SourceKind.REFERENCE_DATASET}
    whole_table = {
        c.record_table
        for c in ds.citations
        if c.record_key is None and c.field is None and c.source_id in reference
    }
    whole_record = {
        (c.record_table, c.record_key) for c in ds.citations if c.field is None and c.source_id in reference
    }
    for table, cls in RECORD_TYPES.items():
        if table in ("sources", "citations"):
            continue
        fields = [f for f in field_names(cls) if f not in KEYS[table] and (table, f) not in DESIGNATIONS]
        for record in ds.table(table):
            if (table, record.key) in whole_record or (
                table in whole_table and getattr(record, "cog", None) is not None
            ):
                continue
            for field in fields:
                value = getattr(record, field)
                if value is None or value == () or (table, record.key, field) in fielded:
                    continue
                yield value_uncited_finding(table, record.key, field, to_text(value))


def value_uncited_finding(table: str, key: str, field: str, text: str | None) -> Finding:
    """A value no citation of its field supports (shared with the streaming validator)."""
    return record_finding("value-uncited", table, key, field, f"no citation supports the value {text!r}")


def _selection_regions(ds: Dataset) -> Iterator[Finding]:
    for selection in ds.selections:
        territory = ds.get("territories", selection.territory_id)
        if selection.code_region is None or territory is None:
            continue
        if territory.code_region != selection.code_region:
            yield record_finding(
                "selection-region",
                "selections",
                selection.key,
                "code_region",
                f"the source places it in région {selection.code_region}, "
                f"but {territory.territory_id} lies in région {territory.code_region}",
            )


def _counts(ds: Dataset) -> Iterator[Finding]:
    for line in ds.completeness():
        if line.declared is None:
            continue
        table, key, field = (
            ("rounds", line.round_id, "retained")
            if line.scope_id is None
            else ("tallies", _tally_key(ds, line.round_id, line.scope_id), "count")
        )
        scope = "nationally" if line.scope_id is None else f"in {line.scope_id}"
        if line.known > line.declared:
            yield record_finding(
                "count-mismatch",
                table,
                key,
                field,
                f"the source counts {line.declared} selections {scope}, the dataset holds {line.known}",
            )
        elif line.known < line.declared:
            yield record_finding(
                "incomplete-list",
                table,
                key,
                field,
                f"{line.known} of the {line.declared} selections counted {scope} are known; "
                f"{line.declared - line.known} unknown",
                warning=True,
            )
    retained = [r.retained for r in ds.rounds if r.retained is not None]
    for programme in ds.programmes:
        total = programme.territories_engaged
        if total is not None and ds.rounds and len(retained) == len(ds.rounds) and sum(retained) != total:
            yield record_finding(
                "count-mismatch",
                "programmes",
                programme.key,
                "territories_engaged",
                f"{total} territories in all, but the rounds retained {sum(retained)}",
            )
    for envelope in ds.envelopes:
        if envelope.beneficiary_count is None:
            continue
        allocations = ds.allocations_for(envelope_id=envelope.envelope_id)
        known = len({a.beneficiary_id or a.territory_id or a.key for a in allocations})
        yield from beneficiary_findings(envelope, known)


def beneficiary_findings(envelope: Envelope, known: int) -> Iterator[Finding]:
    """An envelope's stated beneficiary count against the ``known`` beneficiaries of its allocations.

    Shared with the streaming validator, which counts them in columns.
    """
    stated = envelope.beneficiary_count
    if stated is None or known == stated:
        return
    if known > stated:
        yield record_finding(
            "count-mismatch",
            "envelopes",
            envelope.key,
            "beneficiary_count",
            f"{stated} beneficiaries stated, {known} hold allocations",
        )
    else:
        yield record_finding(
            "incomplete-list",
            "envelopes",
            envelope.key,
            "beneficiary_count",
            f"the allocations of {known} of its {stated} beneficiaries are known",
            warning=True,
        )


def _tally_key(ds: Dataset, round_id: str | None, scope_id: str) -> str | None:
    for tally in ds.tallies:
        if tally.round_id == round_id and tally.scope_id == scope_id:
            return tally.key
    return None


def _dates(ds: Dataset) -> Iterator[Finding]:
    order = ("launched", "deadline", "announced")
    for round_ in ds.rounds:
        for i, earlier in enumerate(order):
            for later in order[i + 1 :]:
                a, b = getattr(round_, earlier), getattr(round_, later)
                if a is not None and b is not None and a.certainly_after(b):
                    yield record_finding(
                        "dates-order",
                        "rounds",
                        round_.key,
                        later,
                        f"{later} {b} is certainly before {earlier} {a}",
                    )


def _total_low(amounts: list[Any]) -> Decimal:
    return sum((m.low for m in amounts), Decimal(0))


def allocations_low_findings(envelope: Envelope, low: Decimal) -> Iterator[Finding]:
    """An envelope whose allocations total at least ``low`` EUR, if that is more than it can hold.

    Shared with the streaming validator, which sums the allocations in columns.
    """
    if low > envelope.amount.high:
        yield record_finding(
            "allocation-exceeds-envelope",
            "envelopes",
            envelope.key,
            "amount",
            f"its allocations total at least {low} EUR, more than its {envelope.amount} EUR",
        )


def _money(ds: Dataset) -> Iterator[Finding]:
    for envelope in ds.envelopes:
        allocations = ds.allocations_for(envelope_id=envelope.envelope_id)
        if allocations:
            yield from allocations_low_findings(envelope, _total_low([a.amount for a in allocations]))
        children = [e for e in ds.envelopes if e.parent_id == envelope.envelope_id]
        low = _total_low([e.amount for e in children])
        if children and low > envelope.amount.high:
            yield record_finding(
                "envelope-exceeds-parent",
                "envelopes",
                envelope.key,
                "amount",
                f"the envelopes within it total at least {low} EUR, more than its {envelope.amount} EUR",
            )
        for child in children:
            yield from _years_within(child, envelope)


def _years_within(child: Any, parent: Any) -> Iterator[Finding]:
    first, last = child.first_year, child.last_year
    if first is not None and parent.first_year is not None and first < parent.first_year:
        yield record_finding(
            "envelope-exceeds-parent",
            "envelopes",
            child.key,
            "first_year",
            f"{first} is before the {parent.first_year} of {parent.key!r}",
        )
    if last is not None and parent.last_year is not None and last > parent.last_year:
        yield record_finding(
            "envelope-exceeds-parent",
            "envelopes",
            child.key,
            "last_year",
            f"{last} is after the {parent.last_year} of {parent.key!r}",
        )


def _conflicts(ds: Dataset) -> Iterator[Finding]:
    for conflict in ds.conflicts():
        said = "; ".join(f"{c.citation.source_id} says {c.text}" for c in conflict.claims)
        yield record_finding(
            "source-conflict",
            conflict.table,
            conflict.key,
            conflict.field,
            f"sources disagree: {said}; the record keeps {conflict.kept}",
            warning=True,
        )
        if not conflict.follows_rule:
            yield record_finding(
                "conflict-preference",
                conflict.table,
                conflict.key,
                conflict.field,
                f"the record keeps {conflict.kept} but the preference rule chooses {conflict.preferred}",
            )


#: Every check, by id of its first finding kind, in the order they run.
CHECKS: Mapping[str, Check] = {
    "keys": _duplicate_keys,
    "references": _references,
    "citations": _citations,
    "uncited": _uncited,
    "values": _values_uncited,
    "selection-regions": _selection_regions,
    "counts": _counts,
    "dates": _dates,
    "money": _money,
    "conflicts": _conflicts,
}


_EVERY = frozenset(RECORD_TYPES)

#: The tables each check reads (a check missing here is taken to read them all).
#: The streaming validator computes the part of some checks that reads the big
#: tables (allocations, citations) in columns; it runs every other check that
#: reads a big table on records. ``tests/test_check_reads.py`` compares this
#: list with what each check reads on the embedded dataset.
READS: Mapping[str, frozenset[str]] = {
    "keys": _EVERY,
    "references": _EVERY,
    "citations": frozenset({"citations", "sources"}),
    "uncited": _EVERY,
    "values": _EVERY,
    "selection-regions": frozenset({"selections", "territories"}),
    "counts": _EVERY,
    "dates": frozenset({"rounds"}),
    "money": frozenset({"allocations", "envelopes"}),
    "conflicts": _EVERY,
}


def run_checks(dataset: Dataset) -> Report:
    """Run every check on ``dataset`` and collect all findings."""
    return Report(tuple(f for check in CHECKS.values() for f in check(dataset)))
