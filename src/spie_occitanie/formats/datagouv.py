"""data.gouv.fr: ``datagouv.json``, what udata's API takes, and the upload plan.

An export folder becomes one data.gouv.fr dataset. udata (the software of
data.gouv.fr) takes a dataset in one request and its files one upload at a
time, and sets the url, checksum (sha1), size, MIME type and format of an
uploaded file itself (``HOSTED_RESOURCE_PROTECTED_FIELDS``). So
``datagouv.json`` holds two parts, tested against udata's own code
(``tests/portal/``):

- ``dataset``: exactly the body of ``POST /api/1/datasets/``: title, French
  Markdown description, short description, licence (``lov2``, Licence Ouverte
  2.0), update frequency, tags slugified as udata slugifies them, spatial
  coverage (zones and granularity), temporal coverage and ``extras``. No
  ``resources``: udata requires a ``url`` for each, which only an upload gives.
- ``uploads``: one entry per published file (``datapackage.json``,
  ``data/*.csv``, ``parquet/*.parquet``, ``scdl/*.csv``): its ``path`` in the
  folder, our ``sha256`` and ``bytes`` for our own check, the ``format`` udata
  will derive from the file name, and the ``resource`` fields sent after the
  upload (title, description, type, schema link, extras). Sizes and checksums
  are computed from the bytes, never assumed.

What the portal asks for and the project has not configured is never
invented. Those fields are listed in the dataset's ``extras`` under
``spie-occitanie:not-configured``.

**Linking a CSV to its Table Schema.** udata's resource ``schema`` is
``{name, version}`` for a schema catalogued on schema.data.gouv.fr or
``{url}`` for any other schema reachable by URL. The project's Table Schemas
are not catalogued; each CSV is linked by URL when the publisher settings give
``files_url``, the public address the export folder is published under
(``<files_url>/schemas/<table>/schema.json``). The relative path of the schema
is always kept in the resource's ``extras["spie-occitanie:table-schema"]``.
The SCDL file, whose schema is catalogued, is linked by name:
``{"name": "scdl/subventions", "version": "2.1.1"}``.

The same dataset and files always give the same bytes: no clock is read.
``temporal_coverage`` spans the dates the records hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.errors import DatagouvError
from spie_occitanie.model import PartialDate
from spie_occitanie.outputs import published_files
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.tables import TABLES


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "FILE_NAME",
    "FREQUENCY",
    "GRANULARITY",
    "LICENSE",
    "PROTECTED_FIELDS",
    "DatagouvError",
    "check_datagouv",
    "datagouv_metadata",
    "dataset_fields",
    "schema_url",
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
#: IANA's media type for Parquet (registered in 2024).
PARQUET_MIME = "application/vnd.apache.parquet"
#: What udata sets itself on an uploaded file and ignores when sent
#: (``HOSTED_RESOURCE_PROTECTED_FIELDS`` in udata 17.18).
PROTECTED_FIELDS = ("filetype", "url", "checksum", "filesize", "mime", "format")

#: What Unidecode writes for the characters NFKD does not take apart, and the
#: typographic apostrophes it turns into the ASCII one that slugify removes.
_TRANSLITERATE = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ð": "d",
        "þ": "th",
        "€": "EUR",
        "°": "deg",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
    }
)
#: NFKD writes ``½`` as ``1``, FRACTION SLASH, ``2``; Unidecode reads that slash as ``/``.
_AFTER_FOLD = str.maketrans({"\u2044": "/"})
_ZONE = re.compile(r"fr:(region|departement):[0-9AB]{2,3}")


# -- tags, coverage -----------------------------------------------------------------------------


def slugify_tag(text: str) -> str:
    """A tag as udata stores it: awesome-slugify's ``slugify(text.lower())``, then its length rule.

    udata (``udata/tags.py``, ``normalize``) lowercases the text, slugifies it
    with awesome-slugify (Unidecode transliteration, ASCII apostrophes
    removed so that "l'insertion" gives ``linsertion``, every run of other
    characters one ``-``), drops a tag shorter than 3 characters and cuts one
    longer than 96. This reproduces it for the text a French publisher
    writes (Latin letters with their accents, digits, punctuation, ``€``,
    ``°``); ``tests/portal/`` compares it with udata's own function. An
    empty string means udata would drop the tag.
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE)).translate(_AFTER_FOLD)
    # Accents go; any other character left outside ASCII (« », dashes) is punctuation to
    # Unidecode, hence a separator.
    ascii_text = "".join(c if c.isascii() else "" if unicodedata.category(c) == "Mn" else " " for c in folded)
    slug = "-".join(word for word in re.split(r"[^A-Za-z0-9]+", ascii_text.replace("'", "")) if word)
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
    from spie_occitanie.formats.table_schema import LICENSE as PACKAGE_LICENSE

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


# -- the upload plan --------------------------------------------------------------------------------


