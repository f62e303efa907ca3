"""The dataset: every record, indexed, with its queries and checks.

A :class:`Dataset` is a frozen value: records are kept sorted by key, so two
datasets with the same records are equal and write the same bytes. Checks
that need the whole dataset (references, counts, intervals, citations) run in
:meth:`Dataset.check`; the value rules of each record already ran when it was
built.
"""

from __future__ import annotations

import difflib
import functools

from collections.abc import Iterable, Iterator
from types import EllipsisType
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.errors import AmbiguousReferenceError, NotFoundError
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
    from spie_occitanie.completeness import CompletenessReport
    from spie_occitanie.conflicts import Conflicts


__all__ = ["RECORD_TYPES", "Dataset"]


def _check_table(name: str) -> None:
    """Refuse a table name the dataset does not have, naming the closest ones."""
    if name not in RECORD_TYPES:
        closest = difflib.get_close_matches(name, list(RECORD_TYPES), n=3, cutoff=0.5)
        raise NotFoundError(table="tables", key=name, closest=closest)


def _region_code(ref: str | int) -> str:
    """A région's code from its code (``76``, ``"76"``) or id (``fr:region:76``)."""
    text = str(ref).strip()
    return text.removeprefix("fr:region:").zfill(2)


def _territory_candidates(ref: str | int) -> list[str]:
    """The territory ids a reference may mean, the most likely first."""
    if isinstance(ref, bool) or not isinstance(ref, str | int):
        return []
    text = str(ref).strip()
    if ":" in text:
        return [text]
    code = text.upper().zfill(2) if text.isdigit() else text.upper()
    return [departement_id(code), region_id(code)]


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
        """The records of a table, by its published name (``rounds``, not ``round``)."""
        _check_table(name)
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
        _check_table(table)
        return self._indexes[table].get(key)

    def _one(self, table: str, key: str) -> Any:
        record = self.get(table, key)
        if record is None:
            raise self._not_found(table, key)
        return record

    def _not_found(self, table: str, key: object) -> NotFoundError:
        names = {k: k for k in self._indexes[table]}
        if table == "territories":  # a person types codes as often as ids
            names.update({t.code: t.territory_id for t in self.territories if t.code is not None})
        close = difflib.get_close_matches(str(key), list(names), n=3, cutoff=0.5)
        return NotFoundError(table=table, key=key, closest=list(dict.fromkeys(names[c] for c in close)))

    def territory_id(self, ref: str | int) -> str:
        """The id of the territory a person means: ``"31"``, ``31``, ``"fr:departement:31"``, ``"2A"``.

        A bare code is a département's (as INSEE numbers them: ``9`` is
        ``09``), since every région code is also a département's (``76`` is
        Seine-Maritime): use :meth:`region_id` or ``"fr:region:76"`` for a
        région. An id is taken as it is.

        Raises:
            NotFoundError: no territory has it, with the closest ids.
        """
        for candidate in _territory_candidates(ref):
            if self.get("territories", candidate) is not None:
                return candidate
        raise self._not_found("territories", ref)

    def region_id(self, ref: str | int) -> str:
        """The id of a région given as a code (``76``, ``"76"``) or an id (``fr:region:76``).

        Raises:
            NotFoundError: no région has it, with the closest ids.
        """
        candidate = region_id(_region_code(ref))
        if self.get("territories", candidate) is None:
            raise self._not_found("territories", ref)
        return candidate

    def __len__(self) -> int:
        """How many records it holds, citations and sources included."""
        return sum(len(self.table(name)) for name in RECORD_TYPES)

    def counts(self) -> dict[str, int]:
        """Records per table."""
        return {name: len(self.table(name)) for name in RECORD_TYPES}

    # -- lookups -----------------------------------------------------------

    def territory(self, ref: str | int) -> Territory:
        """A territory by id (``fr:departement:31``) or code (``31``, ``31``); see :meth:`territory_id`."""
        territory: Territory = self._one("territories", self.territory_id(ref))
        return territory

    def region(self, code: str | int) -> Territory:
        """A région by its INSEE code (``76``) or id."""
        territory: Territory = self._one("territories", self.region_id(code))
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

    def territories_in(self, code_region: str | int) -> tuple[Territory, ...]:
        """The départements of a région (a code or id), in code order."""
        code = self.region(code_region).code_region
        return tuple(
            t for t in self.territories if t.kind is TerritoryKind.DEPARTEMENT and t.code_region == code
        )

    def selections_in(
        self, round_id: str | None = None, *, code_region: str | int | None = None
    ) -> tuple[Selection, ...]:
        """Selections of a round (or all), optionally only those in a région (a code or id).

        A filter: the checks ask it about rounds and régions a damaged dataset
        may lack, so it answers with what matches rather than refuse.
        """
        code = None if code_region is None else _region_code(code_region)
        return tuple(
            s
            for s in self.selections
            if (round_id is None or s.round_id == round_id)
            and (code is None or self._region_of_id(s.territory_id) == code)
        )

    def selections_of(self, territory: str | int) -> tuple[Selection, ...]:
        """Every selection of one territory (an id or code), in round order."""
        territory_id = self.territory_id(territory)
        rounds = {r.round_id: r.number for r in self.rounds}
        found = [s for s in self.selections if s.territory_id == territory_id]
        return tuple(sorted(found, key=lambda s: rounds.get(s.round_id, -1)))

    def _region_of_id(self, territory_id: str) -> str | None:
        territory = self.get("territories", territory_id)
        return None if territory is None else territory.code_region

    def envelopes_for(self, scope: str | int | None) -> tuple[Envelope, ...]:
        """Envelopes stated for a scope: a territory id or code, ``None`` for national.

        Budgets are stated for régions and départements alike, so a bare code
        that names both (``76``) is refused rather than guessed.

        Raises:
            NotFoundError: no such territory.
            AmbiguousReferenceError: a code that names a département and a région.
        """
        scope_id = None if scope is None else self._scope_id(scope)
        return tuple(e for e in self.envelopes if e.scope_id == scope_id)

    def _scope_id(self, scope: str | int) -> str:
        text = str(scope).strip()
        if ":" in text:
            return self.territory_id(text)
        found = [c for c in _territory_candidates(scope) if self.get("territories", c) is not None]
        if len(found) > 1:
            raise AmbiguousReferenceError(ref=scope, candidates=found)
        if not found:
            raise self._not_found("territories", scope)
        return found[0]

    def allocations_for(
        self,
        *,
        envelope_id: str | None = None,
        territory_id: str | None = None,
        beneficiary_id: str | None = None,
    ) -> tuple[Allocation, ...]:
        """Allocations matching every criterion given (each an id; a territory also by code)."""
        if envelope_id is not None:
            self._one("envelopes", envelope_id)
        if territory_id is not None:
            territory_id = self.territory_id(territory_id)
        if beneficiary_id is not None:
            self._one("organisations", beneficiary_id)
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

        Raises:
            NotFoundError: no such table, record or field, with the closest names.
        """
        _check_table(table)
        if key is not None and table == "territories":
            key = self.territory_id(key)
        elif key is not None:
            self._one(table, key)
        if field is not ... and field is not None:
            names = attrs.fields_dict(RECORD_TYPES[table])
            if field not in names:
                closest = difflib.get_close_matches(field, list(names), n=3, cutoff=0.5)
                raise NotFoundError(table=f"{table} fields", key=field, closest=closest)
        return self.citations_about(table, key, field)

    def citations_about(
        self, table: str, key: str | None, field: str | EllipsisType | None = ...
    ) -> tuple[Citation, ...]:
        """The citations that name a record (and field), whether or not the record or field exists.

        The checks ask it about citations of a damaged dataset (a field the
        record lacks, a record that is gone); :meth:`citations_for` is the
        strict lookup for people.
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

    def completeness(self) -> CompletenessReport:
        """Per round and per stated tally: declared and known counts (a tuple that shows itself)."""
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
    def _completeness(self) -> CompletenessReport:
        from spie_occitanie.completeness import measure

        return measure(self)

    @functools.cached_property
    def _report(self) -> Report:
        from spie_occitanie.checks import run_checks

        return run_checks(self)

    def summary(self, code_region: str | int | None = None, *, level: str = "region-round") -> pd.DataFrame:
        """Rounds, laureates and known funding at one level, whose rows never overlap.

        ``level`` is ``"region-round"`` (one row per région and round, the
        default), ``"region"`` (one row per région over every round, with its
        envelopes) or ``"departement"`` (one row per département of
        ``code_region``, Occitanie by default, and round). Each selection and
        each allocation counts in one row only, so every column sums to a
        total. ``code_region`` (any form :meth:`region` takes) keeps one
        région's rows. Needs pandas; see :func:`spie_occitanie.frames.summary_frame`.
        """
        from spie_occitanie.frames import summary_frame

        code = None
        if code_region is not None:
            code = self.region(code_region).code_region
            assert code is not None  # noqa: S101 - a région's own code
        return summary_frame(self, code_region=code, level=level)

    def laureates(self) -> pd.DataFrame:
        """One row per selected territory and round, with the State's amount.

        See :func:`spie_occitanie.frames.laureates_frame`. Needs pandas.
        """
        from spie_occitanie.frames import laureates_frame

        return laureates_frame(self)

    def funding(self) -> pd.DataFrame:
        """One row per stated amount (envelopes and allocations), with its level.

        See :func:`spie_occitanie.frames.funding_frame`. Needs pandas.
        """
        from spie_occitanie.frames import funding_frame

        return funding_frame(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items() if n)
        return f"<Dataset: {counts or 'empty'}>"

    def _repr_html_(self) -> str:
        from spie_occitanie import display

        return display.dataset_html(self)
