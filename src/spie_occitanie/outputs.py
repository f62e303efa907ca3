"""The output formats: each one object, consulted by the export and by what describes an export.

An :class:`OutputFormat` says once what a format is: its name, the function
that writes it, the files it adds to the export folder (as patterns) and how
each of those files is described to a portal (title, description, format,
media type, the kind of resource, the schema it follows). ``spie-occitanie
export`` writes the formats from here; ``datagouv.json``'s upload plan and
the DCAT-AP distributions list the files from here. Adding a format is one
entry of :data:`FORMATS`.

The writer is named as ``"module:function"`` (as an entry point is) and
loaded only when the format is written: this registry sits low in the
layers, beside the tables it describes, and imports no format.
"""

from __future__ import annotations

import importlib

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.tables import TABLES


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["DEFAULT_FORMATS", "FORMATS", "OutputFormat", "PublishedFile", "published_files"]

#: The SCDL schema's catalogue name and version on schema.data.gouv.fr.
SCDL_SCHEMA = {"name": "scdl/subventions", "version": "2.1.1"}


@attrs.frozen(kw_only=True)
class PublishedFile:
    """One file of an export, as a portal is told about it.

    Attributes:
        path: its path in the export folder, with ``/``.
        title: its French title.
        description: what it holds, in French.
        format: its format as portals name it (``csv``, ``parquet``, ``json``).
        media_type: its IANA media type.
        kind: the kind of resource on data.gouv.fr (``main`` or ``documentation``);
            ``None`` for a file that is not published on its own (a schema's README).
        table: the published table it holds, if one.
        table_schema: the Table Schema it follows, a path in the export folder, if one.
        catalogue_schema: the schema.data.gouv.fr schema it follows, if one.
    """

    path: str
    title: str
    description: str
    format: str
    media_type: str
    kind: str | None
    table: str | None = None
    table_schema: str | None = None
    catalogue_schema: Mapping[str, str] | None = None


#: A file of a format (its relative path) as a portal is told about it; ``None`` when the
#: format does not know the file (a CSV of ``data/`` that names no table).
Describe = Callable[[str], PublishedFile | None]


@attrs.frozen(kw_only=True)
class OutputFormat:
    """One output format of ``spie-occitanie export``.

    Attributes:
        name: its name on the command line (``--format parquet``).
        title: what it is, in a few words.
        writer: ``"module:function"``; the function takes ``(ds, folder, options)``.
        patterns: the files it adds to the export folder (glob patterns).
        default: whether ``export`` writes it when no format is asked for.
        describe: a file of this format (its relative path) as a portal is told about it.
        needs: what it needs that the caller gives (an option name), if anything.
        reads: the formats whose files it describes: written too when it is asked alone,
            then left out of the export.
    """

    name: str
    title: str
    writer: str
    patterns: tuple[str, ...]
    default: bool
    describe: Describe = attrs.field(eq=False, repr=False)
    needs: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()

    def write(self, ds: Dataset, folder: Path, options: Any) -> None:
        """Write the format into ``folder`` (the writer's module is imported now)."""
        module, _, function = self.writer.partition(":")
        getattr(importlib.import_module(module), function)(ds, folder, options)

    def files(self, folder: Path) -> list[Path]:
        """The files of this format in ``folder``, sorted."""
        return sorted({p for pattern in self.patterns for p in folder.glob(pattern) if p.is_file()})


def _table_csv(path: str) -> PublishedFile | None:
    table = TABLES.get(Path(path).stem)
    if table is None:
        return None
    schema_path = f"schemas/{table.name}/schema.json"
    return PublishedFile(
        path=path,
        title=f"{table.title} (CSV)",
        description=f"{table.description} Schéma de la table : `{schema_path}`.",
        format="csv",
        media_type="text/csv",
        kind="main",
        table=table.name,
        table_schema=schema_path,
    )


