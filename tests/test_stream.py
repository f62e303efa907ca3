"""The streaming validator finds what the reader finds; the columnar writer writes the same bytes."""

from __future__ import annotations

import csv
import io
import os
import random
import sys
import tempfile

from pathlib import Path
from types import ModuleType

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.formats.datapackage import write_datapackage
from spie_occitanie.formats.parquet import to_arrow, write_parquet
from spie_occitanie.rehash import rewrite_hashes
from spie_occitanie.stream.progress import Progress, progress_for
from spie_occitanie.stream.validate import validate_stream
from spie_occitanie.stream.write import partition_year, write_arrow_package, write_hive_allocations
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES
from tests.oracle import oracle_report
from tests.scripts import load_script


ROOT = Path(__file__).resolve().parent.parent
FRICTIONLESS_TYPES = {
    "type-error",
    "constraint-error",
    "primary-key",
    "unique-error",
    "foreign-key",
    "incorrect-label",
    "missing-label",
    "extra-label",
    "extra-cell",
    "missing-cell",
    "blank-row",
    "hash-count",
    "byte-count",
}


def _generator() -> ModuleType:
    return load_script("benchmarks/generate.py", "spie_benchmarks_generate")


def keys(report: spie.Report) -> set[tuple[str, str, str | None, str | None]]:
    """Each finding as (check, file or table, row or key, field), consequences included."""
    return {
        (f.check, f.file or f.table or "", f.key if f.row is None else str(f.row), f.field)
        for f in report.all_findings()
    }


def places(report: spie.Report) -> set[tuple[str, str | None, str | None, str | None]]:
    """Where each finding made while reading a file is: check, file, row (as text), field."""
    return {
        (f.check, f.file, None if f.row is None else str(f.row), f.field)
        for f in report.all_findings()
        if f.file is not None
    }


def rehash(folder: Path) -> None:
    rewrite_hashes(folder / "datapackage.json")


BAD_CELLS = ("", "-1", "x y", "2023-02-30", "inconnu", "spie:inconnu", "1.005", "2021-24", "0.00", " a")


@settings(max_examples=FILE_EXAMPLES)
@given(ds=sst.datasets(), data=st.data())
def test_same_findings_as_the_reader(ds, data):
    """On generated packages, intact or with one cell changed, both validators report the same findings."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_datapackage(ds, folder)
        assert keys(oracle_report(folder)) == keys(validate_stream(folder))
        name = data.draw(
            st.sampled_from([n for n in TABLES if (folder / "data" / f"{n}.csv").stat().st_size])
        )
        path = folder / "data" / f"{name}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        if len(rows) < 2:
            return
        row = data.draw(st.integers(1, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[0]) - 1))
        rows[row][column] = data.draw(st.sampled_from([*BAD_CELLS, rows[row - 1][column]]))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        rehash(folder)
        assert keys(oracle_report(folder)) == keys(validate_stream(folder))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]]]:
    folder = tmp_path_factory.mktemp("planted")
    faults = _generator().generate(20_000, folder, errors=True)
    return folder, faults


def test_planted_errors_are_found_as_frictionless_finds_them(planted):
    """On 20 000 allocations with planted faults, the file findings are frictionless's, row for row."""
    import frictionless

    folder, _ = planted
    with frictionless.system.use_context(trusted=False):
        report = frictionless.validate(str(folder / "datapackage.json"))
    expected = set()
    for task in report.tasks:
        place = os.path.relpath(task.place, folder) if Path(task.place).is_absolute() else task.place
        for error in task.errors:
            row = getattr(error, "row_number", None)
            expected.add(
                (error.type, place, None if row is None else str(row), getattr(error, "field_name", None))
            )
    found = {key for key in places(validate_stream(folder)) if key[0] in FRICTIONLESS_TYPES}
    assert expected == found


