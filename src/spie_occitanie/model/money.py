"""Stated money: an amount in euros and the precision it was stated to.

"1,7 millions d'euros" is 1 700 000 EUR to the nearest 100 000; "370 000 €"
is to the euro. The precision is the unit of the last digit the source wrote,
and the amount really means the interval ``amount ± precision / 2``. Checks
that compare amounts (an allocation fits its envelope) compare those
intervals, never the points.

Amounts are :class:`~decimal.Decimal`; a float is refused because ``0.1`` euros
is not a float.

The text form is ``"<euros> ±<half the precision>"``: ``"1700000 ±50000"``.
"""

from __future__ import annotations

import decimal
import re

from decimal import Decimal
from typing import Self

import attrs

from spie_occitanie.errors import InvalidValueError
from spie_occitanie.model.intervals import IntervalOrder


__all__ = ["Money"]

_CENT = Decimal("0.01")
_TEXT = re.compile(r"(?P<amount>\d+(?:\.\d+)?)(?:\s*±\s*(?P<half>\d+(?:\.\d+)?))?")


def _decimal(field: str, value: object) -> Decimal:
    """Exact euros from a Decimal, an int or a numeric string; never a float."""
    if isinstance(value, bool | float):
        raise InvalidValueError(
            cls="Money",
            field=field,
            value=value,
            reason="must be a Decimal, an int or a numeric str, never a float",
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except decimal.InvalidOperation:
            raise InvalidValueError(
                cls="Money", field=field, value=value, reason="must be a number of euros"
            ) from None
    else:
        raise InvalidValueError(
            cls="Money", field=field, value=value, reason="must be a Decimal, an int or a str"
        )
    if not number.is_finite():
        raise InvalidValueError(cls="Money", field=field, value=value, reason="must be finite")
    return number


def _positive_cents(field: str, value: object, *, allow_zero: bool) -> Decimal:
    number = _decimal(field, value)
    if number < 0 or (number == 0 and not allow_zero):
        reason = "must not be negative" if allow_zero else "must be more than zero"
        raise InvalidValueError(cls="Money", field=field, value=value, reason=reason)
    if number != number.quantize(_CENT, rounding=decimal.ROUND_DOWN):
        raise InvalidValueError(cls="Money", field=field, value=value, reason="must be whole cents")
    return number.quantize(_CENT)


@attrs.frozen(kw_only=True, order=False)
class Money(IntervalOrder):
    """An amount of euros as a source states it.

    Build it with :meth:`of` or :meth:`from_text`. Amounts add up with their
    precisions (the intervals add: 1 700 000 ±50 000 + 370 000 ±0.50 is
    2 070 000 ±50 000.50), and order where their intervals do not overlap.

    Attributes:
        amount: euros, whole cents, not negative.
        precision: the unit of the last digit the source wrote (1 for "370 000 €",
            100 000 for "1,7 millions"); at least one cent.
    """

    amount: Decimal
    precision: Decimal

    def __attrs_post_init__(self) -> None:
        """Both parts exact, in cents, amount >= 0 and precision > 0."""
        if _positive_cents("amount", self.amount, allow_zero=True) != self.amount:
            raise InvalidValueError(
                cls="Money", field="amount", value=self.amount, reason="must be quantized to cents"
            )
        if _positive_cents("precision", self.precision, allow_zero=False) != self.precision:
            raise InvalidValueError(
                cls="Money",
                field="precision",
                value=self.precision,
                reason="must be quantized to cents",
            )

    @classmethod
    def of(cls, amount: Decimal | int | str, precision: Decimal | int | str = "0.01") -> Self:
        """Euros stated to ``precision`` (by default exactly, to the cent)."""
        return cls(
            amount=_positive_cents("amount", amount, allow_zero=True),
            precision=_positive_cents("precision", precision, allow_zero=False),
        )

    @classmethod
    def from_text(cls, text: str) -> Self:
        """Parse ``"1700000 ±50000"``; a bare ``"93000"`` is exact to the cent."""
        match = _TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidValueError(
                cls="Money",
                field="text",
                value=text,
                reason="must read '<euros> ±<half the precision>', e.g. '1700000 ±50000'",
            )
        half = match["half"]
        precision = Decimal(half) * 2 if half is not None else _CENT
        return cls.of(match["amount"], precision)

    @property
    def text(self) -> str:
        """The text form, the inverse of :meth:`from_text`."""
        return f"{self.amount} ±{self.half_width}"

    @property
    def half_width(self) -> Decimal:
        """Half the precision: how far the true amount may lie from :attr:`amount`."""
        return self.precision / 2

    @property
    def low(self) -> Decimal:
        """The smallest amount the statement allows (never below zero)."""
        return max(Decimal(0), self.amount - self.precision / 2)

    @property
    def high(self) -> Decimal:
        """The largest amount the statement allows."""
        return self.amount + self.precision / 2

    @property
    def low_bound(self) -> Decimal:
        """The interval's low end, for ordering (:attr:`low`)."""
        return self.low

    @property
    def high_bound(self) -> Decimal:
        """The interval's high end, for ordering (:attr:`high`)."""
        return self.high

    def __add__(self, other: object) -> Money:
        """The sum of two statements: amounts add, and so do the half-widths of their intervals."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # sum() starts from 0
        if not isinstance(other, Money):
            return NotImplemented
        return Money(amount=self.amount + other.amount, precision=self.precision + other.precision)

    __radd__ = __add__

    def overlaps(self, other: Money) -> bool:
        """Whether the two statements can be the same amount: sources that agree."""
        return self.low <= other.high and other.low <= self.high

    def certainly_exceeds(self, total: Money) -> bool:
        """Whether this amount is more than ``total`` whatever the rounding."""
        return self.low > total.high

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Money.from_text({self.text!r})"
