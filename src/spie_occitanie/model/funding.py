"""Funding: envelopes stated for a scope, and allocations to one beneficiary."""

from __future__ import annotations

import html

from typing import ClassVar

import attrs

from spie_occitanie.model import render, rules
from spie_occitanie.model.dates import PartialDate
from spie_occitanie.model.money import Money


__all__ = ["Allocation", "Envelope"]


def _id(what: str) -> rules.FieldRule:
    return rules.matches(rules.SLUG, what)


@attrs.frozen(kw_only=True)
class Envelope:
    """A budget a source states for a scope and a period.

    Attributes:
        envelope_id: short stable slug (``national-2021-2023``).
        funder_id: who gives the money.
        amount: how much, with the precision it was stated to.
        first_year: the first year it covers.
        last_year: the last year it covers.
        scope_id: the territory it is for; ``None`` for the whole country.
        parent_id: the envelope it is part of, which it must fit in.
        covers: what it pays for, as the source says.
        beneficiary_count: how many beneficiaries share it, as stated.
    """

    envelope_id: str = attrs.field(validator=_id("a lowercase slug"))
    funder_id: str = attrs.field(validator=_id("an organisation id"))
    amount: Money = attrs.field(validator=rules.instance_of(Money))
    first_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    last_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    scope_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.TERRITORY_ID, "a territory id"))
    )
    parent_id: str | None = attrs.field(default=None, validator=rules.optional(_id("an envelope id")))
    covers: str | None = attrs.field(default=None, validator=rules.optional_text())
    beneficiary_count: int | None = attrs.field(default=None, validator=rules.optional(rules.count()))

    RULES: ClassVar[tuple[rules.RecordRule, ...]] = (
        rules.YearsOrdered("first_year", "last_year"),
        rules.Differs("parent_id", "envelope_id", "must not be the envelope itself"),
    )

    # Its period runs forwards and it is not part of itself.
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        """The record's key."""
        return self.envelope_id

    # Renderings live in spie_occitanie.model.render, the model's own layer.
    def __repr__(self) -> str:
        return render.envelope_repr(self)

    def __str__(self) -> str:
        return render.envelope_text(self)

    def _repr_html_(self) -> str:
        return render.envelope_html(self)


@attrs.frozen(kw_only=True)
class Allocation:
    """Money from one funder to one beneficiary's project.

    Attributes:
        allocation_id: short stable slug (``cd-31-etat``).
        funder_id: who gives it.
        amount: how much, with the precision it was stated to.
        beneficiary_id: who receives it, when a source names it.
        envelope_id: the envelope it is drawn from, if any.
        round_id: the round of the selection it funds.
        territory_id: the territory of the selection it funds.
        convention: when the funding convention was signed.
        first_year: the first year it funds.
        last_year: the last year it funds.
    """

    allocation_id: str = attrs.field(validator=_id("a lowercase slug"))
    funder_id: str = attrs.field(validator=_id("an organisation id"))
    amount: Money = attrs.field(validator=rules.instance_of(Money))
    beneficiary_id: str | None = attrs.field(
        default=None, validator=rules.optional(_id("an organisation id"))
    )
    envelope_id: str | None = attrs.field(default=None, validator=rules.optional(_id("an envelope id")))
    round_id: str | None = attrs.field(default=None, validator=rules.optional(_id("a round id")))
    territory_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.TERRITORY_ID, "a territory id"))
    )
    convention: PartialDate | None = attrs.field(
        default=None, validator=rules.optional(rules.instance_of(PartialDate))
    )
    first_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    last_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))

    RULES: ClassVar[tuple[rules.RecordRule, ...]] = (
        rules.YearsOrdered("first_year", "last_year"),
        rules.Together("round_id", "territory_id", "they name a selection"),
    )

    # Its period runs forwards; a selection needs both its round and territory.
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        """The record's key."""
        return self.allocation_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Allocation <code>{html.escape(self.key)}</code>")
