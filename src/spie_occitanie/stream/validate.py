"""Validate a data package in batches of Arrow columns, with the same findings as the reader.

:func:`validate_stream` reports what
:func:`~spie_occitanie.formats.datapackage.validate_datapackage` reports (the
file checks frictionless makes, the value rules of the model, the dataset's
checks) on packages of millions of allocation rows, at the speed of Arrow's
CSV reader and compute kernels, and with memory that grows only by the key
index.

How it stays the same:

* Every cell goes through a *conservative* vectorised test: a test that
  accepts only what frictionless and the model certainly accept (canonical
  numbers, ISO dates that exist, patterns matched by RE2 whose classes are
  narrower than Python's). A row that fails any test is not judged by the
  test: it is set aside and judged at the end of its table by the exact
  code, frictionless's own cell readers and the model's constructors. Valid
  rows (all of them in a valid package) never leave the columns; an invalid
  row gets the same findings as the reader gives it.
* Keys follow frictionless: every row, valid or not, enters the primary key
  and ``unique`` indexes (the later of two equal keys is the error), and a
  foreign key must be among the values of *any* row of the referenced table.
* The dataset's checks run on the rows that passed, as in the reader. The
  small tables (every table but allocations and citations) become records and
  the functions of :mod:`spie_occitanie.checks` run on them; the allocations,
  and the citations about allocations, are checked in columns: references,
  citations, uncited records, envelopes' interval sums and beneficiary counts.

What is kept, so that memory stays flat for packages in key order: the
small tables; for a big table in key order (as the project writes them) only
its last key, since keys that rise strictly from row to row are each held
once (a table out of order has its key columns read again at the end); per
envelope a sum and the distinct beneficiaries. The keys and fields of
allocations that citations name go to a temporary file as they are read,
and the allocations meet them chunk by chunk, two sorted streams merged
(:mod:`spie_occitanie.stream.cited`); out of key order they are held and
matched at the end instead. Rows themselves are dropped once their batch is
done, and Arrow's reader is kept a few blocks ahead of the batch in use.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import sys

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.csv as pcsv

from spie_occitanie.checks import (
    CHECKS,
    READS,
    REFERENCES,
    Finding,
    Report,
    allocations_low_findings,
    beneficiary_findings,
    record_finding,
    uncited_finding,
    value_uncited_finding,
)
from spie_occitanie.designations import DESIGNATIONS
from spie_occitanie.errors import CellError, ReaderRestartError
from spie_occitanie.findings import Severity, attach_consequences
from spie_occitanie.formats.csv import FIELD_SIZE_LIMIT, parse_cell
from spie_occitanie.model import Allocation, Money, SourceKind
from spie_occitanie.model.text import field_names, parse_as, to_text
from spie_occitanie.stream.cited import (
    CitedKeys,
    CitedSpill,
    Cursor,
    Late,
    Window,
    held_twice,
    key_rows,
    settle,
    spill_folder,
)
from spie_occitanie.stream.kernels import cell_ok, cell_test, cents, match, model_test, text_bytes
from spie_occitanie.stream.literals import compute as pc
from spie_occitanie.stream.literals import full, integers, scalar, texts
from spie_occitanie.stream.package import build_record, file_finding, open_package, typed_rows
from spie_occitanie.stream.reading import BLOCK_BYTES, PacedReader, returning_pool
from spie_occitanie.tables import TABLES, Column, ForeignKey, Table, dataset_from_records


__all__ = ["BLOCK_BYTES", "ProgressCallback", "validate_stream"]

#: Tables read in batches; every other table is small and held whole.
BIG_TABLES = ("allocations", "citations")

#: ``progress(label, done, total)``: called as bytes of each file are read.
ProgressCallback = Callable[[str, int, int], None]


@contextlib.contextmanager
def _undecodable_rows(found: list[str]) -> Iterator[None]:
    """Catch the rows Arrow cannot hand to the ragged-row callback because they are not UTF-8.

    pyarrow decodes a ragged row's text before calling back, and when that
    fails it reports the error to :data:`sys.unraisablehook` (a traceback on
    standard error) and goes on. For the time of a reading, such errors are
    collected instead, and the file is then reported as not UTF-8.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            found.append(str(unraisable.exc_value))
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


#: The hash algorithms a descriptor may name (those frictionless knows, all of fixed length).
_HASHES = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
#: The most rejected allocation rows whose keys are read again to attach their consequences.
_MAX_LINKED_ROWS = 100_000
_SEP = "\x1f"  # joins the parts of a composite key
_NONE = "\x00"  # stands for an absent part of a composite key


# -- findings --------------------------------------------------------------------------------


@attrs.frozen
class _Pending:
    """A finding about a row whose number is known only once its table is read."""

    index: int
    check: str
    field: str | None
    message: str
    value: str | None = None
    refers_to: str | None = None


def _cell_finding(  # noqa: PLR0917 - the parts of frictionless's error, in its order
    check: str, file: str, number: int, field: str | None, note: str, cell: object
) -> Finding:
    message = note if cell is None else f"{note} (value {cell!r})"
    return file_finding(check, file, message, row=number, field=field or None, value=cell)


# -- hashing while reading --------------------------------------------------------------------------


# -- one table -----------------------------------------------------------------------------------


def _optional(array: pa.Array) -> pa.Array:
    """Texts with the empty cell as null, as frictionless reads a missing value."""
    return pc.if_else(pc.equal(array, ""), scalar(None), array)


def _joined(arrays: list[pa.Array]) -> pa.Array:
    """Composite key values as one text: parts joined by :data:`_SEP`, absent parts as :data:`_NONE`."""
    if len(arrays) == 1:
        return arrays[0]
    parts = [pc.if_else(pc.is_null(a), _NONE, a) for a in arrays]
    return pc.binary_join_element_wise(*parts, _SEP)


def _all_null(parts: list[pa.Array]) -> pa.Array:
    """Rows where every part of a composite value is null."""
    result = pc.is_null(parts[0])
    for part in parts[1:]:
        result = pc.and_(result, pc.is_null(part))
    return result


#: The name, among a table's keys, of its primary key (every other is a ``unique`` column).
_PRIMARY = "\x00primary"


@attrs.define
class _Rising:
    """Whether the values of a key, batch after batch, have each been greater than the one before."""

    holds: bool = True
    last: str | None = None

    def feed(self, values: pa.Array) -> None:
        """Take the next values (no nulls) in row order."""
        if not self.holds or len(values) == 0:
            return
        # Python orders texts by code point, as Arrow orders their UTF-8 bytes.
        if self.last is not None and values[0].as_py() <= self.last:
            self.holds = False
            return
        count = len(values)
        if count > 1 and not pc.all(pc.less(values.slice(0, count - 1), values.slice(1))).as_py():
            self.holds = False
            return
        self.last = values[count - 1].as_py()


def _joined_tuple(cells: tuple[str | None, ...]) -> str | None:
    if len(cells) == 1:
        return cells[0]
    return _SEP.join(_NONE if c is None else c for c in cells)


@attrs.define(kw_only=True)
class _Lookups:
    """Frictionless's foreign key lookups: the values of every row of each referenced table."""

    values: dict[tuple[str, tuple[str, ...]], set[str | None]] = attrs.field(factory=dict)

    def add(self, table: str, fields: tuple[str, ...], values: set[str | None]) -> None:
        self.values[(table, fields)] = values


@attrs.frozen(kw_only=True)
class _Assessment:
    """What the tests found in one batch, before the scan records it (:meth:`_TableScan.judge`)."""

    too_large: bool
    passed: pa.Array  # the rows whose cells passed their tests and the model's rules
    fk_ok: pa.Array | None = None  # the rows whose foreign keys were found
    failures: list[tuple[int, ForeignKey, tuple[Any, ...]]] = attrs.field(factory=list)


#: How much of a file is looked at for the signs of a spreadsheet's save.
_SNIFF_BYTES = 1 << 16


def spreadsheet_signs(path: Path) -> list[str]:
    """The signs that a CSV was saved by a spreadsheet in a French locale, in its first bytes.

    A ``;`` between the header's labels (and no ``,``), or text that is not
    UTF-8 but reads as Windows-1252. Either makes every cell of the file
    wrong, so the file gets one finding that says what happened and what to
    do, rather than one per cell. A byte-order mark is named alongside them
    but is accepted on its own.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    body = head.removeprefix(codecs.BOM_UTF8)
    signs: list[str] = []
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(body) - 3:  # not a character cut by the end of the sniffed bytes
            try:
                body.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:
                signs.append("Windows-1252 encoding")
    header = body.split(b"\n", 1)[0]
    if b";" in header and b"," not in header:
        signs.append("';' between cells")
    if signs and body is not head:
        signs.append("byte-order mark")
    return signs


def _too_large(batch: pa.RecordBatch) -> bool:
    """Whether a cell of the batch is longer than the reader's limit."""
    for array in batch.columns:
        if text_bytes(array) <= FIELD_SIZE_LIMIT:
            continue  # no cell of it can be larger than all of them
        if pc.max(pc.binary_length(array)).as_py() > FIELD_SIZE_LIMIT:
            return True
    return False


