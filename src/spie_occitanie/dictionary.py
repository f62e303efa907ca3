"""The data dictionary and each Table Schema's README, rendered from :mod:`spie_occitanie.tables`.

Both are views of the one description of every column: nothing here states a
title, a type or a constraint of its own, and the README's publication fields
come from :func:`~spie_occitanie.formats.table_schema.table_schema`, so the page
and the schema it documents cannot disagree. The text is deterministic (no
clock, no environment), so the generated files (``docs/data-dictionary.md``,
``schemas/<table>/README.md``) are compared with a fresh rendering by the
tests, and a changed column shows up as drift.

The dictionary is English prose around the French titles and descriptions the
schemas publish. The READMEs are in French: schema.data.gouv.fr shows a
registered schema's README as its page, for French publishers.
"""

from __future__ import annotations

import csv
import io

from collections.abc import Iterable, Mapping
from typing import Any

from spie_occitanie.designations import DESIGNATIONS
from spie_occitanie.formats.csv import DIALECT
from spie_occitanie.formats.table_schema import (
    cross_table_keys,
    data_file,
    schema_file,
    schema_not_configured,
    table_schema,
)
from spie_occitanie.publisher import Publisher, publisher
from spie_occitanie.tables import TABLES, Column, Table


__all__ = ["REFRESH_COMMAND", "data_dictionary", "schema_readme", "validation_commands"]

#: The one command that regenerates the published files, the dictionary included.
REFRESH_COMMAND = "python tools/refresh_published.py"

_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "required": "required",
        "unique": "unique",
        "pattern": "pattern",
        "enum": "one of",
        "minimum": "min",
        "maximum": "max",
        "primary": "primary key",
        "none": "none",
    },
    "fr": {
        "required": "obligatoire",
        "unique": "unique",
        "pattern": "motif",
        "enum": "parmi",
        "minimum": "min",
        "maximum": "max",
        "primary": "clé primaire",
        "none": "aucune",
    },
}


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: a ``|`` would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """A Markdown code span, safe inside a table cell."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    escaped = text.replace("|", "\\|")
    return f"{fence}{pad}{escaped}{pad}{fence}"


def _names(names: Iterable[str]) -> str:
    return ", ".join(_code(n) for n in names)


def _type(column: Column) -> str:
    return column.type if column.format is None else f"{column.type} ({column.format})"


def _constraints(column: Column, language: str) -> str:
    words = _WORDS[language]
    parts = []
    if column.required:
        parts.append(words["required"])
    if column.unique:
        parts.append(words["unique"])
    if column.pattern is not None:
        parts.append(f"{words['pattern']} {_code(column.pattern)}")
    if column.enum is not None:
        parts.append(f"{words['enum']} {_names(column.enum)}")
    if column.minimum is not None:
        parts.append(f"{words['minimum']} {column.minimum}")
    if column.maximum is not None:
        parts.append(f"{words['maximum']} {column.maximum}")
    return ", ".join(parts)


def _keys(table: Table, column: Column, language: str) -> str:
    """What a column is part of: the primary key, and the tables it points at."""
    parts = []
    if column.name in table.primary_key:
        parts.append(_WORDS[language]["primary"])
    for fk in table.foreign_keys:
        if column.name in fk.fields:
            parts.append(f"→ {_code(fk.resource or table.name)} ({_names(fk.reference)})")
    return ", ".join(parts)


def _foreign_keys(table: Table, language: str) -> list[str]:
    if not table.foreign_keys:
        return [_WORDS[language]["none"]]
    return [
        f"{_names(fk.fields)} → {_code(fk.resource or table.name)} ({_names(fk.reference)})"
        for fk in table.foreign_keys
    ]


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    return [_row(header), _row("---" for _ in header), *(_row(r) for r in rows)]


# -- the data dictionary -----------------------------------------------------------------------


def data_dictionary() -> str:
    """The data dictionary: every table, its keys, and every column with its constraints."""
    lines = [
        "# Data dictionary",
        "",
        (
            f"<!-- Generated from src/spie_occitanie/tables.py by `{REFRESH_COMMAND}`; "
            "do not edit by hand. -->"
        ),
        "",
        "Every table of the published data package, and every column, as",
        "`src/spie_occitanie/tables.py` describes them once. Each table is a CSV file",
        "`data/<table>.csv` with its Table Schema `schemas/<table>/schema.json` (and",
        "`parquet/<table>.parquet` in an export). Titles and descriptions are in French,",
        "as the Table Schemas publish them. Column names are English snake_case, except",
        "`code_departement`, `code_region` and `siren`, the names data.gouv.fr's column",
        "detector recognises. This page is generated: a test fails when it drifts from",
        f"the code, and `{REFRESH_COMMAND}` regenerates it.",
        "",
        "Conventions shared by every table:",
        "",
        "- an empty cell is an absent value; no value is the empty string;",
        "- a partial date is three columns: `<name>_edtf`, the date at the precision the",
        "  source gives, in EDTF (ISO 8601-2: day `2022-02-03`, month `2021-06`, season",
        "  `2021-21` for spring 2021, year `2021`), then `<name>_earliest` and",
        "  `<name>_latest`, its first and last possible day;",
        "- an amount is two columns: `<name>_eur`, in euros with two decimals, and",
        "  `<name>_precision_eur`, the unit of the last digit the source wrote (the",
        "  amount lies within half of it);",
        '- CSV: UTF-8, comma separator, `\\n` line ends, `"` quoting only where needed,',
        "  `.` decimal point, one header row.",
        "",
        'The "Parquet" column gives the Arrow type of the column in the Parquet files.',
        "",
        *_designations(),
        "## Tables",
        "",
        *_table(
            ("table", "title", "description", "columns", "primary key"),
            (
                (
                    f"[{_code(t.name)}](#{t.name})",
                    _cell(t.title),
                    _cell(t.description),
                    str(len(t.columns)),
                    _names(t.primary_key),
                )
                for t in TABLES.values()
            ),
        ),
    ]
    for table in TABLES.values():
        lines.extend(["", *_dictionary_section(table)])
    return "\n".join(lines) + "\n"


def _designations() -> list[str]:
    """The columns that are the project's own designations, from the one list the check reads."""
    return [
        "## Values and their citations",
        "",
        "Every non-empty value of a record that is not a key is supported by a citation of",
        "its field in `citations` (the `value-uncited` check), except in the reference rows",
        "(the COG's départements and régions, cited once by INSEE's COG) and in these",
        "columns, which hold the project's own designations, not facts a source gives:",
        "",
        *_table(
            ("column", "why it is the project's own"),
            ((_code(f"{table}.{field}"), _cell(reason)) for (table, field), reason in DESIGNATIONS.items()),
        ),
        "",
    ]


