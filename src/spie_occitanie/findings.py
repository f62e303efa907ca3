"""Findings and reports: what a check or a validation says, and where.

A finding has a typed location, so that a person (or a portal) can go
straight to the cell: the ``file`` and ``row`` (1-based as a spreadsheet
counts, the header being row 1) for what was found while reading a file,
the ``table`` and ``key`` of a record for what was found across records,
and the ``field`` and ``value`` in both cases.

A finding caused by another one (a reference to a row that was rejected, a
foreign key into a file that could not be decoded) is not listed on its own:
it is attached to its cause as one of its ``consequences``, so a report
leads with the problems to fix ("1 error (+56 consequences)"), and nothing
is lost.
"""

from __future__ import annotations

import enum

from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet

import attrs

from spie_occitanie.wording import describe, say


__all__ = ["Finding", "Report", "Severity", "attach_consequences"]


class Severity(enum.Enum):
    """How bad a finding is: an error makes the dataset invalid."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen(kw_only=True)
class Finding:
    """One problem found by one check.

    Attributes:
        check: the check's id (``dates-order``, ``type-error``).
        severity: error or warning.
        message: a sentence naming the place, the field and the value.
        file: the file, relative to the package, for a finding made while reading it.
        row: the row of that file, 1-based with the header as row 1, when one is at fault.
        table: the table of the record it is about.
        key: the record's key, when it is about one record.
        field: the field (column) at fault, when one is.
        value: the offending value as written, when one is.
        refers_to: for a broken reference, the table it points into.
        consequences: the findings this one caused, attached rather than listed.
    """

    check: str
    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    table: str | None = None
    key: str | None = None
    field: str | None = None
    value: str | None = None
    refers_to: str | None = None
    consequences: tuple[Finding, ...] = ()

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en") -> str:
        """The finding for a person, in English or French (``lang``).

        In English, the severity, the check and the message. In French, the
        severity and the check, what the check finds (its French description),
        the location, field and value in French words, then the message as an
        English detail: it is written where the finding is made.
        """
        more = say("finding.consequences", lang, count=len(self.consequences)) if self.consequences else ""
        if lang == "en":
            return f"{self.severity.value:<7} {self.check:<27} {self.message}{more}"
        where = [
            say(f"finding.{name}", lang, **{name: value})
            for name, value in (
                ("file", self.file),
                ("row", self.row),
                ("table", None if self.file is not None else self.table),
                ("key", None if self.file is not None else self.key),
                ("field", self.field),
                ("value", _short(self.value)),
            )
            if value is not None
        ]
        severity = say(self.severity.value, lang)
        head = f"{severity:<13} {self.check:<27} {describe(self.check, lang)}"
        lines = [head + (f" ; {', '.join(where)}" if where else "") + more]
        lines.append(" " * 14 + say("finding.detail", lang, message=self.message))
        return "\n".join(lines)

    def with_consequences(self, consequences: Iterable[Finding]) -> Finding:
        """The same finding, with ``consequences`` attached."""
        return attrs.evolve(self, consequences=(*self.consequences, *consequences))

    def walk(self) -> Iterator[Finding]:
        """The finding itself, then every one it caused, depth first."""
        yield self
        for consequence in self.consequences:
            yield from consequence.walk()

    def to_json(self) -> dict[str, object]:
        """The finding as JSON (``validate --json`` publishes this shape)."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "file": self.file,
            "row": self.row,
            "table": self.table,
            "key": self.key,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "consequences": [c.to_json() for c in self.consequences],
        }


