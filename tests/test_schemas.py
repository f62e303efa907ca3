"""The published Table Schemas: valid for frictionless, complete for schema.data.gouv.fr, nothing invented."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

from pathlib import Path
from typing import Any

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie.dictionary import example_row, schema_readme, validation_commands
from spie_occitanie.formats.table_schema import (
    FOUNDING_RELEASE,
    SCHEMAS_CREATED,
    cross_table_keys,
    data_file,
    schema_file,
    schema_not_configured,
    table_schema,
)
from spie_occitanie.publisher import publisher
from spie_occitanie.tables import TABLES


ROOT = Path(__file__).resolve().parents[1]
FRICTIONLESS = Path(sys.executable).with_name("frictionless")
NAMES = list(TABLES)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HOMEPAGE = "https://example.org/spie-occitanie"


def schema(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((ROOT / "schemas" / name / "schema.json").read_text(encoding="utf-8"))
    return result


def frictionless(*args: str, cwd: Path = ROOT) -> tuple[int, dict[str, Any], str]:
    """Run the venv's frictionless with --json; its exit status, report and raw output."""
    result = subprocess.run(
        [str(FRICTIONLESS), *args, "--json"], cwd=cwd, capture_output=True, text=True, check=False
    )
    return result.returncode, json.loads(result.stdout), result.stdout + result.stderr


def test_one_schema_per_table():
    """schemas/ holds exactly one folder per table, each with schema.json and README.md."""
    assert sorted(NAMES) == sorted(p.name for p in (ROOT / "schemas").iterdir())
    for name in NAMES:
        assert {"CHANGELOG.md", "README.md", "schema.json"} == {
            p.name for p in (ROOT / "schemas" / name).iterdir()
        }


@pytest.mark.parametrize("name", NAMES)
def test_package_carries_each_schema_with_every_key(name):
    """datapackage.json holds each table's fields as its published schema, plus the keys between tables."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    (inline,) = [r["schema"] for r in descriptor["resources"] if r["name"] == name]
    published = schema(name)
    assert published["fields"] == inline["fields"]
    assert published["primaryKey"] == inline["primaryKey"]
    assert [fk.to_descriptor() for fk in TABLES[name].foreign_keys] == inline.get("foreignKeys", [])
    cross = [fk.to_descriptor() for fk in cross_table_keys(TABLES[name])]
    assert not [fk for fk in published.get("foreignKeys", []) if fk in cross]


@pytest.mark.parametrize("name", NAMES)
def test_each_csv_validates_alone_with_its_schema(name):
    """As data.gouv.fr and Validata check a file linked to its schema: the file and the schema, no package."""
    status, report, output = frictionless(
        "validate", "--schema", schema_file(TABLES[name]), data_file(TABLES[name])
    )
    assert report["valid"], output[-3000:]
    assert 0 == status


def test_package_validates_with_the_keys_between_tables(tmp_path):
    """The package validates, and its keys between tables are checked: a dangling reference is an error."""
    status, report, output = frictionless("validate", "datapackage.json")
    assert report["valid"], output[-3000:]
    assert 0 == status
    import shutil

    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    rows = (tmp_path / "data" / "selections.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = (
        rows[1].replace("ami-", "ami-9", 1)
        if "ami-" in rows[1]
        else rows[1].replace("experimentation-2020", "x", 1)
    )
    (tmp_path / "data" / "selections.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        resource.pop("hash")
        resource.pop("bytes")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _, report, output = frictionless("validate", "datapackage.json", cwd=tmp_path)
    assert not report["valid"]
    assert "foreign-key" in output


@pytest.mark.parametrize("name", NAMES)
def test_frictionless_validates_the_schema(name):
    """`frictionless validate --type schema` says the schema is valid, as schema.data.gouv.fr requires."""
    status, report, output = frictionless("validate", "--type", "schema", schema_file(TABLES[name]))
    assert report["valid"], output[-3000:]
    assert 0 == status


@pytest.mark.parametrize("name", NAMES)
def test_top_level_properties(name):
    """The required and recommended properties are there, with the publisher's values."""
    who, found = publisher(), schema(name)
    assert "https://frictionlessdata.io/schemas/table-schema.json" == found["$schema"]
    assert f"spie-occitanie-{name}" == found["name"]
    assert re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", found["name"])
    assert TABLES[name].title in found["title"]
    assert TABLES[name].description == found["description"]
    assert spie.__version__ == found["version"]
    assert [c.to_descriptor() for c in who.contributors] == found["contributors"]
    assert all({"title", "role"} <= set(c) for c in found["contributors"])
    assert DAY.match(found["created"])
    assert DAY.match(found["lastModified"])
    assert SCHEMAS_CREATED == found["created"] <= found["lastModified"] == who.released
    assert ["etalab-2.0"] == [licence["name"] for licence in found["licenses"]]
    assert "FR" == found["countryCode"]


