"""The library's exceptions: one small hierarchy.

Every message names what it is about, the record, the field and the value, so
that a reader of a log can find the cell to fix without a debugger. The
structured pieces are attributes too, for callers that collect findings.
"""

from __future__ import annotations


__all__ = ["FactsError", "InvalidValueError", "NotFoundError", "SpieError", "UsageError"]


class SpieError(Exception):
    """Base class of every error raised on purpose by ``spie_occitanie``."""


class InvalidValueError(SpieError, ValueError):
    """A value breaks a rule of its type.

    A bad SIREN, a negative amount, a date that does not exist. It subclasses
    :class:`ValueError` so that code that already catches ``ValueError`` keeps
    working.

    Attributes:
        cls: the name of the class being built (``"Money"``, ``"Round"``).
        field: the field whose value is wrong.
        value: the offending value, as given.
        reason: what is wrong with it, in a few words.
        record: the key of the record being built, when known.
    """

    def __init__(
        self,
        *,
        cls: str,
        field: str,
        value: object,
        reason: str,
        record: str | None = None,
    ) -> None:
        self.cls = cls
        self.field = field
        self.value = value
        self.reason = reason
        self.record = record
        where = f"{cls} {record!r}" if record is not None else cls
        super().__init__(f"{where}: '{field}' {reason} (got {value!r})")

    def for_record(self, record: str) -> InvalidValueError:
        """The same error, naming the record it was found in."""
        return InvalidValueError(
            cls=self.cls,
            field=self.field,
            value=self.value,
            reason=self.reason,
            record=record,
        )


class FactsError(SpieError):
    """A curated facts file cannot be turned into records.

    Attributes:
        path: the file.
        record: which record of the file (``"round #2 'ami-2'"``), when known.
        field: the key at fault, when known.
        problem: what is wrong.
    """

    def __init__(
        self,
        *,
        path: str,
        problem: str,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.record = record
        self.field = field
        self.problem = problem
        parts = [path]
        if record is not None:
            parts.append(record)
        if field is not None:
            parts.append(f"field '{field}'")
        super().__init__(f"{': '.join(parts)}: {problem}")


class NotFoundError(SpieError, LookupError):
    """A lookup names a record the dataset does not hold.

    Attributes:
        table: where it was looked for.
        key: what was asked for.
    """

    def __init__(self, *, table: str, key: str) -> None:
        self.table = table
        self.key = key
        super().__init__(f"{table}: no record {key!r}")


class UsageError(SpieError):
    """The request cannot be carried out as asked: nothing was read or written.

    The command line exits with status 2 for these (a refused output folder,
    a package that cannot be read at all, an unusable config file), and 1 for
    every other :class:`SpieError` (input that was read and is invalid).
    """