class _TableScan:
    """Read one table in batches and find what frictionless and the model find in it.

    :meth:`judged` (or :meth:`batches` and :meth:`judge`, for a small table
    held whole) gives every batch with the rows that passed every test so far
    (cells, model rules, foreign keys). Key order, findings and the rows set
    aside are kept here; :meth:`finish`, at the end, gives the final findings
    and the rows excluded, and :attr:`passed` the rows set aside that the
    exact code accepted.
    """

    def __init__(
        self,
        root: Path,
        name: str,
        resource: dict[str, Any],
        lookups: _Lookups,
        progress: ProgressCallback | None,
        *,
        threads: bool = True,
        folder: Path | None = None,
    ) -> None:
        self.root = root
        self.threads = threads
        self.folder = folder  # for the keys of a large table out of key order
        self.name = name
        self.table: Table = TABLES[name]
        self.file: str = resource["path"]
        self.resource = resource
        self.lookups = lookups
        self.progress = progress
        self.findings: list[Finding] = []
        self.pending: list[_Pending] = []
        self.unusable = False  # the whole table is out of the dataset (header, encoding...)
        self.ragged: list[tuple[int, str]] = []
        self.suspects: list[tuple[int, list[str | None]]] = []
        self.key_fields = self._key_fields()
        # Keys are not kept: while each key rises strictly from row to row (a table in key
        # order, as the project writes them), no two rows can share it. Only when one does
        # not are the key columns read again, at the end, to find the rows that share one.
        self.key_order = {name: _Rising() for name in (_PRIMARY, *self._unique_fields())}
        self.keyless: list[int] = []  # rows whose primary key cells are all empty
        self.key_starts: list[int] = []  # the index of each batch's first row, in the key columns
        self.key_ends: list[int] = []  # and the position after its last row
        self.fk_bad: set[int] = set()
        self._value_sets: dict[tuple[str, tuple[str, ...]], pa.Array | None] = {}
        # The model's rules in columns, for a big table; a small table's rows all become
        # records through the exact code, which runs the rules themselves.
        self.model_test = model_test(name) if name in BIG_TABLES else None
        self._implied: dict[str, bool] = {}

    def _key_fields(self) -> tuple[str, ...]:
        names = list(self.table.primary_key)
        names += [c.name for c in self.table.columns if c.unique and c.name not in names]
        return tuple(names)

    def _unique_fields(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.columns if c.unique)

    # -- reading ------------------------------------------------------------------

    def _header(self, path: Path) -> list[str]:
        # A byte-order mark is accepted, as frictionless and Arrow's reader accept it.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            previous = csv.field_size_limit(FIELD_SIZE_LIMIT)
            try:
                return next(csv.reader(handle), [])
            finally:
                csv.field_size_limit(previous)

    def _check_header(self, labels: list[str]) -> None:
        names = self.table.column_names
        errors: list[Finding] = []
        extra = labels[len(names) :]
        errors.extend(
            file_finding("extra-label", self.file, f"extra label {label!r}", field="")
            for label in extra[:MAX_FINDINGS_OF_A_KIND]
        )
        if len(extra) > MAX_FINDINGS_OF_A_KIND:
            errors.append(_more("extra-label", len(extra) - MAX_FINDINGS_OF_A_KIND, file=self.file))
        errors.extend(
            file_finding("missing-label", self.file, "missing label", field=name)
            for name in names[len(labels) :]
        )
        for number, (name, label) in enumerate(zip(names, labels, strict=False), start=1):
            if not label:
                errors.append(file_finding("blank-label", self.file, "blank label", field=name))
                continue
            if label in labels[: number - 1]:
                errors.append(
                    file_finding("duplicate-label", self.file, f"label {label!r} repeated", field=name)
                )
                continue
            if label != name:
                errors.append(
                    file_finding("incorrect-label", self.file, f"label {label!r} is not {name!r}", field=name)
                )
        if not labels:
            errors = [file_finding("blank-header", self.file, "has no header")]
        if errors:
            self.unusable = True
            self.findings.extend(errors)

    def batches(self) -> Iterator[tuple[int, pa.RecordBatch]]:
        """The table's batches of text columns, each with the index of its first row."""
        path = self.root / self.file
        signs = spreadsheet_signs(path)
        if signs:
            self._unreadable(
                "spreadsheet-csv",
                f"looks like a CSV saved by a spreadsheet ({', '.join(signs)}): save it again as "
                "« CSV UTF-8 (délimité par des virgules) », with ',' between cells, "
                "or edit it in a text editor",
            )
            return
        try:
            labels = self._header(path)
        except UnicodeDecodeError as error:
            self._unreadable("encoding-error", f"is not UTF-8: {error}")
            return
        except csv.Error as error:
            self._unreadable("source-error", f"cannot be read as CSV: {error}")
            return
        self._check_header(labels)
        names = list(self.table.column_names)
        algorithm, _, expected_hash = str(self.resource.get("hash", "")).rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm not in _HASHES:  # frictionless's; shake_* and others have no fixed digest
            algorithm = "sha256"
        total = path.stat().st_size
        label = f"{self.file}"

        def on_read(done: int) -> None:
            if self.progress is not None:
                self.progress(label, done, total)

        def skipped(row: Any) -> str:
            self.ragged.append((row.number, row.text))
            return "skip"

        with path.open("rb") as handle:
            reader_file = PacedReader(handle, size=total, algorithm=algorithm, on_read=on_read)
            undecodable: list[str] = []
            try:
                with _undecodable_rows(undecodable):
                    yield from self._paced(reader_file, names, skipped)
            except pa.ArrowInvalid as error:
                kind = "encoding-error" if "UTF8" in str(error) or "UTF-8" in str(error) else "source-error"
                self._unreadable(kind, f"cannot be read: {error}")
            if undecodable and not self.unusable:
                self._unreadable(
                    "encoding-error", f"is not UTF-8: a row cannot be decoded ({undecodable[0]})"
                )
            reader_file.drain()
        if any(number is None for number, _ in self.ragged):
            # Arrow numbers the rows it skips only when it parses on one thread.
            raise ReaderRestartError
        self._check_integrity(reader_file, expected_hash, algorithm)

    def _paced(
        self, source: PacedReader, columns: list[str], on_ragged: Callable[[Any], str] | None = None
    ) -> Iterator[tuple[int, pa.RecordBatch]]:
        """The batches of ``columns`` of the table's file, each with the index of its first row."""
        try:
            index = 0
            for batch in self._reader(source, columns, on_ragged):
                yield index, batch
                source.used()
                index += batch.num_rows
        finally:
            source.release()

    def _again(self, columns: list[str]) -> Iterator[tuple[int, pa.RecordBatch]]:
        """The batches of ``columns``, read from the file again (ragged rows skipped, unrecorded)."""
        path = self.root / self.file
        with path.open("rb") as handle:
            yield from self._paced(PacedReader(handle, size=path.stat().st_size), columns)

    def _reader(self, source: Any, columns: list[str], on_ragged: Callable[[Any], str] | None = None) -> Any:
        """Arrow's CSV reader of the table's file, every column as text: ``columns`` are the ones kept."""
        names = list(self.table.column_names)
        return pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(
                column_names=names, skip_rows=1, use_threads=self.threads, block_size=BLOCK_BYTES
            ),
            # A blank line is a row, as frictionless counts it (and reports it): ignored, it would
            # shift the numbers of the rows after it.
            parse_options=pcsv.ParseOptions(
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_ragged or (lambda _row: "skip"),
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                include_columns=columns,
            ),
        )

    def _unreadable(self, check: str, message: str) -> None:
        self.unusable = True
        self.findings.append(file_finding(check, self.file, message))

    def _check_integrity(self, reader_file: PacedReader, expected_hash: str, algorithm: str) -> None:
        declared_bytes = self.resource.get("bytes")
        digest = reader_file.hash.hexdigest() if reader_file.hash is not None else ""
        if expected_hash and digest != expected_hash:
            self.findings.append(
                file_finding(
                    "hash-count",
                    self.file,
                    f'expected {algorithm} is "{expected_hash}" and actual is "{digest}": the file '
                    "changed after the package was written; if the change is yours, accept it with "
                    "'spie-occitanie rehash PACKAGE', which checks everything else first",
                )
            )
        if isinstance(declared_bytes, int) and declared_bytes != reader_file.bytes:
            self.findings.append(
                file_finding(
                    "byte-count",
                    self.file,
                    f'expected is "{declared_bytes}" and actual is "{reader_file.bytes}"',
                )
            )

    # -- per batch --------------------------------------------------------------------

    def judged(self) -> Iterator[tuple[int, pa.RecordBatch, pa.Array]]:
        """Every batch with the rows that passed every test (:meth:`judge`).

        The tests of the next batch (:meth:`_assess`, most of the work) run on
        a second thread while the caller uses this one: Arrow's kernels run
        without Python's lock, so the two cores of a small machine share it.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spie-tests") as worker:
            waiting: tuple[int, pa.RecordBatch, Future[_Assessment]] | None = None
            for index, batch in self.batches():
                following = (index, batch, worker.submit(self._assess, batch))
                if waiting is not None:
                    yield waiting[0], waiting[1], self.judge(waiting[0], waiting[1], waiting[2].result())
                waiting = following
            if waiting is not None:
                yield waiting[0], waiting[1], self.judge(waiting[0], waiting[1], waiting[2].result())

    def _assess(self, batch: pa.RecordBatch) -> _Assessment:
        """The tests of a batch, which change nothing of the scan (so they may run on another thread)."""
        if _too_large(batch):
            return _Assessment(too_large=True, passed=full(batch.num_rows, value=False))
        fk_ok, found, failures = self._foreign_keys(batch)
        passed = self._cells_ok(batch, found)
        return _Assessment(too_large=False, passed=passed, fk_ok=fk_ok, failures=failures)

    def _cells_ok(self, batch: pa.RecordBatch, found: dict[str, pa.Array]) -> pa.Array:
        """The rows whose cells certainly pass the Table Schema's tests and the model's rules.

        ``found`` holds, for the columns whose foreign key is a test of their
        cells, where their value was found among the referenced keys.
        """
        ok: pa.Array = full(batch.num_rows, value=True)
        for column, array in zip(self.table.columns, batch.columns, strict=True):
            if column.name in found:
                cell = found[column.name]
                ok = pc.and_(ok, cell if column.required else pc.or_(cell, pc.equal(array, "")))
            else:
                ok = pc.and_(ok, cell_ok(column, array))
        if self.model_test is not None:
            ok = pc.and_(ok, self.model_test(batch))
        return ok

    def judge(self, index: int, batch: pa.RecordBatch, assessed: _Assessment | None = None) -> pa.Array:
        """The rows of a batch that passed every test; the others are set aside or noted.

        ``assessed`` is :meth:`_assess` of the batch, if already known.
        """
        tests = self._assess(batch) if assessed is None else assessed
        if tests.too_large:
            self._unreadable("source-error", f"has a cell larger than {FIELD_SIZE_LIMIT} characters")
            return tests.passed
        self._index_keys(index, batch)
        for position, fk, values in tests.failures:
            self._foreign_key_finding(index + position, fk.fields, fk.resource, fk.reference, values)
        for position in pc.indices_nonzero(pc.invert(tests.passed)).to_pylist():
            cells = [batch.column(i)[position].as_py() for i in range(batch.num_columns)]
            self.suspects.append((index + position, cells))
        return pc.and_(tests.passed, tests.fk_ok)

    def _index_keys(self, index: int, batch: pa.RecordBatch) -> None:
        primary = [_optional(batch.column(name)) for name in self.table.primary_key]
        keyless = _all_null(primary)
        self.keyless.extend(index + p for p in pc.indices_nonzero(keyless).to_pylist())
        self.key_order[_PRIMARY].feed(_joined(primary).filter(pc.invert(keyless)))
        for name in self._unique_fields():
            self.key_order[name].feed(_optional(batch.column(name)).drop_null())
        self.key_starts.append(index)
        self.key_ends.append((self.key_ends[-1] if self.key_ends else 0) + batch.num_rows)

    def _value_set(self, resource: str, reference: tuple[str, ...]) -> pa.Array | None:
        """The values of every row of a referenced table, as Arrow texts (built once)."""
        if (resource, reference) not in self._value_sets:
            values = self.lookups.values.get((resource, reference))
            self._value_sets[(resource, reference)] = (
                None if values is None else texts(sorted(v for v in values if v is not None))
            )
        return self._value_sets[(resource, reference)]

    def _tested_by_reference(self, column: Column, value_set: pa.Array) -> bool:
        """Whether every referenced value passes the column's own test, which a value found then does."""
        if column.name not in self._implied:
            passed = cell_test(column, value_set)
            self._implied[column.name] = pc.all(passed).as_py() is not False
        return self._implied[column.name]

    def _foreign_keys(
        self, batch: pa.RecordBatch
    ) -> tuple[pa.Array, dict[str, pa.Array], list[tuple[int, ForeignKey, tuple[Any, ...]]]]:
        """The rows whose foreign keys are found, which cells of one-column keys were, and the failures.

        A one-column key is looked up in its own cells (an empty cell is never
        among the referenced values, so it is not found); when every
        referenced value passes the column's test, finding a cell proves it
        passes too, and :meth:`_cells_ok` uses that instead of testing it again.
        """
        ok: pa.Array = full(batch.num_rows, value=True)
        found_cells: dict[str, pa.Array] = {}
        failures: list[tuple[int, ForeignKey, tuple[Any, ...]]] = []
        for fk in self.table.foreign_keys:
            value_set = self._value_set(fk.resource, fk.reference)
            if value_set is None:
                continue
            if len(fk.fields) == 1:
                cells = batch.column(fk.fields[0])
                found = pc.is_in(cells, value_set=value_set)
                good = pc.or_(pc.equal(cells, ""), found)
                if self._tested_by_reference(self.table.column(fk.fields[0]), value_set):
                    found_cells[fk.fields[0]] = found
            else:
                parts = [_optional(batch.column(f)) for f in fk.fields]
                good = pc.or_(_all_null(parts), pc.is_in(_joined(parts), value_set=value_set))
            for position in pc.indices_nonzero(pc.invert(good)).to_pylist():
                row = tuple(_optional(batch.column(f))[position].as_py() for f in fk.fields)
                failures.append((position, fk, row))
            ok = pc.and_(ok, good)
        return ok, found_cells, failures

    def _foreign_key_finding(
        self,
        index: int,
        fields: tuple[str, ...],
        resource: str,
        reference: tuple[str, ...],
        cells: tuple[Any, ...],
    ) -> None:
        self.fk_bad.add(index)
        note = (
            f'for "{", ".join(fields)}": values "{", ".join(str(c) for c in cells)}" '
            f'not found in the lookup table "{resource}" as "{", ".join(reference)}"'
        )
        joined = "|".join("" if c is None else str(c) for c in cells)
        self.pending.append(_Pending(index, "foreign-key", None, note, joined, resource))

    # -- at the end ---------------------------------------------------------------------

    def number(self, index: int) -> int:
        """The row number, as frictionless counts it, of the row at ``index`` among the rows read whole."""
        skipped = self._skipped_before()
        return index + 2 + _count_le(skipped, index)

    def _skipped_before(self) -> list[int]:
        """For each ragged row (in order), how many whole rows come before it."""
        cached = getattr(self, "_skipped_cache", None)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        numbers = sorted(n for n, _ in self.ragged)
        result = [n - 2 - j for j, n in enumerate(numbers)]
        self._skipped_cache = result
        return result

    def numbers(self, indices: pa.Array) -> pa.Array:
        """Row numbers of many rows at once."""
        result = pc.add(indices, 2)
        for before in self._skipped_before():
            result = pc.add(result, pc.cast(pc.greater_equal(indices, before), pa.int64()))
        return result

    def finish(self) -> set[int]:
        """Final findings of the table; returns the rows (by index) excluded from the dataset."""
        excluded: set[int] = set(self.fk_bad)
        ragged_keys = self._ragged_rows()
        excluded |= self._key_errors(ragged_keys)
        for item in self.pending:
            self.findings.append(
                file_finding(
                    item.check,
                    self.file,
                    item.message,
                    row=self.number(item.index),
                    field=item.field,
                    value=item.value,
                    refers_to=item.refers_to,
                )
            )
        self.pending.clear()
        self.passed: list[tuple[int, dict[str, Any], Any]] = []
        self.excluded_by_cells = self._suspect_rows(excluded)
        return excluded | self.excluded_by_cells

    def _ragged_rows(self) -> list[tuple[int, dict[str, Any]]]:
        """Findings of rows with too many or too few cells; their keys for the key indexes."""
        names = self.table.column_names
        keyed = []
        for number, text in self.ragged:
            cells: list[str | None] = list(next(csv.reader([text]), [])) if text else []
            readers = _cell_readers(self.table)
            errors = _exact_cell_errors(
                self.table, readers, cells[: len(names)] + [None] * (len(names) - len(cells))
            )
            for check, field, note, cell in errors:
                self.findings.append(_cell_finding(check, self.file, number, field, note, cell))
            for position in range(len(names), len(cells)):
                self.findings.append(
                    file_finding(
                        "extra-cell",
                        self.file,
                        f"extra cell at position {position + 1}",
                        row=number,
                        field="",
                    )
                )
            for name in names[len(cells) :] if cells else ():  # a blank row is that, not missing cells
                self.findings.append(
                    file_finding("missing-cell", self.file, "missing cell", row=number, field=name)
                )
            typed = {n: (c or None) for n, c in zip(names, cells, strict=False)}
            for fk in self.table.foreign_keys:
                values = self.lookups.values.get((fk.resource, fk.reference))
                cells_fk = tuple(typed.get(f) for f in fk.fields)
                if values is None or all(c is None for c in cells_fk):
                    continue
                if _joined_tuple(cells_fk) not in values:
                    note = (
                        f'for "{", ".join(fk.fields)}": values "{", ".join(str(c) for c in cells_fk)}" '
                        f'not found in the lookup table "{fk.resource}" as "{", ".join(fk.reference)}"'
                    )
                    self.findings.append(file_finding("foreign-key", self.file, note, row=number))
            keyed.append((number, typed))
        return keyed

    def _place(self, position: int, ragged_numbers: list[int]) -> tuple[int, int]:
        """The index (-1 for a ragged row) and row number of a position among the rows keyed."""
        indexed = self.key_ends[-1] if self.key_ends else 0
        if position >= indexed:
            return -1, ragged_numbers[position - indexed]
        chunk = bisect.bisect_right(self.key_ends, position)
        index = self.key_starts[chunk] + position - (self.key_ends[chunk - 1] if chunk else 0)
        return index, self.number(index)

    def _key_errors(self, ragged: list[tuple[int, dict[str, Any]]]) -> set[int]:
        """Primary key and ``unique`` errors, the later row of two being the error, as frictionless does.

        A table whose keys rose strictly from row to row, with no ragged row
        (whose key frictionless indexes too), holds each key once: only its
        rows without a primary key are errors. Any other table has each key
        (the primary key, each ``unique`` column) read again with its
        position and counted part by part (:func:`.cited.held_twice`: on disk
        for a big table, so that its keys are never held together); only the
        rows holding a key held twice come back, and are compared in Python,
        in row order.
        """
        if not self.key_starts and not ragged:
            return set()
        if not ragged and all(order.holds for order in self.key_order.values()):
            return self._keyless_rows()
        kinds: dict[str | None, list[str]] = {None: list(self.table.primary_key)}
        kinds |= {c.name: [c.name] for c in self.table.columns if c.unique}
        # A unique column that is the whole primary key holds the same keys: counted once.
        same = [name for name, fields in kinds.items() if name is not None and fields == kinds[None]]
        ragged_numbers = [n for n, _ in ragged]
        indexed = self.key_ends[-1] if self.key_ends else 0
        keyless: list[int] = []

        def batches(kind: str | None) -> Iterator[pa.RecordBatch]:
            position = 0
            fields = kinds[kind]
            for columns in self._key_batches(ragged):
                parts = [columns[name] for name in fields]
                count = len(parts[0])
                present = pc.invert(_all_null(parts)) if kind is None else pc.is_valid(parts[0])
                if kind is None:
                    keyless.extend(position + p for p in pc.indices_nonzero(pc.invert(present)).to_pylist())
                where = pc.add(pc.indices_nonzero(present).cast(pa.int64()), position)
                yield key_rows(_joined(parts).filter(present), where)
                position += count

        excluded: set[int] = set()
        counted: dict[str | None, pa.RecordBatch] = {}
        for kind in kinds:
            twice = (
                counted[None]
                if kind in same
                else held_twice(indexed + len(ragged), self.folder, batches(kind))
            )
            counted[kind] = twice
            rows = sorted(
                (*self._place(position, ragged_numbers), (key,))
                for position, key in zip(
                    twice.column("row").to_pylist(), twice.column("key").to_pylist(), strict=True
                )
            )
            if kind is None:  # as the reader does: rows without a key first, then keys held twice
                for position in keyless:
                    index, number = self._place(position, ragged_numbers)
                    self._keyless_finding(number)
                    excluded.add(index)
            excluded |= self._report_duplicates(rows, kind)
        excluded.discard(-1)
        return excluded

    def _key_batches(self, ragged: list[tuple[int, dict[str, Any]]]) -> Iterator[dict[str, pa.Array]]:
        """The key columns of the rows indexed while reading, read again by batches; then the ragged rows'."""
        fields = list(self.key_fields)
        lengths = [end - before for end, before in zip(self.key_ends, [0, *self.key_ends], strict=False)]
        wanted = [(start, start + length) for start, length in zip(self.key_starts, lengths, strict=True)]
        next_range = 0  # the ranges and the batches both rise: each range is met once
        try:
            for first, batch in self._again(fields):
                last = first + batch.num_rows
                while next_range < len(wanted) and wanted[next_range][1] <= first:
                    next_range += 1
                for start, end in wanted[next_range:]:
                    if start >= last:
                        break
                    low, high = max(start, first), min(end, last)
                    if low < high:
                        part = batch.slice(low - first, high - low)
                        yield {name: _optional(part.column(name)) for name in fields}
        except pa.ArrowInvalid:
            pass  # the first reading stopped there too, and indexed nothing after
        if ragged:
            yield {name: texts([t.get(name) for _, t in ragged]) for name in fields}

    def _keyless_rows(self) -> set[int]:
        for index in self.keyless:
            self._keyless_finding(self.number(index))
        return set(self.keyless)

    def _keyless_finding(self, number: int) -> None:
        message = 'cells composing the primary keys are all "None"'
        self.findings.append(file_finding("primary-key", self.file, message, row=number))

    def cells_at(self, indices: list[int], field: str) -> dict[int, str | None]:
        """The cells of ``field`` in the rows at ``indices`` (rows read whole), read from the file again."""
        wanted = sorted(set(indices))
        cells: dict[int, str | None] = {}
        try:
            for first, batch in self._again([field]):
                last = first + batch.num_rows
                low, high = bisect.bisect_left(wanted, first), bisect.bisect_left(wanted, last)
                column = batch.column(field)
                for index in wanted[low:high]:
                    cells[index] = column[index - first].as_py()
        except pa.ArrowInvalid:
            pass  # the first reading stopped there too
        return cells

    def rows_at(self, indices: list[int]) -> dict[int, list[str | None]]:
        """Every cell of the rows at ``indices`` (rows read whole), read from the file again."""
        wanted = sorted(set(indices))
        names = list(self.table.column_names)
        rows: dict[int, list[str | None]] = {}
        try:
            for first, batch in self._again(names):
                last = first + batch.num_rows
                low, high = bisect.bisect_left(wanted, first), bisect.bisect_left(wanted, last)
                for index in wanted[low:high]:
                    rows[index] = _cells(batch, index - first)
        except pa.ArrowInvalid:
            pass  # the first reading stopped there too
        return rows

    def _report_duplicates(self, rows: list[tuple[int, int, tuple[Any, ...]]], field: str | None) -> set[int]:
        """Each row (index, number, key) whose key an earlier row has is an error naming that row."""
        check = "primary-key" if field is None else "unique-error"
        last: dict[tuple[Any, ...], int] = {}
        excluded = set()
        for index, number, key in sorted(rows, key=lambda r: r[1]):
            if key in last:
                self.findings.append(
                    file_finding(
                        check,
                        self.file,
                        f"the same as in the row at position {last[key]}",
                        row=number,
                        field=field,
                    )
                )
                excluded.add(index)
            last[key] = number
        return excluded

    def _suspect_rows(self, excluded: set[int]) -> set[int]:
        """Judge the rows set aside with the exact code: frictionless's cell readers, then the model."""
        bad: set[int] = set()
        if not self.suspects:
            return bad
        readers = _cell_readers(self.table)
        for index, cells in self.suspects:
            number = self.number(index)
            errors = _exact_cell_errors(self.table, readers, cells)
            if errors:
                bad.add(index)
                for check, field, note, cell in errors:
                    self.findings.append(_cell_finding(check, self.file, number, field, note, cell))
                continue
            if index in excluded:
                continue
            built = _typed_record(self.name, self.file, self.table, number, cells)
            if isinstance(built, Finding):
                bad.add(index)
                self.findings.append(built)
            else:
                self.passed.append((index, *built))
        self.suspects.clear()
        return bad


