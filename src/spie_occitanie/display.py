"""How records and reports look: one-line ``repr``, short ``str``, HTML tables.

Researchers meet the data in a notebook and in a terminal. Jupyter calls
``_repr_html_`` and shows a table; a terminal shows ``repr`` and ``print``
shows ``str``. The classes' hooks delegate here, so every rendering lives in
one module that builds strings and nothing else: no pandas, no matplotlib,
and every piece of text from the data goes through :func:`html.escape`.

Two rules follow the data's own. An unknown value is written *unknown*, never
left blank or shown as zero. A partial date shows the span it covers and an
amount the precision it was stated to, because "juin 2021" is not the 1st of
June and "1,7 millions" is not 1 700 000.00 to the cent.

>>> import spie_occitanie as spie
>>> ds = spie.load()
>>> ds.round("ami-2")  # doctest: +ELLIPSIS
<Round ami-2: deuxième appel à manifestation d'intérêt; launched 2021-07-15, ...; 34 retained>
>>> ds.envelope("occitanie-2021-2023")
<Envelope occitanie-2021-2023: 1 700 000 EUR (to the nearest 100 000) from etat, for fr:region:76>
>>> euros(ds.envelope("national-2021-2023").amount)
'80 000 000 EUR (to the nearest 1 000 000)'
>>> date_text(ds.round("ami-2").announced)
'2022-02 (2022-02-01 to 2022-02-28)'
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
    from spie_occitanie.checks import Report
    from spie_occitanie.conflicts import Conflict, Conflicts
    from spie_occitanie.dataset import Dataset
    from spie_occitanie.model import Envelope, Round, Territory


__all__ = [
    "MAX_ROWS",
    "conflicts_html",
    "conflicts_repr",
    "conflicts_text",
    "dataset_html",
    "date_text",
    "envelope_html",
    "envelope_repr",
    "envelope_text",
    "euros",
    "record_html",
    "report_html",
    "report_repr",
    "round_html",
    "round_repr",
    "round_text",
    "territory_html",
    "territory_repr",
    "value_text",
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


def _grouped(number: Decimal) -> str:
    """``1700000.00`` as ``1 700 000``; cents are kept only when there are some."""
    text = f"{number:,.2f}".replace(",", " ")
    return text.removesuffix(".00")


def euros(amount: Money) -> str:
    """An amount with the precision it was stated to: ``370 000 EUR (to the euro)``."""
    if amount.precision == 1:
        precision = "to the euro"
    elif amount.precision == Decimal("0.01"):
        precision = "to the cent"
    else:
        precision = f"to the nearest {_grouped(amount.precision)}"
    return f"{_grouped(amount.amount)} EUR ({precision})"


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


def _cell(value: object) -> str:
    return _UNKNOWN_HTML if value is None else html.escape(value_text(value))


def _years(first: int | None, last: int | None) -> str | None:
    if first is None and last is None:
        return None
    if first == last:
        return str(first)
    return f"{first or '?'}-{last or '?'}"


# -- HTML building blocks -----------------------------------------------------


def _table(
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
        (f"<code>{html.escape(field.name)}</code>", _cell(getattr(record, field.name)))
        for field in attrs.fields(type(record))
    ]
    return _table(rows, header=("field", "value"), caption=title)


def _more(shown: int, total: int, where: str) -> str:
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
    years = _years(round_.first_year, round_.last_year) or "unknown"
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
    years = _years(envelope.first_year, envelope.last_year)
    when = f", {years}" if years else ""
    amount = euros(envelope.amount)
    return f"<Envelope {envelope.envelope_id}: {amount} from {envelope.funder_id}, {scope}{when}>"


def envelope_text(envelope: Envelope) -> str:
    """A few lines for ``print``."""
    scope = "the whole country" if envelope.scope_id is None else envelope.scope_id
    part = f", part of {envelope.parent_id}" if envelope.parent_id else ""
    years = _years(envelope.first_year, envelope.last_year) or "unknown"
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


def _counted(findings: Iterable[Any]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.check] = counts.get(finding.check, 0) + 1
    return ", ".join(f"{check} {n}" for check, n in sorted(counts.items()))


def report_repr(report: Report) -> str:
    """One line: how many errors and warnings, per check."""
    head = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    if not report.findings:
        return f"<Report: {head}: every check passed>"
    return f"<Report: {head}: {_counted(report.findings)}>"


def _place(finding: Any) -> str:
    """Where a finding is: the file and row, or the table and record key."""
    if finding.file is not None:
        row = f" row {finding.row}" if finding.row is not None else ""
        return f"<code>{html.escape(finding.file)}</code>{row}"
    return html.escape(finding.table or "") + (
        f" <code>{html.escape(finding.key)}</code>" if finding.key else ""
    )


def report_html(report: Report) -> str:
    """The findings as a table, errors first."""
    head = report.headline()
    if not report.findings:
        return f"<p><strong>Checks:</strong> {head}: every check passed.</p>"
    rows = []
    for finding in report.findings[:MAX_ROWS]:
        colour = "#b00020" if finding.severity.value == "error" else "#8a5a00"
        rows.append(
            (
                f'<span style="color:{colour}">{html.escape(finding.severity.value)}</span>',
                f"<code>{html.escape(finding.check)}</code>",
                _place(finding),
                _cell(finding.field) if finding.field else "",
                html.escape(finding.message)
                + (f" <em>(+{len(finding.consequences)} consequences)</em>" if finding.consequences else ""),
            )
        )
    table = _table(
        rows,
        header=("severity", "check", "where", "field", "message"),
        caption=f"<strong>Checks:</strong> {head}",
    )
    return table + _more(MAX_ROWS, len(report.findings), "report.findings")


# -- conflicts ----------------------------------------------------------------


def _by_value(conflict: Conflict) -> list[tuple[str, list[Any]]]:
    """The claims grouped by the value they give, best-ranked value first."""
    groups: dict[str, list[Any]] = {}
    for claim in conflict.claims:
        groups.setdefault(claim.text, []).append(claim)
    return list(groups.items())


def _claim_text(claim: Any) -> str:
    """A claim's value as people read it: amounts with their precision, dates as EDTF."""
    return euros(claim.value) if isinstance(claim.value, Money) else str(claim.text)


