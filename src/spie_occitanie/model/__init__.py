"""The typed model: frozen attrs value types, no I/O.

Everything here can be built and compared without pandas, pyarrow or
frictionless; parsing lives in named constructors (``from_edtf``,
``from_text``), checks across records in :mod:`spie_occitanie.checks`.
"""

from collections.abc import Mapping

from spie_occitanie.model.dates import PartialDate, Precision, Season
from spie_occitanie.model.funding import Allocation, Envelope
from spie_occitanie.model.money import Money
from spie_occitanie.model.organisation import Organisation, OrganisationKind
from spie_occitanie.model.programme import Programme
from spie_occitanie.model.round import Round, RoundKind
from spie_occitanie.model.selection import Selection
from spie_occitanie.model.source import Citation, CitationKind, Source, SourceKind
from spie_occitanie.model.tally import Tally
from spie_occitanie.model.territory import (
    CogStatus,
    Territory,
    TerritoryKind,
    departement_id,
    region_id,
)


__all__ = [
    "RECORD_TYPES",
    "Allocation",
    "Citation",
    "CitationKind",
    "CogStatus",
    "Envelope",
    "Money",
    "Organisation",
    "OrganisationKind",
    "PartialDate",
    "Precision",
    "Programme",
    "Round",
    "RoundKind",
    "Season",
    "Selection",
    "Source",
    "SourceKind",
    "Tally",
    "Territory",
    "TerritoryKind",
    "departement_id",
    "region_id",
]

#: Each table of records and the class of its rows, in publication order.
RECORD_TYPES: Mapping[str, type] = {
    "sources": Source,
    "citations": Citation,
    "territories": Territory,
    "organisations": Organisation,
    "programmes": Programme,
    "rounds": Round,
    "selections": Selection,
    "envelopes": Envelope,
    "allocations": Allocation,
    "tallies": Tally,
}
