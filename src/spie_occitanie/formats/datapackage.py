"""The Frictionless data package: write it, and read one back with every error reported.

Writing gives ``datapackage.json``, ``data/<table>.csv`` in the pinned dialect
(:mod:`spie_occitanie.formats.csv`) and ``schemas/<table>/schema.json``, one
Table Schema per table following schema.data.gouv.fr's conventions, with the
``README.md`` that documents it. The descriptor carries the licence, sources,
contributors, version, ``created``, keys, and the ``hash`` and ``bytes`` of
every file. The same dataset always writes the same bytes.

Reading treats the package as untrusted input. Paths are checked before
anything is read (no absolute path, no ``..``, no URL, no ``~`` or ``$VAR``, no
symlink leaving the folder), nothing is fetched from the network, and files
and cells have size limits. Then frictionless validates the files against the
schemas (types, constraints, keys, hashes), each row becomes a record (a
broken value rule is a finding, not a crash), and the dataset's checks run.
Every finding names the file, the row as frictionless numbers it, the field
and the value.
"""

from __future__ import annotations

import csv
import json
import os
import re

from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.errors import InvalidValueError, SpieError, UsageError
from spie_occitanie.formats.csv import DIALECT, CellError, parse_cell, read_rows, write_csv
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.tables import (
    TABLES,
    ForeignKey,
    RowError,
    Table,
    dataset_from_records,
    record_from_row,
)


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = [
    "DESCRIPTOR",
    "MAX_FILE_BYTES",
    "InvalidPackageError",
    "PackageUnreadableError",
    "cross_table_keys",
    "data_file",
    "descriptor_path",
    "read_datapackage",
    "release_url",
    "schema_file",
    "schema_not_configured",
    "table_schema",
    "validate_datapackage",
    "write_datapackage",
]

#: The descriptor's file name.
DESCRIPTOR = "datapackage.json"
#: The largest data file a reader accepts; larger files are an error.
MAX_FILE_BYTES = 256 << 20
#: The largest descriptor or schema a reader accepts.
MAX_DESCRIPTOR_BYTES = 4 << 20

TABLE_SCHEMA_PROFILE = "https://frictionlessdata.io/schemas/table-schema.json"
LICENSE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://spdx.org/licenses/etalab-2.0.html",
}


class PackageUnreadableError(UsageError):
    """Nothing could be read: no such path, or a descriptor that is not JSON."""


class InvalidPackageError(SpieError):
    """The package was read and is invalid.

    Attributes:
        report: every finding.
    """

    def __init__(self, path: Path, report: Report) -> None:
        self.report = report
        super().__init__(f"{path}: {len(report.errors)} error(s)\n{report}")


# -- writing ------------------------------------------------------------------------------

#: The day the Table Schemas were first released (version 0.1.0). schema.data.gouv.fr's
#: ``created`` is the first creation, so it stays this day while ``lastModified``
#: follows each release.
SCHEMAS_CREATED = "2026-11-28"

#: Where every table comes from: the founding document. Its web address is not
#: known (see ``docs/data-sources.md``), so the entry has no ``path``.
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
    example = release_url(who, data_file(table)) or f"../../{data_file(table)}"
    sources = [FOUNDING_RELEASE, *SCHEMA_CONVENTIONS]
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
            "contributors": [c.to_descriptor() for c in who.contributors],
            "licenses": [LICENSE],
            "keywords": list(who.keywords),
        }
    )
    schema.update(table.schema_descriptor())
    return schema


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
        "schema": schema_file(table),
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


# -- reading: paths -----------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def descriptor_path(path: Path | str) -> Path:
    """The descriptor of a package given as the file or the folder holding it.

    Raises:
        PackageUnreadableError: there is no such descriptor.
    """
    candidate = Path(path)
    if candidate.is_dir():
        candidate /= DESCRIPTOR
    if not candidate.is_file():
        raise PackageUnreadableError(
            f"{path}: no such data package (expected {DESCRIPTOR} or a folder holding it)"
        )
    return candidate


