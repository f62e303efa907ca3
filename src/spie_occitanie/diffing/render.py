"""How a diff reads: terminal text, Markdown for the changelog, JSON, and HTML for a notebook.

The Markdown is written the way a person writes a changelog entry: one line
per record, its table and key, what changed from what to what, and on whose
word (the sources cited anew for that record, with their quotes). Citations
that do not go with a record listed above, conflicts between sources and
completeness figures follow. A date's three columns read as its EDTF
(``deadline 2021-10-11 → 2021-10-15``); its first and last days follow from it.

Long lists are cut at :data:`MAX_LISTED` records per table in text and
Markdown (the JSON holds everything), saying how many more there are. Every
piece of data in the HTML goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import json

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from spie_occitanie.diffing.kinds import Change, CitationChangeKind, ConflictChangeKind
from spie_occitanie.wording import say


if TYPE_CHECKING:
    from spie_occitanie.diffing.result import (
        CitationChange,
        ConflictChange,
        Count,
        FieldChange,
        RecordChange,
        ReleaseDiff,
        ReleaseInfo,
    )


__all__ = ["MAX_LISTED", "short", "to_html", "to_json", "to_markdown", "to_text", "write_json"]

#: Records listed per table in text and Markdown; the JSON lists every one.
MAX_LISTED = 20
#: Rows of each HTML table.
MAX_ROWS = 100

_ARROW = "→"
#: The vocabulary's words for what happened to a citation, in CitationChangeKind's order.
_CITATION_WORDS = ("citation-added", "withdrawn", "restated")


# -- JSON ---------------------------------------------------------------------------


def _fields_json(fields: Iterable[FieldChange]) -> list[dict[str, Any]]:
    return [{"field": f.field, "old": f.old, "new": f.new} for f in fields]


def _count_json(count: Count | None) -> dict[str, Any] | None:
    if count is None:
        return None
    return {"declared": count.declared, "known": count.known, "inferred": count.inferred}


def _release_json(info: ReleaseInfo) -> dict[str, Any]:
    return {"path": info.path, "format": info.format, "version": info.version}


def to_json(diff: ReleaseDiff) -> dict[str, Any]:
    """The documented JSON shape: every key always present, lists in the result's order."""
    return {
        "old": _release_json(diff.old),
        "new": _release_json(diff.new),
        "changed": diff.changed,
        "schema": [
            {"table": s.table, "field": s.field, "change": s.change.value, "old": s.old, "new": s.new}
            for s in diff.schema
        ],
        "tables": [
            {
                "table": t.table,
                "key": list(t.key),
                "old_rows": t.old_rows,
                "new_rows": t.new_rows,
                "added": t.added,
                "removed": t.removed,
                "changed": t.changed,
            }
            for t in diff.tables
        ],
        "records": [
            {"table": r.table, "key": r.key, "change": r.change.value, "fields": _fields_json(r.fields)}
            for r in diff.records
        ],
        "citations": [
            {
                "change": c.change.value,
                "citation_id": c.citation_id,
                "record_table": c.record_table,
                "record_key": c.record_key,
                "field": c.field,
                "source_id": c.source_id,
                "value": c.value,
                "quote": c.quote,
                "kind": c.kind,
                "fields": _fields_json(c.fields),
            }
            for c in diff.citations
        ],
        "conflicts": [
            {
                "change": c.change.value,
                "table": c.table,
                "key": c.key,
                "field": c.field,
                "old_kept": c.old_kept,
                "new_kept": c.new_kept,
                "old_claims": [{"source_id": a.source_id, "value": a.value} for a in c.old_claims],
                "new_claims": [{"source_id": a.source_id, "value": a.value} for a in c.new_claims],
            }
            for c in diff.conflicts
        ],
        "completeness": [
            {
                "round_id": c.round_id,
                "scope_id": c.scope_id,
                "old": _count_json(c.old),
                "new": _count_json(c.new),
            }
            for c in diff.completeness
        ],
    }


