"""Data packages at national scale: streaming validation and columnar export.

A national ledger of a million allocations is validated in batches of Arrow
columns (:func:`~spie_occitanie.stream.validate.validate_stream`) and written
from Arrow tables (:func:`~spie_occitanie.stream.write.write_arrow_package`),
never as a million Python objects. Nothing here is imported by ``import
spie_occitanie``: pyarrow loads only when one of these functions is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from spie_occitanie.stream.progress import Progress, progress_for
    from spie_occitanie.stream.validate import validate_stream
    from spie_occitanie.stream.write import write_arrow_package, write_hive_allocations


__all__ = ["Progress", "progress_for", "validate_stream", "write_arrow_package", "write_hive_allocations"]

_WHERE = {
    "Progress": "progress",
    "progress_for": "progress",
    "validate_stream": "validate",
    "write_arrow_package": "write",
    "write_hive_allocations": "write",
}


def __getattr__(name: str) -> Any:
    """Load the module of a public name on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
