"""The programme: SPIE itself."""

from __future__ import annotations

import html

from typing import ClassVar

import attrs

from spie_occitanie.model import render, rules
from spie_occitanie.model.dates import PartialDate
from spie_occitanie.model.organisation import OrganisationKind


__all__ = ["Programme"]


@attrs.frozen(kw_only=True)
class Programme:
    """A State programme and what the sources say of it as a whole.

    Attributes:
        programme_id: ``spie``.
        name: its name, in French.
        acronym: ``SPIE``.
        strategy: the strategy it belongs to.
        purpose: what it is for, as the founding release words it.
        first_year: first year of its budget period.
        last_year: last year of its budget period.
        territories_engaged: how many territories run it, by
            :attr:`territories_engaged_as_of`.
        territories_engaged_as_of: when that count was stated.
        holder_kind: who carries the projects (the conseil départemental).
        cofunder_id: the organisation that co-finances them (the State).
    """

    programme_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    name: str = attrs.field(validator=rules.text())
    acronym: str | None = attrs.field(default=None, validator=rules.optional_text())
    strategy: str | None = attrs.field(default=None, validator=rules.optional_text())
    purpose: str | None = attrs.field(default=None, validator=rules.optional_text())
    first_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    last_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    territories_engaged: int | None = attrs.field(default=None, validator=rules.optional(rules.count()))
    territories_engaged_as_of: PartialDate | None = attrs.field(
        default=None, validator=rules.optional(rules.instance_of(PartialDate))
    )
    holder_kind: OrganisationKind | None = attrs.field(
        default=None, validator=rules.optional(rules.member_of(OrganisationKind))
    )
    cofunder_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "an organisation id"))
    )

    RULES: ClassVar[tuple[rules.RecordRule, ...]] = (rules.YearsOrdered("first_year", "last_year"),)

    # The budget period runs forwards.
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        """The record's key."""
        return self.programme_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Programme <code>{html.escape(self.key)}</code>")
