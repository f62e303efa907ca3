"""data.gouv.fr metadata: the udata shape, checked by the project's JSON Schema,
describing exactly the files of an export, the same bytes every time."""

from __future__ import annotations

import hashlib
import json
import tempfile

from pathlib import Path
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]
import pytest

from hypothesis import given, settings

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.dataset import Dataset
from spie_occitanie.formats.datagouv import (
    DatagouvError,
    check_datagouv,
    datagouv_json_schema,
    datagouv_metadata,
    slugify_tag,
    temporal_coverage,
    write_datagouv,
)
from spie_occitanie.formats.datapackage import write_datapackage
from spie_occitanie.formats.parquet import write_parquet
from spie_occitanie.model import Allocation, Money, PartialDate, Source, SourceKind
from spie_occitanie.publisher import publisher
from spie_occitanie.tables import TABLES
from tests.conftest import FILE_EXAMPLES


DS = spie.load()


def export_into(folder: Path, ds: Dataset = DS) -> Path:
    """The other formats, then datagouv.json, as an export writes them."""
    write_datapackage(ds, folder)
    write_parquet(ds, folder / "parquet")
    return write_datagouv(ds, folder)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export")
    export_into(target)
    return target


@pytest.fixture(scope="module")
def document(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "datagouv.json").read_text(encoding="utf-8"))
    return loaded


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        datagouv_json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(document)]


def resource(document: dict[str, Any], path: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        r for r in document["resources"] if r["extras"]["spie-occitanie:path"] == path
    )
    return found


# -- the JSON Schema --------------------------------------------------------------------------------


def test_json_schema_is_a_valid_draft_2020_12_schema():
    """The project's JSON Schema is itself valid."""
    jsonschema.Draft202012Validator.check_schema(datagouv_json_schema())


def test_written_document_passes_the_json_schema(document):
    """datagouv.json validates against the JSON Schema with the jsonschema package, formats included."""
    assert [] == schema_errors(document)
    assert check_datagouv(document).ok


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"license": "etalab-2.0"}, "license"),  # the SPDX id, not udata's
        ({"license": "Licence Ouverte"}, "license"),
        ({"frequency": "yearly"}, "frequency"),
        ({"frequency": "biannual"}, "frequency"),  # a legacy alias udata rewrites
        ({"spatial": {"zones": ["FR-OCC"], "granularity": "fr:departement"}}, "spatial/zones/0"),
        ({"spatial": {"zones": ["fr:region:Occitanie"], "granularity": "fr:departement"}}, "spatial/zones/0"),
        ({"spatial": {"zones": ["fr:departement:9"], "granularity": "fr:departement"}}, "spatial/zones/0"),
        ({"spatial": {"zones": ["country:fr"], "granularity": "departement"}}, "spatial/granularity"),
        ({"tags": ["ab"]}, "tags/0"),
        ({"tags": ["Emploi"]}, "tags/0"),
        ({"temporal_coverage": {"start": "2020-03", "end": "2023-12-31"}}, "temporal_coverage/start"),
        ({"temporal_coverage": {"start": "2020-02-30", "end": "2023-12-31"}}, "temporal_coverage/start"),
        ({"title": "x" * 351}, "title"),
        ({"organisation": "Etalab"}, None),  # not a udata field
    ],
)
def test_json_schema_rejects_what_udata_refuses(document, change, field):
    """A bad licence, frequency, zone, granularity, tag, date or key is a finding on that field."""
    report = check_datagouv({**document, **change})
    assert not report.ok
    assert field in [f.field for f in report.findings]


@pytest.mark.parametrize(
    "change",
    [
        {"checksum": {"type": "sha512", "value": "ab"}},
        {"checksum": {"type": "sha256", "value": "abc"}},
        {"type": "data"},
        {"filetype": "remote"},  # a remote resource needs its url
        {"schema": {"version": "1.0.0"}},  # neither a catalogue name nor a url
        {"schema": {"url": "schemas/rounds/schema.json"}},  # a url, not a path
        {"extras": {"spie-occitanie:path": "../etc/passwd"}},
    ],
)
def test_json_schema_rejects_bad_resources(document, change):
    """A bad checksum, type, schema link or path in a resource is refused."""
    first = {**document["resources"][0], **change}
    report = check_datagouv({**document, "resources": [first, *document["resources"][1:]]})
    assert not report.ok
    assert all(f.field is not None and f.field.startswith("resources/0") for f in report.findings)


