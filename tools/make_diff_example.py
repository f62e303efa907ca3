"""Regenerate the example pair of releases the diff is tested on, and its expected Markdown.

    python tools/make_diff_example.py

Writes ``tests/data/releases/``:

* ``0.1.0/``: the embedded dataset as ``write_datapackage`` writes it;
* ``0.2.0/``: the same dataset with three FICTITIOUS edits, made on the
  records with ``attrs.evolve`` and written by the same writer (no CSV is
  edited by hand): a source that does not exist (``exemple-fictif``), which
  names the Haute-Vienne as a laureate of the second AMI (a new selection
  with its citation) and moves that round's deadline from 11 to 15 October
  2021 (the round's date corrected, with a citation of its own);
* ``expected.md``: what ``spie-occitanie diff 0.1.0 0.2.0 --format markdown`` prints.

None of these edits is a fact: they exist so that the diff has a realistic
change to describe (see ``tests/data/releases/README.md``). The Table
Schemas' ``README.md`` and ``CHANGELOG.md`` pages are not kept: they are
documentation, which the diff does not read.
"""

from __future__ import annotations

import shutil
import sys

from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import attrs

import spie_occitanie

from spie_occitanie.diffing import diff
from spie_occitanie.formats import datapackage
from spie_occitanie.model import Citation, CitationKind, PartialDate, Selection, Source, SourceKind
from spie_occitanie.publisher import publisher


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "releases"
OLD, NEW = "0.1.0", "0.2.0"

#: The fictitious source of both edits.
SOURCE = Source(
    source_id="exemple-fictif",
    title="Exemple fictif : lauréats du deuxième AMI, liste complétée (jeu de test, ne pas citer)",
    publisher="spie_occitanie, jeu d'exemple fictif",
    kind=SourceKind.PRESS_RELEASE,
    published=PartialDate.from_edtf("2023-03-01"),
)
#: The fictitious new laureate.
SELECTION = Selection(round_id="ami-2", territory_id="fr:departement:87")
CITATIONS = (
    Citation(
        citation_id="selections/ami-2|fr:departement:87/*/1",
        record_table="selections",
        record_key="ami-2|fr:departement:87",
        source_id=SOURCE.source_id,
        quote="la Haute-Vienne figure aussi parmi les lauréats du deuxième appel à manifestation d'intérêt",
        kind=CitationKind.STATES,
    ),
    Citation(
        citation_id="rounds/ami-2/deadline/2",
        record_table="rounds",
        record_key="ami-2",
        field="deadline",
        source_id=SOURCE.source_id,
        quote="la date limite de candidature avait été reportée au 15 octobre 2021",
        value="2021-10-15",
        kind=CitationKind.STATES,
    ),
)


def second_release(ds: Dataset) -> Dataset:
    """The embedded dataset with the fictitious edits."""
    deadline = PartialDate.from_edtf("2021-10-15")
    rounds = [attrs.evolve(r, deadline=deadline) if r.round_id == "ami-2" else r for r in ds.rounds]
    return attrs.evolve(
        ds,
        sources=(*ds.sources, SOURCE),
        citations=(*ds.citations, *CITATIONS),
        rounds=rounds,
        selections=(*ds.selections, SELECTION),
    )


def write(ds: Dataset, folder: Path, version: str) -> None:
    """Write ``ds`` as release ``version`` with the project's writer, without the schemas' pages."""
    if folder.exists():
        shutil.rmtree(folder)
    who = attrs.evolve(publisher(), version=version)
    # The writer takes the version from the publisher identity; the example's second
    # release is given its own, so that the diff's title reads 0.1.0 -> 0.2.0.
    with mock.patch.object(datapackage, "publisher", return_value=who):
        datapackage.write_datapackage(ds, folder)
    for page in [*(folder / "schemas").glob("*/README.md"), *(folder / "schemas").glob("*/CHANGELOG.md")]:
        page.unlink()


def main() -> int:
    """Write both releases and the expected Markdown."""
    ds = spie_occitanie.load()
    edited = second_release(ds)
    report = edited.check()
    if not report.ok:
        sys.stderr.write(f"the edited dataset does not pass its checks:\n{report}\n")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    write(ds, OUT / OLD, OLD)
    write(edited, OUT / NEW, NEW)
    markdown = diff(OUT / OLD, OUT / NEW).to_markdown()
    (OUT / "expected.md").write_text(markdown, encoding="utf-8")
    sys.stdout.write(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
