"""The allocations that citations name, kept on disk and met in key order.

A package cites every value of every allocation: about nine citations per
allocation, so the keys they name are the largest thing the validator would
otherwise hold (2.7 million texts at 300 000 allocations). Instead, while the
citations are read, each citation about an allocation that passed its row's
tests is written to a temporary file as ``(key, field, row)``. When those keys
rise from row to row (citation ids of the project's ``table/key/field/n``
form do), the allocations, read in key order too, meet them as two sorted
streams merged: :class:`Cursor` holds only the few chunks between the least
and greatest key of the batch in use, so memory stays flat however long the
files are.

Anything out of order still gets the same answers, with memory instead of a
merge: citations out of key order are read back whole and sorted (one
chunk); a batch of allocations whose keys do not fall in the cursor's window
is kept and matched in one more pass over the citations at the end.
"""

from __future__ import annotations

import contextlib
import tempfile

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import integers, scalar, texts


__all__ = ["SEP", "CitedKeys", "CitedSpill", "Cursor", "Window"]

SEP = "\x1f"  # joins an allocation's key and a field's name

_SCHEMA = pa.schema([("key", pa.string()), ("field", pa.string()), ("row", pa.int64())])

#: Rows per chunk read back from the spill: a window spans a few of them.
CHUNK_ROWS = 1 << 16

#: A batch of allocations whose keys span more cited keys than this many per allocation (plus
#: the slack) is out of key order: it is kept and matched at the end.
WINDOW_FACTOR = 16
WINDOW_SLACK = 4 * CHUNK_ROWS


def _positions(mask: pa.Array) -> Any:
    """The positions where ``mask`` is true, as numpy integers (read from Arrow's buffer, not converted)."""
    import numpy as np

    where = pc.indices_nonzero(mask)
    return np.frombuffer(
        where.buffers()[1], dtype=np.uint64, count=len(where), offset=where.offset * 8
    ).astype(np.int64)


def _mask(flags: Any) -> pa.Array:
    """Numpy booleans as an Arrow mask (``pa.array`` would look for pandas first)."""
    import numpy as np

    bits = np.packbits(flags, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(flags), [None, pa.py_buffer(bits)])


def _rising(values: pa.Array) -> bool:
    count = len(values)
    return count < 2 or bool(pc.all(pc.less_equal(values.slice(0, count - 1), values.slice(1))).as_py())