def _dictionary_section(table: Table) -> list[str]:
    lines = [
        f"## {table.name}",
        "",
        f"**{table.title}**: {table.description}",
        "",
        f"- File: {_code(data_file(table))}; schema: {_code(schema_file(table))}",
        f"- Primary key: {_names(table.primary_key)}",
    ]
    keys = _foreign_keys(table, "en")
    if table.foreign_keys:
        lines.append("- Foreign keys:")
        lines.extend(f"  - {key}" for key in keys)
    else:
        lines.append(f"- Foreign keys: {keys[0]}")
    lines.append("")
    lines.extend(
        _table(
            ("column", "title", "description", "type", "Parquet", "constraints", "example", "key"),
            (
                (
                    _code(c.name),
                    _cell(c.title),
                    _cell(c.description),
                    _type(c),
                    _code(c.arrow),
                    _constraints(c, "en"),
                    _code(c.example),
                    _keys(table, c, "en"),
                )
                for c in table.columns
            ),
        )
    )
    return lines


# -- the README of each Table Schema ------------------------------------------------------------


def validation_commands(table: Table) -> tuple[str, ...]:
    """The frictionless commands that validate the schema and its example, from the package folder.

    The file validates alone against its schema, as data.gouv.fr and Validata
    check it; a table with foreign keys to other tables is also validated
    with its package, whose descriptor carries those keys.
    """
    commands = [
        f"frictionless validate --type schema {schema_file(table)}",
        f"frictionless validate --schema {schema_file(table)} {data_file(table)}",
    ]
    if cross_table_keys(table):
        commands.append("frictionless validate datapackage.json")
    return tuple(commands)