def _conflict_line(conflict: Conflict) -> str:
    said = "; ".join(
        f"{'kept ' if text == conflict.kept else ''}{_claim_text(claims[0])} "
        f"({', '.join(c.citation.source_id for c in claims)})"
        for text, claims in _by_value(conflict)
    )
    rule = "" if conflict.follows_rule else " [kept value is not the preferred one]"
    return f"{conflict.table} {conflict.key} {conflict.field}: {said}{rule}"


def conflicts_repr(conflicts: Conflicts) -> str:
    """One line: how many fields, and which."""
    if not conflicts:
        return "<Conflicts: sources agree on every field>"
    fields = ", ".join(f"{c.table} {c.key} {c.field}" for c in conflicts[:3])
    more = f", and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
    return f"<Conflicts: {len(conflicts)} field(s) where sources disagree: {fields}{more}>"


def conflicts_text(conflicts: Conflicts) -> str:
    """One line per field: each value given, the sources that give it, the value kept."""
    if not conflicts:
        return "sources agree on every field"
    lines = [f"{len(conflicts)} field(s) where sources disagree"]
    lines.extend(f"  {_conflict_line(c)}" for c in conflicts)
    return "\n".join(lines)


def conflicts_html(conflicts: Conflicts) -> str:
    """A table: record, field, each value with its sources (quotes on hover), the value kept."""
    if not conflicts:
        return "<p><strong>Conflicts:</strong> sources agree on every field.</p>"
    rows = []
    for conflict in conflicts[:MAX_ROWS]:
        values = []
        for text, claims in _by_value(conflict):
            sources = ", ".join(
                f'<span title="{html.escape(c.citation.quote or "", quote=True)}">'
                f"{html.escape(c.citation.source_id)}</span>"
                for c in claims
            )
            shown = html.escape(_claim_text(claims[0]))
            value = f"<strong>{shown}</strong> (kept)" if text == conflict.kept else shown
            values.append(f"<li>{value}: {sources}</li>")
        rule = "yes" if conflict.follows_rule else f"no: the rule prefers {html.escape(conflict.preferred)}"
        rows.append(
            (
                f"{html.escape(conflict.table)} <code>{html.escape(conflict.key)}</code>",
                f"<code>{html.escape(conflict.field)}</code>",
                f'<ul style="margin:0">{"".join(values)}</ul>',
                rule,
            )
        )
    table = _table(
        rows,
        header=("record", "field", "what each source says", "kept value follows the rule"),
        caption=f"<strong>Conflicts:</strong> {len(conflicts)} field(s) where sources disagree "
        "(hover a source for its quote)",
    )
    return table + _more(MAX_ROWS, len(conflicts), "ds.conflicts()")


# -- the dataset --------------------------------------------------------------


def dataset_html(ds: Dataset) -> str:
    """Records per table, the rounds, the envelopes, and where to look next."""
    counts = ds.counts()
    parts = [
        "<div><p><strong>SPIE dataset</strong>: service public de l'insertion et de l'emploi</p>",
        _table([[str(n) for n in counts.values()]], header=list(counts), caption="Records per table"),
    ]
    rows = []
    for round_ in sorted(ds.rounds, key=lambda r: r.number):
        known = len(ds.selections_in(round_.round_id))
        rows.append(
            (
                f"<code>{html.escape(round_.round_id)}</code>",
                html.escape(round_.name),
                _cell(round_.launched),
                _cell(round_.announced),
                _cell(round_.retained),
                html.escape(str(known)),
            )
        )
    if rows:
        header = ("round", "name", "launched", "announced", "retained nationally", "known")
        parts.append(_table(rows, header=header, caption="Rounds"))
    envelopes = [
        (
            f"<code>{html.escape(e.envelope_id)}</code>",
            html.escape(e.scope_id or "national"),
            html.escape(euros(e.amount)),
            _cell(_years(e.first_year, e.last_year)),
        )
        for e in ds.envelopes
    ]
    if envelopes:
        parts.append(_table(envelopes, header=("envelope", "scope", "amount", "years"), caption="Envelopes"))
    report = ds.check()
    conflicts = ds.conflicts()
    parts.append(
        f"<p>Checks: {len(report.errors)} error(s), {len(report.warnings)} warning(s); "
        f"{len(conflicts)} field(s) where sources disagree. "
        "Look further with <code>ds.check()</code>, <code>ds.conflicts()</code>, "
        "<code>ds.completeness()</code> and <code>ds.summary()</code>.</p></div>"
    )
    return "".join(parts)
