"""The ``stinfo`` DCAT profile: every field of every record type is written and read back.

A record of each type is filled from its schema (every field, with a value of the right kind),
serialised through ``euro_dcat_ap_3 stinfo`` and parsed back with the same profiles: the parsed
record has the same fields. The demo records keep their publishers, identifiers and relations.
"""
import uuid

import pytest
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.stinfo.profiles.mapping import CORE, PROVENANCE, field_maps
from ckanext.stinfo.vocabularies import vocabulary
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

PROFILES = ["euro_dcat_ap_3", "stinfo"]
ADMS = "http://www.w3.org/ns/adms#"


def _schemas():
    from ckanext.scheming.helpers import scheming_dataset_schemas

    return scheming_dataset_schemas()


def _sample(fmap):
    """A value of the right kind for a mapped field."""
    slug = fmap.name.replace("_", "-")
    kind = fmap.kind
    if kind == "concept":
        codes = vocabulary(fmap.vocabulary).codes()
        return codes[1:3] if fmap.multiple else codes[-1]
    if kind == "choice":
        values = [value for value, _labels in fmap.choices]
        return values[:2] if fmap.multiple else values[-1]
    if kind == "relation":
        return [f"{slug}-b", f"{slug}-a"] if fmap.multiple else f"{slug}-ban-ghi"
    values = {
        "identifier": f"ID/{fmap.name}-2024",
        "agents": ["Trần Thị Minh Nguyệt", "Lê Văn Hùng", "Phạm Thu Hà"],
        "language": ["vi", "en"],
        "standard": sorted(["Thông tư 22/2025/TT-BKHCN", "https://example.org/tieu-chuan/1"]),
        "homepage": f"https://example.org/{slug}",
        "mailbox": "lien-he@example.org",
        "address": "334 Nguyễn Trãi, Thanh Xuân, Hà Nội",
        "date": "2024-05-17",
        "year": "2021",
        "integer": "4500000000",
        "coordinate": "21.0245" if fmap.name == "latitude" else "105.8412",
        "period": "2022-01" if fmap.name.endswith("_start") else "2024-12",
    }
    if kind in values:
        return values[kind]
    return [f"{slug} thứ hai", f"{slug} thứ nhất", "ba"] if fmap.multiple else f"Giá trị của {slug}"


def _record(dataset_type, schema):
    record_id = str(uuid.uuid4())
    record = {
        "id": record_id, "type": dataset_type, "name": f"ban-ghi-{dataset_type.replace('_', '-')}",
        "title": "Tên bản ghi", "title_en": "Record title", "notes": "Mô tả bản ghi.", "notes_en": "About it.",
        "license_id": "cc-by", "tags": [{"name": "vật liệu nano"}], "extras": [],
        "source_system": "Nền tảng số quản lý KHCN&ĐMST quốc gia",
        "source_url": "https://nentang.most.gov.vn/nhiem-vu/123",
        "source_record_id": "NV-123", "harvested_at": "2025-11-20T08:30:00+00:00",
        "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "resources": [
            {"id": str(uuid.uuid4()), "package_id": record_id, "url": "https://example.org/du-lieu.csv",
             "name": "Dữ liệu", "name_en": "Data", "description": "Tệp CSV.", "format": "CSV"},
            {"id": str(uuid.uuid4()), "package_id": record_id, "url": "https://example.org/du-lieu.json",
             "name": "Dữ liệu JSON", "format": "JSON", "license": "CC0-1.0"},
            {"id": str(uuid.uuid4()), "package_id": record_id, "url": "https://api.example.org/v1",
             "name": "API", "format": "API"},
        ],
    }
    for fmap in field_maps(schema):
        record[fmap.name] = _sample(fmap)
    for key in ("maintainer", "url", "version"):
        if any(f["field_name"] == key for f in schema["dataset_fields"]):
            record[key] = {"maintainer": "Trung tâm Dữ liệu", "url": "https://example.org/gioi-thieu",
                           "version": "2024.1"}[key]
    if any(f["field_name"] == "maintainer_email" for f in schema["dataset_fields"]):
        record["maintainer_email"] = "dulieu@example.org"
    return record


def _round_trip(record, fmt="ttl"):
    output = RDFSerializer(profiles=PROFILES).serialize_dataset(dict(record), _format=fmt)
    parser = RDFParser(profiles=PROFILES)
    parser.parse(output, _format=fmt)
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    return output, parsed[0]


