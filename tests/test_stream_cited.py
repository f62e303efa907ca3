"""The cited keys kept on disk and merged with the allocations (:mod:`spie_occitanie.stream.cited`).

The property: whatever the order of the citations and of the allocations,
and however they are cut into batches and chunks, the merge gives what sets
give — the allocations no citation names, the citations naming no
allocation, the (allocation, field) pairs cited twice or more — and, in key
order, without holding the keys in memory.
"""

from __future__ import annotations

import contextlib
import itertools

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from hypothesis import given
from hypothesis import strategies as st

from spie_occitanie.stream import cited
from spie_occitanie.stream.cited import SEP, CitedKeys, CitedSpill, Late, settle, spill_folder
from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import integers, texts


KEYS = st.text(alphabet="a-/~0", min_size=1, max_size=3)  # few enough that ids and citations meet
FIELDS = st.sampled_from(["", "amount", "convention", "envelope_id"])


@contextlib.contextmanager
def _small_chunks(rows: int, slack: int, part: int = 1 << 20) -> Iterator[None]:
    with (
        mock.patch.object(cited, "CHUNK_ROWS", rows),
        mock.patch.object(cited, "WINDOW_SLACK", slack),
        mock.patch.object(cited, "PART_ROWS", part),
    ):
        yield


def _cut(items: list[Any], sizes: list[int]) -> list[list[Any]]:
    """``items`` cut into consecutive batches of the given sizes (the rest in one last batch)."""
    batches, start = [], 0
    for size in sizes:
        if start >= len(items):
            break
        batches.append(items[start : start + size])
        start += size
    if start < len(items):
        batches.append(items[start:])
    return batches


def _merge(
    spilled: CitedKeys, ids_batches: list[list[str]], folder: Path | None
) -> tuple[set[str], set[tuple[str, int]], set[str]]:
    """Run the merge as the validator does: every batch through the cursor, then settle the rest."""
    cursor = spilled.cursor(folder)
    late = Late(folder)
    uncited, asked_missing = set(), set()
    for batch in ids_batches:
        ids = texts(batch)
        rows = integers(range(len(batch)))
        fields = texts(["amount"] * len(batch))
        window = cursor.window(ids)
        if window is None:
            late.add_ids(ids, rows)
            late.add_pairs(ids, fields, rows)
            continue
        window.mark(ids)
        uncited |= set(ids.filter(pc.invert(pc.is_in(ids, value_set=window.keys))).to_pylist())
        pairs = texts([f"{i}{SEP}amount" for i in batch])
        asked_missing |= set(pairs.filter(pc.invert(pc.is_in(pairs, value_set=window.pairs))).to_pylist())
    settled = settle(spilled, cursor.finish(), late)
    uncited |= set(settled.uncited.column("key").to_pylist())
    asked_missing |= {
        f"{key}{SEP}{field}"
        for key, field in zip(
            settled.unsupported.column("key").to_pylist(),
            settled.unsupported.column("field").to_pylist(),
            strict=True,
        )
    }
    dangling = set(
        zip(
            settled.dangling.column("key").to_pylist(),
            settled.dangling.column("row").to_pylist(),
            strict=True,
        )
    )
    return uncited, dangling, asked_missing


@given(
    rows=st.lists(st.tuples(KEYS, FIELDS), max_size=60),
    ids=st.lists(KEYS, max_size=40, unique=True),
    sort_citations=st.sampled_from(["no", "by key", "by key and field"]),
    sort_ids=st.booleans(),
    sizes=st.lists(st.integers(1, 9), max_size=12),
    excluded=st.sets(st.integers(0, 59), max_size=5),
    chunk=st.integers(1, 8),
    part=st.integers(1, 30),
    slack=st.integers(0, 4),
    on_disk=st.booleans(),
)
def test_the_merge_gives_what_sets_give(  # noqa: PLR0917 - Hypothesis passes each draw by name
    tmp_path_factory, rows, ids, sort_citations, sort_ids, sizes, excluded, chunk, part, slack, on_disk
):
    if sort_citations == "by key":  # a key's fields in any order: equal pairs need not be neighbours
        rows = sorted(rows, key=lambda row: row[0])
    elif sort_citations == "by key and field":
        rows = sorted(rows)
    if sort_ids:
        ids = sorted(ids)
    numbered = [(key, field, row) for row, (key, field) in enumerate(rows)]
    folder = tmp_path_factory.mktemp("spill") if on_disk else None
    with _small_chunks(chunk, slack, part):
        spill = CitedSpill(folder)
        for batch in _cut(numbered, sizes):
            keys, fields, where = zip(*batch, strict=True)
            spill.add(texts(keys), texts(fields), integers(where))
        spilled = spill.close(excluded)
        uncited, dangling, asked_missing = _merge(spilled, _cut(ids, list(reversed(sizes))), folder)

    kept = [(key, field, row) for key, field, row in numbered if row not in excluded]
    cited_keys = {key for key, _, _ in kept}
    assert uncited == set(ids) - cited_keys
    assert dangling == {(key, row) for key, _, row in kept if key not in set(ids)}
    cited_pairs = {f"{key}{SEP}{field}" for key, field, _ in kept if field}
    assert asked_missing == {f"{i}{SEP}amount" for i in ids} - cited_pairs
    pairs = [f"{key}{SEP}{field}" for key, field, _ in kept if field]
    assert spilled.repeated == {
        row: f"{key}{SEP}{field}"
        for key, field, row in kept
        if field and pairs.count(f"{key}{SEP}{field}") > 1
    }
    # Citations in key order are merged from the file, not held: the spill is on disk.
    rising = all(a[0] <= b[0] for a, b in itertools.pairwise(numbered))
    assert spilled.ordered == rising
    assert spilled.ordered == (spilled.store is not None)


