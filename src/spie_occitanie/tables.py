"""The one description of every published table and column.

Each :class:`Column` says once what a published column is: its name, Table
Schema type, French title and description, an example, its constraints and
its Arrow type. Each :class:`Table` adds the primary and foreign keys and the
mapping between records and rows. The Table Schemas, the CSV and Parquet
writers, pandas and the readers all derive from here; nothing restates a
column elsewhere.

Rows are dicts of typed Python values: ``str``, ``int``, ``bool``,
:class:`~decimal.Decimal`, :class:`~datetime.date` or ``None`` for absent. A
partial date is published as three columns (``<name>_edtf``,
``<name>_earliest``, ``<name>_latest``) and money as two (``<name>_eur``,
``<name>_precision_eur``).
"""

from __future__ import annotations

import enum
import functools

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.dataset import RECORD_TYPES
from spie_occitanie.errors import InvalidValueError, RowError
from spie_occitanie.model import (
    CitationKind,
    CogStatus,
    Money,
    OrganisationKind,
    PartialDate,
    RoundKind,
    SourceKind,
    TerritoryKind,
    rules,
)
from spie_occitanie.model.fields import FieldKind, field_type
from spie_occitanie.model.references import REFERENCES


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "TABLES",
    "Column",
    "ForeignKey",
    "RowError",
    "Table",
    "dataset_from_records",
    "dataset_from_rows",
    "record_from_row",
]

#: Arrow types by short name; the Parquet writer maps them to pyarrow types.
ARROW_TYPES = ("string", "int32", "bool", "date32", "decimal(18,2)")


@attrs.frozen(kw_only=True)
class Column:
    """One published column.

    Attributes:
        name: its name: English snake_case, or the name data.gouv.fr's column
            detector recognises (``code_departement``, ``code_region``, ``siren``).
        type: its Table Schema type: ``string``, ``integer``, ``number``,
            ``boolean`` or ``date``.
        title: a short French title.
        description: a French description, for the data dictionary.
        example: an example value, as written in the CSV.
        arrow: its Arrow type (see :data:`ARROW_TYPES`).
        required: whether every row has a value.
        unique: whether no two rows share a value.
        pattern: a regular expression every value matches.
        enum: the allowed values.
        minimum: the smallest allowed value.
        maximum: the largest allowed value.
        format: the Table Schema format (``uri`` for URLs).
    """

    name: str
    type: str
    title: str
    description: str
    example: str
    arrow: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    format: str | None = None

    def __attrs_post_init__(self) -> None:
        """A column description is itself checked: a typo here would publish."""
        if self.type not in ("string", "integer", "number", "boolean", "date"):
            raise ValueError(f"column {self.name!r}: unknown type {self.type!r}")
        if self.arrow not in ARROW_TYPES:
            raise ValueError(f"column {self.name!r}: unknown Arrow type {self.arrow!r}")

    def to_descriptor(self) -> dict[str, Any]:
        """The Table Schema field descriptor, with schema.data.gouv.fr's title and example."""
        field: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "example": self.example,
        }
        if self.format is not None:
            field["format"] = self.format
        if self.type == "boolean":
            field["trueValues"] = ["true"]
            field["falseValues"] = ["false"]
        if self.type == "number":
            field["decimalChar"] = "."
            field["bareNumber"] = True
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            field["constraints"] = constraints
        return field


@attrs.frozen(kw_only=True)
class ForeignKey:
    """Columns of a table that name rows of another.

    Attributes:
        fields: the columns of this table.
        resource: the table they point at.
        reference: the columns of that table.
    """

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]

    def to_descriptor(self) -> dict[str, Any]:
        """The Table Schema ``foreignKeys`` entry."""
        return {
            "fields": list(self.fields),
            "reference": {"resource": self.resource, "fields": list(self.reference)},
        }


Row = dict[str, Any]


