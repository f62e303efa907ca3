"""A dataset that notes which tables a check reads, to compare with what the check declares."""

from __future__ import annotations

from typing import Any

from spie_occitanie.model import RECORD_TYPES


WHOLE = ("conflicts", "completeness", "check", "summary")


class Recorder:
    """Wraps a dataset; ``read`` collects the tables asked for (``?name`` for anything else)."""

    def __init__(self, ds: Any) -> None:
        object.__setattr__(self, "_ds", ds)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name: str) -> Any:
        ds = object.__getattribute__(self, "_ds")
        read = object.__getattribute__(self, "read")
        value = getattr(ds, name)
        if name in RECORD_TYPES:
            read.add(name)
        elif name in WHOLE:
            read.update(RECORD_TYPES)
        elif name in ("table", "get"):

            def noted(table: str, *args: Any, **kwargs: Any) -> Any:
                read.add(table)
                return value(table, *args, **kwargs)

            return noted
        elif name == "allocations_for":
            read.add("allocations")
        elif name == "envelopes_for":
            read.add("envelopes")
        elif callable(value) or name.startswith("_"):
            read.add(f"?{name}")
        return value
