"""`spie-occitanie publish --apply` end to end: datagouv-client's session, udata on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socket

from pathlib import Path
from typing import Any

import pytest


pytest.importorskip("udata", reason="the contract tests need the 'portal' extra (udata)")
pytest.importorskip("datagouv", reason="publishing needs the 'publish' extra (datagouv-client)")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")

from spie_occitanie.cli import main  # noqa: E402
from spie_occitanie.publish import PublishError, publish  # noqa: E402
from tests.portal.udata_app import udata_app  # noqa: E402


def stored(app: Any, dataset: str) -> dict[str, Any]:
    with app.test_client() as client:
        found: dict[str, Any] = client.get(f"/api/1/datasets/{dataset}/").json
    return found


def test_publish_twice(export_folder: Path, served, monkeypatch, capsys):
    """The first run creates the dataset and uploads every file; the second uploads nothing."""
    base, app, key = served
    monkeypatch.setenv("DATAGOUV_API_KEY", key)
    assert 0 == main(["publish", str(export_folder), "--apply", "--base-url", base])
    first = capsys.readouterr()
    assert key not in first.out + first.err
    assert "create the dataset" in first.out
    mine = app.test_client().get("/api/1/me/datasets/", headers={"X-API-KEY": key}).json
    (dataset,) = [d["id"] for d in mine]
    resources = stored(app, dataset)["resources"]
    files = [
        "datapackage.json",
        *(
            p.relative_to(export_folder).as_posix()
            for p in export_folder.rglob("*")
            if p.suffix in (".csv", ".parquet")
        ),
    ]
    assert sorted(files) == sorted(r["extras"]["spie-occitanie:path"] for r in resources)
    for resource in resources:
        data = (export_folder / resource["extras"]["spie-occitanie:path"]).read_bytes()
        assert hashlib.sha1(data, usedforsecurity=False).hexdigest() == resource["checksum"]["value"]
    linked = [r for r in resources if r["extras"]["spie-occitanie:path"].startswith("data/")]
    assert all(r["schema"]["url"].endswith("/schema.json") for r in linked)

    again = publish(export_folder, base_url=base)
    assert not again.created
    assert dataset == again.dataset
    assert () == again.uploaded
    assert sorted(files) == sorted(again.unchanged)
    assert [("PUT", f"/api/1/datasets/{dataset}/")] == [(s.method, s.path) for s in again.steps]
    assert len(resources) == len(stored(app, dataset)["resources"])


def test_changed_file_is_reuploaded_in_place(export_folder: Path, served, monkeypatch, tmp_path):
    """A file whose bytes changed replaces the file of its resource; the others are left alone."""
    import datetime as dt
    import shutil

    class Clock(dt.datetime):
        """udata names an upload's folder by the second; a test re-uploads within one."""

        ticks = 0

        @classmethod
        def now(cls, tz: Any = None) -> Any:
            cls.ticks += 1
            return dt.datetime(2026, 1, 1, tzinfo=tz) + dt.timedelta(seconds=cls.ticks)

    monkeypatch.setattr("udata.core.dataset.api.datetime", Clock)
    base, app, key = served
    monkeypatch.setenv("DATAGOUV_API_KEY", key)
    folder = tmp_path / "copy"
    shutil.copytree(export_folder, folder)
    first = publish(folder, base_url=base)
    import json

    document = json.loads((folder / "datagouv.json").read_text(encoding="utf-8"))
    (folder / "datapackage.json").write_bytes((folder / "datapackage.json").read_bytes() + b"\n")
    for upload in document["uploads"]:
        if upload["path"] == "datapackage.json":
            data = (folder / "datapackage.json").read_bytes()
            upload["sha256"], upload["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    (folder / "datagouv.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    second = publish(folder, base_url=base, dataset=first.dataset)
    assert ("datapackage.json",) == second.uploaded
    (step,) = [s for s in second.steps if s.method == "POST"]
    assert step.path.endswith("/upload/")
    assert "/resources/" in step.path
    assert len(first.uploaded) == len(stored(app, str(first.dataset))["resources"])


def test_refused_key(export_folder: Path, served, monkeypatch, capsys):
    """A key the portal refuses: exit 1, a clear message, nothing sent, the key not printed."""
    base, _, _ = served
    monkeypatch.setenv("DATAGOUV_API_KEY", "udata_not-a-real-key-0123456789")
    assert 1 == main(["publish", str(export_folder), "--apply", "--base-url", base])
    out, err = capsys.readouterr()
    assert "refused the API key" in err
    assert "Sent: nothing" in err
    assert "not-a-real-key" not in out + err


def test_refused_extension_sends_nothing(export_folder: Path, tmp_path, monkeypatch):
    """A portal with udata's default extensions (no Parquet): refused before anything is sent."""
    from werkzeug.serving import make_server

    with udata_app(tmp_path) as (app, key):
        server = make_server("127.0.0.1", 0, app)
        app.config["SERVER_NAME"] = f"127.0.0.1:{server.port}"
        import threading

        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with pytest.raises(PublishError, match=r"does not accept files ending in \.parquet") as caught:
                publish(export_folder, base_url=f"http://127.0.0.1:{server.port}", api_key=key)
            assert () == caught.value.sent
            assert "the dataset" in caught.value.not_sent
            assert [] == app.test_client().get("/api/1/me/datasets/", headers={"X-API-KEY": key}).json
        finally:
            server.shutdown()
            thread.join()


def test_unreachable_portal(export_folder: Path):
    """Nothing listens: a clear error, nothing sent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PublishError, match="cannot be reached") as caught:
        publish(export_folder, base_url=f"http://127.0.0.1:{port}", api_key="udata_x")
    assert () == caught.value.sent


def test_network_failure_half_way_says_what_was_sent(export_folder: Path, served):
    """The connection drops after a few requests: the error lists what was sent and what was not."""
    import niquests

    from datagouv import Client

    base, _, key = served

    class Dropping:
        """datagouv-client's session, whose connection drops at the 6th request."""

        def __init__(self, session: Any) -> None:
            self.session, self.count = session, 0

        def request(self, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.count == 6:
                raise niquests.exceptions.ConnectionError("connection reset")
            return self.session.request(*args, **kwargs)

        def get(self, url: str, **kwargs: Any) -> Any:
            return self.request("GET", url, **kwargs)

    def factory(api_key: str) -> Any:
        return Dropping(Client(api_key=api_key, verbose=False).session)

    with pytest.raises(PublishError, match="cannot be reached") as caught:
        publish(export_folder, base_url=base, api_key=key, session_factory=factory)
    error = caught.value
    assert error.sent[0].startswith("POST /api/1/datasets/ ")
    assert any("upload data/allocations.csv" in s for s in error.sent)
    assert "upload data/citations.csv" in error.not_sent
    assert "Not sent:" in str(error)


def test_doc_apply_command(export_folder: Path, served, monkeypatch, tmp_path, capsys):
    """docs/publishing.md's --apply command, with the local portal for demo.data.gouv.fr."""
    import shlex

    from tests.test_publish import doc_commands

    base, app, key = served
    (line,) = [c for c in doc_commands() if "--apply" in c]
    program, *args = shlex.split(line)
    assert "spie-occitanie" == program
    args[args.index("--base-url") + 1] = base
    (tmp_path / "spie-occitanie-data").symlink_to(export_folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATAGOUV_API_KEY", key)
    assert 0 == main(args)
    assert "Sent to" in capsys.readouterr().out
    assert 1 == len(app.test_client().get("/api/1/me/datasets/", headers={"X-API-KEY": key}).json)