@attrs.frozen(kw_only=True)
class Table:
    """One published table: its columns, keys and record mapping.

    Attributes:
        name: the table's name (``rounds``), also its file's stem.
        title: its French title.
        description: what a row is, in French.
        columns: its columns, in order.
        primary_key: the columns that identify a row.
        foreign_keys: references to other tables.
        to_rows: the rows of a dataset, in key order.
    """

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    to_rows: Callable[[Dataset], list[Row]] = attrs.field(eq=False, repr=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of the columns, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """A column by name."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def schema_descriptor(self) -> dict[str, Any]:
        """The Table Schema of the table: fields, keys, missing values."""
        schema: dict[str, Any] = {
            "fields": [c.to_descriptor() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [fk.to_descriptor() for fk in self.foreign_keys]
        return schema


# -- column builders: the French text lives here, once ----------------------


def _string(name: str, title: str, description: str, example: str, **kw: Any) -> Column:
    return Column(
        name=name, type="string", title=title, description=description, example=example, arrow="string", **kw
    )


def _integer(name: str, title: str, description: str, example: str, **kw: Any) -> Column:
    return Column(
        name=name, type="integer", title=title, description=description, example=example, arrow="int32", **kw
    )


def _boolean(name: str, title: str, description: str, example: str, **kw: Any) -> Column:
    return Column(
        name=name, type="boolean", title=title, description=description, example=example, arrow="bool", **kw
    )


def _date(name: str, title: str, description: str, example: str, **kw: Any) -> Column:
    return Column(
        name=name, type="date", title=title, description=description, example=example, arrow="date32", **kw
    )


def _enum(name: str, title: str, description: str, values: type[enum.Enum], **kw: Any) -> Column:
    allowed = tuple(str(m.value) for m in values)
    return _string(name, title, description, allowed[0], enum=allowed, **kw)


def _partial_date(name: str, title: str, what: str, example: str, **kw: Any) -> tuple[Column, ...]:
    date = PartialDate.from_edtf(example)
    return (
        _string(
            f"{name}_edtf",
            f"{title} (EDTF)",
            f"{what}, à la précision donnée par la source, en EDTF (ISO 8601-2) : "
            "jour (2022-02-03), mois (2021-06), saison (2021-21 pour le printemps 2021) ou année (2021).",
            example,
            pattern=_EDTF_PATTERN,
            **kw,
        ),
        _date(
            f"{name}_earliest",
            f"{title} (au plus tôt)",
            f"{what} : premier jour possible, d'après la date EDTF.",
            date.earliest.isoformat(),
            **kw,
        ),
        _date(
            f"{name}_latest",
            f"{title} (au plus tard)",
            f"{what} : dernier jour possible, d'après la date EDTF.",
            date.latest.isoformat(),
            **kw,
        ),
    )


def _money(name: str, title: str, what: str, example: str, precision: str, **kw: Any) -> tuple[Column, ...]:
    return (
        Column(
            name=f"{name}_eur",
            type="number",
            title=f"{title} (euros)",
            description=f"{what}, en euros, tel que la source l'écrit (deux décimales).",
            example=example,
            arrow="decimal(18,2)",
            minimum=0,
            **kw,
        ),
        Column(
            name=f"{name}_precision_eur",
            type="number",
            title=f"{title} : précision (euros)",
            description=f"{what} : unité du dernier chiffre écrit par la source "
            "(100000.00 pour « 1,7 millions », 1.00 pour « 370 000 € ») ; "
            "le montant réel est compris dans le montant plus ou moins la moitié de la précision.",
            example=precision,
            arrow="decimal(18,2)",
            minimum=0,
            **kw,
        ),
    )


def _year(name: str, title: str, description: str, example: str) -> Column:
    return _integer(name, title, description, example, minimum=1900, maximum=2100)


#: Exactly the EDTF texts ``PartialDate.from_edtf`` accepts: a year 0001-9999, a month or a
#: season (21-24), or a day that exists (29 February only in leap years); a season has no day.
_EDTF_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_EDTF_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_EDTF_PATTERN = (
    f"^(?:{_EDTF_YEAR}(?:-(?:0[1-9]|1[0-2]|2[1-4]))?"
    f"|{_EDTF_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    f"|{_EDTF_LEAP_YEAR}-02-29)$"
)
_SLUG_PATTERN = f"^{rules.SLUG}$"
_TERRITORY_ID_PATTERN = f"^({rules.TERRITORY_ID})$"
_DEPARTEMENT_PATTERN = f"^{rules.DEPARTEMENT_CODE}$"
_REGION_PATTERN = f"^{rules.REGION_CODE}$"


def _id(name: str, title: str, description: str, example: str, **kw: Any) -> Column:
    return _string(name, title, description, example, pattern=_SLUG_PATTERN, **kw)


def _key(name: str, title: str, description: str, example: str) -> Column:
    return _id(name, title, description, example, required=True, unique=True)


def _territory_ref(name: str, title: str, description: str, **kw: Any) -> Column:
    return _string(name, title, description, "fr:departement:31", pattern=_TERRITORY_ID_PATTERN, **kw)


# -- record <-> row mapping ------------------------------------------------------


def _cell(value: object) -> object:
    """A plain attribute value as a typed cell."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _explode(record: Any, exclude: frozenset[str] = frozenset()) -> Row:
    """A record's attributes as cells; dates and money spread over their columns."""
    row: Row = {}
    for attribute in attrs.fields(type(record)):
        if attribute.name in exclude:
            continue
        value = getattr(record, attribute.name)
        if _is_partial_date(type(record), attribute.name):
            row[f"{attribute.name}_edtf"] = None if value is None else value.edtf
            row[f"{attribute.name}_earliest"] = None if value is None else value.earliest
            row[f"{attribute.name}_latest"] = None if value is None else value.latest
        elif _is_money(type(record), attribute.name):
            row[f"{attribute.name}_eur"] = None if value is None else value.amount
            row[f"{attribute.name}_precision_eur"] = None if value is None else value.precision
        else:
            row[attribute.name] = _cell(value)
    return row


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(cls))


