"""An export that cannot be lost: one atomic swap, a lock, and refusals before anything is touched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie import export as export_module
from spie_occitanie.errors import ExportRefusedError
from spie_occitanie.export import MANIFEST, export
from spie_occitanie.outputs import OutputFormat


def whole(out: Path) -> str:
    """Which export ``out`` holds, after checking that its manifest's hashes match its files."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        assert digest == hashlib.sha256((out / name).read_bytes()).hexdigest(), name
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert sorted(manifest["files"]) == files
    return ",".join(manifest["formats"])


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    export(spie.load(), out, ["datapackage"])
    return out


STEPS = ["write", "manifest", "exchange", "remove-previous"]


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_each_step_leaves_one_whole_export(previous, monkeypatch, step):
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    target = {
        "write": (OutputFormat, "write"),
        "manifest": (export_module, "_manifest"),
        "exchange": (export_module, "_exchange"),
        "remove-previous": (shutil, "rmtree"),
    }[step]
    monkeypatch.setattr(*target, fail)
    with pytest.raises(OSError, match="No space"):
        export(spie.load(), previous, ["datapackage", "parquet"])
    monkeypatch.undo()
    assert whole(previous) in {"datapackage", "datapackage,parquet"}
    assert "datapackage,parquet" == whole(export(spie.load(), previous, ["datapackage", "parquet"]).out)


def test_readers_never_see_a_missing_package(previous):
    """While exports replace the folder, a reader polling it always finds a descriptor."""
    missing = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal missing
        while not stop.is_set():
            if not (previous / "datapackage.json").is_file():
                missing += 1

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for _ in range(5):
            export(spie.load(), previous, ["datapackage"])
    finally:
        stop.set()
        reader.join()
    assert 0 == missing


def test_a_second_export_at_once_is_refused(previous, monkeypatch):
    refused: list[str] = []

    def write_and_try_again(*_args: object, **_kwargs: object) -> None:
        try:
            export(spie.load(), previous, ["datapackage"])
        except ExportRefusedError as error:
            refused.append(str(error))

    monkeypatch.setattr(OutputFormat, "write", write_and_try_again)
    export(spie.load(), previous, ["parquet"])
    assert refused
    assert "another export into this folder is running" in refused[0]


def test_a_symlink_out_is_refused(tmp_path, previous):
    link = tmp_path / "link"
    link.symlink_to(previous)
    with pytest.raises(ExportRefusedError, match="symbolic link"):
        export(spie.load(), link, ["datapackage"])
    assert "datapackage" == whole(previous)


def test_the_root_is_refused():
    with pytest.raises(ExportRefusedError, match="root"):
        export(spie.load(), "/", ["datapackage"])


def test_a_read_only_export_is_refused(previous, monkeypatch):
    """A folder the process may not write is refused before anything is touched.

    (The tests may run as root, who may write anywhere: the permission is asked of os.access.)
    """
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    with pytest.raises(ExportRefusedError, match="not writable"):
        export(spie.load(), previous, ["datapackage"])
    monkeypatch.undo()
    assert "datapackage" == whole(previous)


def test_an_edited_file_of_the_previous_export_is_not_replaced(previous):
    (previous / "data" / "rounds.csv").write_text("mes notes\n", encoding="utf-8")
    with pytest.raises(ExportRefusedError, match="changed since the previous export"):
        export(spie.load(), previous, ["datapackage"])
    assert "mes notes\n" == (previous / "data" / "rounds.csv").read_text(encoding="utf-8")
