"""How records and reports look: one-line repr, short str, escaped and well-formed HTML tables."""

from __future__ import annotations

import html
import html.parser
import subprocess
import sys

import attrs

from hypothesis import given

import spie_occitanie as spie

from spie_occitanie import display
from spie_occitanie import strategies as sst
from spie_occitanie.checks import Finding, Report, Severity
from spie_occitanie.conflicts import Conflict, Conflicts
from spie_occitanie.model import Territory


DS = spie.load()
VOID = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}


class _Checker(html.parser.HTMLParser):
    """Tracks open tags; fails on an end tag that closes something else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 - the attributes are not checked
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert tag == self.stack.pop(), f"</{tag}> closes another tag"

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Checker:
    """Parse HTML, asserting every tag is closed in order; return the parser for its tags and text."""
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert [] == checker.stack, f"unclosed {checker.stack}"
    return checker


def text_of(markup: str) -> str:
    """The text of well-formed HTML, one space between pieces."""
    return " ".join(" ".join(parse(markup).text).split())


# -- rounds, territories, envelopes ----------------------------------------------


def test_round_repr_is_one_line_with_its_dates():
    """repr(Round) is one line: id, French name, every known date, the national count retained."""
    expected = (
        "<Round ami-2: deuxième appel à manifestation d'intérêt; "
        "launched 2021-07-15, deadline 2021-10-11, announced 2022-02; 34 retained>"
    )
    assert expected == repr(DS.round("ami-2"))


def test_round_str_shows_spans_and_unknowns():
    """str(Round) is three lines; a month shows the days it spans; what no source says reads unknown."""
    text = str(DS.round("ami-2"))
    assert 3 == len(text.splitlines())
    assert "announced 2022-02 (2022-02-01 to 2022-02-28)" in text
    assert "cap per territory unknown" in text
    experimentation = str(DS.round("experimentation-2020"))
    assert "deadline unknown; announced unknown" in experimentation
    assert "targeted unknown, retained 14 nationally" in experimentation


def test_round_html_lists_every_field():
    """The round's HTML table has one row per field, and an unknown cap says unknown, not blank or 0."""
    markup = DS.round("ami-2")._repr_html_()
    checker = parse(markup)
    fields = [f.name for f in attrs.fields(type(DS.round("ami-2")))]
    assert len(fields) + 1 == checker.tags.count("tr")
    text = text_of(markup)
    assert all(name in text for name in fields)
    assert "cap unknown" in text
    assert "500 000 EUR (to the nearest 1 000)" in text_of(DS.round("ami-1")._repr_html_())


def test_territory_repr_and_str():
    """repr(Territory) names id, article, kind and région; str stays the short 'Haute-Garonne (31)'."""
    hg = DS.territory("31")
    assert "<Territory fr:departement:31: la Haute-Garonne, departement, région 76>" == repr(hg)
    assert "Haute-Garonne (31)" == str(hg)
    assert "<Territory spie:bastia: Bastia, intercommunalite covering 2B, région 94>" == repr(
        DS.territory("spie:bastia")
    )
    assert "Haute-Garonne" in text_of(hg._repr_html_())


def test_envelope_repr_str_and_html():
    """An envelope shows its amount with the precision it was stated to; unknown years say unknown."""
    envelope = DS.envelope("occitanie-2021-2023")
    assert (
        "<Envelope occitanie-2021-2023: 1 700 000 EUR (to the nearest 100 000) from etat, for fr:region:76>"
        == repr(envelope)
    )
    text = str(envelope)
    assert "years unknown; beneficiaries 8" in text
    assert 3 == len(text.splitlines())
    markup = text_of(envelope._repr_html_())
    assert "amount 1 700 000 EUR (to the nearest 100 000)" in markup
    assert "first_year unknown" in markup
    assert (
        "<Envelope national-2021-2023: 80 000 000 EUR (to the nearest 1 000 000) from etat, "
        "national, 2021-2023>" == (repr(DS.envelope("national-2021-2023")))
    )


