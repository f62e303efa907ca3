"""Every record, and the completeness report, shows itself as an escaped table in a notebook."""

from __future__ import annotations

import html

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie.model import RECORD_TYPES


DS = spie.load()


@pytest.mark.parametrize("table", list(RECORD_TYPES))
def test_each_record_type_has_a_table(table):
    record = DS.table(table)[0]
    markup = record._repr_html_()
    assert markup.startswith("<table>")
    for field in attrs.fields(type(record)):
        assert f"<code>{field.name}</code>" in markup


def test_text_is_escaped():
    citation = attrs.evolve(DS.citations[0], note="<script>alert(1)</script>")
    markup = citation._repr_html_()
    assert "<script>" not in markup
    assert html.escape("<script>") in markup


def test_completeness_report():
    report = DS.completeness()
    assert isinstance(report, tuple)
    markup = report._repr_html_()
    assert markup.count("<tr>") == 1 + len(report)
    assert "ami-2" in markup
    assert "1 with territories unknown" in repr(report)
    assert "ami-2 (national): 31 of 34 known" in str(report)
