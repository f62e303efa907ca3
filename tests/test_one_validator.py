"""One validator for Python and the command line: the cases that used to make them disagree."""

from __future__ import annotations

import contextlib
import csv
import io
import json

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie.cli import main


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def package(package_copy: Path) -> Path:
    return package_copy


def cli_json(path: Path) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["validate", "--json", str(path)])
    return status, json.loads(out.getvalue())


def same_verdict(path: Path) -> spie.Report:
    """The Python report, after checking that the command line and the reader say the same."""
    report = spie.validate_datapackage(path)
    status, document = cli_json(path)
    assert [f.to_json() for f in report.findings] == document["findings"]
    assert (0 if report.ok else 1) == status
    assert report.consequences == document["consequences"]
    if report.ok:
        assert isinstance(spie.read_datapackage(path), spie.Dataset)
    else:
        with pytest.raises(spie.InvalidPackageError) as caught:
            spie.read_datapackage(path)
        assert report == caught.value.report
    return report


def organisations(package: Path) -> Path:
    return package / "data" / "organisations.csv"


def test_cp1252_names_one_file_once(package):
    """Re-saved as Windows-1252: one root finding about that file, the knock-on references attached."""
    path = organisations(package)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    report = same_verdict(package)
    assert 1 == len(report.errors)
    (root,) = report.errors
    assert ("spreadsheet-csv", "data/organisations.csv") == (root.check, root.file)
    assert "Windows-1252" in root.message
    assert root.consequences
    assert "organisations" in {c.refers_to for c in root.consequences}
    assert all(c.refers_to is not None for c in root.consequences)
    assert {"data/organisations.csv"} == {f.file for f in report.errors}


def test_bom_alone_is_accepted_as_frictionless_accepts_it(package):
    """A byte-order mark alone changes only the file's bytes: its hash and size are what is wrong."""
    path = organisations(package)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = same_verdict(package)
    assert {"byte-count", "hash-count"} == {f.check for f in report.errors}
    assert 0 == report.consequences


def test_french_spreadsheet_save_gets_one_finding(package):
    """';' between cells, a BOM and Windows-1252: one finding saying so and what to do."""
    path = organisations(package)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("cp1252"))
    report = same_verdict(package)
    (root,) = report.errors
    assert "spreadsheet-csv" == root.check
    for sign in ("Windows-1252", "';'", "byte-order mark", "CSV UTF-8"):
        assert sign in root.message


def test_impossible_date_leads_with_the_cell(package):
    """2021-02-30 in rounds.csv: the cell's finding comes first, the 56 broken references hang from it."""
    path = package / "data" / "rounds.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "ami-2,spie,ami,2,deuxième appel à manifestation d'intérêt,2021-07-15",
            "ami-2,spie,ami,2,deuxième appel à manifestation d'intérêt,2021-02-30",
            1,
        ),
        encoding="utf-8",
    )
    report = same_verdict(package)
    cell = next(f for f in report.errors if f.row is not None)
    assert ("data/rounds.csv", 3, "launched_edtf", "2021-02-30") == (
        cell.file,
        cell.row,
        cell.field,
        cell.value,
    )
    assert report.errors.index(cell) < min(report.errors.index(f) for f in report.errors if f.file is None)
    assert len(cell.consequences) >= 50
    assert {"reference-unresolved"} == {c.check for c in cell.consequences}
    assert not [f for f in report.errors if f.check == "reference-unresolved"]


def test_file_findings_have_an_integer_row(package):
    """A finding made while reading a file names the file and the row as an integer, not as a key."""
    path = package / "data" / "tallies.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",3,ami-1", ",trois,ami-1", 1), encoding="utf-8")
    report = same_verdict(package)
    cell = next(f for f in report.errors if f.field == "count")
    assert ("data/tallies.csv", None, None) == (cell.file, cell.table, cell.key)
    assert isinstance(cell.row, int)
    assert "trois" == cell.value


def test_validate_stream_is_public():
    assert "validate_stream" in spie.__all__
    assert spie.validate_stream(ROOT).ok
