"""Stand-in for a DCAT-AP catalogue another agency publishes (the research-data catalogue of the
Vietnam Academy of Science and Technology), read by ckanext-dcat's ``dcat_rdf_harvester``.

``/dcat-catalogue/<scenario>/catalog.ttl`` is the catalogue as DCAT-AP 3 Turtle,
``/dcat-catalogue/<scenario>/catalog.rdf`` the same as RDF/XML. Titles, descriptions and
keywords are in Vietnamese and English (one dataset in English only); themes, frequencies,
languages, licences and file types are the EU authority tables' URIs, as DCAT-AP asks; one
distribution is in a file type outside the portal's list (GeoTIFF). The graph is built with
rdflib from ``payloads/dcat_catalogue/catalogue.json`` at request time.

Scenarios: ``ok``; ``bad-turtle`` (cut off half-way, inside a literal); ``empty`` (a catalogue without
datasets); ``error-500``. Tests edit ``DATASETS`` or set ``OVERRIDE``.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

PREFIX = "/dcat-catalogue"
_PAYLOAD = json.loads(
    (Path(__file__).parent / "payloads" / "dcat_catalogue" / "catalogue.json").read_text(encoding="utf-8"))
ORIGINAL: list[dict] = _PAYLOAD["datasets"]
DATASETS: list[dict] = copy.deepcopy(ORIGINAL)
OVERRIDE: str | None = None
EU = "http://publications.europa.eu/resource/authority/"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
BASE = "https://data.vast.vn/dataset/"


def reset() -> None:
    """Back to the shipped payload, every URL its own scenario."""
    global OVERRIDE
    DATASETS[:] = copy.deepcopy(ORIGINAL)
    OVERRIDE = None


def dataset_uri(record: dict) -> str:
    return BASE + record["id"]


def _texts(g: Graph, subject, predicate, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((subject, predicate, Literal(text, lang=lang)))


def graph(records: list[dict]) -> Graph:
    g = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        g.bind(prefix, namespace)
    catalog = URIRef(_PAYLOAD["uri"])
    g.add((catalog, RDF.type, DCAT.Catalog))
    _texts(g, catalog, DCTERMS.title, _PAYLOAD["title"])
    _texts(g, catalog, DCTERMS.description, _PAYLOAD["description"])
    g.add((catalog, FOAF.homepage, URIRef(_PAYLOAD["homepage"])))
    publisher = URIRef(_PAYLOAD["publisher"]["uri"])
    g.add((publisher, RDF.type, FOAF.Organization))
    _texts(g, publisher, FOAF.name, _PAYLOAD["publisher"]["name"])
    g.add((catalog, DCTERMS.publisher, publisher))
    for record in records:
        ref = URIRef(dataset_uri(record))
        g.add((catalog, DCAT.dataset, ref))
        g.add((ref, RDF.type, DCAT.Dataset))
        g.add((ref, DCTERMS.identifier, Literal(record["identifier"])))
        _texts(g, ref, DCTERMS.title, record["title"])
        _texts(g, ref, DCTERMS.description, record["description"])
        for lang, words in record.get("keywords", {}).items():
            for word in words:
                g.add((ref, DCAT.keyword, Literal(word, lang=lang)))
        for theme in record.get("themes", []):
            g.add((ref, DCAT.theme, URIRef(f"{EU}data-theme/{theme}")))
        if record.get("frequency"):
            g.add((ref, DCTERMS.accrualPeriodicity, URIRef(f"{EU}frequency/{record['frequency']}")))
        for language in record.get("languages", []):
            g.add((ref, DCTERMS.language, URIRef(f"{EU}language/{language}")))
        g.add((ref, DCTERMS.license, URIRef(f"{EU}licence/{record['license']}")))
        g.add((ref, DCTERMS.issued, Literal(record["issued"], datatype=XSD.date)))
        g.add((ref, DCTERMS.modified, Literal(record["modified"], datatype=XSD.dateTime)))
        g.add((ref, DCAT.landingPage, URIRef(record["landing_page"])))
        g.add((ref, DCTERMS.publisher, publisher))
        if record.get("version"):
            g.add((ref, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(record["version"])))
        if record.get("temporal"):
            period = BNode()
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, Literal(record["temporal"][0], datatype=XSD.date)))
            g.add((period, DCAT.endDate, Literal(record["temporal"][1], datatype=XSD.date)))
            g.add((ref, DCTERMS.temporal, period))
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(record["contact"]["name"])))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{record['contact']['email']}")))
        g.add((ref, DCAT.contactPoint, contact))
        for item in record["distributions"]:
            dist = URIRef(f"{dataset_uri(record)}/distribution/{item['id']}")
            g.add((ref, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            _texts(g, dist, DCTERMS.title, item["title"])
            g.add((dist, DCAT.accessURL, URIRef(item["url"])))
            g.add((dist, DCAT.downloadURL, URIRef(item["url"])))
            g.add((dist, DCTERMS.format, URIRef(f"{EU}file-type/{item['format']}")))
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{item['media_type']}")))
            g.add((dist, DCTERMS.license, URIRef(f"{EU}licence/{record['license']}")))
    return g


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) != 2 or parts[1] not in ("catalog.ttl", "catalog.rdf"):
        return 404, "text/plain; charset=utf-8", "Không tìm thấy".encode()
    scenario, name = parts
    if scenario == "error-500":
        return 500, "text/plain", b"Internal Server Error"
    g = graph([] if scenario == "empty" else DATASETS)
    if name == "catalog.rdf":
        return 200, "application/rdf+xml; charset=utf-8", g.serialize(format="pretty-xml").encode("utf-8")
    body = g.serialize(format="turtle")
    if scenario == "bad-turtle":
        body = body[: len(body) // 2] + '\n<https://data.vast.vn/x> dct:title "cắt ngang'
    return 200, "text/turtle; charset=utf-8", body.encode("utf-8")
