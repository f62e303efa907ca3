"""Ordering values that are intervals: a stated amount, a partial date.

"1,7 millions" lies somewhere in 1 650 000-1 750 000 EUR, "juin 2021"
somewhere in June. One is less than another only when it certainly is: its
whole interval lies before the other's. When the intervals overlap, neither
is certainly less, and the comparison says so with
:class:`~spie_occitanie.errors.OverlapError` rather than answer by the
midpoints. Equal values are neither less nor greater, so ``sorted`` of equal
values works.
"""

from __future__ import annotations

from typing import Any, Protocol

from spie_occitanie.errors import OverlapError


__all__ = ["IntervalOrder"]


class _Bounded(Protocol):
    @property
    def low_bound(self) -> Any: ...

    @property
    def high_bound(self) -> Any: ...


class IntervalOrder:
    """``<``, ``<=``, ``>``, ``>=`` for a class with ``low_bound`` and ``high_bound``."""

    __slots__ = ()

    def _order(self, other: object) -> int | None:
        """-1 or 1 when one certainly comes first, 0 when equal; ``None`` for another type."""
        if type(other) is not type(self):
            return None
        if self == other:
            return 0
        mine: _Bounded = self  # type: ignore[assignment]
        theirs: _Bounded = other  # type: ignore[assignment]
        if mine.high_bound < theirs.low_bound:
            return -1
        if theirs.high_bound < mine.low_bound:
            return 1
        raise OverlapError(first=self, second=other)

    def __lt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order < 0

    def __le__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order <= 0

    def __gt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order > 0

    def __ge__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order >= 0
