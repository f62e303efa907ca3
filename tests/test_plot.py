"""The figures, rendered headless and read back: colours inside départements, legends, credits,
error bars that are the stated precision, unknown amounts written inconnu, partial dates as spans;
all in French, the SVG's text kept as text, each file with its title and description."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from pathlib import Path
from typing import Any, cast

import matplotlib as mpl


mpl.use("Agg")

import attrs
import numpy as np
import pytest

from hypothesis import given, settings
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import spie_occitanie as spie

from spie_occitanie import plot
from spie_occitanie import strategies as sst
from tests.conftest import FILE_EXAMPLES


ROOT = Path(__file__).parents[1]
GEO = ROOT / "src" / "spie_occitanie" / "geo"
SHARED_GEO = ROOT.parent / "shared" / "data" / "geo"
DS = spie.load()
COLOURS = plot.round_colours(DS)


def render(fig: Figure) -> np.ndarray[Any, Any]:
    """The figure drawn by Agg, as an RGBA array (row 0 at the top)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    return np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]


def pixel(fig: Figure, image: np.ndarray[Any, Any], lon: float, lat: float) -> tuple[int, ...]:
    """The RGBA colour drawn at a longitude and latitude of the figure's map."""
    x, y = fig.axes[0].transData.transform((lon, lat))
    return tuple(int(v) for v in image[round(image.shape[0] - y), round(x)])


def rgba(colour: Any) -> tuple[int, ...]:
    return tuple(round(255 * v) for v in to_rgba(colour))


def by_gid(fig: Figure, gid: str) -> list[Any]:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(mpl.text.Text)]


@pytest.fixture(scope="module")
def occitanie() -> tuple[Figure, np.ndarray]:
    fig = plot.occitanie_map(DS)
    return fig, render(fig)


@pytest.fixture(scope="module")
def france() -> tuple[Figure, np.ndarray]:
    fig = plot.france_map(DS)
    return fig, render(fig)


# -- the Occitanie map ----------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "lon", "lat", "round_id"),
    [
        ("Toulouse, Haute-Garonne", 1.44, 43.60, "ami-2"),
        ("Carcassonne, Aude", 2.35, 43.21, "ami-1"),
        ("Foix, Ariège", 1.61, 42.97, None),
        ("Montpellier, Hérault", 3.88, 43.61, None),
        ("Cahors, Lot", 1.44, 44.45, "ami-2"),
    ],
)
def test_occitanie_colours(occitanie, place, lon, lat, round_id):
    """Inside each département the map is its round's colour; a département no round selected is grey."""
    fig, image = occitanie
    expected = rgba(COLOURS[round_id] if round_id else plot.NOT_SELECTED_COLOUR)
    assert expected == pixel(fig, image, lon, lat), place


def test_occitanie_legend_has_one_entry_per_round(occitanie):
    """The legend: every round in order (the experimentation too, with none here), then 'non retenu'."""
    fig, _ = occitanie
    legend = fig.axes[0].get_legend()
    expected = ["Expérimentation (2020)", "AMI 1 (2021)", "AMI 2 (2022)", "non retenu"]
    assert expected == [t.get_text() for t in legend.get_texts()]
    assert "Vague" == legend.get_title().get_text()
    assert [rgba(COLOURS[r.round_id]) for r in sorted(DS.rounds, key=lambda r: r.number)] + [
        rgba(plot.NOT_SELECTED_COLOUR)
    ] == [rgba(h.get_facecolor()) for h in legend.legend_handles]


def test_occitanie_names_credits_and_no_axes(occitanie):
    """Every département is named, the axes are hidden, and the data and boundary credits are printed."""
    fig, _ = occitanie
    shown = texts(fig)
    assert {t.name for t in DS.territories_in("76")} <= set(shown)
    assert not fig.axes[0].axison
    credit = [t.get_text() for t in by_gid(fig, "credit")]
    assert plot.BOUNDARY_CREDIT in credit
    assert any(
        c.startswith(f"Données : spie_occitanie {spie.__version__}, Licence Ouverte 2.0") for c in credit
    )
    assert "(Préfet de la région Occitanie, 3 février 2022)" in " ".join(credit)
    assert (
        "8 départements retenus sur 13, chacun dans la couleur de la première vague qui l'a retenu" in shown
    )


