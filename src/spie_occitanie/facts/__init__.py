"""The curated facts and their loader.

The facts are hand-edited TOML files beside this module (their format is
described in ``README.md`` here), plus INSEE's COG tables in ``cog/``.
:func:`load_facts` parses them at the boundary, turning each text into its
typed value, and builds the :class:`~spie_occitanie.Dataset`. A file that
cannot be read raises :class:`~spie_occitanie.errors.FactsError` naming the
file, the record and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import tomllib
import types
import typing

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from spie_occitanie.dataset import RECORD_TYPES, Dataset
from spie_occitanie.errors import FactsError, InvalidValueError
from spie_occitanie.model import (
    Citation,
    CitationKind,
    Money,
    PartialDate,
    Territory,
    departement_id,
    region_id,
)
from spie_occitanie.model.text import field_names, to_text


__all__ = ["FACTS_DIR", "load_facts"]

#: The folder of the default facts (shipped as plain files beside this module; finding
#: them through ``importlib.resources`` would cost 20 ms of imports at every start).
FACTS_DIR = Path(__file__).resolve().parent

# TOML array name -> published table name.
_TABLES = {
    "source": "sources",
    "programme": "programmes",
    "round": "rounds",
    "territory": "territories",
    "organisation": "organisations",
    "selection": "selections",
    "envelope": "envelopes",
    "allocation": "allocations",
    "tally": "tallies",
}
_CITE_KEYS = {"source", "field", "quote", "value", "kind", "note"}


def _primary_key_field(cls: type) -> str | None:
    """The ``<name>_id`` field a TOML ``id`` stands for (selections have none)."""
    first = attrs.fields(cls)[0].name
    return first if first.endswith("_id") and cls.__name__ != "Selection" else None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of a record class; resolving them is slow, so once per class."""
    return typing.get_type_hints(cls)


@functools.cache
def _base_type(cls: type, field: str) -> tuple[Any, Any]:
    """The type of a field without ``| None``, and its origin (``tuple`` for ``tuple[str, ...]``)."""
    hint = _hints(cls)[field]
    if isinstance(hint, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint, typing.get_origin(hint)


def _convert(cls: type, field: str, raw: object) -> object:
    """A TOML value as the model field's type; raises on the wrong shape."""
    target, origin = _base_type(cls, field)
    if origin is tuple:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise ValueError("must be a list of strings")
        if cls is Territory and field == "covers":
            return tuple(departement_id(code) for code in raw)
        return tuple(raw)
    if isinstance(target, type) and issubclass(target, enum.Enum):
        try:
            return target(raw)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in target)
            raise ValueError(f"must be one of {allowed}") from None
    if target is PartialDate:
        if not isinstance(raw, str):
            raise ValueError("must be an EDTF string such as '2021-06'")
        return PartialDate.from_edtf(raw)
    if target is Money:
        if not isinstance(raw, str):
            raise ValueError("must be a string such as '1700000 ±50000'")
        return Money.from_text(raw)
    if target is dt.date:
        if isinstance(raw, dt.date):
            return raw
        raise ValueError("must be a TOML date such as 2024-01-31")
    if target is str and not isinstance(raw, str):
        raise ValueError("must be a string")
    if target is int and (isinstance(raw, bool) or not isinstance(raw, int)):
        raise ValueError("must be an integer")
    if target is bool and not isinstance(raw, bool):
        raise ValueError("must be true or false")
    return raw


def _build(cls: type, fields: Mapping[str, object], *, path: str, label: str) -> Any:
    names = {a.name for a in attrs.fields(cls)}
    kwargs: dict[str, object] = {}
    for name, raw in fields.items():
        if name not in names:
            raise FactsError(path=path, record=label, field=name, problem="unknown key")
        if raw is None:  # absent: the field keeps its default
            continue
        try:
            kwargs[name] = _convert(cls, name, raw)
        except InvalidValueError as error:
            raise FactsError(
                path=path, record=label, field=name, problem=f"{error.reason} (got {raw!r})"
            ) from None
        except ValueError as error:
            raise FactsError(path=path, record=label, field=name, problem=f"{error} (got {raw!r})") from None
    missing = [a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING and a.name not in kwargs]
    if missing:
        raise FactsError(path=path, record=label, field=missing[0], problem="is required")
    try:
        return cls(**kwargs)
    except InvalidValueError as error:
        raise FactsError(
            path=path, record=label, field=error.field, problem=f"{error.reason} (got {error.value!r})"
        ) from None


