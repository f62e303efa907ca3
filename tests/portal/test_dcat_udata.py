"""The DCAT-AP output read back by udata's own DCAT reader (what its harvester runs)."""

from __future__ import annotations

import json

from pathlib import Path

import pytest


pytest.importorskip("udata", reason="the contract tests need the 'portal' extra (udata)")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")

from tests.portal.conftest import FILES_URL  # noqa: E402


def test_dataset_from_rdf_gives_back_the_dataset(export_folder: Path, udata):
    """Same title, licence, temporal coverage, and one resource per file with its address and schema."""
    import rdflib

    from udata.core.dataset.rdf import dataset_from_rdf

    app, _ = udata
    document = json.loads((export_folder / "datagouv.json").read_text(encoding="utf-8"))
    graph = rdflib.Graph().parse(export_folder / "dcat.ttl")
    with app.app_context():
        dataset = dataset_from_rdf(graph)
    sent = document["dataset"]
    assert sent["title"] == dataset.title
    assert "lov2" == dataset.license.id
    assert sent["temporal_coverage"]["start"] == dataset.temporal_coverage.start.isoformat()
    assert sent["temporal_coverage"]["end"] == dataset.temporal_coverage.end.isoformat()
    uploads = {f"{FILES_URL}/{u['path']}": u for u in document["uploads"]}
    assert sorted(uploads) == sorted(r.url for r in dataset.resources)
    for resource in dataset.resources:
        planned = uploads[resource.url]
        assert planned["bytes"] == resource.filesize
        assert planned["format"] == resource.format
        expected = planned["resource"].get("schema")
        assert (expected or {}).get("url") == (resource.schema.url if resource.schema else None)
