"""The validator's checks that SQL can express, run by DuckDB on a package: the yardstick of speed.

    python benchmarks/duckdb_checks.py PACKAGE_FOLDER [--sql]

The SQL is written from the package's own Table Schemas (so every constraint
they declare is checked) plus the dataset's cross-table checks that SQL can
state. Each check is a query counting the rows that break it; the script
prints each count and exits 1 if any is not zero. Rows the CSV reader
cannot read (too many or too few cells, bad quoting) are set aside by DuckDB
and counted as one more failing check. ``--sql`` prints the
queries instead of running them.

Checked, per table: the header (names and order); required cells;
``number``, ``integer`` and ``date`` cells that do not cast; ``minimum`` and
``maximum``; ``pattern`` (DuckDB's regular expressions are RE2, as the
validator's columnar tests are); ``enum``; primary keys and ``unique``
columns held twice; every foreign key, composite ones included. Across
tables: allocations that no citation names (``record-uncited``), allocation
values with no citation of their field (``value-uncited``), citations naming
no allocation, years and date bounds in order, and envelopes whose
allocations' lowest total passes the envelope's highest amount.

Not expressible here, so not counted against DuckDB's time: the exact text
forms the Table Schema asks (a number written ``1e3``, a date ``2022-2-3``:
DuckDB's casts accept more than frictionless does), a CSV's dialect and
encoding beyond what its reader refuses, hashes and byte counts, the model's
rules written in Python (EDTF semantics, SIREN checksums), quotes found in
their source, sources that disagree, and the completeness of lists.
"""

from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path
from typing import Any


#: The allocation fields whose values need a citation (value-uncited) -> the column holding them.
JUDGED = {
    "funder_id": "funder_id",
    "amount": "amount_eur",
    "beneficiary_id": "beneficiary_id",
    "envelope_id": "envelope_id",
    "round_id": "round_id",
    "territory_id": "territory_id",
    "convention": "convention_edtf",
    "first_year": "first_year",
    "last_year": "last_year",
}