def unsafe_reason(root: Path, value: object) -> str | None:
    """Why a path of an untrusted descriptor must not be followed, or ``None`` if it is safe."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty relative path"
    if _SCHEME.match(value) or value.startswith("//"):
        return "is a URL; a package is read from its folder only, never from the network"
    if value.startswith("~"):
        return "starts with '~'"
    if "$" in value or "%" in value:
        return "contains an environment variable"
    pure = PurePosixPath(value.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", value):
        return "is absolute"
    if ".." in pure.parts:
        return "goes up with '..'"
    resolved = (root / pure).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return "leaves the package folder through a symbolic link"
    return None


# -- reading: findings ----------------------------------------------------------------------------


def file_finding(
    check: str, file: str, message: str, *, row: int | None = None, field: str | None = None
) -> Finding:
    where = file if row is None else f"{file} row {row}"
    if field is not None:
        where += f" field '{field}'"
    return Finding(
        check=check,
        severity=Severity.ERROR,
        table=file,
        key=None if row is None else str(row),
        field=field,
        message=f"{where}: {message}",
    )


def load_json(path: Path, what: str) -> Any:
    if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        raise PackageUnreadableError(f"{path}: the {what} is larger than {MAX_DESCRIPTOR_BYTES} bytes")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageUnreadableError(f"{path}: the {what} is not JSON ({error})") from None


def declared_resources(root: Path, descriptor: Any) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    """The resources by name, and the findings about the descriptor's structure and paths."""
    findings: list[Finding] = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        return {}, [file_finding("descriptor-error", DESCRIPTOR, "must hold a list of 'resources'")]
    declared: dict[str, dict[str, Any]] = {}
    for number, resource in enumerate(resources, start=1):
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            findings.append(
                file_finding(
                    "descriptor-error", DESCRIPTOR, f"resource #{number} must be an object with a 'name'"
                )
            )
            continue
        name = resource["name"]
        for key in ("path", "schema", "dialect"):
            if key not in resource:
                if key != "dialect":
                    findings.append(
                        file_finding("descriptor-error", DESCRIPTOR, f"resource {name!r} has no '{key}'")
                    )
                continue
            value = resource[key]
            if key != "path" and isinstance(value, dict):
                continue  # an inline schema or dialect: nothing to follow
            reason = unsafe_reason(root, value)
            if reason is not None:
                findings.append(
                    file_finding("unsafe-path", DESCRIPTOR, f"resource {name!r} {key} {value!r} {reason}")
                )
        declared[name] = resource
    for name in TABLES:
        if name not in declared:
            findings.append(file_finding("missing-resource", DESCRIPTOR, f"has no resource {name!r}"))
    return declared, findings


