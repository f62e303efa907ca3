"""DCAT-AP 3.0.1: the dataset as EU portals harvest it (``dcat.ttl``, ``dcat.jsonld``).

data.europa.eu and the national catalogues harvest DCAT-AP; udata itself
harvests other catalogues' DCAT with ``dataset_from_rdf``. The export writes
one catalogue holding one dataset, with one distribution per published file
(its download address, IANA media type, EU file type, size in bytes and
sha256 checksum), the licence, the publisher and contact point from the
publisher settings, the spatial and temporal coverage, keywords, language,
and ``dct:conformsTo`` from each CSV to its Table Schema.

The download addresses need the public address the export folder is
published under (``files_url`` in the publisher settings): DCAT-AP requires
an access URL for each distribution, and none is invented. Without it the
export is refused with a message naming the setting.

Controlled vocabularies are the EU Publications Office's (language ``FRA``,
frequency ``IRREG``, file types, country ``FRA``); each concept carries its
``skos:inScheme`` so that the official SHACL shapes can check it without
fetching the vocabularies. rdflib is imported lazily: it is the ``dcat``
extra.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pathlib import Path
from typing import TYPE_CHECKING, Any

from spie_occitanie.errors import DcatError, MissingDependencyError
from spie_occitanie.outputs import PublishedFile, published_files
from spie_occitanie.publisher import Publisher, publisher


if TYPE_CHECKING:
    from rdflib import Graph

    from spie_occitanie.dataset import Dataset


__all__ = ["JSONLD_FILE", "TURTLE_FILE", "DcatError", "dcat_graph", "write_dcat"]

TURTLE_FILE = "dcat.ttl"
JSONLD_FILE = "dcat.jsonld"

AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
SPDX_ALGORITHMS = "https://spdx.org/rdf/terms#"
#: The EU file type of each format the output formats publish.
FILE_TYPES = {"csv": "CSV", "json": "JSON", "parquet": "PARQUET"}


def _rdflib() -> Any:
    try:
        import rdflib
    except ImportError:
        raise MissingDependencyError("the dcat format (rdflib)", extra="dcat") from None
    return rdflib


def dcat_graph(ds: Dataset, folder: Path | str, *, who: Publisher | None = None) -> Graph:
    """The DCAT-AP graph of ``ds`` and the files found in ``folder``.

    Raises:
        DcatError: ``files_url`` is not configured, or the folder has no file to describe.
        UsageError: rdflib is not installed.
    """
    from spie_occitanie.formats.datagouv import spatial_coverage, temporal_coverage
    from spie_occitanie.formats.table_schema import LICENSE

    rdflib = _rdflib()
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

    who = publisher() if who is None else who
    folder = Path(folder)
    if who.files_url is None:
        raise DcatError(
            "DCAT-AP needs the public address of the export folder for each file's download URL: "
            "set 'files_url' in the publisher settings (see docs/publishing.md)"
        )
    files, _ = published_files(folder)
    if not files:
        raise DcatError(f"{folder}: holds no published file to describe; write the other formats first")

    base = who.files_url
    g: Graph = rdflib.Graph()
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    vcard = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
    locn = rdflib.Namespace("http://www.w3.org/ns/locn#")
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("spdx", spdx),
        ("vcard", vcard),
        ("locn", locn),
    ):
        g.bind(prefix, namespace)
    uri, literal = rdflib.URIRef, rdflib.Literal

    def concept(scheme: str, code: str, kind: Any) -> Any:
        node = uri(f"{AUTHORITY}{scheme}/{code}")
        g.add((node, RDF.type, kind))
        g.add((node, SKOS.inScheme, uri(f"{AUTHORITY}{scheme}")))
        return node

    catalog, dataset = uri(f"{base}/{TURTLE_FILE}#catalog"), uri(f"{base}/{TURTLE_FILE}#dataset")
    french = concept("language", "FRA", DCTERMS.LinguisticSystem)

    agent = uri(who.homepage) if who.homepage is not None else uri(f"{base}/{TURTLE_FILE}#publisher")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, literal(who.organisation or ", ".join(c.title for c in who.contributors))))

    licence = uri(LICENSE["path"])
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, DCTERMS.title, literal(LICENSE["title"], lang="fr")))
    g.add((licence, DCTERMS.identifier, literal(LICENSE["name"])))

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, literal(who.title, lang="fr")))
    g.add((catalog, DCTERMS.description, literal(who.description, lang="fr")))
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, DCTERMS.language, french))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, DCAT.dataset, dataset))
    if who.homepage is not None:
        g.add((catalog, FOAF.homepage, uri(who.homepage)))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, literal(who.title, lang="fr")))
    g.add((dataset, DCTERMS.description, literal(who.description, lang="fr")))
    g.add((dataset, DCTERMS.identifier, literal(who.name)))
    g.add((dataset, DCTERMS.publisher, agent))
    g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCTERMS.language, french))
    g.add((dataset, DCTERMS.issued, literal(dt.date.fromisoformat(who.released))))
    g.add((dataset, DCTERMS.accrualPeriodicity, concept("frequency", "IRREG", DCTERMS.Frequency)))
    g.add((dataset, rdflib.URIRef("http://www.w3.org/2002/07/owl#versionInfo"), literal(who.version)))
    for keyword in who.keywords:
        g.add((dataset, DCAT.keyword, literal(keyword, lang="fr")))
    if who.homepage is not None:
        g.add((dataset, DCAT.landingPage, uri(who.homepage)))
    if who.email is not None:
        contact = uri(f"{base}/{TURTLE_FILE}#contact")
        g.add((contact, RDF.type, vcard.Kind))
        g.add((contact, vcard.fn, literal(who.organisation or who.contributors[0].title)))
        g.add((contact, vcard.hasEmail, uri(f"mailto:{who.email}")))
        g.add((dataset, DCAT.contactPoint, contact))

    zones = spatial_coverage(ds)["zones"]
    for zone in zones:
        if zone == "country:fr":
            place = concept("country", "FRA", DCTERMS.Location)
        else:
            place = uri(f"{base}/{TURTLE_FILE}#zone-{zone.replace(':', '-')}")
            g.add((place, RDF.type, DCTERMS.Location))
            g.add((place, DCTERMS.identifier, literal(zone)))
            territory = ds.get("territories", zone)
            if territory is not None:
                g.add((place, locn.geographicName, literal(territory.name, lang="fr")))
        g.add((dataset, DCTERMS.spatial, place))
    coverage = temporal_coverage(ds)
    if coverage is not None:
        # A blank node: a harvester (udata's, for one) fetches a named period to read it.
        period = rdflib.BNode("temporal")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, literal(coverage["start"], datatype=XSD.date)))
        g.add((period, DCAT.endDate, literal(coverage["end"], datatype=XSD.date)))
        g.add((dataset, DCTERMS.temporal, period))

    # The official shapes want the algorithm under https://spdx.org/rdf/terms (DCAT-AP 3.0.1's
    # mdr-vocabularies.shape.ttl); udata 17.18's reader knows only the http:// spelling and
    # then skips the checksum, keeping the rest of the distribution.
    sha256 = uri(f"{SPDX_ALGORITHMS}checksumAlgorithm_sha256")
    g.add((sha256, RDF.type, spdx.ChecksumAlgorithm))
    for file in files:
        relative = file.path
        data = (folder / relative).read_bytes()
        media, file_type = file.media_type, FILE_TYPES[file.format]
        url = uri(f"{base}/{relative}")
        node = uri(f"{base}/{TURTLE_FILE}#{relative.replace('/', '-')}")
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        g.add((node, DCTERMS.title, literal(file.title, lang="fr")))
        media_node = uri(f"{IANA}{media}")
        g.add((media_node, RDF.type, DCTERMS.MediaType))
        g.add((node, DCAT.mediaType, media_node))
        g.add((node, DCTERMS.format, concept("file-type", file_type, DCTERMS.MediaTypeOrExtent)))
        g.add((node, DCAT.byteSize, literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((node, DCTERMS.license, licence))
        checksum = uri(f"{base}/{TURTLE_FILE}#sha256-{relative.replace('/', '-')}")
        g.add((checksum, RDF.type, spdx.Checksum))
        g.add((checksum, spdx.algorithm, sha256))
        g.add(
            (checksum, spdx.checksumValue, literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary))
        )
        g.add((node, spdx.checksum, checksum))
        schema = _schema(file, base)
        if schema is not None:
            standard = uri(schema)
            g.add((standard, RDF.type, DCTERMS.Standard))
            g.add((node, DCTERMS.conformsTo, standard))
            g.add((dataset, DCTERMS.conformsTo, standard))
    return g


def _schema(file: PublishedFile, base: str) -> str | None:
    """The address of the schema a file follows, if one."""
    if file.table_schema is not None:
        return f"{base}/{file.table_schema}"
    if file.catalogue_schema is not None:
        name, version = file.catalogue_schema["name"], file.catalogue_schema["version"]
        return f"https://schema.data.gouv.fr/schemas/{name}/{version}/schema.json"
    return None


def write_dcat(ds: Dataset, folder: Path | str, *, who: Publisher | None = None) -> tuple[Path, Path]:
    """Write ``dcat.ttl`` and ``dcat.jsonld`` into ``folder``, describing the files already there."""
    folder = Path(folder)
    graph = dcat_graph(ds, folder, who=who)
    turtle, jsonld = folder / TURTLE_FILE, folder / JSONLD_FILE
    turtle.write_bytes(graph.serialize(format="turtle").encode("utf-8"))
    jsonld.write_bytes(graph.serialize(format="json-ld", indent=2).encode("utf-8"))
    return turtle, jsonld
