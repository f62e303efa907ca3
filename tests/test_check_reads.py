"""Every cross-record check runs in both engines: by columns where written, on records otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie.checks import CHECKS, READS, record_finding
from spie_occitanie.stream.validate import COLUMNAR_CHECKS, validate_stream
from tests.recorder import Recorder


if TYPE_CHECKING:
    from spie_occitanie.findings import Finding


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", list(CHECKS))
def test_each_check_reads_what_it_declares(name):
    """READS, which tells the streaming validator what a check needs, is what the check reads."""
    recorder = Recorder(spie.load())
    list(CHECKS[name](recorder))  # type: ignore[arg-type]
    assert recorder.read <= READS[name]


def test_columnar_checks_are_checks():
    assert COLUMNAR_CHECKS <= set(CHECKS)


def _unconvened(ds: spie.Dataset) -> Iterator[Finding]:
    """A new check over allocations, as a contributor would add it: no columnar part."""
    for allocation in ds.allocations:
        if allocation.convention is None:
            yield record_finding(
                "allocation-unconvened", "allocations", allocation.key, "convention", "no convention date"
            )


@pytest.mark.parametrize("declared", [True, False])
def test_a_new_check_over_allocations_runs_in_both_engines(monkeypatch, declared):
    """Registered in CHECKS only (and in READS or not), it reports the same findings in both engines."""
    monkeypatch.setitem(CHECKS, "unconvened", _unconvened)
    if declared:
        monkeypatch.setitem(READS, "unconvened", frozenset({"allocations"}))
    # A copy of the embedded dataset: its own check report is worked out once and kept.
    expected = attrs.evolve(spie.load()).check().by_check("allocation-unconvened")
    assert expected  # the Meuse's allocation has no convention date
    found = validate_stream(ROOT).by_check("allocation-unconvened")
    assert expected == found
