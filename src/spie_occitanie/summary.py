"""A summary of a dataset, for people (text) and programs (JSON-ready dicts).

It answers the questions the command line's ``summary`` is for: which rounds,
which Occitanie laureates, what funding and to what precision, where sources
disagree and how complete each list is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spie_occitanie.display import euros
from spie_occitanie.model.text import to_text


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["OCCITANIE", "render", "summarise"]

#: INSEE's code of the Occitanie région.
OCCITANIE = "76"


def summarise(ds: Dataset, code_region: str = OCCITANIE) -> dict[str, Any]:
    """The summary as plain data: lists and dicts of strings and numbers."""
    rounds = []
    for round_ in sorted(ds.rounds, key=lambda r: r.number):
        rounds.append(
            {
                "round_id": round_.round_id,
                "name": round_.name,
                "launched": to_text(round_.launched),
                "deadline": to_text(round_.deadline),
                "announced": to_text(round_.announced),
                "targeted": round_.targeted,
                "retained": round_.retained,
                "known": len(ds.selections_in(round_.round_id)),
            }
        )
    laureates: list[dict[str, Any]] = []
    for selection in ds.selections_in(code_region=code_region):
        territory = ds.territory(selection.territory_id)
        holder = ds.get("organisations", selection.holder_id) if selection.holder_id else None
        laureates.append(
            {
                "round_id": selection.round_id,
                "territory_id": territory.territory_id,
                "code": territory.code,
                "label": territory.with_article or territory.name,
                "holder": None if holder is None else holder.name,
            }
        )
    laureates.sort(key=lambda line: (ds.round(line["round_id"]).number, line["code"] or ""))
    funding = [
        {
            "kind": "envelope",
            "id": e.envelope_id,
            "scope": e.scope_id or "national",
            "amount": to_text(e.amount),
            "text": euros(e.amount),
            "years": [e.first_year, e.last_year],
        }
        for e in ds.envelopes
    ] + [
        {
            "kind": "allocation",
            "id": a.allocation_id,
            "scope": a.territory_id or "",
            "amount": to_text(a.amount),
            "text": euros(a.amount),
            "years": [a.first_year, a.last_year],
            "funder": a.funder_id,
            "beneficiary": a.beneficiary_id,
        }
        for a in ds.allocations
    ]
    report = ds.check()
    return {
        "records": ds.counts(),
        "rounds": rounds,
        "region": {"code": code_region, "label": ds.region(code_region).name, "laureates": laureates},
        "funding": funding,
        "conflicts": [
            {
                "table": c.table,
                "key": c.key,
                "field": c.field,
                "kept": c.kept,
                "claims": [{"source_id": k.citation.source_id, "value": k.text} for k in c.claims],
            }
            for c in ds.conflicts()
        ],
        "completeness": [
            {
                "round_id": line.round_id,
                "scope": line.scope_id or "national",
                "declared": line.declared,
                "known": line.known,
                "inferred": line.inferred,
                "missing": line.missing,
            }
            for line in ds.completeness()
        ],
        "check": {"errors": len(report.errors), "warnings": len(report.warnings)},
    }


def render(summary: dict[str, Any]) -> str:
    """The summary as text for a terminal."""
    out: list[str] = []
    add = out.append
    counts = summary["records"]
    add("SPIE, service public de l'insertion et de l'emploi")
    add("  " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    add("")
    add("Rounds")
    for r in summary["rounds"]:
        dates = ", ".join(f"{k} {r[k]}" for k in ("launched", "deadline", "announced") if r[k])
        retained = "?" if r["retained"] is None else r["retained"]
        add(f"  {r['round_id']:<21} {r['name']}")
        add(f"  {'':<21} {dates or 'dates unknown'}; {r['known']} of {retained} territories known")
    region = summary["region"]
    add("")
    add(f"Laureates in {region['label']} ({len(region['laureates'])})")
    for line in region["laureates"]:
        holder = f", carried by {line['holder']}" if line["holder"] else ""
        add(f"  {line['round_id']:<21} {line['label']} ({line['code']}){holder}")
    add("")
    add("Funding (amounts as stated, with their precision)")
    for f in summary["funding"]:
        known = sorted({y for y in f["years"] if y is not None})
        years = "-".join(str(y) for y in known) or "years unknown"
        add(f"  {f['kind']:<10} {f['id']:<22} {f['scope']:<20} {f['text']}, {years}")
    add("")
    add(f"Conflicts between sources ({len(summary['conflicts'])})")
    for c in summary["conflicts"]:
        said = "; ".join(f"{k['source_id']}: {k['value']}" for k in c["claims"])
        add(f"  {c['table']} {c['key']} {c['field']}: kept {c['kept']} ({said})")
    add("")
    add("Completeness")
    for line in summary["completeness"]:
        declared = "?" if line["declared"] is None else line["declared"]
        extra = f", {line['inferred']} inferred" if line["inferred"] else ""
        missing = f", {line['missing']} unknown" if line["missing"] else ""
        label = line["round_id"] or "all rounds"
        add(f"  {label:<21} {line['scope']:<14} {line['known']} of {declared} known{extra}{missing}")
    add("")
    check = summary["check"]
    add(f"Checks: {check['errors']} error(s), {check['warnings']} warning(s)")
    return "\n".join(out)
