"""Organisations: who carries, funds or partners a project.

A SIREN is checked with python-stdnum (length and Luhn checksum) when the
record is built. A checksum says the number is well formed, not that it
exists: :attr:`Organisation.siren_verified` says whether someone checked it
against INSEE's register.
"""

from __future__ import annotations

import enum

import attrs

from spie_occitanie.model import _rules


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


def _siren(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or len(value) != 9 or not value.isdigit():
        _rules.fail(instance, attribute, value, "must be a SIREN of 9 digits, without spaces")
        return
    # python-stdnum costs about 17 ms to import (it pulls in pydoc): only when a SIREN is checked.
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siren

    try:
        siren.validate(value)
    except ValidationError as error:
        _rules.fail(instance, attribute, value, f"is not a valid SIREN ({error})")


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

    organisation_id: str = attrs.field(validator=_rules.matches(_rules.SLUG, "a lowercase slug"))
    name: str = attrs.field(validator=_rules.text())
    kind: OrganisationKind = attrs.field(validator=_rules.member_of(OrganisationKind))
    collective: bool = attrs.field(default=False, validator=_rules.instance_of(bool))
    siren: str | None = attrs.field(default=None, validator=_siren)
    siren_verified: bool = attrs.field(default=False, validator=_rules.instance_of(bool))
    territory_id: str | None = attrs.field(
        default=None, validator=_rules.optional(_rules.matches(_rules.TERRITORY_ID, "a territory id"))
    )

    def __attrs_post_init__(self) -> None:
        """A register check needs a number to check."""
        if self.siren_verified and self.siren is None:
            _rules.fail(
                self,
                attrs.fields(Organisation).siren_verified,
                self.siren_verified,
                "cannot be true without a SIREN",
            )

    @property
    def key(self) -> str:
        """The record's key."""
        return self.organisation_id