def write_json(diff: ReleaseDiff, out: TextIO) -> None:
    """Write :func:`to_json`'s document to ``out``, one key, or one element of a list, per line.

    Each element is encoded whole by the standard library's C encoder, and
    written as it is: a diff of thousands of records is neither held as one
    text nor written in a million small pieces (an indented ``json.dump``
    spent a second of system time on those at 1 000 000 allocations).
    """
    document = to_json(diff)
    out.write("{\n")
    for number, (key, value) in enumerate(document.items(), start=1):
        end = ",\n" if number < len(document) else "\n"
        if isinstance(value, list) and value:
            out.write(f"  {json.dumps(key)}: [\n")
            out.write(",\n".join(f"    {json.dumps(item, ensure_ascii=False)}" for item in value))
            out.write(f"\n  ]{end}")
        else:
            out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    out.write("}\n")


# -- shared wording ------------------------------------------------------------------------


def _shown_fields(fields: Sequence[FieldChange]) -> list[tuple[str, FieldChange]]:
    """The fields as a person names them: a date by its EDTF column, its first and last days implied."""
    names = {f.field for f in fields}
    shown = []
    for field in fields:
        for suffix in ("_earliest", "_latest"):
            if field.field.endswith(suffix) and field.field.removesuffix(suffix) + "_edtf" in names:
                break
        else:
            shown.append((field.field.removesuffix("_edtf"), field))
    return shown


def _value(text: str | None, lang: str = "en") -> str:
    return say("diff.empty", lang) if text is None else text


def _plural(count: int, noun: str, lang: str = "en") -> str:
    """``1 record``, ``2 records``: the vocabulary's ``diff.<noun>`` and ``diff.<noun>s``."""
    return say(f"diff.{noun}" if count == 1 else f"diff.{noun}s", lang, count=count)


def _version(info: ReleaseInfo) -> str:
    return info.version or info.path


def _title(diff: ReleaseDiff) -> str:
    return f"{_version(diff.old)} {_ARROW} {_version(diff.new)}"


def _totals(diff: ReleaseDiff, lang: str = "en") -> str:
    """``2 records added, 1 changed; 2 citations added``: only what happened."""

    def counted(noun: str, pairs: list[tuple[int, str]]) -> str | None:
        done = [(n, say(f"diff.{what}", lang)) for n, what in pairs if n]
        if not done:
            return None
        first, *rest = done
        words = [f"{_plural(first[0], noun, lang)} {first[1]}", *(f"{n} {what}" for n, what in rest)]
        return ", ".join(words)

    records = counted(
        "record",
        [(sum(1 for r in diff.records if r.change is kind), kind.value) for kind in Change],
    )
    citations = counted(
        "citation",
        [
            (sum(1 for c in diff.citations if c.change is kind), word)
            for kind, word in zip(CitationChangeKind, _CITATION_WORDS, strict=True)
        ],
    )
    parts = [p for p in (records, citations) if p is not None]
    if diff.schema:
        parts.insert(0, _plural(len(diff.schema), "schema-change", lang))
    return "; ".join(parts) or say("diff.no-change", lang)


def _where(table: str | None, key: str | None, field: str | None, code: str = "`", lang: str = "en") -> str:
    text = f"{table} {code}{key}{code}" if key is not None else say("diff.whole-table", lang, table=table)
    return f"{text} {field}" if field is not None else text


def _claims(claims: Iterable[Any]) -> str:
    return "; ".join(f"{c.source_id} says {c.value}" for c in claims)


def _by_value(claims: Iterable[Any], lang: str = "en") -> str:
    """``2021-10-15 (exemple-fictif), against 2021-10-11 (mediasoc)``: sources by value, best first."""
    grouped: dict[str, list[str]] = {}
    for claim in claims:
        grouped.setdefault(claim.value, []).append(claim.source_id)
    return say("diff.against", lang).join(
        f"{value} ({', '.join(sources)})" for value, sources in grouped.items()
    )