def _file_facts(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _upload(folder: Path, path: Path, *, title: str, description: str, fmt: str, kind: str) -> dict[str, Any]:
    relative = path.relative_to(folder).as_posix()
    return {
        "path": relative,
        **_file_facts(path),
        "format": fmt,
        "resource": {
            "title": title,
            "description": description,
            "type": kind,
            "extras": {f"{EXTRA}path": relative},
        },
    }


def schema_url(who: Publisher, schema_path: str) -> str | None:
    """The public address of a Table Schema of the export, when ``files_url`` is configured."""
    if who.files_url is None:
        return None
    return f"{who.files_url}/{schema_path}"


def _uploads(folder: Path, who: Publisher) -> list[dict[str, Any]]:
    """One upload per published file of the export, as the output formats describe them."""
    files, unknown = published_files(folder)
    if unknown:
        raise DatagouvError(
            f"{folder / unknown[0]}: no published table is named {Path(unknown[0]).stem!r}; "
            "datagouv.json describes only the files the export writes"
        )
    found = []
    for file in files:
        upload = _upload(
            folder,
            folder / file.path,
            title=file.title,
            description=file.description,
            fmt=file.format,
            kind=file.kind or "main",
        )
        if file.table_schema is not None:
            upload["resource"]["extras"][f"{EXTRA}table-schema"] = file.table_schema
            url = schema_url(who, file.table_schema)
            if url is not None:
                upload["resource"]["schema"] = {"url": url}
        if file.catalogue_schema is not None:
            upload["resource"]["schema"] = dict(file.catalogue_schema)
        found.append(upload)
    return found


# -- the document -----------------------------------------------------------------------------------


def dataset_fields(ds: Dataset, who: Publisher) -> dict[str, Any]:
    """The body of udata's ``POST /api/1/datasets/`` for ``ds``: every dataset field, no resource."""
    extras: dict[str, Any] = {
        f"{EXTRA}name": who.name,
        f"{EXTRA}version": who.version,
        f"{EXTRA}released": who.released,
    }
    if who.homepage is not None:
        extras[f"{EXTRA}homepage"] = who.homepage
    if who.organisation is not None:
        extras[f"{EXTRA}organisation"] = who.organisation
    missing = who.missing_for_portals()
    if missing:
        extras[f"{EXTRA}not-configured"] = ", ".join(missing)
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
    return document


def datagouv_metadata(ds: Dataset, folder: Path, *, who: Publisher | None = None) -> dict[str, Any]:
    """``{"dataset": ..., "uploads": [...]}`` for ``ds`` and the files found in ``folder``.

    Args:
        ds: the dataset the files were written from.
        folder: the export folder: ``datapackage.json``, ``data/*.csv``,
            ``parquet/*.parquet`` and ``scdl/*.csv`` are described when present.
        who: the publisher settings (default: :func:`~spie_occitanie.publisher.publisher`).

    Raises:
        DatagouvError: the folder holds none of the files to describe, or a
            table file the project does not publish.
    """
    who = publisher() if who is None else who
    folder = Path(folder)
    uploads = _uploads(folder, who)
    if not uploads:
        raise DatagouvError(
            f"{folder}: holds no published file to describe (datapackage.json, data/*.csv, "
            "parquet/*.parquet, scdl/*.csv); write the other formats first"
        )
    return {"dataset": dataset_fields(ds, who), "uploads": uploads}


def check_datagouv(document: Mapping[str, Any]) -> Report:
    """The rules udata's forms do not enforce but the project promises.

    udata itself is the judge of what it accepts (``tests/portal/``); this
    checks what it would silently rewrite or what would break a publish:
    tags already in udata's form (slugified, sorted, unique), a temporal
    coverage that does not end before it starts, no dataset-level
    ``resources``, and uploads with a path, a sha256 and no field udata sets
    itself.
    """
    findings: list[Finding] = []
    dataset = document.get("dataset")
    uploads = document.get("uploads")
    if not isinstance(dataset, Mapping) or not isinstance(uploads, list):
        return Report((_finding("shape", None, "must hold a 'dataset' object and an 'uploads' list"),))
    tags = dataset.get("tags", [])
    if not isinstance(tags, list) or tags != sorted({slugify_tag(t) for t in tags if isinstance(t, str)}):
        findings.append(
            _finding("tags", "dataset/tags", f"must be udata's slugs, sorted and unique: {tags!r}")
        )
    if "resources" in dataset:
        findings.append(
            _finding(
                "resources",
                "dataset/resources",
                "udata requires a url for each resource; files go through the upload plan",
            )
        )
    coverage = dataset.get("temporal_coverage")
    if isinstance(coverage, Mapping):
        start, end = coverage.get("start"), coverage.get("end")
        if isinstance(start, str) and isinstance(end, str) and start > end:
            findings.append(
                _finding(
                    "temporal-coverage",
                    "dataset/temporal_coverage",
                    f"ends ({end}) before it starts ({start})",
                )
            )
    for number, upload in enumerate(uploads):
        where = f"uploads/{number}"
        if not isinstance(upload, Mapping):
            findings.append(_finding("upload", where, "must be an object"))
            continue
        if not isinstance(upload.get("path"), str) or not re.fullmatch(
            r"[0-9a-f]{64}", str(upload.get("sha256"))
        ):
            findings.append(_finding("upload", where, "needs a 'path' and a hexadecimal 'sha256'"))
        resource = upload.get("resource")
        protected = sorted(set(resource) & set(PROTECTED_FIELDS)) if isinstance(resource, Mapping) else []
        if protected:
            findings.append(
                _finding(
                    "protected-fields",
                    f"{where}/resource",
                    f"udata sets {', '.join(protected)} of an uploaded file itself; leave them out",
                )
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


def write_datagouv(ds: Dataset, folder: Path | str, *, who: Publisher | None = None) -> Path:
    """Write ``datagouv.json`` into ``folder``, describing the files already there.

    Raises:
        DatagouvError: nothing to describe, or the document fails its checks.
    """
    folder = Path(folder)
    document = datagouv_metadata(ds, folder, who=who)
    report = check_datagouv(document)
    if not report.ok:
        raise DatagouvError(f"{folder / FILE_NAME}: the metadata fails its checks\n{report}", report)
    path = folder / FILE_NAME
    path.write_bytes((json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
