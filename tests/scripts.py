"""The project's scripts (``benchmarks/``, ``tools/``) loaded as modules, and its command line run.

The scripts are not a package: each is a file run from the repository root.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from pathlib import Path
from types import ModuleType


ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str, name: str) -> ModuleType:
    """The script at ``relative`` (from the repository root), imported as the module ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and attrs look their module up while it runs
    spec.loader.exec_module(module)
    return module


def command_help(command: str) -> subprocess.CompletedProcess[str]:
    """``spie-occitanie COMMAND --help``, run in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "spie_occitanie", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