def test_planted_errors_each_found_with_domain_findings(planted):
    """Each planted fault is reported at its row and field, and the dataset's checks follow from them."""
    folder, faults = planted
    report = validate_stream(folder)
    found = keys(report)
    for name, fault in faults.items():
        row = None if fault["row"] is None else str(fault["row"])
        assert (fault["type"], fault["file"], row, fault["field"]) in found, name
    # The citation with a bad kind leaves the dataset: the value it cited has no citation left.
    row = faults["value outside an enum"]["row"]
    _, table, key, field, *_ = _read_rows(folder / "data" / "citations.csv")[row - 1]
    assert field, "the planted citation cites a value"
    assert ("value-uncited", table, key, field) in found
    assert ("reference-unresolved", "citations") in {(f.check, f.table) for f in report.all_findings()}


def test_valid_generated_package_has_no_error(tmp_path):
    """A CI-size generated package (the real tables plus 300 allocations) is valid, as the reader says too."""
    _generator().generate(300, tmp_path)
    report = validate_stream(tmp_path)
    assert report.errors == ()
    assert keys(oracle_report(tmp_path)) == keys(report)


def _read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _same_findings(folder: Path) -> set[tuple[str, str, str | None, str | None]]:
    """Rehash an edited package; the reader and the streaming validator must agree; their findings."""
    rehash(folder)
    found = keys(validate_stream(folder))
    assert keys(oracle_report(folder)) == found
    return found


