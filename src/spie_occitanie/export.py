"""Export a dataset to a folder, replacing it as one unit.

Everything is written into a new folder beside ``out`` and swapped in only
when complete, so an export that fails half-way (or is killed) leaves the
previous export whole. An export never deletes what it did not write: a
non-empty folder that is not a previous export of this tool (a repository, a
home folder, ``.``), or a previous export holding files it did not write, is
refused and left untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from spie_occitanie.errors import ExportRefusedError
from spie_occitanie.outputs import DEFAULT_FORMATS
from spie_occitanie.outputs import FORMATS as OUTPUT_FORMATS


if TYPE_CHECKING:
    from spie_occitanie.dataset import Dataset
    from spie_occitanie.formats.scdl import ScdlConfig


__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "MANIFEST",
    "ExportOptions",
    "ExportRefusedError",
    "Exported",
    "export",
]

#: The file that marks a folder as an export of this tool and lists what it wrote.
MANIFEST = ".spie-occitanie-export.json"


@attrs.frozen
class Exported:
    """What an export wrote.

    Attributes:
        out: the output folder.
        formats: the formats written.
        files: each file written, relative to ``out``, with its size in bytes.
        replaced: the files of the previous export in ``out`` that this one does not
            write again (gone with it), relative to ``out``.
    """

    out: Path
    formats: tuple[str, ...]
    files: tuple[tuple[str, int], ...]
    replaced: tuple[str, ...] = ()

    @property
    def total_bytes(self) -> int:
        """The size of everything written."""
        return sum(size for _, size in self.files)


@attrs.frozen(kw_only=True)
class ExportOptions:
    """What some formats need from the caller.

    Attributes:
        scdl_config: the facts the SCDL needs and the dataset lacks (SIRETs,
            payment terms); without it the SCDL export lists every missing field.
    """

    scdl_config: ScdlConfig | None = None


def write_datapackage_format(ds: Dataset, folder: Path, _options: ExportOptions) -> None:
    """The writer of the ``datapackage`` output format."""
    from spie_occitanie.formats.datapackage import write_datapackage

    write_datapackage(ds, folder)


def write_parquet_format(ds: Dataset, folder: Path, _options: ExportOptions) -> None:
    """The writer of the ``parquet`` output format."""
    from spie_occitanie.formats.parquet import write_parquet

    write_parquet(ds, folder / "parquet")


def write_scdl_format(ds: Dataset, folder: Path, options: ExportOptions) -> None:
    """The writer of the ``scdl`` output format."""
    from spie_occitanie.formats.scdl import ScdlConfig, write_scdl

    config = options.scdl_config if options.scdl_config is not None else ScdlConfig.from_mapping({})
    write_scdl(ds, folder / "scdl", config)


def write_figures_format(ds: Dataset, folder: Path, _options: ExportOptions) -> None:
    """The writer of the ``figures`` output format."""
    from spie_occitanie.plot import write_figures

    write_figures(ds, folder)


def write_datagouv_format(ds: Dataset, folder: Path, _options: ExportOptions) -> None:
    """The writer of the ``datagouv`` output format."""
    from spie_occitanie.formats.datagouv import write_datagouv

    write_datagouv(ds, folder)


def write_dcat_format(ds: Dataset, folder: Path, _options: ExportOptions) -> None:
    """The writer of the ``dcat`` output format."""
    from spie_occitanie.formats.dcat import write_dcat

    write_dcat(ds, folder)


#: Every output format (see :mod:`spie_occitanie.outputs`), in the order they run.
FORMATS = OUTPUT_FORMATS


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _backup(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def _check_out(out: Path) -> None:
    """Refuse a folder that is not ours to replace, before anything is touched."""
    if out.is_symlink():
        raise ExportRefusedError.worded("export.symlink", out=out)
    if out == Path(out.anchor) or out == Path.home():
        raise ExportRefusedError.worded("export.root-or-home", out=out)
    if out.exists() and not out.is_dir():
        raise ExportRefusedError.worded("export.not-a-folder", out=out)
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise ExportRefusedError.worded("export.not-writable", out=out)
    if not out.is_dir():
        return
    present = _files(out)
    if not present:
        return
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise ExportRefusedError.worded("export.not-ours", out=out, manifest=MANIFEST)
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        written = set(document["files"])
        hashes = dict(document["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ExportRefusedError.worded(
            "export.manifest-unreadable", manifest=manifest, error=error, out=out
        ) from None
    edited = [f for f in present if f in hashes and (out / f).is_file() and _sha256(out / f) != hashes[f]]
    if edited:
        shown = ", ".join(edited[:5]) + (" ..." if len(edited) > 5 else "")
        raise ExportRefusedError.worded("export.edited", out=out, shown=shown)
    foreign = [f for f in present if f != MANIFEST and f not in written]
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise ExportRefusedError.worded("export.foreign", out=out, shown=shown)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _recover(out: Path) -> None:
    """Clean up after an export that was killed.

    A previous export set aside between the two renames is put back; staging
    folders of exports whose process is gone are removed.
    """
    backup = _backup(out)
    if backup.is_dir() and not out.exists():
        backup.rename(out)
    elif backup.is_dir():
        shutil.rmtree(backup)
    for staging in out.parent.glob(f".{out.name}.partial-*-*"):
        pid = staging.name.removeprefix(f".{out.name}.partial-").split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def export(
    ds: Dataset,
    out: Path | str,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    options: ExportOptions | None = None,
) -> Exported:
    """Write ``ds`` in ``formats`` into ``out``, replacing a previous export as one unit.

    Formats run in the order of :data:`FORMATS`, whatever the order asked.

    Raises:
        ExportRefusedError: an unknown format, or an ``out`` that is not ours to replace.
        SpieError: a format could not be written (the SCDL's missing fields, say);
            nothing was replaced.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        choices = ", ".join(FORMATS)
        if not unknown:
            raise ExportRefusedError.worded("export.no-format", choices=choices)
        named = ", ".join(map(repr, unknown))
        raise ExportRefusedError.worded("export.unknown-format", named=named, choices=choices)
    options = options or ExportOptions()
    _check_options(options, formats)
    out = Path(out).absolute()
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        return _export_locked(ds, out, formats, options)


def _export_locked(ds: Dataset, out: Path, formats: Sequence[str], options: ExportOptions) -> Exported:
    _recover(out)
    _check_out(out)
    previous = [f for f in _files(out) if f != MANIFEST] if out.is_dir() else []
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the export is not
        chosen = tuple(name for name in FORMATS if name in formats)
        needed = set(chosen)
        for name in chosen:  # a describer asked without any format it describes: write them too
            reads = set(FORMATS[name].reads)
            if reads and not reads & set(chosen):
                needed |= reads
        for name in (n for n in FORMATS if n in needed):
            FORMATS[name].write(ds, staging, options)
        for name in needed - set(chosen):  # written only to be described: not asked for
            for path in FORMATS[name].files(staging):
                path.unlink()
        _remove_empty_folders(staging)
        files = _manifest(staging, chosen)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = {name for name, _ in files}
    return Exported(
        out=out, formats=chosen, files=files, replaced=tuple(f for f in previous if f not in written)
    )


def _check_options(options: ExportOptions, formats: Sequence[str]) -> None:
    """Refuse an option that no chosen format uses: it would be ignored without a word."""
    for option in attrs.fields(ExportOptions):
        if getattr(options, option.name) is None:
            continue
        users = [f.name for f in FORMATS.values() if option.name in f.needs]
        if not set(users) & set(formats):
            flag = "--" + option.name.replace("_", "-")
            raise ExportRefusedError.worded("export.option-unused", flag=flag, users=", ".join(users))


def _umask() -> int:
    """The process's umask (read by setting it and back: there is no other way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _manifest(folder: Path, formats: Iterable[str]) -> tuple[tuple[str, int], ...]:
    files = tuple((name, (folder / name).stat().st_size) for name in _files(folder))
    document = {
        "tool": "spie-occitanie",
        "formats": list(formats),
        "files": [name for name, _ in files],
        "sha256": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name, _ in files},
    }
    (folder / MANIFEST).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return files


def _swap(staging: Path, out: Path) -> None:
    """Put the complete export in place in one step; the previous one is removed only after.

    On Linux the two folders are exchanged by ``renameat2(RENAME_EXCHANGE)``:
    a reader sees the old export or the new one, never none. Where that call
    is missing (another system, an old kernel, a file system without it),
    the previous export is renamed aside and the new one renamed in: two
    steps, between which a killed export is put back by the next one
    (:func:`_recover`).
    """
    if out.exists():
        if _exchange(staging, out):
            shutil.rmtree(staging)  # now the previous export
        else:
            backup = _backup(out)
            out.rename(backup)
            staging.rename(out)
            shutil.rmtree(backup)
    else:
        staging.rename(out)
    _fsync_dir(out.parent)


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically; ``False`` where the system cannot."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return bool(result == 0)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One export at a time into ``out``: a second one waits for nothing, it is refused."""
    lock = out.with_name(f".{out.name}.lock")
    handle = lock.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportRefusedError.worded("export.busy", out=out) from None
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)  # still held: a second export was refused, not waiting
    finally:
        handle.close()


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
