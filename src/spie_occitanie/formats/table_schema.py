"""The Table Schemas of the published tables, and the descriptor parts they share.

What schema.data.gouv.fr asks of a schema (title, description, example of
every field, contributors, ``homepage`` and ``path`` from the publisher
settings, a changelog) is built here from :mod:`spie_occitanie.tables`.
The schemas published with each CSV validate that file alone; the keys
between tables join them in ``datapackage.json``
(:func:`package_schema`). The data dictionary, the package writer and the
other formats read these builders; this module writes no file.
"""

from __future__ import annotations

import json

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from spie_occitanie.publisher import Publisher
    from spie_occitanie.tables import ForeignKey, Table


__all__ = [
    "COG_COLUMNS",
    "COG_SOURCE",
    "FOUNDING_RELEASE",
    "LICENSE",
    "SCHEMAS_CREATED",
    "SCHEMA_CONVENTIONS",
    "TABLE_SCHEMA_PROFILE",
    "cross_table_keys",
    "data_file",
    "founding_source",
    "json_bytes",
    "package_schema",
    "published_url",
    "release_url",
    "schema_changelog",
    "schema_contributors",
    "schema_file",
    "schema_not_configured",
    "standalone_schema",
    "table_schema",
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
