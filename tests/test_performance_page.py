"""The figures of docs/performance.md are those of benchmarks/results.json, rendered by benchmarks/report.py.

A figure edited by hand, or results measured again without the page being
written again, fail here: the page is the script's output, not a copy.
"""

from __future__ import annotations

import json

from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script


ROOT = Path(__file__).resolve().parents[1]


def _report() -> ModuleType:
    return load_script("benchmarks/report.py", "spie_benchmarks_report")


def test_the_page_shows_the_committed_results():
    report = _report()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert page == report.rewrite(page, report.render(results))


def test_every_goal_of_the_issue_has_a_verdict():
    """Validation against frictionless, DuckDB and the parse, memory, growth, the largest run, start-up,
    export and the suite: each goal is a row of the table, met or missed."""
    report = _report()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    rendered = report.render(results)
    assert "| the SHA-256 of every data file |" in rendered
    assert "| temporary files of one validation |" in rendered
    goals = rendered.split("### Goals", 1)[1]
    for words in (
        "x frictionless, 300 000, key order",
        "x frictionless, 1 000 000, shuffled",
        "faster than DuckDB's checks, 1 000 000, key order",
        "pyarrow's typed parse, 300 000, shuffled",
        "peak memory at most frictionless's, 1 000 000, key order",
        "memory growth under 10 MiB per million allocations, 1 000 000 to 3 000 000, key order",
        "memory growth under 10 MiB per million allocations, 1 000 000 to 3 000 000, shuffled",
        "10 000 000 allocations validate, in linear time",
        "`import spie_occitanie` at most 0.2",
        "`spie-occitanie summary` in at most 0.1 s",
        "export of 1 000 000 allocations from Arrow",
        "the CI test suite in under 3 minutes",
        "diff of two releases of 1 000 000 allocations, 1 % changed, in under 10 s",
    ):
        assert words in goals


@pytest.mark.parametrize(("free", "flagged"), [(2.0, False), (1.81, False), (1.79, True)])
def test_a_busy_machine_marks_its_ratios(free, flagged):
    report = _report()
    results = {"calibration": {"startup": {"before": free, "after": 2.0, "cores": 2}}}
    assert ("unreliable" in report._busy(results, "startup")) is flagged
