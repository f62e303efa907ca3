"""Time validation, start-up, export and diff, side by side, and write every figure to a JSON file.

Every figure is a whole process timed from outside: wall time with a
monotonic clock, peak memory (maximum resident set) from the operating
system's accounting of that one child (``wait4``). Commands that are compared
run interleaved (A B C ... A B C ...), so that a machine that slows down slows
all; the results are medians and the ratios of the medians.

    python benchmarks/run.py --sizes 300000,1000000 --growth 1000000,3000000 \
        --huge 10000000 --results benchmarks/results.json
    python benchmarks/report.py benchmarks/results.json docs/performance.md

Before and after each section, a calibration times a fixed pure-Python loop
alone, then two copies at once: on a machine with two free cores the two
take as long as one. The free cores measured go into the results, and
``report.py`` marks every ratio measured with less than
:data:`IDLE_ENOUGH` of the machine's cores free as unreliable (it still
gives it).

``--sections diff --diff-runs 3`` times ``spie-occitanie diff`` of each
package against its next release (``mutate.py``: 1 % of the allocations
edited), beside GNU ``diff -r`` and, at 20 000 allocations, daff.

Packages are generated once per size into ``--work`` by ``generate.py``, in
key order, and once more shuffled (``--unordered``). The project's modules
are compiled to bytecode first, as ``pip install`` does: an editable install
under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them at every
start, and frictionless is timed installed.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from pathlib import Path
from typing import Any


HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

#: The share of the machine's cores that must be free for a ratio to be reported as reliable.
IDLE_ENOUGH = 0.9

VALIDATE_STREAM = (
    "import sys\n"
    "from spie_occitanie.stream import validate_stream\n"
    "report = validate_stream(sys.argv[1])\n"
    "sys.exit(0 if report.ok else 1)\n"
)
#: The floor: every CSV of the package parsed by pyarrow with its declared types.
ARROW_PARSE = (
    "import sys\n"
    "import pyarrow.csv as c\n"
    "from spie_occitanie.formats.parquet import arrow_schema\n"
    "from spie_occitanie.tables import TABLES\n"
    "for n, t in TABLES.items():\n"
    "    s = arrow_schema(t)\n"
    "    c.read_csv(f'{sys.argv[1]}/data/{n}.csv', convert_options=c.ConvertOptions("
    "column_types={f.name: f.type for f in s}, strings_can_be_null=True))\n"
)
#: The export from Arrow tables against pyarrow's own writers of the same tables, in one
#: process, interleaved: seconds of each, per run.
WRITE_ARROW = (
    "import json, shutil, sys, time\n"
    "import pyarrow.csv as c, pyarrow.parquet as pq\n"
    "from spie_occitanie.formats.parquet import COMPRESSION\n"
    "from spie_occitanie.stream import write_arrow_package\n"
    "from spie_occitanie.tables import TABLES\n"
    "tables = {n: pq.read_table(f'{sys.argv[1]}/{n}.parquet') for n in TABLES}\n"
    "out = sys.argv[2]\n"
    "ours, theirs = [], []\n"
    "for _ in range(int(sys.argv[3])):\n"
    "    shutil.rmtree(out, ignore_errors=True)\n"
    "    start = time.perf_counter()\n"
    "    write_arrow_package(tables, out)\n"
    "    ours.append(time.perf_counter() - start)\n"
    "    shutil.rmtree(out, ignore_errors=True)\n"
    "    import os; os.makedirs(out)\n"
    "    start = time.perf_counter()\n"
    "    for n, t in tables.items():\n"
    "        c.write_csv(t, f'{out}/{n}.csv')\n"
    "        pq.write_table(t, f'{out}/{n}.parquet', compression=COMPRESSION)\n"
    "    theirs.append(time.perf_counter() - start)\n"
    "rows = sum(t.num_rows for t in tables.values())\n"
    "print(json.dumps({'rows': rows, 'ours': ours, 'pyarrow': theirs}))\n"
)
#: What reading the files costs before any check: every CSV read as text by Arrow's streaming
#: reader with the options the validator uses (quoted newlines allowed, one thread).
TEXT_PARSE = (
    "import sys\n"
    "import pyarrow as pa, pyarrow.csv as c\n"
    "from spie_occitanie.tables import TABLES\n"
    "for n, t in TABLES.items():\n"
    "    names = list(t.column_names)\n"
    "    reader = c.open_csv(f'{sys.argv[1]}/data/{n}.csv',\n"
    "        read_options=c.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 20),\n"
    "        parse_options=c.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),\n"
    "        convert_options=c.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),\n"
    "            strings_can_be_null=False))\n"
    "    for _ in reader:\n"
    "        pass\n"
)
#: The SHA-256 of every data file, as the descriptor's hashes ask.
HASHING = (
    "import glob, hashlib, sys\n"
    "for path in glob.glob(f'{sys.argv[1]}/data/*.csv'):\n"
    "    digest = hashlib.sha256()\n"
    "    with open(path, 'rb') as handle:\n"
    "        while block := handle.read(1 << 20):\n"
    "            digest.update(block)\n"
)
#: Starting Python with pyarrow and the validator.
STARTING = "import pyarrow, pyarrow.csv, pyarrow.compute, spie_occitanie.stream.validate\n"
#: The bytes the validator writes to its temporary folder, counted as each file is completed.
TEMPORARY_BYTES = (
    "import sys\n"
    "from spie_occitanie.stream import cited, validate_stream\n"
    "written = []\n"
    "close = cited._Store.close\n"
    "def counting(self):\n"
    "    if self.on_disk and self.path.is_file() and self.path not in {p for p, _ in written}:\n"
    "        close(self)\n"
    "        written.append((self.path, self.path.stat().st_size))\n"
    "    close(self)\n"
    "cited._Store.close = counting\n"
    "validate_stream(sys.argv[1])\n"
    "print(sum(size for _, size in written))\n"
)

#: A fixed amount of pure-Python work, for the calibration of free cores.
SPIN = "n = 0\nfor i in range(12_000_000):\n    n += i\n"


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, peak MiB and exit status of one process, and what it printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        printed = out.read().decode("utf-8", "replace")
    return wall, usage.ru_maxrss / 1024, process.returncode, printed


def free_cores() -> float:
    """How many of the machine's cores were free: one spin alone, then as many spins as cores at once."""
    cores = os.cpu_count() or 1
    alone = min(run([PYTHON, "-c", SPIN])[0] for _ in range(2))
    start = time.perf_counter()
    spins = [subprocess.Popen([PYTHON, "-c", SPIN]) for _ in range(cores)]
    for spin in spins:
        spin.wait()
    together = time.perf_counter() - start
    return round(min(float(cores), cores * alone / together), 2)


