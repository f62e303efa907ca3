"""The Frictionless data package: write it, and read one back with every error reported.

Writing gives ``datapackage.json``, ``data/<table>.csv`` in the pinned dialect
(:mod:`spie_occitanie.formats.csv`) and ``schemas/<table>/schema.json``, one
Table Schema per table following schema.data.gouv.fr's conventions, with the
``README.md`` that documents it. The descriptor carries the licence, sources,
contributors, version, ``created``, keys, and the ``hash`` and ``bytes`` of
every file. The same dataset always writes the same bytes.

Reading treats the package as untrusted input and has one judge: the
validator (:mod:`spie_occitanie.stream.validate`, through the checks of
:mod:`spie_occitanie.stream.package`) says whether a package is valid, with
every finding located by file, row, field and value; records are built only
from a package it passed.
"""

from __future__ import annotations

import json

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spie_occitanie.errors import InvalidPackageError, PackageUnreadableError
from spie_occitanie.findings import Finding, Report
from spie_occitanie.formats.csv import DIALECT, write_csv
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.stream.package import (
    DESCRIPTOR,
    MAX_FILE_BYTES,
    build_record,
    descriptor_path,
    open_package,
    typed_rows,
)
from spie_occitanie.tables import TABLES, ForeignKey, Table, dataset_from_records


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset
    from spie_occitanie.stream.validate import ProgressCallback


__all__ = [
    "DESCRIPTOR",
    "MAX_FILE_BYTES",
    "InvalidPackageError",
    "PackageUnreadableError",
    "cross_table_keys",
    "data_file",
    "descriptor_path",
    "package_schema",
    "read_datapackage",
    "release_url",
    "schema_file",
    "schema_not_configured",
    "standalone_schema",
    "table_schema",
    "validate_datapackage",
    "write_datapackage",
]

TABLE_SCHEMA_PROFILE = "https://frictionlessdata.io/schemas/table-schema.json"
LICENSE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://spdx.org/licenses/etalab-2.0.html",
}


# -- writing ------------------------------------------------------------------------------

#: The day the Table Schemas were first released (version 0.1.0). schema.data.gouv.fr's
#: ``created`` is the first creation, so it stays this day while ``lastModified``
#: follows each release.
SCHEMAS_CREATED = "2026-11-28"

#: Where every table comes from: the founding document. Its web address is not
#: known (see ``docs/data-sources.md``); :func:`founding_source` gives it one.
FOUNDING_RELEASE = {
    "title": "Préfet de la région Occitanie : Déploiement du service public de l'insertion "
    "et de l'emploi : 5 départements lauréats en Occitanie (communiqué de presse, Toulouse, "
    "3 février 2022)",
}
#: The technical sources every Table Schema follows.
SCHEMA_CONVENTIONS = (
    {"title": "Frictionless Data : profil Table Schema", "path": TABLE_SCHEMA_PROFILE},
    {
        "title": "schema.data.gouv.fr : validations spécifiques au format Table Schema "
        "(site/validation.md du dépôt datagouv/schema.data.gouv.fr)",
        "path": "https://github.com/datagouv/schema.data.gouv.fr",
    },
)
#: The source of the INSEE codes, for the tables that hold them.
COG_SOURCE = {
    "title": "INSEE : Code officiel géographique au 1er janvier 2024",
    "path": "https://www.insee.fr/fr/information/7766585",
}
#: Columns holding INSEE codes, whose meaning the COG defines.
COG_COLUMNS = frozenset({"code_departement", "code_region"})
#: Sources particular to one table.
TABLE_SOURCES: Mapping[str, tuple[dict[str, str], ...]] = {
    "allocations": (
        {
            "title": "SCDL « Subventions » 2.1.1 (scdl/subventions), le schéma national "
            "des subventions, vers lequel les attributions s'exportent",
            "path": "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json",
        },
    ),
}


def release_url(who: Publisher, file: str) -> str | None:
    """The public address of ``file`` in the release of ``who.version``, if a homepage is configured.

    The homepage is the Git repository; schema.data.gouv.fr takes versions from
    tags ``vX.Y.Z`` and its ``path`` convention is the forge's raw file at that
    tag (``<homepage>/raw/v1.0.2/schema.json``). Without a homepage there is no
    address, and none is invented.
    """
    if who.homepage is None:
        return None
    return f"{who.homepage.rstrip('/')}/raw/v{who.version}/{file}"


def published_url(who: Publisher, file: str) -> str | None:
    """The public address of a file of the export: under ``files_url``, else at the release tag."""
    if who.files_url is not None:
        return f"{who.files_url}/{file}"
    return release_url(who, file)


