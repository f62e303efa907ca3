"""datagouv.json against udata's own code: what its API stores, uploads, and slugifies.

Run in the environment of the ``portal`` extra (``.ci/run`` builds it);
skipped elsewhere.
"""

from __future__ import annotations

import hashlib
import io
import json

from pathlib import Path
from typing import Any

import pytest

from hypothesis import given
from hypothesis import strategies as st


pytest.importorskip("udata", reason="the contract tests need the 'portal' extra (udata)")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")

from spie_occitanie.formats.datagouv import PROTECTED_FIELDS, slugify_tag  # noqa: E402
from tests.portal.udata_app import udata_app  # noqa: E402


def document(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "datagouv.json").read_text(encoding="utf-8"))
    return loaded


def post_dataset(client: Any, key: str, body: dict[str, Any]) -> Any:
    return client.post("/api/1/datasets/", json=body, headers={"X-API-KEY": key})


def upload(client: Any, key: str, path: str, folder: Path, dataset: str, *, rid: str | None = None) -> Any:
    target = (
        f"/api/1/datasets/{dataset}/upload/"
        if rid is None
        else f"/api/1/datasets/{dataset}/resources/{rid}/upload/"
    )
    data = {"file": (io.BytesIO((folder / path).read_bytes()), Path(path).name)}
    return client.post(target, data=data, headers={"X-API-KEY": key}, content_type="multipart/form-data")


def test_dataset_is_accepted_and_stored_as_written(export_folder, udata):
    """POST /api/1/datasets/ with datagouv.json's dataset: 201, and every field stored as sent."""
    app, key = udata
    sent = document(export_folder)["dataset"]
    response = post_dataset(app.test_client(), key, sent)
    assert 201 == response.status_code, response.json
    stored = app.test_client().get(f"/api/1/datasets/{response.json['id']}/").json
    for field in ("title", "description", "description_short", "frequency", "tags", "extras"):
        assert sent[field] == stored[field], field
    assert "lov2" == stored["license"]
    assert sent["spatial"]["granularity"] == stored["spatial"]["granularity"]
    assert sorted(sent["spatial"]["zones"]) == sorted(stored["spatial"]["zones"])
    assert sent["temporal_coverage"]["start"] == stored["temporal_coverage"]["start"][:10]
    assert sent["temporal_coverage"]["end"] == stored["temporal_coverage"]["end"][:10]
    assert [] == stored["resources"]


def test_resources_without_url_are_what_udata_refuses(export_folder, udata):
    """The reason resources are not in the dataset body: udata requires a url for each (HTTP 400)."""
    app, key = udata
    doc = document(export_folder)
    body = {**doc["dataset"], "resources": [doc["uploads"][0]["resource"]]}
    response = post_dataset(app.test_client(), key, body)
    assert 400 == response.status_code
    assert "url" in json.dumps(response.json["errors"])


def test_every_file_uploads_and_links_its_schema(export_folder, udata):
    """Each upload goes through udata's upload endpoint; udata stores our fields and its own facts."""
    app, key = udata
    client = app.test_client()
    doc = document(export_folder)
    dataset = post_dataset(client, key, doc["dataset"]).json["id"]
    for planned in doc["uploads"]:
        sent = upload(client, key, planned["path"], export_folder, dataset)
        assert 201 == sent.status_code, (planned["path"], sent.json)
        rid = sent.json["id"]
        described = client.put(
            f"/api/1/datasets/{dataset}/resources/{rid}/",
            json=planned["resource"],
            headers={"X-API-KEY": key},
        )
        assert 200 == described.status_code, (planned["path"], described.json)
    stored = client.get(f"/api/1/datasets/{dataset}/").json["resources"]
    assert len(doc["uploads"]) == len(stored)
    by_path = {r["extras"]["spie-occitanie:path"]: r for r in stored}
    for planned in doc["uploads"]:
        resource = by_path[planned["path"]]
        data = (export_folder / planned["path"]).read_bytes()
        for field in ("title", "description", "type"):
            assert planned["resource"][field] == resource[field], (planned["path"], field)
        assert planned["format"] == resource["format"]
        assert "file" == resource["filetype"]
        assert planned["bytes"] == resource["filesize"] == len(data)
        assert {"type": "sha1", "value": hashlib.sha1(data, usedforsecurity=False).hexdigest()} == resource[
            "checksum"
        ]
        assert planned["sha256"] == hashlib.sha256(data).hexdigest()
        if planned["path"].startswith("data/"):
            table = Path(planned["path"]).stem
            assert planned["resource"]["schema"]["url"].endswith(f"/schemas/{table}/schema.json")
            assert planned["resource"]["schema"]["url"] == resource["schema"]["url"]
    assert sum(p["path"].startswith("data/") for p in doc["uploads"]) == sum(
        bool((r.get("schema") or {}).get("url")) for r in stored
    )


