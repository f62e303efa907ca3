"""Exports replace their folder as one unit and never delete what they did not write."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from pathlib import Path

import pytest

import spie_occitanie as spie

from spie_occitanie import export as export_module
from spie_occitanie.cli import main
from spie_occitanie.export import MANIFEST, ExportRefusedError, export


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A folder holding a previous datapackage export."""
    out = tmp_path / "out"
    export(spie.load(), out, ["datapackage"])
    return out


class TestRefusals:
    @pytest.mark.parametrize("name", ["repository", "home"])
    def test_foreign_folder_is_refused_untouched(self, tmp_path, name):
        """A non-empty folder that is not an export is refused and left as it was."""
        out = tmp_path / name
        out.mkdir()
        (out / "precious.txt").write_text("keep me", encoding="utf-8")
        before = snapshot(out)
        with pytest.raises(ExportRefusedError, match="is not an export of spie-occitanie"):
            export(spie.load(), out, ["datapackage"])
        assert before == snapshot(out)
        assert [out] == list(tmp_path.iterdir())  # no staging folder left behind

    def test_current_folder_is_refused(self, tmp_path, monkeypatch, capsys):
        """`export --out .` in a non-empty folder exits 2."""
        (tmp_path / "README.md").write_text("a project", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        assert 2 == main(["export", "--out", ".", "--format", "datapackage"])
        assert "refusing to replace it" in capsys.readouterr().err
        assert ["README.md"] == [p.name for p in tmp_path.iterdir()]

    def test_previous_export_with_foreign_files_is_refused(self, previous):
        """A previous export holding a file the tool did not write is not replaced."""
        (previous / "notes.txt").write_text("mine", encoding="utf-8")
        before = snapshot(previous)
        with pytest.raises(ExportRefusedError, match=r"did not write \(notes.txt\)"):
            export(spie.load(), previous, ["datapackage"])
        assert before == snapshot(previous)

    def test_a_file_is_refused(self, tmp_path):
        """An --out that is a file is refused."""
        out = tmp_path / "file"
        out.write_text("x", encoding="utf-8")
        with pytest.raises(ExportRefusedError, match="is not a folder"):
            export(spie.load(), out, ["datapackage"])

    def test_unknown_format(self, tmp_path, capsys):
        """An unknown format is a usage error (exit 2)."""
        assert 2 == main(["export", "--out", str(tmp_path / "o"), "--format", "datapackage,xlsx"])
        assert "unknown format(s) 'xlsx'" in capsys.readouterr().err


class TestReplacement:
    def test_replaces_a_previous_export(self, previous):
        """A previous export is replaced, with a manifest of what was written."""
        export(spie.load(), previous, ["datapackage"])
        manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
        assert "datapackage.json" in manifest["files"]
        assert sorted(manifest["files"]) == sorted(set(snapshot(previous)) - {MANIFEST})

    def test_failure_half_way_leaves_the_previous_export(self, previous, monkeypatch):
        """A failure injected after some files are written leaves the previous export whole."""
        before = snapshot(previous)
        from spie_occitanie.formats import csv as csv_format

        real = csv_format.write_csv
        calls = []

        def failing(path, table, rows):
            calls.append(path)
            if len(calls) == 4:  # a fixed point: after three tables are written
                raise OSError(28, "No space left on device", str(path))
            return real(path, table, rows)

        monkeypatch.setattr("spie_occitanie.formats.datapackage.write_csv", failing)
        with pytest.raises(OSError, match="No space left"):
            export(spie.load(), previous, ["datapackage"])
        assert before == snapshot(previous)
        assert ["out"] == sorted(p.name for p in previous.parent.iterdir())

    def test_killed_process_leaves_the_previous_export(self, previous):
        """A process killed while writing leaves the previous export whole, and the next export works."""
        before = snapshot(previous)
        script = textwrap.dedent(
            f"""
            import os, signal
            import spie_occitanie as spie
            from spie_occitanie.formats import datapackage
            from spie_occitanie.export import export
            real, calls = datapackage.write_csv, []
            def killing(path, table, rows):
                calls.append(path)
                if len(calls) == 5:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(path, table, rows)
            datapackage.write_csv = killing
            export(spie.load(), {str(previous)!r}, ["datapackage"])
            """
        )
        result = subprocess.run([sys.executable, "-c", script], check=False)
        assert result.returncode < 0  # killed by the signal
        assert before == snapshot(previous)
        assert any(p.name.startswith(".out.partial-") for p in previous.parent.iterdir())
        export(spie.load(), previous, ["datapackage"])  # the dead export's staging folder is cleaned
        assert before == snapshot(previous)
        assert ["out"] == sorted(p.name for p in previous.parent.iterdir())

    def test_killed_between_the_renames_is_recovered(self, previous):
        """An export killed after setting the previous folder aside finds it again next time."""
        backup = previous.with_name(f".{previous.name}.previous")
        previous.rename(backup)
        before = snapshot(backup)
        export(spie.load(), previous, ["datapackage"])
        assert not backup.exists()
        assert before == snapshot(previous)


class TestCommand:
    def test_default_export(self, tmp_path, monkeypatch, capsys):
        """`export` with no option writes the default formats into ./spie-occitanie-data and says what."""
        monkeypatch.chdir(tmp_path)
        assert 0 == main(["export"])
        out = capsys.readouterr().out
        assert "spie-occitanie-data" in out
        assert "datapackage.json" in out
        assert "Not configured" in out
        written = snapshot(tmp_path / "spie-occitanie-data")
        assert "datapackage.json" in written
        assert "datagouv.json" in written
        assert any(name.startswith("parquet/") for name in written)
        assert not any(name.startswith("scdl/") for name in written)  # asked for by name only

    def test_scdl_without_config_writes_nothing(self, previous, capsys):
        """`--format scdl` without the caller's facts exits 1 naming every missing field; nothing changes."""
        before = snapshot(previous)
        assert 1 == main(["export", "--out", str(previous), "--format", "datapackage,scdl"])
        err = capsys.readouterr().err
        assert "allocation 'cd-31-etat' field 'idAttribuant'" in err
        assert "allocation 'meuse-etat' field 'nomBeneficiaire'" in err
        assert before == snapshot(previous)
        assert ["out"] == sorted(p.name for p in previous.parent.iterdir())

    def test_scdl_with_config(self, tmp_path):
        """With a config the SCDL file is written beside the package, and datagouv.json lists it."""
        config = tmp_path / "scdl.toml"
        config.write_text(
            textwrap.dedent(
                """
                allocations = ["cd-31-etat"]
                [organisations.etat]
                siret = "13000536600013"
                name = "Préfecture de la région Occitanie"
                [organisations.cd-31]
                siret = "22310001700423"
                [conventions.cd-31-etat]
                conditionsVersement = "échelonné"
                datesPeriodeVersement = "2022-11-25/2023-12-31"
                notificationUE = false
                """
            ),
            encoding="utf-8",
        )
        out = tmp_path / "o"
        argv = ["export", "--out", str(out), "--format", "scdl,datagouv", "--scdl-config", str(config)]
        assert 0 == main(argv)
        (scdl,) = (out / "scdl").iterdir()
        assert ",370000.00," in scdl.read_text(encoding="utf-8")
        uploads = json.loads((out / "datagouv.json").read_text(encoding="utf-8"))["uploads"]
        assert any(u["resource"].get("schema", {}).get("name") == "scdl/subventions" for u in uploads)

    def test_bad_scdl_config_is_a_usage_error(self, tmp_path, capsys):
        """A config file that does not exist exits 2."""
        missing = str(tmp_path / "no.toml")
        argv = ["export", "--out", str(tmp_path / "o"), "--format", "scdl", "--scdl-config", missing]
        assert 2 == main(argv)
        assert "cannot be read" in capsys.readouterr().err

    def test_json(self, tmp_path, capsys):
        """`export --json` lists the files with their sizes."""
        assert 0 == main(["export", "--out", str(tmp_path / "o"), "--format", "datapackage", "--json"])
        report = json.loads(capsys.readouterr().out)
        assert ["datapackage"] == report["formats"]
        assert all(f["bytes"] > 0 for f in report["files"])
        assert "homepage" in report["not_configured"]


def test_module_has_no_leftover_state():
    """The format table lists the default formats."""
    assert set(export_module.DEFAULT_FORMATS) <= set(export_module.FORMATS)
