"""The data dictionary and the schemas' READMEs are generated from tables.py and do not drift from it."""

from __future__ import annotations

import re

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from spie_occitanie.dictionary import REFRESH_COMMAND, data_dictionary, schema_readme
from spie_occitanie.tables import TABLES, Column, Table


ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = ROOT / "docs" / "data-dictionary.md"
PIPE = re.compile(r"(?<!\\)\|")


def sections(text: str) -> dict[str, str]:
    """The dictionary's text under each `## <table>` heading."""
    parts = re.split(r"^## (\S+)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on unescaped pipes."""
    return [c.strip() for c in PIPE.split(line.strip())[1:-1]]


def table_rows(text: str) -> list[list[str]]:
    return [cells(line) for line in text.splitlines() if line.startswith("| ")]


def test_dictionary_does_not_drift():
    """docs/data-dictionary.md is exactly what tables.py renders today."""
    assert data_dictionary() == DICTIONARY.read_text(encoding="utf-8"), (
        f"docs/data-dictionary.md drifted from tables.py: run {REFRESH_COMMAND} and commit the result"
    )


def test_every_table_and_column_appears():
    """Each table has its section, and each column its row with French title, type and example."""
    found = sections(data_dictionary())
    assert ["Tables", *TABLES] == list(found)
    for name, table in TABLES.items():
        rows = {r[0]: r for r in table_rows(found[name])}
        for column in table.columns:
            row = rows[f"`{column.name}`"]
            assert column.title == row[1].replace("\\|", "|")
            assert column.description == row[2].replace("\\|", "|")
            assert row[3].startswith(column.type)
            assert f"`{column.example}`" == row[6]


def test_keys_appear():
    """Each table states its primary key and every foreign key, and marks their columns."""
    found = sections(data_dictionary())
    for name, table in TABLES.items():
        text = found[name]
        assert "- Primary key: " + ", ".join(f"`{k}`" for k in table.primary_key) in text
        rows = {r[0]: r for r in table_rows(text)}
        for key in table.primary_key:
            assert "primary key" in rows[f"`{key}`"][7]
        for fk in table.foreign_keys:
            assert f"→ `{fk.resource}`" in text
            for field in fk.fields:
                assert f"→ `{fk.resource}`" in rows[f"`{field}`"][7]


def test_constraints_appear():
    """Required, unique, enum values and bounds show in the constraints cell."""
    rows = {r[0]: r for r in table_rows(sections(data_dictionary())["territories"])}
    assert rows["`territory_id`"][5].startswith("required, unique, pattern `^(fr:departement:")
    assert "min 0, max 8" == rows["`tncc`"][5]
    assert "one of `copied`, `restated`" == rows["`cog`"][5]


def test_every_table_row_has_the_header_width():
    """No pipe in a title, description or pattern breaks a Markdown table."""
    text = data_dictionary()
    for block in re.split(r"\n\n", text):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            assert {len(cells(lines[0]))} == {len(cells(line)) for line in lines}, lines[0]


def test_readmes_do_not_drift():
    """Each schemas/<table>/README.md is exactly what schema_readme renders today."""
    for name, table in TABLES.items():
        readme = (ROOT / "schemas" / name / "README.md").read_text(encoding="utf-8")
        assert schema_readme(table) == readme, f"schemas/{name}/README.md drifted: run {REFRESH_COMMAND}"


def test_readme_content():
    """A README names the schema and version, lists every field and shows how to validate."""
    for table in TABLES.values():
        readme = schema_readme(table)
        assert f"| nom | `spie-occitanie-{table.name}` |" in readme
        assert "| version | 0.1.0 |" in readme
        assert "etalab-2.0" in readme
        for column in table.columns:
            assert f"\n| `{column.name}` | " in readme
        assert f"frictionless validate --type schema schemas/{table.name}/schema.json" in readme
        assert ",".join(table.column_names) + "\n" in readme


texts = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)


@given(title=texts, description=texts, example=texts)
def test_readme_tables_keep_their_width(title, description, example):
    """Whatever a column's French text holds, the README's tables keep one cell per header."""
    column = Column(
        name="field", type="string", title=title, description=description, example=example, arrow="string"
    )
    table = Table(
        name="things",
        title="Choses",
        description="Des choses.",
        columns=(column,),
        primary_key=("field",),
        to_rows=lambda _: [],
    )
    readme = schema_readme(table)
    fields = readme.split("## Champs\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [7, 7, 7] == [len(cells(line)) for line in fields]
