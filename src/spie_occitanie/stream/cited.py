"""The allocations that citations name, kept on disk and met in key order, or joined by parts.

A package cites every value of every allocation: about nine citations per
allocation, so the keys they name are the largest thing the validator would
otherwise hold (2.7 million texts at 300 000 allocations). Instead, while the
citations are read, each citation about an allocation that passed its row's
tests is written to a temporary file as ``(key, field, row)``.

When those keys rise from row to row (citation ids of the project's
``table/key/field/n`` form do), the allocations, read in key order too, meet
them as two sorted streams merged: :class:`Cursor` holds only the few chunks
between the least and greatest key of the batch in use, so memory stays flat
however long the files are.

Anything out of order (citations out of key order, a batch of allocations
out of the cursor's reach) is settled at the end by a partitioned join
(:func:`settle`): the cited keys and the allocations left over are cut into
parts by a hash of their keys' last bytes, each part small enough to join in
memory, and the parts are joined one at a time. Memory is then bounded by
the size of a part (:data:`PART_ROWS`), not by the package.
"""

from __future__ import annotations

import contextlib
import math
import tempfile

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import integers, repeated, scalar, texts


__all__ = [
    "PART_ROWS",
    "SEP",
    "CitedKeys",
    "CitedSpill",
    "Cursor",
    "Late",
    "Settled",
    "Window",
    "held_twice",
    "key_rows",
    "settle",
    "spill_folder",
]

SEP = "\x1f"  # joins an allocation's key and a field's name

_SCHEMA = pa.schema([("key", pa.string()), ("field", pa.string()), ("row", pa.int64())])

#: Rows per chunk read back from the spill: a window spans a few of them.
CHUNK_ROWS = 1 << 16

#: A batch of allocations whose keys span more cited keys than this many per allocation (plus
#: the slack) is out of key order: it is kept and matched at the end.
WINDOW_FACTOR = 16
WINDOW_SLACK = 4 * CHUNK_ROWS

#: Rows of each side of a part of the partitioned join: counting a part takes about 300 bytes a row.
PART_ROWS = 1 << 18


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


def _zeros(count: int) -> Any:
    import numpy as np

    return np.zeros(count, dtype=np.uint64)


#: Bytes at the end of a key that its hash reads (with its length): a key's serial part.
_HASHED_BYTES = 16


def _hashes(keys: pa.Array) -> Any:
    """A 64-bit hash of each text: its length and its last :data:`_HASHED_BYTES` bytes, mixed.

    Only the end is read, a few numpy operations per key rather than per
    byte: keys that differ only further from their end share a part, which
    costs memory, never a wrong answer.
    """
    import numpy as np

    count = len(keys)
    if count == 0:
        return _zeros(0)
    _, offsets_buffer, data_buffer = keys.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[keys.offset : keys.offset + count + 1].astype(
        np.int64
    )
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    data = np.append(data, np.uint8(0))  # a place for the missing bytes of short keys
    starts, ends = offsets[:-1], offsets[1:]
    hashes = (ends - starts).astype(np.uint64)
    with np.errstate(over="ignore"):
        for back in range(1, _HASHED_BYTES + 1):
            where = ends - back
            where = np.where(where >= starts, where, len(data) - 1)
            hashes = hashes * np.uint64(0x100000001B3) + data[where].astype(np.uint64)
        hashes ^= hashes >> np.uint64(33)
        hashes *= np.uint64(0xFF51AFD7ED558CCD)
        hashes ^= hashes >> np.uint64(33)
    return hashes


def _rising(values: pa.Array) -> bool:
    count = len(values)
    return count < 2 or bool(pc.all(pc.less_equal(values.slice(0, count - 1), values.slice(1))).as_py())