def _is_partial_date(cls: type, name: str) -> bool:
    return field_type(cls, name).kind is FieldKind.PARTIAL_DATE


def _is_money(cls: type, name: str) -> bool:
    return field_type(cls, name).kind is FieldKind.MONEY


def _records(table: str) -> Callable[[Dataset], list[Row]]:
    def rows(ds: Dataset) -> list[Row]:
        return [_explode(record) for record in ds.table(table)]

    return rows


def _territory_rows(ds: Dataset) -> list[Row]:
    rows = []
    for territory in ds.territories:
        row = _explode(territory, exclude=frozenset({"code", "covers"}))
        row["code_departement"] = territory.code if territory.kind is TerritoryKind.DEPARTEMENT else None
        rows.append(row)
    return rows


def _coverage_rows(ds: Dataset) -> list[Row]:
    return [
        {"territory_id": t.territory_id, "code_departement": covered.removeprefix("fr:departement:")}
        for t in ds.territories
        for covered in t.covers
    ]


# -- the tables ------------------------------------------------------------------------


def _fk(fields: str | tuple[str, ...], resource: str, reference: str | tuple[str, ...]) -> ForeignKey:
    return ForeignKey(fields=_as_tuple(fields), resource=resource, reference=_as_tuple(reference))


def _as_tuple(names: str | tuple[str, ...]) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else names


_TABLE_NAMES = (*RECORD_TYPES, "coverage")