def _count_le(sorted_values: list[int], value: int) -> int:
    return bisect.bisect_right(sorted_values, value)


def _typed_record(
    name: str, file: str, table: Table, number: int, cells: list[str | None]
) -> Finding | tuple[dict[str, Any], Any]:
    """The reader's path for one row that frictionless accepted: typed cells, then the record."""
    row: dict[str, Any] = {}
    for column, text in zip(table.columns, cells, strict=True):
        try:
            row[column.name] = parse_cell(column, text or "")
        except CellError as error:
            return file_finding("type-error", file, str(error), row=number, field=column.name)
    built = build_record(name, file, number, row)
    if isinstance(built, Finding):
        return built
    return row, built


_READERS: dict[Table, list[Any]] = {}


def _cell_readers(table: Table) -> list[Any]:
    """Frictionless's own cell readers for the table's fields (frictionless is loaded here, if ever)."""
    if table not in _READERS:
        import frictionless

        schema = frictionless.Schema.from_descriptor(table.schema_descriptor())
        _READERS[table] = [field.create_cell_reader() for field in schema.fields]
    return _READERS[table]


def _exact_cell_errors(
    table: Table, readers: list[Any], cells: list[str | None]
) -> list[tuple[str, str | None, str, object]]:
    """What frictionless's row reader finds in the cells of one row (type, constraints, blank row)."""
    errors: list[tuple[str, str | None, str, object]] = []
    blank = 0
    for column, reader, cell in zip(table.columns, readers, cells, strict=True):
        target, notes = reader(cell)
        notes = dict(notes or {})
        type_note = notes.pop("type", None)
        if target is None and not type_note:
            blank += 1
        if type_note:
            errors.append(("type-error", column.name, type_note, cell))
        errors.extend(("constraint-error", column.name, note, cell) for note in notes.values())
    if blank == len(table.columns):
        return [("blank-row", None, "the row is blank", None)]
    return errors


