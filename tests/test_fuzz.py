"""Fuzzing in the suite: seeded mutations of the published package keep every entry point's contract.

CI runs a bounded sample (the CI profile); ``python tools/fuzz.py --cases N``
runs a long campaign. Every failure found becomes a fixed case below.
"""

from __future__ import annotations

import json
import shutil
import tempfile

from pathlib import Path

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FILE_EXAMPLES
from tests.contract import check_contract
from tests.mutations import mutate


ROOT = Path(__file__).resolve().parent.parent


def copy_package(folder: Path) -> Path:
    package = folder / "package"
    package.mkdir()
    shutil.copy(ROOT / "datapackage.json", package)
    shutil.copytree(ROOT / "data", package / "data")
    (folder / "outside.csv").write_text("secret\n", encoding="utf-8")
    return package


@settings(max_examples=4 * FILE_EXAMPLES)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_packages_keep_the_contract(seed):
    with tempfile.TemporaryDirectory() as tmp:
        package = copy_package(Path(tmp))
        done = mutate(package, seed)
        assert [] == check_contract(package, against_frictionless=True), (seed, done)


REGRESSIONS = json.loads((ROOT / "tests" / "data" / "fuzz-regressions.json").read_text(encoding="utf-8"))[
    "cases"
]


@pytest.mark.parametrize("case", REGRESSIONS, ids=[str(c["seed"]) for c in REGRESSIONS])
def test_regressions(tmp_path, case):
    """Each failure a campaign found, replayed from its seed: the contract holds now."""
    package = copy_package(tmp_path)
    done = mutate(package, case["seed"])
    assert [] == check_contract(package, against_frictionless=True), (case, done)