def quoted(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """An SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _schema(root: Path, resource: dict[str, Any]) -> dict[str, Any]:
    schema = resource["schema"]
    if isinstance(schema, str):
        loaded: dict[str, Any] = json.loads((root / schema).read_text(encoding="utf-8"))
        return loaded
    return dict(schema)


def loads(root: Path, resources: list[dict[str, Any]]) -> list[str]:
    """One table per resource, every cell as text (an empty cell is NULL), as the validator reads them."""
    return [
        f"create table {quoted(r['name'])} as select * from read_csv({literal(root / r['path'])}, "
        "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
        "store_rejects = true)"
        for r in resources
    ]


def _cast(field: dict[str, Any]) -> str | None:
    return {"number": "double", "integer": "bigint", "date": "date", "year": "bigint"}.get(field["type"])


def field_checks(table: str, field: dict[str, Any]) -> dict[str, str]:
    """Counts of the cells of one column that break its type or constraints."""
    name, column = field["name"], quoted(field["name"])
    source = quoted(table)
    constraints = field.get("constraints", {})
    checks: dict[str, str] = {}
    cast = _cast(field)
    if constraints.get("required"):
        checks[f"{table}.{name} required"] = f"select count(*) from {source} where {column} is null"
    if cast:
        checks[f"{table}.{name} type"] = (
            f"select count(*) from {source} "
            f"where {column} is not null and try_cast({column} as {cast}) is null"
        )
    for bound, sign in (("minimum", "<"), ("maximum", ">")):
        if bound in constraints:
            number = f"try_cast({column} as {cast or 'double'})"
            checks[f"{table}.{name} {bound}"] = (
                f"select count(*) from {source} where {number} {sign} {constraints[bound]}"
            )
    if "pattern" in constraints:
        checks[f"{table}.{name} pattern"] = (
            f"select count(*) from {source} where {column} is not null and "
            f"not regexp_full_match({column}, {literal(constraints['pattern'])})"
        )
    if "enum" in constraints:
        values = ", ".join(literal(v) for v in constraints["enum"])
        checks[f"{table}.{name} enum"] = (
            f"select count(*) from {source} where {column} is not null and {column} not in ({values})"
        )
    if constraints.get("unique"):
        checks[f"{table}.{name} unique"] = _held_twice(table, [name])
    return checks


def _held_twice(table: str, fields: list[str]) -> str:
    columns = ", ".join(quoted(f) for f in fields)
    present = " or ".join(f"{quoted(f)} is not null" for f in fields)
    return (
        f"select coalesce(sum(n - 1), 0) from (select count(*) as n from {quoted(table)} "
        f"where {present} group by {columns} having count(*) > 1)"
    )


def table_checks(table: str, schema: dict[str, Any]) -> dict[str, str]:
    """Primary key and foreign keys of one table."""
    checks: dict[str, str] = {}
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    if key:
        checks[f"{table} primary key"] = _held_twice(table, key)
    for number, fk in enumerate(schema.get("foreignKeys", [])):
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        reference = fk["reference"]
        target = reference.get("resource") or table
        referenced = reference["fields"]
        referenced = [referenced] if isinstance(referenced, str) else referenced
        joined = " and ".join(
            f"r.{quoted(theirs)} = t.{quoted(mine)}" for mine, theirs in zip(fields, referenced, strict=True)
        )
        present = " and ".join(f"t.{quoted(f)} is not null" for f in fields)
        checks[f"{table} foreign key {number} ({', '.join(fields)} -> {target})"] = (
            f"select count(*) from {quoted(table)} t where {present} and not exists "
            f"(select 1 from {quoted(target)} r where {joined})"
        )
    return checks


def cross_checks() -> dict[str, str]:
    """The dataset's checks across tables that SQL can state."""
    on_allocations = "c.record_table = 'allocations'"
    asked = " union all ".join(
        f"select allocation_id, {literal(field)} as field from allocations where {quoted(column)} is not null"
        for field, column in JUDGED.items()
    )
    return {
        "record-uncited (allocations)": (
            "select count(*) from allocations a where not exists (select 1 from citations c "
            f"where {on_allocations} and c.record_key = a.allocation_id)"
        ),
        "value-uncited (allocations)": (
            f"select count(*) from ({asked}) v where not exists (select 1 from citations c "
            f"where {on_allocations} and c.record_key = v.allocation_id and c.field = v.field)"
        ),
        "citations of unknown allocations": (
            f"select count(*) from citations c where {on_allocations} and c.record_key is not null "
            "and not exists (select 1 from allocations a where a.allocation_id = c.record_key)"
        ),
        "allocations: years in order": (
            "select count(*) from allocations "
            "where try_cast(first_year as bigint) > try_cast(last_year as bigint)"
        ),
        "allocations: convention bounds in order": (
            "select count(*) from allocations "
            "where try_cast(convention_earliest as date) > try_cast(convention_latest as date)"
        ),
        "allocation-exceeds-envelope": (
            "select count(*) from (select envelope_id, "
            "sum(try_cast(amount_eur as decimal(38, 2)) "
            "- try_cast(amount_precision_eur as decimal(38, 2))) as low "
            "from allocations where envelope_id is not null group by envelope_id) s join envelopes e "
            "using (envelope_id) where s.low > try_cast(e.amount_eur as decimal(38, 2)) "
            "+ try_cast(e.amount_precision_eur as decimal(38, 2))"
        ),
    }


def all_checks(root: Path) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    """The loading statements, the counting queries, and each table's declared header."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    resources = descriptor["resources"]
    checks: dict[str, str] = {}
    headers: dict[str, list[str]] = {}
    for resource in resources:
        schema = _schema(root, resource)
        headers[resource["name"]] = [f["name"] for f in schema["fields"]]
        for field in schema["fields"]:
            checks |= field_checks(resource["name"], field)
        checks |= table_checks(resource["name"], schema)
    checks |= cross_checks()
    return loads(root, resources), checks, headers


def main() -> int:
    """Run every check on the package and print the count of each; 1 if any is not zero."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path)
    parser.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    args = parser.parse_args()
    statements, checks, headers = all_checks(args.package)
    if args.sql:
        for statement in statements:
            print(f"{statement};")
        for name, query in checks.items():
            print(f"-- {name}\n{query};")
        return 0
    import duckdb

    connection = duckdb.connect()
    for statement in statements:
        connection.execute(statement)
    failed = 0
    rejected = connection.execute("select count(*) from reject_errors").fetchone()
    if rejected and rejected[0]:
        print(f"rows that could not be read (ragged, badly quoted): {rejected[0]}")
        failed += 1
    for table, expected in headers.items():
        found = [row[0] for row in connection.execute(f"describe {quoted(table)}").fetchall()]
        if found != expected:
            print(f"{table}: header {found} is not {expected}")
            failed += 1
    for name, query in checks.items():
        try:
            row = connection.execute(query).fetchone()
        except duckdb.Error as error:  # a column missing from a renamed header
            print(f"{name}: not run ({str(error).splitlines()[0]})")
            failed += 1
            continue
        count = int(row[0]) if row and row[0] is not None else 0
        if count:
            print(f"{name}: {count}")
            failed += 1
    print(f"{len(checks) + len(headers)} checks, {failed} failing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
