"""Hypothesis strategies for every type of the model and for whole datasets.

Install the ``strategies`` extra (``pip install 'spie-occitanie[strategies]'``)
to use them in your own tests::

    from hypothesis import given
    from spie_occitanie import strategies as sst

    @given(sst.datasets())
    def test_my_export(ds):
        ...

Names are plural and arguments keyword-only, as Hypothesis's own API style
asks; constrained fields (SIRENs, EDTF dates, amounts with their precision)
have explicit strategies rather than relying on inference from validators.
:func:`datasets` builds datasets that are consistent by construction: every
one passes :meth:`Dataset.check <spie_occitanie.Dataset.check>` without an
error, so a test can corrupt one fact and expect the named check to fail.
"""

from __future__ import annotations

import datetime as dt
import string

from decimal import Decimal
from typing import Any

from spie_occitanie.dataset import Dataset
from spie_occitanie.designations import DESIGNATIONS, KEYS
from spie_occitanie.model import (
    Allocation,
    Citation,
    CitationKind,
    Envelope,
    Money,
    Organisation,
    OrganisationKind,
    PartialDate,
    Precision,
    Programme,
    Round,
    RoundKind,
    Season,
    Selection,
    Source,
    SourceKind,
    Tally,
    Territory,
    TerritoryKind,
    departement_id,
    region_id,
)
from spie_occitanie.model.text import field_names


try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - depends on the environment
    msg = "spie_occitanie.strategies needs Hypothesis: pip install 'spie-occitanie[strategies]'"
    raise ImportError(msg) from error


__all__ = [
    "allocations",
    "amounts",
    "citations",
    "datasets",
    "departement_codes",
    "envelopes",
    "organisations",
    "partial_dates",
    "rounds",
    "selections",
    "sirens",
    "slugs",
    "sources",
    "territories",
]


def slugs(*, max_parts: int = 3) -> st.SearchStrategy[str]:
    """Lowercase kebab-case ids such as ``ami-2``."""
    part = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
    return st.lists(part, min_size=1, max_size=max_parts).map("-".join)


def departement_codes() -> st.SearchStrategy[str]:
    """INSEE département codes: ``01``-``95`` but ``20``, ``2A``, ``2B``, ``971``-``976``."""
    metropolitan = [f"{n:02d}" for n in range(1, 96) if n != 20]
    return st.sampled_from([*metropolitan, "2A", "2B", *(f"97{n}" for n in range(1, 7))])


def _luhn_complete(digits: str) -> str:
    """``digits`` followed by the check digit that makes the Luhn sum a multiple of 10."""
    for check in string.digits:
        candidate = digits + check
        total = 0
        for i, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if i % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    msg = "unreachable: one check digit always completes a Luhn sum"
    raise AssertionError(msg)


def sirens() -> st.SearchStrategy[str]:
    """Well-formed SIRENs: 9 digits whose Luhn checksum holds."""
    return st.text(string.digits, min_size=8, max_size=8).map(_luhn_complete)


def partial_dates(
    *,
    min_value: dt.date = dt.date(2018, 1, 1),
    max_value: dt.date = dt.date(2025, 12, 31),
    precisions: tuple[Precision, ...] = tuple(Precision),
) -> st.SearchStrategy[PartialDate]:
    """Partial dates of the given precisions containing a day in the range."""
    return st.builds(
        _coarsen,
        st.dates(min_value=min_value, max_value=max_value),
        st.sampled_from(precisions),
    )


def _coarsen(day: dt.date, precision: Precision) -> PartialDate:
    """The partial date of ``precision`` that contains ``day``."""
    if precision is Precision.DAY:
        return PartialDate.from_date(day)
    if precision is Precision.MONTH:
        return PartialDate(year=day.year, precision=precision, month=day.month)
    if precision is Precision.YEAR:
        return PartialDate(year=day.year, precision=precision)
    # Meteorological seasons; January and February belong to the winter of the year before.
    if day.month in (1, 2):
        return PartialDate(year=day.year - 1, precision=precision, season=Season.WINTER)
    season = {3: 21, 4: 21, 5: 21, 6: 22, 7: 22, 8: 22, 9: 23, 10: 23, 11: 23, 12: 24}[day.month]
    return PartialDate(year=day.year, precision=precision, season=Season(season))


_PRECISIONS = tuple(Decimal(p) for p in ("0.01", "1", "1000", "100000", "1000000"))


