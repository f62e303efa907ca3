"""Research frames built from a dataset's records: the summary, the laureates, the funding.

:func:`summary_frame` is the researcher's first table: rounds, laureates and
known funding at one level (per région and round, per région, or per
département of one région), each row with the citations behind it; a level
is a table of its own, so that no column adds a région to its départements.
:func:`laureates_frame` has one tidy row per selected territory and round,
with the State's amount; :func:`funding_frame` one row per stated amount,
with its level, so that sums stay within a level.
They are built from the records with pandas and pyarrow only (imported when
first used, through the dataset's methods), so they sit below the dataset in
the layers and need no output format.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa

from spie_occitanie.completeness import proofs_of_completeness
from spie_occitanie.model import Money, OrganisationKind, Selection, TerritoryKind, region_id


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "FUNDING_SCHEMA",
    "LAUREATES_SCHEMA",
    "SUMMARY_LEVELS",
    "SUMMARY_SCHEMAS",
    "funding_frame",
    "laureates_frame",
    "summary_frame",
]

_MONEY = pa.decimal128(18, 2)
#: INSEE's code of the Occitanie région, whose départements the summary details by default.
OCCITANIE = "76"
_IDS = pa.list_(pa.string())

#: The levels of :func:`summary_frame`: each a table of its own, whose rows do not overlap.
SUMMARY_LEVELS = ("region-round", "region", "departement")


def _summary_schema(*names: str) -> pa.Schema:
    return pa.schema([_SUMMARY_FIELDS[name] for name in names])


_SUMMARY_FIELDS = {
    f.name: f
    for f in (
        pa.field("code_region", pa.string()),
        pa.field("region", pa.string()),
        pa.field("code_departement", pa.string()),
        pa.field("departement", pa.string()),
        pa.field("round_id", pa.string()),
        pa.field("round", pa.string()),
        pa.field("laureates", pa.int32()),
        pa.field("declared", pa.int32()),
        pa.field("laureate_names", _IDS, nullable=False),
        pa.field("state_eur", _MONEY),
        pa.field("state_precision_eur", _MONEY),
        pa.field("state_known", pa.int32(), nullable=False),
        pa.field("other_funders_eur", _MONEY),
        pa.field("other_funders_precision_eur", _MONEY),
        pa.field("envelope_ids", _IDS, nullable=False),
        pa.field("envelope_eur", _MONEY),
        pa.field("envelope_precision_eur", _MONEY),
        pa.field("citation_ids", _IDS, nullable=False),
    )
}
_FUNDED = (
    "state_eur",
    "state_precision_eur",
    "state_known",
    "other_funders_eur",
    "other_funders_precision_eur",
)

#: The columns of :func:`summary_frame` at each level, with their Arrow types. Only the
#: ``region`` level has envelopes: an envelope is stated for a région over every round.
SUMMARY_SCHEMAS = {
    "region-round": _summary_schema(
        "code_region", "region", "round_id", "round", "laureates", "declared", "laureate_names",
        *_FUNDED, "citation_ids",
    ),
    "region": _summary_schema(
        "code_region", "region", "laureates", "declared", "laureate_names", *_FUNDED,
        "envelope_ids", "envelope_eur", "envelope_precision_eur", "citation_ids",
    ),
    "departement": _summary_schema(
        "code_region", "region", "code_departement", "departement", "round_id", "round", "laureates",
        *_FUNDED, "citation_ids",
    ),
}  # fmt: skip


def _total(amounts: Iterable[Money]) -> tuple[Decimal | None, Decimal | None]:
    """The sum of stated amounts and its precision (the widths add); unknown when none is known."""
    known = list(amounts)
    if not known:
        return None, None
    return sum((m.amount for m in known), Decimal(0)), sum((m.precision for m in known), Decimal(0))


class _Summary:
    """The lines of :func:`summary_frame`, built from one dataset."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.rounds = sorted(ds.rounds, key=lambda r: (r.number, r.round_id))
        self.state = {o.organisation_id for o in ds.organisations if o.kind is OrganisationKind.STATE}
        self.completeness = ds.completeness()

    def region_of(self, selection: Selection) -> str | None:
        territory = self.ds.get("territories", selection.territory_id)
        return None if territory is None else territory.code_region

    def cited(self, table: str, keys: Iterable[str]) -> set[str]:
        return {c.citation_id for key in keys for c in self.ds.citations_about(table, key)}

    def line(
        self,
        *,
        level: str,
        code_region: str | None,
        selections: list[Selection],
        round_id: str | None,
        laureates: int | None,
        declared: int | None = None,
        departement: Any = None,
        envelopes: tuple[Any, ...] = (),
        extra_citations: Iterable[str] = (),
    ) -> dict[str, Any]:
        ds = self.ds
        region = ds.get("territories", region_id(code_region)) if code_region else None
        round_ = ds.get("rounds", round_id) if round_id else None
        number = {r.round_id: r.number for r in self.rounds}
        selections = sorted(selections, key=lambda s: (number.get(s.round_id, -1), s.territory_id))
        keys = {(s.round_id, s.territory_id) for s in selections}
        allocations = [a for a in ds.allocations if (a.round_id, a.territory_id) in keys]
        state = [a for a in allocations if a.funder_id in self.state]
        others = [a for a in allocations if a.funder_id not in self.state]
        state_eur, state_precision = _total(a.amount for a in state)
        other_eur, other_precision = _total(a.amount for a in others)
        envelope_eur, envelope_precision = _total(e.amount for e in envelopes)
        names = []
        for selection in selections:
            territory = ds.get("territories", selection.territory_id)
            names.append(selection.territory_id if territory is None else territory.name)
        citations = (
            self.cited("selections", (s.key for s in selections))
            | self.cited("allocations", (a.key for a in allocations))
            | self.cited("envelopes", (e.key for e in envelopes))
            | set(extra_citations)
        )
        return {
            "level": level,
            "code_region": code_region,
            "region": None if region is None else region.name,
            "code_departement": None if departement is None else departement.code,
            "departement": None if departement is None else departement.name,
            "round_id": round_id,
            "round": None if round_ is None else round_.name,
            "laureates": laureates,
            "declared": declared,
            "laureate_names": names,
            "state_eur": state_eur,
            "state_precision_eur": state_precision,
            "state_known": len({(a.round_id, a.territory_id) for a in state}),
            "other_funders_eur": other_eur,
            "other_funders_precision_eur": other_precision,
            "envelope_ids": [e.envelope_id for e in envelopes],
            "envelope_eur": envelope_eur,
            "envelope_precision_eur": envelope_precision,
            "citation_ids": sorted(citations),
        }

    def tally(self, code_region: str, round_id: str | None) -> tuple[int | None, set[str]]:
        """The count a source states for a région and round, and its citations."""
        for tally in self.ds.tallies:
            if tally.scope_id == region_id(code_region) and tally.round_id == round_id:
                return tally.count, self.cited("tallies", [tally.key])
        return None, set()

    def complete_in(self, code_region: str) -> tuple[bool, set[str]]:
        """Whether every round's list is known for a région, and the citations that say so.

        A round's list is complete for the région when its national list is,
        or when a count stated for the région (that round's, or all rounds')
        matches the known selections.
        """
        citations: set[str] = set()
        for round_id, proofs in proofs_of_completeness(self.ds, region_id(code_region)).items():
            if not proofs:
                return False, set()
            for proof in proofs:
                if proof.scope_id is not None:
                    citations |= self.tally(code_region, proof.round_id)[1]
                else:
                    citations |= {
                        c.citation_id for c in self.ds.citations_about("rounds", round_id, "retained")
                    }
        return True, citations

    def region_lines(self, code_region: str | None, selections: list[Selection]) -> list[dict[str, Any]]:
        lines = []
        for round_ in self.rounds:
            chosen = [s for s in selections if s.round_id == round_.round_id]
            declared, cited = self.tally(code_region, round_.round_id) if code_region else (None, set())
            if not chosen and declared is None:
                continue
            lines.append(
                self.line(
                    level="region-round",
                    code_region=code_region,
                    selections=chosen,
                    round_id=round_.round_id,
                    laureates=len(chosen),
                    declared=declared,
                    extra_citations=cited,
                )
            )
        declared, cited = self.tally(code_region, None) if code_region else (None, set())
        envelopes = self._envelopes(code_region)
        lines.append(
            self.line(
                level="region",
                code_region=code_region,
                selections=selections,
                round_id=None,
                laureates=len(selections),
                declared=declared,
                envelopes=envelopes,
                extra_citations=cited,
            )
        )
        return lines

    def _envelopes(self, code_region: str | None) -> tuple[Any, ...]:
        """The région's own envelopes: stated for it, and not part of another stated for it."""
        if code_region is None:
            return ()
        scope = region_id(code_region)
        mine = {e.envelope_id for e in self.ds.envelopes if e.scope_id == scope}
        return tuple(e for e in self.ds.envelopes if e.envelope_id in mine and e.parent_id not in mine)

    def departement_lines(self, code_region: str, selections: list[Selection]) -> list[dict[str, Any]]:
        number = {r.round_id: r.number for r in self.rounds}
        complete, complete_citations = self.complete_in(code_region)
        lines = []
        in_region = [
            t
            for t in self.ds.territories
            if t.kind is TerritoryKind.DEPARTEMENT and t.code_region == code_region
        ]  # none when the dataset does not hold the région: no département lines
        for departement in in_region:
            chosen = sorted(
                (s for s in selections if s.territory_id == departement.territory_id),
                key=lambda s: (number.get(s.round_id, -1), s.round_id),
            )
            for selection in chosen:
                lines.append(
                    self.line(
                        level="departement",
                        code_region=code_region,
                        selections=[selection],
                        round_id=selection.round_id,
                        laureates=1,
                        departement=departement,
                    )
                )
            if not chosen:
                lines.append(
                    self.line(
                        level="departement",
                        code_region=code_region,
                        selections=[],
                        round_id=None,
                        laureates=0 if complete else None,
                        departement=departement,
                        extra_citations=complete_citations,
                    )
                )
        return lines