SOURCES = Table(
    name="sources",
    title="Sources",
    description="Les documents cités : communiqués, pages ministérielles, articles, référentiels.",
    columns=(
        _key(
            "source_id",
            "Identifiant de la source",
            "Identifiant court et stable de la source.",
            "prefet-occitanie-2022-02-03",
        ),
        _string(
            "title",
            "Titre",
            "Titre du document, en français.",
            "Déploiement du service public de l'insertion et de l'emploi : 5 départements lauréats en Occitanie",
            required=True,
        ),
        _string(
            "publisher",
            "Éditeur",
            "Qui a publié le document.",
            "Préfet de la région Occitanie",
            required=True,
        ),
        _enum(
            "kind",
            "Nature",
            "Nature du document, de la plus à la moins officielle.",
            SourceKind,
            required=True,
        ),
        *_partial_date("published", "Date de publication", "Date de publication du document", "2022-02-03"),
        _string(
            "url",
            "Adresse",
            "Adresse web où lire le document, quand elle est connue.",
            "https://travail-emploi.gouv.fr/",
            format="uri",
        ),
        _string("place", "Lieu", "Lieu d'émission du document.", "Toulouse"),
        _date(
            "checked",
            "Dernière consultation",
            "Jour où l'adresse a été lue pour la dernière fois.",
            "2026-11-28",
        ),
    ),
    primary_key=("source_id",),
    to_rows=_records("sources"),
)

CITATIONS = Table(
    name="citations",
    title="Citations",
    description="Ce qu'une source dit d'un champ d'un enregistrement (ou de tout l'enregistrement), "
    "avec la citation exacte et la valeur qu'elle donne. Les sources en désaccord sont toutes gardées.",
    columns=(
        _string(
            "citation_id",
            "Identifiant de la citation",
            "Identifiant stable : table/clé/champ/numéro.",
            "rounds/ami-2/launched/1",
            required=True,
            unique=True,
        ),
        _string(
            "record_table",
            "Table",
            "Table de l'enregistrement cité.",
            "rounds",
            required=True,
            enum=tuple(n for n in RECORD_TYPES if n not in ("sources", "citations")),
        ),
        _string(
            "record_key",
            "Clé de l'enregistrement",
            "Clé de l'enregistrement cité ; une clé composée est jointe par « | » (ami-2|fr:departement:31). Vide pour une table de référence citée une seule fois.",
            "ami-2",
        ),
        _string(
            "field",
            "Champ",
            "Champ de l'enregistrement dont parle la source (pour une date ou un montant, le préfixe de ses colonnes) ; vide quand la citation porte sur tout l'enregistrement.",
            "launched",
            pattern=r"^[a-z_0-9]+$",
        ),
        _id("source_id", "Source", "Identifiant de la source citée.", "te-list", required=True),
        _string(
            "quote",
            "Citation",
            "Extrait exact et court de la source, en français, tel qu'écrit.",
            "un deuxième AMI national a été lancé en juin 2021",
        ),
        _string(
            "value",
            "Valeur selon la source",
            "La valeur que donne cette source, sous la forme publiée du champ (date EDTF, « montant ±demi-précision », identifiant).",
            "2021-06",
        ),
        _enum(
            "kind",
            "Nature de la citation",
            "states : la source le dit ; inferred : déduit de la source, raisonnement en note.",
            CitationKind,
            required=True,
        ),
        _string(
            "note",
            "Note",
            "Raisonnement d'une déduction, ou réserve.",
            "Par élimination : absent des deux listes précédentes.",
        ),
    ),
    primary_key=("citation_id",),
    to_rows=_records("citations"),
)

TERRITORIES = Table(
    name="territories",
    title="Territoires",
    description="Départements, régions (COG de l'INSEE) et autres territoires retenus par le SPIE "
    "(métropole, collectivités, territoires corses, territoire composite).",
    columns=(
        _territory_ref(
            "territory_id",
            "Identifiant du territoire",
            "Identifiant de zone de data.gouv.fr (fr:departement:31, fr:region:76) ou identifiant local spie:… pour les autres territoires.",
            required=True,
            unique=True,
        ),
        _enum("kind", "Nature", "Nature du territoire.", TerritoryKind, required=True),
        _string(
            "name",
            "Nom",
            "Nom tel que l'INSEE l'écrit (ou la source, hors COG).",
            "Haute-Garonne",
            required=True,
        ),
        _integer(
            "tncc",
            "Type de nom en clair (TNCC)",
            "Type de nom en clair de l'INSEE : article et charnière (3 : « la », « de la »). Vide quand aucune source ne le donne.",
            "3",
            minimum=0,
            maximum=8,
        ),
        _string(
            "code_region",
            "Code région",
            "Code INSEE de la région où se trouve le territoire (son propre code pour une région).",
            "76",
            pattern=_REGION_PATTERN,
        ),
        _string(
            "iso_3166_2",
            "Code ISO 3166-2",
            "Code de subdivision ISO 3166-2, quand il existe.",
            "FR-31",
            pattern=r"^FR-[0-9A-Z]{2,3}$",
        ),
        _enum(
            "cog",
            "Origine COG",
            "copied : copié du fichier de l'INSEE ; restated : reformulé d'une description secondaire ; vide hors COG.",
            CogStatus,
        ),
        _string(
            "code_departement",
            "Code département",
            "Code INSEE du département ; seulement pour les départements.",
            "31",
            pattern=_DEPARTEMENT_PATTERN,
        ),
    ),
    primary_key=("territory_id",),
    to_rows=_territory_rows,
)

