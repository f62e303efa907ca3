"""The way into a package for the validator and the reader: descriptor, paths, files, schemas.

A package is untrusted input. Paths are checked before anything is read (no
absolute path, no ``..``, no URL, no ``~`` or ``$VAR``, no symlink leaving the
folder), nothing is fetched from the network, and files and descriptors have
size limits. :func:`open_package` says what stops a package being read at
all; :func:`typed_rows` and :func:`build_record` turn the rows of a package
that the validator passed into records.
"""

from __future__ import annotations

import csv
import json
import re

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path, PurePosixPath
from typing import Any

from spie_occitanie.errors import CellError, InvalidValueError, PackageUnreadableError, RowError
from spie_occitanie.findings import Finding, Severity
from spie_occitanie.formats.csv import parse_cell, read_rows
from spie_occitanie.tables import TABLES, record_from_row


__all__ = [
    "DESCRIPTOR",
    "MAX_DESCRIPTOR_BYTES",
    "MAX_FILE_BYTES",
    "build_record",
    "descriptor_path",
    "file_finding",
    "open_package",
    "too_large_for_records",
    "typed_rows",
    "unsafe_reason",
]

#: The descriptor's file name.
DESCRIPTOR = "datapackage.json"
#: The largest data file :func:`~spie_occitanie.formats.datapackage.read_datapackage` turns
#: into records (one Python object per row); the validator streams files of any size.
MAX_FILE_BYTES = 256 << 20
#: The largest descriptor or schema a reader accepts.
MAX_DESCRIPTOR_BYTES = 4 << 20


# -- paths -----------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def descriptor_path(path: Path | str) -> Path:
    """The descriptor of a package given as the file or the folder holding it.

    Raises:
        PackageUnreadableError: there is no such descriptor.
    """
    candidate = Path(path)
    if candidate.is_dir():
        candidate /= DESCRIPTOR
    if not candidate.is_file():
        raise PackageUnreadableError(
            f"{path}: no such data package (expected {DESCRIPTOR} or a folder holding it)"
        )
    return candidate


#: The longest path a descriptor may give.
_MAX_PATH = 1024


def unsafe_reason(root: Path, value: object) -> str | None:
    """Why a path of an untrusted descriptor must not be followed, or ``None`` if it is safe."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty relative path"
    if "\x00" in value or len(value) > _MAX_PATH:
        return f"contains a NUL character or is longer than {_MAX_PATH} characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    if _SCHEME.match(value) or value.startswith("//"):
        return "is a URL; a package is read from its folder only, never from the network"
    if value.startswith("~"):
        return "starts with '~'"
    if "$" in value or "%" in value:
        return "contains an environment variable"
    pure = PurePosixPath(value.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", value):
        return "is absolute"
    if ".." in pure.parts:
        return "goes up with '..'"
    try:
        resolved = (root / pure).resolve()
    except (OSError, RuntimeError):  # a symbolic link that loops, a name the system refuses
        return "cannot be resolved (a symbolic link that loops, or a name the system refuses)"
    if not resolved.is_relative_to(root.resolve()):
        return "leaves the package folder through a symbolic link"
    return None


# -- findings ----------------------------------------------------------------------------


def file_finding(
    check: str,
    file: str,
    message: str,
    *,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    refers_to: str | None = None,
) -> Finding:
    """A finding about a file, or a row or cell of it, its message prefixed with the place."""
    where = file if row is None else f"{file} row {row}"
    if field is not None:
        where += f" field '{field}'"
    return Finding(
        check=check,
        severity=Severity.ERROR,
        file=file,
        row=row,
        field=field,
        value=None if value is None else str(value),
        refers_to=refers_to,
        message=f"{where}: {message}",
    )


def load_json(path: Path, what: str) -> Any:
    """A JSON document of the package, refused past :data:`MAX_DESCRIPTOR_BYTES`."""
    if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        raise PackageUnreadableError(f"{path}: the {what} is larger than {MAX_DESCRIPTOR_BYTES} bytes")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageUnreadableError(f"{path}: the {what} is not JSON ({error})") from None
    except RecursionError:
        raise PackageUnreadableError(f"{path}: the {what} is nested too deeply to be read") from None


def declared_resources(root: Path, descriptor: Any) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    """The resources by name, and the findings about the descriptor's structure and paths."""
    findings: list[Finding] = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        return {}, [file_finding("descriptor-error", DESCRIPTOR, "must hold a list of 'resources'")]
    declared: dict[str, dict[str, Any]] = {}
    for number, resource in enumerate(resources, start=1):
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            findings.append(
                file_finding(
                    "descriptor-error", DESCRIPTOR, f"resource #{number} must be an object with a 'name'"
                )
            )
            continue
        name = resource["name"]
        for key in ("path", "schema", "dialect"):
            if key not in resource:
                if key != "dialect":
                    findings.append(
                        file_finding("descriptor-error", DESCRIPTOR, f"resource {name!r} has no '{key}'")
                    )
                continue
            value = resource[key]
            if key != "path" and isinstance(value, dict):
                continue  # an inline schema or dialect: nothing to follow
            reason = unsafe_reason(root, value)
            if reason is not None:
                findings.append(
                    file_finding("unsafe-path", DESCRIPTOR, f"resource {name!r} {key} {value!r} {reason}")
                )
        findings.extend(_property_findings(descriptor, name, resource))
        declared[name] = resource
    findings.extend(_profile_findings("the package", descriptor.get("profile"), PACKAGE_PROFILES))
    for name in TABLES:
        if name not in declared:
            findings.append(file_finding("missing-resource", DESCRIPTOR, f"has no resource {name!r}"))
    return declared, findings


