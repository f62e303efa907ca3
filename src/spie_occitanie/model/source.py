"""Sources and citations: where every fact comes from.

A :class:`Source` is a document. A :class:`Citation` is one source's statement
about one field of one record (or the record as a whole): the exact quote, the
value that source gives, and whether the source states it or the value is
inferred from it. Citations are records of their own, kept beside the records
they support, so that two sources that disagree both stay.
"""

from __future__ import annotations

import datetime as dt
import enum
import html

import attrs

from spie_occitanie.model import render, rules
from spie_occitanie.model.dates import PartialDate


__all__ = ["Citation", "CitationKind", "Source", "SourceKind"]


class SourceKind(enum.Enum):
    """What kind of document a source is, from most to least authoritative.

    The order is the tie-breaker of the conflict preference rule
    (:mod:`spie_occitanie.conflicts`): a ministry's own page outranks a
    prefecture's press release, which outranks the press.
    """

    MINISTRY_PAGE = "ministry-page"
    REFERENCE_DATASET = "reference-dataset"
    PRESS_RELEASE = "press-release"
    GOVERNMENT_PAGE = "government-page"
    LOCAL_AUTHORITY_PAGE = "local-authority-page"
    ARTICLE = "article"
    CODE_REPOSITORY = "code-repository"

    @property
    def authority(self) -> int:
        """Rank for the preference rule: 0 is the most authoritative."""
        return list(SourceKind).index(self)


class CitationKind(enum.Enum):
    """Whether the source says the value, or the value is deduced from it."""

    STATES = "states"
    INFERRED = "inferred"


@attrs.frozen(kw_only=True)
class Source:
    """A document the dataset cites.

    Attributes:
        source_id: short stable slug (``te-list``).
        title: the document's title, in French.
        publisher: who published it.
        kind: what kind of document it is.
        published: when it was published, as precisely as known.
        url: where it can be read, when known.
        place: where it was issued (``Toulouse`` for the press release).
        checked: the day its URL was last read, when recorded.
    """

    source_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    title: str = attrs.field(validator=rules.text())
    publisher: str = attrs.field(validator=rules.text())
    kind: SourceKind = attrs.field(validator=rules.member_of(SourceKind))
    published: PartialDate | None = attrs.field(
        default=None, validator=rules.optional(rules.instance_of(PartialDate))
    )
    url: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(r"https?://\S+", "an http(s) URL"))
    )
    place: str | None = attrs.field(default=None, validator=rules.optional_text())
    checked: dt.date | None = attrs.field(default=None, validator=rules.optional(rules.instance_of(dt.date)))

    @property
    def key(self) -> str:
        """The record's key."""
        return self.source_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Source <code>{html.escape(self.key)}</code>")


@attrs.frozen(kw_only=True)
class Citation:
    """One source's statement about one record.

    ``record_key`` is ``None`` only for a reference table cited once as a
    whole (INSEE's COG for the territories); ``field`` is ``None`` when the
    citation supports the record as a whole.

    Attributes:
        citation_id: stable id (``rounds/ami-2/launched/2``).
        record_table: the table of the record (``rounds``).
        record_key: the record's key, a composite key joined with ``|``.
        field: the field the source speaks to, if one.
        source_id: the source.
        quote: the exact short extract, in French as written; ``None`` only
            for a reference dataset.
        value: the value as this source gives it, in the field's text form.
        kind: stated or inferred.
        note: the reasoning behind an inference, or any caveat.
    """

    citation_id: str = attrs.field(validator=rules.matches(r"[a-z_]+/\S+", "'<table>/<id>'"))
    record_table: str = attrs.field(validator=rules.matches(r"[a-z_]+", "a table name"))
    record_key: str | None = attrs.field(default=None, validator=rules.optional_text())
    field: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(r"[a-z_0-9]+", "a field name"))
    )
    source_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a source id"))
    quote: str | None = attrs.field(default=None, validator=rules.optional_text())
    value: str | None = attrs.field(default=None, validator=rules.optional_text())
    kind: CitationKind = attrs.field(default=CitationKind.STATES, validator=rules.member_of(CitationKind))
    note: str | None = attrs.field(default=None, validator=rules.optional_text())

    @property
    def key(self) -> str:
        """The record's key."""
        return self.citation_id

    def _repr_html_(self) -> str:
        """Every field as a table in a notebook, unknown values said so."""
        return render.record_html(self, f"Citation <code>{html.escape(self.key)}</code>")