def amounts(
    *,
    max_euros: int = 100_000_000,
    precisions: tuple[Decimal, ...] = _PRECISIONS,
) -> st.SearchStrategy[Money]:
    """Amounts stated to one of ``precisions`` (a multiple of it, as a source writes)."""

    @st.composite
    def build(draw: st.DrawFn) -> Money:
        precision = draw(st.sampled_from(precisions))
        units = draw(st.integers(min_value=0, max_value=int(max_euros / precision)))
        return Money.of(units * precision, precision)

    return build()


def sources(*, kinds: tuple[SourceKind, ...] = tuple(SourceKind)) -> st.SearchStrategy[Source]:
    """Sources with a slug id, a French-looking title and optional details."""
    words = (
        st.text(alphabet="abcdeéèfghijklmnopqrstuvwxyz' ", min_size=1, max_size=30)
        .map(str.strip)
        .filter(bool)
    )
    return st.builds(
        Source,
        source_id=slugs(),
        title=words,
        publisher=words,
        kind=st.sampled_from(kinds),
        published=st.none() | partial_dates(),
        url=st.none() | slugs().map(lambda s: f"https://example.org/{s}"),
        place=st.none() | st.sampled_from(["Toulouse", "Paris", "Montpellier"]),
        checked=st.none() | st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1)),
    )


def citations(
    *,
    record_table: str,
    record_key: str,
    source_ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Citation]:
    """Citations of one record, stating it as a whole with a short quote."""
    return st.builds(
        Citation,
        citation_id=st.integers(min_value=1, max_value=9).map(lambda n: f"{record_table}/{record_key}/*/{n}"),
        record_table=st.just(record_table),
        record_key=st.just(record_key),
        source_id=source_ids if source_ids is not None else slugs(),
        quote=st.sampled_from(["retenu", "les territoires sélectionnés", "lauréat de l'AMI"]),
        kind=st.just(CitationKind.STATES),
    )


def territories(*, code_region: str | None = None) -> st.SearchStrategy[Territory]:
    """Départements (in ``code_region`` if given) with a name and an article type."""
    regions = st.just(code_region) if code_region else st.integers(1, 94).map(lambda n: f"{n:02d}")
    return st.builds(
        lambda code, region, name, tncc: Territory(
            territory_id=departement_id(code),
            kind=TerritoryKind.DEPARTEMENT,
            name=name,
            tncc=tncc,
            code=code,
            code_region=region,
        ),
        departement_codes(),
        regions,
        st.sampled_from(["Aude", "Haute-Garonne", "Hautes-Pyrénées", "Gard", "Lot"]),
        st.integers(min_value=0, max_value=8),
    )


def organisations(*, territory_ids: tuple[str, ...] = ()) -> st.SearchStrategy[Organisation]:
    """Organisations of any kind, with or without a (well-formed) SIREN."""
    return st.builds(
        lambda oid, kind, siren, verified, territory: Organisation(
            organisation_id=oid,
            name=f"Organisation {oid}",
            kind=kind,
            siren=siren,
            siren_verified=verified and siren is not None,
            territory_id=territory,
        ),
        slugs(),
        st.sampled_from(OrganisationKind),
        st.none() | sirens(),
        st.booleans(),
        st.none() | st.sampled_from(territory_ids) if territory_ids else st.none(),
    )


def rounds(*, programme_id: str = "spie", number: int = 1) -> st.SearchStrategy[Round]:
    """Rounds whose launch, deadline and announcement are in order as intervals."""

    @st.composite
    def build(draw: st.DrawFn) -> Round:
        days = sorted(
            draw(st.lists(st.dates(dt.date(2019, 1, 1), dt.date(2024, 12, 31)), min_size=3, max_size=3))
        )
        dates = [
            draw(st.none() | st.builds(_coarsen, st.just(day), st.sampled_from(Precision))) for day in days
        ]
        first = draw(st.none() | st.integers(2019, 2024))
        last = None if first is None else draw(st.none() | st.integers(first, 2025))
        return Round(
            round_id=f"ami-{number}" if number else "experimentation",
            programme_id=programme_id,
            kind=RoundKind.AMI if number else RoundKind.EXPERIMENTATION,
            number=number,
            name=f"appel à manifestation d'intérêt n° {number}",
            launched=dates[0],
            deadline=dates[1],
            announced=dates[2],
            targeted=draw(st.none() | st.integers(0, 50)),
            cap=draw(st.none() | amounts(max_euros=1_000_000)),
            first_year=first,
            last_year=last,
        )

    return build()


