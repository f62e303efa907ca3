"""Partial dates: what a source knows of a day.

Sources say "le 3 février 2022", "en juin 2021", "au printemps 2021". A
:class:`PartialDate` keeps exactly that much: its precision, and the earliest
and latest day it can be. It reads and writes EDTF (ISO 8601-2 level 1):
``2022-02-03``, ``2021-06``, ``2021-21`` (spring 2021), ``2021``.

Seasons are the northern meteorological ones: spring is March to May (EDTF
21), summer June to August (22), autumn September to November (23), and the
winter of year Y runs from 1 December Y to the end of February Y+1 (24).

Ordering two partial dates is a question about intervals, so there is no
``<``: :meth:`PartialDate.certainly_after` says whether every day one can be
is after every day the other can be.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re

from typing import Self

import attrs

from spie_occitanie.errors import InvalidValueError
from spie_occitanie.model.intervals import IntervalOrder


__all__ = ["PartialDate", "Precision", "Season"]


class Precision(enum.Enum):
    """How much of a day a source states."""

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"


class Season(enum.IntEnum):
    """EDTF season codes (ISO 8601-2 sub-year groupings 21-24)."""

    SPRING = 21
    SUMMER = 22
    AUTUMN = 23
    WINTER = 24


# First month of each season; winter runs into the next year.
_SEASON_START = {Season.SPRING: 3, Season.SUMMER: 6, Season.AUTUMN: 9, Season.WINTER: 12}

# ASCII digits only: \d alone would take other scripts' digits, which int() then reads.
_EDTF = re.compile(r"(?P<year>\d{4})(?:-(?P<part>\d{2})(?:-(?P<day>\d{2}))?)?", re.ASCII)


def _bad(value: object, reason: str) -> InvalidValueError:
    return InvalidValueError(cls="PartialDate", field="edtf", value=value, reason=reason)


@attrs.frozen(kw_only=True, order=False)
class PartialDate(IntervalOrder):
    """A date known to a day, a month, a season or a year.

    Build it with :meth:`from_edtf` or :meth:`from_date`; the fields are the
    parsed parts, checked together. Dates order where their spans do not
    overlap: ``2021-06 < 2021-07-15``, while ``2021`` and ``2021-06`` raise
    :class:`~spie_occitanie.errors.OverlapError`.

    Attributes:
        year: the year (for a winter, the year it starts in).
        precision: how much the source states.
        month: 1-12 for month and day precision, else ``None``.
        day: the day of the month for day precision, else ``None``.
        season: the season for season precision, else ``None``.
    """

    year: int
    precision: Precision
    month: int | None = None
    day: int | None = None
    season: Season | None = None

    def __attrs_post_init__(self) -> None:
        """Check that the parts make one real date of the stated precision."""
        shape = (self.month is not None, self.day is not None, self.season is not None)
        expected = {
            Precision.DAY: (True, True, False),
            Precision.MONTH: (True, False, False),
            Precision.SEASON: (False, False, True),
            Precision.YEAR: (False, False, False),
        }
        if not isinstance(self.precision, Precision) or shape != expected[self.precision]:
            raise _bad(attrs.asdict(self), "parts do not match the precision")
        if not 1 <= self.year <= 9999:
            raise _bad(self.year, "year must be between 0001 and 9999")
        if self.month is not None and not 1 <= self.month <= 12:
            raise _bad(self.edtf, "month must be 01-12")
        if self.day is not None:
            assert self.month is not None  # noqa: S101 - guaranteed by the shape check
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise _bad(self.edtf, f"day must be 01-{last:02d} in that month")

    @classmethod
    def from_edtf(cls, text: str) -> Self:
        """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-SS`` (season 21-24)."""
        if not isinstance(text, str):
            raise _bad(text, "must be an EDTF str such as '2021-06'")
        match = _EDTF.fullmatch(text)
        if match is None:
            raise _bad(text, "must be EDTF: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-21..24")
        year = int(match["year"])
        part = match["part"]
        if part is None:
            return cls(year=year, precision=Precision.YEAR)
        number = int(part)
        if match["day"] is not None:
            return cls(year=year, precision=Precision.DAY, month=number, day=int(match["day"]))
        if 21 <= number <= 24:
            return cls(year=year, precision=Precision.SEASON, season=Season(number))
        if not 1 <= number <= 12:
            raise _bad(text, "month must be 01-12, or 21-24 for a season")
        return cls(year=year, precision=Precision.MONTH, month=number)

    @classmethod
    def from_date(cls, day: dt.date) -> Self:
        """A date known to the day."""
        return cls(year=day.year, precision=Precision.DAY, month=day.month, day=day.day)

    @property
    def edtf(self) -> str:
        """The EDTF text, the inverse of :meth:`from_edtf`."""
        if self.season is not None:
            return f"{self.year:04d}-{self.season.value}"
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def earliest(self) -> dt.date:
        """The first day this date can be."""
        if self.season is not None:
            return dt.date(self.year, _SEASON_START[self.season], 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        """The last day this date can be."""
        if self.season is not None:
            start = _SEASON_START[self.season]
            year, month = (self.year, start + 2) if start + 2 <= 12 else (self.year + 1, start - 10)
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if self.day is not None:
            return self.earliest
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def low_bound(self) -> dt.date:
        """The span's first day, for ordering (:attr:`earliest`)."""
        return self.earliest

    @property
    def high_bound(self) -> dt.date:
        """The span's last day, for ordering (:attr:`latest`)."""
        return self.latest

    def overlaps(self, other: PartialDate) -> bool:
        """Whether the two can be the same day: sources that agree."""
        return self.earliest <= other.latest and other.earliest <= self.latest

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` is one of the days this date can be."""
        return self.earliest <= day <= self.latest

    def certainly_after(self, other: PartialDate) -> bool:
        """Whether every day this can be comes after every day ``other`` can be."""
        return self.earliest > other.latest

    def __str__(self) -> str:
        return self.edtf

    def __repr__(self) -> str:
        return f"PartialDate({self.edtf!r})"