# -- the package ------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class _Allocations:
    """What the dataset's checks need of the allocations, gathered batch by batch."""

    cursor: Cursor  # the cited keys, met in key order
    pending: list[_Pending] = attrs.field(factory=list)
    low_sums: dict[str, int] = attrs.field(factory=dict)  # twice the lowest total, in cents
    counted: dict[str, list[pa.Array]] = attrs.field(factory=dict)  # distinct beneficiaries
    disputed: list[tuple[int, Any]] = attrs.field(factory=list)  # allocations whose fields sources dispute
    # Out of the cursor's reach (a batch out of key order, a row judged by the exact code):
    # ids and (id, field) pairs, with their rows, settled at the end.
    late: Late
    late_texts: dict[tuple[int, str], str] = attrs.field(factory=dict)  # of rows judged by the exact code
    # Cited keys that no allocation which passed holds (key, field, row of the citation).
    dangling: pa.RecordBatch | None = None


#: The references of an allocation, as the model declares them: field -> table.
_ALLOCATION_REFERENCES = {
    field: target for (table, field), target in REFERENCES.items() if table == "allocations"
}


def _references_in_columns(
    batch: pa.RecordBatch, clean: pa.Array, first: int, keys: dict[str, set[str]], pending: list[_Pending]
) -> None:
    """The reference checks of :mod:`spie_occitanie.checks` on allocations, in columns."""
    targets = _ALLOCATION_REFERENCES
    ids = batch.column("allocation_id")
    for field, target in targets.items():
        values = batch.column(field)
        bad = pc.and_(
            clean,
            pc.and_(
                pc.not_equal(values, ""),
                pc.invert(pc.is_in(values, value_set=texts(sorted(keys[target])))),
            ),
        )
        for position in pc.indices_nonzero(bad).to_pylist():
            ref = values[position].as_py()
            pending.append(
                _Pending(
                    first + position,
                    "reference-unresolved",
                    field,
                    f"{ids[position].as_py()}\x00{ref!r} is not in {target}",
                    ref,
                    target,
                )
            )
    rounds, territories = batch.column("round_id"), batch.column("territory_id")
    selection = pc.binary_join_element_wise(rounds, territories, "|")
    unselected = pc.and_(
        pc.and_(clean, pc.not_equal(rounds, "")),
        pc.and_(
            pc.invert(pc.is_in(selection, value_set=texts(sorted(keys["selections"])))),
            pc.is_in(rounds, value_set=texts(sorted(keys["rounds"]))),
        ),
    )
    for position in pc.indices_nonzero(unselected).to_pylist():
        pending.append(
            _Pending(
                first + position,
                "reference-unresolved",
                "territory_id",
                f"{ids[position].as_py()}\x00{territories[position].as_py()!r} was not selected in round "
                f"{rounds[position].as_py()!r}",
                selection[position].as_py(),
                "selections",
            )
        )