def _conflict_sentence(conflict: ConflictChange, lang: str = "en") -> str:
    match conflict.change:
        case ConflictChangeKind.APPEARED:
            claims = _by_value(conflict.new_claims, lang)
            return say("diff.now-disagree", lang, claims=claims, kept=conflict.new_kept)
        case ConflictChangeKind.RESOLVED:
            return say("diff.now-agree", lang, claims=_by_value(conflict.old_claims, lang))
        case _:
            kept = f"{conflict.old_kept} {_ARROW} {conflict.new_kept}"
            return say("diff.kept-value", lang, kept=kept, claims=_by_value(conflict.new_claims, lang))


def _completeness_sentence(old: Count | None, new: Count | None, lang: str = "en") -> str:
    if old is None:
        return say("diff.new-figure", lang, new="" if new is None else new.render(lang))
    if new is None:
        return say("diff.figure-withdrawn", lang, old=old.render(lang))
    return f"{old.render(lang)} {_ARROW} {new.render(lang)}"


def _keys_of(diff: ReleaseDiff) -> dict[str, set[str]]:
    """The key columns of each table (left out of an added or removed record's description)."""
    return {t.table: set(t.key) for t in diff.tables}


def _grouped_records(diff: ReleaseDiff) -> list[tuple[str, list[RecordChange]]]:
    tables: dict[str, list[RecordChange]] = {}
    for record in diff.records:
        tables.setdefault(record.table, []).append(record)
    return list(tables.items())


def _citations_by_record(diff: ReleaseDiff) -> dict[tuple[str | None, str | None], list[CitationChange]]:
    grouped: dict[tuple[str | None, str | None], list[CitationChange]] = {}
    for citation in diff.citations:
        grouped.setdefault((citation.record_table, citation.record_key), []).append(citation)
    return grouped


# -- Markdown ------------------------------------------------------------------------------


def _md(text: str | None) -> str:
    """Text from the data, safe in Markdown: no line breaks, no emphasis or link syntax taken literally."""
    if text is None:
        return "(empty)"
    cleaned = " ".join(text.split())
    for char in ("\\", "*", "_", "`", "[", "]", "<", ">", "|"):
        cleaned = cleaned.replace(char, f"\\{char}")
    return cleaned


def _code(text: str | None) -> str:
    return f"`{text}`" if text is not None and "`" not in text else _md(text)


def _md_citation(citation: CitationChange, said: dict[str, str | None] | None = None) -> str:
    """A citation change in words; ``said`` holds the record's new values by field, which go unrepeated."""
    source = _code(citation.source_id)
    text = {
        CitationChangeKind.ADDED: f"on the word of {source}",
        CitationChangeKind.WITHDRAWN: f"source {source} withdrawn",
        CitationChangeKind.CHANGED: f"restated by {source}",
    }[citation.change]
    if citation.change is CitationChangeKind.CHANGED:
        about = f" for {_code(citation.field)}" if citation.field is not None else ""
        changes = "; ".join(f"{f.field} {_md(f.old)} {_ARROW} {_md(f.new)}" for f in citation.fields)
        return f"{text}{about}: {changes}"
    told = said is not None and citation.field in said and said[citation.field] == citation.value
    if citation.field is not None and not told:
        text += f" for {_code(citation.field)}"
        if citation.value is not None:
            text += f" ({_md(citation.value)})"
    if citation.quote is not None:
        text += f": « {_md(citation.quote)} »"
    return text