COVERAGE = Table(
    name="coverage",
    title="Couverture",
    description="Départements couverts par un territoire qui n'est pas un département "
    "(la Collectivité européenne d'Alsace couvre le 67 et le 68).",
    columns=(
        _territory_ref("territory_id", "Territoire", "Territoire qui couvre le département.", required=True),
        _string(
            "code_departement",
            "Code département",
            "Code INSEE du département couvert.",
            "67",
            required=True,
            pattern=_DEPARTEMENT_PATTERN,
        ),
    ),
    primary_key=("territory_id", "code_departement"),
    foreign_keys=(_fk("territory_id", "territories", "territory_id"),),
    to_rows=_coverage_rows,
)

ORGANISATIONS = Table(
    name="organisations",
    title="Organisations",
    description="Financeurs, porteurs de projet et partenaires : l'État, les conseils départementaux, Pôle emploi…",
    columns=(
        _key("organisation_id", "Identifiant de l'organisation", "Identifiant court et stable.", "cd-31"),
        _string(
            "name",
            "Nom",
            "Nom tel que les sources l'écrivent.",
            "DEPARTEMENT DE LA HAUTE GARONNE",
            required=True,
        ),
        _enum("kind", "Rôle", "Rôle de l'organisation dans le SPIE.", OrganisationKind, required=True),
        _boolean(
            "collective",
            "Désignation collective",
            "true quand le nom désigne un type d'acteurs (« associations ») et non un organisme.",
            "false",
            required=True,
        ),
        _string(
            "siren",
            "SIREN",
            "Numéro SIREN (9 chiffres, clé de Luhn vérifiée).",
            "223100017",
            pattern=r"^\d{9}$",
        ),
        _boolean(
            "siren_verified",
            "SIREN vérifié",
            "true si le SIREN a été vérifié dans le répertoire Sirene de l'INSEE.",
            "false",
            required=True,
        ),
        _territory_ref(
            "territory_id", "Territoire", "Territoire de l'organisation (pour un conseil départemental)."
        ),
    ),
    primary_key=("organisation_id",),
    to_rows=_records("organisations"),
)

PROGRAMMES = Table(
    name="programmes",
    title="Programmes",
    description="Le programme : le service public de l'insertion et de l'emploi.",
    columns=(
        _key("programme_id", "Identifiant du programme", "Identifiant court.", "spie"),
        _string(
            "name", "Nom", "Nom du programme.", "service public de l'insertion et de l'emploi", required=True
        ),
        _string("acronym", "Sigle", "Sigle du programme.", "SPIE"),
        _string(
            "strategy",
            "Stratégie",
            "Stratégie dont relève le programme.",
            "stratégie de prévention et de lutte contre la pauvreté",
        ),
        _string(
            "purpose",
            "Objet",
            "Objet du programme, tel que le communiqué fondateur le formule.",
            "renforcer l'efficacité de l'accompagnement vers l'emploi",
        ),
        _year("first_year", "Première année", "Première année de la période budgétaire.", "2021"),
        _year("last_year", "Dernière année", "Dernière année de la période budgétaire.", "2023"),
        _integer(
            "territories_engaged",
            "Territoires engagés",
            "Nombre de territoires qui déploient le programme, à la date indiquée.",
            "79",
            minimum=0,
        ),
        *_partial_date(
            "territories_engaged_as_of",
            "Date du décompte",
            "Date à laquelle le nombre de territoires est donné",
            "2022",
        ),
        _enum(
            "holder_kind",
            "Porteur des projets",
            "Type d'organisation qui porte les projets.",
            OrganisationKind,
        ),
        _id("cofunder_id", "Cofinanceur", "Organisation qui cofinance les projets.", "etat"),
    ),
    primary_key=("programme_id",),
    to_rows=_records("programmes"),
)