def summary_frame(
    ds: Dataset, code_region: str | None = None, *, level: str = "region-round"
) -> pd.DataFrame:
    """Rounds, laureates and known funding at one level: région and round, région, or département.

    Each level is a table of its own, whose rows never overlap: every
    selection, and every allocation to a laureate, is counted in exactly one
    row. So a column sums to a total that means something (the laureates of
    every round, the State's known allocations to them), which no table
    mixing levels allows: a région's total repeats its rounds, and a
    département repeats its région.

    - ``level="region-round"`` (the default): one row per région and round with
      a known laureate or a count stated for the région;
    - ``level="region"``: one row per région, over every round, with the
      envelopes stated for it (``envelope_*``: an envelope is stated for a
      région and several years, never for one round);
    - ``level="departement"``: one row per département of ``code_region``
      (Occitanie when none is given) and round it was selected in, and one
      row with ``round_id`` null for a département selected in no round.

    Régions are ordered by code, territories with no known région last;
    ``code_region`` keeps only that région's rows.

    Columns: ``laureates`` counts the known selections (for a département
    selected in no round, 0 only when the région's lists are known to be
    complete, else null); ``declared`` is the count a source states for the
    région (and round). Funding is the sum of the known allocations to the row's
    laureates, split into the State's (``state_*``) and other funders' (such
    as a conseil départemental's own share), with ``state_known`` counting the
    laureates whose State allocation is known: an unknown amount is null,
    never zero. Amounts are exact ``Decimal`` with their precision (the widths
    of summed amounts add up). ``citation_ids`` lists every citation behind
    the row: of its selections, allocations, envelopes and stated counts.
    Amounts a source states for a level (the national and regional
    envelopes, each allocation) are in :func:`funding_frame`, one row each.

    Raises:
        ValueError: ``level`` is not one of :data:`SUMMARY_LEVELS`.
    """
    if level not in SUMMARY_SCHEMAS:
        message = f"level {level!r} is not one of {', '.join(SUMMARY_LEVELS)}"
        raise ValueError(message)
    summary = _Summary(ds)
    regions: dict[str | None, list[Selection]] = {}
    for selection in ds.selections:
        regions.setdefault(summary.region_of(selection), []).append(selection)
    for tally in ds.tallies:
        scope = ds.get("territories", tally.scope_id)
        if scope is not None and scope.kind is TerritoryKind.REGION:
            regions.setdefault(scope.code_region, [])
    lines: list[dict[str, Any]] = []
    if level == "departement":
        detailed = code_region or OCCITANIE
        lines = summary.departement_lines(detailed, regions.get(detailed, []))
    else:
        if code_region is not None:
            regions = {code_region: regions.get(code_region, [])}
        for code in sorted(regions, key=lambda c: (c is None, c or "")):
            lines.extend(line for line in summary.region_lines(code, regions[code]) if line["level"] == level)
    schema = SUMMARY_SCHEMAS[level]
    rows = [{name: line[name] for name in schema.names} for line in lines]
    table = pa.Table.from_pylist(rows, schema=schema)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