def _md_record(record: RecordChange, keys: set[str], citations: Sequence[CitationChange]) -> list[str]:
    """A record's line, with the sources cited anew for it (inline when one, else below)."""
    label = f" ({_md(record.label)})" if record.label else ""
    if record.change is Change.CHANGED:
        changes = "; ".join(
            f"{_code(name)} {_md(f.old)} {_ARROW} {_md(f.new)}" for name, f in _shown_fields(record.fields)
        )
        line = f"{record.table} {_code(record.key)}{label}: {changes}"
    else:
        side = "new" if record.change is Change.ADDED else "old"
        values = "; ".join(
            f"{name}: {_md(getattr(f, side))}"
            for name, f in _shown_fields(record.fields)
            if f.field not in keys
        )
        line = f"{record.table}: {record.change.value} {_code(record.key)}{label}"
        if values:
            line += f" ({values})" if record.change is Change.ADDED else f" (it had {values})"
    said = (
        {name: f.new for name, f in _shown_fields(record.fields)} if record.change is Change.CHANGED else {}
    )
    if len(citations) == 1:
        return [f"- {line}, {_md_citation(citations[0], said)}"]
    return [f"- {line}", *(f"  - {_md_citation(c, said)}" for c in citations)]


def _markdown_order(diff: ReleaseDiff) -> list[tuple[str, list[RecordChange]]]:
    """Tables in publication order, the sources last: they are what the changes above rest on."""
    grouped = _grouped_records(diff)
    return [g for g in grouped if g[0] != "sources"] + [g for g in grouped if g[0] == "sources"]


def to_markdown(diff: ReleaseDiff) -> str:
    """The changes as a changelog section (``###``), ready for ``CHANGELOG.md`` and data.gouv.fr."""
    lines = [f"### Data changes ({_title(diff)})", ""]
    if not diff.changed:
        lines += ["No change: every table holds the same records, with the same citations.", ""]
        return "\n".join(lines)
    lines += [f"Compared record by record: {_totals(diff)}.", ""]
    if diff.schema:
        lines += ["#### Schema", ""]
        for change in diff.schema:
            where = change.table if change.field is None else f"{change.table}.{change.field}"
            detail = ""
            if change.old is not None or change.new is not None:
                detail = f": {_md(change.old)} {_ARROW} {_md(change.new)}"
            lines.append(f"- {_code(where)} {change.change.value.replace('-', ' ')}{detail}")
        lines.append("")
    cited = _citations_by_record(diff)
    keys = _keys_of(diff)
    told: set[tuple[str | None, str | None]] = set()
    if diff.records:
        lines += ["#### Records", ""]
        for table, records in _markdown_order(diff):
            for record in records[:MAX_LISTED]:
                lines.extend(_md_record(record, keys.get(table, set()), cited.get((table, record.key), ())))
                told.add((table, record.key))
            if len(records) > MAX_LISTED:
                more = len(records) - MAX_LISTED
                lines.append(f"- … and {more} more in {table} (the JSON output lists every one)")
        lines.append("")
    rest = [c for c in diff.citations if (c.record_table, c.record_key) not in told]
    if rest:
        lines += ["#### Citations", ""]
        for citation in rest[: MAX_LISTED * 5]:
            lines.append(
                f"- {_where(citation.record_table, citation.record_key, None)}: {_md_citation(citation)}"
            )
        if len(rest) > MAX_LISTED * 5:
            lines.append(f"- … and {len(rest) - MAX_LISTED * 5} more (the JSON output lists every one)")
        lines.append("")
    if diff.conflicts:
        lines += ["#### Conflicts between sources", ""]
        lines.extend(
            f"- {_where(c.table, c.key, _code(c.field))}: {_md(_conflict_sentence(c))}"
            for c in diff.conflicts
        )
        lines.append("")
    if diff.completeness:
        lines += ["#### Completeness", ""]
        lines.extend(f"- {c.label}: {_completeness_sentence(c.old, c.new)}" for c in diff.completeness)
        lines.append("")
    return "\n".join(lines)


# -- text ------------------------------------------------------------------------------------


_MARK = {Change.ADDED: "+", Change.REMOVED: "-", Change.CHANGED: "~"}
_CITATION_MARK = {
    CitationChangeKind.ADDED: "+",
    CitationChangeKind.WITHDRAWN: "-",
    CitationChangeKind.CHANGED: "~",
}


def _text_values(record: RecordChange, keys: set[str], *, side: str) -> str:
    shown = _shown_fields(record.fields)
    return ", ".join(f"{name}={getattr(f, side)}" for name, f in shown if f.field not in keys)


