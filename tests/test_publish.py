"""The publish command's dry run and the publisher settings lookup (no network: nothing is sent).

The requests themselves are tested against udata in tests/portal/test_publish_e2e.py.
"""

from __future__ import annotations

import json

from pathlib import Path

import pytest

from spie_occitanie.cli import main
from spie_occitanie.publish import plan
from spie_occitanie.publisher import (
    ENVIRONMENT_VARIABLE,
    PublisherSettingsError,
    publisher,
    publisher_file,
    use_publisher_file,
)


#: A made-up key: the test proves it never reaches the output.
SECRET = "udata_made-up-key-that-must-never-show-0123456789"  # noqa: S105


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("publish") / "out"
    assert 0 == main(["export", "--out", str(folder)])
    return folder


def settings_file(folder: Path, name: str = "settings.toml", **fields: str) -> Path:
    from importlib import resources

    text = resources.files("spie_occitanie").joinpath("publisher.toml").read_text(encoding="utf-8")
    head, sep, tail = text.partition("[[contributors]]")
    path = folder / name
    path.write_text(
        head + "".join(f'{k} = "{v}"\n' for k, v in fields.items()) + sep + tail, encoding="utf-8"
    )
    return path


def test_dry_run_of_the_default_dataset(out, capsys, monkeypatch):
    """Without --apply: the requests are printed, nothing is sent, the key is never shown."""
    monkeypatch.setenv("DATAGOUV_API_KEY", SECRET)
    capsys.readouterr()
    assert 0 == main(["publish", str(out)])
    printed = capsys.readouterr()
    assert SECRET not in printed.out + printed.err
    assert "Would send to https://www.data.gouv.fr (dry run, 49 requests)" in printed.out
    assert "POST /api/1/datasets/  # create the dataset" in printed.out
    assert printed.out.count("POST /api/1/datasets/{id}/upload/") == 23
    assert "Nothing was sent." in printed.out
    assert "Publisher settings: the packaged defaults" in printed.out


def test_dry_run_sends_no_protected_field(out):
    """No request body carries a field udata sets itself."""
    from spie_occitanie.formats.datagouv import PROTECTED_FIELDS

    for step in plan(out).steps:
        assert not set(step.body or {}) & set(PROTECTED_FIELDS), step


def test_dry_run_of_a_configured_dataset(out):
    """A configured dataset is updated, and each file uploaded only if its checksum differs."""
    outcome = plan(out, base_url="https://demo.data.gouv.fr/", dataset="spie-occitanie")
    assert "https://demo.data.gouv.fr" == outcome.base_url
    assert ("PUT", "/api/1/datasets/spie-occitanie/") == (outcome.steps[2].method, outcome.steps[2].path)
    assert all("if its checksum differs" in s.what for s in outcome.steps if s.file is not None)


def test_apply_without_a_key_is_a_usage_error(out, capsys, monkeypatch):
    """--apply with no DATAGOUV_API_KEY: exit 2 before any request."""
    monkeypatch.delenv("DATAGOUV_API_KEY", raising=False)
    assert 2 == main(["publish", str(out), "--apply", "--base-url", "http://127.0.0.1:9"])
    assert "DATAGOUV_API_KEY" in capsys.readouterr().err


def test_folder_without_datagouv_json(tmp_path, capsys):
    """A folder that is no export: exit 2, naming the file and the command that writes it."""
    assert 2 == main(["publish", str(tmp_path)])
    assert "export --format datagouv" in capsys.readouterr().err


def test_a_file_changed_after_the_export_is_refused(out, tmp_path, capsys):
    """datagouv.json's sha256 is our own check: a file edited since the export stops the publish."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "data" / "rounds.csv").write_bytes((copy / "data" / "rounds.csv").read_bytes() + b"\n")
    assert 1 == main(["publish", str(copy)])
    assert "data/rounds.csv" in capsys.readouterr().err


# -- where the publisher settings come from ------------------------------------------------------


def test_lookup_order(tmp_path, monkeypatch):
    """--publisher, else $SPIE_OCCITANIE_PUBLISHER, else ./spie-occitanie.toml, else the packaged defaults."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert publisher_file().path is None
    settings_file(tmp_path, "spie-occitanie.toml", organisation="Locale")
    assert "Locale" == publisher().organisation
    assert "./spie-occitanie.toml" == publisher_file().origin
    env = settings_file(tmp_path, organisation="Environnement")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(env))
    assert "Environnement" == publisher().organisation
    explicit = settings_file(tmp_path, "explicit.toml", organisation="Explicite")
    with use_publisher_file(explicit) as found:
        assert "Explicite" == publisher().organisation
        assert "--publisher" == found.origin
    assert "Environnement" == publisher().organisation


