"""Stated amounts and partial dates order as intervals, and amounts add with their precisions."""

from __future__ import annotations

import functools
import operator

import pytest

from hypothesis import given
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.errors import OverlapError


def outcome(a, b) -> str:
    try:
        if a < b:
            return "<"
        if a > b:
            return ">"
    except OverlapError:
        return "overlap"
    return "="


@given(sst.amounts(), sst.amounts())
def test_money_orders_only_when_certain(a, b):
    found = outcome(a, b)
    assert found == {"<": ">", ">": "<", "=": "=", "overlap": "overlap"}[outcome(b, a)]
    if found == "<":
        assert a.high < b.low
    elif found == "=":
        assert a == b
    elif found == "overlap":
        assert a.overlaps(b)
        assert a != b


@given(sst.partial_dates(), sst.partial_dates())
def test_partial_dates_order_only_when_certain(a, b):
    found = outcome(a, b)
    if found == "<":
        assert a.latest < b.earliest
        assert b > a
    elif found == "overlap":
        assert a.overlaps(b)
    elif found == "=":
        assert a == b
        assert a <= b
        assert a >= b


@given(st.lists(sst.amounts(), min_size=1, max_size=5))
def test_money_adds_amounts_and_half_widths(amounts):
    total = sum(amounts)
    assert isinstance(total, spie.Money)
    assert sum(m.amount for m in amounts) == total.amount
    assert sum(m.high for m in amounts) == total.high
    assert sum(m.half_width for m in amounts) == total.half_width
    assert functools.reduce(operator.add, reversed(amounts)) == total


def test_the_occitanie_amounts():
    envelope = spie.Money.of(1_700_000, 100_000)
    haute_garonne = spie.Money.of(370_000, 1)
    assert haute_garonne < envelope
    assert spie.Money.from_text("2070000.00 ±50000.50") == envelope + haute_garonne
    with pytest.raises(OverlapError, match="overlap"):
        _ = envelope < spie.Money.of(1_690_000, 10_000)
    with pytest.raises(TypeError):
        _ = envelope < 1_700_000


def test_a_year_and_its_month_overlap():
    assert spie.PartialDate.from_edtf("2021-06") < spie.PartialDate.from_edtf("2021-07-15")
    with pytest.raises(OverlapError):
        _ = spie.PartialDate.from_edtf("2021") < spie.PartialDate.from_edtf("2021-06")
