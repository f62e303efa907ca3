"""Columnar tests on Arrow arrays: the Table Schema's cell tests and the model's rules.

Every test here is *conservative*: it accepts only what the exact code (the
cell readers, and the model's rules with their :meth:`explain
<spie_occitanie.model.rules.FieldRule.explain>`) certainly accepts. A row it
does not accept is not judged by it: the validator sets it aside and builds
its record with the exact code, which says what is wrong. So a columnar test
may be narrower than its rule (a pattern trusted only on printable ASCII, a
SIREN always left to the exact code) but never wider.

The model's rules are not restated here: :func:`model_test` reads the rule
objects of a table's record class (each field's rule and the class's
``RULES``) and runs, for each, the kernel registered for its class in
:data:`FIELD_KERNELS` or :data:`RECORD_KERNELS`. A field added to a record
is tested as soon as it is declared; a rule class without a kernel fails
the test suite (``tests/test_kernels.py``).
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Callable, Mapping

import pyarrow as pa

from spie_occitanie.model import Money, PartialDate, rules
from spie_occitanie.model.fields import FieldKind, field_types
from spie_occitanie.model.organisation import Siren
from spie_occitanie.model.territory import Tncc
from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import decimal, full, integers, scalar, texts
from spie_occitanie.tables import TABLES, Column, Table


__all__ = [
    "FIELD_KERNELS",
    "RECORD_KERNELS",
    "cell_ok",
    "cell_test",
    "edtf_ok",
    "model_test",
    "per_value",
    "text_ok",
]

#: Joins the cells of one row when a test needs several columns at once (years, dates).
SEP = "\x1f"

# Python's str.strip() removes these; a conservative "trimmed text" test
# refuses them at either end, so that RE2 never accepts what the model refuses.
SPACE = r"\s\x{0b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
TRIMMED = rf"^[^{SPACE}](?:.*[^{SPACE}])?$"
INTEGER = r"^-?[0-9]{1,9}$"
NUMBER = r"^-?[0-9]{1,15}(?:\.[0-9]{1,2})?$"
AMOUNT = r"^[0-9]{1,15}(?:\.[0-9]{1,2})?$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URI = r"^https?://[!-~]+$"
EDTF_SHAPE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"


# -- vectorised cell tests ---------------------------------------------------------------------


def match(array: pa.Array, pattern: str) -> pa.Array:
    """Where the texts match ``pattern`` (RE2, as Arrow runs it)."""
    return pc.match_substring_regex(array, pattern)


def ints(array: pa.Array, ok: pa.Array) -> pa.Array:
    """Integers of the texts where ``ok`` (which must match :data:`INTEGER` there), 0 elsewhere."""
    return pc.cast(pc.if_else(ok, array, "0"), pa.int64())


def cents(array: pa.Array, ok: pa.Array) -> pa.Array:
    """Whole cents (int64) of the texts where ``ok`` (matching :data:`NUMBER`), 0 elsewhere."""
    decimals = pc.cast(pc.if_else(ok, array, "0"), pa.decimal128(18, 2))
    scaled = pc.multiply(decimals, decimal(100, 3))
    return pc.cast(scaled, pa.int64())


def date_ok(array: pa.Array) -> pa.Array:
    """ISO ``YYYY-MM-DD`` texts naming a day that exists."""
    shape = match(array, DATE)
    year = ints(pc.utf8_slice_codeunits(array, 0, 4), shape)
    month = ints(pc.utf8_slice_codeunits(array, 5, 7), shape)
    day = ints(pc.utf8_slice_codeunits(array, 8, 10), shape)
    return pc.and_(shape, exists(year, month, day))


def days_in_month(year: pa.Array, month: pa.Array) -> pa.Array:
    leap = pc.and_(
        pc.equal(pc.bit_wise_and(year, 3), 0),
        pc.or_(pc.not_equal(pc.remainder(year, 100), 0), pc.equal(pc.remainder(year, 400), 0)),
    )
    lengths = integers([31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    safe = pc.if_else(pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12)), month, 0)
    base = pc.take(lengths, safe)
    return pc.if_else(pc.and_(leap, pc.equal(month, 2)), 29, base)


def exists(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    return pc.and_(
        pc.and_(pc.greater_equal(year, 1), pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))),
        pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, days_in_month(year, month))),
    )


def per_value(test: Callable[[pa.Array], pa.Array], array: pa.Array) -> pa.Array:
    """``test`` run once per distinct value: most columns hold few (ids of rounds, dates, amounts)."""
    encoded = pc.dictionary_encode(array)
    if len(encoded.dictionary) * 4 > len(array):
        return test(array)
    return pc.take(test(encoded.dictionary), encoded.indices)


def cell_ok(column: Column, array: pa.Array) -> pa.Array:
    """Where a cell certainly passes frictionless's type and constraint tests.

    A pattern costs RE2 about 100 ns a cell, a date or a number a dozen
    kernels: those tests run once per distinct value (finding them costs
    a third of that). A test of a plain text (empty or not, in a set)
    costs less than finding the distinct values, so it runs on every cell.
    """
    costly = column.type in {"date", "number", "integer"} or column.pattern is not None or column.format
    if column.unique or not costly:
        return cell_test(column, array)
    return per_value(lambda values: cell_test(column, values), array)


def cell_test(column: Column, array: pa.Array) -> pa.Array:
    """Where a cell passes the column's Table Schema type and constraints (conservatively)."""
    empty = pc.equal(array, "")
    match column.type:
        case "integer":
            ok = match(array, INTEGER)
            value = ints(array, ok)
        case "number":
            ok = match(array, NUMBER)
            value = cents(array, ok)
        case "boolean":
            ok = pc.is_in(array, value_set=texts(["true", "false"]))
            value = None
        case "date":
            ok = date_ok(array)
            value = None
        case _:
            ok = match(array, URI) if column.format == "uri" else pc.invert(empty)
            value = None
    if column.pattern is not None:
        ok = pc.and_(ok, match(array, column.pattern))
    if column.enum is not None:
        ok = pc.and_(ok, pc.is_in(array, value_set=texts(column.enum)))
    scale = 100 if column.type == "number" else 1
    if column.minimum is not None and value is not None:
        ok = pc.and_(ok, pc.greater_equal(value, column.minimum * scale))
    if column.maximum is not None and value is not None:
        ok = pc.and_(ok, pc.less_equal(value, column.maximum * scale))
    return pc.if_else(empty, not column.required, ok)


