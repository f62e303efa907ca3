import datetime as dt

import pytest

from hypothesis import given
from hypothesis import strategies as st

from spie_occitanie import InvalidValueError, PartialDate, Precision
from spie_occitanie import strategies as sst


class TestFromEdtf:
    @pytest.mark.parametrize(
        ("text", "precision", "earliest", "latest"),
        [
            ("2022-02-03", Precision.DAY, dt.date(2022, 2, 3), dt.date(2022, 2, 3)),
            ("2021-06", Precision.MONTH, dt.date(2021, 6, 1), dt.date(2021, 6, 30)),
            ("2024-02", Precision.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
            ("2021-21", Precision.SEASON, dt.date(2021, 3, 1), dt.date(2021, 5, 31)),
            ("2021-22", Precision.SEASON, dt.date(2021, 6, 1), dt.date(2021, 8, 31)),
            ("2021-23", Precision.SEASON, dt.date(2021, 9, 1), dt.date(2021, 11, 30)),
            ("2023-24", Precision.SEASON, dt.date(2023, 12, 1), dt.date(2024, 2, 29)),
            ("2021", Precision.YEAR, dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        ],
    )
    def test_bounds(self, text, precision, earliest, latest):
        """Each precision knows its first and last possible day."""
        date = PartialDate.from_edtf(text)
        assert (precision, earliest, latest) == (date.precision, date.earliest, date.latest)
        assert text == date.edtf

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("2023-02-30", "day must be 01-28"),
            ("2021-13", "month must be 01-12"),
            ("2021-25", "month must be 01-12"),
            ("21-06", "must be EDTF"),
            ("2021-6", "must be EDTF"),
            ("juin 2021", "must be EDTF"),
            ("", "must be EDTF"),
        ],
    )
    def test_rejects(self, text, reason):
        """Bad EDTF raises an error naming the class, the field and the value."""
        with pytest.raises(InvalidValueError) as info:
            PartialDate.from_edtf(text)
        message = str(info.value)
        assert message.startswith("PartialDate: 'edtf'")
        assert reason in message
        assert repr(text) in message

    def test_not_a_string(self):
        """A number is refused rather than guessed at."""
        with pytest.raises(InvalidValueError, match="must be an EDTF str"):
            PartialDate.from_edtf(2021)  # type: ignore[arg-type]

    def test_parts_must_match_precision(self):
        """The fields are checked together, not only by from_edtf."""
        with pytest.raises(InvalidValueError, match="parts do not match"):
            PartialDate(year=2021, precision=Precision.DAY, month=6)


class TestIntervals:
    def test_spring_contains_april(self):
        """ "au printemps 2021" agrees with "20 avril 2021"."""
        assert PartialDate.from_edtf("2021-21").overlaps(PartialDate.from_edtf("2021-04-20"))

    def test_june_is_before_mid_july(self):
        """ "juin 2021" and "15 juillet 2021" cannot be the same day."""
        june, july = PartialDate.from_edtf("2021-06"), PartialDate.from_edtf("2021-07-15")
        assert not june.overlaps(july)
        assert july.certainly_after(june)
        assert not june.certainly_after(july)

    def test_same_month_is_not_certainly_after(self):
        """A day inside a month is neither certainly before nor after it."""
        month, day = PartialDate.from_edtf("2021-07"), PartialDate.from_edtf("2021-07-15")
        assert not month.certainly_after(day)
        assert not day.certainly_after(month)


@given(sst.partial_dates())
def test_edtf_round_trip(date):
    """Reading a date's EDTF text gives the same date."""
    assert date == PartialDate.from_edtf(date.edtf)


@given(sst.partial_dates())
def test_bounds_are_ordered_and_contained(date):
    """earliest <= latest, and both are days the date can be."""
    assert date.earliest <= date.latest
    assert date.contains(date.earliest)
    assert date.contains(date.latest)


@given(sst.partial_dates(), sst.partial_dates())
def test_interval_relations_are_sound(a, b):
    """Overlap is symmetric and excludes "certainly after" either way."""
    assert a.overlaps(b) == b.overlaps(a)
    if a.certainly_after(b):
        assert not a.overlaps(b)
        assert not b.certainly_after(a)
    assert a.overlaps(b) or a.certainly_after(b) or b.certainly_after(a)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)), st.sampled_from(Precision))
def test_coarsened_date_contains_the_day(day, precision):
    """A date stated less precisely still contains the day it was made from."""
    assert sst._coarsen(day, precision).contains(day)