def founding_source(who: Publisher) -> dict[str, str] | None:
    """The founding press release as a schema source, with an address, or ``None`` without one.

    Its own web address is unknown; schema.data.gouv.fr's documentation
    generator needs a ``path`` for every source, so the entry points at the
    ``sources`` table of the published dataset, which describes the release
    (its publisher, date and the quotes taken from it). Without a public
    address for the dataset the entry is left out rather than left without
    a path.
    """
    where = published_url(who, "data/sources.csv")
    return None if where is None else {**FOUNDING_RELEASE, "path": where}


def schema_contributors(who: Publisher) -> list[dict[str, str]]:
    """The contributors, with the publisher's organisation and contact address where they have none.

    schema.data.gouv.fr asks each contributor for an ``organisation`` and an
    ``email``; only configured values are written.
    """
    found = []
    for contributor in who.contributors:
        entry = contributor.to_descriptor()
        if "organisation" not in entry and who.organisation is not None:
            entry["organisation"] = who.organisation
        if "email" not in entry and who.email is not None:
            entry["email"] = who.email
        found.append(entry)
    return found


def schema_changelog(table: Table, who: Publisher) -> str:
    """The schema's ``CHANGELOG.md``, which schema.data.gouv.fr shows beside each version."""
    return (
        f"# Historique du schéma `{who.name}-{table.name}`\n\n"
        f"## {who.version} ({who.released})\n\n"
        "Première version publiée du schéma : les champs, leurs titres, descriptions, exemples et "
        "contraintes, et la clé primaire de la table. Les clés étrangères vers les autres tables sont "
        "déclarées dans `datapackage.json`, pour que le fichier se valide seul avec ce schéma.\n"
    )


def schema_file(table: Table) -> str:
    """The path of a table's schema inside the package."""
    return f"schemas/{table.name}/schema.json"


def data_file(table: Table) -> str:
    """The path of a table's CSV inside the package."""
    return f"data/{table.name}.csv"


def schema_not_configured(who: Publisher) -> tuple[str, ...]:
    """The fields schema.data.gouv.fr asks for that the publisher identity does not give.

    ``path`` is the address of the schema file, which needs the homepage.
    """
    missing = list(who.missing_for_portals())
    if who.homepage is None:
        missing.insert(1, "path")
    return tuple(missing)


def cross_table_keys(table: Table) -> tuple[ForeignKey, ...]:
    """The foreign keys that point at other tables.

    frictionless checks them only with the package at hand: validating the
    table's file alone against its schema stops with "package is required for
    foreign keys to other resources" (tested with frictionless 5.21).
    """
    return tuple(fk for fk in table.foreign_keys if fk.resource not in ("", table.name))


def table_schema(table: Table, who: Publisher) -> dict[str, Any]:
    """A table's schema, with schema.data.gouv.fr's top-level properties.

    ``homepage`` and ``path`` are present only when the publisher has a
    homepage; the example resource is the table's own file in the package
    (relative to the schema), or its address in the release when there is one.
    """
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "name": f"{who.name}-{table.name}",
        "title": f"{table.title} ({who.name})",
        "description": table.description,
        "countryCode": "FR",
    }
    if who.homepage is not None:
        schema["homepage"] = who.homepage
        schema["path"] = release_url(who, schema_file(table))
    example = published_url(who, data_file(table)) or f"../../{data_file(table)}"
    founding = founding_source(who)
    sources = [*([founding] if founding is not None else []), *SCHEMA_CONVENTIONS]
    if COG_COLUMNS & set(table.column_names):
        sources.append(COG_SOURCE)
    sources.extend(TABLE_SOURCES.get(table.name, ()))
    schema.update(
        {
            "resources": [
                {
                    "title": f"Exemple de fichier valide : {table.title.lower()} du jeu de données publié",
                    "path": example,
                }
            ],
            "sources": sources,
            "created": SCHEMAS_CREATED,
            "lastModified": who.released,
            "version": who.version,
            "contributors": schema_contributors(who),
            "licenses": [LICENSE],
            "keywords": list(who.keywords),
        }
    )
    schema.update(standalone_schema(table))
    return schema


def standalone_schema(table: Table) -> dict[str, Any]:
    """A table's fields and keys without its foreign keys to other tables.

    data.gouv.fr and Validata validate one file against the schema it is
    linked to, without its package; frictionless then stops at a foreign key
    to another resource ("package is required for foreign keys to other
    resources"). The published ``schemas/<table>/schema.json`` therefore keeps
    only the keys one file can check; the package's descriptor carries the
    whole schema (:func:`package_schema`), where a package validator checks
    the keys between tables.
    """
    schema = table.schema_descriptor()
    cross = cross_table_keys(table)
    local = [fk.to_descriptor() for fk in table.foreign_keys if fk not in cross]
    schema.pop("foreignKeys", None)
    if local:
        schema["foreignKeys"] = local
    return schema