def test_values():
    """Amounts keep their precision, partial dates their span, seasons their name; None is unknown."""
    assert "370 000 EUR (to the euro)" == display.euros(spie.Money.of(370000, 1))
    assert "12.34 EUR (to the cent)" == display.euros(spie.Money.of("12.34"))
    assert "2021-21 (spring 2021: 2021-03-01 to 2021-05-31)" == display.date_text(
        spie.PartialDate.from_edtf("2021-21")
    )
    assert "2021-07-15" == display.date_text(spie.PartialDate.from_edtf("2021-07-15"))
    assert "unknown" == display.value_text(None)
    assert "none" == display.value_text(())


def test_html_escapes_what_the_data_says():
    """Text from the data is escaped: a name with markup shows as text, never as a tag."""
    territory = attrs.evolve(DS.territory("31"), name='<script>alert("x")</script> & Cie')
    markup = territory._repr_html_()
    assert "<script>" not in markup
    assert "script" not in parse(markup).tags
    assert '<script>alert("x")</script> & Cie' in text_of(markup)
    assert "&lt;script&gt;" in markup


# -- reports and conflicts -------------------------------------------------------


def test_report_repr_counts_per_check():
    """repr(Report) is one line with the counts per check; str keeps the full list."""
    report = DS.check()
    assert "<Report: 0 error(s), 10 warning(s): incomplete-list 2, source-conflict 8>" == repr(report)
    assert 11 == len(str(report).splitlines())
    assert "<Report: 0 error(s), 0 warning(s): every check passed>" == repr(Report(()))


def test_report_html_has_one_row_per_finding():
    """The report's table has a row per finding, errors first, and says so when every check passed."""
    finding = Finding(
        check="dates-order",
        severity=Severity.ERROR,
        table="rounds",
        key="ami-2",
        field="deadline",
        message="m",
    )
    report = Report((*DS.check().findings, finding))
    checker = parse(report._repr_html_())
    assert 1 + len(report.findings) == checker.tags.count("tr")
    assert text_of(report._repr_html_()).startswith("Checks: 1 error(s), 10 warning(s) severity check")
    assert "every check passed" in text_of(Report(())._repr_html_())


def test_report_html_is_capped():
    """A report with more findings than MAX_ROWS shows MAX_ROWS rows and counts the rest."""
    findings = tuple(
        Finding(check="x", severity=Severity.WARNING, table="t", key=str(i), field=None, message="m")
        for i in range(display.MAX_ROWS + 5)
    )
    markup = Report(findings)._repr_html_()
    assert 1 + display.MAX_ROWS == parse(markup).tags.count("tr")
    assert "… and 5 more" in text_of(markup)


def test_conflicts_is_a_tuple():
    """ds.conflicts() is a tuple of Conflict: equal to a tuple, with len, indexing, slicing and iteration."""
    conflicts = DS.conflicts()
    assert isinstance(conflicts, Conflicts)
    assert isinstance(conflicts, tuple)
    assert tuple(conflicts) == conflicts
    assert 8 == len(conflicts)
    assert all(isinstance(c, Conflict) for c in conflicts)
    assert conflicts[0] == next(iter(conflicts))
    assert tuple(conflicts)[:2] == conflicts[:2]
    assert () == Conflicts(())


def test_conflicts_text():
    """str(conflicts) is a head line and one line per field: each value, its sources, the one kept."""
    lines = str(DS.conflicts()).splitlines()
    assert "8 field(s) where sources disagree" == lines[0]
    assert 9 == len(lines)
    assert (
        "  rounds ami-2 launched: kept 2021-07-15 (te-list, bdt-ami2, ash-34); "
        "2021-06 (prefet-occitanie-2022-02-03, opinion); 2021-07 (weka)"
    ) in lines
    assert (
        "  envelopes national-2021-2023 amount: kept 80 000 000 EUR (to the nearest 1 000 000) "
        "(prefet-occitanie-2022-02-03, opinion); 65 000 000 EUR (to the nearest 1 000 000) (ash-34)"
    ) in lines
    assert repr(DS.conflicts()).startswith("<Conflicts: 8 field(s) where sources disagree: envelopes")
    assert "sources agree on every field" == str(Conflicts(()))