@pytest.mark.parametrize("name", NAMES)
def test_sources(name):
    """Every source has a title and a web address (the catalogue's documentation generator needs one)."""
    sources = schema(name)["sources"]
    assert len(sources) >= 2
    for source in sources:
        assert source["title"]
        assert source["path"].startswith("https://")
    # The founding release has no known address, and the dataset none yet: left out, not pathless.
    assert FOUNDING_RELEASE["title"] not in [s["title"] for s in sources]


def test_founding_release_points_at_the_published_sources_table():
    """With a public address for the dataset, the founding release is cited with the sources table's URL."""
    who = attrs.evolve(publisher(), files_url="https://donnees.example.org/spie")
    sources = table_schema(TABLES["rounds"], who)["sources"]
    assert {**FOUNDING_RELEASE, "path": "https://donnees.example.org/spie/data/sources.csv"} == sources[0]


def test_geographic_tables_cite_the_cog():
    """A table with INSEE codes cites the COG; a table without does not."""
    for name, table in TABLES.items():
        cites = any("insee.fr" in s.get("path", "") for s in schema(name)["sources"])
        has_codes = bool({"code_departement", "code_region"} & set(table.column_names))
        assert has_codes == cites, name


def test_founding_release_is_the_embedded_source():
    """The schemas' first source is the press release of the facts, whose address is unknown."""
    release = spie.load().source("prefet-occitanie-2022-02-03")
    assert FOUNDING_RELEASE["title"].startswith(f"{release.publisher} : {release.title} (")
    assert release.url is None
    assert "path" not in FOUNDING_RELEASE


@pytest.mark.parametrize("name", NAMES)
def test_fields_documented(name):
    """Every field carries the French title, description and example of tables.py."""
    fields = schema(name)["fields"]
    assert [c.name for c in TABLES[name].columns] == [f["name"] for f in fields]
    for column, field in zip(TABLES[name].columns, fields, strict=True):
        assert (column.title, column.description, column.example) == (
            field["title"],
            field["description"],
            field["example"],
        )
        assert all(isinstance(field[k], str) and field[k] for k in ("title", "description", "example"))


@pytest.mark.parametrize("name", NAMES)
def test_example_resource_is_the_table_file(name):
    """The example resource is the table's own CSV in the package, relative to the schema."""
    (example,) = schema(name)["resources"]
    assert example["title"]
    path = (ROOT / "schemas" / name / example["path"]).resolve()
    assert (ROOT / data_file(TABLES[name])).resolve() == path
    assert path.is_file()


@pytest.mark.parametrize(
    "command",
    sorted({c for t in TABLES.values() for c in validation_commands(t)}),
)
def test_readme_validation_commands_pass(command):
    """Every command a README gives to validate a schema and its example says valid."""
    program, *args = shlex.split(command)
    assert "frictionless" == program
    status, report, output = frictionless(*args)
    assert report["valid"], output[-3000:]
    assert 0 == status


