"""The command line as scripts and people meet it: JSON errors, numbers, a closed pipe, French, extras."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys

from pathlib import Path

import pytest

from spie_occitanie.cli import main


ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def package(package_copy: Path) -> Path:
    return package_copy


def break_amount(package: Path) -> None:
    path = package / "data" / "allocations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("cd-31-etat,etat,370000.00", "cd-31-etat,etat,-370000.00"), encoding="utf-8")


def test_json_errors_are_json_on_stdout_with_the_same_status():
    status, out, err = run(["validate", "--json", "/nonexistent/package"])
    assert 2 == status
    assert "" == err
    document = json.loads(out)
    assert "PackageUnreadableError" == document["error"]["type"]
    assert 2 == document["error"]["exit"]


def test_summary_amounts_are_numbers():
    status, out, _ = run(["summary", "--json"])
    assert 0 == status
    funding = {f["id"]: f for f in json.loads(out)["funding"]}
    assert 1700000 == funding["occitanie-2021-2023"]["amount_eur"]
    assert 100000 == funding["occitanie-2021-2023"]["precision_eur"]
    assert isinstance(funding["cd-31-etat"]["amount_eur"], int)


def test_summary_in_french():
    status, out, _ = run(["summary", "--lang", "fr"])
    assert 0 == status
    for words in ("Vagues", "Lauréats :", "Financements", "Complétude", "Contrôles", "à 100 000 € près"):
        assert words in out
    assert "Rounds" not in out


def test_a_closed_pipe_keeps_the_verdict(package, monkeypatch):
    """`validate BAD | head -1`: the reader goes away, and the status is still 1."""
    break_amount(package)
    read, write = os.pipe()
    os.close(read)
    closed = os.fdopen(write, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed)
    try:
        assert 1 == main(["validate", str(package)])
    finally:
        with contextlib.suppress(OSError):
            closed.close()


def test_rehash_accepts_a_hand_edit(package):
    path = package / "data" / "allocations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("cd-31-etat,etat,370000.00", "cd-31-etat,etat,371000.00"), encoding="utf-8")
    assert 1 == run(["validate", str(package)])[0]
    status, out, _ = run(["rehash", str(package)])
    assert 0 == status
    assert "data/allocations.csv" in out
    assert 0 == run(["validate", str(package)])[0]


def test_rehash_refuses_what_else_is_wrong(package):
    break_amount(package)
    status, out, _ = run(["rehash", str(package)])
    assert 1 == status
    assert "nothing was written" in out


def test_export_says_what_it_replaced(tmp_path):
    out = tmp_path / "out"
    assert 0 == run(["export", "--out", str(out), "--format", "datapackage,parquet"])[0]
    status, text, _ = run(["export", "--out", str(out), "--format", "datapackage"])
    assert 0 == status
    assert "Replaced the previous export" in text
    assert "parquet/" in text


def test_a_missing_extra_is_named_with_exit_2(tmp_path):
    """Without matplotlib, the figures ask for the plot extra: exit 2, in Python and on the command line."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from spie_occitanie.cli import main\n"
        f"raise SystemExit(main(['export', '--out', {str(tmp_path / 'out')!r}, '--format', 'figures']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert 2 == result.returncode, result.stderr
    assert "pip install 'spie-occitanie[plot]'" in result.stderr
    python = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import spie_occitanie as spie\n"
        "from spie_occitanie.errors import MissingDependencyError\n"
        "from spie_occitanie import plot\n"
        "try:\n    plot.occitanie_map(spie.load())\n"
        "except MissingDependencyError as error:\n    print(error.extra)\n"
    )
    result = subprocess.run([sys.executable, "-c", python], capture_output=True, text=True, check=False)
    assert "plot" == result.stdout.strip(), result.stderr
