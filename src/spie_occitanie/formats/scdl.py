"""SCDL « Subventions » 2.1.1: the dataset's allocations as rows of the official schema.

The Socle Commun des Données Locales publishes the essential data of grant
conventions (décret n° 2017-779) as one CSV row per beneficiary. The official
schema (``scdl/subventions`` 2.1.1, The Unlicense) ships with the package in
``spie_occitanie/scdl/subventions-2.1.1/``, verbatim, with its README, its
examples and its licence.

**What comes from where.** What the dataset knows comes from the dataset:
the funder's and the beneficiary's names, the day of the convention (only when
a source gives the day), the amount (only when stated to the euro), the
object (built from the selection the allocation funds: programme, territory,
round) and the nature (an allocation is money: ``aide en numéraire``).
What it does not know comes from the caller, in an :class:`ScdlConfig`: each
organisation's SIRET (the dataset holds SIRENs at most; the État has none of
its own, so the config names the service that signed and its SIRET), the
payment terms and dates, whether the aid was notified to the European
Commission, and optionally an object, a decision reference, an RAE or
dispositif id. Nothing is defaulted: when a required field cannot be filled,
:func:`scdl_rows` raises :class:`ScdlMissingError` naming every missing field
of every allocation at once, before anything is written.

**Which allocations.** By default, every allocation that is a grant: a
funder giving money to another body. An allocation whose funder is its own
beneficiary (the Haute-Garonne's 93 000 € to its own project) is a
co-financing, not a grant, and has no row; asking for it is an error. An
allocation whose beneficiary no source names (the Meuse's 180 000 € from the
State) is never given an invented one: its ``nomBeneficiaire`` and
``idBeneficiaire`` are reported missing, and the caller excludes it by
listing the allocations to export (``allocations = ["cd-31-etat"]``).

**The file.** CSV in the project's pinned dialect (:data:`spie_occitanie.formats.csv.DIALECT`:
UTF-8, comma, LF line ends, ``"`` quoting where needed), which the SCDL accepts;
cells follow the schema, not the project's own tables: ``montant`` and
``pourcentageSubvention`` with two decimals and a decimal point, dates ISO,
``notificationUE`` as ``oui``/``non``. The guide names files
``AAAAMMJJ_<SIREN>_<nom>.csv``; the date is the dataset's release day and
the SIREN the publisher's, which the project does not have, so the file is
``scdl-subventions.csv`` unless the config gives ``publisher_siren``.

**Config keys** (TOML for :meth:`ScdlConfig.from_toml`, the same nesting for
:meth:`ScdlConfig.from_mapping`)::

    # optional: export only these allocations (by allocation id)
    allocations = ["cd-31-etat"]
    # optional: the publishing body's SIREN, for the guide's file name
    publisher_siren = "<9 digits>"

    [organisations.etat]             # by organisation id of the dataset
    siret = "<14 digits>"            # idAttribuant / idBeneficiaire (checked)
    name = "<official name>"         # optional: the name going with that SIRET
    # rna = "W123456789"             # optional, a beneficiary association's RNA number

    [conventions.cd-31-etat]         # by allocation id: the convention's terms
    conditionsVersement = "échelonné"          # 'unique', 'échelonné', or a description (« autre »)
    datesPeriodeVersement = "2022-11-25/2023-12-31"  # a day, or a period for staged payments
    notificationUE = false           # or "oui" / "non"
    # objet, nature, referenceDecision, idRAE, dispositifAide: optional

SIRETs and SIRENs are checked with python-stdnum (length and Luhn checksum,
as Validata's ``siret`` check does), and a SIRET must belong to the SIREN the
dataset holds for that organisation. :func:`check_scdl_csv` checks a file
against the official schema with frictionless, plus the schema's
``custom_checks`` that plain frictionless ignores: the SIRET checksum of
``idAttribuant`` and ``idBeneficiaire``, and one of ``idBeneficiaire`` or
``rnaBeneficiaire``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib

from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import attrs

from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.errors import ScdlConfigError, ScdlInvalidError, ScdlMissingError
from spie_occitanie.formats.csv import cell_text, csv_bytes
from spie_occitanie.model import Precision
from spie_occitanie.outputs import SCDL_SCHEMA
from spie_occitanie.publisher import publisher


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset
    from spie_occitanie.model import Allocation


__all__ = [
    "DEFAULT_FILE_NAME",
    "SCHEMA_DIR",
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "AllocationTerms",
    "Missing",
    "OrganisationIds",
    "ScdlConfig",
    "ScdlConfigError",
    "ScdlInvalidError",
    "ScdlMissingError",
    "check_scdl_csv",
    "scdl_allocations",
    "scdl_fields",
    "scdl_file_name",
    "scdl_rows",
    "scdl_schema",
    "write_scdl",
]

#: The schema's catalogue name and version on schema.data.gouv.fr.
SCHEMA_NAME = SCDL_SCHEMA["name"]
SCHEMA_VERSION = SCDL_SCHEMA["version"]
#: The vendored copy: schema.json, README.md, LICENSE and the official examples.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "scdl" / f"subventions-{SCHEMA_VERSION}"
#: The file name when the guide's ``AAAAMMJJ_<SIREN>_<nom>.csv`` cannot be filled.
DEFAULT_FILE_NAME = "scdl-subventions.csv"

#: The values the schema allows for ``nature``.
NATURES = (
    "aide en numéraire",
    "aide en nature",
    "aide en numéraire;aide en nature",
    "aide en nature;aide en numéraire",
)
#: The two named payment terms; anything else is the schema's « autre », described in words.
NAMED_TERMS = ("unique", "échelonné")
#: The nature of an allocation: the dataset records money given.
MONEY_NATURE = "aide en numéraire"

_MAX_TEXT = 256
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_PERIOD = re.compile(rf"(?P<start>{_DAY})(?:/(?P<end>{_DAY}))?")
_RNA = re.compile(r"W[0-9]{9}")
_TOP_KEYS = frozenset({"allocations", "publisher_siren", "organisations", "conventions"})
_ORGANISATION_KEYS = frozenset({"siret", "name", "rna"})
_CONVENTION_KEYS = frozenset(
    {
        "objet",
        "nature",
        "conditionsVersement",
        "datesPeriodeVersement",
        "notificationUE",
        "referenceDecision",
        "idRAE",
        "dispositifAide",
    }
)


# -- errors --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Missing:
    """A required SCDL field of one allocation that nothing can fill.

    Attributes:
        allocation_id: the allocation.
        field: the SCDL field (``idAttribuant``).
        reason: why it is missing and what would supply it.
    """

    allocation_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"allocation {self.allocation_id!r} field '{self.field}': {self.reason}"


# -- the config ------------------------------------------------------------------------------------


def _text(source: str, key: str, value: object, *, max_length: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScdlConfigError(source=source, key=key, value=value, reason="must be a non-empty string")
    if max_length is not None and len(value) > max_length:
        raise ScdlConfigError(
            source=source, key=key, value=value, reason=f"must be at most {max_length} characters"
        )
    return value


def _identifier(source: str, key: str, value: object, *, kind: str) -> str:
    """A SIRET (14 digits) or SIREN (9 digits) from the config, checked with python-stdnum."""
    module, length = (stdnum_siret, 14) if kind == "SIRET" else (stdnum_siren, 9)
    text = _text(source, key, value)
    if len(text) != length or not text.isdigit():
        raise ScdlConfigError(
            source=source, key=key, value=value, reason=f"must be a {kind} of {length} digits"
        )
    try:
        module.validate(text)
    except ValidationError as error:
        raise ScdlConfigError(
            source=source, key=key, value=value, reason=f"is not a valid {kind} ({error})"
        ) from None
    return text


def _table(source: str, key: str, value: object, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScdlConfigError(source=source, key=key, value=value, reason="must be a table")
    for name in value:
        if name not in allowed:
            raise ScdlConfigError(
                source=source,
                key=f"{key}.{name}" if key else str(name),
                value=value[name],
                reason=f"is not a known key; use one of {', '.join(sorted(allowed))}",
            )
    return value


def _by_id(source: str, key: str, value: object) -> Mapping[str, Any]:
    """A table of tables keyed by record id (``[organisations.<id>]``)."""
    if not isinstance(value, Mapping):
        raise ScdlConfigError(source=source, key=key, value=value, reason="must be a table of tables by id")
    return value


def _period(source: str, key: str, value: object) -> str:
    text = _text(source, key, value)
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise ScdlConfigError(
            source=source, key=key, value=value, reason="must be AAAA-MM-JJ or AAAA-MM-JJ/AAAA-MM-JJ"
        )
    try:
        start = dt.date.fromisoformat(match["start"])
        end = dt.date.fromisoformat(match["end"]) if match["end"] else start
    except ValueError as error:
        raise ScdlConfigError(
            source=source, key=key, value=value, reason=f"is not a real date ({error})"
        ) from None
    if end < start:
        raise ScdlConfigError(source=source, key=key, value=value, reason="ends before it starts")
    return text


def _terms_text(source: str, key: str, value: object) -> str:
    text = _text(source, key, value, max_length=_MAX_TEXT)
    parts = [part.strip() for part in text.split(";")]
    if len(parts) > 1 and all(part in (*NAMED_TERMS, "autre") for part in parts):
        raise ScdlConfigError(
            source=source,
            key=key,
            value=value,
            reason="must be one choice: 'unique', 'échelonné', or a description of other terms",
        )
    return text


def _notified(source: str, key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("oui", "non"):
        return value == "oui"
    raise ScdlConfigError(source=source, key=key, value=value, reason="must be true, false, 'oui' or 'non'")


@attrs.frozen(kw_only=True)
class OrganisationIds:
    """What the caller says of one organisation of the dataset.

    Attributes:
        siret: the SIRET of the establishment that signs or receives
            (``idAttribuant``/``idBeneficiaire``).
        name: the official name going with that SIRET, when it differs from
            the dataset's name (the État's service that signed).
        rna: the RNA number of a beneficiary association (``rnaBeneficiaire``).
    """

    siret: str | None = None
    name: str | None = None
    rna: str | None = None

    @classmethod
    def from_mapping(cls, mapping: object, *, source: str, key: str) -> Self:
        """Parse ``[organisations.<id>]``; every value is checked."""
        table = _table(source, key, mapping, _ORGANISATION_KEYS)
        rna = table.get("rna")
        if rna is not None and (not isinstance(rna, str) or _RNA.fullmatch(rna) is None):
            raise ScdlConfigError(
                source=source, key=f"{key}.rna", value=rna, reason="must be 'W' and 9 digits"
            )
        return cls(
            siret=None
            if "siret" not in table
            else _identifier(source, f"{key}.siret", table["siret"], kind="SIRET"),
            name=None if "name" not in table else _text(source, f"{key}.name", table["name"]),
            rna=rna,
        )


@attrs.frozen(kw_only=True)
class AllocationTerms:
    """What the caller says of one allocation's convention, by SCDL field.

    Attributes:
        conditions_versement: ``conditionsVersement``.
        dates_periode_versement: ``datesPeriodeVersement``.
        notification_ue: ``notificationUE``.
        objet: ``objet``, replacing the one built from the data.
        nature: ``nature``, replacing ``aide en numéraire``.
        reference_decision: ``referenceDecision``.
        id_rae: ``idRAE``.
        dispositif_aide: ``dispositifAide``.
    """

    conditions_versement: str | None = None
    dates_periode_versement: str | None = None
    notification_ue: bool | None = None
    objet: str | None = None
    nature: str | None = None
    reference_decision: str | None = None
    id_rae: str | None = None
    dispositif_aide: str | None = None

    @classmethod
    def from_mapping(cls, mapping: object, *, source: str, key: str) -> Self:
        """Parse ``[conventions.<allocation id>]``; every value is checked."""
        table = _table(source, key, mapping, _CONVENTION_KEYS)

        def get(name: str, parse: Any) -> Any:
            return None if name not in table else parse(source, f"{key}.{name}", table[name])

        nature = table.get("nature")
        if nature is not None and nature not in NATURES:
            raise ScdlConfigError(
                source=source,
                key=f"{key}.nature",
                value=nature,
                reason=f"must be one of {', '.join(NATURES)}",
            )
        terms = cls(
            conditions_versement=get("conditionsVersement", _terms_text),
            dates_periode_versement=get("datesPeriodeVersement", _period),
            notification_ue=get("notificationUE", _notified),
            objet=get("objet", lambda s, k, v: _text(s, k, v, max_length=_MAX_TEXT)),
            nature=nature,
            reference_decision=get("referenceDecision", _text),
            id_rae=get("idRAE", lambda s, k, v: _text(s, k, v, max_length=5)),
            dispositif_aide=get("dispositifAide", _text),
        )
        if terms.conditions_versement == "échelonné" and "/" not in (terms.dates_periode_versement or "/"):
            raise ScdlConfigError(
                source=source,
                key=f"{key}.datesPeriodeVersement",
                value=terms.dates_periode_versement,
                reason="must be a period AAAA-MM-JJ/AAAA-MM-JJ when the payments are 'échelonné'",
            )
        return terms


@attrs.frozen(kw_only=True)
class ScdlConfig:
    """The facts an SCDL export needs that the dataset does not hold.

    Build it with :meth:`from_toml` or :meth:`from_mapping`; the keys are in
    the module's docstring.

    Attributes:
        organisations: per organisation id, its SIRET and official name.
        conventions: per allocation id, the convention's terms.
        allocations: the allocations to export; ``None``: every grant.
        publisher_siren: the publishing body's SIREN, for the file name.
        source: where the config came from, for messages.
    """

    organisations: Mapping[str, OrganisationIds] = attrs.field(factory=dict)
    conventions: Mapping[str, AllocationTerms] = attrs.field(factory=dict)
    allocations: tuple[str, ...] | None = None
    publisher_siren: str | None = None
    source: str = "config"

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, source: str = "config") -> Self:
        """Parse a config given as nested mappings (what ``tomllib`` returns).

        Raises:
            ScdlConfigError: an unknown key, or a value that breaks its rule.
        """
        table = _table(source, "", mapping, _TOP_KEYS)
        organisations = _by_id(source, "organisations", table.get("organisations", {}))
        conventions = _by_id(source, "conventions", table.get("conventions", {}))
        allocations = table.get("allocations")
        if allocations is not None and (
            not isinstance(allocations, list)
            or not all(isinstance(a, str) and a for a in allocations)
            or len(set(allocations)) != len(allocations)
        ):
            raise ScdlConfigError(
                source=source,
                key="allocations",
                value=allocations,
                reason="must be a list of distinct allocation ids",
            )
        siren = table.get("publisher_siren")
        return cls(
            organisations={
                str(k): OrganisationIds.from_mapping(v, source=source, key=f"organisations.{k}")
                for k, v in organisations.items()
            },
            conventions={
                str(k): AllocationTerms.from_mapping(v, source=source, key=f"conventions.{k}")
                for k, v in conventions.items()
            },
            allocations=None if allocations is None else tuple(allocations),
            publisher_siren=None
            if siren is None
            else _identifier(source, "publisher_siren", siren, kind="SIREN"),
            source=source,
        )

    @classmethod
    def from_toml(cls, path: Path | str) -> Self:
        """Read a TOML config file.

        Raises:
            ScdlConfigError: the file cannot be read, is not TOML, or holds a bad value.
        """
        path = Path(path)
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ScdlConfigError(
                source=str(path), key="", value=str(path), reason=f"cannot be read ({error.strerror})"
            ) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ScdlConfigError(
                source=str(path), key="", value=str(path), reason=f"is not TOML ({error})"
            ) from None
        return cls.from_mapping(document, source=str(path))

    def organisation(self, organisation_id: str) -> OrganisationIds:
        """What the config says of an organisation (nothing, when it is not named)."""
        return self.organisations.get(organisation_id, OrganisationIds())

    def terms(self, allocation_id: str) -> AllocationTerms:
        """What the config says of an allocation's convention (nothing, when it is not named)."""
        return self.conventions.get(allocation_id, AllocationTerms())