def _shuffle_rows(path: Path, seed: int) -> list[list[str]]:
    rows = _read_rows(path)
    body = rows[1:]
    random.Random(seed).shuffle(body)  # noqa: S311 - a fixed order, not a secret
    return [rows[0], *body]


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.parametrize(
    ("shuffle_allocations", "shuffle_citations"), [(True, True), (True, False), (False, True), (False, False)]
)
def test_tables_out_of_key_order_give_the_same_findings(
    tmp_path, monkeypatch, shuffle_allocations, shuffle_citations
):
    """Shuffled allocations or citations, in small batches, still give the reader's findings.

    Out of key order, keys are read again to find those held twice, and
    allocations are matched with their citations at the end; in key order,
    the two meet chunk by chunk (chunks of 64 cited keys here); keys out of order are counted and
    joined by parts on disk (of 128 rows here). Either way a
    duplicate key, an allocation none cites (nor any of its values) and a
    citation of an unknown allocation are each found.
    """
    from spie_occitanie.stream import cited, validate

    monkeypatch.setattr(validate, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(cited, "WINDOW_SLACK", 0)
    monkeypatch.setattr(cited, "CHUNK_ROWS", 64)
    # Parts of 128 rows: keys out of order and what the cursor cannot reach are joined by parts.
    monkeypatch.setattr(cited, "PART_ROWS", 128)
    _generator().generate(300, tmp_path)
    data = tmp_path / "data"
    allocations = (
        _shuffle_rows(data / "allocations.csv", 1)
        if shuffle_allocations
        else _read_rows(data / "allocations.csv")
    )
    allocations.append([*allocations[5]])
    _write_rows(data / "allocations.csv", allocations)
    citations = (
        _shuffle_rows(data / "citations.csv", 2) if shuffle_citations else _read_rows(data / "citations.csv")
    )
    about = [i for i, row in enumerate(citations) if row[1] == "allocations" and row[2].startswith("gen-")]
    dropped = citations[about[40]][2]  # every citation of one allocation goes
    citations = [row for row in citations if row[1:3] != ["allocations", dropped]]
    about = [i for i, row in enumerate(citations) if row[1] == "allocations" and row[2].startswith("gen-")]
    # A key no allocation holds, which sorts just after the one it replaces: "~" follows
    # every character of the generated keys, so key order holds if it held.
    last = max(i for i in about if citations[i][2] == citations[about[100]][2])
    unknown = citations[last][2] + "~"
    citations[last][2] = unknown
    _write_rows(data / "citations.csv", citations)
    found = _same_findings(tmp_path)
    assert ("record-uncited", "allocations", dropped, None) in found
    assert ("value-uncited", "allocations", dropped, "amount") in found
    assert ("reference-unresolved", "citations", citations[last][0], "record_key") in found
    assert "primary-key" in {check for check, *_ in found}


def test_citations_of_allocations_whose_source_is_out_are_unresolved(tmp_path):
    """A source row with a bad cell leaves the dataset: citations of allocations using it are unresolved."""
    write_datapackage(spie.load(), tmp_path)
    path = tmp_path / "data" / "sources.csv"
    rows = _read_rows(path)
    kind = rows[0].index("kind")
    row = next(r for r in rows[1:] if r[0] == "aef-31")
    row[kind] = "inconnu"
    _write_rows(path, rows)
    found = _same_findings(tmp_path)
    assert ("reference-unresolved", "citations", "allocations/cd-31-cd-31/*/1", "source_id") in found


def test_an_allocation_value_without_its_citation_is_found_by_both(tmp_path):
    """value-uncited on allocations, found in columns, is what the reader's check finds."""
    write_datapackage(spie.load(), tmp_path)
    path = tmp_path / "data" / "citations.csv"
    rows = _read_rows(path)
    kept = [r for r in rows if r[1:4] != ["allocations", "meuse-etat", "territory_id"]]
    assert len(kept) == len(rows) - 1
    _write_rows(path, kept)
    found = _same_findings(tmp_path)
    assert ("value-uncited", "allocations", "meuse-etat", "territory_id") in found


def test_a_found_reference_proves_a_cell_only_if_every_referenced_key_is_valid(tmp_path):
    """A funder found among organisations whose own key breaks the pattern is still a constraint error."""
    write_datapackage(spie.load(), tmp_path)
    data = tmp_path / "data"
    organisations = _read_rows(data / "organisations.csv")
    organisations.append(["CD 31", *organisations[1][1:]])
    _write_rows(data / "organisations.csv", organisations)
    allocations = _read_rows(data / "allocations.csv")
    funder = allocations[0].index("funder_id")
    allocations[1][funder] = "CD 31"
    _write_rows(data / "allocations.csv", allocations)
    found = _same_findings(tmp_path)
    assert ("constraint-error", "data/allocations.csv", "2", "funder_id") in found


def test_hash_and_size_are_checked_while_reading(tmp_path):
    """A data file changed after its hash was written is reported as hash-count and byte-count."""
    write_datapackage(spie.load(), tmp_path)
    path = tmp_path / "data" / "rounds.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    found = {f.check for f in validate_stream(tmp_path).findings if f.file == "data/rounds.csv"}
    assert {"hash-count", "byte-count"} <= found


def test_columnar_writer_writes_the_same_bytes(tmp_path):
    """From Arrow tables, the package and Parquet files are byte-identical to the record writers'."""
    ds = spie.load()
    records, columns = tmp_path / "records", tmp_path / "columns"
    write_datapackage(ds, records)
    write_parquet(ds, records / "parquet")
    write_arrow_package(to_arrow(ds), columns)
    written = sorted(p.relative_to(records) for p in records.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(columns) for p in columns.rglob("*") if p.is_file())
    for relative in written:
        assert (records / relative).read_bytes() == (columns / relative).read_bytes(), relative


def test_columnar_writer_quotes_as_the_dialect_does(tmp_path):
    """Cells with a comma, a quote or a line feed are quoted as the pinned CSV writer quotes them."""
    ds = spie.load()
    tables = to_arrow(ds)
    sources = tables["sources"]
    titles = sources.column("title").to_pylist()
    titles[0] = 'dit « oui », puis "non"\nfin'
    import pyarrow as pa

    tables["sources"] = sources.set_column(
        sources.schema.get_field_index("title"), sources.schema.field("title"), pa.array(titles)
    )
    write_arrow_package(tables, tmp_path, parquet=False)
    text = (tmp_path / "data" / "sources.csv").read_text(encoding="utf-8")
    assert '"dit « oui », puis ""non""\nfin"' in text


def test_hive_partitions_are_read_by_duckdb(tmp_path):
    """DuckDB reads the partitioned allocations with round_id and year, and the amounts add up."""
    import duckdb

    allocations = to_arrow(spie.load())["allocations"]
    folder = write_hive_allocations(allocations, tmp_path)
    query = (
        "select round_id, year, count(*) as n, sum(amount_eur) as total "
        "from read_parquet(?, hive_partitioning = true) group by all"
    )
    relation = duckdb.execute(query, [f"{folder}/**/*.parquet"])
    assert relation is not None
    rows = relation.fetchall()
    assert sum(r[2] for r in rows) == allocations.num_rows
    years = partition_year(allocations).to_pylist()
    expected = {(r, y) for r, y in zip(allocations.column("round_id").to_pylist(), years, strict=True)}
    assert expected == {(r[0], r[1]) for r in rows}
    total = sum(a.amount.amount for a in spie.load().allocations)
    assert total == sum(r[3] for r in rows)


def test_partition_year_is_the_convention_year_then_the_first_year():
    """The partition year is the convention's earliest year, else first_year, else absent."""
    import pyarrow as pa

    table = to_arrow(spie.load())["allocations"]
    by_key = dict(
        zip(table.column("allocation_id").to_pylist(), partition_year(table).to_pylist(), strict=True)
    )
    assert by_key == {"cd-31-cd-31": 2022, "cd-31-etat": 2022, "meuse-etat": None}
    assert isinstance(partition_year(table), pa.Array | pa.ChunkedArray)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_when_not_a_terminal():
    """Piped or redirected, no progress is shown."""
    assert progress_for(io.StringIO()) is None


def test_progress_draws_on_a_terminal():
    """On a terminal, the label and percentage are drawn in place, and the line ends at 100%."""
    terminal = _Terminal()
    progress = progress_for(terminal)
    assert isinstance(progress, Progress)
    progress("data/allocations.csv", 50, 200)
    progress("data/allocations.csv", 200, 200)
    assert terminal.getvalue().endswith("100%\n")
    assert " 25%" in terminal.getvalue()


def test_validation_reports_progress(tmp_path):
    """The validator calls progress as it reads each file, up to the file's size."""
    write_datapackage(spie.load(), tmp_path)
    calls: list[tuple[str, int, int]] = []
    validate_stream(tmp_path, progress=lambda label, done, total: calls.append((label, done, total)))
    last = {label: (done, total) for label, done, total in calls}
    assert last["data/allocations.csv"] == ((tmp_path / "data" / "allocations.csv").stat().st_size,) * 2


def test_validation_allocates_from_jemalloc_and_restores_the_default_pool(tmp_path):
    """While validating, Arrow allocates from jemalloc; afterwards, from the pool it used before."""
    import pyarrow as pa

    write_datapackage(spie.load(), tmp_path)
    before = pa.default_memory_pool().backend_name
    during: set[str] = set()
    validate_stream(tmp_path, progress=lambda *_: during.add(pa.default_memory_pool().backend_name))
    assert {"jemalloc"} == during
    assert before == pa.default_memory_pool().backend_name


def test_big_tables_are_tested_on_a_second_thread(tmp_path, monkeypatch):
    """The cells of the allocations and citations are tested on a thread of their own, one batch ahead."""
    import threading

    from spie_occitanie.stream import validate

    tested = validate._TableScan._cells_ok
    threads: dict[str, set[str]] = {}

    def recording(self, batch, found):
        threads.setdefault(self.name, set()).add(threading.current_thread().name.split("_")[0])
        return tested(self, batch, found)

    write_datapackage(spie.load(), tmp_path)
    monkeypatch.setattr(validate._TableScan, "_cells_ok", recording)
    validate_stream(tmp_path)
    assert {"spie-tests"} == threads["allocations"] == threads["citations"]
    assert {"MainThread"} == threads["rounds"]


def test_the_reader_waits_until_a_batch_is_used():
    """Arrow's reader gets no more than BLOCKS_AHEAD blocks before a batch is used, then one more."""
    import threading

    from spie_occitanie.stream.reading import BLOCK_BYTES, BLOCKS_AHEAD, PacedReader

    blocks = BLOCKS_AHEAD + 2
    reader = PacedReader(io.BytesIO(b"x" * (BLOCK_BYTES * blocks)), size=BLOCK_BYTES * blocks)
    for _ in range(BLOCKS_AHEAD):
        assert BLOCK_BYTES == len(reader.read(BLOCK_BYTES))
    done = threading.Event()

    def read_one_more() -> None:
        reader.read(BLOCK_BYTES)
        done.set()

    waiting = threading.Thread(target=read_one_more)
    waiting.start()
    assert not done.wait(0.05)  # nothing used yet: the read waits
    reader.used()
    assert done.wait(30)
    waiting.join()


def test_an_error_on_the_second_thread_reaches_the_caller(tmp_path, monkeypatch):
    """A failure while testing a batch on the second thread is raised to the caller, not lost."""
    from spie_occitanie.stream import validate

    def broken(self, batch, found):
        raise RuntimeError(f"injected while testing {self.name}")

    write_datapackage(spie.load(), tmp_path)
    monkeypatch.setattr(validate._TableScan, "_cells_ok", broken)
    with pytest.raises(RuntimeError, match="injected while testing"):
        validate_stream(tmp_path)


@given(values=st.lists(st.text(), max_size=20))
def test_fast_trimmed_text_test_accepts_what_the_pattern_accepts(values):
    """The trimmed one-line text test (no RE2 for printable ASCII) agrees with the pattern, cell by cell."""
    import pyarrow.compute as pc

    from spie_occitanie.stream.kernels import TRIMMED, text_ok
    from spie_occitanie.stream.literals import texts

    array = texts(values)
    expected = pc.or_(pc.equal(array, texts([""])[0]), pc.match_substring_regex(array, TRIMMED))
    assert expected.to_pylist() == text_ok(array).to_pylist()


def test_validation_does_not_load_pandas(tmp_path):
    """Validating a package, with faults set aside for the exact code, never imports pandas."""
    import subprocess

    _generator().generate(300, tmp_path, errors=True)
    code = (
        "import sys\n"
        "from spie_occitanie.stream import validate_stream\n"
        "report = validate_stream(sys.argv[1])\n"
        "print(len(report.errors) > 0, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert "True False" == done.stdout.strip()


def test_literals_are_the_values_pyarrow_would_build():
    """Arrays and scalars built from bytes equal pyarrow's own conversion of the same Python values."""
    import pyarrow as pa

    from spie_occitanie.stream import literals

    assert pa.array(["a", None, "é", ""], pa.string()).equals(literals.texts(["a", None, "é", ""]))
    assert pa.array([1, None, -(1 << 40)], pa.int64()).equals(literals.integers([1, None, -(1 << 40)]))
    assert pa.array([True, False, None] * 3).equals(literals.flags([True, False, None] * 3))
    assert pa.array([True] * 11).equals(literals.full(11, value=True))
    assert pa.scalar(1, pa.int64()).equals(literals.scalar(1))
    assert pa.scalar(value=True).equals(literals.scalar(value=True))
    assert pa.scalar(None, pa.string()).equals(literals.scalar(None))
    assert literals.decimal(-100, 3).as_py() == pa.scalar(-100, pa.decimal128(3, 0)).as_py()
    assert [False, True, None] == literals.compute.equal(literals.texts(["a", "", None]), "").to_pylist()
