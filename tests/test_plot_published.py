"""The published figures, as a reader outside Python meets them (issue 14, figures).

Each scenario replays what a reader does: search an SVG for its words, ask a
screen reader for its title and description, read a figure in one language,
look at the regional panel, and look up the sources its caption names.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl


mpl.use("Agg")

import pytest

from hypothesis import given, settings
from PIL import Image

import spie_occitanie as spie

from spie_occitanie import plot
from spie_occitanie import strategies as sst
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES


if TYPE_CHECKING:
    from matplotlib.figure import Figure


DS = spie.load()
SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The English words the figures used to mix with French: none may come back.
ENGLISH = {
    "and",
    "announced",
    "autumn",
    "by",
    "covered",
    "data",
    "day",
    "deadline",
    "envelopes",
    "eur",
    "funding",
    "in",
    "known",
    "launch",
    "launched",
    "laureates",
    "listed",
    "month",
    "nearest",
    "none",
    "not",
    "of",
    "other",
    "overseas",
    "own",
    "regional",
    "round",
    "says",
    "season",
    "selected",
    "selection",
    "spring",
    "state",
    "summer",
    "the",
    "their",
    "to",
    "unknown",
    "winter",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The figures folder write_figures makes, once for the module."""
    folder = tmp_path_factory.mktemp("published")
    plot.write_figures(DS, folder)
    return folder / "figures"


@pytest.fixture(scope="module")
def figures() -> dict[str, Figure]:
    return {name: draw(DS) for name, draw in plot.FIGURES.items()}


def svg_texts(path: Path) -> list[str]:
    """Every ``<text>`` of an SVG, as a search engine or a screen reader finds it."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def drawn_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text() and t.get_visible()]


def title_of(table: str, column: str) -> str:
    """A column's French title without its qualifier: ``Lancement``, not ``Lancement (EDTF)``."""
    return re.sub(r" \([^)]*\)$", "", TABLES[table].column(column).title)


# -- text kept as text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("occitanie-map", ["Vague", "non retenu", "Haute-Garonne", "Pyrénées-Orientales", "AMI 2 (2022)"]),
        ("france-map", ["Outre-mer et autres territoires", "Mayotte (976)", "aucune sélection connue"]),
        ("funding", ["Montant (millions d'euros)", "inconnu", "Haute-Garonne (AMI 2) : État"]),
        ("timeline", ["AMI 2 : lancement", "15 juillet 2021", "février 2022", "inconnue"]),
    ],
)
def test_svg_keeps_text_as_text(written, figures, name, words):
    """The SVG holds the figure's French title and labels as <text>, and no glyph drawn as a path."""
    texts = svg_texts(written / f"{name}.svg")
    title = plot.figure_text(figures[name])["Title"]
    assert title in texts
    for word in words:
        assert any(word in t for t in texts), word
    root = ET.parse(written / f"{name}.svg").getroot()  # noqa: S314 - our own file
    glyphs = [e.get("id") for e in root.iter() if str(e.get("id", "")).startswith("DejaVu")]
    assert [] == glyphs


# -- title and description ------------------------------------------------------


@pytest.mark.parametrize("name", list(plot.FIGURES))
def test_svg_root_has_title_and_description(written, figures, name):
    """The root <svg> is an image in French whose first children are its <title> and <desc>."""
    root = ET.parse(written / f"{name}.svg").getroot()  # noqa: S314 - our own file
    text = plot.figure_text(figures[name])
    assert "img" == root.get("role")
    assert "fr" == root.get(XML_LANG)
    children = [child.tag for child in root][:2]
    assert [f"{SVG}title", f"{SVG}desc"] == children
    assert text["Title"] == root.findtext(f"{SVG}title")
    assert text["Description"] == root.findtext(f"{SVG}desc")
    # The title is the one drawn on the figure; the description says what it shows, and whence.
    assert [text["Title"]] == [t.get_text() for t in figures[name].texts if t.get_gid() == "title"]
    assert "Licence Ouverte 2.0" in text["Description"]


@pytest.mark.parametrize("name", list(plot.FIGURES))
def test_png_has_title_and_description(written, figures, name):
    """The PNG carries the same Title and Description, and still no software name nor date."""
    with Image.open(written / f"{name}.png") as image:
        chunks: dict[str, Any] = dict(image.text)  # type: ignore[attr-defined]
    text = plot.figure_text(figures[name])
    assert text["Title"] == chunks["Title"]
    assert text["Description"] == chunks["Description"]
    assert "Software" not in chunks
    assert "Creation Time" not in chunks


def test_descriptions_say_what_the_figures_show(figures):
    """A reader who cannot see the figure reads what it shows: the laureates, the amounts, the dates."""
    occitanie = plot.figure_text(figures["occitanie-map"])["Description"]
    assert "AMI 1 (2021) : Aude, Aveyron, Tarn." in occitanie
    assert "Non retenu : Ariège, Gers, Hérault, Lozère, Tarn-et-Garonne." in occitanie
    funding = plot.figure_text(figures["funding"])["Description"]
    assert "Haute-Garonne (AMI 2) : État, 370 000 € (à l'euro près)" in funding
    assert "Aude (AMI 1) : État, inconnu" in funding
    timeline = plot.figure_text(figures["timeline"])["Description"]
    assert (
        "AMI 2 : lancement 15 juillet 2021 (juin 2021 selon Préfet de la région Occitanie, lopinion.com)"
        in (timeline)
    )
    assert "Expérimentation : lancement mars 2020" in timeline
    assert "date limite inconnue ; annonce des lauréats inconnue. AMI 1 :" in timeline


