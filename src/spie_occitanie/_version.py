"""The version, static so that a fresh clone builds the same."""

__version__ = "0.1.0"
