from decimal import Decimal

import pytest

from hypothesis import given

from spie_occitanie import InvalidValueError, Money
from spie_occitanie import strategies as sst


class TestMoney:
    def test_stated_to_the_hundred_thousand(self):
        """ "1,7 millions d'euros" is an interval of 100 000 euros."""
        money = Money.from_text("1700000 ±50000")
        assert Decimal("1700000.00") == money.amount
        assert Decimal("100000.00") == money.precision
        assert (Decimal(1650000), Decimal(1750000)) == (money.low, money.high)

    def test_bare_amount_is_exact_to_the_cent(self):
        """A bare number carries no rounding beyond the cent."""
        assert Decimal("0.01") == Money.from_text("93000").precision

    def test_float_refused(self):
        """A float is refused with a message naming the class, field and value."""
        with pytest.raises(InvalidValueError) as info:
            Money.of(370000.0)  # type: ignore[arg-type]
        assert (
            "Money: 'amount' must be a Decimal, an int or a numeric str, never a float (got 370000.0)"
            == str(info.value)
        )

    @pytest.mark.parametrize(
        ("amount", "precision", "reason"),
        [
            ("-1", "1", "'amount' must not be negative"),
            ("1.001", "0.01", "'amount' must be whole cents"),
            ("10", "0", "'precision' must be more than zero"),
            ("abc", "1", "'amount' must be a number of euros"),
            ("NaN", "1", "'amount' must be finite"),
        ],
    )
    def test_rules(self, amount, precision, reason):
        """Negative, sub-cent, zero-precision and non-numeric amounts are refused."""
        with pytest.raises(InvalidValueError, match=reason):
            Money.of(amount, precision)

    @pytest.mark.parametrize("text", ["1,7 millions", "80 M€", "1700000 +- 5", ""])
    def test_bad_text(self, text):
        """Text that is not '<euros> ±<half>' is refused, naming it."""
        with pytest.raises(InvalidValueError, match="must read"):
            Money.from_text(text)

    def test_80_and_65_millions_disagree(self):
        """The national budgets of the two sources cannot both be true."""
        assert not Money.from_text("80000000 ±500000").overlaps(Money.from_text("65000000 ±500000"))

    def test_500_k_agrees_with_500_000(self):
        """ "500 K€" (to the thousand) agrees with "500 000 euros" (to the euro)."""
        assert Money.from_text("500000 ±500").overlaps(Money.from_text("500000 ±0.5"))


@given(sst.amounts())
def test_text_round_trip(money):
    """Reading a money's text gives the same money, precision included."""
    assert money == Money.from_text(money.text)


@given(sst.amounts(), sst.amounts())
def test_interval_relations_are_sound(a, b):
    """Overlap is symmetric and excludes "certainly exceeds"."""
    assert a.overlaps(b) == b.overlaps(a)
    if a.certainly_exceeds(b):
        assert not a.overlaps(b)
        assert not b.certainly_exceeds(a)
    assert a.low <= a.amount <= a.high
