"""Territories: what a round selects.

Most are départements, keyed by data.gouv.fr's zone ids (``fr:departement:31``,
``fr:region:76``), but SPIE also selected a métropole, single collectivities,
Corsican intercommunal territories and one composite. Those get a documented
local id (``spie:metropole-de-lyon``) and no INSEE code: a département code
belongs to départements only. What they cover is :attr:`Territory.covers`.

Names are written as INSEE writes them, with INSEE's TNCC ("type de nom en
clair"), which gives the article and the connecting word ("charnière"):
"la Haute-Garonne", "de la Haute-Garonne", "des Hautes-Pyrénées", "de l'Aude".
"""

from __future__ import annotations

import enum
import re

from collections.abc import Iterable

import attrs

from spie_occitanie.model import render, rules


__all__ = ["CogStatus", "Territory", "TerritoryKind", "departement_id", "region_id"]


class TerritoryKind(enum.Enum):
    """What kind of body or area a territory is."""

    DEPARTEMENT = "departement"
    REGION = "region"
    METROPOLE = "metropole"
    COLLECTIVITE = "collectivite"
    INTERCOMMUNALITE = "intercommunalite"
    COMPOSITE = "composite"


class CogStatus(enum.Enum):
    """How a COG entity entered the dataset."""

    COPIED = "copied"  # read from INSEE's file
    RESTATED = "restated"  # restated from a secondary description of the file


# TNCC -> (article, charnière), from INSEE's "Liste de modalités" of the COG.
_ARTICLES: dict[int, tuple[str, str]] = {
    0: ("", "de "),
    1: ("", "d'"),
    2: ("le ", "du "),
    3: ("la ", "de la "),
    4: ("les ", "des "),
    5: ("l'", "de l'"),
    6: ("aux ", "des "),
    7: ("las ", "de las "),
    8: ("los ", "de los "),
}

_DEPARTEMENT = re.compile(rules.DEPARTEMENT_CODE)
_REGION = re.compile(rules.REGION_CODE)


def departement_id(code: str) -> str:
    """data.gouv.fr's zone id of a département: ``fr:departement:31``."""
    return f"fr:departement:{code}"


def region_id(code: str) -> str:
    """data.gouv.fr's zone id of a région: ``fr:region:76``."""
    return f"fr:region:{code}"


def _sorted_ids(ids: Iterable[str]) -> tuple[str, ...]:
    """A set of départements, kept in one canonical order."""
    return tuple(sorted(ids))


@attrs.frozen
class Tncc(rules.FieldRule):
    """INSEE's type of name (TNCC): an int from 0 to 8."""

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if isinstance(value, bool) or value not in _ARTICLES:
            return "must be an INSEE TNCC, an int from 0 to 8"
        return None


@attrs.frozen(kw_only=True)
class Territory:
    """A département, a région, or another territory SPIE selected.

    Attributes:
        territory_id: ``fr:departement:<code>``, ``fr:region:<code>`` or ``spie:<slug>``.
        kind: what it is.
        name: as INSEE (or, for non-COG territories, the source) writes it.
        tncc: INSEE's article type, 0-8; ``None`` when no source gives it.
        code: the INSEE code, for départements and régions only.
        code_region: the région it lies in (a région's own code for a région).
        iso_3166_2: its ISO 3166-2 subdivision code, where one exists.
        covers: for a non-département, the ids of the départements it covers.
        cog: whether it comes from INSEE's COG, copied or restated.
    """

    territory_id: str = attrs.field(
        validator=rules.matches(rules.TERRITORY_ID, "a territory id such as 'fr:departement:31'")
    )
    kind: TerritoryKind = attrs.field(validator=rules.member_of(TerritoryKind))
    name: str = attrs.field(validator=rules.text())
    tncc: int | None = attrs.field(default=None, validator=rules.optional(Tncc()))
    code: str | None = attrs.field(default=None, validator=rules.optional_text())
    code_region: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.REGION_CODE, "a 2-digit région code"))
    )
    iso_3166_2: str | None = attrs.field(
        default=None,
        validator=rules.optional(rules.matches(r"FR-[0-9A-Z]{2,3}", "an ISO 3166-2:FR code")),
    )
    covers: tuple[str, ...] = attrs.field(
        default=(),
        converter=_sorted_ids,
        validator=rules.tuple_of(
            rules.matches(f"fr:departement:{rules.DEPARTEMENT_CODE}", "a département id")
        ),
    )
    cog: CogStatus | None = attrs.field(default=None, validator=rules.optional(rules.member_of(CogStatus)))

    def __attrs_post_init__(self) -> None:
        """Codes and ids agree with the kind of territory."""
        field = attrs.fields(Territory)
        if self.kind is TerritoryKind.DEPARTEMENT:
            if self.code is None or not _DEPARTEMENT.fullmatch(self.code):
                rules.fail(self, field.code, self.code, "must be a département code for a département")
            if self.territory_id != departement_id(self.code):
                rules.fail(
                    self, field.territory_id, self.territory_id, f"must be {departement_id(self.code)!r}"
                )
        elif self.kind is TerritoryKind.REGION:
            if self.code is None or not _REGION.fullmatch(self.code):
                rules.fail(self, field.code, self.code, "must be a région code for a région")
            if self.territory_id != region_id(self.code):
                rules.fail(self, field.territory_id, self.territory_id, f"must be {region_id(self.code)!r}")
            if self.code_region != self.code:
                rules.fail(self, field.code_region, self.code_region, "must be the région's own code")
        else:
            if self.code is not None:
                rules.fail(
                    self,
                    field.code,
                    self.code,
                    "must be empty: INSEE codes belong to départements and régions",
                )
            if not self.territory_id.startswith("spie:"):
                rules.fail(self, field.territory_id, self.territory_id, "must be a local 'spie:' id")
        if self.kind in (TerritoryKind.DEPARTEMENT, TerritoryKind.REGION) and self.covers:
            rules.fail(self, field.covers, self.covers, "must be empty for a département or a région")
        if self.cog is not None and self.kind not in (TerritoryKind.DEPARTEMENT, TerritoryKind.REGION):
            rules.fail(self, field.cog, self.cog, "applies to COG départements and régions only")
        if len(set(self.covers)) != len(self.covers):
            rules.fail(self, field.covers, self.covers, "must not repeat a département")

    @property
    def key(self) -> str:
        """The record's key."""
        return self.territory_id

    @property
    def with_article(self) -> str | None:
        """The name with its article: "la Haute-Garonne", "l'Aude", "Mayotte".

        ``None`` when the TNCC is unknown: the article is not guessed.
        """
        return None if self.tncc is None else _ARTICLES[self.tncc][0] + self.name

    @property
    def of_label(self) -> str | None:
        """The name after "de": "de la Haute-Garonne", "des Hautes-Pyrénées", "d'Occitanie".

        ``None`` when the TNCC is unknown: the charnière is not guessed.
        """
        return None if self.tncc is None else _ARTICLES[self.tncc][1] + self.name

    def __str__(self) -> str:
        return f"{self.name} ({self.code or self.territory_id})"

    # Renderings live in spie_occitanie.model.render, the model's own layer.
    def __repr__(self) -> str:
        return render.territory_repr(self)

    def _repr_html_(self) -> str:
        return render.territory_html(self)
