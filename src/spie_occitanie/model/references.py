"""Which field of which record names a record of another table: declared once, here.

The checks resolve these references on records (``reference-unresolved``)
and :mod:`spie_occitanie.tables` turns them into the Table Schemas'
foreign keys, which the validator checks in columns. Adding a reference is
one line here.
"""

from __future__ import annotations

from collections.abc import Mapping


__all__ = ["REFERENCES"]

#: Every reference between tables: (table, field) -> the table it points at.
REFERENCES: Mapping[tuple[str, str], str] = {
    ("citations", "source_id"): "sources",
    ("territories", "covers"): "territories",
    ("organisations", "territory_id"): "territories",
    ("programmes", "cofunder_id"): "organisations",
    ("rounds", "programme_id"): "programmes",
    ("selections", "round_id"): "rounds",
    ("selections", "territory_id"): "territories",
    ("selections", "holder_id"): "organisations",
    ("envelopes", "funder_id"): "organisations",
    ("envelopes", "scope_id"): "territories",
    ("envelopes", "parent_id"): "envelopes",
    ("allocations", "funder_id"): "organisations",
    ("allocations", "beneficiary_id"): "organisations",
    ("allocations", "envelope_id"): "envelopes",
    ("allocations", "round_id"): "rounds",
    ("allocations", "territory_id"): "territories",
    ("tallies", "scope_id"): "territories",
    ("tallies", "round_id"): "rounds",
}
