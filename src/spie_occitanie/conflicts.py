"""Conflicts: fields on which sources disagree, and the value the record keeps.

Two citations of the same field disagree when their values cannot both be
true: partial dates and amounts are intervals and disagree only when they do
not overlap ("au printemps 2021" agrees with "20 avril 2021"; "juin 2021"
does not agree with "15 juillet 2021"); other values disagree when they
differ.

**The preference rule.** Where sources disagree the record keeps one value,
the value of the claim that ranks first by, in order:

1. stated before inferred: a source that says it outranks a deduction;
2. support: the number of distinct sources whose values agree with it;
3. authority of the source's kind (:class:`~spie_occitanie.model.SourceKind`:
   ministry page, reference dataset, press release, other government page,
   local authority page, article, code repository);
4. precision: the narrower statement.

Every claim stays in the data; :func:`find_conflicts` lists them and
:func:`spie_occitanie.checks.run_checks` reports a record that does not keep
the preferred value.
"""

from __future__ import annotations

import datetime as dt

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from spie_occitanie.errors import InvalidValueError
from spie_occitanie.model import Citation, CitationKind, Money, PartialDate, SourceKind
from spie_occitanie.model.text import agree, parse_as, to_text


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["Claim", "Conflict", "Conflicts", "claims_about", "find_conflicts", "preferred"]


@attrs.frozen(kw_only=True)
class Claim:
    """What one citation says about one field.

    Attributes:
        citation: the citation.
        text: the value, in the field's text form (the record's own value
            when the citation gives none).
        value: the value parsed for comparison.
        authority: the rank of the source's kind (0 is the highest).
    """

    citation: Citation
    text: str
    value: object
    authority: int


@attrs.frozen(kw_only=True)
class Conflict:
    """A field on which sources disagree.

    Attributes:
        table: the record's table.
        key: the record's key.
        field: the field.
        kept: the value the record keeps, in text form.
        preferred: the value the preference rule chooses.
        claims: every claim about the field, best ranked first.
    """

    table: str
    key: str
    field: str
    kept: str | None
    preferred: str
    claims: tuple[Claim, ...]

    @property
    def follows_rule(self) -> bool:
        """Whether the record keeps a value that agrees with the preferred one."""
        return self.kept is not None and _agree_text(self.claims[0], self.kept)

    def __str__(self) -> str:
        said = "; ".join(f"{c.citation.source_id} says {c.text}" for c in self.claims)
        return f"{self.table} {self.key!r} field '{self.field}': {said} (kept: {self.kept})"


class Conflicts(tuple[Conflict, ...]):
    """Every field on which sources disagree: a tuple of :class:`Conflict`.

    It is a tuple (it compares equal to one, indexes, slices and iterates like
    one) that prints as one line per field, each value with the sources that
    give it, and shows as a table in a notebook.
    """

    __slots__ = ()

    # Renderings live in spie_occitanie.display, imported when first shown.
    def __repr__(self) -> str:
        from spie_occitanie import display

        return display.conflicts_repr(self)

    def __str__(self) -> str:
        from spie_occitanie import display

        return display.conflicts_text(self)

    def _repr_html_(self) -> str:
        from spie_occitanie import display

        return display.conflicts_html(self)


def _agree_text(winner: Claim, kept: str) -> bool:
    value: object = kept
    if isinstance(winner.value, PartialDate):
        try:
            value = PartialDate.from_edtf(kept)
        except InvalidValueError:
            return False
    elif isinstance(winner.value, Money):
        try:
            value = Money.from_text(kept)
        except InvalidValueError:
            return False
    return agree(winner.value, value)


def _width(value: object) -> Decimal:
    if isinstance(value, PartialDate):
        return Decimal((value.latest - value.earliest) // dt.timedelta(days=1))
    if isinstance(value, Money):
        return value.precision
    return Decimal(0)


def claims_about(dataset: Dataset, table: str, key: str, field: str) -> tuple[Claim, ...]:
    """The parsed claims of every citation of one field, unranked.

    Citations whose value does not parse are left out here and reported by
    the ``citation-value-invalid`` check.
    """
    record = dataset.get(table, key)
    if record is None:
        return ()
    own = to_text(getattr(record, field, None))
    claims = []
    for citation in dataset.citations_about(table, key, field):
        text = citation.value if citation.value is not None else own
        if text is None:
            continue
        try:
            value = parse_as(type(record), field, text)
        except InvalidValueError:
            continue
        if not isinstance(value, str):
            text = to_text(value) or text  # the canonical form: "65000000.00 ±500000.00"
        source = dataset.get("sources", citation.source_id)
        authority = source.kind.authority if source is not None else len(SourceKind)
        claims.append(Claim(citation=citation, text=text, value=value, authority=authority))
    return tuple(claims)


def preferred(claims: tuple[Claim, ...]) -> tuple[Claim, ...]:
    """The claims ranked by the preference rule, best first."""

    def support(claim: Claim) -> int:
        return len({c.citation.source_id for c in claims if agree(c.value, claim.value)})

    def rank(claim: Claim) -> tuple[int, int, int, Decimal, str]:
        return (
            claim.citation.kind is not CitationKind.STATES,
            -support(claim),
            claim.authority,
            _width(claim.value),
            claim.citation.citation_id,
        )

    return tuple(sorted(claims, key=rank))


def find_conflicts(dataset: Dataset) -> Conflicts:
    """Every field of every record on which two citations disagree."""
    fields = sorted(
        {(c.record_table, c.record_key, c.field) for c in dataset.citations if c.record_key and c.field},
    )
    conflicts = []
    for table, key, field in fields:
        assert key is not None  # noqa: S101 - filtered above
        assert field is not None  # noqa: S101
        claims = claims_about(dataset, table, key, field)
        if all(agree(a.value, b.value) for a in claims for b in claims):
            continue
        ranked = preferred(claims)
        record = dataset.get(table, key)
        conflicts.append(
            Conflict(
                table=table,
                key=key,
                field=field,
                kept=to_text(getattr(record, field, None)),
                preferred=ranked[0].text,
                claims=ranked,
            )
        )
    return Conflicts(conflicts)
