"""DCAT endpoints with every record type: catalogue (paging, modified_since), per record in
every format and through content negotiation, and schema.org JSON-LD in every record page."""
import json
import re

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

FORMATS = {"ttl": ("text/turtle", "turtle"), "rdf": ("application/rdf+xml", "xml"),
           "xml": ("application/rdf+xml", "xml"), "jsonld": ("application/ld+json", "json-ld")}
HYDRA = "http://www.w3.org/ns/hydra/core#"


def _records():
    return toolkit.get_action("package_search")({"ignore_auth": True}, {"q": "*:*", "rows": 100})["results"]


def _graph(app, url, fmt="turtle", **kwargs):
    response = app.get(url, **kwargs)
    assert response.status_code == 200, url
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


@pytest.mark.usefixtures("demo_catalogue")
class TestCatalogue:
    def test_every_record_type_is_in_the_catalogue(self, app):
        g = _graph(app, "/catalog.ttl")
        types = {str(t).rsplit("/", 1)[-1] for d in g.subjects(RDF.type, DCAT.Dataset)
                 for t in g.objects(d, DCTERMS.type) if str(t).startswith("https://stinfo.gov.vn/vocab/record-type/")}
        assert types == {r["type"] for r in _records()}
        assert len(types) == 13

    def test_harvest_sources_are_not_records(self, app):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="nguon-nen-tang-khcn", title="Nguồn nền tảng số KH&CN", url="http://127.0.0.1:9/",
                    source_type="dcat_rdf", owner_org=factories.Organization()["id"])
        catalogue = app.get("/catalog.ttl").get_data(as_text=True)
        assert "nguon-nen-tang-khcn" not in catalogue and "Nguồn nền tảng số" not in catalogue
        search = app.get("/dataset/").get_data(as_text=True)
        assert "Nguồn nền tảng số" not in search
        for title in ("Trần Thị Minh Nguyệt", "TCVN", "Quan trắc phóng xạ"):
            assert title in search or title in app.get("/dataset/?page=2").get_data(as_text=True)

    def test_the_catalogue_has_bilingual_titles_and_a_publisher(self, app):
        g = _graph(app, "/catalog.ttl")
        catalog = next(g.subjects(RDF.type, DCAT.Catalog))
        assert {t.language for t in g.objects(catalog, DCTERMS.title)} == {"vi", "en"}
        assert {t.language for t in g.objects(catalog, DCTERMS.description)} == {"vi", "en"}
        publisher = g.value(catalog, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in g
        assert Literal("Cục Thông tin, Thống kê (Bộ Khoa học và Công nghệ)", lang="vi") in set(
            g.objects(publisher, FOAF.name))
        assert str(g.value(publisher, DCTERMS.identifier)) == "0100104838"
        for record in g.subjects(RDF.type, DCAT.Dataset):
            assert (record, DCTERMS.publisher, None) in g
            assert any(t.language == "vi" for t in g.objects(record, DCTERMS.title))

    @pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
    def test_paging(self, app):
        first = _graph(app, "/catalog.ttl")
        assert len(set(first.subjects(RDF.type, DCAT.Dataset))) == 4
        assert int(next(first.objects(None, URIRef(HYDRA + "totalItems")))) == 15
        assert str(next(first.objects(None, URIRef(HYDRA + "next")))).endswith("/catalog.ttl?page=2")
        seen = set()
        for page in range(1, 5):
            seen |= set(_graph(app, f"/catalog.ttl?page={page}").subjects(RDF.type, DCAT.Dataset))
        assert len(seen) == 15

    def test_modified_since(self, app):
        assert not set(_graph(app, "/catalog.ttl?modified_since=2999-01-01").subjects(RDF.type, DCAT.Dataset))
        assert len(set(_graph(app, "/catalog.ttl?modified_since=2000-01-01").subjects(RDF.type, DCAT.Dataset))) == 15

    @pytest.mark.parametrize("extension", sorted(FORMATS))
    def test_catalogue_formats(self, app, extension):
        content_type, fmt = FORMATS[extension]
        response = app.get(f"/catalog.{extension}")
        assert response.headers["Content-Type"].startswith(content_type)
        g = Graph().parse(data=response.get_data(as_text=True), format=fmt)
        assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == 15

    def test_content_negotiation_on_the_home_page(self, app):
        g = _graph(app, "/", headers={"Accept": "text/turtle"})
        assert (None, RDF.type, DCAT.Catalog) in g
        assert "text/html" in app.get("/", headers={"Accept": "text/html"}).headers["Content-Type"]


@pytest.mark.usefixtures("demo_catalogue")
class TestRecords:
    @pytest.mark.parametrize("extension", sorted(FORMATS))
    def test_every_record_in_every_format(self, app, extension):
        content_type, fmt = FORMATS[extension]
        for record in _records():
            for url in (f"/{record['type']}/{record['name']}.{extension}", f"/dataset/{record['id']}.{extension}"):
                response = app.get(url)
                assert response.status_code == 200, url
                assert response.headers["Content-Type"].startswith(content_type), url
                g = Graph().parse(data=response.get_data(as_text=True), format=fmt)
                datasets = set(g.subjects(RDF.type, DCAT.Dataset))
                assert len(datasets) == 1, url
                assert Literal(record["title"], lang="vi") in set(g.objects(datasets.pop(), DCTERMS.title)), url

    def test_content_negotiation_on_every_record_page(self, app):
        for record in _records():
            page = f"/{record['type']}/{record['name']}"
            for accept, (content_type, fmt) in (("text/turtle", FORMATS["ttl"]),
                                                ("application/ld+json", FORMATS["jsonld"]),
                                                ("application/rdf+xml", FORMATS["rdf"])):
                response = app.get(page, headers={"Accept": accept})
                assert response.headers["Content-Type"].startswith(content_type), (page, accept)
                g = Graph().parse(data=response.get_data(as_text=True), format=fmt)
                assert (None, RDF.type, DCAT.Dataset) in g
            html = app.get(page, headers={"Accept": "text/html"})
            assert html.status_code == 200 and "text/html" in html.headers["Content-Type"]
            assert record["title"] in html.get_data(as_text=True)

    def test_new_record_forms_still_answer(self, app):
        sysadmin = factories.SysadminWithToken()
        response = app.get("/st_task/new", headers={"Authorization": sysadmin["token"]})
        assert response.status_code == 200
        assert "text/html" in response.headers["Content-Type"]


KEY_IDENTIFIERS = {
    "hat-nano-oxit-sat-phu-chitosan-mri-2023": ["10.15625/2525-2518/17823", "2525-2518"],
    "giao-trinh-vat-lieu-nano-y-sinh-2024": ["9786049134272"],
    "tran-thi-minh-nguyet": ["0000-0002-1457-3980"],
    "truong-dai-hoc-khoa-hoc-tu-nhien-dhqghn": ["0101110457", "https://ror.org/02h7rv395"],
    "cong-ty-co-phan-cong-nghe-nano-viet": ["0102345677"],
    "sang-che-hat-nano-oxit-sat-phu-chitosan": ["1-2023-04512"],
    "tcvn-12850-2019": ["TCVN 12850:2019"],
    "qcvn-4-2009-bkhcn": ["QCVN 4:2009/BKHCN"],
    "tbt-g-tbt-n-vnm-250": ["G/TBT/N/VNM/250"],
    "nghien-cuu-vat-lieu-nano-dhqghn": ["ĐTĐL.CN-21/22", "2024-02-566/KQNC"],
}


@pytest.mark.usefixtures("demo_catalogue")
def test_every_record_page_has_schema_org_json_ld(app):
    from rdflib import Namespace

    schema = Namespace("http://schema.org/")
    for record in _records():
        html = app.get(f"/{record['type']}/{record['name']}").get_data(as_text=True)
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert match, record["name"]
        data = json.loads(match.group(1))
        g = Graph().parse(data=json.dumps(data), format="json-ld")
        dataset = next(g.subjects(RDF.type, schema.Dataset))
        assert Literal(record["title"], lang="vi") in set(g.objects(dataset, schema.name)), record["name"]
        values = {str(g.value(node, schema.value)) for node in g.objects(dataset, schema.identifier)}
        for identifier in KEY_IDENTIFIERS.get(record["name"], []):
            assert identifier in values, (record["name"], identifier, values)
        publisher = g.value(dataset, schema.publisher)
        tax_codes = {str(g.value(node, schema.value)) for node in g.objects(publisher, schema.identifier)}
        assert len(tax_codes) == 1 and tax_codes.pop().isdigit(), record["name"]
    assert {r["name"] for r in _records()} >= set(KEY_IDENTIFIERS)