def selections(*, round_ids: tuple[str, ...], territory_ids: tuple[str, ...]) -> st.SearchStrategy[Selection]:
    """Selections of one of the given territories in one of the given rounds."""
    return st.builds(
        Selection,
        round_id=st.sampled_from(round_ids),
        territory_id=st.sampled_from(territory_ids),
    )


def envelopes(*, funder_id: str = "etat") -> st.SearchStrategy[Envelope]:
    """National envelopes of a funder."""
    return st.builds(
        Envelope,
        envelope_id=slugs(),
        funder_id=st.just(funder_id),
        amount=amounts(),
        first_year=st.none() | st.integers(2019, 2022),
        covers=st.none() | st.just("subventions directes"),
    )


def allocations(
    *, funder_id: str = "etat", beneficiary_ids: tuple[str, ...] = ()
) -> st.SearchStrategy[Allocation]:
    """Allocations outside any envelope, from a funder to one of the beneficiaries."""
    return st.builds(
        Allocation,
        allocation_id=slugs(),
        funder_id=st.just(funder_id),
        amount=amounts(max_euros=1_000_000),
        beneficiary_id=st.sampled_from(beneficiary_ids) if beneficiary_ids else st.none(),
        convention=st.none() | partial_dates(),
    )


@st.composite
def datasets(draw: st.DrawFn, *, max_departements: int = 8, max_rounds: int = 3) -> Dataset:
    """Whole datasets, consistent by construction: ``check()`` finds no error.

    Each holds a programme, one to ``max_rounds`` rounds with ordered dates,
    départements in one or two régions, their conseils départementaux,
    selections (each territory at most once per round), national counts at
    least as large as the selections known, a tally per région and round, a
    national envelope with a regional one inside it and allocations that fit,
    and citations from generated sources: one of each record, and one of each
    of its values (so that ``value-uncited`` finds nothing).
    """
    source_list = draw(
        st.lists(
            sources(kinds=tuple(k for k in SourceKind if k is not SourceKind.REFERENCE_DATASET)),
            min_size=1,
            max_size=3,
            unique_by=lambda s: s.source_id,
        )
    )
    source_ids = tuple(s.source_id for s in source_list)

    code_regions = draw(
        st.lists(st.sampled_from(["11", "52", "75", "76", "84"]), min_size=1, max_size=2, unique=True)
    )
    codes = draw(st.lists(departement_codes(), min_size=1, max_size=max_departements, unique=True))
    regions = [
        Territory(
            territory_id=region_id(r),
            kind=TerritoryKind.REGION,
            name=f"Région {r}",
            tncc=draw(st.integers(0, 8)),
            code=r,
            code_region=r,
        )
        for r in code_regions
    ]
    departements = [
        Territory(
            territory_id=departement_id(code),
            kind=TerritoryKind.DEPARTEMENT,
            name=f"Département {code}",
            tncc=draw(st.integers(0, 8)),
            code=code,
            code_region=draw(st.sampled_from(code_regions)),
        )
        for code in codes
    ]
    territory_list: list[Territory] = [*regions, *departements]
    if len(departements) >= 2 and draw(st.booleans()):
        covered = draw(
            st.lists(
                st.sampled_from([d.territory_id for d in departements]), min_size=2, max_size=3, unique=True
            )
        )
        territory_list.append(
            Territory(
                territory_id="spie:composite",
                kind=TerritoryKind.COMPOSITE,
                name="Territoire composite",
                code_region=draw(st.sampled_from(code_regions)),
                covers=tuple(sorted(covered)),
            )
        )
    selectable = [t for t in territory_list if t.kind is not TerritoryKind.REGION]

    organisation_list = [Organisation(organisation_id="etat", name="Etat", kind=OrganisationKind.STATE)]
    councils: dict[str, str] = {}
    for territory in departements:
        oid = f"cd-{territory.code.lower()}"  # type: ignore[union-attr]
        councils[territory.territory_id] = oid
        organisation_list.append(
            Organisation(
                organisation_id=oid,
                name=f"Conseil départemental {territory.of_label}",
                kind=OrganisationKind.DEPARTEMENT_COUNCIL,
                siren=draw(st.none() | sirens()),
                territory_id=territory.territory_id,
            )
        )

    n_rounds = draw(st.integers(min_value=1, max_value=max_rounds))
    round_list: list[Round] = []
    selection_list: list[Selection] = []
    for number in range(n_rounds):
        base = draw(rounds(number=number))
        chosen = draw(
            st.lists(
                st.sampled_from(selectable), max_size=len(selectable), unique_by=lambda t: t.territory_id
            )
        )
        for territory in chosen:
            selection_list.append(
                Selection(
                    round_id=base.round_id,
                    territory_id=territory.territory_id,
                    holder_id=councils.get(territory.territory_id) if draw(st.booleans()) else None,
                    code_region=territory.code_region if draw(st.booleans()) else None,
                )
            )
        retained = len(chosen) + draw(st.integers(min_value=0, max_value=3))
        round_list.append(
            Round(
                round_id=base.round_id,
                programme_id="spie",
                kind=base.kind,
                number=number,
                name=base.name,
                launched=base.launched,
                deadline=base.deadline,
                announced=base.announced,
                targeted=base.targeted,
                retained=draw(st.none() | st.just(retained)),
                cap=base.cap,
                first_year=base.first_year,
                last_year=base.last_year,
            )
        )
    engaged = (
        sum(r.retained for r in round_list if r.retained is not None)
        if all(r.retained is not None for r in round_list)
        else None
    )
    programme = Programme(
        programme_id="spie",
        name="service public de l'insertion et de l'emploi",
        acronym="SPIE",
        first_year=2021,
        last_year=2023,
        territories_engaged=engaged,
        cofunder_id="etat",
        holder_kind=OrganisationKind.DEPARTEMENT_COUNCIL,
    )

    tally_list = []
    for round_ in round_list:
        for region in code_regions:
            known = sum(
                1
                for s in selection_list
                if s.round_id == round_.round_id and _region(territory_list, s.territory_id) == region
            )
            if draw(st.booleans()):
                tally_list.append(
                    Tally(
                        tally_id=f"{round_.round_id}-{region}",
                        scope_id=region_id(region),
                        round_id=round_.round_id,
                        count=known + draw(st.integers(0, 2)),
                    )
                )

    national = Money.of(draw(st.integers(min_value=1_000, max_value=100_000)) * 1000, "1000")
    regional = Money.of(draw(st.integers(min_value=0, max_value=int(national.amount))), "1")
    envelope_list = [
        Envelope(envelope_id="national", funder_id="etat", amount=national, first_year=2021, last_year=2023),
        Envelope(
            envelope_id="regional",
            funder_id="etat",
            amount=regional,
            first_year=draw(st.none() | st.just(2021)),
            last_year=draw(st.none() | st.just(2023)),
            scope_id=region_id(code_regions[0]),
            parent_id="national",
            beneficiary_count=draw(st.none() | st.integers(len(selection_list), len(selection_list) + 3)),
        ),
    ]
    allocation_list: list[Allocation] = []
    remaining = regional.amount
    for selection in selection_list:
        if not draw(st.booleans()) or remaining < 1:
            continue
        amount = Decimal(draw(st.integers(min_value=0, max_value=int(remaining))))
        remaining -= amount
        allocation_list.append(
            Allocation(
                allocation_id=f"alloc-{len(allocation_list) + 1}",
                funder_id="etat",
                amount=Money.of(amount, "1"),
                beneficiary_id=selection.holder_id,
                envelope_id="regional",
                round_id=selection.round_id,
                territory_id=selection.territory_id,
                convention=draw(st.none() | partial_dates()),
            )
        )

    records: dict[str, list[Any]] = {
        "territories": territory_list,
        "organisations": organisation_list,
        "programmes": [programme],
        "rounds": round_list,
        "selections": selection_list,
        "envelopes": envelope_list,
        "allocations": allocation_list,
        "tallies": tally_list,
    }
    quotes = st.sampled_from(["retenu", "les territoires sélectionnés", "« 1,7 millions d'euros »"])
    citation_list = [
        Citation(
            citation_id=f"{table}/{record.key}/{field or '*'}/1",
            record_table=table,
            record_key=record.key,
            field=field,
            source_id=draw(st.sampled_from(source_ids)),
            quote=draw(quotes),
        )
        for table, items in records.items()
        for record in items
        for field in (None, *_cited_fields(table, record))
    ]
    return Dataset(sources=source_list, citations=citation_list, **records)


def _cited_fields(table: str, record: object) -> list[str]:
    """The fields of a record the ``value-uncited`` check asks a citation for: every value is cited."""
    return [
        field
        for field in field_names(type(record))
        if field not in KEYS[table]
        and (table, field) not in DESIGNATIONS
        and getattr(record, field) not in (None, ())
    ]


def _region(territories: list[Territory], territory_id: str) -> str | None:
    for territory in territories:
        if territory.territory_id == territory_id:
            return territory.code_region
    return None