def compare(name: str, commands: dict[str, list[str]], runs: int, *, warm: bool = True) -> dict[str, Any]:
    """Median wall and highest peak memory of each command, run interleaved; printed as they come."""
    walls: dict[str, list[float]] = {label: [] for label in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    statuses: dict[str, int] = {}
    if warm:
        run(next(iter(commands.values())))  # the files into the page cache
    for _ in range(runs):
        for label, command in commands.items():
            wall, peak, status, _ = run(command)
            walls[label].append(wall)
            peaks[label] = max(peaks[label], peak)
            statuses[label] = status
    result = {
        label: {
            "wall": statistics.median(walls[label]),
            "walls": walls[label],
            "peak_mib": peaks[label],
            "status": statuses[label],
        }
        for label in commands
    }
    parts = [f"{label} {r['wall']:.3f} s {r['peak_mib']:.0f} MiB" for label, r in result.items()]
    print(f"{name:<36} " + " | ".join(parts), flush=True)
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


def bytes_of(folder: Path) -> int:
    """Bytes of every CSV of a package."""
    return sum(p.stat().st_size for p in (folder / "data").glob("*.csv"))


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


def diff_section(results: dict[str, Any], sizes: list[int], work: Path, runs: int, big_runs: int) -> None:
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
    entries = results.setdefault("diff", [])
    for size in sizes:
        old = package(size, work)
        new = next_release(old)
        measured = compare(
            f"{size} allocations",
            {
                "spie": [spie, "diff", str(old), str(new), "--json"],
                "diff -r": ["diff", "-r", str(old / "data"), str(new / "data")],
            },
            big_runs if size >= 1_000_000 else runs,
        )
        entries.append(_entry(size, "key order", old, measured))
        if daff.is_file() and size <= 20_000:
            script = " && ".join(
                f"{{ {daff} {old}/data/{t}.csv {new}/data/{t}.csv >/dev/null; [ $? -le 1 ]; }}"
                for t in ("allocations", "citations")
            )
            compare(
                f"{size} allocations, daff",
                {"spie": [spie, "diff", str(old), str(new), "--json"], "daff": ["sh", "-c", script]},
                runs,
            )


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:  # noqa: PTH123 - Linux only, as the figures
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {name: importlib.metadata.version(name) for name in ("pyarrow", "frictionless", "duckdb")}
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def startup(results: dict[str, Any], runs: int, spie: str) -> None:
    """Imports and summary: A against frictionless's import."""
    print("\n# start-up")
    results["startup"] = {
        "import": compare(
            "import (bare, spie_occitanie, frictionless)",
            {
                "bare": [PYTHON, "-c", "pass"],
                "spie_occitanie": [PYTHON, "-c", "import spie_occitanie"],
                "frictionless": [PYTHON, "-c", "import frictionless"],
            },
            runs,
        ),
        "summary": compare("spie-occitanie summary", {"summary": [spie, "summary"]}, runs),
    }


def validation(  # noqa: PLR0917 - the sections share their arguments
    results: dict[str, Any], sizes: list[int], work: Path, runs: int, big_runs: int, frictionless: str
) -> None:
    """The validator against frictionless, DuckDB's checks and pyarrow's typed parse, in and out of order."""
    print("\n# validation (spie: streaming validator; frictionless validate; DuckDB checks; pyarrow parse)")
    entries = results.setdefault("validate", [])
    for size in sizes:
        for unordered in (False, True):
            folder = package(size, work, unordered=unordered)
            commands = {
                "spie": [PYTHON, "-c", VALIDATE_STREAM, str(folder)],
                "duckdb": [PYTHON, str(HERE / "duckdb_checks.py"), str(folder)],
                "pyarrow": [PYTHON, "-c", ARROW_PARSE, str(folder)],
            }
            count = big_runs if size >= 1_000_000 else runs
            order = "shuffled" if unordered else "key order"
            measured = compare(f"{size} allocations, {order}", commands, count)
            # frictionless takes minutes: one run, after the others have warmed the files.
            measured |= compare(
                f"{size} allocations, {order}: frictionless",
                {"frictionless": [frictionless, "validate", str(folder / "datapackage.json")]},
                1,
                warm=False,
            )
            entries.append(_entry(size, order, folder, measured))


def _entry(size: int, order: str, folder: Path, measured: dict[str, Any]) -> dict[str, Any]:
    """One package's figures, with its size in allocations, rows and bytes."""
    return {
        "allocations": size,
        "order": order,
        "rows": rows_of(folder),
        "bytes": bytes_of(folder),
        "results": measured,
    }


def growth(results: dict[str, Any], sizes: list[int], work: Path, runs: int, *, label: str) -> None:
    """The validator alone on larger packages: how its time and memory grow (``label``: growth or huge)."""
    print(f"\n# {label}")
    entries = results.setdefault(label, [])
    for size in sizes:
        for unordered in (False, True) if label == "growth" else (False,):
            folder = package(size, work, unordered=unordered)
            order = "shuffled" if unordered else "key order"
            measured = compare(
                f"{size} allocations, {order}",
                {"spie": [PYTHON, "-c", VALIDATE_STREAM, str(folder)]},
                runs,
                warm=False,
            )
            entries.append(_entry(size, order, folder, measured))


def export(results: dict[str, Any], size: int, work: Path, runs: int) -> None:
    """The export from Arrow tables against pyarrow's CSV and Parquet writers, in one process."""
    print("\n# export from Arrow (write_arrow_package vs pyarrow write_csv + write_table)")
    source = arrow_input(package(size, work), work)
    target = work / "written"
    _, peak, status, printed = run([PYTHON, "-c", WRITE_ARROW, str(source), str(target), str(runs)])
    shutil.rmtree(target, ignore_errors=True)
    if status != 0:
        print(f"export failed with status {status}")
        return
    timed = json.loads(printed)
    entry = {
        "allocations": size,
        "rows": timed["rows"],
        "ours": statistics.median(timed["ours"]),
        "pyarrow": statistics.median(timed["pyarrow"]),
        "ours_runs": timed["ours"],
        "pyarrow_runs": timed["pyarrow"],
        "peak_mib": peak,
    }
    results["export"] = entry
    print(f"{size} allocations: ours {entry['ours']:.3f} s, pyarrow {entry['pyarrow']:.3f} s", flush=True)


def costs(results: dict[str, Any], size: int, work: Path, runs: int) -> None:
    """What any validation of these files pays before checking, and the temporary disk it uses."""
    print(f"\n# fixed costs at {size} allocations, key order; temporary disk")
    folder = package(size, work)
    measured = compare(
        f"{size} allocations",
        {
            "text parse": [PYTHON, "-c", TEXT_PARSE, str(folder)],
            "sha256": [PYTHON, "-c", HASHING, str(folder)],
            "start": [PYTHON, "-c", STARTING],
        },
        runs,
    )
    disk = {}
    for unordered in (False, True):
        path = package(size, work, unordered=unordered)
        _, _, status, printed = run([PYTHON, "-c", TEMPORARY_BYTES, str(path)])
        order = "shuffled" if unordered else "key order"
        with (path / "data" / "citations.csv").open("rb") as lines:
            citations = sum(1 for _ in lines) - 1  # the generated cells hold no line break
        disk[order] = {"bytes": int(printed.strip() or 0) if status == 0 else None, "citations": citations}
        print(f"temporary files, {order}: {printed.strip()} bytes", flush=True)
    results["costs"] = {"allocations": size, "results": measured, "temporary": disk}


def suite(results: dict[str, Any]) -> None:
    """The test suite as CI runs it."""
    print("\n# test suite (SPIE_HYPOTHESIS_PROFILE=ci)")
    env = dict(os.environ, SPIE_HYPOTHESIS_PROFILE="ci")
    wall, peak, status, printed = run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE.parent / "tests")], env=env
    )
    summary = printed.strip().splitlines()[-1] if printed.strip() else ""
    results["suite"] = {"wall": wall, "peak_mib": peak, "status": status, "summary": summary}
    print(f"{wall:.1f} s, status {status}: {summary}", flush=True)