def test_export_uses_and_prints_the_settings(tmp_path, capsys):
    """export --publisher FILE writes its values and says which file it used."""
    path = settings_file(tmp_path, organisation="Exemple", files_url="https://donnees.example.org/spie")
    capsys.readouterr()
    assert 0 == main(["export", "--out", str(tmp_path / "o"), "--publisher", str(path)])
    printed = capsys.readouterr().out
    assert f"Publisher settings: {path} (from --publisher)" in printed
    document = json.loads((tmp_path / "o" / "datagouv.json").read_text(encoding="utf-8"))
    assert "Exemple" == document["dataset"]["extras"]["spie-occitanie:organisation"]
    links = [u["resource"]["schema"]["url"] for u in document["uploads"] if u["path"].startswith("data/")]
    assert "https://donnees.example.org/spie/schemas/rounds/schema.json" in links


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name = 'x'\n", "'title'"),
        ("not toml [", "cannot be read as TOML"),
        ("name='x'\ntitle='t'\ndescription='d'\nhomepage='ftp://x'\n", "http(s) address"),
        ("name='x'\ntitle='t'\ndescription='d'\nwebsite='https://x'\n", "unknown field"),
    ],
)
def test_bad_settings_are_a_usage_error(tmp_path, capsys, content, message):
    """A settings file with a missing, unknown or bad field: exit 2, naming the file and the field."""
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    assert 2 == main(["export", "--out", str(tmp_path / "o"), "--publisher", str(path)])
    err = capsys.readouterr().err
    assert str(path) in err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_missing_settings_file(tmp_path, capsys, monkeypatch):
    """A settings file named by the environment that does not exist: exit 2."""
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "none.toml"))
    assert 2 == main(["export", "--out", str(tmp_path / "o")])
    assert "no such publisher settings file" in capsys.readouterr().err
    with pytest.raises(PublisherSettingsError):
        publisher()


def test_dcat_without_files_url_is_a_usage_error(tmp_path, capsys):
    """DCAT-AP needs download addresses: without files_url, exit 2 naming the setting."""
    assert 2 == main(["export", "--out", str(tmp_path / "o"), "--format", "datapackage,dcat"])
    assert "files_url" in capsys.readouterr().err


# -- docs/publishing.md: every command runs ------------------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "publishing.md"


def doc_blocks(language: str) -> list[str]:
    """The fenced blocks of docs/publishing.md in ``language``."""
    text = DOC.read_text(encoding="utf-8")
    return [block.split("\n```", 1)[0] for block in text.split(f"```{language}\n")[1:]]


def doc_commands() -> list[str]:
    return [line for block in doc_blocks("sh") for line in block.splitlines() if line.strip()]


def test_doc_settings_example_is_complete(tmp_path):
    """The page's settings file reads, and configures everything portals ask for."""
    (example,) = doc_blocks("toml")
    path = tmp_path / "spie-occitanie.toml"
    path.write_text(example, encoding="utf-8")
    who = publisher(path)
    assert () == who.missing_for_portals()
    assert who.files_url is not None


def test_doc_commands_run(tmp_path, monkeypatch, capsys):
    """Every command of the page, in order, in a folder holding the page's settings file (the
    --apply step runs against udata in tests/portal/test_publish_e2e.py)."""
    import shlex
    import subprocess
    import sys

    (example,) = doc_blocks("toml")
    (tmp_path / "spie-occitanie.toml").write_text(example, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPIE_OCCITANIE_PUBLISHER", raising=False)
    ran = []
    for line in doc_commands():
        program, *args = shlex.split(line)
        if program == "export" or "--apply" in args:
            continue
        if program == "frictionless":
            executable = Path(sys.executable).with_name("frictionless")
            result = subprocess.run([str(executable), *args], capture_output=True, text=True, check=False)
            assert 0 == result.returncode, result.stdout + result.stderr
        else:
            assert "spie-occitanie" == program
            assert 0 == main(args), capsys.readouterr()
        ran.append(line)
    assert len(ran) == 4
    printed = capsys.readouterr().out
    assert "Publisher settings: " in printed
    assert "(from ./spie-occitanie.toml)" in printed
    assert (tmp_path / "spie-occitanie-data" / "dcat.ttl").is_file()