def example_row(table: Table) -> str:
    """The example of every field as one CSV row under its header, in the package's dialect."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=DIALECT["delimiter"],
        quotechar=DIALECT["quoteChar"],
        doublequote=DIALECT["doubleQuote"],
        lineterminator=DIALECT["lineTerminator"],
    )
    writer.writerow(table.column_names)
    writer.writerow(c.example for c in table.columns)
    return buffer.getvalue()


def schema_readme(table: Table, who: Publisher | None = None) -> str:
    """The README of a table's schema: what it describes, its fields, an example, how to validate it.

    It also names the fields schema.data.gouv.fr asks for that the publisher
    settings (:func:`~spie_occitanie.publisher.publisher`) do not configure.
    """
    who = publisher() if who is None else who
    schema = table_schema(table, who)
    example = schema["resources"][0]
    lines = [
        f"# {table.title} : schéma de la table `{table.name}`",
        "",
        (
            f"<!-- Généré depuis src/spie_occitanie/tables.py par `{REFRESH_COMMAND}` ; "
            "ne pas modifier à la main. -->"
        ),
        "",
        table.description,
        "",
        f"Ce schéma (Table Schema) décrit le fichier {_code(data_file(table))} du jeu de données",
        f"« {who.title} ».",
        "",
        *_table(
            ("propriété", "valeur"),
            _properties(table, who, schema),
        ),
        "",
        "## Champs",
        "",
        *_table(
            ("nom", "titre", "description", "type", "contraintes", "exemple", "clé"),
            (
                (
                    _code(c.name),
                    _cell(c.title),
                    _cell(c.description),
                    _type(c),
                    _constraints(c, "fr"),
                    _code(c.example),
                    _keys(table, c, "fr"),
                )
                for c in table.columns
            ),
        ),
        "",
        "## Exemple",
        "",
        "L'exemple de chaque champ, réunis en une ligne : chaque valeur est valide pour son",
        "champ, mais la ligne n'est pas un enregistrement publié. Les données publiées,",
        f"exemple valide du schéma, sont dans [{_code(example['path'])}]({example['path']}).",
        "",
        "```csv",
        example_row(table).rstrip("\n"),
        "```",
        "",
        "## Valider",
        "",
        "Avec frictionless (`pip install frictionless`), depuis le dossier du paquet (la",
        "racine du dépôt, ou le dossier écrit par `spie-occitanie export`) :",
        "",
        "```sh",
        *validation_commands(table),
        "```",
        "",
        *_validation_note(table),
        "## Sources",
        "",
        *(_source_line(s) for s in schema["sources"]),
        "",
        "## Licence",
        "",
        f"{schema['licenses'][0]['title']} ({_code(schema['licenses'][0]['name'])}) :",
        schema["licenses"][0]["path"],
        "",
        "## Champs de publication non configurés",
        "",
        *_not_configured(who),
    ]
    return "\n".join(lines) + "\n"


def _properties(table: Table, who: Publisher, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    contributors = "; ".join(f"{_cell(c.title)} ({c.role})" for c in who.contributors)
    return [
        ("nom", _code(schema["name"])),
        ("titre", _cell(schema["title"])),
        ("version", schema["version"]),
        ("créé le", schema["created"]),
        ("modifié le", schema["lastModified"]),
        ("licence", f"{_cell(schema['licenses'][0]['title'])} ({_code(schema['licenses'][0]['name'])})"),
        ("contributeurs", contributors),
        ("page d'accueil", schema.get("homepage", "non configurée")),
        ("adresse du schéma (`path`)", schema.get("path", "non configurée")),
        ("clé primaire", _names(table.primary_key)),
        ("clés étrangères", "<br>".join(_foreign_keys(table, "fr"))),
        ("exemple valide", _code(schema["resources"][0]["path"])),
    ]


def _validation_note(table: Table) -> list[str]:
    others = sorted({fk.resource for fk in cross_table_keys(table)})
    if not others:
        return []
    return [
        f"Les clés étrangères de cette table renvoient aux tables {_names(others)} du paquet.",
        "Elles sont déclarées dans `datapackage.json`, pas dans ce schéma : le fichier se",
        "valide seul avec ce schéma (comme data.gouv.fr et Validata le valident), et la",
        "validation du paquet vérifie les clés entre les tables.",
        "",
    ]


def _source_line(source: Mapping[str, str]) -> str:
    if "path" in source:
        return f"- [{source['title']}]({source['path']})"
    return f"- {source['title']} (adresse web inconnue)"


def _not_configured(who: Publisher) -> list[str]:
    missing = schema_not_configured(who)
    if not missing:
        return ["Tous les champs que schema.data.gouv.fr demande sont configurés."]
    return [
        "schema.data.gouv.fr demande ces champs, que l'identité de l'éditeur",
        "(`spie-occitanie.toml`, voir docs/publishing.md) ne donne pas encore ; ils sont laissés",
        f"de côté plutôt qu'inventés : {_names(missing)}.",
    ]
