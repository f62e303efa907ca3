"""Tallies: counts a source states about a scope."""

from __future__ import annotations

import html

import attrs

from spie_occitanie.model import render, rules


__all__ = ["Tally"]


@attrs.frozen(kw_only=True)
class Tally:
    """A count of selections a source states: "3 départements d'Occitanie retenus".

    The national counts of each round live on :class:`~spie_occitanie.model.Round`;
    a tally states one for a smaller scope, so that the dataset can check the
    release's 3 + 5 = 8 against its selections.

    Attributes:
        tally_id: short stable slug.
        scope_id: the territory (a région) the count is about.
        count: how many of its territories were selected.
        round_id: the round; ``None`` for all rounds together.
    """

    tally_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    scope_id: str = attrs.field(validator=rules.matches(rules.TERRITORY_ID, "a territory id"))
    count: int = attrs.field(validator=rules.count())
    round_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "a round id"))
    )

    @property
    def key(self) -> str:
        """The record's key."""
        return self.tally_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Tally <code>{html.escape(self.key)}</code>")
