"""Time the streaming validator, frictionless, the export and the imports, side by side.

Every figure is a whole process timed from outside: wall time with a
monotonic clock, peak memory (maximum resident set) from the operating
system's accounting of that one child (``wait4``). Commands that are compared
run interleaved (A B A B ...), so that a machine that slows down slows both;
the table gives medians and the ratio of the medians.

    python benchmarks/run.py --sizes 20000,300000,1000000 --runs 3 --work /tmp/spie-bench

``--sections diff --diff-runs 3`` times only ``spie-occitanie diff`` of each
package against its next release (``mutate.py``: 1 % of the allocations
edited), beside GNU ``diff -r`` and, at 20 000 allocations, daff.

Packages are generated once per size into ``--work`` by ``generate.py``, in
key order, and once more shuffled (``--unordered``) for the validator alone.
The project's modules are compiled to bytecode first, as ``pip install``
does: an editable install under ``PYTHONDONTWRITEBYTECODE`` would otherwise
compile them at every start, and frictionless is timed installed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from pathlib import Path


HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

VALIDATE_STREAM = (
    "import sys\n"
    "from spie_occitanie.stream import validate_stream\n"
    "report = validate_stream(sys.argv[1])\n"
    "sys.exit(0 if report.ok else 1)\n"
)
WRITE_ARROW = (
    "import sys, time\n"
    "import pyarrow.parquet as pq\n"
    "from spie_occitanie.stream import write_arrow_package, write_hive_allocations\n"
    "from spie_occitanie.tables import TABLES\n"
    "tables = {n: pq.read_table(f'{sys.argv[1]}/{n}.parquet') for n in TABLES}\n"
    "start = time.perf_counter()\n"
    "write_arrow_package(tables, sys.argv[2])\n"
    "middle = time.perf_counter()\n"
    "write_hive_allocations(tables['allocations'], sys.argv[2] + '/hive')\n"
    "end = time.perf_counter()\n"
    "rows = sum(t.num_rows for t in tables.values())\n"
    "print(f'{rows} {middle - start:.3f} {end - middle:.3f}')\n"
)


def run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak MiB and exit status of one process, and what it printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        printed = out.read().decode("utf-8", "replace")
    return wall, usage.ru_maxrss / 1024, process.returncode, printed


def compare(name: str, a: list[str], b: list[str] | None, runs: int) -> dict[str, float]:
    """Median wall and peak memory of ``a`` (and ``b``), interleaved."""
    walls_a, mems_a, walls_b, mems_b = [], [], [], []
    run(a)  # warm the file cache
    for _ in range(runs):
        wall, mem, _, _ = run(a)
        walls_a.append(wall)
        mems_a.append(mem)
        if b is not None:
            wall, mem, _, _ = run(b)
            walls_b.append(wall)
            mems_b.append(mem)
    result = {"wall_a": statistics.median(walls_a), "mem_a": max(mems_a)}
    if b is not None:
        result |= {"wall_b": statistics.median(walls_b), "mem_b": max(mems_b)}
    line = f"{name:<34} A {result['wall_a']:7.3f} s {result['mem_a']:7.0f} MiB"
    if b is not None:
        line += (
            f" | B {result['wall_b']:7.3f} s {result['mem_b']:7.0f} MiB"
            f" | B/A time {result['wall_b'] / result['wall_a']:6.1f}x"
            f" | A/B memory {result['mem_a'] / result['mem_b']:5.2f}"
        )
    print(line, flush=True)
    return result


def package(size: int, work: Path, *, unordered: bool = False) -> Path:
    """The generated package of ``size`` allocations (generated once)."""
    folder = work / (f"package-{size}-unordered" if unordered else f"package-{size}")
    if not (folder / "datapackage.json").is_file():
        command = [PYTHON, str(HERE / "generate.py"), "--rows", str(size), "--out", str(folder)]
        subprocess.run([*command, "--unordered"] if unordered else command, check=True)
    return folder


def compile_project() -> None:
    """Compile the project's modules to bytecode, as installing it does."""
    spec = importlib.util.find_spec("spie_occitanie")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    for location in spec.submodule_search_locations:
        compileall.compile_dir(location, quiet=1)


def rows_of(folder: Path) -> int:
    """Data rows of every CSV of a package."""
    return sum(sum(1 for _ in p.open("rb")) - 1 for p in (folder / "data").glob("*.csv"))


def arrow_input(folder: Path, work: Path) -> Path:
    """The package's tables as Parquet, the columnar input of the export."""
    target = work / f"{folder.name}-parquet"
    if not target.is_dir():
        target.mkdir(parents=True)
        subprocess.run(
            [
                PYTHON,
                "-c",
                (
                    "import sys\n"
                    "import pyarrow.csv as c, pyarrow.parquet as pq\n"
                    "from spie_occitanie.formats.parquet import arrow_schema\n"
                    "from spie_occitanie.tables import TABLES\n"
                    "for n, t in TABLES.items():\n"
                    "    s = arrow_schema(t)\n"
                    "    tb = c.read_csv(f'{sys.argv[1]}/data/{n}.csv', convert_options=c.ConvertOptions("
                    "column_types={f.name: f.type for f in s}, strings_can_be_null=True))\n"
                    "    pq.write_table(tb.cast(s), f'{sys.argv[2]}/{n}.parquet')\n"
                ),
                str(folder),
                str(target),
            ],
            check=True,
        )
    return target


