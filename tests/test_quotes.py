"""Each quote is in the text of the source it names, and says what its citation claims.

The press release is shipped whole (``facts/texts/``). Every other source is
known through the project's evidence sheet (``tests/data/spie-facts.md``),
whose sections mix several sources; ``tests/data/sources/<source-id>.txt``
holds the passages the sheet attributes to one source, copied verbatim, each
group under a ``## `` line naming the sheet's section it comes from. A quote
must lie within one passage of its own source: a quote moved to another
source is not found there.
"""

from __future__ import annotations

import re

from functools import cache
from pathlib import Path

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie.designations import DESIGNATIONS
from spie_occitanie.facts import FACTS_DIR, load_facts
from spie_occitanie.model import Citation, CitationKind, Money, PartialDate, SourceKind
from spie_occitanie.model.text import parse_as, to_text


DS = spie.load()
RELEASE = "prefet-occitanie-2022-02-03"
DATA = Path(__file__).parent / "data"
SHEET = DATA / "spie-facts.md"
SOURCE_TEXTS = DATA / "sources"
QUOTED = [c for c in DS.citations if c.quote is not None]


def normalise(text: str) -> str:
    """DESIGN section 2's verbatim rule: drop Markdown emphasis, fold white space."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


@cache
def sheet_sections() -> dict[str, str]:
    """Each heading of the evidence sheet -> the normalised text of its section."""
    sections: dict[str, list[str]] = {}
    current: list[str] = sections.setdefault("", [])
    for line in SHEET.read_text(encoding="utf-8").splitlines():
        if line.startswith(("## ", "### ")):
            current = sections.setdefault(line.lstrip("#").strip(), [])
        current.append(line)
    return {heading: normalise("\n".join(lines)) for heading, lines in sections.items()}


@cache
def passages(source_id: str) -> tuple[tuple[str, str], ...]:
    """(section, passage) of a source's text file; the release is one passage, its own text."""
    if source_id == RELEASE:
        text = (FACTS_DIR / "texts" / f"{RELEASE}.txt").read_text(encoding="utf-8")
        return (("", normalise(text)),)
    path = SOURCE_TEXTS / f"{source_id}.txt"
    if not path.exists():
        return ()
    found = []
    section = None
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.strip():
            assert section is not None, f"{path.name}: a passage before any '## ' section line"
            found.append((section, normalise(line)))
    return tuple(found)


def quote_in_its_source(citation: Citation) -> bool:
    """Whether the citation's quote lies within one passage of the source it names."""
    assert citation.quote is not None
    quote = normalise(citation.quote)
    return any(quote in passage for _, passage in passages(citation.source_id))


def test_every_quoted_source_has_a_text():
    """Each source quoted has its text: the release, or a file of the sheet's passages."""
    quoted = {c.source_id for c in QUOTED}
    assert {s for s in quoted if not passages(s)} == set()
    files = {p.stem for p in SOURCE_TEXTS.glob("*.txt")}
    assert files <= {s.source_id for s in DS.sources}, "a text file for a source the dataset lacks"


@pytest.mark.parametrize("path", sorted(SOURCE_TEXTS.glob("*.txt")), ids=lambda p: p.stem)
def test_source_texts_are_copied_from_the_sheet(path):
    """Every passage of a source's file is verbatim in the section of the sheet its header names."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# {path.stem}: passages that tests/data/spie-facts.md attributes to ")
    sections = sheet_sections()
    for section, passage in passages(path.stem):
        headings = [h for h in sections if h.startswith(section)]
        assert headings, f"{path.name}: no section {section!r} in the sheet"
        assert any(passage in sections[h] for h in headings), f"{path.name}: {passage!r} not in {section!r}"


@pytest.mark.parametrize("citation", QUOTED, ids=[c.key for c in QUOTED])
def test_quote_is_in_its_own_source(citation):
    """A quote is a substring of a passage of the source it names, by DESIGN's verbatim rule."""
    assert quote_in_its_source(citation), f"{citation.source_id}: {citation.quote!r}"


def test_a_quote_moved_to_another_source_is_caught():
    """BDT-AMI2's words on the second call, attributed to ASH-34 (as the audit found them), fail."""
    (bdt,) = [c for c in DS.citations_for("rounds", "ami-2", "launched") if c.source_id == "bdt-ami2"]
    assert quote_in_its_source(bdt)
    assert not quote_in_its_source(attrs.evolve(bdt, source_id="ash-34"))


@pytest.mark.parametrize("citation", QUOTED, ids=[c.key for c in QUOTED])
def test_every_quote_moved_elsewhere_is_caught(citation):
    """Moving any quote to a source whose text lacks it makes the quote test fail."""
    quote = normalise(citation.quote or "")
    other = next(
        s.source_id
        for s in sorted(DS.sources, key=lambda s: s.source_id)
        if s.kind is not SourceKind.REFERENCE_DATASET
        and s.source_id != citation.source_id
        and not any(quote in p for _, p in passages(s.source_id))
    )
    assert not quote_in_its_source(attrs.evolve(citation, source_id=other))


# -- states: the quote says the value ---------------------------------------------------------

#: Text fields whose value is written as the source writes it (not an id, a code or a kind).
TEXT_FIELDS = {
    ("programmes", "name"),
    ("programmes", "acronym"),
    ("programmes", "strategy"),
    ("programmes", "purpose"),
    ("rounds", "name"),
    ("territories", "name"),
    ("organisations", "name"),
    ("envelopes", "covers"),
}
STATED_TEXTS = [
    c for c in QUOTED if (c.record_table, c.field) in TEXT_FIELDS and c.kind is CitationKind.STATES
]


