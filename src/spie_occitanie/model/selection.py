"""Selections: a territory retained in a round."""

from __future__ import annotations

import html

import attrs

from spie_occitanie.model import render, rules


__all__ = ["Selection"]


@attrs.frozen(kw_only=True)
class Selection:
    """A territory retained in a round, with its project holder.

    Attributes:
        round_id: the round.
        territory_id: the territory retained.
        holder_id: the organisation that carries the project, when a source
            names it.
        code_region: the région a source places the territory in, when it
            says ("les 5 départements candidats de la région Occitanie");
            checked against the territory's own région.
    """

    round_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a round id"))
    territory_id: str = attrs.field(validator=rules.matches(rules.TERRITORY_ID, "a territory id"))
    holder_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "an organisation id"))
    )
    code_region: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.REGION_CODE, "a 2-digit région code"))
    )

    @property
    def key(self) -> str:
        """The record's key: round and territory, joined with ``|``."""
        return f"{self.round_id}|{self.territory_id}"

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Selection <code>{html.escape(self.key)}</code>")