ROUNDS = Table(
    name="rounds",
    title="Vagues",
    description="Les vagues du SPIE : l'expérimentation de 2020, le premier et le deuxième appel à manifestation d'intérêt.",
    columns=(
        _key("round_id", "Identifiant de la vague", "experimentation-2020, ami-1 ou ami-2.", "ami-2"),
        _id("programme_id", "Programme", "Programme de la vague.", "spie", required=True),
        _enum(
            "kind",
            "Nature",
            "experimentation ou ami (appel à manifestation d'intérêt).",
            RoundKind,
            required=True,
        ),
        _integer(
            "number", "Numéro", "Ordre de la vague (0 pour l'expérimentation).", "2", required=True, minimum=0
        ),
        _string(
            "name",
            "Nom",
            "Nom de la vague, en français.",
            "deuxième appel à manifestation d'intérêt",
            required=True,
        ),
        *_partial_date("launched", "Lancement", "Date de lancement de l'appel", "2021-07-15"),
        *_partial_date("deadline", "Date limite", "Date limite de candidature", "2021-10-11"),
        *_partial_date(
            "announced",
            "Annonce des lauréats",
            "Date à laquelle les lauréats ont été rendus publics",
            "2022-02",
        ),
        _integer(
            "targeted",
            "Territoires visés",
            "Nombre de territoires que l'appel visait, au niveau national.",
            "35",
            minimum=0,
        ),
        _integer(
            "retained",
            "Territoires retenus",
            "Nombre de territoires retenus au niveau national, selon les sources.",
            "34",
            minimum=0,
        ),
        *_money(
            "cap", "Plafond par territoire", "Montant maximal par territoire lauréat", "500000.00", "1000.00"
        ),
        _year(
            "first_year", "Première année des projets", "Première année de mise en œuvre des projets.", "2022"
        ),
        _year(
            "last_year", "Dernière année des projets", "Dernière année de mise en œuvre des projets.", "2023"
        ),
    ),
    primary_key=("round_id",),
    to_rows=_records("rounds"),
)

SELECTIONS = Table(
    name="selections",
    title="Lauréats",
    description="Un territoire retenu dans une vague, avec le porteur du projet.",
    columns=(
        _id("round_id", "Vague", "Vague où le territoire a été retenu.", "ami-2", required=True),
        _territory_ref("territory_id", "Territoire", "Territoire retenu.", required=True),
        _id("holder_id", "Porteur", "Organisation qui porte le projet, quand une source la nomme.", "cd-31"),
        _string(
            "code_region",
            "Région selon la source",
            "Région où la source place le territoire, quand elle le dit.",
            "76",
            pattern=_REGION_PATTERN,
        ),
    ),
    primary_key=("round_id", "territory_id"),
    to_rows=_records("selections"),
)

