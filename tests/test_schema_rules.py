"""The validator judges a package's schemas in full: an edited rule is a finding, never a silent pass."""

from __future__ import annotations

import json

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import spie_occitanie as spie


def _field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in schema["fields"] if f["name"] == name)


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "pattern": lambda s: _field(s, "allocation_id")["constraints"].update(pattern="(.*.*.*.*.*.*)+z"),
    "enum": lambda s: _field(s, "kind").setdefault("constraints", {}).update(enum=["x"]),
    "minimum": lambda s: _field(s, "amount_eur")["constraints"].update(minimum=-1),
    "format": lambda s: _field(s, "allocation_id").update(format="email"),
    "missingValues": lambda s: s.update(missingValues=["", "NA"]),
    "primaryKey": lambda s: s.update(primaryKey=["funder_id"]),
    "foreign key": lambda s: s.setdefault("foreignKeys", []).append(
        {"fields": ["funder_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_rule_is_reported(package_copy: Path, edit: str):
    path = package_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    table = "citations" if edit == "enum" else "allocations"
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    EDITS[edit](resource["schema"])
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    report = spie.validate_datapackage(package_copy)
    assert "schema-mismatch" in {f.check for f in report.errors}, str(report)
    with pytest.raises(spie.InvalidPackageError):
        spie.read_datapackage(package_copy)


def test_documentation_may_differ(package_copy: Path):
    """A title or description reworded in the package is not a rule: the package stays valid."""
    path = package_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "rounds")
    resource["schema"]["fields"][0]["title"] = "Autre titre"
    resource["schema"]["fields"][0]["description"] = "Autre description."
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    assert spie.validate_datapackage(package_copy).ok
