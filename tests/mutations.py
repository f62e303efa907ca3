"""A seeded mutator of data packages, for the fuzzing of every entry point that reads one.

Each mutation edits a copy of a package as a careless tool, a spreadsheet or
a hostile sender might: bytes, CSV structure, Unicode and line endings,
descriptor and schema edits, paths and symbolic links. Given the same seed,
the same mutation is made, so a failure found by ``tools/fuzz.py`` can be
replayed and kept as a regression case.
"""

from __future__ import annotations

import json
import random

from collections.abc import Callable
from pathlib import Path
from typing import Any


Mutation = Callable[[Path, random.Random], str]

ODD_TEXT = ["\ufeff", "\u2028", "\x00", "\u200f", "\udcff", "é", "\r", '"', ",", ";", "\t", " "]
HOSTILE_PATHS = [
    "../outside.csv",
    "/etc/passwd",
    "http://127.0.0.1:9/x.csv",
    "a\x00b.csv",
    "~/x.csv",
    "$HOME/x.csv",
    "data",
    "",
]


def _data_files(package: Path) -> list[Path]:
    """The package's CSV files that are files: a mutation reads none through a symbolic link.

    (A symlink to /dev/zero, made by :func:`symlink`, would be read forever.)
    """
    return sorted(p for p in (package / "data").glob("*.csv") if p.is_file() and not p.is_symlink())


def _descriptor(package: Path) -> dict[str, Any]:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _write_descriptor(package: Path, descriptor: object) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def flip_byte(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    data = bytearray(path.read_bytes())
    if not data:
        return "empty file"
    at = rng.randrange(len(data))
    data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return f"flip a bit at {at} of {path.name}"


def truncate(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    data = path.read_bytes()
    at = rng.randrange(len(data) + 1)
    path.write_bytes(data[:at])
    return f"truncate {path.name} at {at}"


def shuffle_lines(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    lines = path.read_bytes().split(b"\n")
    action = rng.choice(["swap", "delete", "duplicate", "blank"])
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "delete":
        del lines[i]
    elif action == "duplicate":
        lines.insert(j, lines[i])
    else:
        lines.insert(i, b"")
    path.write_bytes(b"\n".join(lines))
    return f"{action} line {i} of {path.name}"


def drop_column(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    lines = path.read_text(encoding="utf-8").split("\n")
    column = rng.randrange(8)
    kept = [",".join(c for k, c in enumerate(line.split(",")) if k != column) for line in lines]
    path.write_text("\n".join(kept), encoding="utf-8")
    return f"drop column {column} of {path.name}"


def odd_text(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    text = path.read_text(encoding="utf-8")
    at = rng.randrange(len(text) + 1)
    odd = rng.choice(ODD_TEXT) * rng.choice([1, 2, 1000])
    path.write_bytes((text[:at] + odd + text[at:]).encode("utf-8", "surrogatepass"))
    return f"insert {odd[:1]!r} x{len(odd)} at {at} of {path.name}"


def line_endings(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    ending = rng.choice([b"\r\n", b"\r"])
    path.write_bytes(path.read_bytes().replace(b"\n", ending))
    return f"line endings {ending!r} in {path.name}"


def descriptor_edit(package: Path, rng: random.Random) -> str:
    descriptor = _descriptor(package)
    resource = rng.choice(descriptor["resources"])
    action = rng.choice(["drop-key", "hash", "bytes", "path", "profile", "nest", "not-a-dict"])
    if action == "drop-key":
        key = rng.choice(sorted(resource))
        del resource[key]
        action += f" {key}"
    elif action == "hash":
        resource["hash"] = rng.choice(["shake_128:ab", "md5:", "nope", 7, "sha256:" + "0" * 64])
    elif action == "bytes":
        resource["bytes"] = rng.choice([-1, "12", 10**30, None])
    elif action == "path":
        resource["path"] = rng.choice(HOSTILE_PATHS)
    elif action == "profile":
        descriptor["profile"] = "http://127.0.0.1:9/p.json"
    elif action == "nest":
        resource["schema"] = json.loads("[" * 50 + "]" * 50)
    else:
        descriptor["resources"] = rng.choice([None, "x", [1, 2], {}])
    _write_descriptor(package, descriptor)
    return f"descriptor: {action} ({resource.get('name')})"


def schema_edit(package: Path, rng: random.Random) -> str:
    descriptor = _descriptor(package)
    resource = rng.choice(descriptor["resources"])
    schema = resource.get("schema")
    if not isinstance(schema, dict):
        return "no inline schema"
    field = rng.choice(schema["fields"])
    action = rng.choice(["type", "pattern", "enum", "minimum", "missing", "key", "drop-field"])
    if action == "type":
        field["type"] = rng.choice(["integer", "date", "boolean", "any", "nope"])
    elif action == "pattern":
        field.setdefault("constraints", {})["pattern"] = rng.choice(["(.*.*.*.*)+z", "[", "^x$"])
    elif action == "enum":
        field.setdefault("constraints", {})["enum"] = ["x"]
    elif action == "minimum":
        field.setdefault("constraints", {})["minimum"] = rng.choice([-1, "a", 10**9])
    elif action == "missing":
        schema["missingValues"] = ["", "NA"]
    elif action == "key":
        schema["primaryKey"] = [field["name"], "nope"]
    else:
        schema["fields"].remove(field)
    _write_descriptor(package, descriptor)
    return f"schema of {resource.get('name')}: {action} {field.get('name')}"


def symlink(package: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(package))
    path.unlink()
    target = rng.choice([path, package.parent / "outside.csv", Path("/dev/zero"), package / "data"])
    path.symlink_to(target)
    return f"{path.name} -> {target}"


MUTATIONS: tuple[Mutation, ...] = (
    flip_byte,
    truncate,
    shuffle_lines,
    drop_column,
    odd_text,
    line_endings,
    descriptor_edit,
    schema_edit,
    symlink,
)


def mutate(package: Path, seed: int) -> list[str]:
    """One to three mutations of the package in place, chosen by ``seed``; what was done.

    A mutation that the package left by an earlier one cannot take (a file
    already gone, a descriptor no longer JSON) is skipped and said so.
    """
    rng = random.Random(seed)  # noqa: S311 - a replayable choice, not a secret
    done = []
    for _ in range(rng.randint(1, 3)):
        mutation = rng.choice(MUTATIONS)
        try:
            done.append(mutation(package, rng))
        except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            done.append(f"{mutation.__name__} skipped ({type(error).__name__})")
    return done