def _match_cited(state: _Allocations, window: Window | None, ids: pa.Array, rows: pa.Array) -> pa.Array:
    """Mark the cited keys that ``ids`` (allocations that passed, at ``rows``) hold; returns which none cites.

    Ids out of the window's reach are kept and matched at the end
    (:func:`_match_late`): none is said uncited now.
    """
    if window is None:
        state.late.add_ids(ids, rows)
        return full(len(ids), value=False)
    window.mark(ids)
    return pc.invert(pc.is_in(ids, value_set=window.keys))


def _uncited(
    pending: list[_Pending], first: int, positions: pa.Array, ids: pa.Array, uncited: pa.Array
) -> None:
    """Note the allocations (``ids``, at ``first + positions``) that no citation names.

    They are findings once the rows excluded at the end of the table are known; each waits
    with its key as its message.
    """
    keys = ids.filter(uncited).to_pylist()
    for where, key in zip(positions.filter(uncited).to_pylist(), keys, strict=True):
        pending.append(_Pending(first + where, "record-uncited", None, key))


#: The fields of an allocation that the value-uncited check judges -> the column that is empty when
#: the value is absent (a date's EDTF, an amount's euros).
_JUDGED_COLUMNS = {
    field: next(
        name
        for name in (field, f"{field}_eur", f"{field}_edtf")
        if name in TABLES["allocations"].column_names
    )
    for field in field_names(Allocation)
    if field not in TABLES["allocations"].primary_key and ("allocations", field) not in DESIGNATIONS
}


def _values_uncited(
    state: _Allocations, batch: pa.RecordBatch, clean: pa.Array, first: int, window: Window | None
) -> None:
    """The value-uncited check on a batch of allocations, in columns.

    ``window`` holds ``<allocation id><SEP><field>`` for every citation of a
    field of an allocation between the batch's least and greatest id; the hash
    table is built from the batch's own pairs, never from all of them. Each
    finding waits with its key and value as its message, as record-uncited's
    do. Without a window, the batch's pairs wait for the last pass.
    """
    ids = batch.column("allocation_id")
    judged: list[tuple[str, str, pa.Array]] = []  # field, column, and the rows where it has a value
    for field, column in _JUDGED_COLUMNS.items():
        present = pc.and_(clean, pc.not_equal(batch.column(column), ""))
        if pc.any(present).as_py():
            judged.append((field, column, pc.indices_nonzero(present)))
    if not judged:
        return
    asked = pa.concat_arrays(
        [pc.binary_join_element_wise(ids.take(where), scalar(field), _SEP) for field, _, where in judged]
    )
    if window is None:
        for field, _, where in judged:
            state.late.add_pairs(
                ids.take(where), pa.repeat(field, len(where)), pc.add(where.cast(pa.int64()), first)
            )
        return
    # One hash table of the window's pairs, probed by every pair the batch asks for.
    missing = pc.indices_nonzero(pc.invert(pc.is_in(asked, value_set=window.pairs))).to_pylist()
    if not missing:
        return
    offset = 0
    for field, column, where in judged:
        for place in missing:
            if offset <= place < offset + len(where):
                position = where[place - offset].as_py()
                text = _cell_text(batch, field, column, position)
                state.pending.append(
                    _Pending(first + position, "value-uncited", field, f"{ids[position].as_py()}\x00{text}")
                )
        offset += len(where)


def _cell_text(batch: pa.RecordBatch, field: str, column: str, position: int) -> str:
    """A judged value's text form, as :func:`~spie_occitanie.model.text.to_text` writes the record's."""
    return _text_of(
        {name: batch.column(name)[position].as_py() for name in batch.schema.names}, field, column
    )


def _text_of(cells: dict[str, str | None], field: str, column: str) -> str:
    cell = cells[column]
    if column == f"{field}_eur":
        return str(to_text(Money.of(cell or "", cells[f"{field}_precision_eur"] or "")))
    return str(cell)


def _record_values_uncited(state: _Allocations, record: Any, index: int) -> None:
    """The value-uncited check on one allocation judged by the exact code: its pairs wait till the end."""
    asked = [
        (field, to_text(value)) for field in _JUDGED_COLUMNS if (value := getattr(record, field)) is not None
    ]
    if not asked:
        return
    state.late.add_pairs(
        texts([record.key] * len(asked)), texts([field for field, _ in asked]), integers([index] * len(asked))
    )
    for field, text in asked:
        state.late_texts[index, field] = str(text)


def _match_late(state: _Allocations, cited: CitedKeys, scan: _TableScan, excluded: set[int]) -> None:
    """What the cursor could not reach, settled with the cited keys (:func:`.cited.settle`).

    Then the cited keys that nothing found are known: those no window found,
    but for the keys of the allocations settled at the end.
    """
    settled = settle(cited, state.cursor.finish(), state.late)
    state.dangling = settled.dangling
    uncited = settled.uncited
    for row, key in zip(uncited.column("row").to_pylist(), uncited.column("key").to_pylist(), strict=True):
        state.pending.append(_Pending(row, "record-uncited", None, key))
    unsupported = settled.unsupported
    late = sorted(
        (row, key, field)
        for row, key, field in zip(
            unsupported.column("row").to_pylist(),
            unsupported.column("key").to_pylist(),
            unsupported.column("field").to_pylist(),
            strict=True,
        )
        if row not in excluded
    )
    # Only the first of them are listed in a report (:func:`_capped`): their values are read
    # again; the others are counted.
    listed = late[: MAX_FINDINGS_OF_A_KIND + 1]
    unread = [row for row, _, field in listed if (row, field) not in state.late_texts]
    cells = scan.rows_at(unread) if unread else {}
    names = list(TABLES["allocations"].column_names)
    for number, (row, key, field) in enumerate(late):
        text = state.late_texts.get((row, field))
        if text is None and row in cells and number <= MAX_FINDINGS_OF_A_KIND:
            text = _text_of(dict(zip(names, cells[row], strict=False)), field, _JUDGED_COLUMNS[field])
        state.pending.append(_Pending(row, "value-uncited", field, f"{key}\x00{text or ''}"))


