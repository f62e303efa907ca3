"""The published default dataset at the repository root is exactly what the code writes."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

import spie_occitanie as spie

from spie_occitanie.formats.datapackage import read_datapackage, write_datapackage


ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ("datapackage.json", "data", "schemas")


def files(folder: Path) -> dict[str, bytes]:
    found = {}
    for name in PUBLISHED:
        path = folder / name
        if path.is_file():
            found[name] = path.read_bytes()
        else:
            found.update(
                {str(p.relative_to(folder)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
            )
    return found


def test_root_copy_does_not_drift(tmp_path):
    """datapackage.json, data/ and schemas/ at the root equal a fresh write, byte for byte.

    When this fails, run `python tools/refresh_published.py` and commit the result.
    """
    write_datapackage(spie.load(), tmp_path)
    expected, published = files(tmp_path), files(ROOT)
    assert sorted(expected) == sorted(published)
    for name, data in expected.items():
        assert data == published[name], f"{name} drifted: run python tools/refresh_published.py"


def test_root_copy_reads_back():
    """The published package reads back as the embedded dataset."""
    assert spie.load() == read_datapackage(ROOT)


def test_frictionless_validates_the_root_copy():
    """`frictionless validate datapackage.json` at the root says valid."""
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode, result.stdout[-3000:]
