"""Reading big CSV files with Arrow at a steady pace and with memory given back.

Both the streaming validator and the diff read national ledgers in Arrow
batches. :class:`PacedReader` keeps Arrow's background reader a few blocks
ahead of the batch in use (hashing and counting the bytes as they pass), and
:func:`returning_pool` makes the allocations of a run come from jemalloc,
which gives freed pages back soon.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading

from collections.abc import Callable, Iterator
from typing import BinaryIO

import pyarrow as pa


__all__ = ["BLOCKS_AHEAD", "BLOCK_BYTES", "PacedReader", "returning_pool"]

#: Bytes of CSV parsed per batch (about 10 000 rows): large enough for the kernels to run
#: at nearly full speed, small enough that a batch and what is computed from it stay a few
#: MiB. (At 300 000 allocations, on one thread: 1 MiB peaked at 119 MiB, 2 MiB at 139 MiB
#: and 8 MiB at 226 MiB, 1 MiB being about 5 % slower than 2 MiB; 512 KiB cost a third
#: more time for 13 MiB less.)
BLOCK_BYTES = 1 << 20

#: Blocks that Arrow's reader may read ahead of the batch in use: the batch being tested
#: on the second thread, and one more (4 cost 10 MiB more at 300 000 allocations, for
#: no speed).
BLOCKS_AHEAD = 2


class PacedReader:
    """A binary file that Arrow's CSV reader may read only a few blocks ahead of the batches used.

    Arrow's streaming reader reads in the background, up to 32 blocks ahead
    of the batch being used: 32 MiB of a big file held for nothing. Here
    :meth:`read` waits while :data:`BLOCKS_AHEAD` blocks are already read
    and unused, until :meth:`used` says a batch was taken (Arrow makes one
    batch of each block). The bytes are hashed and counted as they pass.
    """

    def __init__(
        self,
        handle: BinaryIO,
        *,
        size: int,
        algorithm: str | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self._handle = handle
        self._size = size
        self.hash = hashlib.new(algorithm) if algorithm is not None else None
        self.bytes = 0
        self._on_read = on_read
        self._allowed = BLOCKS_AHEAD * BLOCK_BYTES
        self._turn = threading.Condition()
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        """Read, once fewer than :data:`BLOCKS_AHEAD` blocks wait to be used."""
        with self._turn:
            # The end of the file is never waited for; the timeout only guards against
            # a reader that would need more blocks than allowed before giving a batch.
            self._turn.wait_for(lambda: self.bytes < self._allowed or self.bytes >= self._size, timeout=1)
        data = self._handle.read(size)
        if self.hash is not None:
            self.hash.update(data)
        self.bytes += len(data)
        if self._on_read is not None:
            self._on_read(self.bytes)
        return data

    def used(self) -> None:
        """One more batch was taken: one more block may be read."""
        with self._turn:
            self._allowed += BLOCK_BYTES
            self._turn.notify_all()

    def release(self) -> None:
        """Read freely from now on (the batches are no longer used)."""
        with self._turn:
            self._allowed = self._size
            self._turn.notify_all()

    def readable(self) -> bool:
        """It is read, never written."""
        return True

    def seekable(self) -> bool:
        """Arrow reads it from start to end."""
        return False

    def close(self) -> None:
        """Mark it closed; the file itself is closed by its owner."""
        self.closed = True

    def drain(self) -> None:
        """Hash what pyarrow did not read (nothing, unless reading stopped on an error)."""
        self.release()
        while self.read(1 << 20):
            pass


#: How long jemalloc keeps freed pages before giving them back to the system: long enough
#: for the next batch to reuse them (at 0, page faults cost a third more time), short
#: enough that a batch's pages do not pile up.
_DECAY_MS = 100


@contextlib.contextmanager
def returning_pool() -> Iterator[None]:
    """Allocate Arrow memory, for the time of a validation, from jemalloc giving freed pages back.

    A validation allocates and frees the same few MiB for every batch.
    Arrow's default allocator (mimalloc) keeps freed pages for longer, and
    the resident memory of the process grows well past what is in use. The
    previous default pool is restored afterwards; where pyarrow was built
    without jemalloc, nothing changes. (jemalloc's decay is a setting of
    the whole process: it stays as set here.)
    """
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # pragma: no cover - pyarrow built without jemalloc
        yield
        return
    pa.jemalloc_set_decay_ms(_DECAY_MS)
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)
