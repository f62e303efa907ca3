"""data.gouv.fr dataset metadata: ``datagouv.json``, in the shape of udata's API.

An export folder becomes one data.gouv.fr dataset: its title, a French
Markdown description, the licence (``lov2``, Licence Ouverte 2.0), an update
frequency, tags, the spatial and temporal coverage, and one resource per
published file (``datapackage.json``, ``data/*.csv``, ``parquet/*.parquet``
and the SCDL file under ``scdl/``) with its format, MIME type, size and
sha256. ``datagouv.json`` is written last, into the folder the other formats
were written to, and describes exactly the files it finds there: sizes and
checksums are computed from the bytes, never assumed.

What the portal asks for and the project has not configured is never
invented. The organisation and the homepage are read from
:func:`~spie_occitanie.publisher.publisher`; those left unset are listed in
the dataset's ``extras`` under ``spie-occitanie:not-configured``, and the
file stays valid without them (a dataset owned by a user has no
organisation).

**Linking a CSV to its Table Schema.** udata's resource ``schema`` is
``{name, version}`` for a schema catalogued on schema.data.gouv.fr (a name
that is not in the catalogue is a validation error) or ``{url}`` for any
other schema reachable by URL (open-data-conventions.md section 4.3). The
project's Table Schemas are not catalogued, and until the project has a
public address there is no URL to give. So each CSV resource always carries
the relative path of its Table Schema in the export,
``extras["spie-occitanie:table-schema"]`` (for instance
``schemas/rounds/schema.json``), and gets ``schema: {"url": ...}`` only when
the caller passes ``schema_base_url``, the public address the export folder is
published under. A ``name`` is never set for them: it would claim a catalogue
entry that does not exist. The SCDL file, whose schema is catalogued, is
linked by name: ``{"name": "scdl/subventions", "version": "2.1.1"}``.

udata's resources need a ``url``, which the portal sets when a file is
uploaded; the metadata gives the file's path in the export instead, in the
resource's ``extras["spie-occitanie:path"]``, and ``filetype: "file"``.

The same dataset and files always give the same bytes: no clock is read.
``temporal_coverage`` spans the dates the records hold, and the release day
comes from the publisher.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.errors import SpieError
from spie_occitanie.model import PartialDate
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.tables import TABLES


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "FILE_NAME",
    "FREQUENCY",
    "GRANULARITY",
    "LICENSE",
    "DatagouvError",
    "check_datagouv",
    "datagouv_json_schema",
    "datagouv_metadata",
    "slugify_tag",
    "spatial_coverage",
    "temporal_coverage",
    "write_datagouv",
]

#: The file written into the export folder.
FILE_NAME = "datagouv.json"
#: udata's id of the Licence Ouverte / Open Licence 2.0 (SPDX ``etalab-2.0``).
LICENSE = "lov2"
#: udata's ``UpdateFrequency``: the record is corrected and extended when a
#: source is found, not on a schedule.
FREQUENCY = "irregular"
#: The finest level the territories are described at: départements, and
#: other territories through the départements they cover.
GRANULARITY = "fr:departement"
#: The prefix of the project's keys in udata's free ``extras``, as udata
#: namespaces its own (``check:``, ``analysis:``).
EXTRA = "spie-occitanie:"

#: udata's bounds on a tag (``udata/tags.py``).
TAG_MIN_LENGTH, TAG_MAX_LENGTH = 3, 96

#: The catalogued schema of the SCDL file.
SCDL_SCHEMA = {"name": "scdl/subventions", "version": "2.1.1"}
#: IANA's media type for Parquet (registered in 2024).
PARQUET_MIME = "application/vnd.apache.parquet"

_TRANSLITERATE = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_ZONE = re.compile(r"fr:(region|departement):[0-9AB]{2,3}")


class DatagouvError(SpieError):
    """The metadata cannot be built or does not pass its JSON Schema.

    Attributes:
        report: the findings, when the metadata was built and checked.
    """

    def __init__(self, message: str, report: Report | None = None) -> None:
        self.report = report
        super().__init__(message)


# -- tags, coverage -----------------------------------------------------------------------------


def slugify_tag(text: str) -> str:
    """A tag as udata stores it: ``slugify(text.lower())``, then its length rule.

    udata slugifies with python-slugify (letters transliterated to ASCII,
    every run of other characters one ``-``), drops a tag shorter than 3
    characters and cuts one longer than 96 (``udata/tags.py``, ``normalize``).
    This mirrors it for the French keywords a publisher writes; an empty
    string means udata would drop the tag.
    """
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"(?<=\d),(?=\d)", "", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) < TAG_MIN_LENGTH:
        return ""
    return slug[:TAG_MAX_LENGTH]


def _tags(keywords: Iterable[str]) -> list[str]:
    """Slugified, deduplicated and sorted, as udata's ``TagListField`` cleans them."""
    return sorted({tag for tag in map(slugify_tag, keywords) if tag})