def _short(value: str | None, limit: int = 80) -> str | None:
    """A value as a report line shows it: at most ``limit`` characters."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def _rank(finding: Finding) -> tuple[object, ...]:
    """Errors first; among them what stops a file being read, then cells, then records."""
    return (
        finding.severity is not Severity.ERROR,
        finding.file is None,
        finding.row is not None,
        finding.file or "",
        finding.row or 0,
        finding.check,
        finding.table or "",
        finding.key or "",
        finding.field or "",
        finding.message,
    )


def _ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=_rank))


@attrs.frozen
class Report:
    """The findings of a run of the checks, errors first.

    A report is truthy when the dataset is valid (no error); warnings do not
    make it invalid. ``findings`` holds the root causes; each carries the
    findings it caused (see :meth:`all_findings`).
    """

    findings: tuple[Finding, ...] = attrs.field(converter=_ordered)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The root findings that make the dataset invalid."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The root findings a reader should know about."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def consequences(self) -> int:
        """How many findings are attached to a cause rather than listed."""
        return sum(len(list(f.walk())) - 1 for f in self.findings)

    @property
    def ok(self) -> bool:
        """Whether no check found an error."""
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def all_findings(self) -> tuple[Finding, ...]:
        """Every finding, causes and consequences, each once (consequences carried by their cause)."""
        return tuple(found for finding in self.findings for found in finding.walk())

    def by_check(self, check: str) -> tuple[Finding, ...]:
        """The findings of one check, consequences included."""
        return tuple(f for f in self.all_findings() if f.check == check)

    def headline(self, lang: str = "en") -> str:
        """How many errors and warnings, and how many consequences are attached to them."""
        head = say("report.counts", lang, errors=len(self.errors), warnings=len(self.warnings))
        if self.consequences:
            head += say("report.consequences", lang, count=self.consequences)
        return head

    def render(self, lang: str = "en") -> str:
        """The headline, then every root finding, in English or French (``lang``)."""
        head = self.headline(lang)
        if not self.findings:
            return say("report.passed", lang, head=head)
        return "\n".join([head, *(f.render(lang) for f in self.findings)])

    def __str__(self) -> str:
        return self.render()

    # Renderings live in spie_occitanie.display, which imports nothing above this module.
    def __repr__(self) -> str:
        from spie_occitanie import display

        return display.report_repr(self)

    def _repr_html_(self) -> str:
        from spie_occitanie import display

        return display.report_html(self)


def attach_consequences(
    findings: Sequence[Finding],
    *,
    files: Mapping[str, str],
    unusable: AbstractSet[str],
    rejected: Mapping[str, Mapping[str, int]],
) -> list[Finding]:
    """Findings with each broken reference attached to the finding that caused it.

    A reference is a consequence when it points into a table whose file could
    not be read at all (``unusable``), or at a key whose row was rejected
    (``rejected``: per table, key -> row number). Its cause is the first
    finding about that file, or about that row. Chains (a selection rejected
    because its organisation was) are followed to the root, and every
    consequence is attached to the root directly.

    Args:
        findings: every finding of a validation.
        files: each table's file, as the findings name it.
        unusable: the tables whose file could not be read.
        rejected: per table, the keys of the rejected rows and their row numbers.
    """
    first_at: dict[tuple[str, int | None], int] = {}
    for index, finding in enumerate(findings):
        if finding.file is not None:
            first_at.setdefault((finding.file, finding.row), index)
    parent: dict[int, int] = {}
    for index, finding in enumerate(findings):
        target = finding.refers_to
        if target is None or target not in files:
            continue
        if target in unusable:
            cause = first_at.get((files[target], None))
        elif finding.value is not None and finding.value in rejected.get(target, {}):
            cause = first_at.get((files[target], rejected[target][finding.value]))
        else:
            continue
        if cause is not None and cause != index:
            parent[index] = cause

    def root(index: int) -> int:
        seen: set[int] = set()
        while index in parent and index not in seen:
            seen.add(index)
            index = parent[index]
        return index

    attached: dict[int, list[Finding]] = {}
    for index in parent:
        cause = root(index)
        if cause != index:
            attached.setdefault(cause, []).append(findings[index])
    return [
        finding.with_consequences(attached.get(index, ()))
        for index, finding in enumerate(findings)
        if index not in parent or root(index) == index
    ]