# -- the schema --------------------------------------------------------------------------------------


@cache
def _schema_text() -> str:
    return (SCHEMA_DIR / "schema.json").read_text(encoding="utf-8")


def scdl_schema() -> dict[str, Any]:
    """The official Table Schema, from the vendored copy."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def scdl_fields() -> tuple[str, ...]:
    """The schema's field names, in order: the file's header."""
    return tuple(field["name"] for field in scdl_schema()["fields"])


# -- rows ---------------------------------------------------------------------------------------------


def _check_against_dataset(ds: Dataset, config: ScdlConfig) -> None:
    """Config ids name records of the dataset, and SIRETs belong to the SIRENs it holds."""
    for organisation_id, ids in config.organisations.items():
        key = f"organisations.{organisation_id}"
        organisation = ds.get("organisations", organisation_id)
        if organisation is None:
            raise ScdlConfigError(
                source=config.source,
                key=key,
                value=organisation_id,
                reason="names no organisation of the dataset",
            )
        if ids.siret is not None and organisation.siren is not None and ids.siret[:9] != organisation.siren:
            raise ScdlConfigError(
                source=config.source,
                key=f"{key}.siret",
                value=ids.siret,
                reason=f"does not belong to the SIREN {organisation.siren} the dataset holds for "
                f"{organisation.name!r}",
            )
    for allocation_id in config.conventions:
        if ds.get("allocations", allocation_id) is None:
            raise ScdlConfigError(
                source=config.source,
                key=f"conventions.{allocation_id}",
                value=allocation_id,
                reason="names no allocation of the dataset",
            )
    for allocation_id in config.allocations or ():
        allocation = ds.get("allocations", allocation_id)
        if allocation is None:
            raise ScdlConfigError(
                source=config.source,
                key="allocations",
                value=allocation_id,
                reason="names no allocation of the dataset",
            )
        if allocation.beneficiary_id == allocation.funder_id:
            raise ScdlConfigError(
                source=config.source,
                key="allocations",
                value=allocation_id,
                reason="is a co-financing of the funder's own project, not a grant: it has no SCDL row",
            )


def scdl_allocations(ds: Dataset, config: ScdlConfig) -> tuple[Allocation, ...]:
    """The allocations to export: those the config lists, else every grant.

    A grant is an allocation whose funder is not its own beneficiary; one
    without a named beneficiary is included, and reported missing by
    :func:`scdl_rows` unless the config leaves it out.
    """
    if config.allocations is not None:
        wanted = set(config.allocations)
        return tuple(a for a in ds.allocations if a.allocation_id in wanted)
    return tuple(a for a in ds.allocations if a.beneficiary_id != a.funder_id)


def _objet(ds: Dataset, allocation: Allocation) -> str | None:
    """The selection the allocation funds, in words: programme, territory, round."""
    if allocation.round_id is None or allocation.territory_id is None:
        return None
    round_ = ds.get("rounds", allocation.round_id)
    territory = ds.get("territories", allocation.territory_id)
    if round_ is None or territory is None:
        return None
    programme = ds.get("programmes", round_.programme_id)
    if programme is None:
        return None
    name = programme.name[:1].upper() + programme.name[1:]
    if programme.acronym is not None:
        name += f" ({programme.acronym})"
    where = territory.of_label or f"du territoire {territory.name}"
    text = f"{name} : projet {where}, {round_.name}"
    return text if len(text) <= _MAX_TEXT else None


def _row(ds: Dataset, allocation: Allocation, config: ScdlConfig) -> tuple[dict[str, object], list[Missing]]:
    key = allocation.allocation_id
    missing: list[Missing] = []

    def lack(field: str, reason: str) -> None:
        missing.append(Missing(allocation_id=key, field=field, reason=reason))

    funder = ds.get("organisations", allocation.funder_id)
    funder_ids = config.organisation(allocation.funder_id)
    if funder is None:
        lack("nomAttribuant", f"the funder {allocation.funder_id!r} is not an organisation of the dataset")
    if funder_ids.siret is None:
        named = allocation.funder_id if funder is None else funder.name
        lack(
            "idAttribuant",
            f"the dataset has no SIRET for {named!r}; set organisations.{allocation.funder_id}.siret",
        )

    convention = allocation.convention
    if convention is None:
        lack("dateConvention", "no source gives the convention's date; add it to the facts with its source")
    elif convention.precision is not Precision.DAY:
        lack(
            "dateConvention",
            f"the sources give the convention's date only to the {convention.precision.value} "
            f"({convention.edtf}); the SCDL needs the day",
        )

    beneficiary = (
        None if allocation.beneficiary_id is None else ds.get("organisations", allocation.beneficiary_id)
    )
    beneficiary_ids = (
        OrganisationIds() if beneficiary is None else config.organisation(beneficiary.organisation_id)
    )
    if allocation.beneficiary_id is None:
        for field in ("nomBeneficiaire", "idBeneficiaire"):
            lack(field, "no source names the beneficiary; leave the allocation out with allocations = [...]")
    elif beneficiary is None:
        lack(
            "nomBeneficiaire",
            f"the beneficiary {allocation.beneficiary_id!r} is not an organisation of the dataset",
        )
    elif beneficiary_ids.siret is None and beneficiary_ids.rna is None:
        known = f" (its SIREN is {beneficiary.siren})" if beneficiary.siren is not None else ""
        lack(
            "idBeneficiaire",
            f"the dataset has no SIRET for {beneficiary.name!r}{known}; "
            f"set organisations.{beneficiary.organisation_id}.siret",
        )

    terms = config.terms(key)
    objet = terms.objet or _objet(ds, allocation)
    if objet is None:
        lack("objet", f"the dataset cannot say what it funds; set conventions.{key}.objet")

    amount = allocation.amount
    if amount.precision > 1:
        lack(
            "montant",
            f"the sources state it only to the nearest {amount.precision} EUR ({amount.amount}); "
            "the SCDL needs the amount of the convention",
        )
    for field, value in (
        ("conditionsVersement", terms.conditions_versement),
        ("datesPeriodeVersement", terms.dates_periode_versement),
        ("notificationUE", terms.notification_ue),
    ):
        if value is None:
            lack(field, f"the dataset does not know it; set conventions.{key}.{field}")

    row: dict[str, object] = {
        "nomAttribuant": funder_ids.name or (None if funder is None else funder.name),
        "idAttribuant": funder_ids.siret,
        "dateConvention": None if convention is None else convention.earliest,
        "referenceDecision": terms.reference_decision,
        "nomBeneficiaire": None if beneficiary is None else beneficiary_ids.name or beneficiary.name,
        "idBeneficiaire": beneficiary_ids.siret,
        "rnaBeneficiaire": beneficiary_ids.rna,
        "objet": objet,
        "montant": amount.amount,
        "nature": terms.nature or MONEY_NATURE,
        "conditionsVersement": terms.conditions_versement,
        "datesPeriodeVersement": terms.dates_periode_versement,
        "idRAE": terms.id_rae,
        "notificationUE": terms.notification_ue,
        # One beneficiary per allocation: it receives the whole grant.
        "pourcentageSubvention": Decimal("1.00"),
        "dispositifAide": terms.dispositif_aide,
    }
    return row, missing


def scdl_rows(ds: Dataset, config: ScdlConfig) -> list[dict[str, object]]:
    """One SCDL row per exported allocation and beneficiary, typed, in allocation order.

    Values are ``str``, :class:`~decimal.Decimal` (``montant``,
    ``pourcentageSubvention``), :class:`~datetime.date` (``dateConvention``),
    ``bool`` (``notificationUE``) or ``None`` (an optional field left empty).

    Raises:
        ScdlConfigError: the config names an organisation or allocation the
            dataset lacks, gives a SIRET of another SIREN, or asks for a
            co-financing.
        ScdlMissingError: required fields that nothing fills, all of them.
    """
    _check_against_dataset(ds, config)
    rows: list[dict[str, object]] = []
    missing: list[Missing] = []
    for allocation in scdl_allocations(ds, config):
        row, lacking = _row(ds, allocation, config)
        rows.append(row)
        missing.extend(lacking)
    if missing:
        raise ScdlMissingError(missing)
    return rows


# -- the file -------------------------------------------------------------------------------------------


def scdl_file_name(config: ScdlConfig) -> str:
    """``AAAAMMJJ_<SIREN>_<nom>.csv`` when the publisher's SIREN is configured, else the fixed name."""
    if config.publisher_siren is None:
        return DEFAULT_FILE_NAME
    who = publisher()
    day = who.released.replace("-", "")
    return f"{day}_{config.publisher_siren}_{who.name}-subventions.csv"