def _feed_sums(state: _Allocations, batch: pa.RecordBatch, clean: pa.Array, counted: set[str]) -> None:
    """Add a batch's clean rows to the per-envelope sums and beneficiary sets."""
    names = ["envelope_id", "amount_eur", "amount_precision_eur"]
    if counted:
        names += ["beneficiary_id", "territory_id", "allocation_id"]
    rows = batch.select(names).filter(pc.and_(clean, pc.not_equal(batch.column("envelope_id"), "")))
    if rows.num_rows == 0:
        return
    amount = cents(rows.column("amount_eur"), full(rows.num_rows, value=True))
    precision = cents(rows.column("amount_precision_eur"), full(rows.num_rows, value=True))
    low2 = pc.max_element_wise(pc.subtract(pc.multiply(amount, 2), precision), 0)
    envelopes = rows.column("envelope_id")
    for envelope_id in pc.unique(envelopes).to_pylist():
        total = pc.sum(low2.filter(pc.equal(envelopes, envelope_id))).as_py()
        state.low_sums[envelope_id] = state.low_sums.get(envelope_id, 0) + int(total)
    if counted:
        who = pc.coalesce(
            _optional(rows.column("beneficiary_id")),
            _optional(rows.column("territory_id")),
            rows.column("allocation_id"),
        )
        for envelope_id in counted:
            mine = who.filter(pc.equal(rows.column("envelope_id"), envelope_id))
            if len(mine):
                state.counted.setdefault(envelope_id, []).append(pc.unique(mine))


def _feed_record(state: _Allocations, record: Any, counted: set[str]) -> None:
    """Add one allocation judged by the exact code to the sums."""
    if record.envelope_id is None:
        return
    low2 = max(0, int(record.amount.amount * 200) - int(record.amount.precision * 100))
    state.low_sums[record.envelope_id] = state.low_sums.get(record.envelope_id, 0) + low2
    if record.envelope_id in counted:
        who = record.beneficiary_id or record.territory_id or record.key
        state.counted.setdefault(record.envelope_id, []).append(texts([who]))


#: The checks whose part about the big tables this module computes in columns: every
#: other check that reads a big table runs on records (see ``_Validation._whole_dataset``),
#: slower but with no second statement of it.
COLUMNAR_CHECKS = frozenset(
    {"keys", "references", "citations", "uncited", "values", "counts", "money", "conflicts"}
)


def _checks_on_records() -> list[str]:
    """The checks that read a big table and have no columnar part here."""
    big = set(BIG_TABLES)
    return [
        name for name in CHECKS if name not in COLUMNAR_CHECKS and READS.get(name, frozenset(TABLES)) & big
    ]


def validate_stream(path: Path | str, *, progress: ProgressCallback | None = None) -> Report:
    """Every finding about a package, the same as ``validate_datapackage`` gives, read in columns.

    Args:
        path: a ``datapackage.json`` or the folder holding it.
        progress: called with ``(label, done, total)`` as each file is read;
            see :func:`spie_occitanie.stream.progress.progress_for`.

    Raises:
        PackageUnreadableError: nothing could be read (no such path, not JSON).
    """
    descriptor_file, declared, findings = open_package(path)
    if findings:
        return Report(tuple(findings))
    root = descriptor_file.parent
    with returning_pool(), spill_folder() as folder:
        try:
            found = _Validation(root, declared, progress, folder, threads=True).run()
        except ReaderRestartError:
            found = _Validation(root, declared, progress, folder, threads=False).run()
    return Report(tuple(findings + _capped(found)))


#: The most findings of one kind in one file that a report lists; the rest are counted.
MAX_FINDINGS_OF_A_KIND = 1000


def _more(check: str, count: int, *, file: str | None = None, table: str | None = None) -> Finding:
    """The finding that counts the findings of one kind left out of a report."""
    where = file or table or "the package"
    return Finding(
        check="more-findings",
        severity=Severity.ERROR,
        file=file,
        table=table,
        message=f"{where}: {count} more '{check}' finding(s) like the {MAX_FINDINGS_OF_A_KIND} listed",
    )


def _capped(findings: list[Finding]) -> list[Finding]:
    """At most :data:`MAX_FINDINGS_OF_A_KIND` findings of one check in one file; the rest counted.

    A file whose every row is wrong (a million-column header, a shifted
    column) would otherwise give a report of millions of lines.
    """
    seen: dict[tuple[str, str | None, str | None], int] = {}
    kept: list[Finding] = []
    for finding in findings:
        group = (finding.check, finding.file, None if finding.file else finding.table)
        seen[group] = seen.get(group, 0) + 1
        if seen[group] <= MAX_FINDINGS_OF_A_KIND:
            kept.append(finding)
    kept.extend(
        _more(check, count - MAX_FINDINGS_OF_A_KIND, file=file, table=table)
        for (check, file, table), count in seen.items()
        if count > MAX_FINDINGS_OF_A_KIND
    )
    return kept


