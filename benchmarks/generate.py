"""Generate a national-scale SPIE data package, optionally with planted errors.

The package is the embedded dataset's (every real table as published) plus
``--rows`` generated allocations from the State's national envelope to the
territories selected in each round, small enough that together they fit the
envelope, each cited by a real source as a whole and value by value (the
``value-uncited`` check asks every value for a citation of its field). The
same seed always gives the same bytes.

With ``--errors``, known rows carry the faults a validator must find (a
duplicate key, a negative amount, an unknown territory, ``2023-02-30``, an
empty required cell, a value outside an enum, text in a number column, a
dangling foreign key, a renamed header, ragged rows) and a few the model
finds (years out of order); ``planted.json`` lists where.

Rows are in key order, as the project's writers write them. With
``--unordered`` the generated allocations and citations are shuffled (with
the same seed), as a ledger exported from elsewhere may be: the validator
then reads key columns a second time and matches citations at the end.

    python benchmarks/generate.py --rows 1000000 --out /tmp/spie-1m [--errors] [--unordered]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random

from collections.abc import Iterator
from pathlib import Path
from typing import Any


#: The generated allocations' ids: ``gen-0000001``, in key order.
PREFIX = "gen-"
#: The envelope the generated allocations draw on, and the most they may total.
ENVELOPE = "national-2021-2023"
SEED = 20220203


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _partial_date(rng: random.Random) -> tuple[str, str, str]:
    """An EDTF date of 2021-2023 at a random precision, with its earliest and latest days."""
    year = rng.choice((2021, 2022, 2023))
    kind = rng.randrange(4)
    month = rng.randint(1, 12)
    days = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if kind == 0:
        day = rng.randint(1, days[month - 1])
        text = f"{year}-{month:02d}-{day:02d}"
        return text, text, text
    if kind == 1:
        return f"{year}-{month:02d}", f"{year}-{month:02d}-01", f"{year}-{month:02d}-{days[month - 1]:02d}"
    if kind == 2:
        season = rng.randint(21, 23)  # spring to autumn: within the year
        start = 3 * (season - 20)
        end = start + 2
        return f"{year}-{season}", f"{year}-{start:02d}-01", f"{year}-{end:02d}-{days[end - 1]:02d}"
    return f"{year}", f"{year}-01-01", f"{year}-12-31"


def _real_package(out: Path) -> None:
    import spie_occitanie as spie

    from spie_occitanie.formats.datapackage import write_datapackage

    write_datapackage(spie.load(), out)


def _selections(out: Path) -> list[tuple[str, str, str]]:
    """(round, territory, holder) of every selection of the real package."""
    with (out / "data" / "selections.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["round_id"], r["territory_id"], r["holder_id"]) for r in csv.DictReader(handle)]


def _sources(out: Path) -> list[str]:
    with (out / "data" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        return [r["source_id"] for r in csv.DictReader(handle) if r["kind"] != "reference-dataset"]


def _budget_cents(out: Path) -> int:
    """What the generated allocations may total: the envelope's lowest bound less what it already funds."""
    with (out / "data" / "envelopes.csv").open(encoding="utf-8", newline="") as handle:
        envelope = next(r for r in csv.DictReader(handle) if r["envelope_id"] == ENVELOPE)
    low = round(float(envelope["amount_eur"]) * 100) - round(float(envelope["amount_precision_eur"]) * 50)
    with (out / "data" / "allocations.csv").open(encoding="utf-8", newline="") as handle:
        used = sum(
            round(float(r["amount_eur"]) * 100)
            for r in csv.DictReader(handle)
            if r["envelope_id"] == ENVELOPE
        )
    return low - used


