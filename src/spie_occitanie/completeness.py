"""Completeness: how many territories the sources declare, how many are known.

The second AMI retained 34 territories nationally; the sources name 31 of
them, some only by elimination. A list that is incomplete says so here, and
no territory is ever invented to fill it.
"""

from __future__ import annotations

import html

from typing import TYPE_CHECKING

import attrs

from spie_occitanie.model import CitationKind, render


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["Completeness", "measure", "proofs_of_completeness"]


@attrs.frozen(kw_only=True)
class Completeness:
    """Declared and known counts of one list of selections.

    Attributes:
        round_id: the round; ``None`` for a tally over all rounds.
        scope_id: ``None`` for the national list, else the territory a tally is about.
        declared: the count the sources state (``None`` when none does).
        known: the selections the dataset holds.
        inferred: how many of those rest on a deduction rather than a
            source stating the wave.
    """

    round_id: str | None
    scope_id: str | None
    declared: int | None
    known: int
    inferred: int

    @property
    def missing(self) -> int | None:
        """How many territories the sources count but do not name."""
        if self.declared is None:
            return None
        return max(0, self.declared - self.known)

    @property
    def complete(self) -> bool:
        """Whether every declared territory is known."""
        return self.declared is not None and self.known >= self.declared

    def __str__(self) -> str:
        scope = "national" if self.scope_id is None else self.scope_id
        label = f"{self.round_id or 'all rounds'} ({scope})"
        declared = "?" if self.declared is None else str(self.declared)
        text = f"{label}: {self.known} of {declared} known"
        if self.inferred:
            text += f", {self.inferred} by inference"
        if self.missing:
            text += f", {self.missing} unknown"
        return text


class CompletenessReport(tuple[Completeness, ...]):
    """How complete each list is: a tuple of :class:`Completeness` that shows itself.

    It prints one line per list and shows as a table in a notebook, the lists
    with territories still unknown first in mind: ``missing`` says how many.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return "\n".join(str(line) for line in self) or "no list"

    def __repr__(self) -> str:
        incomplete = sum(1 for line in self if line.missing)
        return f"<CompletenessReport: {len(self)} lists, {incomplete} with territories unknown>"

    def _repr_html_(self) -> str:
        rows = [
            (
                html.escape(line.round_id or "all rounds"),
                html.escape(line.scope_id or "national"),
                render.cell_html(line.declared),
                str(line.known),
                str(line.inferred),
                render.cell_html(line.missing),
            )
            for line in self
        ]
        header = ("round", "scope", "declared", "known", "inferred", "missing")
        return render.table_html(rows, header=header, caption="<strong>Completeness</strong>")


def measure(dataset: Dataset) -> CompletenessReport:
    """One line per round (national), then one per tally."""

    def inferred(selections: tuple[object, ...]) -> int:
        return sum(
            any(
                c.kind is CitationKind.INFERRED
                for c in dataset.citations_about("selections", s.key, "round_id")  # type: ignore[attr-defined]
            )
            for s in selections
        )

    lines = []
    for round_ in sorted(dataset.rounds, key=lambda r: r.number):
        selections = dataset.selections_in(round_.round_id)
        lines.append(
            Completeness(
                round_id=round_.round_id,
                scope_id=None,
                declared=round_.retained,
                known=len(selections),
                inferred=inferred(selections),
            )
        )
    for tally in dataset.tallies:
        scope = dataset.get("territories", tally.scope_id)
        region = None if scope is None else scope.code_region
        selections = dataset.selections_in(tally.round_id, code_region=region) if region else ()
        lines.append(
            Completeness(
                round_id=tally.round_id,
                scope_id=tally.scope_id,
                declared=tally.count,
                known=len(selections),
                inferred=inferred(selections),
            )
        )
    return CompletenessReport(lines)


def proofs_of_completeness(
    dataset: Dataset, scope_id: str | None = None
) -> dict[str, tuple[Completeness, ...]]:
    """For each round, the lines showing its list is complete; empty when none does.

    A round's list is complete for a région when a count stated for the région
    (that round's, or all rounds') matches the known selections, or when the
    round's national list is complete. A map or a table may only say "not
    selected" for a territory where every round has such a proof; elsewhere it
    may be one of the laureates no source names.
    """
    lines = dataset.completeness()
    proofs: dict[str, tuple[Completeness, ...]] = {}
    for round_ in dataset.rounds:
        regional = [
            line
            for line in lines
            if scope_id is not None
            and line.scope_id == scope_id
            and line.round_id in (round_.round_id, None)
            and line.complete
        ]
        national = [
            line
            for line in lines
            if line.scope_id is None and line.round_id == round_.round_id and line.complete
        ]
        proofs[round_.round_id] = tuple(regional or national)
    return proofs