class _Validation:
    """One run of the streaming validation over a package whose files are all there."""

    def __init__(
        self,
        root: Path,
        declared: dict[str, dict[str, Any]],
        progress: ProgressCallback | None,
        folder: Path | None,
        *,
        threads: bool,
    ) -> None:
        self.folder = folder  # for the cited keys (:mod:`spie_occitanie.stream.cited`)
        self.threads = threads
        self.root = root
        self.declared = declared
        self.progress = progress
        self.lookups = _Lookups()
        self.findings: list[Finding] = []
        self.unusable: set[str] = set()  # tables whose file could not be read
        self.rejected: dict[str, dict[str, int]] = {}  # per table, rejected keys and their rows

    def run(self) -> list[Finding]:
        small = self._small_tables()
        ds = dataset_from_records(small)
        keys = {
            name: {r.key for r in ds.table(name)}
            for name in ("organisations", "envelopes", "rounds", "territories", "selections", "sources")
        }
        counted = {e.envelope_id for e in ds.envelopes if e.beneficiary_count is not None}
        citation_records, about = self._citations(ds)
        candidates = about.conflict_candidates()
        allocations, disputed = self._allocations(keys, counted, {k for k, _ in candidates}, about.cited)
        small["citations"] = citation_records
        ds = dataset_from_records(small)
        on_records = _checks_on_records()
        for name, check in CHECKS.items():
            if name in on_records:
                continue
            for finding in check(ds):
                if (
                    finding.table == "envelopes"
                    and finding.field == "beneficiary_count"
                    and finding.check in ("count-mismatch", "incomplete-list")
                ):
                    continue  # counted from the allocations, below
                self.findings.append(finding)
        self._envelope_findings(ds, allocations)
        self._cross_findings(allocations, about)
        self.findings.extend(_allocation_conflicts(ds, about, candidates, disputed))
        if on_records:
            whole = self._whole_dataset(small)
            for name in on_records:
                self.findings.extend(CHECKS[name](whole))
        files = {name: str(self.declared[name]["path"]) for name in TABLES}
        return attach_consequences(self.findings, files=files, unusable=self.unusable, rejected=self.rejected)

    def _whole_dataset(self, small: dict[str, list[Any]]) -> Any:
        """Every record that passed, the big tables' too: for the checks that have no columns.

        The big tables are read again, as the reader reads them, without the
        rows that a finding names.
        """
        records = dict(small)
        for name in BIG_TABLES:
            resource = self.declared[name]
            if name in self.unusable:
                records[name] = []
                continue
            rejected = {f.row for f in self.findings if f.file == resource["path"] and f.row is not None}
            records[name] = [
                record
                for item in typed_rows(self.root, name, resource, rejected)
                if not isinstance(item, Finding)
                and not isinstance(record := build_record(name, resource["path"], *item), Finding)
            ]
        return dataset_from_records(records)

    # -- small tables ---------------------------------------------------------------

    def _small_tables(self) -> dict[str, list[Any]]:
        """The records of every small table that passed (``coverage``: its rows)."""
        scans: dict[str, tuple[_TableScan, list[tuple[int, pa.RecordBatch]]]] = {}
        for name in TABLES:
            if name in BIG_TABLES:
                continue
            scan = _TableScan(
                self.root, name, self.declared[name], self.lookups, self.progress, threads=self.threads
            )
            batches = list(scan.batches())
            scans[name] = (scan, batches)
            self._add_lookups(scan, [b for _, b in batches])
        records: dict[str, list[Any]] = {}
        for name, (scan, batches) in scans.items():
            judged = [(i, b, scan.judge(i, b)) for i, b in batches]
            excluded = scan.finish()
            self.findings.extend(scan.findings)
            records[name] = [] if scan.unusable else self._small_records(scan, judged, excluded)
            self._note_rejected(scan, batches)
        return records

    def _note_rejected(self, scan: _TableScan, batches: list[tuple[int, pa.RecordBatch]]) -> None:
        """Remember a small table's unreadable file or rejected keys, to attach what they cause."""
        if scan.unusable:
            self.unusable.add(scan.name)
            return
        rows = {f.row for f in self.findings if f.file == scan.file and f.row is not None}
        if not rows:
            return
        key = scan.table.primary_key
        rejected: dict[str, int] = {}
        for index, batch in batches:
            for position in range(batch.num_rows):
                number = scan.number(index + position)
                if number in rows:
                    rejected["|".join(batch.column(k)[position].as_py() or "" for k in key)] = number
        names = scan.table.column_names
        for number, text in scan.ragged:
            if number in rows and text:
                cells = dict(zip(names, next(csv.reader([text]), []), strict=False))
                rejected["|".join(cells.get(k, "") for k in key)] = number
        self.rejected[scan.name] = rejected

    def _note_rejected_allocations(self, scan: _TableScan) -> None:
        """The same for allocations, whose rows are not kept: the keys of rejected rows are read again."""
        if scan.unusable:
            self.unusable.add(scan.name)
            return
        rows = sorted({f.row for f in scan.findings if f.row is not None})
        if not rows or len(rows) > _MAX_LINKED_ROWS:
            return  # past that many, the consequences are listed rather than read again
        ragged = sorted(number for number, _ in scan.ragged)
        texts_of = dict(scan.ragged)
        rejected: dict[str, int] = {}
        by_index: dict[int, int] = {}
        for number in rows:
            if number in texts_of:
                cells = next(csv.reader([texts_of[number] or ""]), [])
                if cells:
                    rejected[cells[0]] = number
                continue
            by_index[number - 2 - bisect.bisect_left(ragged, number)] = number
        for index, cell in scan.cells_at(list(by_index), "allocation_id").items():
            if cell:
                rejected[cell] = by_index[index]
        self.rejected[scan.name] = rejected

    def _add_lookups(self, scan: _TableScan, batches: list[pa.RecordBatch]) -> None:
        """The values of every row of a small table, for the foreign keys pointing at it."""
        wanted = {
            (fk.resource, fk.reference)
            for table in TABLES.values()
            for fk in table.foreign_keys
            if fk.resource == scan.name
        }
        for resource, fields in wanted:
            values: set[str | None] = set()
            for batch in batches:
                parts = [_optional(batch.column(f)) for f in fields]
                all_null = _all_null(parts)
                values.update(_joined(parts).filter(pc.invert(all_null)).to_pylist())
            names = scan.table.column_names
            for _, text in scan.ragged:
                cells = next(csv.reader([text]), []) if text else []
                typed = {n: (c or None) for n, c in zip(names, cells, strict=False)}
                cells_fk = tuple(typed.get(f) for f in fields)
                if not all(c is None for c in cells_fk):
                    values.add(_joined_tuple(cells_fk))
            self.lookups.add(resource, fields, values)

    def _small_records(
        self, scan: _TableScan, judged: list[tuple[int, pa.RecordBatch, pa.Array]], excluded: set[int]
    ) -> list[Any]:
        records: list[Any] = []
        for index, batch, clean in judged:
            for position in pc.indices_nonzero(clean).to_pylist():
                if index + position in excluded:
                    continue
                cells = [batch.column(i)[position].as_py() for i in range(batch.num_columns)]
                built = _typed_record(scan.name, scan.file, scan.table, scan.number(index + position), cells)
                if isinstance(built, Finding):
                    self.findings.append(built)
                else:
                    records.append(built[1])
        records.extend(record for _, _, record in scan.passed)
        return records

    # -- allocations ---------------------------------------------------------------

    def _allocations(
        self,
        keys: dict[str, set[str]],
        counted: set[str],
        disputed: set[str],
        cited: CitedKeys,
    ) -> tuple[_Allocations, list[Any]]:
        """Scan the allocations; returns the sums and cited keys found, and the disputed allocations."""
        state, excluded, scan = self._scan_allocations(keys, counted, disputed, set(), cited)
        if excluded - scan.excluded_by_cells - scan.fk_bad:
            # A row that passed every test of its batch proved a duplicate key at the end:
            # its amount is in the sums and its key among those found, so read the table
            # again without it.
            state, excluded, scan = self._scan_allocations(keys, counted, disputed, excluded, cited)
        self.findings.extend(scan.findings)
        self._note_rejected_allocations(scan)
        for item in state.pending:
            if item.index in excluded:
                continue
            if item.check == "record-uncited":
                if not scan.unusable:
                    self.findings.append(uncited_finding("allocations", item.message))
                continue
            if item.check == "value-uncited":
                key, _, text = item.message.partition("\x00")
                self.findings.append(value_uncited_finding("allocations", key, item.field or "", text))
                continue
            key, _, message = item.message.partition("\x00")
            self.findings.append(
                record_finding(
                    item.check,
                    "allocations",
                    key,
                    item.field,
                    message,
                    value=item.value,
                    refers_to=item.refers_to,
                )
            )
        if scan.unusable:
            nothing = _Allocations(cursor=cited.cursor(self.folder), late=Late(self.folder))
            nothing.dangling = settle(cited, None, nothing.late).dangling
            return nothing, []
        records = [record for i, record in state.disputed if i not in excluded]
        return state, records

    def _scan_allocations(
        self,
        keys: dict[str, set[str]],
        counted: set[str],
        disputed: set[str],
        known_excluded: set[int],
        cited: CitedKeys,
    ) -> tuple[_Allocations, set[int], _TableScan]:
        state = _Allocations(cursor=cited.cursor(self.folder), late=Late(self.folder))
        scan = _TableScan(
            self.root,
            "allocations",
            self.declared["allocations"],
            self.lookups,
            self.progress,
            threads=self.threads,
            folder=self.folder,
        )
        drop = integers(sorted(known_excluded))
        wanted = texts(sorted(disputed))
        kept: list[tuple[int, list[str | None]]] = []
        for index, batch, passed in scan.judged():
            clean = passed
            if known_excluded:
                positions = pc.add(pc.indices_nonzero(pc.is_valid(batch.column(0))).cast(pa.int64()), index)
                clean = pc.and_(passed, pc.invert(pc.is_in(positions, value_set=drop)))
            if scan.unusable:
                continue
            _references_in_columns(batch, clean, index, keys, state.pending)
            _feed_sums(state, batch, clean, counted)
            ids = batch.column("allocation_id").filter(clean)
            if len(ids):
                window = state.cursor.window(ids)
                _values_uncited(state, batch, clean, index, window)
                rows = pc.add(pc.indices_nonzero(clean).cast(pa.int64()), index)
                _uncited(
                    state.pending,
                    index,
                    pc.indices_nonzero(clean),
                    ids,
                    _match_cited(state, window, ids, rows),
                )
            if disputed:
                chosen = pc.and_(clean, pc.is_in(batch.column("allocation_id"), value_set=wanted))
                kept.extend((index + p, _cells(batch, p)) for p in pc.indices_nonzero(chosen).to_pylist())
        excluded = scan.finish() | known_excluded
        for index, cells in kept:
            if index not in excluded:
                built = _typed_record("allocations", scan.file, scan.table, scan.number(index), cells)
                if not isinstance(built, Finding):
                    state.disputed.append((index, built[1]))
        for index, _row, record in scan.passed:
            if index in excluded:
                continue
            self._record_references(record, keys, state, index)
            _feed_record(state, record, counted)
            _record_values_uncited(state, record, index)
            _match_cited(state, None, texts([record.allocation_id]), integers([index]))
            if record.allocation_id in disputed:
                state.disputed.append((index, record))
        if not scan.unusable:
            _match_late(state, cited, scan, excluded)
        return state, excluded, scan

    def _record_references(
        self, record: Any, keys: dict[str, set[str]], state: _Allocations, index: int
    ) -> None:
        targets = _ALLOCATION_REFERENCES
        for field, target in targets.items():
            ref = getattr(record, field)
            if ref is not None and ref not in keys[target]:
                state.pending.append(
                    _Pending(
                        index,
                        "reference-unresolved",
                        field,
                        f"{record.key}\x00{ref!r} is not in {target}",
                        ref,
                        target,
                    )
                )
        if (
            record.round_id is not None
            and f"{record.round_id}|{record.territory_id}" not in keys["selections"]
            and record.round_id in keys["rounds"]
        ):
            state.pending.append(
                _Pending(
                    index,
                    "reference-unresolved",
                    "territory_id",
                    f"{record.key}\x00{record.territory_id!r} was not selected in round {record.round_id!r}",
                    f"{record.round_id}|{record.territory_id}",
                    "selections",
                )
            )

    def _envelope_findings(self, ds: Any, state: _Allocations) -> None:
        """allocation-exceeds-envelope and the envelopes' beneficiary counts, from the columns' sums."""
        for envelope in ds.envelopes:
            if envelope.envelope_id in state.low_sums:
                low = Decimal(state.low_sums[envelope.envelope_id]) / 200
                self.findings.extend(allocations_low_findings(envelope, low))
            chunks = state.counted.get(envelope.envelope_id, [])
            known = len(pc.unique(pa.concat_arrays(chunks))) if chunks else 0
            self.findings.extend(beneficiary_findings(envelope, known))

    # -- citations ---------------------------------------------------------------------

    def _citations(self, ds: Any) -> tuple[list[Any], _AboutAllocations]:
        """Read the citations: those about small tables as records, those about allocations in columns."""
        scan = _TableScan(
            self.root,
            "citations",
            self.declared["citations"],
            self.lookups,
            self.progress,
            threads=self.threads,
            folder=self.folder,
        )
        about = _AboutAllocations(spill=CitedSpill(self.folder))
        sources = {s.source_id: s for s in ds.sources}
        reference = sorted(k for k, s in sources.items() if s.kind is SourceKind.REFERENCE_DATASET)
        small: list[tuple[int, list[str | None]]] = []
        for index, batch, clean in scan.judged():
            if scan.unusable:
                continue
            on_allocations = pc.equal(batch.column("record_table"), "allocations")
            for position in pc.indices_nonzero(pc.and_(clean, pc.invert(on_allocations))).to_pylist():
                small.append((index + position, _cells(batch, position)))
            about.add_batch(batch, pc.and_(clean, on_allocations), index, sorted(sources), reference)
        excluded = scan.finish()
        self.findings.extend(scan.findings)
        if scan.unusable:
            nothing = _AboutAllocations(spill=CitedSpill(None))
            nothing.drop(set(), None)
            return [], nothing
        records: list[Any] = []
        for index, cells in small:
            if index in excluded:
                continue
            built = _typed_record("citations", scan.file, scan.table, scan.number(index), cells)
            if isinstance(built, Finding):
                self.findings.append(built)
            else:
                records.append(built[1])
        for index, _row, record in scan.passed:
            if index in excluded:
                continue
            if record.record_table == "allocations":
                about.add_record(record, index, sources)
            else:
                records.append(record)
        about.drop(excluded, scan)
        return records, about

    def _cross_findings(self, allocations: _Allocations, about: _AboutAllocations) -> None:
        """Citations naming an allocation that no allocation which passed holds.

        (Allocations that no citation names were found while reading them.)
        The ids of those citations were not kept: they are read again, and
        there are none in a valid package.
        """
        self.findings.extend(about.findings)
        dangling = allocations.dangling
        if dangling is None or not dangling.num_rows or about.scan is None:
            return
        keys, rows = dangling.column("key").to_pylist(), dangling.column("row").to_pylist()
        names = about.scan.cells_at(rows, "citation_id")
        for row, key in zip(rows, keys, strict=True):
            self.findings.append(
                record_finding(
                    "reference-unresolved",
                    "citations",
                    names[row],
                    "record_key",
                    f"{key!r} is not in allocations",
                    value=key,
                    refers_to="allocations",
                )
            )


