"""Hostile descriptors give findings or a clear refusal, never a traceback or another exception."""

from __future__ import annotations

import json

from pathlib import Path

import pytest

import spie_occitanie as spie


def write(package: Path, descriptor: object) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def load(package: Path) -> dict[str, object]:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_descriptor_nested_too_deeply(package_copy: Path):
    (package_copy / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(spie.PackageUnreadableError, match="nested too deeply"):
        spie.validate_datapackage(package_copy)
    with pytest.raises(spie.PackageUnreadableError):
        spie.read_datapackage(package_copy)


@pytest.mark.parametrize("path", ["data/a\x00b.csv", "x" * 5000, "data/\udcff.csv"])
def test_impossible_paths_are_unsafe(package_copy: Path, path: str):
    descriptor = load(package_copy)
    descriptor["resources"][0]["path"] = path  # type: ignore[index]
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = spie.validate_datapackage(package_copy)
    assert "unsafe-path" in {f.check for f in report.errors}
    with pytest.raises(spie.InvalidPackageError):
        spie.read_datapackage(package_copy)


def test_a_resource_that_is_a_symlink_to_itself(package_copy: Path):
    loop = package_copy / "data" / "loop.csv"
    loop.symlink_to(loop)
    descriptor = load(package_copy)
    descriptor["resources"][0]["path"] = "data/loop.csv"  # type: ignore[index]
    write(package_copy, descriptor)
    report = spie.validate_datapackage(package_copy)
    assert "unsafe-path" in {f.check for f in report.errors}


def test_a_hash_of_no_fixed_length(package_copy: Path):
    descriptor = load(package_copy)
    descriptor["resources"][0]["hash"] = "shake_128:ab"  # type: ignore[index]
    write(package_copy, descriptor)
    report = spie.validate_datapackage(package_copy)
    assert "hash-count" in {f.check for f in report.errors}


def test_findings_of_one_kind_in_one_file_are_capped(package_copy: Path):
    """A header of 5 000 extra labels: 1 000 findings listed and one that counts the rest."""
    from spie_occitanie.stream.validate import MAX_FINDINGS_OF_A_KIND

    path = package_copy / "data" / "tallies.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] += "".join(f",x{i}" for i in range(5000))
    path.write_text("\n".join(lines), encoding="utf-8")
    report = spie.validate_datapackage(package_copy)
    extra = [f for f in report.all_findings() if f.check == "extra-label"]
    assert MAX_FINDINGS_OF_A_KIND == len(extra)
    (more,) = [f for f in report.all_findings() if f.check == "more-findings"]
    assert "4000 more 'extra-label'" in more.message
    assert "data/tallies.csv" == more.file


def test_a_blank_line_is_a_blank_row_as_frictionless_says(package_copy: Path):
    """A blank line, hashes rewritten: the validator reports it at frictionless's row, not nothing."""
    from spie_occitanie.rehash import rewrite_hashes

    path = package_copy / "data" / "rounds.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    rewrite_hashes(package_copy / "datapackage.json")
    found = {(f.check, f.file, f.row) for f in spie.validate_datapackage(package_copy).all_findings()}
    assert ("blank-row", "data/rounds.csv", 3) in found
    with pytest.raises(spie.InvalidPackageError):
        spie.read_datapackage(package_copy)