def main() -> None:
    """Run the sections asked for, calibrating free cores around each, and save every figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300000,1000000", help="allocations compared with the others")
    parser.add_argument("--growth", default="1000000,3000000", help="allocations for the growth of memory")
    parser.add_argument("--huge", default="10000000", help="allocations of the largest run")
    parser.add_argument("--export-size", type=int, default=1_000_000, help="allocations exported from Arrow")
    parser.add_argument("--runs", type=int, default=3, help="counted runs of each command")
    parser.add_argument("--big-runs", type=int, default=1, help="counted runs at 1 000 000 rows or more")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "spie-bench"))
    parser.add_argument("--results", default=str(HERE / "results.json"), help="where the figures go (JSON)")
    parser.add_argument(
        "--sections",
        default="startup,validate,growth,huge,export,costs,suite",
        help="comma-separated among startup, validate, growth, huge, export, costs, suite, diff",
    )
    parser.add_argument(
        "--diff-runs", type=int, default=None, help="counted runs of the diff at every size (default: --runs)"
    )
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",")]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    compile_project()
    spie = str(BIN / "spie-occitanie")
    frictionless = str(BIN / "frictionless")
    path = Path(args.results)
    results: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    results["machine"] = machine()
    command = " ".join(["python", "benchmarks/run.py", *sys.argv[1:]])
    print(json.dumps(results["machine"]))
    calibration = results.setdefault("calibration", {})
    for section in sections:
        before = free_cores()
        if section == "startup":
            startup(results, args.runs, spie)
        elif section == "validate":
            validation(results, sizes, work, args.runs, args.big_runs, frictionless)
        elif section == "growth":
            growth(results, [int(s) for s in args.growth.split(",")], work, args.big_runs, label="growth")
        elif section == "huge":
            growth(results, [int(s) for s in args.huge.split(",")], work, 1, label="huge")
        elif section == "export":
            export(results, args.export_size, work, args.runs)
        elif section == "costs":
            costs(results, max(sizes), work, args.runs)
        elif section == "suite":
            suite(results)
        elif section == "diff":
            diff_section(results, sizes, work, args.diff_runs or args.runs, args.diff_runs or args.big_runs)
        after = free_cores()
        calibration[section] = {"before": before, "after": after, "cores": os.cpu_count(), "command": command}
        print(f"# free cores before and after: {before} {after}", flush=True)
        path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
