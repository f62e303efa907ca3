"""The export folder: permissions as the umask says, each format alone, what it replaces, unused options."""

from __future__ import annotations

import json
import os
import stat

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie.errors import ExportRefusedError, ScdlMissingError
from spie_occitanie.export import ExportOptions, export
from spie_occitanie.formats.scdl import ScdlConfig


@pytest.fixture
def umask():
    def set_to(mask: int) -> None:
        os.umask(mask)

    previous = os.umask(0o022)
    yield set_to
    os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o755), (0o027, 0o750)])
def test_the_folder_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    done = export(spie.load(), tmp_path / "out", ["datapackage"])
    assert mode == stat.S_IMODE(done.out.stat().st_mode)
    assert mode == stat.S_IMODE((done.out / "data").stat().st_mode)


def test_datagouv_alone_computes_what_it_describes(tmp_path):
    done = export(spie.load(), tmp_path / "out", ["datagouv"])
    assert [("datagouv.json",)] == [(path,) for path, _ in done.files]
    plan = json.loads((done.out / "datagouv.json").read_text(encoding="utf-8"))
    assert "data/allocations.csv" in {u["path"] for u in plan["uploads"]}
    assert str(tmp_path) not in (done.out / "datagouv.json").read_text(encoding="utf-8")


def test_an_export_says_what_it_replaces(tmp_path):
    first = export(spie.load(), tmp_path / "out", ["datapackage", "parquet"])
    second = export(spie.load(), tmp_path / "out", ["datapackage"])
    assert {p for p, _ in first.files if p.startswith("parquet/")} == set(second.replaced)
    assert () == export(spie.load(), tmp_path / "out", ["datapackage"]).replaced


def test_an_option_no_chosen_format_uses_is_refused(tmp_path):
    options = ExportOptions(scdl_config=ScdlConfig.from_mapping({}))
    with pytest.raises(ExportRefusedError, match="--scdl-config is used only by the scdl format"):
        export(spie.load(), tmp_path / "out", ["parquet"], options=options)
    assert not (tmp_path / "out").exists()


def test_the_scdl_missing_fields_message_names_the_option(tmp_path):
    with pytest.raises(ScdlMissingError, match="--scdl-config"):
        export(spie.load(), tmp_path / "out", ["scdl"])
    assert not Path(tmp_path / "out").exists()