# -- the model's rules, conservatively, for the big tables -------------------------------------------


def text_ok(array: pa.Array) -> pa.Array:
    """Absent, or text the model keeps as it is (no white space at either end, one line).

    Printable ASCII (no control character, so one line) with no space at
    either end is such a text, and is found without RE2's cost per cell;
    RE2 judges only the other texts (accents, tabs...).
    """
    edges = pc.or_(pc.starts_with(array, " "), pc.ends_with(array, " "))
    simple = pc.and_(pc.ascii_is_printable(array), pc.invert(edges))
    rest = pc.invert(simple)
    if not pc.any(rest).as_py():
        return simple
    return pc.replace_with_mask(simple, rest, match(array.filter(rest), TRIMMED))


def edtf_ok(edtf: pa.Array, earliest: pa.Array, latest: pa.Array) -> pa.Array:
    """Absent, or an EDTF date that exists, with its earliest and latest days absent or right."""
    length = pc.utf8_length(edtf)
    shape = match(edtf, EDTF_SHAPE)
    year = ints(pc.utf8_slice_codeunits(edtf, 0, 4), shape)
    has_part = pc.and_(shape, pc.greater_equal(length, 7))
    part = ints(pc.if_else(has_part, pc.utf8_slice_codeunits(edtf, 5, 7), "0"), has_part)
    has_day = pc.and_(shape, pc.equal(length, 10))
    day = ints(pc.if_else(has_day, pc.utf8_slice_codeunits(edtf, 8, 10), "0"), has_day)
    is_month = pc.and_(pc.greater_equal(part, 1), pc.less_equal(part, 12))
    is_season = pc.and_(pc.greater_equal(part, 21), pc.less_equal(part, 24))
    first_month = pc.if_else(is_season, pc.subtract(pc.multiply(pc.subtract(part, 20), 3), 0), part)
    first_month = pc.if_else(has_part, first_month, 1)
    # Seasons start in March, June, September and December (3 * (part - 20)).
    season_end_month = pc.add(first_month, 2)
    winter = pc.greater(season_end_month, 12)
    end_year = pc.if_else(pc.and_(is_season, winter), pc.add(year, 1), year)
    end_month = pc.if_else(
        is_season,
        pc.if_else(winter, pc.subtract(season_end_month, 12), season_end_month),
        pc.if_else(has_part, part, 12),
    )
    first_day = pc.if_else(has_day, day, 1)
    last_day = pc.if_else(has_day, day, days_in_month(end_year, end_month))
    valid = pc.and_(
        pc.and_(shape, pc.greater_equal(year, 1)),
        pc.if_else(
            has_day,
            pc.and_(is_month, exists(year, part, day)),
            pc.if_else(has_part, pc.or_(is_month, is_season), scalar(value=True)),
        ),
    )
    start = pc.add(pc.add(pc.multiply(year, 10000), pc.multiply(first_month, 100)), first_day)
    end = pc.add(pc.add(pc.multiply(end_year, 10000), pc.multiply(end_month, 100)), last_day)
    agrees = pc.and_(same_day(earliest, start), same_day(latest, end))
    return pc.or_(pc.equal(edtf, ""), pc.and_(valid, agrees))