def package_schema(table: Table) -> dict[str, Any]:
    """The schema a table has inside ``datapackage.json``: every key, those between tables too."""
    return table.schema_descriptor()


def json_bytes(document: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a JSON document the project writes."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_table_schema(root: Path, table: Table, who: Publisher) -> None:
    """Write a table's ``schema.json`` and, beside it, its ``README.md``.

    The README is the page schema.data.gouv.fr shows for a registered schema.
    """
    from spie_occitanie.dictionary import schema_readme  # it renders from table_schema: a cycle

    path = root / schema_file(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(json_bytes(table_schema(table, who)))
    path.with_name("README.md").write_bytes(schema_readme(table, who).encode("utf-8"))
    path.with_name("CHANGELOG.md").write_bytes(schema_changelog(table, who).encode("utf-8"))


def resource_entry(table: Table, *, size: int, sha256: str) -> dict[str, Any]:
    """The descriptor's entry for a table's CSV file of ``size`` bytes."""
    return {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": data_file(table),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": dict(DIALECT),
        "schema": package_schema(table),
        "hash": f"sha256:{sha256}",
        "bytes": size,
    }


def package_descriptor(
    who: Publisher, *, sources: list[dict[str, str]], resources: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``datapackage.json`` document: the publisher's identity, sources and resources."""
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": who.name,
        "title": who.title,
        "description": who.description,
        "version": who.version,
        "created": who.created,
        "licenses": [LICENSE],
        "contributors": [c.to_descriptor() for c in who.contributors],
        "keywords": list(who.keywords),
        "countryCode": "FR",
        "sources": sources,
        "resources": resources,
    }
    if who.homepage is not None:
        descriptor["homepage"] = who.homepage
    return descriptor


def source_entry(title: str, publisher_name: str, url: str | None) -> dict[str, str]:
    """The descriptor's entry for one cited source."""
    entry = {"title": f"{publisher_name} : {title}"}
    if url is not None:
        entry["path"] = url
    return entry


def write_datapackage(ds: Dataset, directory: Path | str) -> Path:
    """Write ``ds`` as a data package in ``directory``; returns the descriptor's path.

    The files are written in place; :mod:`spie_occitanie.export` wraps this in
    an atomic replacement of the output folder.
    """
    root = Path(directory)
    who = publisher()
    resources = []
    for table in TABLES.values():
        written = write_csv(root / data_file(table), table, table.to_rows(ds))
        write_table_schema(root, table, who)
        resources.append(resource_entry(table, size=written.bytes, sha256=written.sha256))
    sources = [source_entry(s.title, s.publisher, s.url) for s in ds.cited_sources()]
    path = root / DESCRIPTOR
    path.write_bytes(json_bytes(package_descriptor(who, sources=sources, resources=resources)))
    return path


def validate_datapackage(path: Path | str, *, progress: ProgressCallback | None = None) -> Report:
    """Every finding about a package, ours or edited by hand.

    The same engine as ``spie-occitanie validate``
    (:func:`~spie_occitanie.stream.validate.validate_stream`): the same
    findings, at the same speed.

    Args:
        path: a ``datapackage.json`` or the folder holding it.
        progress: called with ``(label, done, total)`` as each file is read.

    Raises:
        PackageUnreadableError: nothing could be read (no such path, not JSON).
    """
    from spie_occitanie.stream.validate import validate_stream

    return validate_stream(path, progress=progress)


def read_datapackage(path: Path | str) -> Dataset:
    """The dataset of a package (the ``datapackage.json`` or its folder).

    The validator judges the package first; records are built only from a
    package it found valid, so reading and validating cannot disagree.

    Raises:
        PackageUnreadableError: nothing could be read.
        InvalidPackageError: the package is invalid; its ``report`` lists every finding.
    """
    report = validate_datapackage(path)
    if not report.ok:
        raise InvalidPackageError(Path(path), report)
    descriptor_file, declared, _ = open_package(path)
    root = descriptor_file.parent
    records: dict[str, list[Any]] = {}
    for name in TABLES:
        resource = declared[name]
        records[name] = []
        for item in typed_rows(root, name, resource):
            built = item if isinstance(item, Finding) else build_record(name, resource["path"], *item)
            if isinstance(built, Finding):  # the validator passed what the records refuse: say so
                raise InvalidPackageError(Path(path), Report((built,)))
            records[name].append(built)
    return dataset_from_records(records)
