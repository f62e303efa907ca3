"""The contract every entry point that reads a package keeps, checked on one package."""

from __future__ import annotations

import contextlib
import io

from pathlib import Path

import spie_occitanie as spie

from spie_occitanie.cli import main


def frictionless_finds_errors(package: Path) -> bool | None:
    """Whether frictionless itself finds an error in the package (``None``: it cannot read it)."""
    import frictionless

    try:
        with frictionless.system.use_context(trusted=False):
            report = frictionless.validate(str(package / "datapackage.json"))
    except Exception:  # noqa: BLE001 - frictionless's own failure to read is not ours to judge
        return None
    return not report.valid


def check_contract(package: Path, *, against_frictionless: bool = False) -> list[str]:
    """What breaks the contract on this package (nothing, when it holds).

    validate_datapackage returns a report or raises PackageUnreadableError;
    read_datapackage returns a dataset or raises InvalidPackageError or
    PackageUnreadableError; the two agree (valid exactly when a dataset is
    returned); ``spie-occitanie validate`` exits 0, 1 or 2 as the report says;
    and, ``against_frictionless``, a package frictionless finds an error in is
    not valid (the project's checks are a superset of frictionless's).
    """
    broken: list[str] = []
    try:
        report: spie.Report | None = spie.validate_datapackage(package)
    except spie.PackageUnreadableError:
        report = None
    except Exception as error:  # noqa: BLE001 - what the contract forbids is what we report
        return [f"validate_datapackage raised {type(error).__name__}: {error}"]
    try:
        spie.read_datapackage(package)
        read_ok: bool | None = True
    except spie.PackageUnreadableError:
        read_ok = None
    except spie.InvalidPackageError:
        read_ok = False
    except Exception as error:  # noqa: BLE001
        return [f"read_datapackage raised {type(error).__name__}: {error}"]
    if (report is None) != (read_ok is None):
        broken.append(f"unreadable for one and not the other: validate {report is not None}, read {read_ok}")
    elif report is not None and report.ok != read_ok:
        broken.append(f"verdicts differ: validate ok={report.ok}, read returned a dataset={read_ok}")
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["validate", str(package)])
    except Exception as error:  # noqa: BLE001
        return [*broken, f"spie-occitanie validate raised {type(error).__name__}: {error}"]
    expected = 2 if report is None else (0 if report.ok else 1)
    if status != expected:
        broken.append(f"validate exited {status}, the report says {expected}")
    if "Traceback" in err.getvalue():
        broken.append("a traceback on stderr")
    if against_frictionless and report is not None and report.ok and frictionless_finds_errors(package):
        broken.append("frictionless finds an error that validate does not")
    return broken