def _cell(value: object) -> str:
    """The project's canonical cell, but SCDL's ``oui``/``non`` for booleans."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return cell_text(value)


def write_scdl(ds: Dataset, folder: Path | str, config: ScdlConfig) -> Path:
    """Write the SCDL file into ``folder``; returns its path.

    Every row is built and checked before anything is written, and the file
    is checked against the official schema once written.

    Raises:
        ScdlConfigError: see :func:`scdl_rows`.
        ScdlMissingError: required fields are missing; nothing was written.
        ScdlInvalidError: the file fails the official schema (a bug: the file is removed).
    """
    rows = scdl_rows(ds, config)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / scdl_file_name(config)
    path.write_bytes(csv_bytes(scdl_fields(), rows, cell=_cell))
    report = check_scdl_csv(path)
    if not report.ok:
        path.unlink()
        raise ScdlInvalidError(path, report)
    return path


# -- checking a file ---------------------------------------------------------------------------------------


@cache
def _checks() -> tuple[type, type]:
    """The schema's ``custom_checks`` as frictionless checks (frictionless is imported here)."""
    import frictionless

    from frictionless import errors

    class SiretError(errors.CellError):
        type = "siret-value"
        title = "SIRET invalide"
        description = "Un SIRET a 14 chiffres et une clé de Luhn valide."
        template = "{note}"

    class OneOfRequiredError(errors.CellError):
        type = "one-of-required"
        title = "Identifiant manquant"
        description = "L'un des deux champs est obligatoire."
        template = "{note}"

    @attrs.define(kw_only=True, repr=False)
    class SiretCheck(frictionless.Check):
        """Validata's ``french-siret-value`` / ``siret``: stdnum's SIRET check on one column."""

        type = "siret-value"
        Errors = [SiretError]  # noqa: RUF012 - frictionless's own class attribute
        field_name: str

        def validate_row(self, row: Any) -> Iterator[Any]:
            if self.field_name not in row.field_names:
                return
            value = row[self.field_name]
            if value is None or value == "":
                return
            text = str(value)
            if len(text) != 14 or not text.isdigit() or not stdnum_siret.is_valid(text):
                yield SiretError.from_row(
                    row,
                    note=f"{text!r} is not a valid SIRET (14 digits, Luhn checksum)",
                    field_name=self.field_name,
                )

    @attrs.define(kw_only=True, repr=False)
    class OneOfRequiredCheck(frictionless.Check):
        """Validata's ``one-of-required``: at least one of two columns is filled on each row."""

        type = "one-of-required"
        Errors = [OneOfRequiredError]  # noqa: RUF012 - frictionless's own class attribute
        first: str
        second: str

        def validate_row(self, row: Any) -> Iterator[Any]:
            present = [name for name in (self.first, self.second) if name in row.field_names]
            if not present:
                return
            if all(row[name] in (None, "") for name in present):
                yield OneOfRequiredError.from_row(
                    row, note=f"one of '{self.first}' or '{self.second}' is required", field_name=present[0]
                )

    return SiretCheck, OneOfRequiredCheck


