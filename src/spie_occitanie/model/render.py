"""How one value or record looks: one-line ``repr``, short ``str``, an HTML table.

The model's hooks (``__repr__``, ``__str__``, ``_repr_html_``) call these
functions, which build strings and nothing else: no pandas, no matplotlib,
and every piece of text from the data goes through :func:`html.escape`.
They live in the model's own layer, so that a record can show itself without
the model importing anything above it; :mod:`spie_occitanie.display` builds
on them for reports, conflicts and whole datasets.

Two rules follow the data's own. An unknown value is written *unknown*, never
left blank or shown as zero. A partial date shows the span it covers and an
amount the precision it was stated to, because "juin 2021" is not the 1st of
June and "1,7 millions" is not 1 700 000.00 to the cent.
"""

from __future__ import annotations

import enum
import html

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.model.dates import PartialDate, Precision, Season
from spie_occitanie.model.money import Money


if TYPE_CHECKING:
    from spie_occitanie.model.funding import Envelope
    from spie_occitanie.model.round import Round
    from spie_occitanie.model.territory import Territory


__all__ = [
    "MAX_ROWS",
    "cell_html",
    "date_fr",
    "date_text",
    "envelope_html",
    "envelope_repr",
    "envelope_text",
    "euros",
    "euros_fr",
    "more_html",
    "number_fr",
    "record_html",
    "round_html",
    "round_repr",
    "round_text",
    "table_html",
    "territory_html",
    "territory_repr",
    "value_text",
    "years_text",
]

#: The most rows an HTML table of findings or conflicts shows; the rest are counted.
MAX_ROWS = 100

_UNKNOWN_HTML = '<em style="color:#777">unknown</em>'
_SEASONS = {
    Season.SPRING: "spring",
    Season.SUMMER: "summer",
    Season.AUTUMN: "autumn",
    Season.WINTER: "winter",
}


# -- values -------------------------------------------------------------------


#: How an amount and its precision are written in each language: the decimal mark, the
#: currency, and the precision to the euro, to the cent, or to a larger round figure.
_EUROS = {
    "en": (".", "{} EUR ({})", "to the euro", "to the cent", "to the nearest {}"),
    "fr": (",", "{} € ({})", "à l'euro près", "au centime près", "à {} € près"),
}


def _number(value: Decimal, mark: str) -> str:
    """``1700000.00`` as ``1 700 000``: thousands by spaces, cents after ``mark`` only when there are some."""
    return f"{value:,.2f}".replace(",", " ").removesuffix(".00").replace(".", mark)


def _euros(amount: Money, lang: str) -> str:
    mark, written, euro, cent, nearest = _EUROS[lang]
    if amount.precision == 1:
        precision = euro
    elif amount.precision == Decimal("0.01"):
        precision = cent
    else:
        precision = nearest.format(_number(amount.precision, mark))
    return written.format(_number(amount.amount, mark), precision)


def euros(amount: Money) -> str:
    """An amount with the precision it was stated to: ``370 000 EUR (to the euro)``."""
    return _euros(amount, "en")


#: French month names, for texts written in French (published figures, ``--lang fr``).
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
#: French season names, by EDTF code (21 spring ... 24 winter).
SEASONS_FR = {21: "printemps", 22: "été", 23: "automne", 24: "hiver"}


def number_fr(value: Decimal) -> str:
    """``1700000.00`` as French writes it, ``1 700 000``; cents after a comma only when there are some."""
    return _number(value, ",")


def euros_fr(amount: Money) -> str:
    """An amount in French, with the precision it was stated to: ``1 700 000 € (à 100 000 € près)``."""
    return _euros(amount, "fr")


def date_fr(date: PartialDate) -> str:
    """A partial date as French writes it: ``15 juillet 2021``, ``juin 2021``, ``printemps 2021``."""
    match date.precision:
        case Precision.DAY:
            day = "1er" if date.earliest.day == 1 else str(date.earliest.day)
            return f"{day} {MONTHS_FR[date.earliest.month - 1]} {date.earliest.year}"
        case Precision.MONTH:
            return f"{MONTHS_FR[date.earliest.month - 1]} {date.earliest.year}"
        case Precision.SEASON:
            assert date.season is not None  # noqa: S101 - a season date has one
            return f"{SEASONS_FR[date.season.value]} {date.year}"
        case _:
            return str(date.year)


def date_text(date: PartialDate) -> str:
    """A partial date as EDTF, with the days it spans when it is not one day."""
    if date.precision is Precision.DAY:
        return date.edtf
    span = f"{date.earliest.isoformat()} to {date.latest.isoformat()}"
    if date.season is not None:
        return f"{date.edtf} ({_SEASONS[date.season]} {date.year}: {span})"
    return f"{date.edtf} ({span})"