# -- one language ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(plot.FIGURES))
def test_one_language_per_figure(figures, name):
    """No English word of the old chrome is left in the figure, its title or its description."""
    fig = figures[name]
    text = plot.figure_text(fig)
    words = {
        w.lower()
        for t in [*drawn_texts(fig), text["Title"], text["Description"]]
        for w in re.findall(r"[^\W\d_]+", t)
    }
    assert set() == words & ENGLISH


def test_french_words_come_from_the_tables_titles(figures):
    """Legend, axes and rows say what the published tables' titles say."""
    legend = figures["occitanie-map"].axes[0].get_legend()
    assert title_of("selections", "round_id") == legend.get_title().get_text()
    assert (
        title_of("selections", "round_id")
        == figures["france-map"].axes[0].get_legend().get_title().get_text()
    )
    ticks = [t.get_text() for t in figures["timeline"].axes[0].get_yticklabels()]
    for column in ("launched_edtf", "deadline_edtf", "announced_edtf"):
        event = title_of("rounds", column)
        assert f"AMI 2 : {event[:1].lower()}{event[1:]}" in ticks
    left, right = figures["funding"].axes
    assert left.get_xlabel().startswith(title_of("envelopes", "amount_eur") + " (")
    assert right.get_title(loc="left").startswith(f"{TABLES['envelopes'].title} régionales")
    assert plot.figure_text(figures["timeline"])["Title"].startswith(
        f"Les {TABLES['rounds'].title.lower()} du SPIE"
    )


# -- the regional panel ---------------------------------------------------------


def panel_gids(ax: Any) -> set[str]:
    return {
        str(a.get_gid()) for a in ax.findobj() if str(a.get_gid()).startswith(("allocation:", "envelope:"))
    }


def test_regional_panel_holds_only_its_region(figures):
    """The right panel: Occitanie's envelope and its laureates' allocations; the Meuse is on the left."""
    left, right = figures["funding"].axes
    assert {"envelope:occitanie-2021-2023", "allocation:cd-31-etat", "allocation:cd-31-cd-31"} == {
        g for g in panel_gids(right) if not g.endswith(":error")
    }
    labels = [t.get_text() for t in right.get_yticklabels()]
    names = {t.name for t in DS.territories_in("76")} | {"occitanie-2021-2023"}
    assert all(re.split(r" \(|\n", label)[0] in names for label in labels), labels
    assert not any("Meuse" in label for label in labels)
    assert "allocation:meuse-etat" in panel_gids(left)
    assert "Meuse (AMI 2) : État" in [t.get_text() for t in left.get_yticklabels()]
    assert (
        "Enveloppes régionales et attributions à leurs lauréats" == right.get_title(loc="left").split("\n")[0]
    )


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_regional_panel_of_any_dataset(ds):
    """For any dataset, every bar of the right panel is a regional envelope or a laureate of its région."""
    fig = plot.funding_chart(ds)
    left, right = fig.axes
    regional = {
        e.envelope_id: ds.get("territories", e.scope_id).code_region
        for e in ds.envelopes
        if e.scope_id is not None and ds.get("territories", e.scope_id) is not None
    }
    regions = set(regional.values())
    for gid in panel_gids(right):
        if gid.endswith(":error"):
            continue
        kind, key = gid.split(":", 1)
        if kind == "envelope":
            assert key in regional
        else:
            allocation = ds.get("allocations", key)
            territory = ds.get("territories", allocation.territory_id)
            assert territory.code_region in regions, gid
    # Nothing is lost: every envelope and allocation is drawn once, on one side or the other.
    drawn = [g for g in [*panel_gids(left), *panel_gids(right)] if not g.endswith(":error")]
    assert len(ds.envelopes) + len(ds.allocations) == len(drawn)


# -- captions -------------------------------------------------------------------


def test_captions_name_sources_by_title():
    """The caption names the two most cited sources by title, publisher and date, and counts the rest."""
    records = [("selections", s.key) for s in DS.selections_in(code_region="76")]
    credit = plot.data_credit(DS, records)
    assert "ds.sources" not in credit
    prefet = DS.source("prefet-occitanie-2022-02-03")
    assert f"«\u00a0{prefet.title}\u00a0» (Préfet de la région Occitanie, 3 février 2022)" in credit
    uses: dict[str, int] = {}
    for table, key in records:
        for citation in DS.citations_for(table, key):
            uses[citation.source_id] = uses.get(citation.source_id, 0) + 1
    ranked = sorted(uses, key=lambda s: (-uses[s], s))
    for source_id in ranked[:2]:
        assert DS.source(source_id).title in credit
    for source_id in ranked[2:]:
        assert DS.source(source_id).title not in credit
    assert f"et {len(ranked) - 2} autres sources (table «\u00a0Sources\u00a0» des données)." in credit
    # The same records in another order give the same caption.
    assert credit == plot.data_credit(DS, list(reversed(records)))
    assert (
        f"Données : spie_occitanie {spie.__version__}, Licence Ouverte 2.0 (etalab-2.0)."
        == plot.data_credit(DS)
    )


@pytest.mark.parametrize("name", list(plot.FIGURES))
def test_every_caption_is_on_the_figure_within_its_width(written, figures, name):
    """Each figure's caption names sources by title, wrapped so no line (nor title) leaves the figure."""
    fig = figures[name]
    credit = [t for t in fig.texts if t.get_gid() == "credit"]
    assert "Sources : «" in " ".join(t.get_text() for t in credit)
    fig.canvas.draw()
    width = fig.bbox.width
    for text in [t for t in fig.texts if t.get_gid() in {"credit", "title", "subtitle"}]:
        extent = text.get_window_extent()
        assert 0 <= extent.x0
        assert extent.x1 <= width, text.get_text()
    assert any("Sources : «" in t for t in svg_texts(written / f"{name}.svg"))