def _frictionless_checks() -> list[Any]:
    """The checks the schema's ``custom_checks`` declare, for frictionless."""
    siret_check, one_of_required = _checks()
    checks: list[Any] = []
    for declared in scdl_schema().get("custom_checks", ()):
        params = declared["params"]
        if declared["name"] in ("french-siret-value", "siret"):
            checks.append(siret_check(field_name=params["column"]))
        elif declared["name"] == "one-of-required":
            checks.append(one_of_required(first=params["column1"], second=params["column2"]))
        else:  # pragma: no cover - the vendored schema declares only these
            raise AssertionError(f"unknown custom check {declared['name']!r}")
    return checks


def check_scdl_csv(path: Path | str) -> Report:
    """Every way a CSV file breaks the official SCDL subventions 2.1.1 schema.

    Frictionless checks labels, types and constraints against the vendored
    ``schema.json``; the schema's ``custom_checks`` (SIRET checksums and
    ``one-of-required``) run as frictionless checks too. Each finding names
    the file, the row as frictionless numbers it (the header is row 1), the
    field and the value.
    """
    import frictionless

    path = Path(path)
    schema = frictionless.Schema.from_descriptor(scdl_schema())
    resource = frictionless.Resource(path=path.name, basepath=str(path.parent), schema=schema)
    report = resource.validate(checklist=frictionless.Checklist(checks=_frictionless_checks()))
    findings = [_finding(path, error) for error in report.errors]
    for task in report.tasks:
        findings.extend(_finding(path, error) for error in task.errors)
    return Report(tuple(findings))


def _finding(path: Path, error: Any) -> Finding:
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None)
    where = path.name if row is None else f"{path.name} row {row}"
    if field:
        where += f" field '{field}'"
    message = error.note or error.message
    cell = getattr(error, "cell", None)
    if cell is not None and error.type != "siret-value":
        message = f"{message} (value {cell!r})"
    return Finding(
        check=error.type,
        severity=Severity.ERROR,
        table=path.name,
        key=None if row is None else str(row),
        field=field or None,
        message=f"{where}: {message}",
    )