#: The profiles a package may name: the standard ones, known without fetching anything.
PACKAGE_PROFILES = frozenset({"data-package", "tabular-data-package"})
RESOURCE_PROFILES = frozenset({"data-resource", "tabular-data-resource"})


def _profile_findings(what: str, profile: object, known: frozenset[str]) -> list[Finding]:
    """A profile that is not a standard one would have to be fetched: never done, so refused."""
    if profile is None or profile in known:
        return []
    return [
        file_finding(
            "descriptor-error",
            DESCRIPTOR,
            f"{what} names the profile {profile!r}; only the standard ones ({', '.join(sorted(known))}) "
            "are known, and no profile is fetched",
        )
    ]


def _property_findings(descriptor: dict[str, Any], name: str, resource: dict[str, Any]) -> list[Finding]:
    """A resource's profile, size and hash, as the Data Package specification types them."""
    findings = _profile_findings(f"resource {name!r}", resource.get("profile"), RESOURCE_PROFILES)
    if (
        descriptor.get("profile") == "tabular-data-package"
        and resource.get("profile") != "tabular-data-resource"
    ):
        findings.append(
            file_finding(
                "descriptor-error",
                DESCRIPTOR,
                f"resource {name!r} of a tabular data package must have the profile 'tabular-data-resource'",
            )
        )
    size = resource.get("bytes")
    if "bytes" in resource and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        findings.append(
            file_finding(
                "descriptor-error", DESCRIPTOR, f"resource {name!r} bytes {size!r} must be an integer >= 0"
            )
        )
    if "hash" in resource and not isinstance(resource["hash"], str):
        findings.append(
            file_finding(
                "descriptor-error", DESCRIPTOR, f"resource {name!r} hash {resource['hash']!r} must be text"
            )
        )
    return findings


