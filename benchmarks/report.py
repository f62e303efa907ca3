"""Write the figures of ``run.py`` into ``docs/performance.md``: tables and goals, from the JSON alone.

    python benchmarks/report.py benchmarks/results.json docs/performance.md

Everything between the two marker lines of the page is replaced by what
:func:`render` makes of the results; the prose around them (how the figures
were taken, why a goal is missed) is written by hand. A test renders the
committed results again and compares, so a figure cannot be edited by hand.
"""

from __future__ import annotations

import json
import sys

from pathlib import Path
from typing import Any


BEGIN = "<!-- figures: written by benchmarks/report.py from benchmarks/results.json; do not edit -->"
END = "<!-- end of figures -->"

#: The goals of the validator, as the issue that set them states them.
AGAINST_FRICTIONLESS = 25.0
AGAINST_PARSE = 2.0
GROWTH_MIB_PER_MILLION = 10.0
IMPORT_SHARE = 0.2
SUMMARY_SECONDS = 0.1
SUITE_SECONDS = 180.0
LINEAR = 1.25  # time per row at the largest size over that at 1 000 000, at most
IDLE_ENOUGH = 0.9  # share of the cores free for a figure to be reliable
DIFF_ALLOCATIONS = 1_000_000  # the diff's goal: two releases of this many allocations ...
DIFF_SECONDS = 10.0  # ... compared in under this many seconds


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB".replace(",", " ")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _verdict(met: bool, detail: str) -> str:
    return f"met ({detail})" if met else f"**missed** ({detail})"


def _busy(results: dict[str, Any], section: str) -> str:
    """A warning when the machine had fewer free cores than :data:`IDLE_ENOUGH` of them in a section."""
    calibration = results.get("calibration", {}).get(section)
    if not calibration:
        return " (no calibration)"
    free = min(calibration["before"], calibration["after"])
    if free < IDLE_ENOUGH * calibration["cores"]:
        return f" (unreliable: {free} of {calibration['cores']} cores free)"
    return ""


def _machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    lines = [
        "| | |",
        "|---|---|",
        f"| date | {m['date']} |",
        f"| machine | {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB of memory, {m['system']} |",
        (
            f"| software | Python {m['python']}, pyarrow {m['pyarrow']}, frictionless {m['frictionless']}, "
            f"DuckDB {m['duckdb']} |"
        ),
    ]
    calibration = results.get("calibration", {})
    commands = sorted({c["command"] for c in calibration.values() if "command" in c})
    lines += [f"| command | `{command}` |" for command in commands]
    if calibration:
        free = ", ".join(f"{name} {c['before']} / {c['after']}" for name, c in calibration.items())
        lines.append(f"| free cores (before / after each section) | {free} |")
    return lines