def _allocation_conflicts(
    ds: Any, about: _AboutAllocations, candidates: set[tuple[str, str]], disputed: list[Any]
) -> list[Finding]:
    """Sources that disagree on a field of an allocation, judged by :mod:`spie_occitanie.conflicts` itself.

    Only a field with two citations or more can be disputed; those citations
    and their allocations were kept while reading, and are few.
    """
    if not candidates:
        return []
    from spie_occitanie.dataset import Dataset

    citations = [c for c in about.fielded_records if (c.record_key, c.field) in candidates]
    mini = Dataset(sources=ds.sources, citations=citations, allocations=disputed)
    return list(CHECKS["conflicts"](mini))


def _cells(batch: pa.RecordBatch, position: int) -> list[str | None]:
    """One row of a batch as its texts."""
    return [batch.column(i)[position].as_py() for i in range(batch.num_columns)]


_ALLOCATION_FIELDS = field_names(Allocation)
_INTERVAL_FIELDS = {
    "amount": r"^[0-9]{1,15}(?:\.[0-9]{1,2})?(?: ±[0-9]{1,15}(?:\.[0-9]{1,2})?)?$",
    "convention": None,
}


@attrs.define(kw_only=True)
class _AboutAllocations:
    """The citations about allocations that passed: what the cross checks need, in columns."""

    # The allocation each names, its field and its row, on disk while the citations are read
    # (:mod:`spie_occitanie.stream.cited`); then, the rows with errors dropped, ``cited``.
    spill: CitedSpill
    cited: CitedKeys = attrs.field(factory=CitedKeys.empty)
    record_rows: set[int] = attrs.field(factory=set)  # rows judged by the exact code
    fielded_passed: list[Any] = attrs.field(factory=list)  # the same, judged by the exact code
    fielded_records: list[Any] = attrs.field(factory=list)  # those of disputed fields, as records
    pending: list[tuple[int, Finding]] = attrs.field(factory=list)
    findings: list[Finding] = attrs.field(factory=list)
    scan: _TableScan | None = None

    def add_batch(
        self, batch: pa.RecordBatch, mine: pa.Array, first: int, sources: list[str], reference: list[str]
    ) -> None:
        rows = batch.filter(mine)
        if rows.num_rows == 0:
            return
        positions = pc.add(pc.indices_nonzero(mine).cast(pa.int64()), first)
        keys, fields = rows.column("record_key"), rows.column("field")
        quotes, values, source = rows.column("quote"), rows.column("value"), rows.column("source_id")
        has_key = pc.not_equal(keys, "")
        self.spill.add(keys.filter(has_key), fields.filter(has_key), positions.filter(has_key))
        is_reference = pc.is_in(source, value_set=texts(reference))
        exists = pc.is_in(source, value_set=texts(sources))
        unknown_field = pc.and_(
            pc.not_equal(fields, ""), pc.invert(pc.is_in(fields, value_set=texts(_ALLOCATION_FIELDS)))
        )
        self._note(
            rows=rows,
            positions=positions,
            mask=unknown_field,
            check="citation-field-unknown",
            field="field",
            message=lambda r: f"{r['field']!r} is not a field of allocations",
        )
        no_quote = pc.and_(pc.equal(quotes, ""), pc.invert(is_reference))
        self._note(
            rows=rows,
            positions=positions,
            mask=no_quote,
            check="citation-quote-missing",
            field="quote",
            message=lambda r: f"a citation of {r['source_id']!r} needs the exact quote",
        )
        self._note(
            rows=rows,
            positions=positions,
            mask=pc.invert(exists),
            check="reference-unresolved",
            field="source_id",
            message=lambda r: f"{r['source_id']!r} is not in sources",
        )
        whole = pc.and_(pc.and_(pc.equal(keys, ""), exists), pc.invert(is_reference))
        self._note(
            rows=rows,
            positions=positions,
            mask=whole,
            check="citation-quote-missing",
            field="record_key",
            message=lambda r: f"only a reference dataset may cite a whole table, not {r['source_id']!r}",
        )
        checked = pc.and_(
            pc.is_in(fields, value_set=texts(sorted(_INTERVAL_FIELDS))), pc.not_equal(values, "")
        )
        fast = pc.and_(pc.equal(fields, "amount"), match(values, _INTERVAL_FIELDS["amount"] or ""))
        fast = pc.and_(fast, pc.invert(match(values, r"±0*(?:\.0*)?$")))
        for position in pc.indices_nonzero(pc.and_(checked, pc.invert(fast))).to_pylist():
            row = rows.slice(position, 1).to_pylist()[0]
            try:
                parse_as(Allocation, row["field"], row["value"])
            except Exception as error:  # noqa: BLE001 - InvalidValueError, reported as the check does
                reason = getattr(error, "reason", str(error))
                self.pending.append(
                    (
                        positions[position].as_py(),
                        record_finding(
                            "citation-value-invalid",
                            "citations",
                            row["citation_id"],
                            "value",
                            f"{row['value']!r} is not a value of allocations.{row['field']}: {reason}",
                        ),
                    )
                )

    def _note(
        self,
        *,
        rows: pa.RecordBatch,
        positions: pa.Array,
        mask: pa.Array,
        check: str,
        field: str,
        message: Callable[[dict[str, Any]], str],
    ) -> None:
        for position in pc.indices_nonzero(mask).to_pylist():
            row = rows.slice(position, 1).to_pylist()[0]
            self.pending.append(
                (
                    positions[position].as_py(),
                    record_finding(check, "citations", row["citation_id"], field, message(row)),
                )
            )

    def add_record(self, record: Any, index: int, sources: dict[str, Any]) -> None:
        """One citation about an allocation judged by the exact code."""
        from spie_occitanie.dataset import Dataset

        if record.record_key is not None:
            self.spill.add_record(record.record_key, record.field, index)
            self.record_rows.add(index)
            if record.field is not None:
                self.fielded_passed.append(record)
        if record.source_id not in sources:
            message = f"{record.source_id!r} is not in sources"
            self.pending.append(
                (index, record_finding("reference-unresolved", "citations", record.key, "source_id", message))
            )
        source = sources.get(record.source_id)
        ds = Dataset(sources=[source] if source is not None else [], citations=[record])
        for finding in [*CHECKS["citations"](ds)]:
            self.pending.append((index, finding))
        if record.field is not None and record.field not in _ALLOCATION_FIELDS:
            self.pending.append(
                (
                    index,
                    record_finding(
                        "citation-field-unknown",
                        "citations",
                        record.key,
                        "field",
                        f"{record.field!r} is not a field of allocations",
                    ),
                )
            )

    def drop(self, excluded: set[int], scan: _TableScan | None) -> None:
        """Forget the citations that proved to have errors at the end of their table."""
        self.findings = [f for i, f in self.pending if i not in excluded]
        self.pending = []
        self.scan = scan
        self.cited = self.spill.close(excluded)

    def conflict_candidates(self) -> set[tuple[str, str]]:
        """Fields of allocations with two citations or more: the only ones sources can disagree on.

        The citations of those fields become records (:attr:`fielded_records`),
        their rows read again from the file: they are few.
        """
        repeated = self.cited.repeated
        candidates = {(key, field) for key, _, field in (p.partition(_SEP) for p in repeated.values())}
        if not candidates:
            return set()
        self.fielded_records = [c for c in self.fielded_passed if (c.record_key, c.field) in candidates]
        rows = [row for row in repeated if row not in self.record_rows]
        if rows and self.scan is not None:
            table = TABLES["citations"]
            for row, cells in sorted(self.scan.rows_at(rows).items()):
                built = _typed_record("citations", self.scan.file, table, self.scan.number(row), cells)
                if not isinstance(built, Finding):
                    self.fielded_records.append(built[1])
        return candidates
