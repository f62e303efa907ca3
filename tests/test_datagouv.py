"""data.gouv.fr metadata: udata's dataset body and the upload plan, describing exactly the
files of an export, the same bytes every time. What udata itself does with it is tested
against udata's code in tests/portal/."""

from __future__ import annotations

import hashlib
import json
import tempfile

from pathlib import Path
from typing import Any

import attrs
import pytest

from hypothesis import given, settings

import spie_occitanie as spie

from spie_occitanie import strategies as sst
from spie_occitanie.dataset import Dataset
from spie_occitanie.formats.datagouv import (
    DatagouvError,
    check_datagouv,
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


def resource(document: dict[str, Any], path: str) -> dict[str, Any]:
    found: dict[str, Any] = next(u for u in document["uploads"] if u["path"] == path)
    return found


def test_written_document_passes_its_checks(document):
    """datagouv.json has the two parts, and passes the rules udata's forms do not enforce."""
    assert {"dataset", "uploads"} == set(document)
    assert check_datagouv(document).ok


def test_dataset_part_is_the_body_udata_takes(document):
    """Only udata's dataset fields; no resources, which udata refuses without a url (tests/portal/)."""
    assert {
        "title",
        "description",
        "description_short",
        "license",
        "frequency",
        "tags",
        "spatial",
        "temporal_coverage",
        "extras",
    } == set(document["dataset"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tags": ["spie", "emploi"]}, "dataset/tags"),
        ({"tags": ["Emploi"]}, "dataset/tags"),
        ({"tags": ["service-public-de-l-insertion"]}, None),  # already a slug: kept
        ({"temporal_coverage": {"start": "2023-01-01", "end": "2020-01-01"}}, "dataset/temporal_coverage"),
        ({"resources": [{"title": "x"}]}, "dataset/resources"),
    ],
)
def test_rules_udata_would_silently_rewrite(document, change, field):
    """Unsorted or unslugified tags, a coverage ending before it starts, resources in the body."""
    report = check_datagouv({**document, "dataset": {**document["dataset"], **change}})
    if field is None:
        assert report.ok
        return
    assert field in [f.field for f in report.findings]


@pytest.mark.parametrize(
    "change",
    [
        {"checksum": {"type": "sha256", "value": "ab"}},
        {"filesize": 12},
        {"url": "https://example.org/x.csv"},
        {"format": "csv"},
    ],
)
def test_protected_fields_are_never_planned(document, change):
    """A field udata sets itself on an uploaded file is a finding."""
    first = {**document["uploads"][0], "resource": {**document["uploads"][0]["resource"], **change}}
    report = check_datagouv({**document, "uploads": [first, *document["uploads"][1:]]})
    assert ["protected-fields"] == [f.check for f in report.findings]


# -- the dataset's fields ----------------------------------------------------------------------------


def test_licence_frequency_and_title(document):
    """Licence Ouverte 2.0 as udata's lov2, an update frequency from udata's list, the publisher's title."""
    assert "lov2" == document["dataset"]["license"]
    assert "irregular" == document["dataset"]["frequency"]
    assert publisher().title == document["dataset"]["title"]


def test_spatial_coverage(document):
    """France as a whole for the national lists, Occitanie for its detailed funding, by département."""
    assert {"zones": ["country:fr", "fr:region:76"], "granularity": "fr:departement"} == document["dataset"][
        "spatial"
    ]


def test_temporal_coverage_of_the_embedded_dataset(document):
    """From the experimentation's launch (March 2020) to the end of the budget period (2023)."""
    assert {"start": "2020-03-01", "end": "2023-12-31"} == document["dataset"]["temporal_coverage"]


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
    assert sorted({slugify_tag(k) for k in publisher().keywords}) == document["dataset"]["tags"]


@pytest.mark.parametrize(
    ("keyword", "tag"),
    [
        ("Départements", "departements"),
        ("Pôle emploi", "pole-emploi"),
        ("Œuvres sociales", "oeuvres-sociales"),
        ("  insertion / emploi  ", "insertion-emploi"),
        ("1,7 million", "1-7-million"),
        ("Service public de l'insertion", "service-public-de-linsertion"),  # udata drops apostrophes
        ("l\u2019État", "letat"),
        ("« AMI »", "ami"),
        ("AB", ""),  # shorter than 3: udata drops it
        ("x" * 100, "x" * 96),  # longer than 96: udata cuts it
    ],
)
def test_slugify_tag(keyword, tag):
    """Tags follow udata's slug and length rules."""
    assert tag == slugify_tag(keyword)


def test_description_explains_the_dataset(document):
    """The Markdown description names every table, sources and conflicts, the licence and how to cite."""
    description = document["dataset"]["description"]
    for table in TABLES:
        assert f"`{table}`" in description
    for needle in ("service public de l'insertion et de l'emploi", "citations", "désaccord", "`lov2`"):
        assert needle in description
    assert "## Citer ce jeu de données" in description
    assert f"version {spie.__version__}" in description
    assert len(document["dataset"]["description_short"]) <= 200


def test_what_is_not_configured_is_reported_not_invented(document):
    """Unset publisher fields are listed in extras, and no organisation or homepage is made up."""
    who = publisher()
    extras = document["dataset"]["extras"]
    assert ", ".join(who.missing_for_portals()) == extras.get("spie-occitanie:not-configured", "")
    assert "organization" not in document["dataset"]
    if who.homepage is None:
        assert "spie-occitanie:homepage" not in extras
    assert who.released == extras["spie-occitanie:released"]
    assert who.name == extras["spie-occitanie:name"]


# -- resources --------------------------------------------------------------------------------------------


def test_one_resource_per_published_file(folder, document):
    """datapackage.json, every CSV and every Parquet file, each once, in path order."""
    files = ["datapackage.json"] + [
        p.relative_to(folder).as_posix()
        for p in sorted([*folder.glob("data/*.csv"), *folder.glob("parquet/*.parquet")])
    ]
    paths = [u["path"] for u in document["uploads"]]
    assert paths == [u["resource"]["extras"]["spie-occitanie:path"] for u in document["uploads"]]
    assert sorted(files) == paths
    assert 2 * len(TABLES) + 1 == len(paths)


def test_sizes_and_checksums_are_those_of_the_files(folder, document):
    """Every upload's bytes and sha256 are computed from its file."""
    for entry in document["uploads"]:
        data = (folder / entry["path"]).read_bytes()
        assert len(data) == entry["bytes"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_formats_and_types(document):
    """CSV and Parquet are main resources; the descriptor is documentation; udata derives the format."""
    for path, fmt, kind in (
        ("data/rounds.csv", "csv", "main"),
        ("parquet/rounds.parquet", "parquet", "main"),
        ("datapackage.json", "json", "documentation"),
    ):
        entry = resource(document, path)
        assert (fmt, kind) == (entry["format"], entry["resource"]["type"])


def test_each_csv_is_linked_to_its_table_schema(folder, document):
    """Without a public URL, each CSV names its Table Schema's path in the export; no link is invented."""
    assert publisher().files_url is None
    for table in TABLES:
        entry = resource(document, f"data/{table}.csv")["resource"]
        path = entry["extras"]["spie-occitanie:table-schema"]
        assert f"schemas/{table}/schema.json" == path
        assert (folder / path).is_file()
        assert "schema" not in entry


def test_schema_url_when_the_export_has_a_public_address(folder):
    """Given the address the export is published under, each CSV links its Table Schema by URL."""
    who = attrs.evolve(publisher(), files_url="https://example.org/spie")
    document = datagouv_metadata(DS, folder, who=who)
    assert {"url": "https://example.org/spie/schemas/rounds/schema.json"} == resource(
        document, "data/rounds.csv"
    )["resource"]["schema"]
    assert "schema" not in resource(document, "parquet/rounds.parquet")["resource"]
    assert check_datagouv(document).ok


def test_scdl_file_is_linked_to_the_catalogued_schema(folder, tmp_path):
    """An SCDL file in scdl/ is linked by its schema.data.gouv.fr name and version."""
    write_datapackage(DS, tmp_path)
    (tmp_path / "scdl").mkdir()
    (tmp_path / "scdl" / "scdl-subventions.csv").write_text("nomAttribuant\n", encoding="utf-8")
    entry = resource(datagouv_metadata(DS, tmp_path), "scdl/scdl-subventions.csv")
    assert {"name": "scdl/subventions", "version": "2.1.1"} == entry["resource"]["schema"]


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
        assert check_datagouv(document).ok
        assert written.read_bytes() == write_datagouv(ds, Path(second)).read_bytes()