def _validation(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    lines = [
        (
            "| allocations (rows, CSV) | order | spie-occitanie | frictionless | DuckDB checks "
            "| pyarrow parse | frictionless / spie | DuckDB / spie | spie / parse |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    goals: list[tuple[str, str]] = []
    warning = _busy(results, "validate")
    for entry in results.get("validate", []):
        r = entry["results"]
        spie, fl, duck, parse = r["spie"], r["frictionless"], r["duckdb"], r["pyarrow"]
        size = _count(entry["allocations"])
        what = f"{size} ({_count(entry['rows'])} rows, {_count(round(entry['bytes'] / 1e6))} MB)"
        cells = [
            f"{_seconds(x['wall'])}, {_mib(x['peak_mib'])}"
            + ("" if x["status"] == 0 else f", exit {x['status']}")
            for x in (spie, fl, duck, parse)
        ]
        speed, duckdb, floor = (
            fl["wall"] / spie["wall"],
            duck["wall"] / spie["wall"],
            spie["wall"] / parse["wall"],
        )
        lines.append(
            f"| {what} | {entry['order']} | {' | '.join(cells)} "
            f"| {speed:.1f}x | {duckdb:.2f}x | {floor:.2f}x |"
        )
        where = f"{size}, {entry['order']}"
        goals += [
            (
                f"validate at least {AGAINST_FRICTIONLESS:.0f}x frictionless, {where}",
                _verdict(speed >= AGAINST_FRICTIONLESS, f"{speed:.1f}x") + warning,
            ),
            (f"faster than DuckDB's checks, {where}", _verdict(duckdb >= 1, f"{duckdb:.2f}x") + warning),
            (
                f"at most {AGAINST_PARSE:.0f}x pyarrow's typed parse, {where}",
                _verdict(floor <= AGAINST_PARSE, f"{floor:.2f}x") + warning,
            ),
            (
                f"peak memory at most frictionless's, {where}",
                _verdict(
                    spie["peak_mib"] <= fl["peak_mib"],
                    f"{_mib(spie['peak_mib'])} against {_mib(fl['peak_mib'])}",
                ),
            ),
        ]
    return lines, goals


def _growth(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    entries = results.get("growth", []) + results.get("huge", [])
    lines = [
        "| allocations (rows, CSV) | order | wall | peak | µs per row |",
        "|---|---|---|---|---|",
    ]
    for entry in entries:
        spie = entry["results"]["spie"]
        what = f"{_count(entry['allocations'])} ({_count(entry['rows'])} rows, {entry['bytes'] / 1e9:.1f} GB)"
        per_row = spie["wall"] / entry["rows"] * 1e6
        status = "" if spie["status"] == 0 else f" (exit {spie['status']})"
        lines.append(
            f"| {what} | {entry['order']} | {_seconds(spie['wall'])}{status} | {_mib(spie['peak_mib'])} "
            f"| {per_row:.2f} |"
        )
    goals: list[tuple[str, str]] = []
    by = {(e["allocations"], e["order"]): e for e in results.get("growth", [])}
    sizes = sorted({size for size, _ in by})
    for order in ("key order", "shuffled"):
        ordered = [by[s, order] for s in sizes if (s, order) in by]
        if len(ordered) >= 2:
            low, high = ordered[0], ordered[-1]
            millions = (high["allocations"] - low["allocations"]) / 1e6
            per_million = (
                high["results"]["spie"]["peak_mib"] - low["results"]["spie"]["peak_mib"]
            ) / millions
            span = f"{_count(low['allocations'])} to {_count(high['allocations'])}"
            goals.append(
                (
                    (
                        f"memory growth under {GROWTH_MIB_PER_MILLION:.0f} MiB per million allocations, "
                        f"{span}, {order}"
                    ),
                    _verdict(per_million < GROWTH_MIB_PER_MILLION, f"{per_million:+.1f} MiB per million"),
                )
            )
    huge = results.get("huge", [])
    million = by.get((1_000_000, "key order"))
    if huge and million:
        big = huge[-1]
        spie = big["results"]["spie"]
        ratio = (spie["wall"] / big["rows"]) / (million["results"]["spie"]["wall"] / million["rows"])
        ok = spie["status"] == 0 and ratio <= LINEAR
        goals.append(
            (
                f"{_count(big['allocations'])} allocations validate, in linear time",
                _verdict(
                    ok,
                    f"exit {spie['status']}, {_seconds(spie['wall'])}, {_mib(spie['peak_mib'])}; "
                    "time per row "
                    f"{ratio:.2f}x that at 1 000 000",
                )
                + _busy(results, "huge"),
            )
        )
    return lines, goals


def _startup(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    startup = results.get("startup")
    if not startup:
        return [], []
    imports = startup["import"]
    bare = imports["bare"]["wall"]
    ours, theirs = imports["spie_occitanie"]["wall"] - bare, imports["frictionless"]["wall"] - bare
    summary = startup["summary"]["summary"]["wall"]
    warning = _busy(results, "startup")
    lines = [
        "| what | wall |",
        "|---|---|",
        f"| bare interpreter | {bare:.3f} s |",
        f"| `import spie_occitanie` | {imports['spie_occitanie']['wall']:.3f} s |",
        f"| `import frictionless` | {imports['frictionless']['wall']:.3f} s |",
        f"| `spie-occitanie summary` | {summary:.3f} s |",
    ]
    goals = [
        (
            (
                f"`import spie_occitanie` at most {IMPORT_SHARE} of `import frictionless` "
                "(over a bare interpreter)"
            ),
            _verdict(
                ours <= IMPORT_SHARE * theirs, f"{ours:.3f} s against {theirs:.3f} s: {ours / theirs:.2f}"
            )
            + warning,
        ),
        (
            f"`spie-occitanie summary` in at most {SUMMARY_SECONDS} s",
            _verdict(summary <= SUMMARY_SECONDS, f"{summary:.3f} s") + warning,
        ),
    ]
    return lines, goals


def _export(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    export = results.get("export")
    if not export:
        return [], []
    ours, theirs = export["ours"], export["pyarrow"]
    lines = [
        "| allocations (rows) | `write_arrow_package` | pyarrow `write_csv` + `write_table` | process peak |",
        "|---|---|---|---|",
        (
            f"| {_count(export['allocations'])} ({_count(export['rows'])}) | {_seconds(ours)} "
            f"| {_seconds(theirs)} | {_mib(export['peak_mib'])} |"
        ),
    ]
    goals = [
        (
            (
                f"export of {_count(export['allocations'])} allocations from Arrow "
                "at least as fast as pyarrow's writers"
            ),
            _verdict(ours <= theirs, f"{theirs / ours:.2f}x") + _busy(results, "export"),
        )
    ]
    return lines, goals


def _costs(results: dict[str, Any]) -> list[str]:
    costs = results.get("costs")
    if not costs:
        return []
    r = costs["results"]
    parse = r["text parse"]["wall"]
    lines = [
        f"At {_count(costs['allocations'])} allocations in key order{_busy(results, 'costs')}:",
        "",
        "| what | wall |",
        "|---|---|",
        f"| every CSV read as text (Arrow's streaming reader, quoted newlines) | {_seconds(parse)} |",
        f"| the SHA-256 of every data file | {_seconds(r['sha256']['wall'])} |",
        f"| starting Python with pyarrow and the validator | {_seconds(r['start']['wall'])} |",
        "",
        "| temporary files of one validation | bytes | per citation |",
        "|---|---|---|",
    ]
    for order, disk in costs["temporary"].items():
        if disk["bytes"] is not None:
            lines.append(
                f"| {order} | {disk['bytes'] / 1e9:.2f} GB | {disk['bytes'] / disk['citations']:.0f} |"
            )
    return lines


def _diff(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    entries = results.get("diff", [])
    if not entries:
        return [], []
    lines = [
        "| allocations (rows, CSV per release) | `spie-occitanie diff --json` | GNU `diff -r` of `data/` |",
        "|---|---|---|",
    ]
    goals: list[tuple[str, str]] = []
    for entry in entries:
        r = entry["results"]
        spie, line_diff = r["spie"], r["diff -r"]
        what = f"{_count(entry['allocations'])} ({_count(entry['rows'])} rows, {entry['bytes'] / 1e9:.1f} GB)"
        lines.append(
            f"| {what} | {_seconds(spie['wall'])}, {_mib(spie['peak_mib'])} "
            f"| {_seconds(line_diff['wall'])}, {_mib(line_diff['peak_mib'])} |"
        )
        if entry["allocations"] == DIFF_ALLOCATIONS:
            goals.append(
                (
                    (
                        f"diff of two releases of {_count(DIFF_ALLOCATIONS)} allocations, 1 % changed, "
                        f"in under {DIFF_SECONDS:.0f} s"
                    ),
                    _verdict(spie["wall"] < DIFF_SECONDS, _seconds(spie["wall"])) + _busy(results, "diff"),
                )
            )
    return lines, goals


def _suite(results: dict[str, Any]) -> list[tuple[str, str]]:
    suite = results.get("suite")
    if not suite:
        return []
    detail = f"{suite['wall']:.0f} s, {suite['summary']}, exit {suite['status']}"
    return [
        (
            f"the CI test suite in under {SUITE_SECONDS / 60:.0f} minutes of pytest",
            _verdict(suite["wall"] < SUITE_SECONDS and suite["status"] == 0, detail)
            + _busy(results, "suite"),
        )
    ]


def render(results: dict[str, Any]) -> str:
    """The figures and the goals, as Markdown."""
    validation, validation_goals = _validation(results)
    growth, growth_goals = _growth(results)
    startup, startup_goals = _startup(results)
    export, export_goals = _export(results)
    diff, diff_goals = _diff(results)
    goals = validation_goals + growth_goals + startup_goals + export_goals + diff_goals + _suite(results)
    parts = [
        "### The machine\n",
        *_machine(results),
        "\n### Validation, side by side (medians)\n",
        *validation,
        "\n### Growth, and the largest package\n",
        *growth,
        "\n### Start-up\n",
        *startup,
        "\n### Export from Arrow (medians, inside one process)\n",
        *export,
        "\n### What reading the files costs, and the temporary disk\n",
        *_costs(results),
        "\n### Diff of two releases, 1 % of the allocations changed (medians)\n",
        *diff,
        "\n### Goals\n",
        "| goal | status |",
        "|---|---|",
        *(f"| {goal} | {status} |" for goal, status in goals),
    ]
    return "\n".join(parts) + "\n"


def rewrite(page: str, figures: str) -> str:
    """``page`` with the text between its markers replaced by ``figures``."""
    head, found, rest = page.partition(BEGIN)
    _, ended, tail = rest.partition(END)
    if not found or not ended:
        raise SystemExit(f"the page has no {BEGIN!r} ... {END!r} block")
    return f"{head}{BEGIN}\n\n{figures}\n{END}{tail}"


def main() -> None:
    """Rewrite the page's figures from the results."""
    results_path, page_path = Path(sys.argv[1]), Path(sys.argv[2])
    results = json.loads(results_path.read_text(encoding="utf-8"))
    page = page_path.read_text(encoding="utf-8")
    page_path.write_text(rewrite(page, render(results)), encoding="utf-8")


if __name__ == "__main__":
    main()
