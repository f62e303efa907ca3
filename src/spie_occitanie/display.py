"""How records and reports look: one-line ``repr``, short ``str``, HTML tables.

Researchers meet the data in a notebook and in a terminal. Jupyter calls
``_repr_html_`` and shows a table; a terminal shows ``repr`` and ``print``
shows ``str``. Records render through :mod:`spie_occitanie.model.render`, in
the model's own layer (re-exported here); reports, conflicts and datasets
render here. Only strings are built: no pandas, no matplotlib, and every
piece of text from the data goes through :func:`html.escape`.

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

import html

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from spie_occitanie.model.money import Money
from spie_occitanie.model.render import (
    MAX_ROWS,
    cell_html,
    date_text,
    envelope_html,
    envelope_repr,
    envelope_text,
    euros,
    more_html,
    record_html,
    round_html,
    round_repr,
    round_text,
    table_html,
    territory_html,
    territory_repr,
    value_text,
    years_text,
)


if TYPE_CHECKING:
    from spie_occitanie.checks import Report
    from spie_occitanie.conflicts import Conflict, Conflicts
    from spie_occitanie.dataset import Dataset


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
                cell_html(finding.field) if finding.field else "",
                html.escape(finding.message)
                + (f" <em>(+{len(finding.consequences)} consequences)</em>" if finding.consequences else ""),
            )
        )
    table = table_html(
        rows,
        header=("severity", "check", "where", "field", "message"),
        caption=f"<strong>Checks:</strong> {head}",
    )
    return table + more_html(MAX_ROWS, len(report.findings), "report.findings")


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
    table = table_html(
        rows,
        header=("record", "field", "what each source says", "kept value follows the rule"),
        caption=f"<strong>Conflicts:</strong> {len(conflicts)} field(s) where sources disagree "
        "(hover a source for its quote)",
    )
    return table + more_html(MAX_ROWS, len(conflicts), "ds.conflicts()")


# -- the dataset --------------------------------------------------------------


def dataset_html(ds: Dataset) -> str:
    """Records per table, the rounds, the envelopes, and where to look next."""
    counts = ds.counts()
    parts = [
        "<div><p><strong>SPIE dataset</strong>: service public de l'insertion et de l'emploi</p>",
        table_html([[str(n) for n in counts.values()]], header=list(counts), caption="Records per table"),
    ]
    rows = []
    for round_ in sorted(ds.rounds, key=lambda r: r.number):
        known = len(ds.selections_in(round_.round_id))
        rows.append(
            (
                f"<code>{html.escape(round_.round_id)}</code>",
                html.escape(round_.name),
                cell_html(round_.launched),
                cell_html(round_.announced),
                cell_html(round_.retained),
                html.escape(str(known)),
            )
        )
    if rows:
        header = ("round", "name", "launched", "announced", "retained nationally", "known")
        parts.append(table_html(rows, header=header, caption="Rounds"))
    envelopes = [
        (
            f"<code>{html.escape(e.envelope_id)}</code>",
            html.escape(e.scope_id or "national"),
            html.escape(euros(e.amount)),
            cell_html(years_text(e.first_year, e.last_year)),
        )
        for e in ds.envelopes
    ]
    if envelopes:
        parts.append(
            table_html(envelopes, header=("envelope", "scope", "amount", "years"), caption="Envelopes")
        )
    report = ds.check()
    conflicts = ds.conflicts()
    parts.append(
        f"<p>Checks: {len(report.errors)} error(s), {len(report.warnings)} warning(s); "
        f"{len(conflicts)} field(s) where sources disagree. "
        "Look further with <code>ds.check()</code>, <code>ds.conflicts()</code>, "
        "<code>ds.completeness()</code> and <code>ds.summary()</code>.</p></div>"
    )
    return "".join(parts)