def _described(info: ReleaseInfo, lang: str = "en") -> str:
    if info.version:
        return say("diff.release-version", lang, path=info.path, format=info.format, version=info.version)
    return say("diff.release", lang, path=info.path, format=info.format)


def to_text(diff: ReleaseDiff, lang: str = "en") -> str:
    """The changes for a terminal, in English or French (``lang``).

    A summary per table, then one line per change (``+ - ~``). Table, field
    and source ids, values and quotes are as the data has them.
    """
    lines = [
        say(f"diff.{side}", lang, release=_described(info, lang))
        for side, info in (("old", diff.old), ("new", diff.new))
    ]
    if not diff.changed:
        lines.append(say("diff.no-change", lang))
        return "\n".join(lines)
    lines.append(_totals(diff, lang))
    width = max((len(t.table) for t in diff.tables), default=0)
    lines.append(say("diff.tables", lang))
    for table in diff.tables:
        parts = [
            f"{n} {say(f'diff.{what}', lang)}"
            for n, what in ((table.added, "added"), (table.removed, "removed"), (table.changed, "changed"))
            if n
        ]
        rows = say("diff.rows", lang, old=table.old_rows, arrow=_ARROW, new=table.new_rows)
        lines.append(f"  {table.table:<{width}}  {rows}" + (f": {', '.join(parts)}" if parts else ""))
    if diff.schema:
        lines.append(say("diff.schema", lang))
        for change in diff.schema:
            where = change.table if change.field is None else f"{change.table}.{change.field}"
            detail = (
                f": {_value(change.old, lang)} {_ARROW} {_value(change.new, lang)}"
                if change.old or change.new
                else ""
            )
            lines.append(f"  {where} {change.change.value}{detail}")
    if diff.records:
        lines.append(say("diff.records-heading", lang))
        keys = _keys_of(diff)
        for table_name, records in _grouped_records(diff):
            for record in records[:MAX_LISTED]:
                if record.change is Change.CHANGED:
                    detail = "; ".join(
                        f"{field}: {_value(f.old, lang)} {_ARROW} {_value(f.new, lang)}"
                        for field, f in _shown_fields(record.fields)
                    )
                else:
                    side = "new" if record.change is Change.ADDED else "old"
                    detail = _text_values(record, keys.get(table_name, set()), side=side)
                lines.append(f"  {_MARK[record.change]} {table_name} {record.key}: {detail}")
            if len(records) > MAX_LISTED:
                more = say("diff.more-in", lang, count=len(records) - MAX_LISTED, table=table_name)
                lines.append(f"  {more}")
    if diff.citations:
        lines.append(say("diff.citations-heading", lang))
        for citation in diff.citations[: MAX_LISTED * 5]:
            where = _where(citation.record_table, citation.record_key, citation.field, code="", lang=lang)
            said = f" ({citation.value})" if citation.value is not None else ""
            quote = f" « {citation.quote} »" if citation.quote is not None else ""
            changed = ""
            if citation.fields:
                changed = (
                    " ["
                    + "; ".join(
                        f"{f.field}: {_value(f.old, lang)} {_ARROW} {_value(f.new, lang)}"
                        for f in citation.fields
                    )
                    + "]"
                )
            lines.append(
                f"  {_CITATION_MARK[citation.change]} {where}: {citation.source_id}{said}{quote}{changed}"
            )
        if len(diff.citations) > MAX_LISTED * 5:
            more = say("diff.more", lang, count=len(diff.citations) - MAX_LISTED * 5)
            lines.append(f"  {more}")
    if diff.conflicts:
        lines.append(say("diff.conflicts", lang))
        lines.extend(
            f"  {say(f'diff.{c.change.value}', lang)}: "
            f"{_where(c.table, c.key, c.field, code='', lang=lang)}: {_conflict_sentence(c, lang)}"
            for c in diff.conflicts
        )
    if diff.completeness:
        lines.append(say("diff.completeness", lang))
        lines.extend(
            f"  {c.render_label(lang)}: {_completeness_sentence(c.old, c.new, lang)}"
            for c in diff.completeness
        )
    return "\n".join(lines)