def test_every_field_of_every_schema_is_mapped():
    unmapped = []
    for dataset_type, schema in _schemas().items():
        mapped = {m.name for m in field_maps(schema)}
        for field in schema["dataset_fields"]:
            name = field["field_name"]
            if name not in mapped and name not in CORE and name not in PROVENANCE and not field.get("restricted"):
                unmapped.append(f"{dataset_type}.{name}")
    assert not unmapped


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld"])
def test_every_field_survives_serialising_and_parsing(fmt):
    for dataset_type, schema in _schemas().items():
        record = _record(dataset_type, schema)
        _output, parsed = _round_trip(record, fmt)
        assert parsed["type"] == dataset_type
        for key in ("name", "title", "title_en", "notes", "notes_en", "license_id", *PROVENANCE):
            assert parsed.get(key) == record[key], f"{dataset_type}.{key}"
        for fmap in field_maps(schema):
            assert parsed.get(fmap.name) == record[fmap.name], f"{dataset_type}.{fmap.name} ({fmap.kind})"
        for key in ("maintainer", "maintainer_email", "url", "version"):
            if key in record:
                assert parsed.get(key) == record[key], f"{dataset_type}.{key}"
        assert [t["name"] for t in parsed["tags"]] == ["vật liệu nano"]
        resources = {r["url"]: r for r in parsed["resources"]}
        csv, json_, api = (resources[r["url"]] for r in record["resources"])
        assert (csv["name"], csv["name_en"], csv["description"]) == ("Dữ liệu", "Data", "Tệp CSV.")
        assert csv["format"] == "CSV"
        assert "license" not in csv, "the record's licence is inherited, not copied"
        assert (json_["format"], json_["license"]) == ("JSON", "CC0-1.0")
        assert api["format"] == "API"