def _record_dates(ds: Dataset) -> Iterator[tuple[dt.date, dt.date]]:
    """The earliest and latest day of every date and year the records hold.

    Sources and citations are left out: when a document was published or
    read says nothing of the period the data is about (INSEE's 2024 COG is
    not a fact of 2024).
    """
    from spie_occitanie.dataset import RECORD_TYPES

    for name in RECORD_TYPES:
        if name in ("sources", "citations"):
            continue
        for record in ds.table(name):
            for field in attrs.fields(type(record)):
                value = getattr(record, field.name)
                if isinstance(value, PartialDate):
                    yield value.earliest, value.latest
                elif field.name in ("first_year", "last_year") and isinstance(value, int):
                    yield dt.date(value, 1, 1), dt.date(value, 12, 31)


def temporal_coverage(ds: Dataset) -> dict[str, str] | None:
    """``{start, end}``: the first and last day the records' dates and years can be.

    ``None`` when the records hold no date: an unknown coverage is left out.
    """
    spans = list(_record_dates(ds))
    if not spans:
        return None
    return {
        "start": min(start for start, _ in spans).isoformat(),
        "end": max(end for _, end in spans).isoformat(),
    }


def spatial_coverage(ds: Dataset) -> dict[str, Any]:
    """``{zones, granularity}``, the zones as the data covers them.

    ``country:fr`` when the selections span more than one région (the
    national lists); the zone of every région or département an envelope or
    a tally is stated for (``fr:region:76``: the 1,7 million euros and the 8
    laureates of Occitanie), since the dataset details those. The
    granularity is the département, the level the territories are given at.
    """
    zones: set[str] = set()
    regions = {
        territory.code_region
        for selection in ds.selections
        if (territory := ds.get("territories", selection.territory_id)) is not None
    }
    if len(regions - {None}) > 1:
        zones.add("country:fr")
    scopes = [e.scope_id for e in ds.envelopes] + [t.scope_id for t in ds.tallies]
    zones.update(scope for scope in scopes if scope is not None and _ZONE.fullmatch(scope))
    return {"zones": sorted(zones), "granularity": GRANULARITY}


# -- the description -------------------------------------------------------------------------


def _programme_section(ds: Dataset) -> list[str]:
    lines = ["## Le programme", ""]
    if not ds.programmes:
        return [*lines, "Le jeu de données ne décrit aucun programme.", ""]
    for programme in ds.programmes:
        text = f"Le programme décrit : « {programme.name} »"
        if programme.acronym is not None:
            text += f" ({programme.acronym})"
        if programme.strategy is not None:
            text += f", dans la {programme.strategy}"
        text += "."
        if programme.purpose is not None:
            text += f" Son objet : « {programme.purpose} »."
        if programme.first_year is not None and programme.last_year is not None:
            text += f" Son budget couvre les années {programme.first_year} à {programme.last_year}."
        lines.append(text)
    lines.append("")
    if ds.rounds:
        lines.append("Les territoires y sont entrés par vagues :")
        lines.append("")
        for round_ in sorted(ds.rounds, key=lambda r: r.number):
            known = len(ds.selections_in(round_.round_id))
            count = f"{known} territoires connus"
            if round_.retained is not None:
                count += f" sur {round_.retained} retenus selon les sources"
            lines.append(f"- {round_.name} (`{round_.round_id}`) : {count} ;")
        lines[-1] = lines[-1].removesuffix(" ;") + "."
        lines.append("")
    return lines