def test_rules_the_json_schema_cannot_express(document):
    """Unsorted tags and a coverage that ends before it starts are findings of their own."""
    report = check_datagouv(
        {
            **document,
            "tags": ["spie", "emploi"],
            "temporal_coverage": {"start": "2023-01-01", "end": "2020-01-01"},
        }
    )
    assert {"tags-order", "temporal-coverage"} == {f.check for f in report.findings}


# -- the dataset's fields ----------------------------------------------------------------------------


def test_licence_frequency_and_title(document):
    """Licence Ouverte 2.0 as udata's lov2, an update frequency from udata's list, the publisher's title."""
    assert "lov2" == document["license"]
    assert "irregular" == document["frequency"]
    assert publisher().title == document["title"]


def test_spatial_coverage(document):
    """France as a whole for the national lists, Occitanie for its detailed funding, by département."""
    assert {"zones": ["country:fr", "fr:region:76"], "granularity": "fr:departement"} == document["spatial"]


def test_temporal_coverage_of_the_embedded_dataset(document):
    """From the experimentation's launch (March 2020) to the end of the budget period (2023)."""
    assert {"start": "2020-03-01", "end": "2023-12-31"} == document["temporal_coverage"]


def test_temporal_coverage_spans_the_records_not_the_sources():
    """A season and a year give their bounds; a source's publication date does not count."""
    ds = Dataset(
        allocations=(
            Allocation(
                allocation_id="a",
                funder_id="etat",
                amount=Money.of(1),
                convention=PartialDate.from_edtf("2021-21"),
                last_year=2021,
            ),
        ),
        sources=(
            Source(
                source_id="s",
                title="t",
                publisher="p",
                kind=SourceKind.ARTICLE,
                published=PartialDate.from_edtf("2024"),
            ),
        ),
    )
    assert {"start": "2021-01-01", "end": "2021-12-31"} == temporal_coverage(ds)
    assert {"start": "2021-03-01", "end": "2021-05-31"} == temporal_coverage(
        attrs.evolve(ds, allocations=(attrs.evolve(ds.allocations[0], last_year=None),))
    )
    assert temporal_coverage(Dataset()) is None


def test_tags_are_slugified_sorted_and_unique(document):
    """Tags come from publisher.toml's keywords, as udata stores them."""
    assert sorted({slugify_tag(k) for k in publisher().keywords}) == document["tags"]


@pytest.mark.parametrize(
    ("keyword", "tag"),
    [
        ("Départements", "departements"),
        ("Pôle emploi", "pole-emploi"),
        ("Œuvres sociales", "oeuvres-sociales"),
        ("  insertion / emploi  ", "insertion-emploi"),
        ("1,7 million", "17-million"),
        ("AB", ""),  # shorter than 3: udata drops it
        ("x" * 100, "x" * 96),  # longer than 96: udata cuts it
    ],
)
def test_slugify_tag(keyword, tag):
    """Tags follow udata's slug and length rules."""
    assert tag == slugify_tag(keyword)


def test_description_explains_the_dataset(document):
    """The Markdown description names every table, sources and conflicts, the licence and how to cite."""
    description = document["description"]
    for table in TABLES:
        assert f"`{table}`" in description
    for needle in ("service public de l'insertion et de l'emploi", "citations", "désaccord", "`lov2`"):
        assert needle in description
    assert "## Citer ce jeu de données" in description
    assert f"version {spie.__version__}" in description
    assert len(document["description_short"]) <= 200


def test_what_is_not_configured_is_reported_not_invented(document):
    """Unset publisher fields are listed in extras, and no organisation or homepage is made up."""
    who = publisher()
    assert list(who.missing_for_portals()) == document["extras"].get("spie-occitanie:not-configured", [])
    assert "organization" not in document
    if who.homepage is None:
        assert "spie-occitanie:homepage" not in document["extras"]
    assert who.released == document["extras"]["spie-occitanie:released"]


# -- resources --------------------------------------------------------------------------------------------


