"""Field validators shared by the model's classes.

Each one raises :class:`~spie_occitanie.errors.InvalidValueError` naming the
class, the record (when its key is already readable), the field and the
value, in the wording attrs uses for its own validators.
"""

from __future__ import annotations

import enum
import re

from collections.abc import Callable
from typing import Any, NoReturn

import attrs

from spie_occitanie.errors import InvalidValueError


Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


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


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        fail(instance, attribute, value, "must be a str")
    elif not value.strip():
        fail(instance, attribute, value, "must not be empty (leave it out when unknown)")
    elif value != value.strip():
        fail(instance, attribute, value, "must not start or end with white space")


def text() -> Validator:
    """A required, non-empty, trimmed string."""
    return _check_text


def optional_text() -> Validator:
    """``None`` or a non-empty, trimmed string: absent is ``None``, never ``""``."""
    return attrs.validators.optional(_check_text)


def matches(pattern: str, what: str) -> Validator:
    """A string that matches ``pattern`` entirely; ``what`` names the shape."""
    regex = re.compile(pattern)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or regex.fullmatch(value) is None:
            fail(instance, attribute, value, f"must be {what}")

    return check


def member_of(enum_type: type[enum.Enum]) -> Validator:
    """A member of ``enum_type``; the message lists the allowed values."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_type):
            allowed = ", ".join(repr(m.value) for m in enum_type)
            fail(instance, attribute, value, f"must be one of {allowed}")

    return check


def instance_of(cls: type) -> Validator:
    """An instance of ``cls``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            fail(instance, attribute, value, f"must be a {cls.__name__}")

    return check


def count() -> Validator:
    """A whole number, zero or more (and not a bool)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            fail(instance, attribute, value, "must be an int >= 0")

    return check


def year() -> Validator:
    """A plausible calendar year of the programme's era."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            fail(instance, attribute, value, "must be a year between 1900 and 2100")

    return check


def optional(validator: Validator) -> Validator:
    """``None`` or what ``validator`` accepts."""
    return attrs.validators.optional(validator)


def tuple_of(validator: Validator) -> Validator:
    """A tuple whose every item passes ``validator``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            fail(instance, attribute, value, "must be a tuple")
            return
        for item in value:
            validator(instance, attribute, item)

    return check


def years_ordered(first: str, last: str) -> Callable[[Any], None]:
    """A class-level rule: ``first`` <= ``last`` when both are known."""

    def check(instance: Any) -> None:
        a, b = getattr(instance, first), getattr(instance, last)
        if a is not None and b is not None and a > b:
            attribute = attrs.fields_dict(type(instance))[last]
            fail(instance, attribute, b, f"must not be before '{first}' ({a})")

    return check


SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
DEPARTEMENT_CODE = r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])"
REGION_CODE = r"[0-9]{2}"
TERRITORY_ID = rf"fr:departement:{DEPARTEMENT_CODE}|fr:region:{REGION_CODE}|spie:{SLUG}"
