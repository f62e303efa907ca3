"""What changed between two releases: the typed result of :func:`spie_occitanie.diff`.

Every value is text in its published form (``370000.00``, ``2021-10-11``,
``true``), as the CSV files write it and the Parquet files cast it, so that a
change reads the same whichever format a release came in. Nothing here
imports pyarrow: a result is plain frozen records, and its renderings
(text, Markdown, JSON, HTML) live in :mod:`spie_occitanie.diffing.render`.
"""

from __future__ import annotations

from typing import Any

import attrs

from spie_occitanie.diffing.kinds import (
    Change,
    CitationChangeKind,
    ConflictChangeKind,
    SchemaChangeKind,
)
from spie_occitanie.wording import say


__all__ = [
    "Change",
    "CitationChange",
    "CitationChangeKind",
    "Claimed",
    "CompletenessChange",
    "ConflictChange",
    "ConflictChangeKind",
    "Count",
    "FieldChange",
    "RecordChange",
    "ReleaseDiff",
    "ReleaseInfo",
    "SchemaChange",
    "SchemaChangeKind",
    "TableCount",
]


@attrs.frozen(kw_only=True)
class ReleaseInfo:
    """One side of a diff.

    Attributes:
        path: the path it was read from, as given.
        format: ``datapackage`` (CSV files and their descriptor) or ``parquet``.
        version: the ``version`` its descriptor declares, if it has one.
    """

    path: str
    format: str
    version: str | None


@attrs.frozen(kw_only=True)
class SchemaChange:
    """One change to a table's schema.

    Attributes:
        table: the table.
        field: the column, or ``None`` for the table as a whole.
        change: what changed.
        old: the old type, constraint or key, as text (``None``: there was none).
        new: the new one.
    """

    table: str
    field: str | None
    change: SchemaChangeKind
    old: str | None = None
    new: str | None = None


@attrs.frozen(kw_only=True)
class FieldChange:
    """One column of one record, before and after (``None``: empty)."""

    field: str
    old: str | None
    new: str | None


@attrs.frozen(kw_only=True)
class RecordChange:
    """A record added, removed or changed, found by its primary key.

    Attributes:
        table: the table.
        key: the record's key as citations write it (a composite key joined with ``|``).
        change: added, removed or changed.
        fields: for a changed record, the columns that differ; for an added
            (removed) record, every column it has a value in, with ``old``
            (``new``) empty.
        label: the names of the territories its key names (``Haute-Vienne``),
            for a reader who does not know the codes.
    """

    table: str
    key: str
    change: Change
    fields: tuple[FieldChange, ...]
    label: str | None = None

    def value(self, field: str) -> str | None:
        """The record's value of ``field``: the new one, or the old one of a removed record."""
        for change in self.fields:
            if change.field == field:
                return change.old if self.change is Change.REMOVED else change.new
        return None