def test_absence_label_follows_completeness():
    """'non retenu' where the counts prove the list complete; 'aucune sélection connue' where it is not."""
    assert "non retenu" == plot.absence_label(DS, "76")
    assert "aucune sélection connue" == plot.absence_label(DS)
    assert "aucune sélection connue" == plot.absence_label(attrs.evolve(DS, tallies=()), "76")


# -- the France map -------------------------------------------------------------


def test_france_colours(france):
    """Haute-Garonne is AMI 2's colour, the Haute-Savoie the experimentation's, the Gers grey."""
    fig, image = france
    assert rgba(COLOURS["ami-2"]) == pixel(fig, image, 1.44, 43.60)
    assert rgba(COLOURS["experimentation-2020"]) == pixel(fig, image, 6.40, 46.00)
    assert rgba(plot.NOT_SELECTED_COLOUR) == pixel(fig, image, 0.45, 43.70)


def test_france_hatches_what_non_departements_cover(france):
    """The CeA hatches 67 and 68 in AMI 1's colour, Lyon 69 and the Bretagne composite 22, 29, 35, 56."""
    fig, _ = france
    expected = {
        "67": "ami-1",
        "68": "ami-1",
        "69": "experimentation-2020",
        "22": "experimentation-2020",
        "29": "experimentation-2020",
        "35": "experimentation-2020",
        "56": "experimentation-2020",
        "2A": "ami-2",
        "2B": "ami-2",
    }
    hatched = {
        a.get_gid().removeprefix("covered-"): a
        for a in fig.findobj()
        if str(a.get_gid()).startswith("covered-")
    }
    assert set(expected) == set(hatched)
    for code, round_id in expected.items():
        assert rgba(COLOURS[round_id]) == rgba(hatched[code].get_edgecolor()), code
        assert hatched[code].get_hatch()


def test_france_lists_overseas_and_other_territories(france):
    """Beside the map: the overseas laureates and the territories that are not départements, by round."""
    fig, _ = france
    shown = " ".join(texts(fig))
    for name in (
        "Guadeloupe (971)",
        "Mayotte (976)",
        "La Réunion (974)",
        "Métropole de Lyon (69)",
        "Bastia (2B)",
    ):
        assert name in shown
    assert "Collectivité européenne d'Alsace (67, 68)" in shown
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert ["Expérimentation (2020)", "AMI 1 (2021)", "AMI 2 (2022)", "aucune sélection connue"] == legend[:4]
    counts = "Expérimentation (2020) 14 sur 14 ; AMI 1 (2021) 31 sur 31 ; AMI 2 (2022) 31 sur 34."
    assert f"Lauréats connus : {counts}" in " ".join(texts(fig))
    assert plot.BOUNDARY_CREDIT in texts(fig)


# -- funding --------------------------------------------------------------------


def half_length(fig: Figure, gid: str) -> float:
    """Half the length of the error bar drawn for a bar."""
    (bars,) = by_gid(fig, f"{gid}:error")
    assert isinstance(bars, LineCollection)
    (segment,) = bars.get_segments()
    return float(abs(segment[1][0] - segment[0][0]) / 2)


def test_funding_error_bars_are_half_the_precision():
    """Each bar is the amount, and its error bar spans ± half the precision, in the axis' unit."""
    fig = plot.funding_chart(DS)
    (occitanie,) = by_gid(fig, "envelope:occitanie-2021-2023")
    assert 1700.0 == pytest.approx(occitanie.get_width())  # milliers d'euros
    assert 50.0 == pytest.approx(half_length(fig, "envelope:occitanie-2021-2023"))
    (national,) = by_gid(fig, "envelope:national-2021-2023")
    assert 80.0 == pytest.approx(national.get_width())  # millions d'euros
    assert 0.5 == pytest.approx(half_length(fig, "envelope:national-2021-2023"))
    (hg,) = by_gid(fig, "allocation:cd-31-etat")
    assert 370.0 == pytest.approx(hg.get_width())
    assert 0.0005 == pytest.approx(half_length(fig, "allocation:cd-31-etat"))