def next_release(folder: Path) -> Path:
    """The next release of a generated package: 1 % of its allocations edited (``mutate.py``, once)."""
    target = folder.with_name(f"{folder.name}-next")
    if not (target / "datapackage.json").is_file():
        subprocess.run([PYTHON, str(HERE / "mutate.py"), str(folder), str(target)], check=True)
    return target


def diff_section(sizes: list[int], work: Path, runs: int, big_runs: int) -> None:
    """``spie-occitanie diff`` of a package and its next release, against a line diff and daff.

    The baseline is GNU ``diff -r`` of the two ``data/`` folders: the CSV files
    are written in key order, so this is the diff of the sorted CSVs. daff,
    when installed beside Python (it is not a dependency of the project), is
    timed on the two big tables at 20 000 allocations or fewer: it compares
    tables cell by cell in pure Python and takes minutes beyond.
    """
    spie = str(BIN / "spie-occitanie")
    daff = BIN / "daff"
    print("\n# diff of two releases, 1 % of the allocations edited")
    print("# (A: spie-occitanie diff --json, B: GNU diff -r of the data/ folders)")
    for size in sizes:
        old = package(size, work)
        new = next_release(old)
        compare(
            f"{size} allocations",
            [spie, "diff", str(old), str(new), "--json"],
            ["diff", "-r", str(old / "data"), str(new / "data")],
            big_runs if size >= 1_000_000 else runs,
        )
        if daff.is_file() and size <= 20_000:
            script = " && ".join(
                f"{{ {daff} {old}/data/{t}.csv {new}/data/{t}.csv >/dev/null; [ $? -le 1 ]; }}"
                for t in ("allocations", "citations")
            )
            compare(
                f"{size} allocations, B: daff",
                [spie, "diff", str(old), str(new), "--json"],
                ["sh", "-c", script],
                runs,
            )


def main() -> None:
    """Run every comparison and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,300000", help="generated allocations, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="counted runs of each command")
    parser.add_argument("--big-runs", type=int, default=1, help="counted runs at 1 000 000 rows or more")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "spie-bench"))
    parser.add_argument(
        "--sections",
        default="startup,validate,diff",
        help="comma-separated among startup, validate, diff (default: all)",
    )
    parser.add_argument(
        "--diff-runs", type=int, default=None, help="counted runs of the diff at every size (default: --runs)"
    )
    args = parser.parse_args()
    sections = {s.strip() for s in args.sections.split(",")}
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    compile_project()
    spie = str(BIN / "spie-occitanie")
    frictionless = str(BIN / "frictionless")
    if "startup" in sections:
        startup(args.runs, spie, frictionless, work)
    if "validate" in sections:
        validation(sizes, work, args.runs, args.big_runs, frictionless)
    if "diff" in sections:
        diff_section(sizes, work, args.diff_runs or args.runs, args.diff_runs or args.big_runs)


def startup(runs: int, spie: str, frictionless: str, work: Path) -> None:
    """Imports, load(), summary and export against frictionless's import and validation."""
    root = HERE.parent
    print("\n# start-up (A: spie_occitanie, B: frictionless)")
    compare("bare interpreter", [PYTHON, "-c", "pass"], None, runs)
    compare("import", [PYTHON, "-c", "import spie_occitanie"], [PYTHON, "-c", "import frictionless"], runs)
    compare("import + load()", [PYTHON, "-c", "import spie_occitanie as s; s.load()"], None, runs)
    compare("spie-occitanie summary", [spie, "summary"], None, runs)
    out = work / "export"
    compare(
        "export (A) vs frictionless validate (B)",
        [spie, "export", "--out", str(out)],
        [frictionless, "validate", str(root / "datapackage.json")],
        runs,
    )
    shutil.rmtree(out, ignore_errors=True)


def validation(sizes: list[int], work: Path, small_runs: int, big_runs: int, frictionless: str) -> None:
    """The streaming validator against frictionless, in and out of key order, and the export from Arrow."""
    print("\n# validation (A: streaming validator, B: frictionless validate)")
    for size in sizes:
        folder = package(size, work)
        rows = rows_of(folder)
        runs = big_runs if size >= 1_000_000 else small_runs
        result = compare(
            f"{size} allocations ({rows} rows)",
            [PYTHON, "-c", VALIDATE_STREAM, str(folder)],
            [frictionless, "validate", str(folder / "datapackage.json")],
            runs,
        )
        print(
            f"{'':<34} rows/s: A {rows / result['wall_a']:,.0f}  B {rows / result['wall_b']:,.0f}",
            flush=True,
        )
        shuffled = package(size, work, unordered=True)
        compare(
            f"{size} allocations, out of key order",
            [PYTHON, "-c", VALIDATE_STREAM, str(shuffled)],
            None,
            runs,
        )
        source = arrow_input(folder, work)
        target = work / "written"
        shutil.rmtree(target, ignore_errors=True)
        wall, mem, _, printed = run([PYTHON, "-c", WRITE_ARROW, str(source), str(target)])
        written, package_seconds, hive_seconds = printed.split()
        print(
            f"{'':<34} export from Arrow: {int(written) / float(package_seconds):,.0f} rows/s "
            f"(CSV package + Parquet, {package_seconds} s; Hive partitions {hive_seconds} s; "
            f"process {wall:.2f} s, {mem:.0f} MiB)",
            flush=True,
        )
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