def _descriptor(path: str) -> PublishedFile | None:
    if path.startswith("schemas/"):
        return _not_published(path)  # published on schema.data.gouv.fr, not as resources
    if path != "datapackage.json":
        return _table_csv(path)
    return PublishedFile(
        path=path,
        title="Descripteur du paquet de données (datapackage.json)",
        description="Descripteur Frictionless Data Package : les tables, leurs schémas, clés "
        "et empreintes, la licence, les sources et les contributeurs.",
        format="json",
        media_type="application/json",
        kind="documentation",
    )


def _parquet(path: str) -> PublishedFile | None:
    table = TABLES.get(Path(path).stem)
    if table is None:
        return None
    return PublishedFile(
        path=path,
        title=f"{table.title} (Parquet)",
        description=f"{table.description} Mêmes données que `data/{table.name}.csv`, "
        "typées (montants décimaux exacts, dates, codes en texte).",
        format="parquet",
        media_type="application/vnd.apache.parquet",
        kind="main",
        table=table.name,
    )


def _scdl(path: str) -> PublishedFile:
    return PublishedFile(
        path=path,
        title="Subventions au format SCDL (scdl/subventions 2.1.1)",
        description="Les attributions du jeu de données en lignes du schéma SCDL « Subventions » "
        "2.1.1 : une ligne par bénéficiaire.",
        format="csv",
        media_type="text/csv",
        kind="main",
        catalogue_schema=SCDL_SCHEMA,
    )


def _not_published(path: str) -> PublishedFile:
    """Files that describe the others (metadata) or illustrate them: not resources of their own."""
    return PublishedFile(path=path, title=path, description="", format="", media_type="", kind=None)


#: Every output format, in the order ``export`` runs them: ``datagouv`` and ``dcat``
#: describe the files the others wrote, so they come last.
FORMATS: Mapping[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            name="datapackage",
            title="Frictionless data package: CSV files, Table Schemas and descriptor",
            writer="spie_occitanie.export:write_datapackage_format",
            patterns=("datapackage.json", "data/*.csv", "schemas/*/*"),
            default=True,
            describe=_descriptor,
        ),
        OutputFormat(
            name="parquet",
            title="one Parquet file per table",
            writer="spie_occitanie.export:write_parquet_format",
            patterns=("parquet/*.parquet",),
            default=True,
            describe=_parquet,
        ),
        OutputFormat(
            name="scdl",
            title="the allocations as SCDL « subventions » 2.1.1 rows",
            writer="spie_occitanie.export:write_scdl_format",
            patterns=("scdl/*.csv",),
            default=False,
            describe=_scdl,
            needs=("scdl_config",),
        ),
        OutputFormat(
            name="figures",
            title="maps, funding chart and timeline as PNG and SVG",
            writer="spie_occitanie.export:write_figures_format",
            patterns=("figures/*.png", "figures/*.svg"),
            default=False,
            describe=_not_published,
        ),
        OutputFormat(
            name="datagouv",
            title="data.gouv.fr's dataset metadata and upload plan",
            writer="spie_occitanie.export:write_datagouv_format",
            reads=("datapackage", "parquet"),
            patterns=("datagouv.json",),
            default=True,
            describe=_not_published,
        ),
        OutputFormat(
            name="dcat",
            title="DCAT-AP 3.0.1 in Turtle and JSON-LD",
            writer="spie_occitanie.export:write_dcat_format",
            reads=("datapackage", "parquet"),
            patterns=("dcat.ttl", "dcat.jsonld"),
            default=False,
            describe=_not_published,
        ),
    )
}

#: The formats written when none is asked for.
DEFAULT_FORMATS = tuple(name for name, f in FORMATS.items() if f.default)


def published_files(folder: Path) -> tuple[list[PublishedFile], list[str]]:
    """The files of the export in ``folder`` that a portal publishes, described, by path.

    Returns them with the paths that a format's patterns match but that the
    format does not know (``data/notes.csv``), which nothing can describe.
    """
    found: list[PublishedFile] = []
    unknown: list[str] = []
    for output in FORMATS.values():
        for path in output.files(folder):
            relative = path.relative_to(folder).as_posix()
            described = output.describe(relative)
            if described is None:
                unknown.append(relative)
            elif described.kind is not None:
                found.append(described)
    return sorted(found, key=lambda f: f.path), sorted(unknown)