@attrs.frozen(kw_only=True)
class TableCount:
    """Rows and changes of one table compared by key.

    Attributes:
        table: the table.
        key: the columns records were matched by.
        old_rows: rows in the old release.
        new_rows: rows in the new release.
        added: records only in the new release.
        removed: records only in the old release.
        changed: records in both whose values differ.
    """

    table: str
    key: tuple[str, ...]
    old_rows: int
    new_rows: int
    added: int
    removed: int
    changed: int

    @property
    def unchanged(self) -> bool:
        """Whether no record was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


@attrs.frozen(kw_only=True)
class CitationChange:
    """A source added, withdrawn or restated for one field of one record.

    A citation whose record, field or source changed is the old statement
    withdrawn and a new one added.

    Attributes:
        change: added, withdrawn, or changed (same citation, another quote,
            value, kind or note).
        citation_id: the citation.
        record_table: the table of the record it supports.
        record_key: that record's key (``None``: the whole table, for a reference dataset).
        field: the field it speaks to (``None``: the record as a whole).
        source_id: the source.
        value: the value the source gives (new, or old when withdrawn).
        quote: the source's words (new, or old when withdrawn).
        kind: ``states`` or ``inferred``.
        fields: for a changed citation, the columns that differ.
    """

    change: CitationChangeKind
    citation_id: str
    record_table: str | None
    record_key: str | None
    field: str | None
    source_id: str | None
    value: str | None = None
    quote: str | None = None
    kind: str | None = None
    fields: tuple[FieldChange, ...] = ()


@attrs.frozen(kw_only=True)
class Claimed:
    """What one source says in a conflict."""

    source_id: str
    value: str


@attrs.frozen(kw_only=True)
class ConflictChange:
    """A conflict between sources that appeared, was resolved, or keeps another value.

    Attributes:
        change: appeared, resolved or kept-changed.
        table: the record's table.
        key: the record's key.
        field: the field sources disagree on.
        old_kept: the value the old record kept (``None`` when there was no conflict).
        new_kept: the value the new record keeps (``None`` when the conflict is resolved).
        old_claims: what each source said, best ranked first, in the old release.
        new_claims: the same in the new release.
    """

    change: ConflictChangeKind
    table: str
    key: str
    field: str
    old_kept: str | None
    new_kept: str | None
    old_claims: tuple[Claimed, ...] = ()
    new_claims: tuple[Claimed, ...] = ()


@attrs.frozen(kw_only=True)
class Count:
    """Declared and known counts of one list of selections."""

    declared: int | None
    known: int
    inferred: int

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en") -> str:
        """``31 of 34 known (3 by inference)``, in English or French (``lang``)."""
        declared = "?" if self.declared is None else str(self.declared)
        text = say("diff.count", lang, known=self.known, declared=declared)
        if self.inferred:
            text += say("diff.inferred", lang, count=self.inferred)
        return text


@attrs.frozen(kw_only=True)
class CompletenessChange:
    """A completeness figure that moved (AMI 2: 31 of 34 known, then 32 of 34).

    Attributes:
        round_id: the round (``None``: every round of a tally).
        scope_id: ``None`` for the national list, else the territory counted.
        old: the figure in the old release (``None``: no such line).
        new: the figure in the new release.
    """

    round_id: str | None
    scope_id: str | None
    old: Count | None
    new: Count | None

    @property
    def label(self) -> str:
        """``ami-2 (national)``, as :class:`~spie_occitanie.completeness.Completeness` writes it."""
        return self.render_label()

    def render_label(self, lang: str = "en") -> str:
        """The label in English or French (``lang``)."""
        round_id = self.round_id or say("diff.all-rounds", lang)
        return f"{round_id} ({self.scope_id or say('diff.national', lang)})"


@attrs.frozen(kw_only=True)
class ReleaseDiff:
    """Everything that changed from one release to another.

    Schema changes come first: a reader of the data changes needs to know
    that a column was added before reading that its values differ.

    Attributes:
        old: the old release.
        new: the new release.
        schema: changes to tables and columns.
        tables: per table compared by key, its rows and changes.
        records: every record added, removed or changed, table by table in
            key order (citations apart: see ``citations``).
        citations: every source added, withdrawn or restated, by the record
            and field it supports.
        conflicts: conflicts between sources that appeared, were resolved or
            keep another value.
        completeness: completeness figures that moved.
    """

    old: ReleaseInfo
    new: ReleaseInfo
    schema: tuple[SchemaChange, ...] = ()
    tables: tuple[TableCount, ...] = ()
    records: tuple[RecordChange, ...] = ()
    citations: tuple[CitationChange, ...] = ()
    conflicts: tuple[ConflictChange, ...] = ()
    completeness: tuple[CompletenessChange, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything changed: schema, records or citations.

        Conflicts and completeness follow from records and citations; the
        descriptors' ``version`` and ``created`` are not changes of the data.
        """
        return bool(self.schema or self.records or self.citations)

    def __bool__(self) -> bool:
        """True when something changed, as ``diff``'s exit status 1."""
        return self.changed

    def records_of(self, table: str) -> tuple[RecordChange, ...]:
        """The changes of one table."""
        return tuple(r for r in self.records if r.table == table)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (see ``docs/publishing.md``)."""
        from spie_occitanie.diffing import render

        return render.to_json(self)

    def to_markdown(self) -> str:
        """Markdown for ``CHANGELOG.md`` and the dataset's description on data.gouv.fr."""
        from spie_occitanie.diffing import render

        return render.to_markdown(self)

    def __str__(self) -> str:
        from spie_occitanie.diffing import render

        return render.to_text(self)

    def __repr__(self) -> str:
        from spie_occitanie.diffing import render

        return render.short(self)

    def _repr_html_(self) -> str:
        from spie_occitanie.diffing import render

        return render.to_html(self)
