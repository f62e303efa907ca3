"""Maps and charts of a dataset, for people who would rather look than read.

Four figures, each a :class:`matplotlib.figure.Figure`:

- :func:`occitanie_map`: the 13 départements of Occitanie coloured by the
  round that selected them;
- :func:`france_map`: metropolitan France by round, with the overseas and
  non-département territories listed beside it;
- :func:`funding_chart`: envelopes and known allocations as bars, the stated
  precision as error bars, unknown amounts written *inconnu* (never zero);
- :func:`timeline`: the rounds' dates, a partial date ("juin 2021") drawn as
  the span it covers, and the dates of sources that disagree beside the kept one.

The figures are published, so they speak one language, French, and take
their words from the data's own vocabulary: the French titles of the tables
and columns (:data:`spie_occitanie.tables.TABLES`) and the rounds' names.
Identifiers stay as the data writes them. Each figure has a title and a
description (:func:`figure_text`), written into the files
:func:`write_figures` makes: ``<title>`` and ``<desc>`` in SVG, where text
stays text (searchable, readable by a screen reader), and ``Title`` and
``Description`` in PNG. Its caption names the sources it draws on by title.

matplotlib is imported when a figure is drawn, never by ``import
spie_occitanie``; install it with ``pip install 'spie-occitanie[plot]'``.
Figures are made without pyplot, so they never pile up in pyplot's list of
open figures, work under any backend, and show in a notebook by themselves
(they have ``_repr_png_``). Every figure carries its data credit, and maps the
credit their boundaries' licence asks for.

Boundaries are simplified copies of IGN GEOFLA 2016 shipped in
``spie_occitanie/geo/`` (see its README; ``tools/simplify_geo.py`` makes
them). Longitude and latitude are drawn with the aspect ratio of the map's
middle latitude, which is close enough at the scale of a région or of France.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import math
import re
import textwrap

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spie_occitanie.errors import PlotUnavailableError
from spie_occitanie.model import (
    Money,
    OrganisationKind,
    PartialDate,
    Precision,
    Round,
    RoundKind,
    Selection,
    TerritoryKind,
    departement_id,
    region_id,
)
from spie_occitanie.model.render import date_fr, euros_fr


if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from spie_occitanie.dataset import Dataset


__all__ = [
    "BOUNDARY_CREDIT",
    "DISAGREEING_COLOUR",
    "FIGURES",
    "NOT_SELECTED_COLOUR",
    "PALETTE",
    "PlotUnavailableError",
    "absence_label",
    "data_credit",
    "figure_text",
    "france_map",
    "funding_chart",
    "occitanie_map",
    "round_colours",
    "round_label",
    "timeline",
    "write_figures",
]

#: What the boundaries' licence asks every map to say.
BOUNDARY_CREDIT = "Contours : IGN GEOFLA 2016, codes INSEE COG, via france-geojson (Licence Ouverte)"
#: Round colours in round order (Okabe and Ito's palette, readable with colour blindness).
PALETTE = ("#E69F00", "#009E73", "#0072B2", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
#: A territory no round selected.
NOT_SELECTED_COLOUR = "#DDDDDD"
#: A value a source gives that disagrees with the value the record keeps.
DISAGREEING_COLOUR = "#CC3311"
_TEXT = "#222222"
_MUTED = "#666666"
_DPI = 150
_OCCITANIE = "76"


def _require_matplotlib() -> None:
    try:
        import matplotlib as mpl  # noqa: F401
    except ImportError as error:
        raise PlotUnavailableError("spie_occitanie.plot (matplotlib)", extra="plot") from error


@functools.cache
def _figure_class() -> type[Figure]:
    """A Figure that shows itself in a notebook, with no pyplot and no backend chosen."""
    from matplotlib.figure import Figure

    class SpieFigure(Figure):
        """A matplotlib Figure that renders as PNG where IPython asks for it."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100, metadata={**figure_text(self), "Software": None})
            return buffer.getvalue()

    return SpieFigure


def _new_figure(width: float, height: float) -> Figure:
    _require_matplotlib()
    return _figure_class()(figsize=(width, height), dpi=100)


# -- words ----------------------------------------------------------------------

#: What a figure says in place of a value no source gives.
UNKNOWN_AMOUNT = "inconnu"
UNKNOWN_DATE = "inconnue"


def _title(table: str, column: str | None = None) -> str:
    """The French title of a table, or of one of its columns without its qualifier.

    The figures say what the published tables say: ``Vague``, ``Lancement``
    (not ``Lancement (EDTF)``), ``Montant`` (not ``Montant (euros)``).
    """
    from spie_occitanie.tables import TABLES

    if column is None:
        return TABLES[table].title
    return re.sub(r" \([^)]*\)$", "", TABLES[table].column(column).title)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short_publisher(publisher: str) -> str:
    """A publisher without its parenthesis: ``ASH``, not ``ASH (Actualités sociales hebdomadaires)``."""
    return re.sub(r"\s*\(.*\)$", "", publisher) or publisher


def _according_to(ds: Dataset, source_ids: Iterable[str]) -> str:
    """The publishers of sources, each once, in order: ``Préfet de la région Occitanie, lopinion.com``."""
    names: list[str] = []
    for source_id in source_ids:
        source = ds.get("sources", source_id)
        name = source_id if source is None else _short_publisher(source.publisher)
        if name not in names:
            names.append(name)
    return ", ".join(names)


# -- rounds, colours, credits --------------------------------------------------


def _rounds(ds: Dataset) -> list[Round]:
    return sorted(ds.rounds, key=lambda r: (r.number, r.round_id))