def _pairs(keys: pa.Array, fields: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(keys, fields, SEP)


def _blank(keys: pa.Array) -> pa.Array:
    """An empty field for each key."""
    return pc.utf8_slice_codeunits(keys, start=0, stop=0)


def _empty() -> pa.RecordBatch:
    return pa.record_batch([texts([]), texts([]), integers([])], schema=_SCHEMA)


def _whole(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    """Several batches as one (an empty one if none)."""
    if not batches:
        return _empty()
    if len(batches) == 1:
        return batches[0]
    joined = pa.Table.from_batches(batches, schema=_SCHEMA).combine_chunks().to_batches()
    return joined[0] if joined else _empty()


def _written(path: Path) -> Iterator[pa.RecordBatch]:
    """The batches of a file whose writing failed, up to the first one not written whole."""
    with contextlib.suppress(OSError, pa.ArrowInvalid):
        yield from _read_stream(path)


def _read_stream(path: Path) -> Iterator[pa.RecordBatch]:
    with pa.OSFile(str(path), "rb") as source:
        yield from pa.ipc.open_stream(source)


class _Store:
    """Batches of ``(key, field, row)``, appended, then read back as often as asked.

    They go to a file in ``folder``; without a folder, or once a write fails
    (a full disk), they are kept in memory instead: the same answers, without
    the bounded memory.
    """

    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = (folder or Path()) / f"{name}.arrows"
        self.rows = 0
        self._sink: Any = None
        self._writer: Any = None
        self._memory: list[pa.RecordBatch] | None = None
        try:
            if folder is None:
                raise OSError("no temporary folder")  # noqa: TRY301 - the same fallback as a failed open
            self._sink = pa.OSFile(str(self.path), "wb")
            self._writer = pa.ipc.new_stream(self._sink, _SCHEMA)
        except OSError:
            self._close_file()
            self._memory = []

    @property
    def on_disk(self) -> bool:
        """Whether the batches are in the file (not held in memory)."""
        return self._memory is None

    def add(self, batch: pa.RecordBatch) -> None:
        """Append a batch."""
        if batch.num_rows == 0:
            return
        self.rows += batch.num_rows
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

    def close(self) -> None:
        """No more batches: the file is complete."""
        self._close_file()

    def _close_file(self) -> None:
        for closing in (self._writer, self._sink):
            if closing is not None:
                with contextlib.suppress(OSError, pa.ArrowException):
                    closing.close()
        self._writer = self._sink = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self._memory is not None:
            return iter(list(self._memory))
        self.close()
        return _read_stream(self.path) if self.rows else iter(())


class _Parts:
    """Which part a key goes to: a hash of its bytes, modulo ``count``.

    Equal keys always go to the same part, whichever side of a join they are
    on; the hash is computed in numpy over the array's own buffers (Arrow's
    Python API offers no hash kernel).
    """

    def __init__(self, count: int) -> None:
        self.count = max(1, count)

    def of(self, keys: pa.Array) -> Any:
        """The part of each key, as numpy integers."""
        import numpy as np

        return _hashes(keys) % np.uint64(self.count) if self.count > 1 else _zeros(len(keys))

    def cut(
        self, source: Iterable[pa.RecordBatch], folder: Path | None, name: str, drop: pa.Array | None = None
    ) -> list[_Store]:
        """The rows of ``source`` (but those at rows in ``drop``), in one store per part."""
        sink = self.sink(folder, name)
        for batch in source:
            kept = batch
            if drop is not None and len(drop):
                kept = batch.filter(pc.invert(pc.is_in(batch.column("row"), value_set=drop)))
            sink.add(kept)
        return sink.close()

    def sink(self, folder: Path | None, name: str) -> _PartSink:
        """Stores, one per part, that batches are cut into as they come."""
        return _PartSink(self, [_Store(folder, f"{name}-{n}") for n in range(self.count)])


@attrs.define
class _PartSink:
    """Batches of ``(key, field, row)`` cut into the parts of their keys as they are added."""

    parts: _Parts
    stores: list[_Store]

    def add(self, batch: pa.RecordBatch) -> None:
        """Cut a batch into its parts."""
        import numpy as np

        if batch.num_rows == 0:
            return
        if self.parts.count == 1:
            self.stores[0].add(batch)
            return
        part = self.parts.of(batch.column("key"))
        order = np.argsort(part, kind="stable")
        ordered = batch.take(pa.Array.from_buffers(pa.int64(), len(order), [None, pa.py_buffer(order)]))
        bounds = np.searchsorted(part[order], np.arange(self.parts.count + 1))
        for number in range(self.parts.count):
            start, end = int(bounds[number]), int(bounds[number + 1])
            if end > start:
                self.stores[number].add(ordered.slice(start, end - start))

    def close(self) -> list[_Store]:
        """The stores, complete."""
        for store in self.stores:
            store.close()
        return self.stores


def _repeated_in(batch: pa.RecordBatch) -> dict[int, str]:
    """The rows whose (key, field) another row of ``batch`` has too, with that pair."""
    fielded = batch.filter(pc.not_equal(batch.column("field"), ""))
    pairs = _pairs(fielded.column("key"), fielded.column("field"))
    several = repeated(pairs)
    if not len(several):
        return {}
    chosen = pc.is_in(pairs, value_set=several)
    return dict(
        zip(fielded.column("row").filter(chosen).to_pylist(), pairs.filter(chosen).to_pylist(), strict=True)
    )


class CitedSpill:
    """The writing side: citations about allocations, appended batch by batch as they pass."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._store = _Store(folder, "cited")
        self.ordered = True
        self._last_key: str | None = None
        self._extras: list[tuple[str, str, int]] = []
        # Fields cited twice or more (the only ones sources can disagree on), found while
        # keys rise: a key's rows are contiguous, and its fields usually rise too.
        self._carry = _empty()
        self._repeated: dict[int, str] = {}
        self._neighbours = True  # every key's fields have risen so far
        self._carry_last: tuple[str | None, str | None, int | None] = (None, None, None)

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
        self._store.add(batch)

    def add_record(self, key: str, field: str | None, row: int) -> None:
        """One citation judged by the exact code, after the table was read (so out of file order)."""
        self._extras.append((key, field or "", row))

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
            self._repeated |= _repeated_in(_whole([self._carry, batch]))
        last = count - 1
        self._carry_last = (keys[last].as_py(), fields[last].as_py(), rows[last].as_py())
        self._carry = batch.filter(pc.equal(keys, keys[last]))

    def close(self, excluded: set[int]) -> CitedKeys:
        """The cited keys, without the rows that proved to have errors at the end of their table."""
        drop = integers(sorted(excluded))
        if self._extras:
            # The exact code's citations come after the table: out of order.
            keys, fields, rows = zip(*self._extras, strict=True)
            self._store.add(pa.record_batch([texts(keys), texts(fields), integers(rows)], schema=_SCHEMA))
            self.ordered = False
        self._store.close()
        if self.ordered:
            repeated = {row: pair for row, pair in self._repeated.items() if row not in excluded}
            return CitedKeys(store=self._store, parts=None, drop=drop, repeated=_at_least_twice(repeated))
        parts = _Parts(math.ceil(self._store.rows / PART_ROWS))
        stores = parts.cut(self._store, self.folder, "cited-part", drop)
        repeated = {}
        for store in stores:
            repeated |= _repeated_in(_whole(list(store)))
        return CitedKeys(store=None, parts=(parts, stores), drop=integers([]), repeated=repeated)


def _at_least_twice(repeated: dict[int, str]) -> dict[int, str]:
    counts: dict[str, int] = {}
    for pair in repeated.values():
        counts[pair] = counts.get(pair, 0) + 1
    return {row: pair for row, pair in repeated.items() if counts[pair] > 1}


@attrs.frozen(kw_only=True)
class CitedKeys:
    """The reading side: the cited keys, in key order (``store``) or cut into parts (``parts``).

    ``repeated`` maps the row of each citation whose (allocation, field) is
    cited twice or more to that pair, joined by :data:`SEP`.
    """

    store: _Store | None
    parts: tuple[_Parts, list[_Store]] | None
    drop: pa.Array
    repeated: dict[int, str]

    @classmethod
    def empty(cls) -> CitedKeys:
        """No citation about an allocation."""
        return cls(store=_Store(None, "none"), parts=None, drop=integers([]), repeated={})

    @property
    def ordered(self) -> bool:
        """Whether the keys are in key order, so that allocations in key order meet them as they go."""
        return self.store is not None

    @property
    def rows(self) -> int:
        """How many citations (before the rows dropped)."""
        if self.store is not None:
            return self.store.rows
        return sum(store.rows for store in self.parts[1]) if self.parts else 0

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Every cited key, without the rows dropped: in key order when :attr:`ordered`."""
        if self.store is None:
            for store in self.parts[1] if self.parts else []:
                yield from store
            return
        for batch in self.store:
            kept = (
                batch
                if not len(self.drop)
                else batch.filter(pc.invert(pc.is_in(batch.column("row"), self.drop)))
            )
            if kept.num_rows:
                yield kept

    def chunks(self) -> Iterator[_Chunk]:
        """Every cited key, in key order, in chunks of about :data:`CHUNK_ROWS` rows (ordered keys only)."""
        waiting: list[pa.RecordBatch] = []
        size = 0
        for batch in self.batches() if self.ordered else iter(()):
            waiting.append(batch)
            size += batch.num_rows
            if size >= CHUNK_ROWS:
                yield _Chunk.of(waiting)
                waiting, size = [], 0
        if size:
            yield _Chunk.of(waiting)

    def cursor(self, folder: Path | None) -> Cursor:
        """A merge of these keys with allocations read in key order (one per reading of them)."""
        return Cursor(self, folder)


@attrs.define
class _Chunk:
    keys: pa.Array
    pairs: pa.Array
    rows: pa.Array
    found: Any  # numpy booleans: which keys an allocation that passed holds

    @classmethod
    def of(cls, batches: list[pa.RecordBatch]) -> _Chunk:
        import numpy as np

        batch = _whole(batches)
        keys, fields, rows = batch.column("key"), batch.column("field"), batch.column("row")
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

    def unfound(self) -> pa.RecordBatch:
        """The keys no allocation that passed holds, with their citations' rows."""
        missing = _mask(~self.found)
        keys = self.keys.filter(missing)
        return pa.record_batch([keys, _blank(keys), self.rows.filter(missing)], schema=_SCHEMA)


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
    """Cited keys met by batches of allocations in key order, a window at a time.

    Keys the windows did not find go to a store as their chunks are left
    behind: in a valid package there are none.
    """

    def __init__(self, cited: CitedKeys, folder: Path | None) -> None:
        self._cited = cited
        self._source = cited.chunks()
        self._buffer: list[_Chunk] = []
        self._floor: str | None = None  # the greatest key dropped
        self._done = not cited.ordered
        self._unfound = _Store(folder, "unfound")

    def window(self, ids: pa.Array) -> Window | None:
        """The cited keys between the least and the greatest of ``ids``, or None when out of reach.

        Out of reach: the keys are not in key order, ``ids`` go below keys
        already dropped (the allocations are out of key order), or they span
        many more cited keys than their number. Such a batch is settled at
        the end (:func:`settle`).
        """
        if not self._cited.ordered:
            return None
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
            self._unfound.add(chunk.unfound())
            self._floor = chunk.last

    def finish(self) -> _Store | None:
        """The cited keys no window found (None: every cited key, as none was met in order)."""
        if not self._cited.ordered:
            return None
        for chunk in self._buffer:
            self._unfound.add(chunk.unfound())
        self._buffer = []
        for chunk in self._source:
            self._unfound.add(chunk.unfound())
        self._done = True
        self._unfound.close()
        return self._unfound


class Late:
    """Allocations out of the cursor's reach: their keys, and the (key, field) pairs of their values."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.ids = _Store(folder, "late-ids")
        self.pairs = _Store(folder, "late-pairs")

    def add_ids(self, ids: pa.Array, rows: pa.Array) -> None:
        """Allocations (their keys and rows) to be matched with the citations that name them."""
        self.ids.add(pa.record_batch([ids, _blank(ids), rows], schema=_SCHEMA))

    def add_pairs(self, keys: pa.Array, fields: pa.Array, rows: pa.Array) -> None:
        """Values of allocations (key, field, row) to be matched with the citations of their field."""
        self.pairs.add(pa.record_batch([keys, fields, rows], schema=_SCHEMA))


@attrs.frozen(kw_only=True)
class Settled:
    """What the end of the merge found: each a batch of ``(key, field, row)``."""

    uncited: pa.RecordBatch  # allocations no citation names (field empty)
    unsupported: pa.RecordBatch  # values of allocations no citation of their field supports
    dangling: pa.RecordBatch  # citations naming no allocation that passed (their rows)


def settle(cited: CitedKeys, unfound: _Store | None, late: Late) -> Settled:
    """Join what the cursor could not reach with the cited keys: in memory if small, else by parts."""
    late.ids.close()
    late.pairs.close()
    if late.ids.rows + late.pairs.rows == 0:
        dangling = _whole(list(unfound if unfound is not None else cited.batches()))
        return Settled(uncited=_empty(), unsupported=_empty(), dangling=dangling)
    if cited.parts is not None:
        parts, cited_parts = cited.parts
    else:
        parts = _Parts(math.ceil(max(cited.rows, late.ids.rows + late.pairs.rows) / PART_ROWS))
        cited_parts = parts.cut(cited.batches(), late.folder, "cited-part")
    ids_parts = parts.cut(late.ids, late.folder, "late-ids-part")
    pairs_parts = parts.cut(late.pairs, late.folder, "late-pairs-part")
    unfound_parts = None if unfound is None else parts.cut(unfound, late.folder, "unfound-part")
    uncited, unsupported, dangling = [], [], []
    for number in range(parts.count):
        keys = _whole(list(cited_parts[number]))
        ids = _whole(list(ids_parts[number]))
        pairs = _whole(list(pairs_parts[number]))
        missing = keys if unfound_parts is None else _whole(list(unfound_parts[number]))
        uncited.append(ids.filter(pc.invert(pc.is_in(ids.column("key"), value_set=keys.column("key")))))
        cited_pairs = _pairs(keys.column("key"), keys.column("field"))
        asked = _pairs(pairs.column("key"), pairs.column("field"))
        unsupported.append(pairs.filter(pc.invert(pc.is_in(asked, value_set=cited_pairs))))
        dangling.append(
            missing.filter(pc.invert(pc.is_in(missing.column("key"), value_set=ids.column("key"))))
        )
    return Settled(uncited=_whole(uncited), unsupported=_whole(unsupported), dangling=_whole(dangling))


def held_twice(rows: int, folder: Path | None, batches: Iterable[pa.RecordBatch]) -> pa.RecordBatch:
    """The ``(key, "", position)`` rows whose key another row has too, of ``rows`` rows in all.

    Cut into parts on disk, each counted alone: the keys of a table out of
    key order are never held together.
    """
    parts = _Parts(math.ceil(rows / PART_ROWS))
    sink = parts.sink(folder, "keys")
    for batch in batches:
        sink.add(batch)
    found = []
    for store in sink.close():
        part = _whole(list(store))
        several = repeated(part.column("key"))
        if len(several):
            found.append(part.filter(pc.is_in(part.column("key"), value_set=several)))
    return _whole(found)


def key_rows(keys: pa.Array, positions: pa.Array) -> pa.RecordBatch:
    """Keys and their positions as ``(key, "", position)`` rows, for :func:`held_twice`."""
    return pa.record_batch([keys, _blank(keys), positions], schema=_SCHEMA)


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
