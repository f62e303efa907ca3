"""The columns that are the project's own designations, not facts a source gives.

Every other non-empty, non-key value of a record that is not a reference row
must be supported by a citation of its field (the ``value-uncited`` check).
These few columns hold what the project itself decides: how it classifies
and orders records, and what it has checked. No source can say them, so
they are exempt. This mapping is the one list: the check reads it, the data
dictionary renders it, and a test compares it with the facts README. It
imports nothing, so every layer may read it.
"""

from __future__ import annotations

from collections.abc import Mapping


__all__ = ["DESIGNATIONS", "KEYS"]

#: The fields whose values make each table's key: ids the project gives its records (the
#: Table Schemas' primary keys; a test compares the two). A key names its record, so it
#: needs no citation of its own: the record's citations support it.
KEYS: Mapping[str, tuple[str, ...]] = {
    "sources": ("source_id",),
    "citations": ("citation_id",),
    "territories": ("territory_id",),
    "organisations": ("organisation_id",),
    "programmes": ("programme_id",),
    "rounds": ("round_id",),
    "selections": ("round_id", "territory_id"),
    "envelopes": ("envelope_id",),
    "allocations": ("allocation_id",),
    "tallies": ("tally_id",),
}

#: (table, field) -> why the column is the project's own designation.
DESIGNATIONS: Mapping[tuple[str, str], str] = {
    ("rounds", "kind"): (
        "the project's classification of a wave (experimentation or AMI), which the round's "
        "name and citations already carry"
    ),
    ("rounds", "number"): "the project's ordinal of a wave (0 for the experimentation), used to sort them",
    ("territories", "kind"): (
        "the project's typology of territories (département, région, métropole, collectivité, "
        "intercommunalité, composite): how the dataset models a territory"
    ),
    ("territories", "cog"): "provenance: whether a row was copied from INSEE's COG file or restated",
    ("organisations", "kind"): (
        "the project's typology of roles (State, conseil départemental, public employment service...)"
    ),
    ("organisations", "collective"): (
        'the project\'s reading of a name as a kind of body ("associations") rather than one body'
    ),
    ("organisations", "siren_verified"): (
        "whether the project checked the SIREN against INSEE's Sirene register: a statement "
        "about the project's own work"
    ),
}
