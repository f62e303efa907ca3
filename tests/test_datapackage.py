"""The Frictionless data package: written valid, read back equal, and bad
packages refused with findings that name file, row, field and value."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile

from pathlib import Path

import pytest

from hypothesis import given, settings

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.cli import main
from spie_occitanie.formats.datapackage import (
    InvalidPackageError,
    PackageUnreadableError,
    read_datapackage,
    validate_datapackage,
    write_datapackage,
)
from spie_occitanie.stream import package as opening
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES


FRICTIONLESS = Path(sys.executable).with_name("frictionless")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("package")
    write_datapackage(spie.load(), folder)
    return folder


@pytest.fixture
def copy(package: Path, tmp_path: Path) -> Path:
    """A fresh copy of the embedded package, to corrupt by hand."""
    target = tmp_path / "copy"
    shutil.copytree(package, target)
    return target


def edit_csv(folder: Path, table: str, old: str, new: str, *, rehash: bool = True) -> None:
    """Replace text in a table's CSV; by default update hash and bytes as a careful editor would."""
    path = folder / "data" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if rehash:
        rehash_descriptor(folder)


def rehash_descriptor(folder: Path) -> None:
    import hashlib

    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (folder / resource["path"]).read_bytes()
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        resource["bytes"] = len(data)
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def edit_descriptor(folder: Path, table: str, **changes: object) -> None:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource.update(changes)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def findings(folder: Path) -> list[str]:
    return [str(f) for f in validate_datapackage(folder).errors]