def value_text(value: object) -> str:
    """Any field's value as short text; ``None`` is ``unknown``."""
    if value is None:
        return "unknown"
    if isinstance(value, PartialDate):
        return date_text(value)
    if isinstance(value, Money):
        return euros(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(value_text(v) for v in value) if value else "none"
    return str(value)


def cell_html(value: object) -> str:
    """A value as an escaped table cell; unknown in grey italics."""
    return _UNKNOWN_HTML if value is None else html.escape(value_text(value))


def years_text(first: int | None, last: int | None) -> str | None:
    """A span of years (``2021-2023``, ``from 2022``), or ``None`` when neither end is known."""
    if first is None and last is None:
        return None
    if first == last:
        return str(first)
    return f"{first or '?'}-{last or '?'}"


# -- HTML building blocks -----------------------------------------------------


def table_html(
    rows: Iterable[Sequence[str]],
    *,
    header: Sequence[str] | None = None,
    caption: str | None = None,
) -> str:
    """A ``<table>``; cells are HTML already escaped by the caller, headers are escaped here."""
    parts = ["<table>"]
    if caption is not None:
        parts.append(f'<caption style="text-align:left">{caption}</caption>')
    if header is not None:
        cells = "".join(f'<th style="text-align:left">{html.escape(h)}</th>' for h in header)
        parts.append(f"<thead><tr>{cells}</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = "".join(f'<td style="text-align:left">{cell}</td>' for cell in row)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def record_html(record: Any, title: str) -> str:
    """Every field of an attrs record as a two-column table, unknown values said so."""
    rows = [
        (f"<code>{html.escape(field.name)}</code>", cell_html(getattr(record, field.name)))
        for field in attrs.fields(type(record))
    ]
    return table_html(rows, header=("field", "value"), caption=title)


def more_html(shown: int, total: int, where: str) -> str:
    """A note saying how many rows a table left out, and where to find them all."""
    if total <= shown:
        return ""
    return f"<p>… and {total - shown} more: see <code>{html.escape(where)}</code>.</p>"


# -- rounds -------------------------------------------------------------------


def _round_dates(round_: Round) -> str:
    dates = [
        f"{name} {value.edtf}"
        for name, value in (
            ("launched", round_.launched),
            ("deadline", round_.deadline),
            ("announced", round_.announced),
        )
        if value is not None
    ]
    return ", ".join(dates) or "dates unknown"


def round_repr(round_: Round) -> str:
    """One line: id, French name, the dates known, the national count retained."""
    retained = "retained count unknown" if round_.retained is None else f"{round_.retained} retained"
    return f"<Round {round_.round_id}: {round_.name}; {_round_dates(round_)}; {retained}>"


def round_text(round_: Round) -> str:
    """A few lines for ``print``: dates with their spans, counts, cap and years."""
    dates = "; ".join(
        f"{name} {date_text(value) if value is not None else 'unknown'}"
        for name, value in (
            ("launched", round_.launched),
            ("deadline", round_.deadline),
            ("announced", round_.announced),
        )
    )
    counts = f"targeted {value_text(round_.targeted)}, retained {value_text(round_.retained)} nationally"
    cap = "unknown" if round_.cap is None else euros(round_.cap)
    years = years_text(round_.first_year, round_.last_year) or "unknown"
    return "\n".join(
        [
            f"{round_.round_id}: {round_.name} (round {round_.number}, {round_.kind.value})",
            f"  {dates}",
            f"  {counts}; cap per territory {cap}; projects run {years}",
        ]
    )


def round_html(round_: Round) -> str:
    """The round's fields as a table."""
    return record_html(
        round_, f"Round <code>{html.escape(round_.round_id)}</code>: {html.escape(round_.name)}"
    )


# -- territories --------------------------------------------------------------


def _territory_kind(territory: Territory) -> str:
    text = territory.kind.value
    if territory.covers:
        codes = ", ".join(c.rsplit(":", 1)[-1] for c in territory.covers)
        text += f" covering {codes}"
    if territory.code_region is not None and territory.kind.value != "region":
        text += f", région {territory.code_region}"
    return text


def territory_repr(territory: Territory) -> str:
    """One line: id, name with its article when known, kind, région."""
    name = territory.with_article or territory.name
    return f"<Territory {territory.territory_id}: {name}, {_territory_kind(territory)}>"


def territory_html(territory: Territory) -> str:
    """The territory's fields as a table."""
    title = f"Territory <code>{html.escape(territory.territory_id)}</code>: {html.escape(territory.name)}"
    return record_html(territory, title)


# -- envelopes ----------------------------------------------------------------


def envelope_repr(envelope: Envelope) -> str:
    """One line: id, amount and precision, funder, scope, years when known."""
    scope = "national" if envelope.scope_id is None else f"for {envelope.scope_id}"
    years = years_text(envelope.first_year, envelope.last_year)
    when = f", {years}" if years else ""
    amount = euros(envelope.amount)
    return f"<Envelope {envelope.envelope_id}: {amount} from {envelope.funder_id}, {scope}{when}>"


def envelope_text(envelope: Envelope) -> str:
    """A few lines for ``print``."""
    scope = "the whole country" if envelope.scope_id is None else envelope.scope_id
    part = f", part of {envelope.parent_id}" if envelope.parent_id else ""
    years = years_text(envelope.first_year, envelope.last_year) or "unknown"
    beneficiaries = value_text(envelope.beneficiary_count)
    lines = [
        f"{envelope.envelope_id}: {euros(envelope.amount)} from {envelope.funder_id}",
        f"  for {scope}{part}; years {years}; beneficiaries {beneficiaries}",
    ]
    if envelope.covers:
        lines.append(f"  covers: {envelope.covers}")
    return "\n".join(lines)


def envelope_html(envelope: Envelope) -> str:
    """The envelope's fields as a table."""
    return record_html(envelope, f"Envelope <code>{html.escape(envelope.envelope_id)}</code>")


# -- reports ------------------------------------------------------------------