def _keys(spilled) -> list[str]:
    return sorted(k for batch in spilled.batches() for k in batch.column("key").to_pylist())


def test_keys_out_of_order_are_cut_into_parts_on_disk(tmp_path):
    """Citations out of key order: the keys go to parts (files) by their last characters; nothing is lost."""
    with _small_chunks(8, 0, part=2):
        spill = CitedSpill(tmp_path)
        spill.add(texts(["b1", "c2"]), texts(["", "amount"]), integers([0, 1]))
        spill.add(texts(["a3", "b1"]), texts(["amount", "amount"]), integers([2, 3]))
        spilled = spill.close({0})
    assert not spilled.ordered
    assert spilled.parts is not None
    _, stores = spilled.parts
    assert len(stores) == 2
    assert all(store.on_disk for store in stores)
    assert _keys(spilled) == ["a3", "b1", "c2"]


def test_a_citation_judged_by_the_exact_code_joins_the_others(tmp_path):
    spill = CitedSpill(tmp_path)
    spill.add(texts(["a", "b"]), texts(["amount", "amount"]), integers([0, 1]))
    spill.add_record("a", "amount", 7)
    spilled = spill.close(set())
    assert spilled.repeated == {0: f"a{SEP}amount", 7: f"a{SEP}amount"}
    assert _keys(spilled) == ["a", "a", "b"]


def test_a_full_disk_keeps_every_key_in_memory(tmp_path):
    """A write that fails (injected at the second batch) loses nothing: the rest is kept in memory."""
    spill = CitedSpill(tmp_path)
    spill.add(texts(["a", "b"]), texts(["", ""]), integers([0, 1]))
    store = spill._store
    with mock.patch.object(store._writer, "write_batch", side_effect=OSError(28, "No space left on device")):
        spill.add(texts(["c"]), texts(["amount"]), integers([2]))
    spill.add(texts(["d"]), texts([""]), integers([3]))
    spilled = spill.close(set())
    assert not store.on_disk
    assert _keys(spilled) == ["a", "b", "c", "d"]


def test_the_temporary_folder_goes_when_the_validation_ends():
    with spill_folder() as folder:
        assert folder is not None
        spill = CitedSpill(folder)
        spill.add(texts(["a"]), texts([""]), integers([0]))
        spill.close(set())
        assert (folder / "cited.arrows").is_file()
    assert not folder.exists()


def test_without_a_temporary_folder_the_keys_stay_in_memory(monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/nowhere")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)
    with spill_folder() as folder:
        assert folder is None
        spill = CitedSpill(folder)
        spill.add(texts(["a"]), texts([""]), integers([0]))
        spilled = spill.close(set())
    assert spilled.store is not None
    assert not spilled.store.on_disk
    assert _keys(spilled) == ["a"]


@pytest.mark.parametrize("count", [0, 1, 200])
def test_a_batch_far_wider_than_its_size_is_left_for_the_end(tmp_path, count):
    """Two ids at both ends of many cited keys: the cursor does not load them all, it defers."""
    keys = [f"k{i:04d}" for i in range(count)] if count else []
    with _small_chunks(8, 0):
        spill = CitedSpill(tmp_path)
        if keys:
            spill.add(texts(keys), texts([""] * count), integers(list(range(count))))
        spilled = spill.close(set())
        cursor = spilled.cursor(tmp_path)
        window = cursor.window(texts(["k0000", "k9999"]))
    assert (window is None) == (count == 200)
