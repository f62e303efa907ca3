"""The model's value rules, each one object, so that every engine runs the same rules.

A rule says once what a value must be. It is the attrs validator of the
field it guards (or, for a rule across fields, listed in the record class's
``RULES``), and it is also data: its kind and parameters can be read. The
record path calls :meth:`FieldRule.explain` on each value as records are
built; the streaming validator reads the same objects and runs, for each
one, a columnar test on Arrow arrays (``spie_occitanie.stream.kernels``),
which may only accept what :meth:`FieldRule.explain` accepts. A field added
to a record with these rules is therefore checked by both engines, with no
second statement of its rules.

Each failure raises :class:`~spie_occitanie.errors.InvalidValueError`
naming the class, the record (when its key is already readable), the field
and the value, in the wording attrs uses for its own validators.
"""

from __future__ import annotations

import enum
import re

from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

import attrs

from spie_occitanie.errors import InvalidValueError


__all__ = [
    "DEPARTEMENT_CODE",
    "REGION_CODE",
    "SLUG",
    "TERRITORY_ID",
    "Count",
    "Differs",
    "FieldRule",
    "InstanceOf",
    "Matches",
    "MemberOf",
    "Optional",
    "RecordRule",
    "Requires",
    "Text",
    "Together",
    "TupleOf",
    "Validator",
    "Year",
    "YearsOrdered",
    "check_record",
    "fail",
    "field_rules",
    "record_rules",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DEPARTEMENT_CODE = r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])"
REGION_CODE = r"[0-9]{2}"
TERRITORY_ID = rf"fr:departement:{DEPARTEMENT_CODE}|fr:region:{REGION_CODE}|spie:{SLUG}"


def fail(instance: object, attribute: attrs.Attribute[Any], value: object, reason: str) -> NoReturn:
    """Raise the error of a broken rule, naming as much as is known."""
    record: str | None = None
    key = getattr(type(instance), "key", None)
    if isinstance(key, property):
        try:
            record = str(key.fget(instance))  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - a half-built record may have no key yet
            record = None
    raise InvalidValueError(
        cls=type(instance).__name__,
        field=attribute.name,
        value=value,
        reason=reason,
        record=record,
    )


