"""Test configuration: Hypothesis profiles chosen by the environment.

``SPIE_HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) is derandomized and has
no deadline, so CI is fast and never flaky; ``dev`` (the default) explores
more. Properties that write files use :data:`FILE_EXAMPLES` examples.
"""

from __future__ import annotations

import os
import shutil

from pathlib import Path

import pytest

from hypothesis import HealthCheck, settings


settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("SPIE_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

#: Examples for properties that write files: fewer, since each costs I/O.
FILE_EXAMPLES = 10 if PROFILE == "ci" else 25


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the published package at the repository root, to edit as a user would."""
    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "package"
    folder.mkdir()
    shutil.copy(root / "datapackage.json", folder)
    shutil.copytree(root / "data", folder / "data")
    shutil.copytree(root / "schemas", folder / "schemas")
    return folder