@pytest.mark.parametrize("name", NAMES)
def test_readme_gives_the_file_alone_and_the_package(name):
    """Every README validates the file alone; a table with keys to others also validates its package."""
    table = TABLES[name]
    commands = validation_commands(table)
    assert f"frictionless validate --schema {schema_file(table)} {data_file(table)}" in commands
    assert bool(cross_table_keys(table)) == ("frictionless validate datapackage.json" in commands)


@pytest.mark.parametrize("name", NAMES)
def test_readme_example_row_is_valid(name, tmp_path):
    """The README's example row validates against the schema (keys set aside: one row has no targets)."""
    descriptor = schema(name)
    descriptor.pop("foreignKeys", None)
    (tmp_path / "schema.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "example.csv").write_text(example_row(TABLES[name]), encoding="utf-8")
    status, report, output = frictionless("validate", "--schema", "schema.json", "example.csv", cwd=tmp_path)
    assert report["valid"], output[-3000:]
    assert 0 == status


class TestPublisherFields:
    def test_unconfigured_homepage_is_left_out(self):
        """With no homepage configured, neither homepage nor path is written, and both are reported."""
        assert publisher().homepage is None
        for name in NAMES:
            assert not {"homepage", "path"} & set(schema(name)), name
        assert {"homepage", "path"} <= set(schema_not_configured(publisher()))
        readme = (ROOT / "schemas" / "rounds" / "README.md").read_text(encoding="utf-8")
        assert "`homepage`, `path`" in readme

    def test_configured_homepage_is_used(self, tmp_path):
        """A configured homepage gives homepage, and path and example at the release tag under it."""
        who = attrs.evolve(publisher(), homepage=HOMEPAGE)
        found = table_schema(TABLES["rounds"], who)
        assert HOMEPAGE == found["homepage"]
        assert f"{HOMEPAGE}/raw/v{who.version}/schemas/rounds/schema.json" == found["path"]
        assert [f"{HOMEPAGE}/raw/v{who.version}/data/rounds.csv"] == [r["path"] for r in found["resources"]]
        assert not {"homepage", "path"} & set(schema_not_configured(who))
        assert HOMEPAGE in schema_readme(TABLES["rounds"], who)
        (tmp_path / "schema.json").write_text(json.dumps(found), encoding="utf-8")
        status, report, output = frictionless("validate", "--type", "schema", "schema.json", cwd=tmp_path)
        assert report["valid"], output[-3000:]
        assert 0 == status

    def test_all_configured(self):
        """With every portal field configured, nothing is reported missing."""
        who = attrs.evolve(
            publisher(),
            homepage=HOMEPAGE,
            organisation="Exemple",
            contributors=(attrs.evolve(publisher().contributors[0], email="contact@example.org"),),
        )
        assert () == schema_not_configured(who)
        assert "Tous les champs que schema.data.gouv.fr demande sont configurés." in schema_readme(
            TABLES["rounds"], who
        )


# -- the EDTF pattern -------------------------------------------------------------------------------

EDTF_COLUMN = TABLES["rounds"].column("launched_edtf")


def edtf_texts() -> Any:
    from hypothesis import strategies as st

    numbers = st.tuples(
        st.integers(0, 10000), st.integers(0, 99), st.integers(0, 99), st.integers(1, 3), st.booleans()
    ).map(
        lambda t: (
            "-".join([f"{t[0]:04d}", f"{t[1]:02d}", f"{t[2]:02d}"][: t[3]])
            if t[4]
            else f"{t[0]}-{t[1]}-{t[2]}"[: 3 + 2 * t[3]]
        )
    )
    return st.one_of(numbers, st.text(alphabet="0123456789-٢ ", max_size=12))


def model_accepts(text: str) -> bool:
    from spie_occitanie.errors import InvalidValueError
    from spie_occitanie.model import PartialDate

    try:
        PartialDate.from_edtf(text)
    except InvalidValueError:
        return False
    return True


def test_edtf_pattern_accepts_exactly_what_the_model_accepts():
    """A Hypothesis property: the schema's pattern and PartialDate.from_edtf agree on every text."""
    from hypothesis import given, settings

    pattern = re.compile(EDTF_COLUMN.pattern or "")

    @settings(max_examples=2000)
    @given(edtf_texts())
    def agree(text):
        assert model_accepts(text) == bool(pattern.fullmatch(text)), text

    agree()
    for text in ("2021-21-05", "2021-02-29", "0000", "2021-13", "٢٠٢١"):
        assert not pattern.fullmatch(text), text
    for text in ("2024-02-29", "2000-02-29", "2021-21", "2021-06", "2021-06-30", "0001"):
        assert pattern.fullmatch(text), text


# -- schema.data.gouv.fr's rules ---------------------------------------------------------------------

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def catalogue_findings(found: dict[str, Any]) -> list[str]:
    """What schema.data.gouv.fr's checks of a Table Schema find (docs/publishing.md lists them).

    The rules of site/validation.md in datagouv/schema.data.gouv.fr, as the
    project's notes read them: the frictionless profile, the descriptive
    properties, absolute addresses for the schema, its home and its example,
    a semantic version, contributors with their organisation and e-mail,
    every source with a title and an address, every field documented.
    """
    problems = []
    for key in (
        "$schema",
        "name",
        "title",
        "description",
        "homepage",
        "path",
        "version",
        "created",
        "lastModified",
    ):
        if not found.get(key):
            problems.append(key)
    for key in ("homepage", "path"):
        if found.get(key) and not str(found[key]).startswith("https://"):
            problems.append(f"{key} is not an absolute https address")
    if not SEMVER.match(found.get("version", "")):
        problems.append("version")
    for key in ("created", "lastModified"):
        if not DAY.match(found.get(key, "")):
            problems.append(f"{key} date")
    for example in found.get("resources", []):
        if not str(example.get("path", "")).startswith("https://"):
            problems.append("resources[].path")
    for contributor in found.get("contributors", []):
        problems.extend(
            f"contributors[].{k}"
            for k in ("title", "role", "organisation", "email")
            if not contributor.get(k)
        )
    for source in found.get("sources", []):
        if not source.get("title") or not str(source.get("path", "")).startswith("http"):
            problems.append("sources[].path")
    for field in found.get("fields", []):
        problems.extend(
            f"fields[{field['name']}].{k}" for k in ("title", "description", "example") if not field.get(k)
        )
    return sorted(set(problems))


CONFIGURED = attrs.evolve(
    publisher(),
    homepage=HOMEPAGE,
    organisation="Exemple",
    email="contact@example.org",
    files_url="https://donnees.example.org/spie-occitanie/0.1.0",
)


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_rules_when_configured(name):
    """With the publisher settings complete, every schema meets the catalogue's rules."""
    found = table_schema(TABLES[name], CONFIGURED)
    assert [] == catalogue_findings(found)
    assert f"{HOMEPAGE}/raw/v{CONFIGURED.version}/schemas/{name}/schema.json" == found["path"]
    assert [f"{CONFIGURED.files_url}/data/{name}.csv"] == [r["path"] for r in found["resources"]]


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_rules_say_what_is_not_configured(name):
    """With the packaged defaults, the only gaps are the settings not configured, as the README lists them."""
    problems = catalogue_findings(schema(name))
    assert [
        "contributors[].email",
        "contributors[].organisation",
        "homepage",
        "path",
        "resources[].path",
    ] == problems
    assert {"homepage", "path", "organisation", "contributors[].email"} == set(
        schema_not_configured(publisher())
    )


def test_each_schema_has_a_changelog():
    """schemas/<table>/CHANGELOG.md names the version and its release day."""
    for name in NAMES:
        text = (ROOT / "schemas" / name / "CHANGELOG.md").read_text(encoding="utf-8")
        assert f"## {spie.__version__} ({publisher().released})" in text