def round_colours(ds: Dataset) -> dict[str, str]:
    """Each round's colour, by round order: the same round, the same colour on every figure."""
    return {r.round_id: PALETTE[i % len(PALETTE)] for i, r in enumerate(_rounds(ds))}


def round_label(round_: Round, *, year: bool = True) -> str:
    """A short label: ``AMI 2 (2022)``, ``Expérimentation (2020)``; the year it was announced or launched."""
    date = round_.announced or round_.launched
    when = f" ({date.year})" if date is not None and year else ""
    if round_.kind is RoundKind.AMI:
        return f"AMI {round_.number}{when}"
    return f"{round_.name[:1].upper()}{round_.name[1:]}{when}"


def _complete(ds: Dataset, scope_id: str | None) -> bool:
    """Whether every round's list of laureates is known, nationally or for a région."""
    from spie_occitanie.completeness import proofs_of_completeness

    return all(proofs_of_completeness(ds, scope_id).values())


def absence_label(ds: Dataset, code_region: str | None = None) -> str:
    """``non retenu`` when every list is known (for the région, if given), else ``aucune sélection connue``.

    The sources name 31 of the 34 laureates of AMI 2: a département absent
    from the known lists may be one of the other three, unless a count stated
    for its région shows that région's list is complete.
    """
    scope = None if code_region is None else region_id(code_region)
    return "non retenu" if _complete(ds, scope) else "aucune sélection connue"


def data_credit(ds: Dataset, records: Iterable[tuple[str, str]] = ()) -> str:
    """Where a figure's data comes from: this package, its licence, and the sources of ``records``.

    ``records`` are (table, key) pairs; the sources their citations use are
    counted and the two most cited named by title, publisher and date, as a
    reader without Python can look them up; the others are counted and found
    in the published ``Sources`` table.
    """
    from spie_occitanie._version import __version__

    uses: dict[str, int] = {}
    for table, key in records:
        for citation in ds.citations_about(table, key):
            uses[citation.source_id] = uses.get(citation.source_id, 0) + 1
    text = f"Données : spie_occitanie {__version__}, Licence Ouverte 2.0 (etalab-2.0)."
    if not uses:
        return text
    ranked = sorted(uses, key=lambda s: (-uses[s], s))
    named = []
    for source_id in ranked[:2]:
        source = ds.get("sources", source_id)
        if source is None:
            named.append(source_id)
            continue
        by = source.publisher
        if source.published is not None:
            by += f", {date_fr(source.published)}"
        named.append(_quoted(f"{source.title}") + f" ({by})")
    others = len(ranked) - len(named)
    table = _quoted(_title("sources"))
    more = ""
    if others == 1:
        more = f" ; et 1 autre source (table {table} des données)"
    elif others > 1:
        more = f" ; et {others} autres sources (table {table} des données)"
    return f"{text} {_title('sources')} : {' ; '.join(named)}{more}."


def _quoted(text: str) -> str:
    """French quotation marks, held to the text by no-break spaces so a line never ends on one."""
    return f"«\u00a0{text}\u00a0»"


def _credits(fig: Figure, lines: Sequence[str]) -> None:
    """The credits at the bottom, each wrapped to the figure's width, the last line lowest."""
    width = max(40, int(fig.get_figwidth() * 72 / 3.7))
    wrapped = [part for line in lines for part in (textwrap.wrap(line, width) or [line])]
    step = 9.0 / 72 / fig.get_figheight()
    for i, line in enumerate(reversed(wrapped)):
        fig.text(
            0.01, 0.012 + step * i, line, fontsize=6.5, color=_MUTED, ha="left", va="bottom", gid="credit"
        )


def _finish(
    fig: Figure,
    *,
    at: tuple[float, float],
    title: str,
    subtitle: str,
    summary: Sequence[str],
    credit: Sequence[str],
) -> None:
    """The title, subtitle and credits on the figure, and the title and description its files carry.

    The description is what a reader who cannot see the figure needs: the
    subtitle, what the figure shows in words, and the credits.
    """
    x, y = at
    fig.text(x, y, title, fontsize=14, weight="bold", gid="title")
    fig.text(x, y - 0.25 / fig.get_figheight(), subtitle, fontsize=9.5, color=_MUTED, gid="subtitle")
    _credits(fig, credit)
    description = " ".join(_sentence(part) for part in (subtitle, *summary, *credit))
    fig._spie_text = {"Title": title, "Description": description}  # type: ignore[attr-defined]  # noqa: SLF001


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def figure_text(fig: Figure) -> dict[str, str]:
    """A figure's ``Title`` and ``Description``, as its PNG and SVG files carry them.

    Empty for a figure this module did not draw.
    """
    text = getattr(fig, "_spie_text", None)
    return dict(text) if isinstance(text, dict) else {}


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG contrast)."""
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if (1.05 / (luminance + 0.05)) > ((luminance + 0.05) / 0.05) else _TEXT


# -- boundaries -----------------------------------------------------------------

Ring = list[tuple[float, float]]


@functools.cache
def _boundaries(name: str) -> tuple[tuple[str, str, tuple[tuple[Ring, ...], ...]], ...]:
    """(code, name, polygons) of every feature of a shipped GeoJSON file."""
    text = resources.files("spie_occitanie").joinpath("geo", name).read_text(encoding="utf-8")
    features = []
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        shapes = tuple(
            tuple([(float(x), float(y)) for x, y in ring] for ring in polygon) for polygon in polygons
        )
        features.append((str(feature["properties"]["code"]), str(feature["properties"]["nom"]), shapes))
    return tuple(features)


def _area(ring: Ring) -> float:
    """Signed area (shoelace): positive when counter-clockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))


