"""A summary of a dataset, for people (text) and programs (JSON-ready dicts).

It answers the questions the command line's ``summary`` is for: which rounds,
which Occitanie laureates, what funding and to what precision, where sources
disagree and how complete each list is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from spie_occitanie.display import euros
from spie_occitanie.model.render import euros_fr
from spie_occitanie.model.text import to_text
from spie_occitanie.tables import TABLES
from spie_occitanie.wording import LANGUAGES as WORDING_LANGUAGES
from spie_occitanie.wording import say


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset


__all__ = ["LANGUAGES", "OCCITANIE", "render", "summarise"]

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
            "amount_eur": _number(e.amount.amount),
            "precision_eur": _number(e.amount.precision),
            "text": euros(e.amount),
            "text_fr": euros_fr(e.amount),
            "years": [e.first_year, e.last_year],
        }
        for e in ds.envelopes
    ] + [
        {
            "kind": "allocation",
            "id": a.allocation_id,
            "scope": a.territory_id or "",
            "amount_eur": _number(a.amount.amount),
            "precision_eur": _number(a.amount.precision),
            "text": euros(a.amount),
            "text_fr": euros_fr(a.amount),
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


def _number(value: Decimal) -> int | float:
    """An amount as a JSON number: an int when it is whole euros (exact), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


#: The languages of :func:`render`.
LANGUAGES = WORDING_LANGUAGES


def render(summary: dict[str, Any], lang: str = "en") -> str:
    """The summary as text for a terminal, in English or French (``lang``)."""
    out: list[str] = []
    add = out.append

    def say_(key: str, /, **values: object) -> str:
        return say(f"summary.{key}", lang, **values)

    counts = summary["records"]
    add("SPIE, service public de l'insertion et de l'emploi")
    names = {t: TABLES[t].title.lower() for t in counts} if lang == "fr" else {t: t for t in counts}
    add("  " + ", ".join(f"{n} {names[table]}" for table, n in counts.items()))
    add("")
    add(say_("rounds"))
    for r in summary["rounds"]:
        dates = ", ".join(f"{say_(k)} {r[k]}" for k in ("launched", "deadline", "announced") if r[k])
        retained = "?" if r["retained"] is None else r["retained"]
        add(f"  {r['round_id']:<21} {r['name']}")
        known = say_("known-of", known=r["known"], retained=retained)
        add(f"  {'':<21} {dates or say_('dates-unknown')}; {known}")
    region = summary["region"]
    add("")
    add(say_("laureates", region=region["label"], count=len(region["laureates"])))
    for line in region["laureates"]:
        holder = say_("carried-by", holder=line["holder"]) if line["holder"] else ""
        add(f"  {line['round_id']:<21} {line['label']} ({line['code']}){holder}")
    add("")
    add(say_("funding"))
    for f in summary["funding"]:
        known_years = sorted({y for y in f["years"] if y is not None})
        years = "-".join(str(y) for y in known_years) or say_("years-unknown")
        text = f["text_fr"] if lang == "fr" else f["text"]
        add(f"  {say_(f['kind']):<11} {f['id']:<22} {f['scope']:<20} {text}, {years}")
    add("")
    add(say_("conflicts", count=len(summary["conflicts"])))
    for c in summary["conflicts"]:
        said = "; ".join(f"{k['source_id']}: {k['value']}" for k in c["claims"])
        add(f"  {c['table']} {c['key']} {c['field']}: {say_('kept')} {c['kept']} ({said})")
    add("")
    add(say_("completeness"))
    for line in summary["completeness"]:
        declared = "?" if line["declared"] is None else line["declared"]
        extra = say_("inferred", count=line["inferred"]) if line["inferred"] else ""
        missing = say_("unknown", count=line["missing"]) if line["missing"] else ""
        label = line["round_id"] or say_("all-rounds")
        counted = say_("counted", known=line["known"], declared=declared)
        add(f"  {label:<21} {line['scope']:<14} {counted}{extra}{missing}")
    add("")
    check = summary["check"]
    add(say_("checks", errors=check["errors"], warnings=check["warnings"]))
    return "\n".join(out)