def _pairs(keys: pa.Array, fields: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(keys, fields, SEP)


class CitedSpill:
    """The writing side: citations about allocations, appended batch by batch as they pass.

    The file lives in ``folder`` (a temporary folder of the validation). If
    it cannot be written (a full or read-only disk), the rows are kept in
    memory instead: the same answers, without the flat memory.
    """

    def __init__(self, folder: Path | None) -> None:
        self.path = (folder or Path()) / "cited.arrows"
        self._sink: Any = None
        self._writer: Any = None
        self._memory: list[pa.RecordBatch] | None = None
        self.ordered = True
        self._last_key: str | None = None
        self._extras: list[tuple[str, str, int]] = []
        # Fields cited twice or more (the only ones sources can disagree on): a key's
        # rows are contiguous when keys rise, so each batch is counted with the rows of
        # its predecessor's last key.
        self._carry = pa.record_batch([texts([]), texts([]), integers([])], schema=_SCHEMA)
        self._repeated: dict[int, str] = {}
        self._neighbours = True  # every key's fields have risen so far
        self._carry_last: tuple[str | None, str | None, int | None] = (None, None, None)
        try:
            if folder is None:
                raise OSError("no temporary folder")  # noqa: TRY301 - the same fallback as a failed open
            self._sink = pa.OSFile(str(self.path), "wb")
            self._writer = pa.ipc.new_stream(self._sink, _SCHEMA)
        except OSError:
            self._close_file()
            self._memory = []

    def add(self, keys: pa.Array, fields: pa.Array, rows: pa.Array) -> None:
        """Citations (their allocation key, field or ``""``, and row) that passed, in file order."""
        if len(keys) == 0:
            return
        batch = pa.record_batch([keys, fields, rows], schema=_SCHEMA)
        if self.ordered:
            first = keys[0].as_py()
            if (self._last_key is not None and first < self._last_key) or not _rising(keys):
                self.ordered = False
            self._last_key = keys[len(keys) - 1].as_py()
        if self.ordered:
            self._count_repeated(batch)
        self._write(batch)

    def add_record(self, key: str, field: str | None, row: int) -> None:
        """One citation judged by the exact code, after the table was read (so out of file order)."""
        self._extras.append((key, field or "", row))

    def _write(self, batch: pa.RecordBatch) -> None:
        if self._memory is not None:
            self._memory.append(batch)
            return
        try:
            self._writer.write_batch(batch)
        except OSError:
            # A full disk: the batches written whole so far are read back, and the rest kept here.
            self._close_file()
            self._memory = list(_written(self.path))
            self._memory.append(batch)

    def _count_repeated(self, batch: pa.RecordBatch) -> None:
        """Note the rows whose (key, field) another row of the same key has too.

        Citation ids of the ``table/key/field/n`` form sort a key's fields too,
        so equal pairs are neighbours: a comparison with the row before finds
        them. Once a key's fields do not rise, each batch is counted whole,
        with the rows of its predecessor's last key.
        """
        keys, fields, rows = batch.column("key"), batch.column("field"), batch.column("row")
        count = batch.num_rows
        before_keys = pa.concat_arrays([texts([self._carry_last[0]]), keys.slice(0, count - 1)])
        before_fields = pa.concat_arrays([texts([self._carry_last[1]]), fields.slice(0, count - 1)])
        same_key = pc.fill_null(pc.equal(keys, before_keys), scalar(value=False))
        rising = pc.or_(
            pc.invert(same_key), pc.fill_null(pc.less_equal(before_fields, fields), scalar(value=True))
        )
        if self._neighbours and pc.all(rising).as_py():
            twice = pc.and_(pc.and_(same_key, pc.equal(fields, before_fields)), pc.not_equal(fields, ""))
            for position in pc.indices_nonzero(twice).to_pylist():
                pair = f"{keys[position].as_py()}{SEP}{fields[position].as_py()}"
                earlier = rows[position - 1].as_py() if position else self._carry_last[2]
                if earlier is not None:
                    self._repeated[earlier] = pair
                self._repeated[rows[position].as_py()] = pair
        else:
            self._neighbours = False
            self._count_whole(batch)
        last = count - 1
        self._carry_last = (keys[last].as_py(), fields[last].as_py(), rows[last].as_py())
        self._carry = batch.filter(pc.equal(keys, keys[last]))

    def _count_whole(self, batch: pa.RecordBatch) -> None:
        both = pa.Table.from_batches([self._carry, batch]).combine_chunks().to_batches()
        rows = both[0] if both else batch
        fielded = rows.filter(pc.not_equal(rows.column("field"), ""))
        pairs = _pairs(fielded.column("key"), fielded.column("field"))
        counts = pc.value_counts(pairs)
        several = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
        if len(several):
            chosen = pc.is_in(pairs, value_set=several)
            for row, pair in zip(
                fielded.column("row").filter(chosen).to_pylist(),
                pairs.filter(chosen).to_pylist(),
                strict=True,
            ):
                self._repeated[row] = pair

    def _close_file(self) -> None:
        for closing in (self._writer, self._sink):
            if closing is not None:
                with contextlib.suppress(OSError, pa.ArrowException):
                    closing.close()
        self._writer = self._sink = None

    def close(self, excluded: set[int]) -> CitedKeys:
        """The cited keys, without the rows that proved to have errors at the end of their table."""
        self._close_file()
        drop = integers(sorted(excluded))
        extras = self._extras
        if extras:
            self.ordered = False  # the exact code's citations come after the table: out of order
        if self.ordered:
            repeated = {row: pair for row, pair in self._repeated.items() if row not in excluded}
            return CitedKeys(
                ordered=True,
                path=None if self._memory is not None else self.path,
                memory=self._memory,
                drop=drop,
                repeated=_at_least_twice(repeated),
            )
        batches = self._memory if self._memory is not None else list(_read_stream(self.path))
        table = pa.Table.from_batches(batches, schema=_SCHEMA)
        if extras:
            keys, fields, rows = zip(*extras, strict=True)
            table = pa.concat_tables(
                [table, pa.table([texts(keys), texts(fields), integers(rows)], schema=_SCHEMA)]
            )
        table = table.filter(pc.invert(pc.is_in(table.column("row"), value_set=drop)))
        table = table.sort_by([("key", "ascending"), ("field", "ascending"), ("row", "ascending")])
        whole = table.combine_chunks().to_batches()
        fielded = table.filter(pc.not_equal(table.column("field"), ""))
        pairs = _pairs(fielded.column("key").combine_chunks(), fielded.column("field").combine_chunks())
        counts = pc.value_counts(pairs)
        several = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
        chosen = pc.is_in(pairs, value_set=several)
        repeated = dict(
            zip(
                fielded.column("row").combine_chunks().filter(chosen).to_pylist(),
                pairs.filter(chosen).to_pylist(),
                strict=True,
            )
        )
        return CitedKeys(ordered=False, path=None, memory=whole, drop=integers([]), repeated=repeated)


def _at_least_twice(repeated: dict[int, str]) -> dict[int, str]:
    counts: dict[str, int] = {}
    for pair in repeated.values():
        counts[pair] = counts.get(pair, 0) + 1
    return {row: pair for row, pair in repeated.items() if counts[pair] > 1}


def _written(path: Path) -> Iterator[pa.RecordBatch]:
    """The batches of a spill whose writing failed, up to the first one not written whole."""
    with contextlib.suppress(OSError, pa.ArrowInvalid):
        yield from _read_stream(path)


def _read_stream(path: Path) -> Iterator[pa.RecordBatch]:
    with pa.OSFile(str(path), "rb") as source:
        yield from pa.ipc.open_stream(source)


@attrs.frozen(kw_only=True)
class CitedKeys:
    """The reading side: the cited keys in key order, as chunks, as often as asked.

    ``repeated`` maps the row of each citation whose (allocation, field) is
    cited twice or more to that pair, joined by :data:`SEP`.
    """

    ordered: bool
    path: Path | None
    memory: list[pa.RecordBatch] | None
    drop: pa.Array
    repeated: dict[int, str]

    @classmethod
    def empty(cls) -> CitedKeys:
        """No citation about an allocation."""
        return cls(ordered=True, path=None, memory=[], drop=integers([]), repeated={})

    def chunks(self) -> Iterator[_Chunk]:
        """Every cited key, in key order, in chunks of about :data:`CHUNK_ROWS` rows."""
        source = iter(self.memory) if self.memory is not None else _read_stream(self.path or Path())
        waiting: list[pa.RecordBatch] = []
        size = 0
        for batch in source:
            kept = (
                batch
                if not len(self.drop)
                else batch.filter(pc.invert(pc.is_in(batch.column("row"), value_set=self.drop)))
            )
            if kept.num_rows:
                waiting.append(kept)
                size += kept.num_rows
            if size >= CHUNK_ROWS:
                yield _Chunk.of(waiting)
                waiting, size = [], 0
        if size:
            yield _Chunk.of(waiting)

    def cursor(self) -> Cursor:
        """A merge of these keys with allocations read in key order (one per reading of them)."""
        return Cursor(self)


@attrs.define
class _Chunk:
    keys: pa.Array
    pairs: pa.Array
    rows: pa.Array
    found: Any  # numpy booleans: which keys an allocation that passed holds

    @classmethod
    def of(cls, batches: list[pa.RecordBatch]) -> _Chunk:
        import numpy as np

        table = pa.Table.from_batches(batches).combine_chunks()
        keys = table.column("key").chunk(0) if table.num_rows else texts([])
        fields = table.column("field").chunk(0) if table.num_rows else texts([])
        rows = table.column("row").chunk(0) if table.num_rows else integers([])
        return cls(keys=keys, pairs=_pairs(keys, fields), rows=rows, found=np.zeros(len(keys), dtype=bool))

    @property
    def first(self) -> str:
        return str(self.keys[0].as_py())

    @property
    def last(self) -> str:
        return str(self.keys[len(self.keys) - 1].as_py())

    def bisect(self, value: str, *, after: bool) -> int:
        """Where ``value`` goes among the keys: before its equals, or ``after`` them."""
        low, high = 0, len(self.keys)
        while low < high:
            middle = (low + high) // 2
            key = self.keys[middle].as_py()
            if key < value or (after and key == value):
                low = middle + 1
            else:
                high = middle
        return low

    def unfound(self) -> tuple[pa.Array, pa.Array]:
        """The keys no allocation that passed holds, and their citations' rows."""
        missing = _mask(~self.found)
        return self.keys.filter(missing), self.rows.filter(missing)


@attrs.define
class Window:
    """The cited keys between the least and the greatest key of a batch of allocations."""

    parts: list[tuple[_Chunk, int, int]]
    keys: pa.Array
    pairs: pa.Array

    def mark(self, ids: pa.Array) -> None:
        """Mark the cited keys that ``ids`` hold as found."""
        found = _positions(pc.is_in(self.keys, value_set=ids))
        offset = 0
        for chunk, start, end in self.parts:
            mine = found[(found >= offset) & (found < offset + end - start)]
            chunk.found[mine - offset + start] = True
            offset += end - start


class Cursor:
    """Cited keys met by batches of allocations in key order, a window at a time."""

    def __init__(self, cited: CitedKeys) -> None:
        self._source = cited.chunks()
        self._buffer: list[_Chunk] = []
        self._floor: str | None = None  # the greatest key dropped
        self._done = False
        self._unfound_keys: list[pa.Array] = []
        self._unfound_rows: list[pa.Array] = []

    def window(self, ids: pa.Array) -> Window | None:
        """The cited keys between the least and the greatest of ``ids``, or None when out of reach.

        Out of reach: ``ids`` go below keys already dropped (the allocations
        are out of key order), or span many more cited keys than their
        number. Such a batch is matched at the end (:func:`match_late`).
        """
        bounds = pc.min_max(ids)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if self._floor is not None and low <= self._floor:
            return None
        self._drop_below(low)
        limit = WINDOW_FACTOR * len(ids) + WINDOW_SLACK
        while not self._done and (not self._buffer or self._buffer[-1].last <= high):
            if sum(len(c.keys) for c in self._buffer) > limit:
                return None  # the keys span many more citations than a batch in key order
            chunk = next(self._source, None)
            if chunk is None:
                self._done = True
                break
            self._buffer.append(chunk)
            self._drop_below(low)
        parts = []
        for chunk in self._buffer:
            if chunk.first > high:
                break
            start, end = chunk.bisect(low, after=False), chunk.bisect(high, after=True)
            if end > start:
                parts.append((chunk, start, end))
        if sum(end - start for _, start, end in parts) > limit:
            return None
        keys = [c.keys.slice(s, e - s) for c, s, e in parts]
        pairs = [c.pairs.slice(s, e - s) for c, s, e in parts]
        return Window(
            parts=parts,
            keys=pa.concat_arrays(keys) if keys else texts([]),
            pairs=pa.concat_arrays(pairs) if pairs else texts([]),
        )

    def _drop_below(self, low: str) -> None:
        while self._buffer and self._buffer[0].last < low:
            chunk = self._buffer.pop(0)
            self._keep_unfound(chunk)
            self._floor = chunk.last

    def _keep_unfound(self, chunk: _Chunk) -> None:
        keys, rows = chunk.unfound()
        if len(keys):
            self._unfound_keys.append(keys)
            self._unfound_rows.append(rows)

    def finish(self) -> tuple[pa.Array, pa.Array]:
        """The cited keys that no batch's window found, and their citations' rows."""
        for chunk in self._buffer:
            self._keep_unfound(chunk)
        self._buffer = []
        for chunk in self._source:
            self._keep_unfound(chunk)
        self._done = True
        keys = pa.concat_arrays(self._unfound_keys) if self._unfound_keys else texts([])
        rows = pa.concat_arrays(self._unfound_rows) if self._unfound_rows else integers([])
        return keys, rows


def match_late(cited: CitedKeys, ids: pa.Array, pairs: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Which of ``ids`` and of ``pairs`` (kept out of key order) some citation names: one more pass."""
    import numpy as np

    ids_found = np.zeros(len(ids), dtype=bool)
    pairs_found = np.zeros(len(pairs), dtype=bool)
    if len(ids) or len(pairs):
        for chunk in cited.chunks():
            if len(ids):
                ids_found[_positions(pc.is_in(ids, value_set=chunk.keys))] = True
            if len(pairs):
                pairs_found[_positions(pc.is_in(pairs, value_set=chunk.pairs))] = True
    return _mask(ids_found), _mask(pairs_found)


@contextlib.contextmanager
def spill_folder() -> Iterator[Path | None]:
    """A temporary folder for one validation, removed after it; None when none can be made."""
    try:
        context = tempfile.TemporaryDirectory(prefix="spie-validate-", ignore_cleanup_errors=True)
    except OSError:
        yield None
        return
    with context as folder:
        yield Path(folder)