class _Collector:
    """Accumulates records and numbers citations as the files are read."""

    def __init__(self) -> None:
        self.records: dict[str, list[Any]] = {table: [] for table in RECORD_TYPES}
        self._numbers: dict[tuple[str, str | None, str | None], int] = {}

    def cite(
        self, table: str, key: str | None, raw: object, *, path: str, label: str, record: object = None
    ) -> None:
        if not isinstance(raw, dict):
            raise FactsError(
                path=path, record=label, field="cite", problem="must be a table of citation keys"
            )
        unknown = sorted(set(raw) - _CITE_KEYS)
        if unknown:
            raise FactsError(path=path, record=label, field=f"cite.{unknown[0]}", problem="unknown key")
        if "source" not in raw:
            raise FactsError(path=path, record=label, field="cite.source", problem="is required")
        field = raw.get("field")
        slot = (table, key, field)
        self._numbers[slot] = number = self._numbers.get(slot, 0) + 1
        citation_id = f"{table}/{key or '*'}/{field or '*'}/{number}"
        fields = {
            "citation_id": citation_id,
            "record_table": table,
            "record_key": key,
            "field": field,
            "source_id": raw["source"],
            "quote": raw.get("quote"),
            "value": _canonical(record, field, raw["value"]) if "value" in raw else _own_value(record, field),
            "kind": raw.get("kind", CitationKind.STATES.value),
            "note": raw.get("note"),
        }
        cite_label = f"{label}, citation {number} of {field or 'the record'}"
        self.records["citations"].append(_build(Citation, fields, path=path, label=cite_label))

    def read_toml(self, path: Path) -> None:
        name = path.name
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise FactsError(path=name, problem=f"cannot be read: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise FactsError(path=name, problem=f"is not valid TOML: {error}") from None
        for array, items in document.items():
            if array == "table_cite":
                for number, item in enumerate(_tables(items, name, array), start=1):
                    table = item.pop("table", None)
                    if table not in RECORD_TYPES:
                        raise FactsError(
                            path=name,
                            record=f"table_cite #{number}",
                            field="table",
                            problem=f"is not a table (got {table!r})",
                        )
                    self.cite(table, None, item, path=name, label=f"table_cite #{number}")
                continue
            table = _TABLES.get(array)
            if table is None:
                raise FactsError(path=name, problem=f"unknown kind of record [[{array}]]")
            cls = RECORD_TYPES[table]
            pk = _primary_key_field(cls)
            for number, item in enumerate(_tables(items, name, array), start=1):
                cites = item.pop("cite", [])
                label = f"{array} #{number}" + (f" {item['id']!r}" if "id" in item else "")
                if pk is not None:
                    if "id" not in item:
                        raise FactsError(path=name, record=label, field="id", problem="is required")
                    item[pk] = item.pop("id")
                record = _build(cls, item, path=name, label=label)
                self.records[table].append(record)
                for cite in cites if isinstance(cites, list) else [cites]:
                    self.cite(table, record.key, cite, path=name, label=label, record=record)

    def read_cog(self, folder: Path) -> None:
        """The metropolitan régions and départements of INSEE's COG files, as copied."""
        iso = {row["territory_id"]: row["iso_3166_2"] for row in _csv(folder / "iso-3166-2.csv")}
        files = (
            ("region", "v_region_2024_metropole.csv", "REG"),
            ("departement", "v_departement_2024_metropole.csv", "DEP"),
        )
        for kind, file, code_column in files:
            for row in _csv(folder / file):
                code = row[code_column]
                tid = region_id(code) if kind == "region" else departement_id(code)
                fields = {
                    "territory_id": tid,
                    "kind": kind,
                    "name": row["LIBELLE"],
                    "tncc": int(row["TNCC"]),
                    "code": code,
                    "code_region": row["REG"],
                    "iso_3166_2": iso.get(tid),
                    "cog": "copied",
                }
                self.records["territories"].append(
                    _build(Territory, fields, path=f"cog/{file}", label=f"row {code}")
                )


def _own_value(record: object, field: object) -> str | None:
    """The record's own value of ``field``, in text form.

    A citation without ``value`` says what the record keeps; the value is
    written into the citation so that it stands on its own when the record
    changes.
    """
    if record is None or not isinstance(field, str) or field not in field_names(type(record)):
        return None
    return to_text(getattr(record, field))


def _canonical(record: object, field: object, value: object) -> object:
    """A citation's ``value`` in its field's one text form: ``65000000.00 ±500000.00``.

    A source's amount or date is written by hand in any form :meth:`Money.from_text`
    or :meth:`PartialDate.from_edtf` reads; the citations table keeps one form per
    type, the one a record's own value takes. A value that does not parse is kept
    as written, for the ``citation-value-invalid`` check to report.
    """
    if record is None or not isinstance(field, str) or not isinstance(value, str):
        return value
    cls: type = type(record)
    if field not in field_names(cls):
        return value
    target, _ = _base_type(cls, field)
    try:
        if target is Money:
            return to_text(Money.from_text(value))
        if target is PartialDate:
            return to_text(PartialDate.from_edtf(value))
    except InvalidValueError:
        return value
    return value


def _tables(items: object, path: str, array: str) -> Iterator[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FactsError(path=path, problem=f"'{array}' must be an array of tables ([[{array}]])")
    for item in items:
        yield dict(item)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_facts(folder: Path | str | None = None) -> Dataset:
    """Read every ``*.toml`` of ``folder`` (default: the shipped facts) and the COG.

    Files are read in name order, so the citation ids are stable.

    Raises:
        FactsError: a file, record or field cannot be read; the message names it.
    """
    root = FACTS_DIR if folder is None else Path(folder)
    collector = _Collector()
    cog = root / "cog"
    if cog.is_dir():
        collector.read_cog(cog)
    for path in sorted(root.glob("*.toml")):
        collector.read_toml(path)
    return Dataset(**collector.records)
