"""Organisations: who carries, funds or partners a project.

A SIREN is checked with python-stdnum (length and Luhn checksum) when the
record is built. A checksum says the number is well formed, not that it
exists: :attr:`Organisation.siren_verified` says whether someone checked it
against INSEE's register.
"""

from __future__ import annotations

import enum
import html

from typing import ClassVar

import attrs

from spie_occitanie.model import render, rules


__all__ = ["Organisation", "OrganisationKind"]


class OrganisationKind(enum.Enum):
    """The roles SPIE's sources name."""

    STATE = "state"
    DEPARTEMENT_COUNCIL = "departement-council"
    PUBLIC_EMPLOYMENT_SERVICE = "public-employment-service"
    FAMILY_ALLOWANCE_FUND = "family-allowance-fund"
    LOCAL_MISSION = "local-mission"
    ASSOCIATION = "association"
    FIRM = "firm"


@attrs.frozen
class Siren(rules.FieldRule):
    """A SIREN: 9 digits whose Luhn key is right (checked by python-stdnum)."""

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if not isinstance(value, str) or len(value) != 9 or not value.isdigit():
            return "must be a SIREN of 9 digits, without spaces"
        # python-stdnum costs about 17 ms to import (it pulls in pydoc): only when a SIREN is checked.
        from stdnum.exceptions import ValidationError
        from stdnum.fr import siren

        try:
            siren.validate(value)
        except ValidationError as error:
            return f"is not a valid SIREN ({error})"
        return None


@attrs.frozen(kw_only=True)
class Organisation:
    """A body, or a kind of body, that takes part in SPIE.

    Attributes:
        organisation_id: short stable slug (``cd-31``, ``etat``).
        name: as the sources write it.
        kind: its role.
        collective: ``True`` when the name stands for a kind of body
            ("associations", "Missions Locales"), not one body.
        siren: its SIREN, when known.
        siren_verified: whether the SIREN was checked against INSEE's register.
        territory_id: the territory it belongs to, for a conseil départemental.
    """

    organisation_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    name: str = attrs.field(validator=rules.text())
    kind: OrganisationKind = attrs.field(validator=rules.member_of(OrganisationKind))
    collective: bool = attrs.field(default=False, validator=rules.instance_of(bool))
    siren: str | None = attrs.field(default=None, validator=rules.optional(Siren()))
    siren_verified: bool = attrs.field(default=False, validator=rules.instance_of(bool))
    territory_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.TERRITORY_ID, "a territory id"))
    )

    RULES: ClassVar[tuple[rules.RecordRule, ...]] = (rules.Requires("siren_verified", "siren"),)

    # A SIREN is verified only if there is one.
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        """The record's key."""
        return self.organisation_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Organisation <code>{html.escape(self.key)}</code>")