def same_day(iso: pa.Array, number: pa.Array) -> pa.Array:
    """Absent, or the ISO day (already known to be ``YYYY-MM-DD``) whose YYYYMMDD is ``number``."""
    shape = match(iso, DATE)
    digits = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(iso, 0, 4),
        pc.utf8_slice_codeunits(iso, 5, 7),
        pc.utf8_slice_codeunits(iso, 8, 10),
        "",
    )
    value = ints(digits, shape)
    return pc.or_(pc.equal(iso, ""), pc.and_(shape, pc.equal(value, number)))


# -- the model's rules, read from their objects ------------------------------------------------

#: A field's cells in a batch: one array per published column of the field (texts, "" absent).
Cells = tuple[pa.Array, ...]
#: A field rule's kernel: where the present values certainly pass, or ``None`` when the
#: column's own cell test (which runs beside it) is already the rule.
FieldKernel = Callable[[rules.FieldRule, Cells, tuple[Column, ...]], pa.Array | None]
RecordKernel = Callable[[rules.RecordRule, Callable[[str], pa.Array]], pa.Array]


def text_bytes(array: pa.Array) -> int:
    """The bytes of all the cells of a string array, from its offsets."""
    if len(array) == 0:
        return 0
    offsets = array.buffers()[1]
    first, last = array.offset * 4, (array.offset + len(array)) * 4
    start = int.from_bytes(offsets[first : first + 4], "little", signed=True)
    end = int.from_bytes(offsets[last : last + 4], "little", signed=True)
    return end - start


def _absent(cells: Cells) -> pa.Array:
    result = pc.equal(cells[0], "")
    for array in cells[1:]:
        result = pc.and_(result, pc.equal(array, ""))
    return result


def _never(cells: Cells) -> pa.Array:
    """Leave every present value to the exact code: the test is not worth writing in columns."""
    return full(len(cells[0]), value=False)


def _text(_rule: rules.FieldRule, cells: Cells, _columns: tuple[Column, ...]) -> pa.Array | None:
    return text_ok(cells[0])