def _path(polygons: Iterable[Iterable[Ring]]) -> Any:
    """One compound path: exteriors counter-clockwise, holes clockwise, so holes stay empty."""
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            points = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
            if (_area(points) > 0) != (i == 0):
                points.reverse()
            vertices.extend([*points, points[0]])
            move, line, close = int(MplPath.MOVETO), int(MplPath.LINETO), int(MplPath.CLOSEPOLY)
            codes.extend([move] + [line] * (len(points) - 1) + [close])
    return MplPath(vertices, codes)


@functools.cache
def _label_points(name: str, middle_latitude: float) -> dict[str, tuple[float, float]]:
    """Where each feature of a boundary file is named; the geometry never changes, so once."""
    return {code: _label_point(polygons, middle_latitude) for code, _, polygons in _boundaries(name)}


def _label_point(polygons: Sequence[Sequence[Ring]], middle_latitude: float) -> tuple[float, float]:
    """Where a name fits best in the largest polygon: the inside point farthest from its edges.

    Distances are measured on the map, with horizontal room counted at half
    its length, since a name is wider than it is tall. The candidates are a
    grid over the polygon's bounding box.
    """
    import numpy as np

    from matplotlib.path import Path as MplPath

    polygon = max(polygons, key=lambda p: abs(_area(p[0])))
    exterior = np.asarray(polygon[0], dtype=float)
    (x0, y0), (x1, y1) = exterior.min(axis=0), exterior.max(axis=0)
    xs, ys = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    candidates = np.column_stack([xs.ravel(), ys.ravel()])
    inside = MplPath(exterior).contains_points(candidates)
    for hole in polygon[1:]:
        inside &= ~MplPath(np.asarray(hole, dtype=float)).contains_points(candidates)
    points = candidates[inside]
    if len(points) == 0:
        centre = exterior.mean(axis=0)
        return float(centre[0]), float(centre[1])
    scale = np.array([0.5 * math.cos(math.radians(middle_latitude)), 1.0])
    starts = np.concatenate([np.asarray(ring, dtype=float) for ring in polygon]) * scale
    ends = np.concatenate([np.roll(np.asarray(ring, dtype=float), -1, axis=0) for ring in polygon]) * scale
    seen = points[:, None, :] * scale
    edge = ends - starts
    length = np.maximum((edge**2).sum(axis=1), 1e-18)
    t = np.clip(((seen - starts) * edge).sum(axis=2) / length, 0.0, 1.0)
    nearest = np.linalg.norm(seen - (starts + t[..., None] * edge), axis=2).min(axis=1)
    best = points[int(np.argmax(nearest))]
    return float(best[0]), float(best[1])


def _map_axes(fig: Figure, rect: tuple[float, float, float, float], middle_latitude: float) -> Axes:
    """Axes for a map in longitude and latitude, at the aspect of its middle latitude, without axis lines."""
    ax = fig.add_axes(rect)
    ax.set_aspect(1 / math.cos(math.radians(middle_latitude)))
    ax.set_axis_off()
    return ax


def _fit(ax: Axes, features: Iterable[tuple[str, str, tuple[tuple[Ring, ...], ...]]]) -> None:
    """Set the map's limits to its boundaries, with a small margin.

    Patches are added with ``add_artist``, which skips matplotlib's slow
    curve-by-curve limit update: the limits are the boundaries' extent.
    """
    xs = [x for _, _, polygons in features for polygon in polygons for x, _ in polygon[0]]
    ys = [y for _, _, polygons in features for polygon in polygons for _, y in polygon[0]]
    dx, dy = (max(xs) - min(xs)) * 0.02, (max(ys) - min(ys)) * 0.02
    ax.set_xlim(min(xs) - dx, max(xs) + dx)
    ax.set_ylim(min(ys) - dy, max(ys) + dy)


def _first_rounds(ds: Dataset) -> dict[str, str]:
    """The first round that selected each territory, by territory id."""
    number = {r.round_id: r.number for r in ds.rounds}
    first: dict[str, str] = {}
    for selection in sorted(ds.selections, key=lambda s: (number.get(s.round_id, -1), s.round_id)):
        first.setdefault(selection.territory_id, selection.round_id)
    return first


# -- the maps -------------------------------------------------------------------


