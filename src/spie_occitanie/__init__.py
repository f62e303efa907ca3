"""spie_occitanie: the Service public de l'insertion et de l'emploi as citable open data.

>>> import spie_occitanie as spie
>>> ds = spie.load()
>>> ds.territory("31").name
'Haute-Garonne'

Importing the package is instant: the model and the dataset are small and
pure Python; exporters that need pandas, pyarrow or frictionless load them
only when first used (PEP 562 ``__getattr__``).
"""

from __future__ import annotations

import functools

from typing import TYPE_CHECKING, Any

from spie_occitanie._version import __version__
from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.dataset import Dataset
from spie_occitanie.errors import FactsError, InvalidValueError, NotFoundError, SpieError
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
    Selection,
    Source,
    SourceKind,
    Tally,
    Territory,
    TerritoryKind,
)


if TYPE_CHECKING:
    from spie_occitanie import strategies


__all__ = [
    "Allocation",
    "Citation",
    "CitationKind",
    "Dataset",
    "Envelope",
    "FactsError",
    "Finding",
    "InvalidValueError",
    "Money",
    "NotFoundError",
    "Organisation",
    "OrganisationKind",
    "PartialDate",
    "Precision",
    "Programme",
    "Report",
    "Round",
    "RoundKind",
    "Selection",
    "Severity",
    "Source",
    "SourceKind",
    "SpieError",
    "Tally",
    "Territory",
    "TerritoryKind",
    "__version__",
    "load",
    "strategies",
]


@functools.cache
def load() -> Dataset:
    """The embedded dataset, read once from the shipped facts; no network."""
    from spie_occitanie.facts import load_facts

    return load_facts()


# Submodules that import heavy libraries, loaded on first attribute access.
_LAZY_SUBMODULES = frozenset({"strategies"})


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
