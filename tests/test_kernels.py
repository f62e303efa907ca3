"""One set of rules, two engines: the columnar kernels never accept what the model refuses.

The model's rules are objects (:mod:`spie_occitanie.model.rules`); the
streaming validator runs, for each, the kernel of its class
(:mod:`spie_occitanie.stream.kernels`). A kernel may leave a value to the
exact code but must never pass one the exact code refuses: then both engines
give the same findings by construction. These tests check that on generated
good and bad cells for every column of every table, and that a column added
to a record is checked by the streaming validator with no other change.
"""

from __future__ import annotations

import csv
import io

from typing import Any

import attrs
import pyarrow as pa
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.errors import InvalidValueError, RowError
from spie_occitanie.formats.csv import cell_text, parse_cell
from spie_occitanie.model import RECORD_TYPES, Allocation, rules
from spie_occitanie.stream import kernels
from spie_occitanie.stream.validate import validate_stream
from spie_occitanie.tables import TABLES, Table, _string, record_from_row


def _rule_classes(rule: object) -> set[type]:
    found = {type(rule)}
    inner = getattr(rule, "rule", None)
    if inner is not None:
        found |= _rule_classes(inner)
    return found


def test_every_rule_of_every_record_has_a_kernel():
    """A rule class without a columnar kernel would be a rule only one engine runs."""
    used_field: set[type] = set()
    used_record: set[type] = set()
    for cls in RECORD_TYPES.values():
        for name, rule in rules.field_rules(cls).items():
            assert rule is not None, f"{cls.__name__}.{name} has no rule object"
            used_field |= _rule_classes(rule)
        used_record |= {type(r) for r in rules.record_rules(cls)}
    assert used_field <= set(kernels.FIELD_KERNELS)
    assert used_record <= set(kernels.RECORD_KERNELS)


@pytest.mark.parametrize("name", ["allocations", "citations"])
def test_big_tables_are_tested_in_columns(name):
    """The tables read in batches have every rule in columns: none is left wholesale to the exact code."""
    rows = TABLES[name].to_rows(spie.load())
    assert rows
    batch = _batch(TABLES[name], rows)
    assert all(kernels.model_test(name)(batch).to_pylist())


def _batch(table: Table, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {c.name: pa.array([cell_text(r.get(c.name)) for r in rows], pa.string()) for c in table.columns}
    )


BAD = (
    "",
    " ",
    " x",
    "x ",
    "x\u00a0",
    "\u2003y",
    "a\nb",
    "-1",
    "0",
    "0.00",
    "1.005",
    "99999999999",
    "1899",
    "2101",
    "2021-02-30",
    "2021-21",
    "2021-25",
    "2021-13",
    "true",
    "vrai",
    "Ami-1",
    "ami 1",
    "fr:departement:20",
    "spie:é",
    "x/y z",
    "x/é",
    "https://exemple.fr/ a",
)


def _exactly_accepted(table: Table, row: dict[str, str]) -> bool:
    """Whether the exact code (cell readers, then the model's constructors) accepts a row of text cells."""
    typed: dict[str, Any] = {}
    try:
        for column in table.columns:
            typed[column.name] = parse_cell(column, row[column.name])
        record_from_row(table.name, typed)
    except (InvalidValueError, RowError, ValueError):
        return False
    return True


@settings(max_examples=60)
@given(ds=sst.datasets(), data=st.data())
def test_kernels_accept_only_what_the_model_accepts(ds, data):
    """Every column of every record table, a generated row with one cell replaced by a good or bad cell."""
    name = data.draw(st.sampled_from([n for n in RECORD_TYPES if n != "territories" and ds.table(n)]))
    table = TABLES[name]
    rows = table.to_rows(ds)
    row = {c.name: cell_text(rows[0].get(c.name)) for c in table.columns}
    column = data.draw(st.sampled_from(table.columns))
    other = cell_text(data.draw(st.sampled_from(rows)).get(column.name))
    row[column.name] = data.draw(st.sampled_from([*BAD, other]) | st.text(max_size=6))
    batch = pa.RecordBatch.from_pydict({n: pa.array([v], pa.string()) for n, v in row.items()})
    cells = all(kernels.cell_test(c, batch.column(c.name)).to_pylist()[0] for c in table.columns)
    columnar = cells and kernels.model_test(name)(batch).to_pylist()[0]
    if columnar:
        assert _exactly_accepted(table, row), (name, column.name, row[column.name])


# -- adding a column: one declaration and the model field ----------------------------------------


@attrs.frozen(kw_only=True)
class AllocationWithPurpose:
    """An allocation with one more field, as a contributor would add it (docs/contributing.md)."""

    allocation_id: str = attrs.field(validator=rules.matches(rules.SLUG, "a lowercase slug"))
    funder_id: str = attrs.field(validator=rules.matches(rules.SLUG, "an organisation id"))
    amount: spie.Money = attrs.field(validator=rules.instance_of(spie.Money))
    beneficiary_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "an id"))
    )
    envelope_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "an id"))
    )
    round_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.SLUG, "an id"))
    )
    territory_id: str | None = attrs.field(
        default=None, validator=rules.optional(rules.matches(rules.TERRITORY_ID, "a territory id"))
    )
    convention: spie.PartialDate | None = attrs.field(
        default=None, validator=rules.optional(rules.instance_of(spie.PartialDate))
    )
    first_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    last_year: int | None = attrs.field(default=None, validator=rules.optional(rules.year()))
    purpose: str | None = attrs.field(default=None, validator=rules.optional_text())

    RULES = Allocation.RULES
    __attrs_post_init__ = rules.check_record

    @property
    def key(self) -> str:
        return self.allocation_id


def test_a_new_column_is_checked_by_the_streaming_validator(monkeypatch, tmp_path):
    """The model field and its column, declared once each: the validator finds a trailing space in it."""
    table = TABLES["allocations"]
    column = _string("purpose", "Objet", "Ce que finance l'attribution.", "insertion")
    monkeypatch.setitem(TABLES, "allocations", attrs.evolve(table, columns=(*table.columns, column)))
    monkeypatch.setitem(RECORD_TYPES, "allocations", AllocationWithPurpose)
    ds = spie.load()
    allocations = [
        AllocationWithPurpose(**{**attrs.asdict(a, recurse=False), "purpose": "insertion"})
        for a in ds.allocations
    ]
    spie.write_datapackage(attrs.evolve(ds, allocations=allocations), tmp_path)
    assert validate_stream(tmp_path).ok
    path = tmp_path / "data" / "allocations.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[2][-1] = "insertion "
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    found = [f for f in validate_stream(tmp_path).all_findings() if f.field == "purpose"]
    assert [("value-rule", "data/allocations.csv", 3)] == [(f.check, f.file, f.row) for f in found]
    assert "white space" in found[0].message