def occitanie_map(ds: Dataset) -> Figure:
    """The 13 départements of Occitanie, coloured by the round that selected each.

    A legend entry per round of the dataset (a round with no laureate here
    still has one, so the reader sees it selected none), and one for the
    départements no round selected. Names on the map; no axes; the data and
    boundary credits at the bottom.
    """
    _require_matplotlib()  # before any import of matplotlib's modules
    from matplotlib.patches import Patch, PathPatch

    features = _boundaries("occitanie-departements.geojson")
    colours = round_colours(ds)
    first = _first_rounds(ds)
    absent = absence_label(ds, _OCCITANIE)
    fig = _new_figure(8.0, 7.2)
    ax = _map_axes(fig, (0.02, 0.08, 0.96, 0.80), 43.7)
    shown: list[tuple[str, str]] = []
    named: dict[str | None, list[str]] = {}
    for code, name, polygons in features:
        territory_id = departement_id(code)
        round_id = first.get(territory_id)
        fill = colours.get(round_id, NOT_SELECTED_COLOUR) if round_id else NOT_SELECTED_COLOUR
        ax.add_artist(
            PathPatch(
                _path(polygons), facecolor=fill, edgecolor="white", linewidth=1.0, gid=f"departement-{code}"
            )
        )
        territory = ds.get("territories", territory_id)
        label = territory.name if territory is not None else name
        x, y = _label_points("occitanie-departements.geojson", 43.7)[code]
        ax.text(x, y, label, ha="center", va="center", fontsize=7.5, color=_text_colour(fill))
        named.setdefault(round_id, []).append(label)
        if round_id is not None:
            shown.append(("selections", f"{round_id}|{territory_id}"))
    _fit(ax, features)
    handles = [Patch(facecolor=colours[r.round_id], label=round_label(r)) for r in _rounds(ds)]
    handles.append(Patch(facecolor=NOT_SELECTED_COLOUR, label=absent))
    ax.legend(
        handles=handles, loc="lower right", frameon=False, fontsize=9, title=_title("selections", "round_id")
    )
    selected = sum(1 for code, _, _ in features if departement_id(code) in first)
    summary = [
        f"Carte des {len(features)} départements de la région Occitanie",
        *(f"{round_label(r)} : {', '.join(named.get(r.round_id, [])) or 'aucun'}" for r in _rounds(ds)),
        f"{_capitalised(absent)} : {', '.join(named.get(None, [])) or 'aucun'}",
    ]
    _finish(
        fig,
        at=(0.03, 0.955),
        title="Le SPIE en Occitanie : départements par vague",
        subtitle=f"{selected} départements retenus sur {len(features)}, "
        "chacun dans la couleur de la première vague qui l'a retenu",
        summary=summary,
        credit=[data_credit(ds, shown), BOUNDARY_CREDIT],
    )
    return fig


def france_map(ds: Dataset) -> Figure:
    """Metropolitan départements by round, the other territories listed beside the map.

    A département selected as such takes its round's colour. A territory that
    is not a département (a métropole, a collectivité, an intercommunal
    territory, a composite) hatches the départements it covers in its round's
    colour and is listed at the right, with the overseas territories, which the
    map does not show. The subtitle says how many laureates of each round are
    known, since the sources do not name every one.
    """
    _require_matplotlib()  # before any import of matplotlib's modules
    from matplotlib.patches import Patch, PathPatch

    departements = _boundaries("france-departements.geojson")
    regions = _boundaries("france-regions.geojson")
    on_map = {code for code, _, _ in departements}
    colours = round_colours(ds)
    first = _first_rounds(ds)
    absent = absence_label(ds)
    fig = _new_figure(12.0, 8.0)
    ax = _map_axes(fig, (0.01, 0.07, 0.60, 0.80), 46.5)
    hatched: dict[str, str] = {}
    listed: list[tuple[Round, str]] = []
    shown: list[tuple[str, str]] = []
    number = {r.round_id: r for r in ds.rounds}
    order = {r.round_id: r.number for r in ds.rounds}
    for selection in sorted(ds.selections, key=lambda s: (order.get(s.round_id, -1), s.territory_id)):
        territory = ds.get("territories", selection.territory_id)
        if territory is None or selection.round_id not in number:
            continue
        shown.append(("selections", selection.key))
        if territory.kind is TerritoryKind.DEPARTEMENT and territory.code in on_map:
            continue
        for covered in territory.covers:
            hatched.setdefault(covered.rsplit(":", 1)[-1], selection.round_id)
        where = ", ".join(c.rsplit(":", 1)[-1] for c in territory.covers) or territory.code or ""
        listed.append(
            (number[selection.round_id], f"{territory.name} ({where})" if where else territory.name)
        )
    for code, _, polygons in departements:
        round_id = first.get(departement_id(code))
        fill = colours.get(round_id, NOT_SELECTED_COLOUR) if round_id else NOT_SELECTED_COLOUR
        path = _path(polygons)
        ax.add_artist(
            PathPatch(path, facecolor=fill, edgecolor="white", linewidth=0.4, gid=f"departement-{code}")
        )
        if code in hatched:
            ax.add_artist(
                PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=colours[hatched[code]],
                    linewidth=0.0,
                    hatch="//////",
                    gid=f"covered-{code}",
                )
            )
    for code, _, polygons in regions:
        # Occitanie's outline on top, so its neighbours' thinner borders do not hide it.
        width, colour, layer = (1.6, _TEXT, 3.0) if code == _OCCITANIE else (0.7, "#555555", 2.0)
        ax.add_artist(
            PathPatch(_path(polygons), facecolor="none", edgecolor=colour, linewidth=width, zorder=layer)
        )
    _fit(ax, departements)
    handles = [Patch(facecolor=colours[r.round_id], label=round_label(r)) for r in _rounds(ds)]
    handles.append(Patch(facecolor=NOT_SELECTED_COLOUR, label=absent))
    handles.append(
        Patch(
            facecolor="white",
            edgecolor=_MUTED,
            hatch="//////",
            label="couvert par un territoire listé à droite",
        )
    )
    ax.legend(
        handles=handles, loc="lower left", frameon=False, fontsize=8.5, title=_title("selections", "round_id")
    )
    side = fig.add_axes((0.63, 0.07, 0.36, 0.80))
    side.set_axis_off()
    _territory_list(side, listed, colours)
    counts = []
    for line in ds.completeness():
        if line.scope_id is None and line.round_id in number:
            declared = "?" if line.declared is None else str(line.declared)
            counts.append(f"{round_label(number[line.round_id])} {line.known} sur {declared}")
    known = " ; ".join(counts)
    listing = [
        f"{round_label(r)} : {', '.join(name for round_, name in listed if round_ is r)}"
        for r in _rounds(ds)
        if any(round_ is r for round_, _ in listed)
    ]
    _finish(
        fig,
        at=(0.02, 0.955),
        title="Le SPIE en France : territoires par vague",
        subtitle=f"{_title('selections')} connus : {known}. L'Occitanie est cernée d'un trait épais.",
        summary=[
            (
                "Carte des départements de France métropolitaine, chacun dans la couleur de la première "
                "vague qui l'a retenu"
            ),
            "À droite, l'outre-mer et les territoires qui ne sont pas des départements, par vague",
            *listing,
        ],
        credit=[data_credit(ds, shown), BOUNDARY_CREDIT],
    )
    return fig


