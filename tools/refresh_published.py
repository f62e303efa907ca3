"""Refresh the published default dataset at the repository root.

Run it after changing the facts or the tables:

    python tools/refresh_published.py

It writes the data package of the embedded dataset into a temporary folder,
then replaces ``datapackage.json``, ``data/`` and ``schemas/`` at the
repository root with it: exactly what ``spie-occitanie export --format
datapackage`` writes, without exporting over the repository.
``tests/test_published.py`` fails when the root copy drifts from the code.
"""

from __future__ import annotations

import shutil
import sys
import tempfile

from pathlib import Path

import spie_occitanie

from spie_occitanie.formats.datapackage import write_datapackage


ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ("datapackage.json", "data", "schemas")


def main() -> int:
    """Write the package aside, then swap each published path in."""
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder)
        write_datapackage(spie_occitanie.load(), staging)
        for name in PUBLISHED:
            target = ROOT / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            shutil.move(staging / name, target)
    sys.stdout.write(f"refreshed {', '.join(PUBLISHED)} in {ROOT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