class FieldRule:
    """A rule about one field's value: an attrs validator that can also be read.

    Subclasses say what is wrong with a value in :meth:`explain` (``None``
    when the value is right).
    """

    __slots__ = ()

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        raise NotImplementedError

    def accepts(self, value: object) -> bool:
        """Whether the rule holds for ``value``."""
        return self.explain(value) is None

    def __call__(self, instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """Validate as attrs does: raise the error that names class, record, field and value."""
        reason = self.explain(value)
        if reason is not None:
            fail(instance, attribute, value, reason)


@attrs.frozen
class Text(FieldRule):
    """A non-empty string with no white space at either end: absent is ``None``, never ``""``."""

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if not isinstance(value, str):
            return "must be a str"
        if not value.strip():
            return "must not be empty (leave it out when unknown)"
        if value != value.strip():
            return "must not start or end with white space"
        return None


@attrs.frozen
class Matches(FieldRule):
    """A string that matches ``pattern`` entirely; ``what`` names the shape."""

    pattern: str
    what: str
    _regex: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if not isinstance(value, str) or self._regex.fullmatch(value) is None:
            return f"must be {self.what}"
        return None


@attrs.frozen
class MemberOf(FieldRule):
    """A member of an enumeration; the message lists the allowed values."""

    enum: type[enum.Enum]

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if not isinstance(value, self.enum):
            allowed = ", ".join(repr(m.value) for m in self.enum)
            return f"must be one of {allowed}"
        return None


@attrs.frozen
class InstanceOf(FieldRule):
    """An instance of ``cls`` (a value type such as Money or PartialDate keeps its own rules)."""

    cls: type

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        return None if isinstance(value, self.cls) else f"must be a {self.cls.__name__}"


@attrs.frozen
class Count(FieldRule):
    """A whole number, zero or more (and not a bool)."""

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return "must be an int >= 0"
        return None


@attrs.frozen
class Year(FieldRule):
    """A plausible calendar year of the programme's era."""

    low: ClassVar[int] = 1900
    high: ClassVar[int] = 2100

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            return f"must be a year between {self.low} and {self.high}"
        return None


@attrs.frozen
class Optional(FieldRule):
    """``None`` (unknown) or what ``rule`` accepts."""

    rule: FieldRule

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        return None if value is None else self.rule.explain(value)


@attrs.frozen
class TupleOf(FieldRule):
    """A tuple whose every item passes ``rule``."""

    rule: FieldRule

    def explain(self, value: object) -> str | None:
        """What is wrong with ``value``, or ``None`` when the rule holds."""
        if not isinstance(value, tuple):
            return "must be a tuple"
        for item in value:
            reason = self.rule.explain(item)
            if reason is not None:
                return reason
        return None


class RecordRule:
    """A rule across the fields of one record, listed in its class's ``RULES``."""

    __slots__ = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        raise NotImplementedError

    def explain(self, record: object) -> tuple[str, object, str] | None:
        """The field at fault, its value and what is wrong; ``None`` when the rule holds."""
        raise NotImplementedError

    def check(self, record: object) -> None:
        """Raise the error of the broken rule, naming the record, field and value."""
        broken = self.explain(record)
        if broken is not None:
            field, value, reason = broken
            fail(record, attrs.fields_dict(type(record))[field], value, reason)  # type: ignore[arg-type]


@attrs.frozen
class YearsOrdered(RecordRule):
    """``first`` is not after ``last`` when both are known."""

    first: str
    last: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        return (self.first, self.last)

    def explain(self, record: object) -> tuple[str, object, str] | None:
        """The field at fault, its value and what is wrong; ``None`` when the rule holds."""
        a, b = getattr(record, self.first), getattr(record, self.last)
        if a is not None and b is not None and a > b:
            return self.last, b, f"must not be before '{self.first}' ({a})"
        return None


@attrs.frozen
class Together(RecordRule):
    """Two fields known together or not at all (a round and a territory name a selection)."""

    first: str
    second: str
    why: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        return (self.first, self.second)

    def explain(self, record: object) -> tuple[str, object, str] | None:
        """The field at fault, its value and what is wrong; ``None`` when the rule holds."""
        if (getattr(record, self.first) is None) != (getattr(record, self.second) is None):
            return (
                self.second,
                getattr(record, self.second),
                f"and '{self.first}' must be given together ({self.why})",
            )
        return None


@attrs.frozen
class Differs(RecordRule):
    """A field that must not repeat another (an envelope is not part of itself)."""

    field: str
    other: str
    reason: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        return (self.field, self.other)

    def explain(self, record: object) -> tuple[str, object, str] | None:
        """The field at fault, its value and what is wrong; ``None`` when the rule holds."""
        value = getattr(record, self.field)
        if value is not None and value == getattr(record, self.other):
            return self.field, value, self.reason
        return None


@attrs.frozen
class Requires(RecordRule):
    """A flag that may be true only when another field is known (a verified SIREN needs a SIREN)."""

    flag: str
    field: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the rule reads."""
        return (self.flag, self.field)

    def explain(self, record: object) -> tuple[str, object, str] | None:
        """The field at fault, its value and what is wrong; ``None`` when the rule holds."""
        if getattr(record, self.flag) and getattr(record, self.field) is None:
            return self.flag, getattr(record, self.flag), f"cannot be true without a {self.field.upper()}"
        return None


def check_record(record: object) -> None:
    """Run every rule of the record's class's ``RULES``, in order.

    A record class whose only rules across fields are its ``RULES`` takes
    this function as its ``__attrs_post_init__``: the engines can then tell
    that they know every rule of the class.
    """
    for rule in record_rules(type(record)):
        rule.check(record)


def record_rules(cls: type) -> tuple[RecordRule, ...]:
    """The rules across fields of a record class (its ``RULES``)."""
    return tuple(getattr(cls, "RULES", ()))


def field_rules(cls: type) -> dict[str, FieldRule | None]:
    """Each field of a record class and its rule (``None`` for a field guarded otherwise)."""
    return {a.name: a.validator if isinstance(a.validator, FieldRule) else None for a in attrs.fields(cls)}


# -- the names the model's classes use ---------------------------------------------------------


def text() -> FieldRule:
    """A required, non-empty, trimmed string."""
    return Text()


def optional_text() -> FieldRule:
    """``None`` or a non-empty, trimmed string."""
    return Optional(Text())


def matches(pattern: str, what: str) -> FieldRule:
    """A string that matches ``pattern`` entirely; ``what`` names the shape."""
    return Matches(pattern, what)


def member_of(enum_type: type[enum.Enum]) -> FieldRule:
    """A member of ``enum_type``."""
    return MemberOf(enum_type)


def instance_of(cls: type) -> FieldRule:
    """An instance of ``cls``."""
    return InstanceOf(cls)


def count() -> FieldRule:
    """A whole number, zero or more."""
    return Count()


def year() -> FieldRule:
    """A plausible calendar year."""
    return Year()


def optional(rule: FieldRule) -> FieldRule:
    """``None`` or what ``rule`` accepts."""
    return Optional(rule)


def tuple_of(rule: FieldRule) -> FieldRule:
    """A tuple whose every item passes ``rule``."""
    return TupleOf(rule)


def years_ordered(first: str, last: str) -> Callable[[Any], None]:
    """A class-level rule: ``first`` <= ``last`` when both are known (kept for callers that run it)."""
    return YearsOrdered(first, last).check