def _matches(rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    assert isinstance(rule, rules.Matches)  # noqa: S101 - the registry maps the class
    column = columns[0]
    if column.pattern in (f"^{rule.pattern}$", f"^({rule.pattern})$"):
        return None  # the column's own pattern, tested by cell_test, is the rule
    if column.enum is not None and all(rule.accepts(value) for value in column.enum):
        return None  # every value the column's enum allows passes the rule
    # RE2 and Python's re agree on printable ASCII; any other text goes to the exact code.
    tested = pc.and_(pc.ascii_is_printable(cells[0]), match(cells[0], f"^(?:{rule.pattern})$"))
    return pc.or_(pc.equal(cells[0], ""), tested)


def _member_of(rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    assert isinstance(rule, rules.MemberOf)  # noqa: S101
    allowed = tuple(str(m.value) for m in rule.enum)
    if columns[0].enum == allowed:
        return None  # the column's enum, tested by cell_test, is the rule
    return pc.or_(pc.equal(cells[0], ""), pc.is_in(cells[0], value_set=texts(list(allowed))))


def _positive_amount(values: pa.Array) -> pa.Array:
    shape = match(values, AMOUNT)
    return pc.and_(shape, pc.greater(cents(values, shape), 0))


def _edtf_test(values: pa.Array) -> pa.Array:
    parts = [pc.list_element(pc.split_pattern(values, SEP), i) for i in range(3)]
    return edtf_ok(*parts)


def _instance_of(rule: rules.FieldRule, cells: Cells, _columns: tuple[Column, ...]) -> pa.Array | None:
    assert isinstance(rule, rules.InstanceOf)  # noqa: S101
    if rule.cls is Money:  # Money's own rules: an amount of cents >= 0, a precision > 0
        # The amount's cell test (a number of two decimals at most, >= 0) runs beside this one.
        amount, precision = cells
        money = pc.and_(pc.invert(pc.starts_with(amount, "-")), per_value(_positive_amount, precision))
        return pc.or_(_absent(cells), pc.and_(pc.not_equal(amount, ""), money))
    if rule.cls is PartialDate:  # a date that exists, with its first and last days right
        return per_value(_edtf_test, pc.binary_join_element_wise(*cells, SEP))  # "" is absent
    if rule.cls is dt.date:
        return None  # the cell test reads the ISO day
    return _never(cells)


def _count(_rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    if columns[0].type == "integer" and columns[0].minimum == 0:
        return None  # the column's type and minimum are the rule
    return pc.or_(pc.equal(cells[0], ""), match(cells[0], r"^[0-9]{1,9}$"))


def _year(_rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    column = columns[0]
    if (column.type, column.minimum, column.maximum) == ("integer", rules.Year.low, rules.Year.high):
        return None  # the column's type and bounds are the rule
    shape = match(cells[0], r"^[0-9]{4}$")
    value = ints(cells[0], shape)
    within = pc.and_(pc.greater_equal(value, rules.Year.low), pc.less_equal(value, rules.Year.high))
    return pc.or_(pc.equal(cells[0], ""), pc.and_(shape, within))


def _optional(rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    assert isinstance(rule, rules.Optional)  # noqa: S101
    return field_test(rule.rule, cells, columns)  # empty cells are presence's business


def _left_to_the_exact_code(_rule: rules.FieldRule, cells: Cells, _columns: tuple[Column, ...]) -> pa.Array:
    return pc.or_(_absent(cells), _never(cells))


#: The columnar kernel of each class of field rule.
FIELD_KERNELS: Mapping[type[rules.FieldRule], FieldKernel] = {
    rules.Text: _text,
    rules.Matches: _matches,
    rules.MemberOf: _member_of,
    rules.InstanceOf: _instance_of,
    rules.Count: _count,
    rules.Year: _year,
    rules.Optional: _optional,
    rules.TupleOf: _left_to_the_exact_code,  # a list in one cell: no table publishes one
    Siren: _left_to_the_exact_code,  # a Luhn key: organisations are few, and read whole
    Tncc: _left_to_the_exact_code,
}


def field_test(rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    """Where the values certainly pass ``rule``, or are absent (every cell empty).

    ``None``: the columns' own cell tests are the rule. Whether a value may be
    absent is not the kernel's question: see :func:`presence_test`.
    """
    return FIELD_KERNELS[type(rule)](rule, cells, columns)


def presence_test(rule: rules.FieldRule, cells: Cells, columns: tuple[Column, ...]) -> pa.Array | None:
    """Where a value the rule requires is there; ``None`` when the rule or the columns allow absence.

    A required column's cell test refuses the empty cell already.
    """
    if isinstance(rule, rules.Optional) or all(c.required for c in columns):
        return None
    return pc.invert(_absent(cells))


def _years_ordered(rule: rules.RecordRule, column: Callable[[str], pa.Array]) -> pa.Array:
    assert isinstance(rule, rules.YearsOrdered)  # noqa: S101

    def test(values: pa.Array) -> pa.Array:
        first, last = (pc.list_element(pc.split_pattern(values, SEP), i) for i in range(2))
        both = pc.and_(pc.not_equal(first, ""), pc.not_equal(last, ""))
        first_ok, last_ok = match(first, INTEGER), match(last, INTEGER)
        ordered = pc.less_equal(ints(first, first_ok), ints(last, last_ok))
        return pc.or_(pc.invert(both), pc.and_(pc.and_(first_ok, last_ok), ordered))

    # Cells holding the separator fail their own cell tests, so splitting on it is safe here.
    return per_value(test, pc.binary_join_element_wise(column(rule.first), column(rule.last), SEP))


def _together(rule: rules.RecordRule, column: Callable[[str], pa.Array]) -> pa.Array:
    assert isinstance(rule, rules.Together)  # noqa: S101
    return pc.equal(pc.equal(column(rule.first), ""), pc.equal(column(rule.second), ""))


def _differs(rule: rules.RecordRule, column: Callable[[str], pa.Array]) -> pa.Array:
    assert isinstance(rule, rules.Differs)  # noqa: S101
    value = column(rule.field)
    return pc.or_(pc.equal(value, ""), pc.not_equal(value, column(rule.other)))


def _requires(rule: rules.RecordRule, column: Callable[[str], pa.Array]) -> pa.Array:
    assert isinstance(rule, rules.Requires)  # noqa: S101
    return pc.or_(pc.not_equal(column(rule.flag), "true"), pc.not_equal(column(rule.field), ""))


#: The columnar kernel of each class of rule across fields.
RECORD_KERNELS: Mapping[type[rules.RecordRule], RecordKernel] = {
    rules.YearsOrdered: _years_ordered,
    rules.Together: _together,
    rules.Differs: _differs,
    rules.Requires: _requires,
}


def field_columns(table: Table, cls: type) -> dict[str, tuple[str, ...]]:
    """Each field of the record class and the table's columns that publish it (none: not published)."""
    published = set(table.column_names)
    found: dict[str, tuple[str, ...]] = {}
    for name, kind in field_types(cls).items():
        if kind.kind is FieldKind.PARTIAL_DATE:
            names: tuple[str, ...] = (f"{name}_edtf", f"{name}_earliest", f"{name}_latest")
        elif kind.kind is FieldKind.MONEY:
            names = (f"{name}_eur", f"{name}_precision_eur")
        else:
            names = (name,)
        found[name] = names if all(n in published for n in names) else ()
    return found


#: Texts longer than this on average are tested once per distinct value.
_LONG_TEXT_BYTES = 32


def _long_texts(array: pa.Array) -> bool:
    """Whether the texts are long enough that finding the distinct ones costs less than testing all."""
    return len(array) > 0 and text_bytes(array) > _LONG_TEXT_BYTES * len(array)


def _tested_by(rule: rules.FieldRule, columns: tuple[Column, ...]) -> Callable[[pa.Array], pa.Array]:
    def test(values: pa.Array) -> pa.Array:
        result = field_test(rule, (values,), columns)
        return full(len(values), value=True) if result is None else result

    return test


def model_test(name: str) -> Callable[[pa.RecordBatch], pa.Array]:
    """The model's rules for the rows of table ``name``, as one columnar test of a batch.

    Built from the record class's rule objects: each published field's rule,
    then each rule of the class's ``RULES`` whose fields are all published.
    A field with a rule but no column, or a rule across fields of which one
    is not published, makes the test leave every row to the exact code.
    """
    from spie_occitanie.model import RECORD_TYPES

    table = TABLES[name]
    cls = RECORD_TYPES[name]
    columns = field_columns(table, cls)
    field_checks = []
    complete = True
    for field, rule in rules.field_rules(cls).items():
        if not columns[field]:
            complete = complete and isinstance(rule, rules.Optional | None)
            continue
        if rule is None:
            complete = False
            continue
        described = tuple(table.column(c) for c in columns[field])
        probe = tuple(texts([""]) for _ in described)
        if (
            field_test(rule, probe, described) is not None
            or presence_test(rule, probe, described) is not None
        ):
            field_checks.append((rule, columns[field], described))
    # Rules written in code of the class's own (not in RULES) cannot be run in columns.
    complete = complete and getattr(cls, "__attrs_post_init__", rules.check_record) is rules.check_record
    record_checks = []
    for record_rule in rules.record_rules(cls):
        if all(columns.get(f) == (f,) for f in record_rule.fields):
            record_checks.append(record_rule)
        else:
            complete = False

    def test(batch: pa.RecordBatch) -> pa.Array:
        if not complete:
            return full(batch.num_rows, value=False)
        ok: pa.Array = full(batch.num_rows, value=True)
        for rule, names, described in field_checks:
            cells = tuple(batch.column(n) for n in names)
            present = presence_test(rule, cells, described)
            if present is not None:
                ok = pc.and_(ok, present)
            if len(cells) == 1 and _long_texts(cells[0]) and not described[0].unique:
                # Long texts repeat (quotes, notes): each distinct one is tested once.
                ok = pc.and_(ok, per_value(_tested_by(rule, described), cells[0]))
            else:
                tested = field_test(rule, cells, described)
                ok = ok if tested is None else pc.and_(ok, tested)
        for record_rule in record_checks:
            ok = pc.and_(ok, RECORD_KERNELS[type(record_rule)](record_rule, batch.column))
        return ok

    return test
