"""Importing the package the ways a user does: the Hypothesis entry point, ``import *``."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_strategies_import_first_in_a_fresh_interpreter():
    """Hypothesis loads the package's entry point while it starts: no circular import."""
    result = run("from spie_occitanie import strategies; print(strategies.datasets)")
    assert 0 == result.returncode, result.stderr


def test_star_import_without_hypothesis():
    """A default install has no Hypothesis: ``import *`` names only what it can import."""
    code = "import sys; sys.modules['hypothesis'] = None\nfrom spie_occitanie import *\nprint(load)"
    result = run(code)
    assert 0 == result.returncode, result.stderr
    assert "strategies" not in spie.__all__


@settings(max_examples=5)
@given(st.from_type(spie.Money), st.from_type(spie.PartialDate))
def test_from_type_uses_the_explicit_strategies(money, date):
    """The entry point registered money and partial dates, which inference alone cannot build."""
    assert isinstance(money, spie.Money)
    assert isinstance(date, spie.PartialDate)


def test_one_version():
    """The package's metadata reads the version from _version.py: one number, written once."""
    import importlib.metadata
    import tomllib

    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert ["version"] == project["project"]["dynamic"]
    assert spie.__version__ == importlib.metadata.version("spie-occitanie")
