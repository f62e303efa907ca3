"""The dataset: every record, indexed, with its queries and checks.

A :class:`Dataset` is a frozen value: records are kept sorted by key, so two
datasets with the same records are equal and write the same bytes. Checks
that need the whole dataset (references, counts, intervals, citations) run in
:meth:`Dataset.check`; the value rules of each record already ran when it was
built.
"""

from __future__ import annotations

import functools

from collections.abc import Iterable, Iterator
from types import EllipsisType
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.errors import NotFoundError
from spie_occitanie.model import (
    RECORD_TYPES,
    Allocation,
    Citation,
    Envelope,
    Organisation,
    Programme,
    Round,
    Selection,
    Source,
    Tally,
    Territory,
    TerritoryKind,
    departement_id,
    region_id,
)


if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

    from spie_occitanie.checks import Report
    from spie_occitanie.completeness import Completeness
    from spie_occitanie.conflicts import Conflicts


__all__ = ["RECORD_TYPES", "Dataset"]


def _by_key(records: Iterable[Any]) -> tuple[Any, ...]:
    """Records in their canonical order: sorted by key."""
    return tuple(sorted(records, key=lambda r: r.key))


@attrs.frozen(kw_only=True)
class Dataset:
    """The SPIE record: sources, citations and the records they support.

    Attributes:
        sources: the documents cited.
        citations: who says what about which record.
        territories: départements, régions and the other territories selected.
        organisations: funders, project holders and partners.
        programmes: SPIE.
        rounds: the waves.
        selections: territories retained in rounds.
        envelopes: budgets stated for a scope.
        allocations: money to one beneficiary.
        tallies: counts sources state for a scope.
    """

    sources: tuple[Source, ...] = attrs.field(default=(), converter=_by_key)
    citations: tuple[Citation, ...] = attrs.field(default=(), converter=_by_key)
    territories: tuple[Territory, ...] = attrs.field(default=(), converter=_by_key)
    organisations: tuple[Organisation, ...] = attrs.field(default=(), converter=_by_key)
    programmes: tuple[Programme, ...] = attrs.field(default=(), converter=_by_key)
    rounds: tuple[Round, ...] = attrs.field(default=(), converter=_by_key)
    selections: tuple[Selection, ...] = attrs.field(default=(), converter=_by_key)
    envelopes: tuple[Envelope, ...] = attrs.field(default=(), converter=_by_key)
    allocations: tuple[Allocation, ...] = attrs.field(default=(), converter=_by_key)
    tallies: tuple[Tally, ...] = attrs.field(default=(), converter=_by_key)

    # -- generic access ----------------------------------------------------

    def table(self, name: str) -> tuple[Any, ...]:
        """The records of a table, by its published name."""
        if name not in RECORD_TYPES:
            raise NotFoundError(table="tables", key=name)
        records: tuple[Any, ...] = getattr(self, name)
        return records

    @functools.cached_property
    def _indexes(self) -> dict[str, dict[str, Any]]:
        # The first record of a duplicated key wins; check() reports the rest.
        indexes: dict[str, dict[str, Any]] = {}
        for name in RECORD_TYPES:
            index: dict[str, Any] = {}
            for record in self.table(name):
                index.setdefault(record.key, record)
            indexes[name] = index
        return indexes

    def get(self, table: str, key: str) -> Any | None:
        """The record of ``table`` with ``key``, or ``None``."""
        if table not in RECORD_TYPES:
            raise NotFoundError(table="tables", key=table)
        return self._indexes[table].get(key)

    def _one(self, table: str, key: str) -> Any:
        record = self.get(table, key)
        if record is None:
            raise NotFoundError(table=table, key=key)
        return record

    def __len__(self) -> int:
        """How many records it holds, citations and sources included."""
        return sum(len(self.table(name)) for name in RECORD_TYPES)

    def counts(self) -> dict[str, int]:
        """Records per table."""
        return {name: len(self.table(name)) for name in RECORD_TYPES}

    # -- lookups -----------------------------------------------------------

    def territory(self, ref: str) -> Territory:
        """A territory by id (``fr:departement:31``) or département code (``31``)."""
        found = self.get("territories", ref) or self.get("territories", departement_id(ref))
        if found is None:
            raise NotFoundError(table="territories", key=ref)
        territory: Territory = found
        return territory

    def region(self, code: str) -> Territory:
        """A région by its INSEE code (``76``)."""
        territory: Territory = self._one("territories", region_id(code))
        return territory

    def round(self, round_id: str) -> Round:
        """A round by id (``ami-2``)."""
        found: Round = self._one("rounds", round_id)
        return found

    def organisation(self, organisation_id: str) -> Organisation:
        """An organisation by id (``cd-31``)."""
        found: Organisation = self._one("organisations", organisation_id)
        return found

    def source(self, source_id: str) -> Source:
        """A source by id."""
        found: Source = self._one("sources", source_id)
        return found

    def envelope(self, envelope_id: str) -> Envelope:
        """An envelope by id."""
        found: Envelope = self._one("envelopes", envelope_id)
        return found

    @property
    def programme(self) -> Programme:
        """The programme, when the dataset holds exactly one."""
        if len(self.programmes) != 1:
            raise NotFoundError(table="programmes", key=f"the only one (there are {len(self.programmes)})")
        return self.programmes[0]

    def territories_in(self, code_region: str) -> tuple[Territory, ...]:
        """The départements of a région, in code order."""
        return tuple(
            t
            for t in self.territories
            if t.kind is TerritoryKind.DEPARTEMENT and t.code_region == code_region
        )

    def selections_in(
        self, round_id: str | None = None, *, code_region: str | None = None
    ) -> tuple[Selection, ...]:
        """Selections of a round (or all), optionally only those in a région."""
        return tuple(
            s
            for s in self.selections
            if (round_id is None or s.round_id == round_id)
            and (code_region is None or self._region_of_id(s.territory_id) == code_region)
        )

    def selections_of(self, territory_id: str) -> tuple[Selection, ...]:
        """Every selection of one territory, in round order."""
        rounds = {r.round_id: r.number for r in self.rounds}
        found = [s for s in self.selections if s.territory_id == territory_id]
        return tuple(sorted(found, key=lambda s: rounds.get(s.round_id, -1)))

    def _region_of_id(self, territory_id: str) -> str | None:
        territory = self.get("territories", territory_id)
        return None if territory is None else territory.code_region

    def envelopes_for(self, scope_id: str | None) -> tuple[Envelope, ...]:
        """Envelopes stated for a scope (``None``: national)."""
        return tuple(e for e in self.envelopes if e.scope_id == scope_id)

    def allocations_for(
        self,
        *,
        envelope_id: str | None = None,
        territory_id: str | None = None,
        beneficiary_id: str | None = None,
    ) -> tuple[Allocation, ...]:
        """Allocations matching every criterion given."""
        return tuple(
            a
            for a in self.allocations
            if (envelope_id is None or a.envelope_id == envelope_id)
            and (territory_id is None or a.territory_id == territory_id)
            and (beneficiary_id is None or a.beneficiary_id == beneficiary_id)
        )

    @functools.cached_property
    def _citations_by_record(self) -> dict[tuple[str, str | None], tuple[Citation, ...]]:
        grouped: dict[tuple[str, str | None], list[Citation]] = {}
        for citation in self.citations:
            grouped.setdefault((citation.record_table, citation.record_key), []).append(citation)
        return {k: tuple(v) for k, v in grouped.items()}

    def citations_for(
        self, table: str, key: str | None, field: str | EllipsisType | None = ...
    ) -> tuple[Citation, ...]:
        """Citations of one record.

        With ``field``, only those about that field (``None``: about the record
        as a whole).
        """
        found = self._citations_by_record.get((table, key), ())
        if field is ...:
            return found
        return tuple(c for c in found if c.field == field)

    def cited_sources(self) -> Iterator[Source]:
        """The sources at least one citation uses."""
        used = {c.source_id for c in self.citations}
        return (s for s in self.sources if s.source_id in used)

    # -- whole-dataset questions --------------------------------------------

    def conflicts(self) -> Conflicts:
        """Every field on which sources disagree; see :mod:`spie_occitanie.conflicts`.

        A tuple of :class:`~spie_occitanie.conflicts.Conflict` that prints as
        one line per field and shows as a table in a notebook.
        """
        return self._conflicts

    def completeness(self) -> tuple[Completeness, ...]:
        """Per round and per stated tally: declared and known counts."""
        return self._completeness

    def check(self) -> Report:
        """Run every check across records; see :mod:`spie_occitanie.checks`."""
        return self._report

    # A dataset never changes, so each answer is worked out once: check() asks
    # for the conflicts and the completeness, and so do the summary and displays.

    @functools.cached_property
    def _conflicts(self) -> Conflicts:
        from spie_occitanie.conflicts import find_conflicts

        return find_conflicts(self)

    @functools.cached_property
    def _completeness(self) -> tuple[Completeness, ...]:
        from spie_occitanie.completeness import measure

        return measure(self)

    @functools.cached_property
    def _report(self) -> Report:
        from spie_occitanie.checks import run_checks

        return run_checks(self)

    def summary(self, code_region: str = "76") -> pd.DataFrame:
        """Rounds, laureates and known funding per région, and per département of one.

        One line per région and round (and the région's total over every
        round), then one per département of ``code_region`` (Occitanie by
        default), each with the ids of the citations behind it. Needs pandas;
        see :func:`spie_occitanie.frames.summary_frame`.
        """
        from spie_occitanie.frames import summary_frame

        return summary_frame(self, code_region=code_region)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items() if n)
        return f"<Dataset: {counts or 'empty'}>"

    def _repr_html_(self) -> str:
        from spie_occitanie import display

        return display.dataset_html(self)