def test_one_resource_per_published_file(folder, document):
    """datapackage.json, every CSV and every Parquet file, each once, in path order."""
    files = ["datapackage.json"] + [
        p.relative_to(folder).as_posix()
        for p in sorted([*folder.glob("data/*.csv"), *folder.glob("parquet/*.parquet")])
    ]
    paths = [r["extras"]["spie-occitanie:path"] for r in document["resources"]]
    assert sorted(files) == paths
    assert 2 * len(TABLES) + 1 == len(paths)


def test_sizes_and_checksums_are_those_of_the_files(folder, document):
    """Every resource's filesize and sha256 are computed from its file's bytes."""
    for entry in document["resources"]:
        data = (folder / entry["extras"]["spie-occitanie:path"]).read_bytes()
        assert len(data) == entry["filesize"]
        assert {"type": "sha256", "value": hashlib.sha256(data).hexdigest()} == entry["checksum"]


def test_formats_and_types(document):
    """CSV and Parquet are main resources with their MIME types; the descriptor is documentation."""
    assert ("csv", "text/csv", "main") == tuple(
        resource(document, "data/rounds.csv")[k] for k in ("format", "mime", "type")
    )
    assert ("parquet", "application/vnd.apache.parquet", "main") == tuple(
        resource(document, "parquet/rounds.parquet")[k] for k in ("format", "mime", "type")
    )
    assert ("json", "documentation") == tuple(
        resource(document, "datapackage.json")[k] for k in ("format", "type")
    )


def test_each_csv_is_linked_to_its_table_schema(folder, document):
    """Without a public URL, each CSV names its Table Schema's path in the export; no link is invented."""
    for table in TABLES:
        entry = resource(document, f"data/{table}.csv")
        path = entry["extras"]["spie-occitanie:table-schema"]
        assert f"schemas/{table}/schema.json" == path
        assert (folder / path).is_file()
        assert "schema" not in entry


def test_schema_url_when_the_export_has_a_public_address(folder):
    """Given the address the export is published under, each CSV links its Table Schema by URL."""
    document = datagouv_metadata(DS, folder, schema_base_url="https://example.org/spie/")
    assert {"url": "https://example.org/spie/schemas/rounds/schema.json"} == resource(
        document, "data/rounds.csv"
    )["schema"]
    assert "schema" not in resource(document, "parquet/rounds.parquet")
    assert check_datagouv(document).ok


def test_scdl_file_is_linked_to_the_catalogued_schema(folder, tmp_path):
    """An SCDL file in scdl/ is linked by its schema.data.gouv.fr name and version."""
    write_datapackage(DS, tmp_path)
    (tmp_path / "scdl").mkdir()
    (tmp_path / "scdl" / "scdl-subventions.csv").write_text("nomAttribuant\n", encoding="utf-8")
    entry = resource(datagouv_metadata(DS, tmp_path), "scdl/scdl-subventions.csv")
    assert {"name": "scdl/subventions", "version": "2.1.1"} == entry["schema"]


def test_a_folder_without_published_files_is_refused(tmp_path):
    """datagouv.json describes files; with none to describe it is not written."""
    with pytest.raises(DatagouvError, match="no published file"):
        write_datagouv(DS, tmp_path)
    assert [] == list(tmp_path.iterdir())


def test_a_file_the_project_does_not_publish_is_refused(tmp_path):
    """A CSV in data/ that is no published table cannot be described."""
    write_datapackage(DS, tmp_path)
    (tmp_path / "data" / "extra.csv").write_text("a\n", encoding="utf-8")
    with pytest.raises(DatagouvError, match="extra"):
        datagouv_metadata(DS, tmp_path)


# -- determinism ----------------------------------------------------------------------------------------


def test_same_dataset_same_bytes(folder, tmp_path):
    """Exporting again gives a byte-identical datagouv.json, with a trailing newline."""
    again = export_into(tmp_path).read_bytes()
    assert (folder / "datagouv.json").read_bytes() == again
    assert again.endswith(b"}\n")


@settings(max_examples=FILE_EXAMPLES)
@given(sst.datasets())
def test_generated_datasets_give_valid_deterministic_metadata(ds):
    """Any consistent dataset gives metadata that passes its checks, the same bytes twice."""
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        write_datapackage(ds, first)
        write_datapackage(ds, second)
        written = write_datagouv(ds, Path(first))
        document = json.loads(written.read_text(encoding="utf-8"))
        assert [] == schema_errors(document)
        assert written.read_bytes() == write_datagouv(ds, Path(second)).read_bytes()
