"""Properties of the diff on generated datasets and generated edits.

* ``diff(a, a)`` is empty, whichever format each side is in;
* ``diff(a, e(a))`` reports exactly the records and fields ``e`` edited, and
  the citations it added, withdrew or restated;
* ``diff(e(a), a)`` swaps added and removed, and old and new values.
"""

from __future__ import annotations

import tempfile

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.diffing.result import Change, CitationChangeKind, ReleaseDiff
from spie_occitanie.formats.datapackage import write_datapackage
from spie_occitanie.formats.parquet import write_parquet
from tests.conftest import FILE_EXAMPLES


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


#: Free-text fields an edit may change, by table: any text is a valid value.
TEXTS = {
    "sources": ("title", "publisher"),
    "citations": ("note",),
    "territories": ("name",),
    "organisations": ("name",),
    "programmes": ("name",),
    "rounds": ("name",),
}
#: Tables whose records an edit may remove: a territory would take its coverage rows with it.
REMOVABLE = (
    "sources",
    "citations",
    "organisations",
    "rounds",
    "selections",
    "envelopes",
    "allocations",
    "tallies",
)


@attrs.frozen
class Edit:
    """An edited dataset and what the diff must find."""

    dataset: Dataset
    records: dict[tuple[str, str, Change], dict[str, tuple[str | None, str | None]]]
    citations: set[tuple[CitationChangeKind, str, tuple[str, ...]]]


@st.composite
def edits(draw: st.DrawFn) -> tuple[Dataset, Edit]:
    """A generated dataset, and the same with records changed, removed and added."""
    ds = draw(sst.datasets(max_departements=4, max_rounds=2))
    tables: dict[str, list[Any]] = {name: list(ds.table(name)) for name in spie.dataset.RECORD_TYPES}
    records: dict[tuple[str, str, Change], dict[str, tuple[str | None, str | None]]] = {}
    citations: set[tuple[CitationChangeKind, str, tuple[str, ...]]] = set()
    for name in sorted(TEXTS.keys() | set(REMOVABLE)):
        rows = tables[name]
        if not rows:
            continue
        chosen = draw(st.sets(st.integers(0, len(rows) - 1), max_size=min(3, len(rows))))
        removed = set()
        for index in sorted(chosen):
            record = rows[index]
            if name in TEXTS and draw(st.booleans()):
                field = draw(st.sampled_from(TEXTS[name]))
                old = getattr(record, field)
                new = (
                    draw(st.sampled_from(("modifié", "nom corrigé", "Saint-Étienne")))
                    + f" {old or ''}".rstrip()
                )
                rows[index] = attrs.evolve(record, **{field: new})
                if name == "citations":
                    citations.add((CitationChangeKind.CHANGED, record.key, (field,)))
                else:
                    records[(name, record.key, Change.CHANGED)] = {field: (old, new)}
            elif name in REMOVABLE:
                removed.add(index)
                if name == "citations":
                    citations.add((CitationChangeKind.WITHDRAWN, record.key, ()))
                else:
                    records[(name, record.key, Change.REMOVED)] = {}
        tables[name] = [r for i, r in enumerate(rows) if i not in removed]
    if draw(st.booleans()):
        source = attrs.evolve(ds.sources[0], source_id="zz-ajout")
        tables["sources"].append(source)
        records[("sources", source.key, Change.ADDED)] = {}
    add_citation = draw(st.booleans())
    if ds.citations and add_citation:
        citation = attrs.evolve(ds.citations[0], citation_id="citations/zz-ajout/1")
        tables["citations"].append(citation)
        citations.add((CitationChangeKind.ADDED, citation.key, ()))
    edited = attrs.evolve(ds, **tables)
    return ds, Edit(dataset=edited, records=records, citations=citations)


def _found(changes: ReleaseDiff) -> dict[tuple[str, str, Change], dict[str, tuple[str | None, str | None]]]:
    return {
        (r.table, r.key, r.change): {f.field: (f.old, f.new) for f in r.fields}
        if r.change is Change.CHANGED
        else {}
        for r in changes.records
    }


def _citations(changes: ReleaseDiff) -> set[tuple[CitationChangeKind, str, tuple[str, ...]]]:
    return {(c.change, c.citation_id, tuple(f.field for f in c.fields)) for c in changes.citations}


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets(max_departements=4, max_rounds=2), st.booleans())
def test_same_release_is_empty(ds, parquet):
    """diff(a, a) finds nothing, from CSV to CSV or from CSV to Parquet."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_datapackage(ds, root / "a")
        if parquet:
            write_parquet(ds, root / "b")
        else:
            write_datapackage(ds, root / "b")
        changes = spie.diff(root / "a", root / "b")
    assert not changes.changed
    assert () == changes.records
    assert () == changes.citations
    assert () == changes.conflicts
    assert () == changes.completeness
    assert all(t.unchanged for t in changes.tables)


@settings(max_examples=FILE_EXAMPLES)
@given(edits())
def test_reports_exactly_the_edits(pair):
    """diff(a, e(a)) reports the edited records and fields, and nothing else; swapped, the reverse."""
    ds, edit = pair
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_datapackage(ds, root / "a")
        write_datapackage(edit.dataset, root / "b")
        forward = spie.diff(root / "a", root / "b")
        backward = spie.diff(root / "b", root / "a")
    assert edit.records == _found(forward)
    assert edit.citations == _citations(forward)
    assert bool(edit.records or edit.citations) == forward.changed
    swap = {Change.ADDED: Change.REMOVED, Change.REMOVED: Change.ADDED, Change.CHANGED: Change.CHANGED}
    assert {
        (table, key, swap[change]): {f: (new, old) for f, (old, new) in fields.items()}
        for (table, key, change), fields in edit.records.items()
    } == _found(backward)
    turned = {
        CitationChangeKind.ADDED: CitationChangeKind.WITHDRAWN,
        CitationChangeKind.WITHDRAWN: CitationChangeKind.ADDED,
        CitationChangeKind.CHANGED: CitationChangeKind.CHANGED,
    }
    assert {(turned[kind], key, fields) for kind, key, fields in edit.citations} == _citations(backward)
    for a, b in zip(forward.tables, backward.tables, strict=True):
        assert (a.added, a.removed, a.changed) == (b.removed, b.added, b.changed)