def test_output_uses_dcat_ap_terms_and_eu_authority_uris():
    schema = _schemas()["dataset"]
    output, _parsed = _round_trip(_record("dataset", schema))
    g = Graph().parse(data=output, format="turtle")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    assert Literal("Tên bản ghi", lang="vi") in set(g.objects(dataset, DCTERMS.title))
    assert Literal("Record title", lang="en") in set(g.objects(dataset, DCTERMS.title))
    assert URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0") in set(
        g.objects(dataset, DCTERMS.license))
    themes = {str(t) for t in g.objects(dataset, DCAT.theme)}
    assert any(t.startswith("http://publications.europa.eu/resource/authority/data-theme/") for t in themes)
    frequency = g.value(dataset, DCTERMS.accrualPeriodicity)
    assert str(frequency).startswith("http://publications.europa.eu/resource/authority/frequency/")
    assert (frequency, RDF.type, SKOS.Concept) in g
    assert str(g.value(dataset, DCTERMS.spatial)).startswith("https://stinfo.gov.vn/vocab/province/")
    assert g.value(dataset, DCTERMS.type) == URIRef("https://stinfo.gov.vn/vocab/record-type/dataset")
    languages = {str(o) for o in g.objects(dataset, DCTERMS.language)}
    assert languages == {"http://publications.europa.eu/resource/authority/language/VIE",
                         "http://publications.europa.eu/resource/authority/language/ENG"}
    period = g.value(dataset, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in g
    assert str(g.value(period, DCAT.startDate)) == "2022-01"
    provenance = g.value(dataset, DCTERMS.provenance)
    assert (provenance, RDF.type, DCTERMS.ProvenanceStatement) in g
    prov = "http://www.w3.org/ns/prov#"
    assert g.value(dataset, URIRef(prov + "wasDerivedFrom")) == URIRef("https://nentang.most.gov.vn/nhiem-vu/123")
    assert str(g.value(dataset, URIRef(prov + "generatedAtTime"))) == "2025-11-20T08:30:00+00:00"
    contact = g.value(dataset, DCAT.contactPoint)
    assert (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Kind")) in g
    distributions = list(g.objects(dataset, DCAT.distribution))
    formats = {str(g.value(d, DCTERMS["format"])) for d in distributions}
    assert "http://publications.europa.eu/resource/authority/file-type/CSV" in formats
    media = {str(g.value(d, DCAT.mediaType)) for d in distributions}
    assert "https://www.iana.org/assignments/media-types/text/csv" in media
    assert any((d, DCAT.accessService, None) in g for d in distributions)


def test_identifiers_carry_their_scheme():
    schema = _schemas()["publication"]
    record = {**_record("publication", schema), "doi": "10.15625/2525-2518/17823", "issn": "2525-2518"}
    output, parsed = _round_trip(record)
    g = Graph().parse(data=output, format="turtle")
    notations = {(str(n), str(n.datatype)) for n in g.objects(None, SKOS.notation)}
    assert ("10.15625/2525-2518/17823", "http://purl.org/spar/datacite/doi") in notations
    assert ("2525-2518", "http://purl.org/spar/datacite/issn") in notations
    for node in g.objects(None, URIRef(ADMS + "identifier")):
        assert (node, RDF.type, URIRef(ADMS + "Identifier")) in g
    assert (parsed["doi"], parsed["issn"]) == ("10.15625/2525-2518/17823", "2525-2518")


@pytest.mark.usefixtures("demo_catalogue")
def test_demo_records_parse_back_into_the_same_fields(app):
    from ckan.plugins import toolkit

    parser = RDFParser(profiles=PROFILES)
    parser.parse(app.get("/catalog.ttl").get_data(as_text=True), _format="ttl")
    parsed = {d["name"]: d for d in parser.datasets()}
    assert len(parsed) == 15
    skip = {"id", "metadata_created", "metadata_modified", "organization", "num_resources", "num_tags",
            "state", "creator_user_id", "groups", "relationships_as_object", "relationships_as_subject",
            "isopen", "license_title", "license_url", "private", "extras", "resources", "tags"}
    for name, record in parsed.items():
        original = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": name})
        for key, value in original.items():
            if key not in skip:
                assert (record.get(key) or None) == (value or None), f"{name}.{key}"
        assert sorted(t["name"] for t in record.get("tags", [])) == sorted(t["name"] for t in original["tags"])
        assert len(record.get("resources", [])) == len(original["resources"])


@pytest.mark.usefixtures("demo_catalogue")
def test_publishers_carry_their_tax_code(app):
    g = Graph().parse(data=app.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    publishers = set(g.objects(None, DCTERMS.publisher))
    assert publishers
    for publisher in publishers:
        assert (publisher, RDF.type, FOAF.Agent) in g
        assert g.value(publisher, FOAF.name).language == "vi"
        tax_code = str(g.value(publisher, DCTERMS.identifier))
        assert len(tax_code) == 10 and tax_code.isdigit()
        notations = {str(n) for i in g.objects(publisher, URIRef(ADMS + "identifier"))
                     for n in g.objects(i, SKOS.notation)}
        assert tax_code in notations


@pytest.mark.usefixtures("demo_catalogue")
def test_relations_point_to_the_related_records(app):
    from ckan.plugins import toolkit

    g = Graph().parse(data=app.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    task = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": "nghien-cuu-vat-lieu-nano-dhqghn"})
    publication = toolkit.get_action("package_show")(
        {"ignore_auth": True}, {"id": "hat-nano-oxit-sat-phu-chitosan-mri-2023"})
    site = toolkit.config["ckan.site_url"].rstrip("/")
    task_uri, publication_uri = (URIRef(f"{site}/dataset/{record['id']}") for record in (task, publication))
    assert (task_uri, DCTERMS.isReferencedBy, publication_uri) in g
    assert (publication_uri, DCTERMS.relation, task_uri) in g
    assert (task_uri, RDF.type, DCAT.Dataset) in g and (publication_uri, RDF.type, DCAT.Dataset) in g


FOREIGN = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://data.example.eu/dataset/air-quality> a dcat:Dataset ;
    dct:title "Air quality measurements"@en ; dct:description "Hourly NO2 and PM10."@en ;
    dcat:keyword "air"@en, "pollution"@en ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/DAILY> ;
    dct:spatial <https://sws.geonames.org/2950159/> ;
    dct:publisher [ a foaf:Agent ; foaf:name "Environment Agency" ] ;
    dcat:landingPage <https://data.example.eu/air> ;
    dcat:distribution <https://data.example.eu/dataset/air-quality/csv> .
<https://data.example.eu/dataset/air-quality/csv> a dcat:Distribution ;
    dct:title "Measurements (CSV)"@en ; dcat:accessURL <https://data.example.eu/air.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> .
"""


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_dcat_ap_record_from_elsewhere_becomes_an_open_dataset():
    """Records of other catalogues (no STInfo record type) are parsed as plain open datasets."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    parser = RDFParser(profiles=PROFILES)
    parser.parse(FOREIGN, _format="ttl")
    record = next(parser.datasets())
    assert "type" not in record
    assert (record["title"], record["notes"]) == ("Air quality measurements", "Hourly NO2 and PM10.")
    assert (record["theme"], record["frequency"], record["license_id"]) == (["ENVI"], "DAILY", "cc-by")
    assert record["url"] == "https://data.example.eu/air"
    assert sorted(t["name"] for t in record["tags"]) == ["air", "pollution"]
    extras = {e["key"]: e["value"] for e in record["extras"]}
    assert extras["spatial_uri"] == "https://sws.geonames.org/2950159/"
    assert extras["publisher_name"] == "Environment Agency"
    assert record["resources"][0]["format"] == "CSV"
    created = call_action("package_create", context={"user": factories.Sysadmin()["name"]},
                          **{**record, "name": "air-quality", "owner_org": factories.Organization()["id"]})
    assert created["type"] == "dataset" and created["theme"] == ["ENVI"]