def test_conflicts_html_has_quotes_on_hover():
    """One row per conflict; the kept value is marked; each source carries its quote in a title attribute."""
    conflicts = DS.conflicts()
    markup = conflicts._repr_html_()
    assert 1 + len(conflicts) == parse(markup).tags.count("tr")
    assert "<strong>2021-07-15</strong> (kept)" in markup
    launched = next(c for c in conflicts if (c.table, c.key, c.field) == ("rounds", "ami-2", "launched"))
    quote = next(
        c.citation.quote for c in launched.claims if c.citation.source_id == "prefet-occitanie-2022-02-03"
    )
    assert quote is not None
    assert f'title="{html.escape(quote, quote=True)}"' in markup


def test_conflict_against_the_rule_is_flagged():
    """A conflict whose record keeps a losing value says so in text and HTML."""
    conflict = DS.conflicts()[0]
    wrong = Conflicts((attrs.evolve(conflict, kept=conflict.claims[-1].text),))
    assert "[kept value is not the preferred one]" in str(wrong)
    assert "no: the rule prefers" in text_of(wrong._repr_html_())


# -- the dataset -----------------------------------------------------------------


def test_dataset_html():
    """The dataset's HTML: records per table, rounds with known and declared counts, checks, conflicts."""
    markup = DS._repr_html_()
    text = text_of(markup)
    assert "Records per table" in text
    assert "Rounds round name launched announced retained nationally known" in text
    assert (
        "ami-2 deuxième appel à manifestation d'intérêt 2021-07-15 2022-02 (2022-02-01 to 2022-02-28) 34 31"
        in text
    )
    assert "occitanie-2021-2023 fr:region:76 1 700 000 EUR (to the nearest 100 000) unknown" in text
    assert "Checks: 0 error(s), 10 warning(s); 8 field(s) where sources disagree." in text
    assert repr(DS).startswith("<Dataset: ")


def test_display_loads_no_heavy_library():
    """Every repr, str and HTML hook runs in a fresh interpreter without pandas, pyarrow or matplotlib."""
    code = (
        "import sys, spie_occitanie as s\n"
        "ds = s.load()\n"
        "items = [ds, ds.check(), ds.conflicts(), *ds.rounds, *ds.territories, *ds.envelopes]\n"
        "for item in items: repr(item); str(item); item._repr_html_()\n"
        "print(' '.join(m for m in ('pandas', 'pyarrow', 'matplotlib', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == result.stdout.strip()


@given(sst.datasets())
def test_any_dataset_displays(ds):
    """For any dataset, each repr is one line and each HTML rendering is well formed and names its record."""
    items = [ds, ds.check(), ds.conflicts(), *ds.rounds, *ds.territories, *ds.envelopes]
    for item in items:
        assert "\n" not in repr(item)
        str(item)
        parse(item._repr_html_())
    for round_ in ds.rounds:
        assert round_.round_id in text_of(round_._repr_html_())
        assert round_.round_id in text_of(ds._repr_html_())
    for territory in ds.territories:
        assert territory.name in text_of(territory._repr_html_())


def test_hooks_keep_the_classes_frozen_and_slotted():
    """Adding the hooks kept the records frozen, slotted and keyword-only."""
    for cls in (type(DS.round("ami-2")), Territory, type(DS.envelope("national-2021"))):
        assert "__slots__" in cls.__dict__
        assert all(a.kw_only for a in attrs.fields(cls))
        assert cls.__setattr__ is not object.__setattr__
