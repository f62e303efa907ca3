"""DCAT-AP 3.0.1 output, checked with pyshacl against the official shapes (reference/dcat-ap-3.0.1/)."""

from __future__ import annotations

import hashlib
import json

from pathlib import Path
from typing import Any

import attrs
import pytest

import spie_occitanie as spie

from spie_occitanie.formats.datapackage import write_datapackage
from spie_occitanie.formats.dcat import DcatError, dcat_graph, write_dcat
from spie_occitanie.formats.parquet import write_parquet
from spie_occitanie.publisher import publisher
from spie_occitanie.tables import TABLES


rdflib = pytest.importorskip("rdflib")
pyshacl = pytest.importorskip("pyshacl")

#: The official shapes, copied unchanged (CC-BY 4.0; see the README beside them).
SHAPES = Path(__file__).resolve().parent / "data" / "dcat-ap-3.0.1"
FILES_URL = "https://donnees.example.org/spie-occitanie/0.1.0"
WHO = attrs.evolve(publisher(), files_url=FILES_URL, email="contact@example.org")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dcat")
    ds = spie.load()
    write_datapackage(ds, target)
    write_parquet(ds, target / "parquet")
    write_dcat(ds, target, who=WHO)
    return target


@pytest.fixture(scope="module")
def graph(folder: Path) -> Any:
    return rdflib.Graph().parse(folder / "dcat.ttl")


def violations(data: Any) -> list[str]:
    """The top-level results of severity Violation of the official shapes."""
    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"):
        shapes.parse(SHAPES / name)
    _, results, text = pyshacl.validate(data, shacl_graph=shapes)
    found = [
        str(result)
        for report in results.subjects(rdflib.RDF.type, SH.ValidationReport)
        for result in results.objects(report, SH.result)
        if (result, SH.resultSeverity, SH.Violation) in results
    ]
    return [text] if found else []


def test_no_shacl_violation(graph):
    """The official DCAT-AP 3.0.1 shapes report no violation (warnings are recommendations)."""
    assert [] == violations(graph)


# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib 7 itself deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_is_the_same_graph(folder, graph):
    """dcat.jsonld holds the same triples as dcat.ttl."""
    other = rdflib.Graph().parse(folder / "dcat.jsonld", format="json-ld")
    from rdflib.compare import isomorphic

    assert isomorphic(graph, other)
    json.loads((folder / "dcat.jsonld").read_text(encoding="utf-8"))


def test_a_broken_description_is_a_violation(graph):
    """The check can fail: a dataset without a title breaks the shapes."""
    broken = rdflib.Graph()
    for triple in graph:
        broken.add(triple)
    dataset = next(graph.subjects(rdflib.RDF.type, rdflib.namespace.DCAT.Dataset))
    broken.remove((dataset, rdflib.namespace.DCTERMS.title, None))
    assert violations(broken)


def test_one_distribution_per_file(folder, graph):
    """Download URL, media type, size and sha256 of every file, from its bytes."""
    dcat, dct = rdflib.namespace.DCAT, rdflib.namespace.DCTERMS
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    files = [
        "datapackage.json",
        *(f"data/{t}.csv" for t in TABLES),
        *(f"parquet/{t}.parquet" for t in TABLES),
    ]
    found = {}
    for node in graph.objects(None, dcat.distribution):
        url = str(graph.value(node, dcat.downloadURL))
        found[url.removeprefix(FILES_URL + "/")] = node
    assert sorted(files) == sorted(found)
    for path, node in found.items():
        data = (folder / path).read_bytes()
        assert len(data) == graph.value(node, dcat.byteSize).toPython()
        checksum = graph.value(node, spdx.checksum)
        assert hashlib.sha256(data).hexdigest() == str(graph.value(checksum, spdx.checksumValue))
        media = str(graph.value(node, dcat.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
        schema = graph.value(node, dct.conformsTo)
        if path.startswith("data/"):
            assert f"{FILES_URL}/schemas/{Path(path).stem}/schema.json" == str(schema)
        else:
            assert schema is None


def test_dataset_properties(graph):
    """Licence, language, spatial and temporal coverage, keywords, contact point."""
    dcat, dct = rdflib.namespace.DCAT, rdflib.namespace.DCTERMS
    dataset = next(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    assert "https://spdx.org/licenses/etalab-2.0.html" == str(graph.value(dataset, dct.license))
    assert "http://publications.europa.eu/resource/authority/language/FRA" == str(
        graph.value(dataset, dct.language)
    )
    spatial = {str(graph.value(s, dct.identifier) or s) for s in graph.objects(dataset, dct.spatial)}
    assert {"http://publications.europa.eu/resource/authority/country/FRA", "fr:region:76"} == spatial
    period = graph.value(dataset, dct.temporal)
    assert ("2020-03-01", "2023-12-31") == (
        str(graph.value(period, dcat.startDate)),
        str(graph.value(period, dcat.endDate)),
    )
    assert set(publisher().keywords) == {str(k) for k in graph.objects(dataset, dcat.keyword)}
    contact = graph.value(dataset, dcat.contactPoint)
    assert "mailto:contact@example.org" == str(
        graph.value(contact, rdflib.Namespace("http://www.w3.org/2006/vcard/ns#").hasEmail)
    )


def test_without_a_public_address_nothing_is_invented(folder):
    """No files_url: the export is refused, naming the setting."""
    assert publisher().files_url is None
    with pytest.raises(DcatError, match="files_url"):
        dcat_graph(spie.load(), folder)