ENVELOPES = Table(
    name="envelopes",
    title="Enveloppes",
    description="Un budget annoncé pour un périmètre et une période (80 millions d'euros au niveau national, 1,7 million en Occitanie).",
    columns=(
        _key(
            "envelope_id", "Identifiant de l'enveloppe", "Identifiant court et stable.", "occitanie-2021-2023"
        ),
        _id("funder_id", "Financeur", "Organisation qui apporte les crédits.", "etat", required=True),
        *_money("amount", "Montant", "Montant de l'enveloppe", "1700000.00", "100000.00", required=True),
        _year("first_year", "Première année", "Première année couverte.", "2021"),
        _year("last_year", "Dernière année", "Dernière année couverte.", "2023"),
        _territory_ref("scope_id", "Périmètre", "Territoire concerné ; vide pour le niveau national."),
        _id("parent_id", "Enveloppe parente", "Enveloppe dont celle-ci fait partie.", "national-2021-2023"),
        _string(
            "covers",
            "Objet",
            "Ce que l'enveloppe finance, selon la source.",
            "subventions directes et développement de solutions numériques",
        ),
        _integer(
            "beneficiary_count",
            "Nombre de bénéficiaires",
            "Nombre de bénéficiaires qui se la partagent, selon la source.",
            "8",
            minimum=0,
        ),
    ),
    primary_key=("envelope_id",),
    to_rows=_records("envelopes"),
)

ALLOCATIONS = Table(
    name="allocations",
    title="Attributions",
    description="Un financement d'un financeur au projet d'un bénéficiaire "
    "(370 000 € de l'État à la Haute-Garonne, convention du 25 novembre 2022).",
    columns=(
        _key("allocation_id", "Identifiant de l'attribution", "Identifiant court et stable.", "cd-31-etat"),
        _id("funder_id", "Financeur", "Organisation qui finance.", "etat", required=True),
        *_money("amount", "Montant", "Montant attribué", "370000.00", "1.00", required=True),
        _id(
            "beneficiary_id", "Bénéficiaire", "Organisation bénéficiaire, quand une source la nomme.", "cd-31"
        ),
        _id(
            "envelope_id",
            "Enveloppe",
            "Enveloppe sur laquelle le financement est pris.",
            "occitanie-2021-2023",
        ),
        _id("round_id", "Vague", "Vague du projet financé.", "ami-2"),
        _territory_ref("territory_id", "Territoire", "Territoire du projet financé."),
        *_partial_date(
            "convention", "Convention", "Date de signature de la convention de financement", "2022-11-25"
        ),
        _year("first_year", "Première année", "Première année financée.", "2022"),
        _year("last_year", "Dernière année", "Dernière année financée.", "2023"),
    ),
    primary_key=("allocation_id",),
    # The one reference of two fields: the record's own references are in REFERENCES.
    foreign_keys=(_fk(("round_id", "territory_id"), "selections", ("round_id", "territory_id")),),
    to_rows=_records("allocations"),
)

TALLIES = Table(
    name="tallies",
    title="Décomptes",
    description="Un nombre de lauréats qu'une source donne pour un périmètre (« 3 départements d'Occitanie retenus »).",
    columns=(
        _key("tally_id", "Identifiant du décompte", "Identifiant court et stable.", "occitanie-ami-1"),
        _territory_ref(
            "scope_id", "Périmètre", "Territoire (une région) dont les lauréats sont comptés.", required=True
        ),
        _integer(
            "count",
            "Nombre",
            "Nombre de territoires retenus dans le périmètre.",
            "3",
            required=True,
            minimum=0,
        ),
        _id("round_id", "Vague", "Vague comptée ; vide pour toutes les vagues.", "ami-1"),
    ),
    primary_key=("tally_id",),
    to_rows=_records("tallies"),
)


def _with_references(tables: tuple[Table, ...]) -> dict[str, Table]:
    """The tables with the foreign keys of :data:`~spie_occitanie.model.references.REFERENCES` first.

    A reference is declared once, in the model; here it becomes the foreign key
    of the column of the same name, pointing at the target table's primary key.
    """
    keys = {t.name: t.primary_key for t in tables}
    result = {}
    for table in tables:
        declared = tuple(
            ForeignKey(fields=(field,), resource=target, reference=keys[target])
            for (name, field), target in REFERENCES.items()
            if name == table.name and field in table.column_names
        )
        result[table.name] = attrs.evolve(table, foreign_keys=declared + table.foreign_keys)
    return result