def schema_findings(root: Path, name: str, resource: dict[str, Any]) -> list[Finding]:
    """The declared schema must describe the table as the library does."""
    table = TABLES[name]
    schema = resource.get("schema")
    if isinstance(schema, str):
        schema_file = root / schema
        if not schema_file.is_file():
            return [file_finding("missing-file", schema, f"the schema of {name!r} does not exist")]
        schema = load_json(schema_file, "schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return [file_finding("schema-error", str(resource.get("schema")), "must hold a list of 'fields'")]
    declared = [(f.get("name"), f.get("type")) for f in fields if isinstance(f, dict)]
    expected = [(c.name, c.type) for c in table.columns]
    if declared != expected:
        return [
            file_finding(
                "schema-mismatch",
                str(resource.get("schema")),
                f"fields {declared} differ from the {name!r} table's {expected}",
            )
        ]
    return []


def file_findings(root: Path, name: str, resource: dict[str, Any]) -> list[Finding]:
    path = root / resource["path"]
    if not path.is_file():
        return [file_finding("missing-file", resource["path"], f"the data of {name!r} does not exist")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return [
            file_finding(
                "file-too-large",
                resource["path"],
                f"{size} bytes, more than the {MAX_FILE_BYTES} a reader accepts",
            )
        ]
    return []


def _frictionless_findings(descriptor_file: Path) -> tuple[list[Finding], dict[str, set[int]]]:
    """Findings of frictionless's validation, and the rows it found bad per resource."""
    import frictionless

    with frictionless.system.use_context(trusted=False):
        report = frictionless.validate(str(descriptor_file))
    findings: list[Finding] = []
    bad_rows: dict[str, set[int]] = {}
    for error in report.errors:
        findings.append(file_finding(error.type, DESCRIPTOR, error.message))
    for task in report.tasks:
        place = task.place
        if Path(place).is_absolute():
            place = os.path.relpath(place, descriptor_file.parent)
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            if row is not None:
                bad_rows.setdefault(task.name, set()).add(row)
            elif error.type not in ("hash-count", "byte-count", "row-count"):
                bad_rows.setdefault(task.name, set()).add(0)  # the whole file is unusable
            cell = getattr(error, "cell", None)
            message = error.note or error.message
            if cell is not None:
                message = f"{message} (value {cell!r})"
            findings.append(file_finding(error.type, place, message, row=row, field=field))
    return findings, bad_rows


def _rows(
    root: Path, name: str, resource: dict[str, Any], skip: set[int]
) -> Iterator[tuple[int, dict[str, Any]] | Finding]:
    """Typed rows of a resource, or findings for rows that cannot be records."""
    table = TABLES[name]
    file = resource["path"]
    try:
        for number, cells in read_rows(root / file):
            if number == 1:
                continue  # the header; frictionless checked its labels
            if number in skip or len(cells) != len(table.columns):
                continue  # frictionless reported this row
            row: dict[str, Any] = {}
            for column, text in zip(table.columns, cells, strict=True):
                try:
                    row[column.name] = parse_cell(column, text)
                except CellError as error:
                    yield file_finding("type-error", file, str(error), row=number, field=column.name)
                    break
            else:
                yield number, row
    except csv.Error as error:
        yield file_finding("source-error", file, f"cannot be read as CSV: {error}")
    except UnicodeDecodeError as error:
        yield file_finding("encoding-error", file, f"is not UTF-8: {error}")


def build_record(name: str, file: str, number: int, row: dict[str, Any]) -> Any:
    if name == "coverage":
        return row  # not a record of its own: it becomes the territories' covers
    try:
        return record_from_row(name, row)
    except RowError as error:
        return file_finding(
            "value-rule", file, f"{error.reason} (value {error.value!r})", row=number, field=error.field
        )
    except InvalidValueError as error:
        field = error.field
        value = row.get(field, error.value)
        return file_finding("value-rule", file, f"{error.reason} (value {value!r})", row=number, field=field)


def open_package(path: Path | str) -> tuple[Path, dict[str, dict[str, Any]], list[Finding]]:
    """A package's descriptor file, its resources by table, and what stops it being read at all.

    The findings (an unsafe or incomplete descriptor, a missing or oversized
    file, a Table Schema that is not ours) come before any data is parsed:
    when there are some, nothing that reads files is handed the package.
    Both the reader and the streaming validator start here.

    Raises:
        PackageUnreadableError: no such package, or a descriptor that is not a JSON object.
    """
    descriptor_file = descriptor_path(path)
    root = descriptor_file.parent
    descriptor = load_json(descriptor_file, "descriptor")
    if not isinstance(descriptor, dict):
        raise PackageUnreadableError(f"{descriptor_file}: the descriptor must be a JSON object")
    declared, findings = declared_resources(root, descriptor)
    if not findings:
        for name in TABLES:  # the descriptor may declare more; only the project's tables are read
            resource = declared[name]
            findings += file_findings(root, name, resource) + schema_findings(root, name, resource)
    return descriptor_file, declared, findings


def _read(path: Path | str) -> tuple[Dataset | None, Report]:
    descriptor_file, declared, findings = open_package(path)
    if findings:
        return None, Report(tuple(findings))
    root = descriptor_file.parent
    frictionless_findings, bad_rows = _frictionless_findings(descriptor_file)
    findings.extend(frictionless_findings)
    records: dict[str, list[Any]] = {}
    complete = True
    for name, resource in ((n, declared[n]) for n in TABLES):
        skip = bad_rows.get(name, set())
        if 0 in skip:
            complete = False
            continue
        records[name] = []
        for item in _rows(root, name, resource, skip):
            if isinstance(item, Finding):
                findings.append(item)
                complete = False
                continue
            number, row = item
            built = build_record(name, resource["path"], number, row)
            if isinstance(built, Finding):
                findings.append(built)
                complete = False
            else:
                records[name].append(built)
        if skip:
            complete = False
    dataset = dataset_from_records(records)
    report = dataset.check()
    findings.extend(report.findings)
    return (dataset if complete else None), Report(tuple(findings))


def validate_datapackage(path: Path | str) -> Report:
    """Every finding about a package, ours or edited by hand.

    Raises:
        PackageUnreadableError: nothing could be read (no such path, not JSON).
    """
    return _read(path)[1]


def read_datapackage(path: Path | str) -> Dataset:
    """The dataset of a package (the ``datapackage.json`` or its folder).

    Raises:
        PackageUnreadableError: nothing could be read.
        InvalidPackageError: the package is invalid; its ``report`` lists every finding.
    """
    dataset, report = _read(path)
    if dataset is None or not report.ok:
        raise InvalidPackageError(Path(path), report)
    return dataset