def test_funding_unknown_is_written_not_zero():
    """The 7 Occitanie laureates with no known State amount read 'inconnu' and have no bar."""
    fig = plot.funding_chart(DS)
    unknown = [a for a in fig.findobj(mpl.text.Text) if str(a.get_gid()).startswith("unknown:")]
    expected = {s.key for s in DS.selections_in(code_region="76")} - {"ami-2|fr:departement:31"}
    assert expected == {str(a.get_gid()).removeprefix("unknown:") for a in unknown}
    assert all("inconnu" == a.get_text().strip() for a in unknown)
    bars = [
        a
        for a in fig.findobj(mpl.patches.Rectangle)
        if str(a.get_gid()).startswith(("allocation:", "envelope:"))
    ]
    assert len(DS.allocations) + len(DS.envelopes) == len(bars)
    assert all(bar.get_width() > 0 for bar in bars)


def test_funding_shows_the_disagreeing_amount():
    """ash-34's 65 M EUR for the national envelope is drawn beside the kept 80 M EUR, with its publisher."""
    fig = plot.funding_chart(DS)
    drawn = [
        a for a in fig.findobj(mpl.lines.Line2D) if str(a.get_gid()).startswith("claim:national-2021-2023:")
    ]
    (marker,) = [a for a in drawn if a.get_marker() == "D"]
    assert [65.0] == np.asarray(marker.get_xdata(), dtype=float).tolist()
    assert any("selon ASH : 65 000 000 € (à 1 000 000 € près)" in t for t in texts(fig))


# -- the timeline ---------------------------------------------------------------


def day(text: str) -> float:
    return float(mpl.dates.date2num(dt.date.fromisoformat(text)))  # type: ignore[no-untyped-call]


def test_timeline_draws_both_dates_of_the_ami_2_launch():
    """AMI 2's launch: the kept 15 July 2021 as a point, the prefecture's 'juin 2021' as the whole month."""
    fig = plot.timeline(DS)
    (kept,) = by_gid(fig, "kept:ami-2:launched")
    assert [day("2021-07-15")] == list(kept.get_xdata())
    (june,) = by_gid(fig, "claim:ami-2:launched:2021-06")
    assert day("2021-06-01") == pytest.approx(june.get_x())
    assert day("2021-07-01") == pytest.approx(june.get_x() + june.get_width())
    assert june.get_hatch()
    assert any("juin 2021 selon Préfet de la région Occitanie, lopinion.com" in t for t in texts(fig))
    assert any("15 juillet 2021" in t for t in texts(fig))


def test_timeline_spans_and_unknowns():
    """A month is drawn as its span (février 2022); a date no source gives is written inconnue."""
    fig = plot.timeline(DS)
    (announced,) = by_gid(fig, "kept:ami-2:announced")
    assert day("2022-02-01") == pytest.approx(announced.get_x())
    assert 28 == pytest.approx(announced.get_width())
    unknown = {a.get_gid() for a in fig.findobj(mpl.text.Text) if str(a.get_gid()).startswith("unknown:")}
    assert {"unknown:experimentation-2020:deadline", "unknown:experimentation-2020:announced"} == unknown
    assert {"inconnue"} == {a.get_text() for a in by_gid(fig, "unknown:experimentation-2020:deadline")}
    assert any("février 2022" in t for t in texts(fig))


def test_timeline_notes_stay_inside_the_axes():
    """A disagreeing date at the axis' start is named after its bar, not over the row labels."""
    fig = plot.timeline(DS)
    ax = fig.axes[0]
    fig.canvas.draw()
    left = ax.get_window_extent().x0
    notes = [t for t in ax.texts if " selon " in t.get_text()]
    assert notes
    for note in notes:
        assert left <= note.get_window_extent().x0, note.get_text()


# -- every figure ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(plot.FIGURES))
def test_every_figure_is_a_figure_with_a_png(name):
    """Each function returns a matplotlib Figure, which shows itself as a PNG in a notebook."""
    fig = plot.FIGURES[name](DS)
    assert isinstance(fig, Figure)
    assert cast("Any", fig)._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")
    assert any(t.startswith("Données : spie_occitanie") for t in texts(fig))