def _tables_section(ds: Dataset) -> list[str]:
    lines = [
        "## Les tables",
        "",
        (
            "Chaque table est publiée en CSV (`data/<table>.csv`, UTF-8, virgule, point décimal) "
            "et en Parquet (`parquet/<table>.parquet`, types explicites). `datapackage.json` décrit "
            "le paquet Frictionless (schémas, clés primaires et étrangères, empreintes sha256), et "
            "`schemas/<table>/schema.json` donne le schéma de chaque table avec le titre et la "
            "description de chaque colonne."
        ),
        "",
        "| table | contenu | lignes |",
        "| --- | --- | ---: |",
    ]
    for table in TABLES.values():
        rows = len(table.to_rows(ds))
        lines.append(f"| `{table.name}` | **{table.title}**. {table.description} | {rows} |")
    lines.append("")
    return lines


def _sources_section(ds: Dataset) -> list[str]:
    conflicts = ds.conflicts()
    lines = [
        "## Sources, désaccords et lacunes",
        "",
        (
            "Chaque fait porte au moins une citation (table `citations`) : la source (`source_id`, "
            "table `sources`), l'extrait exact tel que la source l'écrit, la valeur qu'elle donne, et "
            "si elle l'énonce (`states`) ou si la valeur en est déduite (`inferred`, le raisonnement en "
            "note). Quand des sources se contredisent, toutes les citations sont gardées et "
            "l'enregistrement retient la valeur qu'une règle de préférence documentée choisit."
        ),
        "",
        (
            "Les dates partielles (« en juin 2021 », « au printemps 2021 ») sont publiées en EDTF "
            "(`<nom>_edtf`) avec le premier et le dernier jour possibles (`<nom>_earliest`, "
            "`<nom>_latest`) ; les montants en euros avec la précision à laquelle la source les "
            "énonce (`amount_eur`, `amount_precision_eur`). Ce qu'aucune source ne dit reste vide."
        ),
        "",
    ]
    if conflicts:
        lines.append(f"Les sources sont en désaccord sur {len(conflicts)} champ(s) :")
        lines.append("")
        lines.extend(
            f"- `{c.table}` `{c.key}`, champ `{c.field}` : valeur retenue `{c.kept}`" for c in conflicts
        )
        lines.append("")
    incomplete = [
        line for line in ds.completeness() if line.declared is not None and line.known < line.declared
    ]
    if incomplete:
        lines.append("Listes incomplètes :")
        lines.append("")
        for line in incomplete:
            scope = "au niveau national" if line.scope_id is None else f"pour `{line.scope_id}`"
            wave = "" if line.round_id is None else f"vague `{line.round_id}`, "
            lines.append(f"- {wave}{scope} : {line.known} territoires connus sur {line.declared} annoncés")
        lines.append("")
    return lines


def _licence_and_citation(who: Publisher) -> list[str]:
    from spie_occitanie.formats.datapackage import LICENSE as PACKAGE_LICENSE

    authors = ", ".join(c.title for c in who.contributors) or who.name
    citation = f"{authors}, « {who.title} », version {who.version}, publiée le {who.released}"
    if who.homepage is not None:
        citation += f", {who.homepage}"
    return [
        "## Licence",
        "",
        (
            f"{PACKAGE_LICENSE['title']} (Etalab, identifiant data.gouv.fr `{LICENSE}`, SPDX "
            f"`{PACKAGE_LICENSE['name']}`) : {PACKAGE_LICENSE['path']}. Réutilisation libre, y compris "
            "commerciale, à condition de mentionner la source."
        ),
        "",
        "## Citer ce jeu de données",
        "",
        f"{citation}, {PACKAGE_LICENSE['title']}.",
        "",
        (
            "Pour un fait repris isolément, citez aussi sa source d'origine : la table `citations` "
            "donne, pour chaque valeur, la source et l'extrait exact."
        ),
        "",
    ]


