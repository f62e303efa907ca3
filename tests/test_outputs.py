"""Each output format is one object: what it writes is what it declares, and portals read the same list."""

from __future__ import annotations

import json

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie.export import export
from spie_occitanie.outputs import DEFAULT_FORMATS, FORMATS, published_files


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Each format written alone (with what it needs): the files it added."""
    written: dict[str, set[str]] = {}
    for name in ("datapackage", "parquet", "figures"):
        folder = tmp_path_factory.mktemp(name)
        done = export(spie.load(), folder / "out", [name])
        written[name] = {path for path, _ in done.files}
    return written


@pytest.mark.parametrize("name", ["datapackage", "parquet", "figures"])
def test_a_format_writes_exactly_the_files_it_declares(exported, name):
    """Every file written matches the format's patterns, and every pattern matches a file."""
    folder_files = exported[name]
    output = FORMATS[name]
    declared = {p for pattern in output.patterns for p in folder_files if Path(p).match(pattern)}
    assert folder_files == declared
    for pattern in output.patterns:
        assert any(Path(p).match(pattern) for p in folder_files), pattern


def test_datagouv_lists_the_files_the_formats_describe(tmp_path):
    """The upload plan of datagouv.json is the list of published files, nothing hard-coded."""
    done = export(spie.load(), tmp_path / "out", DEFAULT_FORMATS)
    plan = json.loads((done.out / "datagouv.json").read_text(encoding="utf-8"))
    files, unknown = published_files(done.out)
    assert [] == unknown
    assert [f.path for f in files] == [u["path"] for u in plan["uploads"]]
    assert {"csv", "parquet", "json"} == {f.format for f in files}


def test_a_new_format_is_consulted_by_the_upload_plan(monkeypatch, tmp_path):
    """Registering a format with a published file is enough for datagouv.json to plan its upload."""
    from spie_occitanie import outputs

    done = export(spie.load(), tmp_path / "out", ["datapackage"])
    (done.out / "notes").mkdir()
    (done.out / "notes" / "lisez-moi.json").write_text("{}\n", encoding="utf-8")
    extra = outputs.OutputFormat(
        name="notes",
        title="notes",
        writer="builtins:print",
        patterns=("notes/*.json",),
        default=False,
        describe=lambda path: outputs.PublishedFile(
            path=path,
            title="Notes",
            description="Notes.",
            format="json",
            media_type="application/json",
            kind="documentation",
        ),
    )
    monkeypatch.setitem(outputs.FORMATS, "notes", extra)
    files, _ = published_files(done.out)
    assert "notes/lisez-moi.json" in {f.path for f in files}


def test_defaults_and_writers():
    assert ("datapackage", "parquet", "datagouv") == DEFAULT_FORMATS
    for output in FORMATS.values():
        module, _, function = output.writer.partition(":")
        assert callable(getattr(__import__(module, fromlist=[function]), function))
