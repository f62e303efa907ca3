"""The version, static so that a fresh clone builds the same."""

__version__ = "0.1.0"

#: The day this version of the dataset was released: the ``created`` of the
#: published package, so that the same version always writes the same bytes.
__released__ = "2026-11-28"