class TestWrite:
    def test_round_trip(self, package):
        """Reading the written package gives the same dataset."""
        assert spie.load() == read_datapackage(package)

    def test_deterministic(self, package, tmp_path):
        """The same dataset writes the same bytes, file by file."""
        write_datapackage(spie.load(), tmp_path)
        for path in sorted(package.rglob("*")):
            if path.is_file():
                assert path.read_bytes() == (tmp_path / path.relative_to(package)).read_bytes(), path

    def test_frictionless_says_valid(self, package):
        """`frictionless validate datapackage.json` finds the package valid."""
        result = subprocess.run(
            [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
            cwd=package,
            capture_output=True,
            text=True,
            check=False,
        )
        report = json.loads(result.stdout)
        assert report["valid"], result.stdout[:2000]
        assert 0 == result.returncode

    def test_descriptor(self, package):
        """Licence, version, created, contributors, sources, keys and file stats are declared."""
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        assert "etalab-2.0" == descriptor["licenses"][0]["name"]
        assert spie.__version__ == descriptor["version"]
        assert descriptor["created"].endswith("T00:00:00Z")
        assert [{"title": "spie_occitanie contributors", "role": "author"}] == descriptor["contributors"]
        assert "homepage" not in descriptor  # not configured, so not invented
        assert list(TABLES) == [r["name"] for r in descriptor["resources"]]
        for resource in descriptor["resources"]:
            assert resource["hash"].startswith("sha256:")
            assert (package / resource["path"]).stat().st_size == resource["bytes"]
        assert any(
            s.get("path", "").startswith("https://travail-emploi.gouv.fr/") for s in descriptor["sources"]
        )

    def test_table_schema_conventions(self, package):
        """Each schema has schema.data.gouv.fr's properties and French field docs."""
        schema = json.loads((package / "schemas" / "allocations" / "schema.json").read_text(encoding="utf-8"))
        for key in (
            "$schema",
            "name",
            "title",
            "description",
            "version",
            "contributors",
            "created",
            "lastModified",
            "licenses",
            "countryCode",
        ):
            assert key in schema, key
        assert 10 == len(schema["created"])
        assert all({"title", "description", "example"} <= set(f) for f in schema["fields"])
        # Keys to other tables live in the package's descriptor, so the file validates alone.
        reference = {
            "fields": ["round_id", "territory_id"],
            "reference": {"resource": "selections", "fields": ["round_id", "territory_id"]},
        }
        assert "foreignKeys" not in schema
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        (inline,) = [r["schema"] for r in descriptor["resources"] if r["name"] == "allocations"]
        assert reference in inline["foreignKeys"]

    def test_canonical_cells(self, package):
        """Amounts have two decimals, codes keep their zeros, absent is an empty cell."""
        allocations = (package / "data" / "allocations.csv").read_text(encoding="utf-8")
        assert ",370000.00,1.00," in allocations
        territories = (package / "data" / "territories.csv").read_text(encoding="utf-8")
        assert "fr:departement:09,departement,Ariège,5,76,FR-09,copied,09\n" in territories
        assert "\r" not in territories


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_generated_round_trip(ds):
    """For every generated dataset, read_datapackage(write_datapackage(ds)) == ds."""
    with tempfile.TemporaryDirectory() as folder:
        write_datapackage(ds, folder)
        assert ds == read_datapackage(folder)


class TestBadPackages:
    def test_bad_code(self, copy):
        """A département code INSEE does not use is a constraint error naming file, row and field."""
        edit_csv(copy, "territories", ",copied,31\n", ",copied,3X\n")
        messages = findings(copy)
        assert any(
            "data/territories.csv row" in m and "field 'code_departement'" in m and "3X" in m
            for m in messages
        ), messages

    def test_duplicate_row(self, copy):
        """A duplicated selection is a primary-key error."""
        path = copy / "data" / "selections.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join([*lines, lines[1]]), encoding="utf-8")
        rehash_descriptor(copy)
        report = validate_datapackage(copy)
        assert {f.check for f in report.errors} >= {"primary-key"}
        assert any(f"row {len(lines) + 1}" in str(f) for f in report.errors)

    def test_missing_file(self, copy):
        """A resource whose file is gone is named."""
        (copy / "data" / "rounds.csv").unlink()
        assert [
            "error   missing-file                data/rounds.csv: the data of 'rounds' does not exist"
        ] == findings(copy)

    @pytest.mark.parametrize(
        ("path", "reason"),
        [
            ("../outside.csv", "goes up with '..'"),
            ("data/../../outside.csv", "goes up with '..'"),
            ("/etc/passwd", "is absolute"),
            ("https://example.org/rounds.csv", "is a URL"),
            ("file:///etc/passwd", "is a URL"),
            ("~/rounds.csv", "starts with '~'"),
            ("$HOME/rounds.csv", "contains an environment variable"),
        ],
    )
    def test_unsafe_paths_refused_before_reading(self, copy, path, reason):
        """Paths that leave the folder or reach the network are refused before anything is read."""
        edit_descriptor(copy, "rounds", path=path)
        messages = findings(copy)
        assert any(reason in m and "unsafe-path" in m for m in messages), messages

    def test_symlink_out_of_the_folder(self, copy, tmp_path):
        """A data file that is a symbolic link leaving the folder is refused."""
        outside = tmp_path / "outside.csv"
        shutil.copy(copy / "data" / "rounds.csv", outside)
        (copy / "data" / "rounds.csv").unlink()
        (copy / "data" / "rounds.csv").symlink_to(outside)
        assert any("leaves the package folder" in m for m in findings(copy))

    def test_hash_mismatch(self, copy):
        """A file changed behind the descriptor's back is a hash error."""
        edit_csv(copy, "rounds", "premier appel", "Premier appel", rehash=False)
        checks = {f.check for f in validate_datapackage(copy).errors}
        assert "hash-count" in checks

    def test_renamed_header(self, copy):
        """A renamed column is a label error naming the field."""
        edit_csv(copy, "rounds", "round_id,programme_id", "round,programme_id")
        report = validate_datapackage(copy)
        assert any(f.check == "incorrect-label" and f.field == "round_id" for f in report.errors), str(report)

    def test_ragged_row(self, copy):
        """A row with a cell too many is reported with its row number."""
        edit_csv(
            copy,
            "tallies",
            "occitanie-ami-1,fr:region:76,3,ami-1",
            "occitanie-ami-1,fr:region:76,3,ami-1,extra",
        )
        report = validate_datapackage(copy)
        assert any(f.check == "extra-cell" and f.row == 3 for f in report.errors), str(report)

    def test_text_in_a_number(self, copy):
        """Text in an integer column is a type error with the value."""
        edit_csv(copy, "tallies", "occitanie-ami-1,fr:region:76,3,", "occitanie-ami-1,fr:region:76,trois,")
        messages = findings(copy)
        assert any("type-error" in m and "field 'count'" in m and "trois" in m for m in messages), messages

    def test_dangling_foreign_key(self, copy):
        """A selection of a territory that does not exist is a foreign-key error."""
        edit_csv(copy, "selections", "ami-2,fr:departement:31,cd-31", "ami-2,spie:nulle-part,cd-31")
        assert "foreign-key" in {f.check for f in validate_datapackage(copy).errors}

    def test_value_rule_siren(self, copy):
        """A SIREN of the right shape but a wrong checksum is a value-rule finding, not a crash."""
        edit_csv(copy, "organisations", "223100017", "223100018")
        messages = findings(copy)
        assert any(
            m.startswith("error   value-rule")
            and "data/organisations.csv row" in m
            and "field 'siren'" in m
            and "223100018" in m
            for m in messages
        ), messages

    def test_value_rule_impossible_date(self, copy):
        """2023-02-30 has the shape of a date but is no day: the schema's EDTF pattern, which accepts
        exactly what the model accepts, refuses it, naming the field and the value."""
        edit_csv(copy, "allocations", "2022-11-25,2022-11-25,2022-11-25", "2023-02-30,2022-11-25,2022-11-25")
        messages = findings(copy)
        assert any(
            ("value-rule" in m or "constraint-error" in m)
            and "field 'convention_edtf'" in m
            and "2023-02-30" in m
            for m in messages
        ), messages

    def test_domain_check(self, copy):
        """A round announced before it was launched fails the dataset's dates-order check."""
        edit_csv(copy, "rounds", "2021-04-20,2021-04-20,2021-04-20", "2019-04-20,2019-04-20,2019-04-20")
        assert "dates-order" in {f.check for f in validate_datapackage(copy).errors}

    def test_huge_cell(self, copy):
        """A cell larger than the reader's limit is an error, not an exhausted machine."""
        edit_csv(copy, "tallies", "occitanie-ami-1,", "occitanie-ami-1" + "x" * (2 << 20) + ",")
        assert not validate_datapackage(copy).ok

    def test_huge_file(self, copy, monkeypatch):
        """The validator streams a file of any size; the reader refuses to make records of a huge one."""
        monkeypatch.setattr(opening, "MAX_FILE_BYTES", 1000)
        assert validate_datapackage(copy).ok
        with pytest.raises(InvalidPackageError) as caught:
            read_datapackage(copy)
        messages = [f.message for f in caught.value.report.errors]
        assert any(
            "file-too-large" in f.check and "citations.csv" in m
            for f, m in zip(caught.value.report.errors, messages, strict=True)
        )

    def test_not_json(self, copy):
        """A descriptor that is not JSON cannot be read (exit 2)."""
        (copy / "datapackage.json").write_text("{not json", encoding="utf-8")
        with pytest.raises(PackageUnreadableError, match="is not JSON"):
            validate_datapackage(copy)

    def test_no_such_path(self, tmp_path):
        """A path with no package cannot be read."""
        with pytest.raises(PackageUnreadableError, match="no such data package"):
            validate_datapackage(tmp_path / "nope")

    def test_read_raises_with_report(self, copy):
        """read_datapackage raises with every finding in its report."""
        (copy / "data" / "rounds.csv").unlink()
        with pytest.raises(InvalidPackageError) as info:
            read_datapackage(copy)
        assert 1 == len(info.value.report.errors)


class TestCommandLine:
    def test_validate_valid(self, package, capsys):
        """`validate` on a valid package exits 0 and says valid."""
        assert 0 == main(["validate", str(package)])
        assert "valid" in capsys.readouterr().out

    def test_validate_descriptor_file(self, package, capsys):
        """`validate` also takes the datapackage.json itself."""
        assert 0 == main(["validate", str(package / "datapackage.json"), "--json"])
        assert json.loads(capsys.readouterr().out)["valid"]

    def test_validate_invalid_exits_1(self, copy, capsys):
        """An invalid package exits 1 with every finding listed."""
        edit_csv(copy, "tallies", "occitanie-ami-1,fr:region:76,3,", "occitanie-ami-1,fr:region:76,trois,")
        assert 1 == main(["validate", str(copy)])
        out = capsys.readouterr().out
        assert "INVALID" in out
        assert "field 'count'" in out

    @pytest.mark.parametrize("content", [None, "{not json"])
    def test_validate_unreadable_exits_2(self, tmp_path, capsys, content):
        """No package, or a descriptor that is not JSON, exits 2 without a traceback."""
        if content is not None:
            (tmp_path / "datapackage.json").write_text(content, encoding="utf-8")
        assert 2 == main(["validate", str(tmp_path / ("" if content else "missing"))])
        err = capsys.readouterr().err
        assert "spie-occitanie:" in err
        assert "Traceback" not in err

    def test_summary_of_a_package(self, package, capsys):
        """`summary PATH` summarises a package instead of the embedded dataset."""
        assert 0 == main(["summary", str(package)])
        assert "la Haute-Garonne (31)" in capsys.readouterr().out

    def test_summary_of_an_invalid_package(self, copy, capsys):
        """`summary PATH` on an invalid package exits 1 with the findings."""
        (copy / "data" / "rounds.csv").unlink()
        assert 1 == main(["summary", str(copy)])
        assert "missing-file" in capsys.readouterr().err