def test_figures_are_written_deterministically(tmp_path):
    """write_figures writes figures/<name>.png and .svg; twice gives the same bytes, and no date."""
    first = plot.write_figures(DS, tmp_path / "a")
    second = plot.write_figures(DS, tmp_path / "b")
    names = sorted(p.relative_to(tmp_path / "a").as_posix() for p in first)
    assert sorted(f"figures/{n}.{s}" for n in plot.FIGURES for s in ("png", "svg")) == names
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    svg = (tmp_path / "a" / "figures" / "occitanie-map.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert b"Software" not in (tmp_path / "a" / "figures" / "occitanie-map.png").read_bytes()


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_any_dataset_draws(ds):
    """Every figure draws for any dataset, with a legend entry per round on the map."""
    figures = {name: draw(ds) for name, draw in plot.FIGURES.items()}
    assert all(isinstance(fig, Figure) for fig in figures.values())
    legend = figures["occitanie-map"].axes[0].get_legend()
    assert legend is not None
    assert len(ds.rounds) + 1 == len(legend.get_texts())


def test_no_matplotlib_on_import():
    """`import spie_occitanie` and `import spie_occitanie.plot` load no matplotlib; drawing does."""
    code = (
        "import sys, spie_occitanie, spie_occitanie.plot as p\n"
        "assert 'matplotlib' not in sys.modules, 'imported'\n"
        "p.timeline(spie_occitanie.load())\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_says_what_to_install(monkeypatch):
    """Without matplotlib, drawing raises PlotUnavailableError (an ImportError) naming the plot extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(plot.PlotUnavailableError, match=r"pip install 'spie-occitanie\[plot\]'") as caught:
        plot.occitanie_map(DS)
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, spie.SpieError)


# -- the shipped boundaries -----------------------------------------------------


def test_boundaries_are_small_and_complete():
    """Under 300 KB; Occitanie's file has the 13 départements of région 76, France's the 96 metropolitan."""
    files = sorted(GEO.glob("*.geojson"))
    assert 3 == len(files)
    assert sum(p.stat().st_size for p in files) < 300_000
    occitanie = json.loads((GEO / "occitanie-departements.geojson").read_text(encoding="utf-8"))
    assert {t.code for t in DS.territories_in("76")} == {
        f["properties"]["code"] for f in occitanie["features"]
    }
    france = json.loads((GEO / "france-departements.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["code"] for f in france["features"]}
    assert 96 == len(codes)
    metropolitan = {
        t.code for t in DS.territories if t.kind is spie.TerritoryKind.DEPARTEMENT and len(t.code or "") == 2
    }
    assert metropolitan == codes


def test_boundaries_carry_their_attribution():
    """The README beside the boundaries gives the credit the licence asks for, and the maps print."""
    readme = (GEO / "README.md").read_text(encoding="utf-8")
    assert plot.BOUNDARY_CREDIT in readme
    assert "python tools/simplify_geo.py" in readme


@pytest.mark.skipif(
    not SHARED_GEO.is_dir(), reason="the shared reference boundaries are not beside the repository"
)
def test_boundaries_are_what_the_script_writes(tmp_path):
    """tools/simplify_geo.py, run on the shared reference files, writes exactly the shipped boundaries."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "simplify_geo.py"),
            "--source",
            str(SHARED_GEO),
            "--target",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for path in sorted(GEO.glob("*.geojson")):
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name


def test_shared_borders_stay_shared():
    """After simplification two neighbours still share every point of their border: no gap, no overlap."""
    occitanie = json.loads((GEO / "occitanie-departements.geojson").read_text(encoding="utf-8"))
    points = {
        f["properties"]["code"]: {
            tuple(p)
            for polygon in (
                f["geometry"]["coordinates"]
                if f["geometry"]["type"] == "MultiPolygon"
                else [f["geometry"]["coordinates"]]
            )
            for ring in polygon
            for p in ring
        }
        for f in occitanie["features"]
    }
    # Haute-Garonne (31) borders the Ariège (09), the Aude (11), the Gers (32) and the Hautes-Pyrénées (65).
    for neighbour in ("09", "11", "32", "65", "81", "82"):
        assert len(points["31"] & points[neighbour]) >= 2, neighbour