_OTHER_TERRITORIES = "Outre-mer et autres territoires"


def _territory_list(ax: Axes, listed: Sequence[tuple[Round, str]], colours: Mapping[str, str]) -> None:
    """Overseas and non-département territories, by round, as wrapped lines with a colour square."""
    ax.text(0.0, 1.0, _OTHER_TERRITORIES, fontsize=10, weight="bold", va="top")
    y = 0.95
    current: str | None = None
    for round_, name in listed:
        if round_.round_id != current:
            current = round_.round_id
            y -= 0.015
            ax.text(0.0, y, "■", color=colours[round_.round_id], fontsize=11, va="top")
            ax.text(0.05, y, round_label(round_), fontsize=9, weight="bold", va="top")
            y -= 0.04
        for i, line in enumerate(textwrap.wrap(name, 58) or [name]):
            ax.text(0.05, y, ("• " if i == 0 else "  ") + line, fontsize=8, va="top", color=_TEXT)
            y -= 0.03
    if not listed:
        ax.text(0.0, y, "aucun", fontsize=8, va="top", color=_MUTED, style="italic")


# -- funding --------------------------------------------------------------------

#: A row of a funding panel: its label, the envelope or allocation drawn (None
#: when the amount is unknown), and the laureate it belongs to, if any.
_Row = tuple[str, Any, Selection | None]


def _unit(values: Iterable[Decimal]) -> tuple[Decimal, str]:
    top = max(values, default=Decimal(0))
    return (
        (Decimal(1_000_000), "millions d'euros") if top >= 10_000_000 else (Decimal(1000), "milliers d'euros")
    )


def funding_chart(ds: Dataset) -> Figure:
    """Envelopes and allocations as bars, with the stated precision as error bars.

    An error bar spans the interval the statement allows: ``amount ± precision
    / 2`` ("1,7 millions" is 1 650 000 to 1 750 000). A value another source
    gives for an envelope is drawn as a hollow diamond with its own interval.
    On the right, each regional envelope (one whose scope is a région) and,
    under it, every laureate of its région: their known allocations as bars,
    or *inconnu* written in the row, never a bar of zero. On the left, the
    other envelopes, each followed by the allocations taken from it that the
    right does not show (the Meuse's, drawn from the national envelope), then
    any allocation left: a département of another région is not in a
    regional panel.
    """
    _require_matplotlib()  # before any import of matplotlib's modules
    fig = _new_figure(13.0, 7.0)
    left = fig.add_axes((0.14, 0.15, 0.30, 0.70))
    right = fig.add_axes((0.65, 0.15, 0.30, 0.70))
    shown: list[tuple[str, str]] = []
    regional = {e.envelope_id for e in ds.envelopes if _region_of_scope(ds, e.scope_id) is not None}
    right_rows = _regional_rows(ds, regional)
    on_right = {item.allocation_id for _, item, _ in right_rows if _is_allocation(item)}
    left_rows = _other_rows(ds, regional, on_right)
    national = all(e.scope_id is None for e in ds.envelopes if e.envelope_id not in regional)
    envelopes = _lower_first(_title("envelopes"))
    allocations = _lower_first(_title("allocations"))
    left_title = (
        f"{_title('envelopes')} nationales et autres {allocations}"
        if national
        else f"Autres {envelopes} et {allocations}"
    )
    summary = []
    for ax, rows, panel in (
        (left, left_rows, left_title),
        (right, right_rows, f"{_title('envelopes')} régionales et {allocations} à leurs lauréats"),
    ):
        unknown = _draw_rows(ds, ax, rows, shown)
        title = panel
        if unknown:
            plural = "s" if unknown > 1 else ""
            title += f"\n({unknown} montant{plural} {UNKNOWN_AMOUNT}{plural})"
        ax.set_title(title, fontsize=11, loc="left")
        if not rows:
            ax.text(0.5, 0.5, "aucune", transform=ax.transAxes, ha="center", style="italic", color=_MUTED)
        described = [
            f"{label.replace(chr(10), ' ')}, " + (UNKNOWN_AMOUNT if item is None else euros_fr(item.amount))
            for label, item, _ in rows
        ]
        summary.append(f"{title.replace(chr(10), ' ')} : {' ; '.join(described) or 'aucune'}")
    _finish(
        fig,
        at=(0.02, 0.955),
        title="Le financement du SPIE tel que les sources l'énoncent : montants et précision",
        subtitle="Barres d'erreur : l'intervalle que chaque montant permet (montant ± la moitié de sa "
        f"précision) ; un montant inconnu est écrit {_quoted(UNKNOWN_AMOUNT)}, "
        "jamais dessiné comme zéro",
        summary=summary,
        credit=[data_credit(ds, shown)],
    )
    return fig


def _is_allocation(item: Any) -> bool:
    return hasattr(item, "allocation_id")


