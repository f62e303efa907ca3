"""A way forward after a hand edit: the hash finding says what to do, and rehash does it safely."""

from __future__ import annotations

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie.rehash import rehash


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def package(package_copy: Path) -> Path:
    return package_copy


def edit(package: Path, table: str, old: str, new: str) -> None:
    path = package / "data" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_hand_edit_is_named_and_accepted(package):
    edit(package, "allocations", "cd-31-etat,etat,370000.00", "cd-31-etat,etat,371000.00")
    report = spie.validate_datapackage(package)
    (finding,) = [f for f in report.errors if f.check == "hash-count"]
    assert "changed after the package was written" in finding.message
    assert "spie-occitanie rehash" in finding.message
    done = rehash(package)
    assert done.ok
    assert ("data/allocations.csv",) == done.changed
    ds = spie.read_datapackage(package)
    assert spie.Money.of(371000, 1) == next(a for a in ds.allocations if a.key == "cd-31-etat").amount
    assert () == rehash(package).changed  # a second run has nothing to do


def test_an_edit_that_breaks_a_rule_is_refused_and_nothing_written(package):
    edit(package, "allocations", "cd-31-etat,etat,370000.00", "cd-31-etat,etat,-370000.00")
    before = (package / "datapackage.json").read_bytes()
    done = rehash(package)
    assert not done.ok
    assert () == done.changed
    assert any(f.file == "data/allocations.csv" and f.field == "amount_eur" for f in done.refused)
    assert before == (package / "datapackage.json").read_bytes()