def generate(
    rows: int, out: Path | str, *, errors: bool = False, unordered: bool = False, seed: int = SEED
) -> dict[str, Any]:
    """Write the package into ``out``; returns the planted errors (empty without ``errors``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _real_package(out)
    rng = random.Random(seed)
    selections = _selections(out)
    sources = _sources(out)
    per_row = max(100, _budget_cents(out) // max(rows, 1))  # cents; rounding to 1 EUR lowers the total
    allocations_file = out / "data" / "allocations.csv"
    citations_file = out / "data" / "citations.csv"
    real_allocations = allocations_file.read_text(encoding="utf-8").splitlines(keepends=True)
    real_citations = citations_file.read_text(encoding="utf-8").splitlines(keepends=True)
    head, body = real_allocations[0], real_allocations[1:]
    before = [line for line in body if line < PREFIX]
    after = [line for line in body if line >= PREFIX]
    chead, cbody = real_citations[0], real_citations[1:]
    marker = f"allocations/{PREFIX}"
    cbefore = [line for line in cbody if line < marker]
    cafter = [line for line in cbody if line >= marker]
    lines = _lines(rows, rng, selections, sources, per_row)
    if not (errors or unordered):
        # In key order and unplanted, the rows go straight to the files: any size fits in memory.
        with (
            allocations_file.open("w", encoding="utf-8") as a,
            citations_file.open("w", encoding="utf-8") as c,
        ):
            a.writelines([head, *before])
            c.writelines([chead, *cbefore])
            for allocation, its_citations in lines:
                a.write(allocation)
                c.writelines(its_citations)
            a.writelines(after)
            c.writelines(cafter)
        _rehash(out)
        (out / "planted.json").write_text(json.dumps({}, indent=2) + "\n", encoding="utf-8")
        return {}
    generated: list[str] = []
    cited: list[str] = []
    for allocation, its_citations in lines:
        generated.append(allocation)
        cited.extend(its_citations)
    if unordered:
        rng.shuffle(generated)
        rng.shuffle(cited)
    # The real rows keep their places: in key order, the generated ids sort between them.
    allocations = [head, *before, *generated, *after]
    citations = [chead, *cbefore, *cited, *cafter]
    planted: dict[str, Any] = {}
    if errors:
        planted = _plant(out, allocations, citations, first_generated=1 + len(before) + 1)
    allocations_file.write_text("".join(allocations), encoding="utf-8")
    citations_file.write_text("".join(citations), encoding="utf-8")
    _rehash(out)
    (out / "planted.json").write_text(json.dumps(planted, indent=2) + "\n", encoding="utf-8")
    return planted


def _lines(
    rows: int, rng: random.Random, selections: list[Any], sources: list[str], per_row: int
) -> Iterator[tuple[str, list[str]]]:
    """Each generated allocation's CSV line and its citations' lines, in key order."""
    width = max(7, len(str(rows)))
    for number in range(1, rows + 1):
        allocation_id = f"{PREFIX}{number:0{width}d}"
        round_id, territory_id, holder = rng.choice(selections)
        euros = rng.randint(1, max(1, per_row // 100 - 1))
        edtf, earliest, latest = _partial_date(rng) if rng.random() < 0.7 else ("", "", "")
        first = rng.choice(("", "2021", "2022"))
        last = "" if not first else rng.choice(("2022", "2023"))
        allocation = _line(
            [
                allocation_id,
                "etat",
                f"{euros}.00",
                "1.00",
                holder,
                ENVELOPE,
                round_id,
                territory_id,
                edtf,
                earliest,
                latest,
                first,
                last,
            ]
        )
        values = {
            "amount": "x",
            "beneficiary_id": holder,
            "convention": edtf,
            "envelope_id": ENVELOPE,
            "first_year": first,
            "funder_id": "etat",
            "last_year": last,
            "round_id": round_id,
            "territory_id": territory_id,
        }
        # The citation of the record, then one per value, in citation_id order ("*" sorts first).
        its_citations = []
        for field in ("", *(name for name, value in values.items() if value)):
            its_citations.append(
                _line(
                    [
                        f"allocations/{allocation_id}/{field or '*'}/1",
                        "allocations",
                        allocation_id,
                        field,
                        rng.choice(sources),
                        "les territoires sélectionnés",
                        "",
                        "states",
                        "",
                    ]
                )
            )
        yield allocation, its_citations


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _plant(
    out: Path, allocations: list[str], citations: list[str], *, first_generated: int
) -> dict[str, Any]:
    """Plant each fault at a known row (row numbers as frictionless counts them: the header is 1)."""
    generated = len(allocations) - first_generated
    if generated < 40:
        raise SystemExit("--errors needs --rows 40 or more")
    step = generated // 12
    planted: dict[str, Any] = {}

    def at(k: int) -> int:
        return first_generated + k * step  # a row number

    def edit(row: int, column: int, value: str) -> None:
        cells = _cells(allocations[row - 1])
        cells[column] = value
        allocations[row - 1] = _line(cells)

    def note(name: str, file: str, row: int | None, field: str | None, kind: str) -> None:
        planted[name] = {"file": file, "row": row, "field": field, "type": kind}

    previous = _cells(allocations[at(1) - 2])[0]
    edit(at(1), 0, previous)
    note("duplicate key", "data/allocations.csv", at(1), None, "primary-key")
    edit(at(2), 2, "-5.00")
    note("negative amount", "data/allocations.csv", at(2), "amount_eur", "constraint-error")
    edit(at(3), 7, "spie:inconnu")
    note("unknown territory", "data/allocations.csv", at(3), None, "foreign-key")
    edit(at(4), 8, "2023-02-30")
    edit(at(4), 9, "2023-02-30")
    edit(at(4), 10, "2023-02-30")
    note("2023-02-30", "data/allocations.csv", at(4), "convention_earliest", "type-error")
    edit(at(5), 1, "")
    note("empty required cell", "data/allocations.csv", at(5), "funder_id", "constraint-error")
    edit(at(6), 3, "un euro")
    note("text in a number column", "data/allocations.csv", at(6), "amount_precision_eur", "type-error")
    edit(at(7), 5, "enveloppe-inconnue")
    note("dangling foreign key", "data/allocations.csv", at(7), None, "foreign-key")
    cells = _cells(allocations[at(8) - 1])
    allocations[at(8) - 1] = _line([*cells, "de trop"])
    note("ragged row (extra cell)", "data/allocations.csv", at(8), "", "extra-cell")
    allocations[at(9) - 1] = _line(_cells(allocations[at(9) - 1])[:10])
    note("ragged row (missing cells)", "data/allocations.csv", at(9), "convention_latest", "missing-cell")
    edit(at(10), 11, "2023")
    edit(at(10), 12, "2021")
    note("years out of order", "data/allocations.csv", at(10), "last_year", "value-rule")
    # A value outside an enum, in the citations.
    row = len(citations) // 2
    cells = _cells(citations[row - 1])
    cells[7] = "peut-être"
    citations[row - 1] = _line(cells)
    note("value outside an enum", "data/citations.csv", row, "kind", "constraint-error")
    # A renamed header, in the tallies.
    tallies = out / "data" / "tallies.csv"
    text = tallies.read_text(encoding="utf-8")
    tallies.write_text(text.replace("count", "nombre", 1), encoding="utf-8")
    note("renamed header", "data/tallies.csv", None, "count", "incorrect-label")
    return planted


def _rehash(out: Path) -> None:
    """Update every resource's hash and bytes, as a careful editor would."""
    from spie_occitanie.rehash import rewrite_hashes

    rewrite_hashes(out / "datapackage.json")


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="generated allocations")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--errors", action="store_true", help="plant the known faults")
    parser.add_argument("--unordered", action="store_true", help="shuffle the generated rows")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    planted = generate(args.rows, args.out, errors=args.errors, unordered=args.unordered, seed=args.seed)
    print(f"wrote {args.out} ({args.rows} generated allocations, {len(planted)} planted faults)")


if __name__ == "__main__":
    main()