def _draw_rows(ds: Dataset, ax: Axes, rows: Sequence[_Row], shown: list[tuple[str, str]]) -> int:
    """Draw a panel's rows (bars, intervals, *inconnu*), its axis; the number of unknown amounts."""
    colours = round_colours(ds)
    scale, unit = _unit(item.amount.high for _, item, _ in rows if item is not None)
    unknown = 0
    for y, (_, item, selection) in enumerate(rows):
        if item is None:
            unknown += 1
            assert selection is not None  # noqa: S101 - an unknown row is always a laureate's
            ax.text(
                0,
                y,
                f"  {UNKNOWN_AMOUNT}",
                fontsize=8,
                style="italic",
                color=_MUTED,
                va="center",
                gid=f"unknown:{selection.key}",
            )
        elif not _is_allocation(item):
            shown.append(("envelopes", item.key))
            _envelope_bar(ds, ax, y, item, scale)
        else:
            shown.append(("allocations", item.key))
            colour = colours.get(selection.round_id, "#888888") if selection is not None else "#888888"
            _money_bar(ax, y, item.amount, scale=scale, colour=colour, gid=f"allocation:{item.allocation_id}")
    ax.set_yticks(range(len(rows)), [label for label, _, _ in rows], fontsize=8)
    highs = [item.amount.high for _, item, _ in rows if item is not None]
    ax.set_ylim(len(rows) - 0.4, -0.8)
    ax.set_xlim(0, float(max(highs, default=Decimal(1)) / scale) * 1.6)
    ax.set_xlabel(f"{_title('envelopes', 'amount_eur')} ({unit})")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    return unknown


def _region_of_scope(ds: Dataset, scope_id: str | None) -> str | None:
    if scope_id is None:
        return None
    territory = ds.get("territories", scope_id)
    if territory is None or territory.kind is not TerritoryKind.REGION:
        return None
    code: str | None = territory.code_region
    return code


def _envelope_bar(ds: Dataset, ax: Axes, y: float, envelope: Any, scale: Decimal) -> None:
    """An envelope's bar and interval, its amount in words, and the values of sources that disagree."""
    from spie_occitanie.conflicts import claims_about
    from spie_occitanie.model.text import agree

    _money_bar(ax, y, envelope.amount, scale=scale, colour="#999999", gid=f"envelope:{envelope.envelope_id}")
    offset = 0
    for claim in claims_about(ds, "envelopes", envelope.envelope_id, "amount"):
        if isinstance(claim.value, Money) and not agree(claim.value, envelope.amount):
            offset += 1
            y_claim = y - 0.2 - 0.22 * offset
            ax.errorbar(
                [float(claim.value.amount / scale)],
                [y_claim],
                xerr=[float(claim.value.half_width / scale)],
                fmt="D",
                mfc="white",
                color=DISAGREEING_COLOUR,
                capsize=3,
                gid=f"claim:{envelope.envelope_id}:{claim.citation.citation_id}",
            )
            ax.text(
                float(claim.value.high / scale),
                y_claim,
                f" selon {_according_to(ds, [claim.citation.source_id])} : {euros_fr(claim.value)}",
                fontsize=7,
                va="center",
                color=DISAGREEING_COLOUR,
            )


def _money_bar(ax: Axes, y: float, amount: Money, *, scale: Decimal, colour: str, gid: str) -> None:
    """A bar to the amount, an error bar over the interval it allows, and the amount in words."""
    bars = ax.barh(
        [y],
        [float(amount.amount / scale)],
        xerr=[float(amount.half_width / scale)],
        height=0.5,
        color=colour,
        capsize=3,
        error_kw={"ecolor": _TEXT, "elinewidth": 1.0},
    )
    bars.patches[0].set_gid(gid)
    if bars.errorbar is not None:
        bars.errorbar.lines[2][0].set_gid(f"{gid}:error")
    ax.text(float(amount.high / scale), y, " " + euros_fr(amount), fontsize=7, va="center")


def _envelope_label(ds: Dataset, envelope: Any) -> str:
    scope = "national"
    if envelope.scope_id is not None:
        territory = ds.get("territories", envelope.scope_id)
        scope = envelope.scope_id if territory is None else territory.name
    if envelope.first_year is None and envelope.last_year is None:
        years = ""
    elif envelope.first_year == envelope.last_year:
        years = f", {envelope.first_year}"
    else:
        years = f", {envelope.first_year or '?'}-{envelope.last_year or '?'}"
    return f"{envelope.envelope_id}\n({scope}{years})"