def test_protected_fields_are_ignored_by_udata(export_folder, udata):
    """udata keeps its own checksum, size and format: the plan never sends them, and they would not stick."""
    app, key = udata
    client = app.test_client()
    doc = document(export_folder)
    planned = next(u for u in doc["uploads"] if u["path"] == "data/rounds.csv")
    assert not set(planned["resource"]) & set(PROTECTED_FIELDS)
    dataset = post_dataset(client, key, doc["dataset"]).json["id"]
    rid = upload(client, key, planned["path"], export_folder, dataset).json["id"]
    forced = {
        **planned["resource"],
        "checksum": {"type": "sha256", "value": planned["sha256"]},
        "filesize": 1,
    }
    client.put(f"/api/1/datasets/{dataset}/resources/{rid}/", json=forced, headers={"X-API-KEY": key})
    stored = client.get(f"/api/1/datasets/{dataset}/resources/{rid}/").json
    assert "sha1" == stored["checksum"]["type"]
    assert planned["bytes"] == stored["filesize"]


def test_replacing_a_file_uses_the_resource_upload_endpoint(export_folder, udata):
    """POST /datasets/{id}/resources/{rid}/upload/ exists and replaces the file of the same resource."""
    app, key = udata
    client = app.test_client()
    doc = document(export_folder)
    dataset = post_dataset(client, key, doc["dataset"]).json["id"]
    rid = upload(client, key, "data/rounds.csv", export_folder, dataset).json["id"]
    again = upload(client, key, "data/sources.csv", export_folder, dataset, rid=rid)
    assert 200 == again.status_code, again.json
    stored = client.get(f"/api/1/datasets/{dataset}/").json["resources"]
    assert [rid] == [r["id"] for r in stored]
    sha1 = hashlib.sha1((export_folder / "data/sources.csv").read_bytes(), usedforsecurity=False).hexdigest()
    assert sha1 == stored[0]["checksum"]["value"]


def test_parquet_is_not_in_udatas_default_extensions(export_folder, tmp_path):
    """A portal with udata's defaults refuses a Parquet upload, and says so in its extensions list."""
    with udata_app(tmp_path) as (app, key):
        client = app.test_client()
        assert "parquet" not in client.get("/api/1/datasets/extensions/").json
        doc = document(export_folder)
        dataset = post_dataset(client, key, doc["dataset"]).json["id"]
        path = next(u["path"] for u in doc["uploads"] if u["path"].endswith(".parquet"))
        assert 400 <= upload(client, key, path, export_folder, dataset).status_code < 500


#: What a French publisher types in a keyword: letters with their accents,
#: digits, spaces, punctuation, the euro and degree signs.
FRENCH = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZàâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛÜŒÆß"
    "0123456789 -_'\u2019.,;:!?()«»/€°&+",
    max_size=120,
)


@pytest.fixture(scope="module")
def udata_context(tmp_path_factory):
    """An application context of udata, for its tag settings."""
    with udata_app(tmp_path_factory.mktemp("udata")) as (app, _), app.app_context():
        yield


@given(FRENCH)
def test_slugify_tag_is_udatas(udata_context, text):
    """slugify_tag gives what udata's own tag normaliser gives."""
    from udata.tags import normalize

    assert normalize(text) == slugify_tag(text)


def test_slugify_known_case(udata_context):
    """The case of the issue: an apostrophe is removed, not turned into a dash."""
    from udata.tags import normalize

    assert "service-public-de-linsertion" == normalize("Service public de l'insertion")
    assert "service-public-de-linsertion" == slugify_tag("Service public de l'insertion")