def _description(ds: Dataset, who: Publisher) -> str:
    lines = [
        who.description,
        "",
        *_programme_section(ds),
        *_tables_section(ds),
        *_sources_section(ds),
        *_licence_and_citation(who),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _short_description(ds: Dataset) -> str:
    names = [p.acronym or p.name for p in ds.programmes]
    subject = ", ".join(names) if names else "programme"
    return (
        f"{subject} : vagues, lauréats, financements, et pour chaque fait sa source et "
        "la citation exacte qui l'établit."
    )


# -- resources ------------------------------------------------------------------------------------


def _file_facts(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {
        "filesize": len(data),
        "checksum": {"type": "sha256", "value": hashlib.sha256(data).hexdigest()},
    }


def _resource(
    folder: Path, path: Path, *, title: str, description: str, fmt: str, mime: str, kind: str
) -> dict[str, Any]:
    relative = path.relative_to(folder).as_posix()
    return {
        "title": title,
        "description": description,
        "filetype": "file",
        "type": kind,
        "format": fmt,
        "mime": mime,
        **_file_facts(path),
        "extras": {f"{EXTRA}path": relative},
    }


def _table_of(path: Path) -> Any:
    table = TABLES.get(path.stem)
    if table is None:
        raise DatagouvError(
            f"{path}: no published table is named {path.stem!r}; datagouv.json describes only "
            "the files the export writes"
        )
    return table


def _resources(folder: Path, schema_base_url: str | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    descriptor = folder / "datapackage.json"
    if descriptor.is_file():
        found.append(
            _resource(
                folder,
                descriptor,
                title="Descripteur du paquet de données (datapackage.json)",
                description="Descripteur Frictionless Data Package : les tables, leurs schémas, clés "
                "et empreintes, la licence, les sources et les contributeurs.",
                fmt="json",
                mime="application/json",
                kind="documentation",
            )
        )
    for path in sorted((folder / "data").glob("*.csv")):
        table = _table_of(path)
        schema_path = f"schemas/{table.name}/schema.json"
        resource = _resource(
            folder,
            path,
            title=f"{table.title} (CSV)",
            description=f"{table.description} Schéma de la table : `{schema_path}`.",
            fmt="csv",
            mime="text/csv",
            kind="main",
        )
        resource["extras"][f"{EXTRA}table-schema"] = schema_path
        if schema_base_url is not None:
            resource["schema"] = {"url": f"{schema_base_url.rstrip('/')}/{schema_path}"}
        found.append(resource)
    for path in sorted((folder / "parquet").glob("*.parquet")):
        table = _table_of(path)
        found.append(
            _resource(
                folder,
                path,
                title=f"{table.title} (Parquet)",
                description=f"{table.description} Mêmes données que `data/{table.name}.csv`, "
                "typées (montants décimaux exacts, dates, codes en texte).",
                fmt="parquet",
                mime=PARQUET_MIME,
                kind="main",
            )
        )
    for path in sorted((folder / "scdl").glob("*.csv")):
        resource = _resource(
            folder,
            path,
            title="Subventions au format SCDL (scdl/subventions 2.1.1)",
            description="Les attributions du jeu de données en lignes du schéma SCDL « Subventions » "
            "2.1.1 : une ligne par bénéficiaire.",
            fmt="csv",
            mime="text/csv",
            kind="main",
        )
        resource["schema"] = dict(SCDL_SCHEMA)
        found.append(resource)
    return sorted(found, key=lambda r: r["extras"][f"{EXTRA}path"])


# -- the document -----------------------------------------------------------------------------------


def datagouv_metadata(ds: Dataset, folder: Path, *, schema_base_url: str | None = None) -> dict[str, Any]:
    """The data.gouv.fr dataset describing ``ds`` and the files found in ``folder``.

    Args:
        ds: the dataset the files were written from.
        folder: the export folder: ``datapackage.json``, ``data/*.csv``,
            ``parquet/*.parquet`` and ``scdl/*.csv`` are described when present.
        schema_base_url: the public address ``folder`` is published under,
            when it has one; each CSV resource then links its Table Schema by
            URL (see the module's docstring).

    Raises:
        DatagouvError: the folder holds none of the files to describe, or a
            table file the project does not publish.
    """
    who = publisher()
    folder = Path(folder)
    found = _resources(folder, schema_base_url)
    if not found:
        raise DatagouvError(
            f"{folder}: holds no published file to describe (datapackage.json, data/*.csv, "
            "parquet/*.parquet, scdl/*.csv); write the other formats first"
        )
    extras: dict[str, Any] = {f"{EXTRA}version": who.version, f"{EXTRA}released": who.released}
    if who.homepage is not None:
        extras[f"{EXTRA}homepage"] = who.homepage
    if who.organisation is not None:
        extras[f"{EXTRA}organisation"] = who.organisation
    missing = who.missing_for_portals()
    if missing:
        extras[f"{EXTRA}not-configured"] = list(missing)
    document: dict[str, Any] = {
        "title": who.title,
        "description": _description(ds, who),
        "description_short": _short_description(ds),
        "license": LICENSE,
        "frequency": FREQUENCY,
        "tags": _tags(who.keywords),
        "spatial": spatial_coverage(ds),
    }
    coverage = temporal_coverage(ds)
    if coverage is not None:
        document["temporal_coverage"] = coverage
    document["extras"] = extras
    document["resources"] = found
    return document


def datagouv_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``datagouv.json``, written from udata's dataset and resource fields."""
    text = resources.files("spie_occitanie.formats").joinpath("datagouv.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def check_datagouv(document: Mapping[str, Any]) -> Report:
    """Every way ``document`` breaks the JSON Schema, or a rule it cannot express.

    The JSON Schema checks shapes, ids and lengths; this adds what JSON
    Schema cannot say: tags sorted as udata stores them, a temporal coverage
    that does not end before it starts, resources in path order.
    """
    import jsonschema  # type: ignore[import-untyped]

    validator = jsonschema.Draft202012Validator(
        datagouv_json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    findings = [
        _finding("json-schema", "/".join(map(str, error.absolute_path)) or None, error.message)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
    tags = document.get("tags")
    if isinstance(tags, list) and tags != sorted(set(tags)):
        findings.append(
            _finding("tags-order", "tags", f"must be sorted and unique, as udata stores them: {tags!r}")
        )
    coverage = document.get("temporal_coverage")
    if isinstance(coverage, dict):
        start, end = coverage.get("start"), coverage.get("end")
        if isinstance(start, str) and isinstance(end, str) and start > end:
            findings.append(
                _finding("temporal-coverage", "temporal_coverage", f"ends ({end}) before it starts ({start})")
            )
    return Report(tuple(findings))


def _finding(check: str, field: str | None, message: str) -> Finding:
    where = FILE_NAME if field is None else f"{FILE_NAME} field '{field}'"
    return Finding(
        check=check,
        severity=Severity.ERROR,
        table=FILE_NAME,
        key=None,
        field=field,
        message=f"{where}: {message}",
    )


def write_datagouv(ds: Dataset, folder: Path | str, *, schema_base_url: str | None = None) -> Path:
    """Write ``datagouv.json`` into ``folder``, describing the files already there.

    The document is checked against its JSON Schema before it is written.

    Raises:
        DatagouvError: nothing to describe, or the document fails its checks.
    """
    folder = Path(folder)
    document = datagouv_metadata(ds, folder, schema_base_url=schema_base_url)
    report = check_datagouv(document)
    if not report.ok:
        raise DatagouvError(f"{folder / FILE_NAME}: the metadata fails its checks\n{report}", report)
    path = folder / FILE_NAME
    path.write_bytes((json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
