"""The reference the validator is tested against: frictionless itself, then the records and their checks.

This is the reader as it was before the validator became the only judge:
frictionless validates the package (types, constraints, keys, hashes), every
row frictionless passed becomes a record through the model's constructors,
and ``Dataset.check()`` runs. It is kept here, in the tests, as an oracle:
the validator must find what the real tool and the record path find.
"""

from __future__ import annotations

import os

from pathlib import Path
from typing import Any

from spie_occitanie.findings import Finding, Report
from spie_occitanie.stream.package import DESCRIPTOR, build_record, file_finding, open_package, typed_rows
from spie_occitanie.tables import TABLES, dataset_from_records


def _frictionless_findings(descriptor_file: Path) -> tuple[list[Finding], dict[str, set[int]]]:
    """Findings of frictionless's validation, and the rows it found bad per resource."""
    import frictionless

    with frictionless.system.use_context(trusted=False):
        report = frictionless.validate(str(descriptor_file))
    findings: list[Finding] = []
    bad_rows: dict[str, set[int]] = {}
    for error in report.errors:
        findings.append(file_finding(error.type, DESCRIPTOR, error.message))
    for task in report.tasks:
        place = task.place
        if Path(place).is_absolute():
            place = os.path.relpath(place, descriptor_file.parent)
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None) or None
            if row is not None:
                bad_rows.setdefault(task.name, set()).add(row)
            elif error.type not in ("hash-count", "byte-count", "row-count"):
                bad_rows.setdefault(task.name, set()).add(0)  # the whole file is unusable
            cell = getattr(error, "cell", None)
            message = error.note or error.message
            if cell is not None:
                message = f"{message} (value {cell!r})"
            findings.append(file_finding(error.type, place, message, row=row, field=field))
    return findings, bad_rows


def oracle_report(path: Path | str) -> Report:
    """Every finding frictionless and the record path make about a package (consequences listed flat)."""
    descriptor_file, declared, findings = open_package(path)
    if findings:
        return Report(tuple(findings))
    root = descriptor_file.parent
    frictionless_findings, bad_rows = _frictionless_findings(descriptor_file)
    findings.extend(frictionless_findings)
    records: dict[str, list[Any]] = {}
    for name, resource in ((n, declared[n]) for n in TABLES):
        skip = bad_rows.get(name, set())
        if 0 in skip:
            continue
        records[name] = []
        for item in typed_rows(root, name, resource, skip):
            if isinstance(item, Finding):
                findings.append(item)
                continue
            built = build_record(name, resource["path"], *item)
            if isinstance(built, Finding):
                findings.append(built)
            else:
                records[name].append(built)
    findings.extend(dataset_from_records(records).check().all_findings())
    return Report(tuple(findings))