class _Labels:
    """How a funding row names a laureate and a funder, in the figures' words."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.state = {o.organisation_id for o in ds.organisations if o.kind is OrganisationKind.STATE}
        self.rounds = {r.round_id: r for r in ds.rounds}

    def laureate(self, selection: Selection) -> str:
        territory = self.ds.get("territories", selection.territory_id)
        place = selection.territory_id if territory is None else territory.name
        round_ = self.rounds.get(selection.round_id)
        return f"{place} ({selection.round_id if round_ is None else round_label(round_, year=False)})"

    def funder(self, funder_id: str, selection: Selection | None) -> str:
        organisation = self.ds.get("organisations", funder_id)
        if funder_id in self.state:
            return "État"
        if organisation is None:
            return funder_id
        if selection is not None and organisation.territory_id == selection.territory_id:
            return "fonds propres"
        return str(organisation.name)

    def allocation(self, allocation: Any) -> str:
        funded = self.ds.get("selections", f"{allocation.round_id}|{allocation.territory_id}")
        place = (
            self.laureate(funded)
            if funded is not None
            else (allocation.beneficiary_id or allocation.territory_id or allocation.allocation_id)
        )
        return f"{place} : {self.funder(allocation.funder_id, funded)}"


def _regional_rows(ds: Dataset, regional: set[str]) -> list[_Row]:
    """Each regional envelope, then the laureates of its région and their allocations, nothing else.

    The laureates in round and code order: their State allocations, or one
    *inconnu* row, and the allocations of their other funders.
    """
    labels = _Labels(ds)
    rows: list[_Row] = []
    done: set[str] = set()
    for envelope in sorted(
        (e for e in ds.envelopes if e.envelope_id in regional), key=lambda e: e.envelope_id
    ):
        rows.append((_envelope_label(ds, envelope), envelope, None))
        code_region = _region_of_scope(ds, envelope.scope_id)
        laureates = sorted(
            ds.selections_in(code_region=code_region),
            key=lambda s: (
                labels.rounds[s.round_id].number if s.round_id in labels.rounds else -1,
                s.territory_id,
            ),
        )
        for selection in laureates:
            mine = sorted(
                (
                    a
                    for a in ds.allocations_for(territory_id=selection.territory_id)
                    if a.round_id == selection.round_id
                ),
                key=lambda a: (a.funder_id not in labels.state, a.allocation_id),
            )
            if not any(a.funder_id in labels.state for a in mine):
                rows.append((f"{labels.laureate(selection)} : État", None, selection))
            for allocation in mine:
                if allocation.allocation_id not in done:
                    funder = labels.funder(allocation.funder_id, selection)
                    rows.append((f"{labels.laureate(selection)} : {funder}", allocation, selection))
                    done.add(allocation.allocation_id)
    return rows


def _other_rows(ds: Dataset, regional: set[str], on_right: set[str]) -> list[_Row]:
    """Each envelope that is not regional (largest first) and the allocations taken from it; then the rest.

    An allocation shown on the right, under its région's laureate, is not repeated.
    """
    labels = _Labels(ds)
    envelopes = sorted(
        (e for e in ds.envelopes if e.envelope_id not in regional),
        key=lambda e: (-e.amount.amount, e.envelope_id),
    )
    left = [a for a in ds.allocations if a.allocation_id not in on_right]
    rows: list[_Row] = []

    def row(allocation: Any) -> _Row:
        funded = ds.get("selections", f"{allocation.round_id}|{allocation.territory_id}")
        return (labels.allocation(allocation), allocation, funded)

    for envelope in envelopes:
        rows.append((_envelope_label(ds, envelope), envelope, None))
        rows.extend(row(a) for a in left if a.envelope_id == envelope.envelope_id)
    drawn = {e.envelope_id for e in envelopes}
    rows.extend(row(a) for a in left if a.envelope_id not in drawn)
    return rows


# -- the timeline ---------------------------------------------------------------

_EVENTS = ("launched", "deadline", "announced")


def _event_label(field: str) -> str:
    """``lancement``, ``date limite``, ``annonce des lauréats``: the rounds table's column titles."""
    return _lower_first(_title("rounds", f"{field}_edtf"))


def timeline(ds: Dataset) -> Figure:
    """One row per round and event (lancement, date limite, annonce des lauréats).

    A day is a diamond; a month or a season is a bar over every day it can be.
    A date another source gives that disagrees with the kept one is drawn in
    the same row, hatched, with the publishers of the sources that give it. An
    unknown date is written *inconnue*.
    """
    _require_matplotlib()  # before any import of matplotlib's modules
    import matplotlib.dates as mdates

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from spie_occitanie.conflicts import claims_about
    from spie_occitanie.model.text import agree

    colours = round_colours(ds)
    rounds = _rounds(ds)
    rows = [(r, field, _event_label(field)) for r in rounds for field in _EVENTS]
    fig = _new_figure(12.0, 1.6 + 0.42 * max(len(rows), 1))
    ax = fig.add_axes((0.24, 0.17, 0.73, 0.66))
    days: list[dt.date] = []
    shown: list[tuple[str, str]] = []
    said: dict[str, list[str]] = {}
    notes: list[tuple[PartialDate, float, str]] = []
    for y, (round_, field, label) in enumerate(rows):
        kept: PartialDate | None = getattr(round_, field)
        colour = colours[round_.round_id]
        shown.append(("rounds", round_.round_id))
        told = said.setdefault(round_.round_id, [])
        if kept is None:
            told.append(f"{label} {UNKNOWN_DATE}")
            days.append(dt.date(2020, 1, 1))
            continue
        told.append(f"{label} {date_fr(kept)}")
        _draw_date(ax, y, kept, colour=colour, gid=f"kept:{round_.round_id}:{field}")
        ax.text(
            _x(kept.latest + dt.timedelta(days=1)),
            y,
            f"  {date_fr(kept)}",
            fontsize=8,
            va="center",
            color=_TEXT,
        )
        days.extend([kept.earliest, kept.latest])
        groups: dict[str, list[Any]] = {}
        for claim in claims_about(ds, "rounds", round_.round_id, field):
            if isinstance(claim.value, PartialDate) and not agree(claim.value, kept):
                groups.setdefault(claim.text, []).append(claim)
        for offset, (text, claims) in enumerate(sorted(groups.items())):
            other: PartialDate = claims[0].value
            y_other = y + 0.32 + 0.2 * offset
            _draw_date(
                ax,
                y_other,
                other,
                colour=DISAGREEING_COLOUR,
                gid=f"claim:{round_.round_id}:{field}:{text}",
                hatched=True,
            )
            sources = _according_to(ds, (c.citation.source_id for c in claims))
            told[-1] += f" ({date_fr(other)} selon {sources})"
            notes.append((other, y_other, f"{date_fr(other)} selon {sources}"))
            days.extend([other.earliest, other.latest])
    start = min(days, default=dt.date(2020, 1, 1)).replace(month=1, day=1)
    end = max(days, default=dt.date(2023, 1, 1))
    ax.set_xlim(
        _x(start - dt.timedelta(days=60)),
        _x(dt.date(end.year + 1, 1, 1)),
    )
    for other, y_other, note in notes:
        # Before the date where a year of the axis leaves room for it; after it at the axis' start.
        before = (other.earliest - start).days >= 365
        ax.text(
            _x(other.earliest if before else other.latest + dt.timedelta(days=1)),
            y_other,
            f"{note}  " if before else f"  {note}",
            fontsize=7,
            va="center",
            ha="right" if before else "left",
            color=DISAGREEING_COLOUR,
        )
    for y, (round_, field, _) in enumerate(rows):
        if getattr(round_, field) is None:
            ax.text(
                _x(start),
                y,
                UNKNOWN_DATE,
                fontsize=8,
                style="italic",
                color=_MUTED,
                va="center",
                gid=f"unknown:{round_.round_id}:{field}",
            )
    ax.set_yticks(
        range(len(rows)), [f"{round_label(r, year=False)} : {label}" for r, _, label in rows], fontsize=8.5
    )
    ax.set_ylim(len(rows) - 0.3, -0.7)
    ax.xaxis.set_major_locator(mdates.YearLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]
    ax.grid(axis="x", which="both", color="#eeeeee")
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    handles = [
        Line2D([], [], marker="D", linestyle="none", color=_MUTED, label="un jour qu'une source donne"),
        Patch(facecolor=_MUTED, alpha=0.6, label="un mois ou une saison : tous les jours possibles"),
        Patch(
            facecolor="none",
            edgecolor=DISAGREEING_COLOUR,
            hatch="///",
            label="une date que d'autres sources donnent",
        ),
    ]
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=3, frameon=False, fontsize=8
    )
    events = ", ".join(_event_label(field) for field in _EVENTS)
    _finish(
        fig,
        at=(0.02, 0.94),
        title=f"Les {_lower_first(_title('rounds'))} du SPIE : {events}",
        subtitle="Les dates que garde le jeu de données, dans la couleur de chaque vague ; "
        "là où des sources divergent, les leurs en rouge",
        summary=[f"{round_label(r, year=False)} : {' ; '.join(said[r.round_id])}" for r in rounds],
        credit=[data_credit(ds, shown)],
    )
    return fig