#: Every published table, in publication order.
TABLES: Mapping[str, Table] = _with_references(
    (
        SOURCES,
        CITATIONS,
        TERRITORIES,
        COVERAGE,
        ORGANISATIONS,
        PROGRAMMES,
        ROUNDS,
        SELECTIONS,
        ENVELOPES,
        ALLOCATIONS,
        TALLIES,
    )
)


# -- rows -> records -------------------------------------------------------------------------


def _gather(cls: type, row: Row) -> dict[str, Any]:
    """The keyword arguments of ``cls`` from a row of typed cells."""
    kwargs: dict[str, Any] = {}
    for name in _field_names(cls):
        if _is_partial_date(cls, name):
            text = row.get(f"{name}_edtf")
            if text is None:
                continue
            try:
                date = PartialDate.from_edtf(text)
            except InvalidValueError as error:
                raise RowError(f"{name}_edtf", text, error.reason) from None
            for part in ("earliest", "latest"):
                cell = row.get(f"{name}_{part}")
                if cell is not None and cell != getattr(date, part):
                    raise RowError(
                        f"{name}_{part}",
                        cell,
                        f"must be {getattr(date, part).isoformat()}, the {part} day of {text}",
                    )
            kwargs[name] = date
        elif _is_money(cls, name):
            amount, precision = row.get(f"{name}_eur"), row.get(f"{name}_precision_eur")
            if amount is None and precision is None:
                continue
            if amount is None or precision is None:
                missing = f"{name}_eur" if amount is None else f"{name}_precision_eur"
                raise RowError(missing, None, "must be given with its pair")
            try:
                kwargs[name] = Money.of(amount, precision)
            except InvalidValueError as error:
                column = f"{name}_eur" if error.field == "amount" else f"{name}_precision_eur"
                raise RowError(column, error.value, error.reason) from None
        elif name in row and row[name] is not None:
            kwargs[name] = _parse_cell(cls, name, row[name])
    return kwargs


def _parse_cell(cls: type, name: str, value: object) -> object:
    enum_type = field_type(cls, name).enum
    if enum_type is None:
        return value
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum_type)
        raise RowError(name, value, f"must be one of {allowed}") from None


def record_from_row(table: str, row: Row) -> Any:
    """Build the record of ``table`` from one row of typed cells.

    Raises:
        RowError: a cell cannot be part of the record.
        InvalidValueError: the record breaks a value rule.
    """
    cls = RECORD_TYPES[table]
    if table == "territories":
        row = dict(row)
        kind = row.get("kind")
        row["code"] = (
            row.get("code_departement")
            if kind == "departement"
            else row.get("code_region")
            if kind == "region"
            else None
        )
        if kind != "departement" and row.get("code_departement") is not None:
            raise RowError(
                "code_departement",
                row["code_departement"],
                "must be empty for a territory that is not a département",
            )
    return cls(**_gather(cls, row))


def dataset_from_rows(rows: Mapping[str, list[Row]]) -> Dataset:
    """A dataset from the rows of every table (all of them valid)."""
    records: dict[str, list[Any]] = {
        name: [record_from_row(name, r) for r in rows.get(name, [])] for name in RECORD_TYPES
    }
    return dataset_from_records({**records, "coverage": rows.get("coverage", [])})


def dataset_from_records(records: Mapping[str, list[Any]]) -> Dataset:
    """A dataset from the records of every table, and the rows of ``coverage``.

    The coverage rows are not records: they become the territories' ``covers``.
    """
    from spie_occitanie.dataset import Dataset

    covers: dict[str, list[str]] = {}
    for row in records.get("coverage", []):
        covers.setdefault(row["territory_id"], []).append(f"fr:departement:{row['code_departement']}")
    tables: dict[str, list[Any]] = {name: list(records.get(name, [])) for name in RECORD_TYPES}
    tables["territories"] = [
        attrs.evolve(t, covers=tuple(sorted(covers.get(t.territory_id, ())))) for t in tables["territories"]
    ]
    return Dataset(**tables)
