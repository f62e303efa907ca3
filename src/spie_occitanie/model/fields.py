"""What kind of value each field of a record holds, read from its resolved annotation.

The codecs (record to row and back, citation values, the published text
forms) need to know that ``Round.launched`` is a partial date and
``Source.kind`` a :class:`~spie_occitanie.model.SourceKind`. They ask here,
where each field's annotation is resolved to real types once per class
(:func:`typing.get_type_hints`), never matched as text.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing

from collections.abc import Mapping

import attrs

from spie_occitanie.model.dates import PartialDate
from spie_occitanie.model.money import Money


__all__ = ["FieldKind", "FieldType", "field_type", "field_types"]


class FieldKind(enum.Enum):
    """The kinds of value a record's field holds."""

    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    PARTIAL_DATE = "partial-date"
    MONEY = "money"
    ENUM = "enum"
    TUPLE = "tuple"


@attrs.frozen(kw_only=True)
class FieldType:
    """A field's kind, whether it may be ``None``, and for an enumeration its class.

    Attributes:
        kind: what the field holds.
        optional: whether ``None`` (unknown) is allowed.
        enum: the enumeration, for :attr:`FieldKind.ENUM`.
    """

    kind: FieldKind
    optional: bool
    enum: type[enum.Enum] | None = None


_SIMPLE: tuple[tuple[type, FieldKind], ...] = (
    (PartialDate, FieldKind.PARTIAL_DATE),
    (Money, FieldKind.MONEY),
    (bool, FieldKind.BOOLEAN),  # before int: bool is an int
    (int, FieldKind.INTEGER),
    (str, FieldKind.TEXT),
    (dt.date, FieldKind.DATE),
)


def _classify(hint: object) -> FieldType:
    optional = False
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        others = [a for a in args if a is not type(None)]
        optional = len(others) < len(args)
        if len(others) != 1:
            raise TypeError(f"a field holds one kind of value, not {hint!r}")
        hint = others[0]
    if typing.get_origin(hint) is tuple:
        return FieldType(kind=FieldKind.TUPLE, optional=optional)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return FieldType(kind=FieldKind.ENUM, optional=optional, enum=hint)
    for cls, kind in _SIMPLE:
        if hint is cls:
            return FieldType(kind=kind, optional=optional)
    raise TypeError(f"no field kind for {hint!r}")


@functools.cache
def field_types(cls: type) -> Mapping[str, FieldType]:
    """Every field of a record class and its type, in declaration order (resolved once)."""
    hints = typing.get_type_hints(cls)
    return types.MappingProxyType({a.name: _classify(hints[a.name]) for a in attrs.fields(cls)})


def field_type(cls: type, name: str) -> FieldType:
    """The type of one field of a record class."""
    return field_types(cls)[name]
