"""Research frames built from a dataset's records: the summary of rounds, laureates and funding.

:func:`summary_frame` is the researcher's first table: rounds, laureates and
known funding per région, and per département of one région, each line with
the citations behind it. It is built from the records with pandas and
pyarrow only (imported when first used, through ``Dataset.summary()``), so
it sits below the dataset in the layers and needs no output format.
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


__all__ = ["SUMMARY_SCHEMA", "summary_frame"]

_MONEY = pa.decimal128(18, 2)
_IDS = pa.list_(pa.string())

#: The columns of :func:`summary_frame`, with their Arrow types.
SUMMARY_SCHEMA = pa.schema(
    [
        pa.field("level", pa.string(), nullable=False),
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
    ]
)


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
        return {c.citation_id for key in keys for c in self.ds.citations_for(table, key)}

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
                        c.citation_id for c in self.ds.citations_for("rounds", round_id, "retained")
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
                    level="region",
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


def summary_frame(ds: Dataset, code_region: str = "76") -> pd.DataFrame:
    """Rounds, laureates and known funding, per région and per département of one région.

    Lines, in this order for each région (by code; territories with no known
    région last):

    - ``level="region"``, one line per round with a known laureate or a count
      stated for the région, then one with ``round_id`` null: the région's
      total over every round, with the envelope stated for it;
    - for ``code_region`` (Occitanie by default), ``level="departement"``,
      one line per département and round it was selected in, and one line with
      ``round_id`` null for a département selected in no round.

    Columns: ``laureates`` counts the known selections (for a département
    selected in no round, 0 only when the région's lists are known to be
    complete, else null); ``declared`` is the count a source states for the
    région and round. Funding is the sum of the known allocations to the line's
    laureates, split into the State's (``state_*``) and other funders' (such
    as a conseil départemental's own share), with ``state_known`` counting the
    laureates whose State allocation is known: an unknown amount is null,
    never zero. Amounts are exact ``Decimal`` with their precision (the widths
    of summed amounts add up). ``citation_ids`` lists every citation behind
    the line: of its selections, allocations, envelopes and stated counts.
    """
    summary = _Summary(ds)
    regions: dict[str | None, list[Selection]] = {}
    for selection in ds.selections:
        regions.setdefault(summary.region_of(selection), []).append(selection)
    for tally in ds.tallies:
        scope = ds.get("territories", tally.scope_id)
        if scope is not None and scope.kind is TerritoryKind.REGION:
            regions.setdefault(scope.code_region, [])
    regions.setdefault(code_region, [])
    lines: list[dict[str, Any]] = []
    for code in sorted(regions, key=lambda c: (c is None, c or "")):
        lines.extend(summary.region_lines(code, regions[code]))
        if code == code_region:
            lines.extend(summary.departement_lines(code, regions[code]))
    table = pa.Table.from_pylist(lines, schema=SUMMARY_SCHEMA)
    return table.to_pandas(types_mapper=pd.ArrowDtype)