@pytest.mark.parametrize("citation", STATED_TEXTS, ids=[c.key for c in STATED_TEXTS])
def test_a_stated_text_is_in_its_quote(citation):
    """A text a citation states is written in its quote: the record keeps the source's words."""
    assert citation.value is not None
    assert normalise(citation.value) in normalise(citation.quote or "")


def test_every_selection_states_its_wave_or_says_it_is_inferred():
    """A selection has a citation that states it, or its wave carries an inferred citation."""
    for selection in DS.selections:
        cites = DS.citations_for("selections", selection.key)
        stated = any(c.kind is CitationKind.STATES and c.field in (None, "round_id") for c in cites)
        inferred = any(
            c.kind is CitationKind.INFERRED for c in DS.citations_for("selections", selection.key, "round_id")
        )
        assert stated or inferred, selection.key


DEPLOYMENT_ONLY = (
    "aude-cd",
    "coorace-occitanie",
    "te-28",
    "te-37",
    "te-66",
    "te-77",
    "te-83",
    "meuse-prefecture",
    "face-maineetloire",
    "le64",
    "seine-et-marne-cd",
    "vaucluse-cd",
    "belfort-prefecture",
    "sarthe-cd",
)


def test_deployment_pages_support_a_wave_by_inference():
    """Sources that show SPIE running (or an application), not the wave, cite selections as inferred."""
    for citation in DS.citations:
        if citation.record_table == "selections" and citation.source_id in DEPLOYMENT_ONLY:
            assert citation.kind is CitationKind.INFERRED, citation.key


# -- one text form per type -------------------------------------------------------------------


def test_citation_values_have_one_text_form():
    """Money and dates in the citations table are written as the records' own values are."""
    for citation in DS.citations:
        if citation.value is None or citation.field is None or citation.record_key is None:
            continue
        record = DS.get(citation.record_table, citation.record_key)
        parsed = parse_as(type(record), citation.field, citation.value)
        if isinstance(parsed, Money | PartialDate):
            assert citation.value == to_text(parsed), citation.key


def test_facts_with_money_in_any_form_load_canonical(tmp_path):
    """A hand-written '65000000 ±500000' is published as Money's text, '65000000.00 ±500000.00'."""
    for name in ("sources.toml", "programme.toml", "rounds.toml", "organisations.toml", "funding.toml"):
        (tmp_path / name).write_text((FACTS_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    ds = load_facts(tmp_path)
    (ash,) = [
        c for c in ds.citations_for("envelopes", "national-2021-2023", "amount") if c.source_id == "ash-34"
    ]
    assert "65000000.00 ±500000.00" == ash.value


# -- the designations, listed once --------------------------------------------------------------


def test_facts_readme_lists_the_designations():
    """The facts README lists exactly the designations the check exempts, with their reasons."""
    readme = (FACTS_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)\.([a-z_]+)` \| (.+) \|$", readme, flags=re.MULTILINE)
    assert {(t, f): reason for t, f, reason in rows} == dict(DESIGNATIONS)


def test_data_dictionary_lists_the_designations():
    """The data dictionary names every designation with its reason."""
    text = (Path(__file__).parents[1] / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for (table, field), reason in DESIGNATIONS.items():
        assert f"| `{table}.{field}` | {reason} |" in text


def test_covers_of_the_cea_is_iso_3166_2():
    """The CeA covers the two départements ISO 3166-2 places under FR-6AE (checked with pycountry)."""
    pycountry = pytest.importorskip("pycountry")
    cea = DS.territory("spie:collectivite-europeenne-d-alsace")
    children = {
        f"fr:departement:{s.code.removeprefix('FR-')}"
        for s in pycountry.subdivisions.get(country_code="FR")
        if s.parent_code == cea.iso_3166_2
    }
    assert set(cea.covers) == children


def test_keys_are_the_primary_keys():
    """designations.KEYS, which the check reads, are the Table Schemas' primary keys."""
    from spie_occitanie.designations import KEYS
    from spie_occitanie.tables import TABLES

    assert dict(KEYS) == {name: table.primary_key for name, table in TABLES.items() if name != "coverage"}


# -- the overseas rows are restated from a file the package ships --------------------------------

COG_README = FACTS_DIR / "cog" / "README.md"
SHARED_COG_README = Path(__file__).parents[2] / "shared" / "reference" / "cog" / "README.md"


@pytest.mark.skipif(not SHARED_COG_README.exists(), reason="the project's notes lie outside the repository")
def test_shipped_cog_readme_is_the_projects_notes():
    """facts/cog/README.md is the project's COG notes, verbatim after its one-line provenance comment."""
    shipped = COG_README.read_text(encoding="utf-8").split("\n", 2)[2]
    assert SHARED_COG_README.read_text(encoding="utf-8") == shipped


def test_restated_rows_are_the_readme_table():
    """Each overseas row marked restated has the code, région, TNCC and name of cog/README.md's table."""
    table = re.findall(
        r"^\| (97\d) \| (0\d) \| \d+ \| (\d) \| ([^|]+?) \| 0\d ([^|]+?) \|$",
        COG_README.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert len(table) == 5
    for code, region, tncc, name, region_name in table:
        departement = DS.territory(f"fr:departement:{code}")
        assert (departement.code_region, departement.tncc, departement.name) == (region, int(tncc), name)
        assert DS.region(region).name == region_name
        assert departement.cog is not None
        assert departement.cog.value == "restated"
