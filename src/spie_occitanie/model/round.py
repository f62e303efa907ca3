"""Rounds: the waves in which territories joined SPIE."""

from __future__ import annotations

import enum

from typing import ClassVar

import attrs

from spie_occitanie.model import render, rules
from spie_occitanie.model.dates import PartialDate
from spie_occitanie.model.money import Money


__all__ = ["Round", "RoundKind"]


class RoundKind(enum.Enum):
    """How territories were chosen in a round."""

    EXPERIMENTATION = "experimentation"
    AMI = "ami"  # appel à manifestation d'intérêt


def _date() -> rules.FieldRule:
    return rules.optional(rules.instance_of(PartialDate))


@attrs.frozen(kw_only=True)
class Round:
    """A wave: the 2020 experimentation, the first and the second AMI.

    The three dates are partial (a month, a season) and are compared as
    intervals by :meth:`Dataset.check <spie_occitanie.Dataset.check>`.

    Attributes:
        round_id: ``experimentation-2020``, ``ami-1``, ``ami-2``.
        programme_id: the programme it belongs to.
        kind: experimentation or call for expressions of interest.
        number: its order (0 for the experimentation).
        name: its French name.
        launched: when the call was launched.
        deadline: the last day to apply.
        announced: when the laureates were made public.
        targeted: how many territories it meant to select, nationally.
        retained: how many it retained, nationally: the declared count that
            :meth:`Dataset.completeness` compares with the known selections.
        cap: the most a laureate could receive.
        first_year: the first year its projects run.
        last_year: the last year its projects run.
    """

    round_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    programme_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a programme id"))
    kind: RoundKind = attrs.field(validator=rules.member_of(RoundKind))
    number: int = attrs.field(validator=rules.count())
    name: str = attrs.field(validator=rules.text())
    launched: PartialDate | None = attrs.field(default=None, validator=_date())
    deadline: PartialDate | None = attrs.field(default=None, validator=_date())
    announced: PartialDate | None = attrs.field(default=None, validator=_date())
    targeted: int | None = attrs.field(default=None, validator=rules.optional(rules.count()))
    retained: int | None = attrs.field(default=None, validator=rules.optional(rules.count()))
    cap: Money | None = attrs.field(default=None, validator=rules.optional(rules.instance_of(Money)))
    first_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    last_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))

    RULES: ClassVar[tuple[rules.RecordRule, ...]] = (rules.YearsOrdered("first_year", "last_year"),)

    # The years its projects run go forwards.
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        """The record's key."""
        return self.round_id

    # Renderings live in spie_occitanie.model.render, the model's own layer.
    def __repr__(self) -> str:
        return render.round_repr(self)

    def __str__(self) -> str:
        return render.round_text(self)

    def _repr_html_(self) -> str:
        return render.round_html(self)
