"""How many values of the curated facts a citation of their field supports.

Counts, over every non-reference record, each non-empty value that is not a
key and not one of the project's own designations (the values the
``value-uncited`` check judges), and how many of them a field-level citation
supports: ``python tools/citation_coverage.py [FACTS_FOLDER]`` (default: the
shipped facts; a folder of an older copy of the TOML files and ``cog/`` measures
that copy).
"""

from __future__ import annotations

import sys

import spie_occitanie as spie

from spie_occitanie.checks import CHECKS
from spie_occitanie.facts import load_facts


def main() -> None:
    """Print supported values over all judged values, and the unsupported ones by table and field."""
    ds = load_facts(sys.argv[1]) if len(sys.argv) > 1 else spie.load()
    findings = list(CHECKS["values"](ds))
    judged = _judged(ds)
    sys.stdout.write(f"supported values: {judged - len(findings)} / {judged}\n")
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        where = (finding.table or "", finding.field or "")
        counts[where] = counts.get(where, 0) + 1
    for (table, field), count in sorted(counts.items()):
        sys.stdout.write(f"  uncited: {table}.{field}: {count}\n")


def _judged(ds: spie.Dataset) -> int:
    """The values the check judges: those it would report if no citation had a field."""
    import attrs

    # Every field-level citation moved to a field no record has: none supports a value any more,
    # and no record becomes a reference row (that takes a citation of the whole record).
    bare = attrs.evolve(
        ds,
        citations=[c if c.field is None else attrs.evolve(c, field="not_a_field") for c in ds.citations],
    )
    return len(list(CHECKS["values"](bare)))


if __name__ == "__main__":
    main()