def schema_findings(root: Path, name: str, resource: dict[str, Any]) -> list[Finding]:
    """The declared schema must describe the table as the library does."""
    table = TABLES[name]
    schema = resource.get("schema")
    if isinstance(schema, str):
        schema_file = root / schema
        if not schema_file.is_file():
            return [file_finding("missing-file", schema, f"the schema of {name!r} does not exist")]
        schema = load_json(schema_file, "schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [file_finding("schema-error", str(resource.get("schema")), "must hold a list of 'fields'")]
    fields = schema["fields"]
    if not all(isinstance(f, dict) for f in fields):
        return [file_finding("schema-error", str(resource.get("schema")), "every field must be an object")]
    declared = [(f.get("name"), f.get("type")) for f in fields]
    expected = [(c.name, c.type) for c in table.columns]
    where = str(resource.get("schema")) if isinstance(resource.get("schema"), str) else DESCRIPTOR
    if declared != expected:
        return [
            file_finding(
                "schema-mismatch", where, f"fields {declared} differ from the {name!r} table's {expected}"
            )
        ]
    return _rule_differences(where, name, schema, table.schema_descriptor())


#: What a field of a Table Schema says about validity (its title, description and example do not).
_FIELD_RULES = (
    "type",
    "format",
    "constraints",
    "trueValues",
    "falseValues",
    "decimalChar",
    "groupChar",
    "bareNumber",
    "missingValues",
)


def _rule_differences(
    where: str, name: str, declared: dict[str, Any], expected: dict[str, Any]
) -> list[Finding]:
    """Every rule of a package's schema that is not the table's own: the package is judged by its own.

    A pattern, enum, minimum, format, ``missingValues`` or key edited in a
    package would make frictionless judge it by other rules than the
    library's; each difference is a finding, so the two never disagree
    silently (and a pattern of the package's own is never run).
    """
    found = []
    for field, want in zip(declared["fields"], expected["fields"], strict=True):
        for key in _FIELD_RULES:
            if field.get(key) != want.get(key):
                found.append(
                    file_finding(
                        "schema-mismatch",
                        where,
                        f"{name} field {field.get('name')!r} {key} is {field.get(key)!r}, "
                        f"the table's is {want.get(key)!r}",
                        field=str(field.get("name")),
                    )
                )
    for key in ("primaryKey", "missingValues"):
        if declared.get(key, expected.get(key) if key == "missingValues" else None) != expected.get(key):
            found.append(
                file_finding(
                    "schema-mismatch",
                    where,
                    f"{name} {key} is {declared.get(key)!r}, the table's is {expected.get(key)!r}",
                )
            )
    extra = [k for k in declared.get("foreignKeys", []) or [] if k not in expected.get("foreignKeys", [])]
    found.extend(
        file_finding("schema-mismatch", where, f"{name} foreign key {key!r} is not the table's")
        for key in extra
    )
    return found


def file_findings(root: Path, name: str, resource: dict[str, Any]) -> list[Finding]:
    """A data file that is missing; its size is no limit, since the validator streams it."""
    path = root / resource["path"]
    if not path.is_file():
        return [file_finding("missing-file", resource["path"], f"the data of {name!r} does not exist")]
    return []


def too_large_for_records(root: Path, declared: dict[str, dict[str, Any]]) -> list[Finding]:
    """Files too large to be turned into one Python object per row (what the reader builds)."""
    found = []
    for name in TABLES:
        path = root / declared[name]["path"]
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_FILE_BYTES:
            found.append(
                file_finding(
                    "file-too-large",
                    declared[name]["path"],
                    f"{size} bytes, more than the {MAX_FILE_BYTES} read_datapackage turns into records; "
                    "validate_datapackage (and spie-occitanie validate) streams it whatever its size, "
                    "and pyarrow or DuckDB read its tables in columns",
                )
            )
    return found


def typed_rows(
    root: Path, name: str, resource: dict[str, Any], skip: AbstractSet[int] = frozenset()
) -> Iterator[tuple[int, dict[str, Any]] | Finding]:
    """Typed rows of a resource (but those in ``skip``), or findings for rows that cannot be records."""
    table = TABLES[name]
    file = resource["path"]
    try:
        for number, cells in read_rows(root / file):
            if number == 1:
                continue  # the header, checked by the validator
            if number in skip or len(cells) != len(table.columns):
                continue  # the validator reported this row
            row: dict[str, Any] = {}
            for column, text in zip(table.columns, cells, strict=True):
                try:
                    row[column.name] = parse_cell(column, text)
                except CellError as error:
                    yield file_finding(
                        "type-error", file, str(error), row=number, field=column.name, value=text
                    )
                    break
            else:
                yield number, row
    except csv.Error as error:
        yield file_finding("source-error", file, f"cannot be read as CSV: {error}")
    except UnicodeDecodeError as error:
        yield file_finding("encoding-error", file, f"is not UTF-8: {error}")


def build_record(name: str, file: str, number: int, row: dict[str, Any]) -> Any:
    """The record of one typed row (a dict for ``coverage``), or the finding that stops it."""
    if name == "coverage":
        return row  # not a record of its own: it becomes the territories' covers
    try:
        return record_from_row(name, row)
    except RowError as error:
        return file_finding(
            "value-rule",
            file,
            f"{error.reason} (value {error.value!r})",
            row=number,
            field=error.field,
            value=error.value,
        )
    except InvalidValueError as error:
        field = error.field
        value = row.get(field, error.value)
        return file_finding(
            "value-rule", file, f"{error.reason} (value {value!r})", row=number, field=field, value=value
        )


def open_package(path: Path | str) -> tuple[Path, dict[str, dict[str, Any]], list[Finding]]:
    """A package's descriptor file, its resources by table, and what stops it being read at all.

    The findings (an unsafe or incomplete descriptor, a missing or oversized
    file, a Table Schema that is not ours) come before any data is parsed:
    when there are some, nothing that reads files is handed the package.
    Both the reader and the streaming validator start here.

    Raises:
        PackageUnreadableError: no such package, or a descriptor that is not a JSON object.
    """
    descriptor_file = descriptor_path(path)
    root = descriptor_file.parent
    descriptor = load_json(descriptor_file, "descriptor")
    if not isinstance(descriptor, dict):
        raise PackageUnreadableError(f"{descriptor_file}: the descriptor must be a JSON object")
    declared, findings = declared_resources(root, descriptor)
    if not findings:
        for name in TABLES:  # the descriptor may declare more; only the project's tables are read
            resource = declared[name]
            findings += file_findings(root, name, resource) + schema_findings(root, name, resource)
    return descriptor_file, declared, findings