def short(diff: ReleaseDiff) -> str:
    """One line: the two releases and how much changed."""
    if not diff.changed:
        return f"<ReleaseDiff {_title(diff)}: no change>"
    return f"<ReleaseDiff {_title(diff)}: {_totals(diff)}>"


# -- HTML ---------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _html_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    parts = [f'<table><caption style="text-align:left"><strong>{_e(caption)}</strong></caption><thead><tr>']
    parts.extend(f'<th style="text-align:left">{_e(h)}</th>' for h in header)
    parts.append("</tr></thead><tbody>")
    for row in rows[:MAX_ROWS]:
        parts.append("<tr>" + "".join(f'<td style="text-align:left">{cell}</td>' for cell in row) + "</tr>")
    parts.append("</tbody></table>")
    if len(rows) > MAX_ROWS:
        parts.append(f"<p>… and {len(rows) - MAX_ROWS} more: see <code>.to_json()</code>.</p>")
    return "".join(parts)


def _html_fields(record: RecordChange) -> str:
    if record.change is Change.CHANGED:
        items = [
            f"<code>{_e(n)}</code>: {_e(_value(f.old))} {_ARROW} {_e(_value(f.new))}"
            for n, f in _shown_fields(record.fields)
        ]
    else:
        side = "new" if record.change is Change.ADDED else "old"
        items = [f"<code>{_e(n)}</code>: {_e(getattr(f, side))}" for n, f in _shown_fields(record.fields)]
    return "<br>".join(items)


def to_html(diff: ReleaseDiff) -> str:
    """Tables for a notebook: per table counts, then schema, records, citations, conflicts, completeness."""
    parts = [f"<p><strong>Changes {_e(_title(diff))}</strong>: {_e(_totals(diff))}</p>"]
    if not diff.changed:
        return parts[0]
    parts.append(
        _html_table(
            "Tables compared by key",
            ("table", "old rows", "new rows", "added", "removed", "changed"),
            [
                (_e(t.table), _e(t.old_rows), _e(t.new_rows), _e(t.added), _e(t.removed), _e(t.changed))
                for t in diff.tables
            ],
        )
    )
    if diff.schema:
        parts.append(
            _html_table(
                "Schema",
                ("table", "column", "change", "old", "new"),
                [(_e(s.table), _e(s.field), _e(s.change.value), _e(s.old), _e(s.new)) for s in diff.schema],
            )
        )
    if diff.records:
        parts.append(
            _html_table(
                "Records",
                ("table", "key", "change", "fields"),
                [
                    (_e(r.table), f"<code>{_e(r.key)}</code>", _e(r.change.value), _html_fields(r))
                    for r in diff.records
                ],
            )
        )
    if diff.citations:
        parts.append(
            _html_table(
                "Citations",
                ("record", "field", "change", "source", "value", "quote"),
                [
                    (
                        f"{_e(c.record_table)} <code>{_e(c.record_key)}</code>",
                        _e(c.field),
                        _e(c.change.value),
                        _e(c.source_id),
                        _e(c.value),
                        _e(c.quote),
                    )
                    for c in diff.citations
                ],
            )
        )
    if diff.conflicts:
        parts.append(
            _html_table(
                "Conflicts between sources",
                ("record", "field", "change", "what happened"),
                [
                    (
                        f"{_e(c.table)} <code>{_e(c.key)}</code>",
                        _e(c.field),
                        _e(c.change.value),
                        _e(_conflict_sentence(c)),
                    )
                    for c in diff.conflicts
                ],
            )
        )
    if diff.completeness:
        parts.append(
            _html_table(
                "Completeness",
                ("list", "old", "new"),
                [(_e(c.label), _e(c.old or "none"), _e(c.new or "none")) for c in diff.completeness],
            )
        )
    return "".join(parts)
