"""Accept hand edits: rewrite a package's file hashes and sizes, after checking everything else.

A person who corrects one amount in ``data/allocations.csv`` makes the
package invalid for one reason only: the file no longer has the ``hash`` and
``bytes`` its descriptor declares. :func:`rehash` runs the validator; when
every other finding is absent (warnings aside), it rewrites those two values
for every data file, in the descriptor only, as one atomic replacement. When
anything else is wrong, it changes nothing and returns the findings.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from spie_occitanie.errors import PackageUnreadableError
from spie_occitanie.formats.datapackage import validate_datapackage
from spie_occitanie.formats.table_schema import json_bytes
from spie_occitanie.stream.package import descriptor_path, load_json


if TYPE_CHECKING:
    from spie_occitanie.findings import Finding, Report


__all__ = ["INTEGRITY_CHECKS", "Rehashed", "rehash", "rewrite_hashes"]

#: The findings a rehash resolves: the file changed after the package was written.
INTEGRITY_CHECKS = frozenset({"hash-count", "byte-count"})


@attrs.frozen(kw_only=True)
class Rehashed:
    """What :func:`rehash` did.

    Attributes:
        descriptor: the ``datapackage.json`` read.
        changed: the files whose hash or size was rewritten, in descriptor order.
        refused: the other findings that stopped it (then nothing was written).
    """

    descriptor: Path
    changed: tuple[str, ...] = ()
    refused: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the package is valid now."""
        return not self.refused


def _other_errors(report: Report) -> tuple[Finding, ...]:
    return tuple(f for f in report.errors if f.check not in INTEGRITY_CHECKS)


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def rehash(path: Path | str) -> Rehashed:
    """Rewrite the hashes and sizes of a package's data files, when nothing else is wrong.

    Args:
        path: a ``datapackage.json`` or the folder holding it.

    Raises:
        PackageUnreadableError: nothing could be read, or the descriptor cannot be replaced.
    """
    descriptor_file = descriptor_path(path)
    report = validate_datapackage(descriptor_file)
    refused = _other_errors(report)
    if refused:
        return Rehashed(descriptor=descriptor_file, refused=refused)
    return Rehashed(descriptor=descriptor_file, changed=rewrite_hashes(descriptor_file))


def rewrite_hashes(descriptor_file: Path) -> tuple[str, ...]:
    """Rewrite every resource's ``hash`` and ``bytes`` from its file, without validating anything.

    What :func:`rehash` does once the package is otherwise valid; the
    benchmarks' generators use it directly on the packages they edit.
    Returns the files whose hash or size changed.
    """
    descriptor: dict[str, Any] = load_json(descriptor_file, "descriptor")
    changed: list[str] = []
    for resource in descriptor["resources"]:
        file = descriptor_file.parent / resource["path"]
        digest, size = _sha256(file)
        if resource.get("hash") != f"sha256:{digest}" or resource.get("bytes") != size:
            resource["hash"] = f"sha256:{digest}"
            resource["bytes"] = size
            changed.append(resource["path"])
    if changed:
        _replace(descriptor_file, json_bytes(descriptor))
    return tuple(changed)


def _replace(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target`` and rename it over: readers see the old or the new file."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(target.stat().st_mode & 0o777)
        Path(temporary).replace(target)
    except OSError as error:
        raise PackageUnreadableError(f"{target}: cannot be replaced ({error.strerror or error})") from None