def _x(day: dt.date) -> float:
    """A day as matplotlib's date number (it follows the user's ``date.epoch``)."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _draw_date(
    ax: Axes, y: float, date: PartialDate, *, colour: str, gid: str, hatched: bool = False
) -> None:
    """A day as a diamond; a longer date as a bar from its first to the end of its last day."""
    if date.precision is Precision.DAY:
        ax.plot(
            [_x(date.earliest)],
            [y],
            marker="D",
            markersize=7,
            linestyle="none",
            color=colour,
            mfc="white" if hatched else colour,
            gid=gid,
        )
        return
    start = _x(date.earliest)
    end = _x(date.latest + dt.timedelta(days=1))
    height = 0.22 if hatched else 0.45
    bars = ax.barh(
        [y],
        [end - start],
        left=[start],
        height=height,
        color="none" if hatched else colour,
        alpha=1.0 if hatched else 0.6,
        edgecolor=colour,
        hatch="///" if hatched else None,
        linewidth=0.8,
    )
    bars.patches[0].set_gid(gid)


# -- writing --------------------------------------------------------------------

#: Each figure's file name (without suffix) and the function that draws it.
FIGURES: Mapping[str, Callable[[Dataset], Figure]] = {
    "occitanie-map": occitanie_map,
    "france-map": france_map,
    "funding": funding_chart,
    "timeline": timeline,
}


def write_figures(ds: Dataset, folder: Path | str) -> list[Path]:
    """Write every figure as ``figures/<name>.png`` and ``.svg`` under ``folder``.

    The SVG keeps its text as ``<text>`` (``svg.fonttype: none``), so a reader
    can search and copy it and a screen reader can read it; its root says it
    is an image in French and carries the figure's ``<title>`` and ``<desc>``.
    The PNG carries the same ``Title`` and ``Description``. The bytes depend
    only on the dataset and the matplotlib version: no date, no software
    name, and SVG ids from a fixed salt. Returns the paths written.
    """
    _require_matplotlib()
    import matplotlib as mpl

    out = Path(folder) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context({"svg.hashsalt": "spie-occitanie", "svg.fonttype": "none"}):
        for name, draw in FIGURES.items():
            fig = draw(ds)
            text = figure_text(fig)
            png, svg = out / f"{name}.png", out / f"{name}.svg"
            fig.savefig(png, format="png", dpi=_DPI, metadata={**text, "Software": None})
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={**text, "Date": None, "Creator": None})
            svg.write_bytes(_accessible_svg(buffer.getvalue(), text.get("Description", "")))
            written.extend([png, svg])
    return written


def _accessible_svg(svg: bytes, description: str) -> bytes:
    """The SVG matplotlib wrote, with ``role="img"``, ``xml:lang="fr"``, a ``<desc>`` after its ``<title>``.

    matplotlib writes the title as the root's ``<title>`` but the description
    only in its RDF metadata, which assistive technology does not read.
    """
    from xml.sax.saxutils import escape

    text = svg.decode("utf-8")
    root = text.index("<svg ")
    text = f'{text[:root]}<svg role="img" xml:lang="fr" {text[root + len("<svg ") :]}'
    end = text.find("</title>\n")
    if end >= 0:
        where = end + len("</title>\n")
        text = f"{text[:where]} <desc>{escape(description)}</desc>\n{text[where:]}"
    return text.encode("utf-8")
