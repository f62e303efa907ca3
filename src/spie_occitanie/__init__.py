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
from spie_occitanie.dataset import Dataset
from spie_occitanie.errors import (
    FactsError,
    InvalidPackageError,
    InvalidValueError,
    NotFoundError,
    PackageUnreadableError,
    SpieError,
    UsageError,
)
from spie_occitanie.findings import Finding, Report, Severity
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
    from spie_occitanie import strategies as strategies
    from spie_occitanie.diffing import diff
    from spie_occitanie.formats.datapackage import read_datapackage, validate_datapackage, write_datapackage
    from spie_occitanie.formats.pandas import to_pandas
    from spie_occitanie.formats.parquet import read_parquet, write_parquet
    from spie_occitanie.stream.validate import validate_stream


__all__ = [
    "Allocation",
    "Citation",
    "CitationKind",
    "Dataset",
    "Envelope",
    "FactsError",
    "Finding",
    "InvalidPackageError",
    "InvalidValueError",
    "Money",
    "NotFoundError",
    "Organisation",
    "OrganisationKind",
    "PackageUnreadableError",
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
    "UsageError",
    "__version__",
    "diff",
    "load",
    "read_datapackage",
    "read_parquet",
    "to_pandas",
    "validate_datapackage",
    "validate_stream",
    "write_datapackage",
    "write_parquet",
]


@functools.cache
def load() -> Dataset:
    """The embedded dataset, read once from the shipped facts; no network."""
    from spie_occitanie.facts import load_facts

    return load_facts()


# Submodules that import heavy libraries, loaded on first attribute access.
_LAZY_SUBMODULES = frozenset({"strategies"})
# Functions of the exporters, by the module that holds them: importing the
# module (and its pandas, pyarrow or frictionless) waits for the first use.
_LAZY_FUNCTIONS = {
    "to_pandas": "formats.pandas",
    "write_datapackage": "formats.datapackage",
    "read_datapackage": "formats.datapackage",
    "validate_datapackage": "formats.datapackage",
    "write_parquet": "formats.parquet",
    "read_parquet": "formats.parquet",
    "validate_stream": "stream.validate",
    "diff": "diffing",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_FUNCTIONS[name]}"), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_SUBMODULES, *_LAZY_FUNCTIONS})
