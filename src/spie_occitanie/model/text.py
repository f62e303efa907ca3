"""The published text form of field values.

A citation's ``value`` is written in the text form of the field it speaks to,
so that it can be compared with the record's own value: EDTF for partial
dates, ``"<euros> ±<half>"`` for money, the id for a reference, the enum's
value for a kind. :func:`to_text` writes it and :func:`parse_as` reads it
back for a given field.
"""

from __future__ import annotations

import datetime as dt
import enum

from collections.abc import Callable
from typing import Any

import attrs

from spie_occitanie.errors import InvalidValueError
from spie_occitanie.model.dates import PartialDate
from spie_occitanie.model.fields import FieldKind, field_types
from spie_occitanie.model.money import Money


__all__ = ["agree", "field_names", "parse_as", "to_text"]


def to_text(value: object) -> str | None:
    """The text form of a field value; ``None`` stays ``None``."""
    match value:
        case None:
            return None
        case PartialDate() | Money():
            return str(value)
        case enum.Enum():
            return str(value.value)
        case bool():
            return "true" if value else "false"
        case dt.date():
            return value.isoformat()
        case tuple():
            return ";".join(str(to_text(item)) for item in value)
        case _:
            return str(value)


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class, in declaration order."""
    return tuple(a.name for a in attrs.fields(cls))


def parse_as(cls: type, field: str, text: str) -> object:
    """Read ``text`` as a value of ``cls.field``, for comparison.

    Partial dates and money are parsed into their types (their comparison is
    an interval question); everything else stays text.

    Raises:
        InvalidValueError: the text is not a value of that field's type.
    """
    known = field_types(cls).get(field)  # a citation may name a field the record lacks: text
    kind = None if known is None else known.kind
    parser: Callable[[str], Any]
    if kind is FieldKind.PARTIAL_DATE:
        parser = PartialDate.from_edtf
    elif kind is FieldKind.MONEY:
        parser = Money.from_text
    else:
        return text
    try:
        return parser(text)
    except InvalidValueError as error:
        raise InvalidValueError(cls=cls.__name__, field=field, value=text, reason=error.reason) from None


def agree(a: object, b: object) -> bool:
    """Whether two parsed values can both be true: overlapping intervals, or equal."""
    if isinstance(a, PartialDate) and isinstance(b, PartialDate):
        return a.overlaps(b)
    if isinstance(a, Money) and isinstance(b, Money):
        return a.overlaps(b)
    return a == b
