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

from unittest import mock

import pyarrow as pa
import pytest

from hypothesis import given
from hypothesis import strategies as st

from spie_occitanie.stream import cited
from spie_occitanie.stream.cited import SEP, CitedSpill, match_late, spill_folder
from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import integers, texts


KEYS = st.text(alphabet="abc-/~0", min_size=1, max_size=4)
FIELDS = st.sampled_from(["", "amount", "convention", "envelope_id"])


@contextlib.contextmanager
def _small_chunks(rows: int, slack: int) -> contextlib.AbstractContextManager[None]:
    with mock.patch.object(cited, "CHUNK_ROWS", rows), mock.patch.object(cited, "WINDOW_SLACK", slack):
        yield


def _cut(items: list, sizes: list[int]) -> list[list]:
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


def _merge(spilled, ids_batches):
    """Run the merge as the validator does: every batch through the cursor, then the last pass."""
    keys = spilled.cursor()
    late_ids, late_pairs, uncited, asked_missing = [], [], set(), set()
    for batch in ids_batches:
        ids = texts(batch)
        pairs = texts([f"{i}{SEP}amount" for i in batch])
        window = keys.window(ids)
        if window is None:
            late_ids.append(ids)
            late_pairs.append(pairs)
            continue
        window.mark(ids)
        uncited |= set(ids.filter(pc.invert(pc.is_in(ids, value_set=window.keys))).to_pylist())
        asked_missing |= set(pairs.filter(pc.invert(pc.is_in(pairs, value_set=window.pairs))).to_pylist())
    dangling_keys, dangling_rows = keys.finish()
    ids = pa.concat_arrays(late_ids) if late_ids else texts([])
    pairs = pa.concat_arrays(late_pairs) if late_pairs else texts([])
    ids_found, pairs_found = match_late(spilled, ids, pairs)
    uncited |= set(ids.filter(pc.invert(ids_found)).to_pylist())
    asked_missing |= set(pairs.filter(pc.invert(pairs_found)).to_pylist())
    still = pc.invert(pc.is_in(dangling_keys, value_set=ids))
    dangling = set(
        zip(dangling_keys.filter(still).to_pylist(), dangling_rows.filter(still).to_pylist(), strict=True)
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
    slack=st.integers(0, 4),
    on_disk=st.booleans(),
)
def test_the_merge_gives_what_sets_give(  # noqa: PLR0917 - Hypothesis passes each draw by name
    tmp_path_factory, rows, ids, sort_citations, sort_ids, sizes, excluded, chunk, slack, on_disk
):
    if sort_citations == "by key":  # a key's fields in any order: equal pairs need not be neighbours
        rows = sorted(rows, key=lambda row: row[0])
    elif sort_citations == "by key and field":
        rows = sorted(rows)
    if sort_ids:
        ids = sorted(ids)
    numbered = [(key, field, row) for row, (key, field) in enumerate(rows)]
    with _small_chunks(chunk, slack):
        spill = CitedSpill(tmp_path_factory.mktemp("spill") if on_disk else None)
        for batch in _cut(numbered, sizes):
            keys, fields, where = zip(*batch, strict=True)
            spill.add(texts(keys), texts(fields), integers(where))
        spilled = spill.close(excluded)
        uncited, dangling, asked_missing = _merge(spilled, _cut(ids, list(reversed(sizes))))

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
    assert (spilled.path is not None) == (rising and on_disk)


def test_keys_out_of_order_are_read_back_and_sorted(tmp_path):
    spill = CitedSpill(tmp_path)
    spill.add(texts(["b", "c"]), texts(["", "amount"]), integers([0, 1]))
    spill.add(texts(["a"]), texts(["amount"]), integers([2]))
    spilled = spill.close(set())
    assert not spilled.ordered
    assert [k for c in spilled.chunks() for k in c.keys.to_pylist()] == ["a", "b", "c"]


def test_a_citation_judged_by_the_exact_code_joins_the_others(tmp_path):
    spill = CitedSpill(tmp_path)
    spill.add(texts(["a", "b"]), texts(["amount", "amount"]), integers([0, 1]))
    spill.add_record("a", "amount", 7)
    spilled = spill.close(set())
    assert spilled.repeated == {0: f"a{SEP}amount", 7: f"a{SEP}amount"}
    assert [k for c in spilled.chunks() for k in c.keys.to_pylist()] == ["a", "a", "b"]


def test_a_full_disk_keeps_every_key_in_memory(tmp_path):
    """A write that fails (injected at the second batch) loses nothing: the rest is kept in memory."""
    spill = CitedSpill(tmp_path)
    spill.add(texts(["a", "b"]), texts(["", ""]), integers([0, 1]))
    with mock.patch.object(spill._writer, "write_batch", side_effect=OSError(28, "No space left on device")):
        spill.add(texts(["c"]), texts(["amount"]), integers([2]))
    spill.add(texts(["d"]), texts([""]), integers([3]))
    spilled = spill.close(set())
    assert spilled.memory is not None
    assert [k for c in spilled.chunks() for k in c.keys.to_pylist()] == ["a", "b", "c", "d"]


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
    assert spilled.memory is not None
    assert [k for c in spilled.chunks() for k in c.keys.to_pylist()] == ["a"]


@pytest.mark.parametrize("count", [0, 1, 200])
def test_a_batch_far_wider_than_its_size_is_left_for_the_end(tmp_path, count):
    """Two ids at both ends of many cited keys: the cursor does not load them all, it defers."""
    keys = [f"k{i:04d}" for i in range(count)] if count else []
    with _small_chunks(8, 0):
        spill = CitedSpill(tmp_path)
        if keys:
            spill.add(texts(keys), texts([""] * count), integers(list(range(count))))
        spilled = spill.close(set())
        cursor = spilled.cursor()
        window = cursor.window(texts(["k0000", "k9999"]))
    assert (window is None) == (count == 200)
