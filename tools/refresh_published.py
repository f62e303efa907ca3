"""Refresh the published default dataset and the data dictionary at the repository root.

Run it after changing the facts or the tables:

    python tools/refresh_published.py

It writes the data package of the embedded dataset into a temporary folder,
then replaces ``datapackage.json``, ``data/`` and ``schemas/`` (each schema
with its README) at the repository root with it: exactly what
``spie-occitanie export --format datapackage`` writes, without exporting over
the repository. It also regenerates ``docs/data-dictionary.md``.
``tests/test_published.py`` and ``tests/test_dictionary.py`` fail when these
drift from the code.
"""

from __future__ import annotations

import shutil
import sys
import tempfile

from pathlib import Path

import spie_occitanie

from spie_occitanie.dictionary import data_dictionary
from spie_occitanie.formats.datapackage import write_datapackage


ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ("datapackage.json", "data", "schemas")
DICTIONARY = Path("docs", "data-dictionary.md")


def main() -> int:
    """Write the package aside, swap each published path in, then write the dictionary."""
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
    (ROOT / DICTIONARY).write_bytes(data_dictionary().encode("utf-8"))
    sys.stdout.write(f"refreshed {', '.join(PUBLISHED)} and {DICTIONARY.as_posix()} in {ROOT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
