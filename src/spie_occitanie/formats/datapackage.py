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

from pathlib import Path
from typing import TYPE_CHECKING, Any

from spie_occitanie.dictionary import schema_readme
from spie_occitanie.errors import InvalidPackageError, PackageUnreadableError
from spie_occitanie.findings import Finding, Report
from spie_occitanie.formats.csv import DIALECT, write_csv
from spie_occitanie.formats.table_schema import (
    LICENSE,
    cross_table_keys,
    data_file,
    json_bytes,
    package_schema,
    release_url,
    schema_changelog,
    schema_file,
    schema_not_configured,
    standalone_schema,
    table_schema,
)
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.stream.package import (
    DESCRIPTOR,
    MAX_FILE_BYTES,
    build_record,
    descriptor_path,
    open_package,
    too_large_for_records,
    typed_rows,
)
from spie_occitanie.tables import TABLES, Table, dataset_from_records


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


def write_table_schema(root: Path, table: Table, who: Publisher) -> None:
    """Write a table's ``schema.json`` and, beside it, its ``README.md``.

    The README is the page schema.data.gouv.fr shows for a registered schema.
    """
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
    descriptor_file, declared, opening = open_package(path)
    too_large = [] if opening else too_large_for_records(descriptor_file.parent, declared)
    if too_large:
        raise InvalidPackageError(Path(path), Report(tuple(too_large)))
    report = validate_datapackage(path)
    if not report.ok:
        raise InvalidPackageError(Path(path), report)
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