# -- tidy tables for research -------------------------------------------------------------------

#: The columns of :func:`laureates_frame`, with their Arrow types.
LAUREATES_SCHEMA = pa.schema(
    [
        pa.field("round_id", pa.string(), nullable=False),
        pa.field("round", pa.string()),
        pa.field("territory_id", pa.string(), nullable=False),
        pa.field("code", pa.string()),
        pa.field("name", pa.string()),
        pa.field("code_region", pa.string()),
        pa.field("region", pa.string()),
        pa.field("holder_id", pa.string()),
        pa.field("holder", pa.string()),
        pa.field("state_eur", _MONEY),
        pa.field("state_precision_eur", _MONEY),
        pa.field("allocation_ids", _IDS, nullable=False),
        pa.field("source_ids", _IDS, nullable=False),
    ]
)


def laureates_frame(ds: Dataset) -> pd.DataFrame:
    """One row per selected territory and round: the laureates, with what the State gave each.

    ``code_region`` is the région the territory lies in (from the
    territories table), for every row where it is known. ``state_eur`` sums
    the allocations of State organisations to that territory for that round,
    with their precisions (``state_precision_eur``); both are empty when no
    source gives an amount, never zero. ``source_ids`` lists the sources cited
    for the selection, ``allocation_ids`` the allocations summed.
    """
    state = {o.organisation_id for o in ds.organisations if o.kind is OrganisationKind.STATE}
    rounds = {r.round_id: r for r in ds.rounds}
    lines = []
    order = sorted(ds.selections, key=lambda s: (getattr(rounds.get(s.round_id), "number", -1), s.key))
    for selection in order:
        territory = ds.get("territories", selection.territory_id)
        region = None if territory is None or territory.code_region is None else territory.code_region
        region_record = None if region is None else ds.get("territories", region_id(region))
        holder = None if selection.holder_id is None else ds.get("organisations", selection.holder_id)
        funded = [
            a
            for a in ds.allocations
            if a.funder_id in state
            and a.round_id == selection.round_id
            and a.territory_id == selection.territory_id
        ]
        amount, precision = _total(a.amount for a in funded)
        round_ = rounds.get(selection.round_id)
        lines.append(
            {
                "round_id": selection.round_id,
                "round": None if round_ is None else round_.name,
                "territory_id": selection.territory_id,
                "code": None if territory is None else territory.code,
                "name": None if territory is None else territory.name,
                "code_region": region,
                "region": None if region_record is None else region_record.name,
                "holder_id": selection.holder_id,
                "holder": None if holder is None else holder.name,
                "state_eur": amount,
                "state_precision_eur": precision,
                "allocation_ids": [a.allocation_id for a in funded],
                "source_ids": sorted({c.source_id for c in ds.citations_about("selections", selection.key)}),
            }
        )
    return pa.Table.from_pylist(lines, schema=LAUREATES_SCHEMA).to_pandas(types_mapper=pd.ArrowDtype)


