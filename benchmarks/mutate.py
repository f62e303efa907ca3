"""Make the next release of a generated package: 1 % of its generated allocations edited.

Every hundredth generated allocation (``gen-…``) is edited, in turn:

1. its amount goes up by one euro;
2. its convention date becomes its year alone (``2022``; ``2023`` when it had none, June
   of its year when it was a year already);
3. it is removed, with its citations;
4. a new allocation is added after it (its id with ``-b``), a copy, with copies of its citations.

So a package of N generated allocations gets N/400 records of each kind of
edit: a quarter changed in their amount, a quarter in a date, a quarter
removed, a quarter added. Rows stay in key order, as the project's writers
write them, and the descriptor's hashes and sizes are updated. The same input
always gives the same bytes.

    python benchmarks/mutate.py /tmp/spie-1m /tmp/spie-1m-next
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil

from pathlib import Path


PREFIX = "gen-"
EVERY = 100


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _generated_number(allocation_id: str) -> int | None:
    if not allocation_id.startswith(PREFIX):
        return None
    tail = allocation_id.removeprefix(PREFIX)
    return int(tail) if tail.isdigit() else None


def mutate(source: Path, target: Path) -> dict[str, int]:
    """Copy ``source`` to ``target`` and edit 1 % of its generated allocations; counts of each edit."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    allocations = target / "data" / "allocations.csv"
    citations = target / "data" / "citations.csv"
    head, *rows = allocations.read_text(encoding="utf-8").splitlines(keepends=True)
    counts = {"amount": 0, "convention": 0, "removed": 0, "added": 0}
    removed: set[str] = set()
    added: dict[str, str] = {}  # new allocation id -> the id it follows
    out = [head]
    for line in rows:
        cells = _cells(line)
        number = _generated_number(cells[0])
        if number is None or number % EVERY:
            out.append(line)
            continue
        match (number // EVERY) % 4:
            case 0:
                cells[2] = f"{int(cells[2].split('.')[0]) + 1}.00"
                out.append(_line(cells))
                counts["amount"] += 1
            case 1:
                year = cells[8][:4] or "2023"
                if len(cells[8]) == 4:  # a year already: June of that year instead
                    cells[8:11] = [f"{year}-06", f"{year}-06-01", f"{year}-06-30"]
                else:
                    cells[8:11] = [year, f"{year}-01-01", f"{year}-12-31"]
                out.append(_line(cells))
                counts["convention"] += 1
            case 2:
                removed.add(cells[0])
                counts["removed"] += 1
            case _:
                out.append(line)
                new_id = f"{cells[0]}-b"
                out.append(_line([new_id, *cells[1:]]))
                added[cells[0]] = new_id
                counts["added"] += 1
    allocations.write_text("".join(out), encoding="utf-8")
    chead, *crows = citations.read_text(encoding="utf-8").splitlines(keepends=True)
    cout = [chead]
    held: list[tuple[str, list[str]]] = []  # the citations of an allocation that gets a copy

    def flush() -> None:
        # "gen-0000300-b/" sorts before "gen-0000300/" ('-' is below '/'): the copy's citations first.
        for _original, cells in held:
            new_id = added[cells[2]]
            cout.append(
                _line([cells[0].replace(f"/{cells[2]}/", f"/{new_id}/", 1), cells[1], new_id, *cells[3:]])
            )
        cout.extend(original for original, _ in held)
        held.clear()

    for line in crows:
        cells = _cells(line)
        if held and cells[2] != held[0][1][2]:
            flush()
        if cells[1] == "allocations" and cells[2] in removed:
            continue
        if cells[1] == "allocations" and cells[2] in added:
            held.append((line, cells))
            continue
        cout.append(line)
    flush()
    citations.write_text("".join(cout), encoding="utf-8")
    _rehash(target)
    return counts


def _rehash(out: Path) -> None:
    """Update every resource's hash and bytes, as a careful editor would."""
    from spie_occitanie.rehash import rewrite_hashes

    rewrite_hashes(out / "datapackage.json")


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a package written by generate.py")
    parser.add_argument("target", help="where to write the next release (replaced)")
    args = parser.parse_args()
    counts = mutate(Path(args.source), Path(args.target))
    print(f"wrote {args.target}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


if __name__ == "__main__":
    main()
