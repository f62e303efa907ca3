"""Arrow values built from bytes, so that validating a package never loads pandas.

pyarrow imports pandas (0.5 s and 40 MiB) the first time it converts any
Python object to Arrow: ``pa.array([...])``, ``pa.scalar(...)``, or a plain
``""`` or ``0`` passed to a compute function. The streaming validator needs
only a few such values (the empty text, small integers, value sets of a few
hundred keys); built here from their bytes with ``Array.from_buffers``,
they cost nothing to load.

:data:`compute` is :mod:`pyarrow.compute` with that done for the data
arguments of every function: ``compute.equal(array, "")`` is
``pc.equal(array, text(""))``. Options (``utf8_slice_codeunits(a, 0, 4)``,
``match_substring_regex(a, pattern)``) are left as they are: they are not
converted to Arrow values.
"""

from __future__ import annotations

import array
import functools

from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


__all__ = ["compute", "decimal", "flags", "full", "integers", "repeated", "scalar", "texts"]

_INT32_MAX = (1 << 31) - 1


def _validity(values: list[Any]) -> pa.Buffer | None:
    """Arrow's validity bitmap (least significant bit first) of ``values``, or none if none is null."""
    if all(v is not None for v in values):
        return None
    bits = bytearray((len(values) + 7) // 8)
    for i, value in enumerate(values):
        if value is not None:
            bits[i // 8] |= 1 << (i % 8)
    return pa.py_buffer(bytes(bits))


def texts(values: Iterable[str | None]) -> pa.Array:
    """A string array of ``values`` (``None`` is null)."""
    items = list(values)
    encoded = [b"" if v is None else v.encode("utf-8") for v in items]
    offsets = array.array("i", [0] * (len(items) + 1))
    total = 0
    for i, data in enumerate(encoded, start=1):
        total += len(data)
        if total > _INT32_MAX:
            raise OverflowError(f"{total} bytes of text do not fit a string array")
        offsets[i] = total
    buffers = [_validity(items), pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(items), buffers)


def integers(values: Iterable[int | None]) -> pa.Array:
    """An int64 array of ``values`` (``None`` is null)."""
    items = list(values)
    data = array.array("q", [0 if v is None else v for v in items])
    return pa.Array.from_buffers(pa.int64(), len(items), [_validity(items), pa.py_buffer(data.tobytes())])


def flags(values: Iterable[bool | None]) -> pa.Array:
    """A boolean array of ``values`` (``None`` is null)."""
    items = list(values)
    bits = bytearray((len(items) + 7) // 8)
    for i, value in enumerate(items):
        if value:
            bits[i // 8] |= 1 << (i % 8)
    return pa.Array.from_buffers(pa.bool_(), len(items), [_validity(items), pa.py_buffer(bytes(bits))])


def full(count: int, *, value: bool) -> pa.Array:
    """A boolean array of ``count`` times ``value`` (a mask of every row, or of none)."""
    data = (b"\xff" if value else b"\x00") * ((count + 7) // 8)
    return pa.Array.from_buffers(pa.bool_(), count, [None, pa.py_buffer(data)])


def decimal(value: int, precision: int) -> pa.Scalar:
    """The whole number ``value`` as a decimal128 scalar of ``precision`` digits and scale 0."""
    data = value.to_bytes(16, "little", signed=True)
    return pa.Array.from_buffers(pa.decimal128(precision, 0), 1, [None, pa.py_buffer(data)])[0]


@functools.lru_cache(maxsize=None, typed=True)  # typed: True and 1 are equal keys
def scalar(value: str | bool | int | None) -> pa.Scalar:
    """``value`` as an Arrow scalar: string, boolean or int64 (``None`` is a null string)."""
    if value is None or isinstance(value, str):
        return texts([value])[0]
    if isinstance(value, bool):
        return flags([value])[0]
    return integers([value])[0]


def _arrow(value: Any) -> Any:
    """A Python text, boolean or integer as an Arrow scalar; anything else as it is."""
    if isinstance(value, str | bool | int):
        return scalar(value)
    return value


class _Compute:
    """:mod:`pyarrow.compute`, Python texts, booleans and integers among data arguments made Arrow scalars."""

    @functools.cache  # noqa: B019 - one instance, a few dozen names
    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(pc, name)
        about = getattr(function, "__arrow_compute_function__", None)
        if about is None:
            return function  # type: ignore[no-any-return]
        arity = about["arity"]
        data = None if arity is Ellipsis else int(arity)

        def call(*args: Any, **kwargs: Any) -> Any:
            count = len(args) if data is None else data
            converted = [_arrow(a) if i < count else a for i, a in enumerate(args)]
            return function(*converted, **kwargs)

        return call


#: :mod:`pyarrow.compute`, with literals as Arrow scalars built from bytes.
compute: Any = _Compute()


def repeated(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The distinct values that ``values`` holds more than once (keys held twice, fields cited twice)."""
    counts = compute.value_counts(values)
    return counts.filter(compute.greater(counts.field("counts"), 1)).field("values")
