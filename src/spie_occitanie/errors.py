"""The library's exceptions: one small hierarchy.

Every message names what it is about, the record, the field and the value, so
that a reader of a log can find the cell to fix without a debugger. The
structured pieces are attributes too, for callers that collect findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

from spie_occitanie.wording import say


if TYPE_CHECKING:
    from spie_occitanie.findings import Report
    from spie_occitanie.formats.scdl import Missing


__all__ = [
    "AmbiguousReferenceError",
    "CellError",
    "DatagouvError",
    "DcatError",
    "DiffError",
    "ExportRefusedError",
    "FactsError",
    "InvalidPackageError",
    "InvalidValueError",
    "MissingDependencyError",
    "NotFoundError",
    "OverlapError",
    "PackageUnreadableError",
    "PlotUnavailableError",
    "PublishError",
    "PublisherSettingsError",
    "ReaderRestartError",
    "RowError",
    "ScdlConfigError",
    "ScdlInvalidError",
    "ScdlMissingError",
    "SpieError",
    "UnorderedKeysError",
    "UsageError",
]


class SpieError(Exception):
    """Base class of every error raised on purpose by ``spie_occitanie``.

    An error whose message is a phrase of :mod:`spie_occitanie.wording` (the
    command line's own refusals) carries its key and values, so that the
    command line can say it in French too (:meth:`in_language`); the others
    say their message in English in both languages.
    """

    #: The key of the phrase of :data:`spie_occitanie.wording.PHRASES` that says this error, if one does.
    phrase: str | None = None
    #: The values of that phrase's fields.
    values: Mapping[str, object] = {}

    @classmethod
    def worded(cls, key: str, /, **values: object) -> Self:
        """The error whose message is the phrase ``key``, with ``values`` (English in ``str()``)."""
        error = cls(say(key, "en", **values))
        error.phrase, error.values = key, values
        return error

    def in_language(self, lang: str) -> str:
        """The message in ``lang``: the phrase's French when it has one, else the English message."""
        if self.phrase is None:
            return str(self)
        return say(self.phrase, lang, **self.values)


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
        closest: the keys of that table that look most like it, best first.
    """

    def __init__(self, *, table: str, key: object, closest: Sequence[str] = ()) -> None:
        self.table = table
        self.key = key
        self.closest = tuple(closest)
        hint = f"; did you mean {', '.join(repr(c) for c in self.closest)}?" if self.closest else ""
        super().__init__(f"{table}: no record {key!r}{hint}")


class AmbiguousReferenceError(SpieError, LookupError):
    """A code that names two records: ``76`` is both a département and a région.

    Attributes:
        ref: what was given.
        candidates: the ids it could mean.
    """

    def __init__(self, *, ref: object, candidates: Sequence[str]) -> None:
        self.ref = ref
        self.candidates = tuple(candidates)
        names = " and ".join(repr(c) for c in self.candidates)
        super().__init__(f"{ref!r} names {names}: give the id of the one you mean")


class OverlapError(SpieError, TypeError):
    """Two stated amounts or partial dates whose intervals overlap: neither is certainly first.

    Attributes:
        first: the left operand.
        second: the right operand.
    """

    def __init__(self, *, first: object, second: object) -> None:
        self.first = first
        self.second = second
        super().__init__(
            f"{first} and {second} overlap: neither is certainly before the other; "
            "compare their bounds (low/high, earliest/latest) or their stated values instead"
        )


class UsageError(SpieError):
    """The request cannot be carried out as asked: nothing was read or written.

    The command line exits with status 2 for these (a refused output folder,
    a package that cannot be read at all, an unusable config file), and 1 for
    every other :class:`SpieError` (input that was read and is invalid).
    """


# -- reading packages -------------------------------------------------------------------------


class PackageUnreadableError(UsageError):
    """Nothing could be read: no such path, or a descriptor that is not JSON."""


class InvalidPackageError(SpieError):
    """The package was read and is invalid.

    Attributes:
        report: every finding, root causes first.
    """

    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        """The path, the headline and every finding, in ``lang``."""
        return f"{self.path}: {self.report.headline(lang)}\n{self.report.render(lang)}"


class ReaderRestartError(SpieError):
    """Internal: a ragged row was met by a reader on several threads, which cannot number it.

    The validator catches it and reads the package again on one thread; it never reaches a caller.
    """


class CellError(SpieError, ValueError):
    """A CSV cell that is not a value of its column's type; the reader makes it a finding."""


class RowError(SpieError, ValueError):
    """A row that cannot become a record; the reader turns it into a finding.

    Attributes:
        field: the column at fault.
        value: its value.
        reason: what is wrong with it.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"'{field}' {reason} (got {value!r})")


# -- writing -------------------------------------------------------------------------------------


class ExportRefusedError(UsageError):
    """The export was refused before anything was written (a usage error)."""


class MissingDependencyError(UsageError, ImportError):
    """An optional library is not installed; the message names the extra that installs it.

    A usage error (exit 2): nothing was done, and installing the extra is the fix.

    Attributes:
        extra: the extra to install (``plot``, ``dcat``, ``publish``).
    """

    def __init__(self, what: str, *, extra: str) -> None:
        self.extra = extra
        self.phrase, self.values = "missing-dependency", {"what": what, "extra": extra}
        super().__init__(say(self.phrase, "en", **self.values))


class PlotUnavailableError(MissingDependencyError):
    """matplotlib is not installed: the figures need the ``plot`` extra."""


class ScdlConfigError(UsageError, ValueError):
    """A config value that cannot be used: a bad SIRET, an unknown key or id.

    Attributes:
        source: where the config came from (a file path, or ``"config"``).
        key: the dotted key at fault (``organisations.etat.siret``); empty for the whole config.
        value: the value given.
        reason: what is wrong with it.
    """

    def __init__(self, *, source: str, key: str, value: object, reason: str) -> None:
        self.source = source
        self.key = key
        self.value = value
        self.reason = reason
        where = f"{source}: '{key}'" if key else f"{source}:"
        super().__init__(f"{where} {reason} (got {value!r})")


class ScdlMissingError(SpieError):
    """Required SCDL fields are missing; nothing was written.

    Attributes:
        missing: every missing field, for every allocation.
    """

    def __init__(self, missing: Sequence[Missing]) -> None:
        self.missing = tuple(missing)
        lines = "\n".join(f"  {m}" for m in self.missing)
        super().__init__(
            f"SCDL subventions: {len(self.missing)} required field(s) missing\n{lines}\n"
            "Give what the dataset lacks (the funder's SIRET, the payment terms...) in a TOML file "
            "passed as --scdl-config FILE (keys: spie_occitanie.formats.scdl, ScdlConfig)"
        )


class ScdlInvalidError(SpieError):
    """A written SCDL file fails the official schema's checks.

    Attributes:
        report: every finding.
    """

    def __init__(self, path: Path, report: Report) -> None:
        self.path = path
        self.report = report
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        """The path, the headline and every finding, in ``lang``."""
        errors = say("scdl.errors", lang, count=len(self.report.errors))
        return f"{self.path}: {errors}\n{self.report.render(lang)}"


# -- comparing releases --------------------------------------------------------------------------


class DiffError(UsageError):
    """Two releases cannot be compared: a path that is not a release, a file that cannot be read.

    ``spie-occitanie diff`` exits with status 2 for these ("trouble", as
    ``diff`` does). The message names the path, and the table, key or field
    when one is at fault.
    """


# -- portals -------------------------------------------------------------------------------------


class DatagouvError(SpieError):
    """The metadata cannot be built or breaks a rule of the upload plan.

    Attributes:
        report: the findings, when the metadata was built and checked.
    """

    def __init__(self, message: str, report: Report | None = None) -> None:
        self.report = report
        super().__init__(message)


class DcatError(UsageError):
    """The DCAT-AP description cannot be written from what is configured (a usage error)."""


class PublishError(SpieError):
    """The portal refused a request, or could not be reached.

    Attributes:
        sent: the steps done before the failure.
        not_sent: the steps not done.
    """

    def __init__(self, message: str, *, sent: tuple[str, ...] = (), not_sent: tuple[str, ...] = ()) -> None:
        self.sent, self.not_sent = sent, not_sent
        lines = [message]
        lines.append("Sent: " + ("; ".join(sent) if sent else "nothing"))
        if not_sent:
            lines.append("Not sent: " + "; ".join(not_sent))
        super().__init__("\n".join(lines))


class PublisherSettingsError(UsageError):
    """A publisher settings file is missing, is not TOML, or has a bad field (a usage error)."""


class UnorderedKeysError(SpieError):
    """Internal: a table's keys do not rise strictly, so the diff compares it whole instead.

    The diff catches it; it never reaches a caller.
    """
