"""What kind of change each entry of a diff is: the enumerations of :mod:`~spie_occitanie.diffing.result`.

Apart from the records that use them so that the renderings can name them
without importing the records (which import the renderings).
"""

from __future__ import annotations

import enum


__all__ = ["Change", "CitationChangeKind", "ConflictChangeKind", "SchemaChangeKind"]


class Change(enum.Enum):
    """What happened to a record, by its primary key."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class SchemaChangeKind(enum.Enum):
    """What changed in a table's Table Schema."""

    TABLE_ADDED = "table-added"
    TABLE_REMOVED = "table-removed"
    COLUMN_ADDED = "column-added"
    COLUMN_REMOVED = "column-removed"
    COLUMN_RETYPED = "column-retyped"
    FORMAT_CHANGED = "format-changed"
    CONSTRAINT_CHANGED = "constraint-changed"
    PRIMARY_KEY_CHANGED = "primary-key-changed"
    FOREIGN_KEYS_CHANGED = "foreign-keys-changed"


class CitationChangeKind(enum.Enum):
    """What happened to one source's statement about a record."""

    ADDED = "added"
    WITHDRAWN = "withdrawn"
    CHANGED = "changed"


class ConflictChangeKind(enum.Enum):
    """What happened to a field on which sources disagree."""

    APPEARED = "appeared"
    RESOLVED = "resolved"
    KEPT_CHANGED = "kept-changed"