#: The columns of :func:`funding_frame`, with their Arrow types.
FUNDING_SCHEMA = pa.schema(
    [
        pa.field("level", pa.string(), nullable=False),
        pa.field("record", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("funder_id", pa.string(), nullable=False),
        pa.field("scope_id", pa.string()),
        pa.field("beneficiary_id", pa.string()),
        pa.field("round_id", pa.string()),
        pa.field("part_of", pa.string()),
        pa.field("amount_eur", _MONEY, nullable=False),
        pa.field("amount_precision_eur", _MONEY, nullable=False),
        pa.field("first_year", pa.int32()),
        pa.field("last_year", pa.int32()),
        pa.field("source_ids", _IDS, nullable=False),
    ]
)

_LEVELS = {
    None: "national",
    TerritoryKind.REGION: "region",
    TerritoryKind.DEPARTEMENT: "departement",
}


def funding_frame(ds: Dataset) -> pd.DataFrame:
    """One row per amount a source states: envelopes and allocations, each with its level.

    ``level`` is ``national``, ``region``, ``departement`` or ``territory``
    (another territory) for the scope the amount is stated for (an
    allocation's is its territory's); ``record`` says whether it is an
    ``envelope`` (a budget) or an ``allocation`` (money to one beneficiary),
    and ``part_of`` the envelope it is drawn from. Amounts of different levels
    contain one another: sum within one level and one kind of record only.
    """
    lines = []
    for envelope in ds.envelopes:
        scope = None if envelope.scope_id is None else ds.get("territories", envelope.scope_id)
        lines.append(
            {
                "level": _LEVELS.get(None if scope is None else scope.kind, "territory"),
                "record": "envelope",
                "id": envelope.envelope_id,
                "funder_id": envelope.funder_id,
                "scope_id": envelope.scope_id,
                "beneficiary_id": None,
                "round_id": None,
                "part_of": envelope.parent_id,
                "amount_eur": envelope.amount.amount,
                "amount_precision_eur": envelope.amount.precision,
                "first_year": envelope.first_year,
                "last_year": envelope.last_year,
                "source_ids": sorted({c.source_id for c in ds.citations_about("envelopes", envelope.key)}),
            }
        )
    for allocation in ds.allocations:
        territory = (
            None if allocation.territory_id is None else ds.get("territories", allocation.territory_id)
        )
        lines.append(
            {
                "level": _LEVELS.get(None if territory is None else territory.kind, "territory"),
                "record": "allocation",
                "id": allocation.allocation_id,
                "funder_id": allocation.funder_id,
                "scope_id": allocation.territory_id,
                "beneficiary_id": allocation.beneficiary_id,
                "round_id": allocation.round_id,
                "part_of": allocation.envelope_id,
                "amount_eur": allocation.amount.amount,
                "amount_precision_eur": allocation.amount.precision,
                "first_year": allocation.first_year,
                "last_year": allocation.last_year,
                "source_ids": sorted(
                    {c.source_id for c in ds.citations_about("allocations", allocation.key)}
                ),
            }
        )
    return pa.Table.from_pylist(lines, schema=FUNDING_SCHEMA).to_pandas(types_mapper=pd.ArrowDtype)
