"""No personal identification number, and no restricted field, in any DCAT output.

A researcher record carrying a personal identification number sits in the demo catalogue. Its
number (and the keyed fingerprint stored for it) must not appear in the catalogue or in the
record, in any format, by extension or by content negotiation, in the DCAT JSON, or in the
schema.org JSON-LD of the record page; and the profile leaves restricted fields out even when
it is handed a record that still has them (as package_show gives a sysadmin).
"""
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFSerializer

NUMBER = "001085012345"  # Hà Nội, male born 1985
EXTENSIONS = ("ttl", "rdf", "xml", "jsonld", "n3")
ACCEPT = ("text/turtle", "application/rdf+xml", "application/ld+json", "text/n3")
FORBIDDEN = (NUMBER, "hmac-sha256", "personal_id", "personalId")


@pytest.fixture
def researcher(demo_site):
    return call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, type="researcher",
        name="nguyen-van-an", title="Nguyễn Văn An", owner_org="dai-hoc-quoc-gia-ha-noi",
        fields_of_science=["1.3"], orcid="0000-0002-1694-233X", personal_id=NUMBER,
        related_tasks=["nghien-cuu-vat-lieu-nano-dhqghn"])


def _assert_clean(text, where):
    for forbidden in FORBIDDEN:
        assert forbidden not in text, f"{forbidden!r} in {where}"


def test_no_dcat_output_carries_it(app, researcher):
    urls = [f"/catalog.{ext}" for ext in EXTENSIONS]
    urls += [f"/dataset/{researcher['id']}.{ext}" for ext in EXTENSIONS]
    urls += [f"/researcher/{researcher['name']}.{ext}" for ext in EXTENSIONS]
    urls += ["/dcat.json", "/catalog.ttl?q=name:nguyen-van-an", f"/researcher/{researcher['name']}"]
    for url in urls:
        response = app.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        _assert_clean(text, url)
        if "catalog" in url or "/dataset/" in url:
            assert "Nguyễn Văn An" in text or "Nguy\\u1ec5n V\\u0103n An" in text, url
    for page in (f"/dataset/{researcher['name']}", f"/researcher/{researcher['name']}", "/"):
        for accept in ACCEPT:
            response = app.get(page, headers={"Accept": accept})
            assert response.status_code == 200, (page, accept)
            _assert_clean(response.get_data(as_text=True), f"{page} as {accept}")


def test_the_profile_leaves_restricted_fields_out_even_if_given(researcher):
    sysadmin = factories.Sysadmin()["name"]
    shown = call_action("package_show", context={"user": sysadmin}, id=researcher["id"], use_cache=False)
    assert shown["personal_id"].startswith("hmac-sha256:")
    given = {**shown, "extras": [*shown.get("extras", []), {"key": "personal_id", "value": NUMBER}]}
    for profiles in (["euro_dcat_ap_3", "stinfo"], ["schemaorg", "stinfo"]):
        for fmt in ("ttl", "xml", "jsonld"):
            output = RDFSerializer(profiles=profiles).serialize_dataset(dict(given), _format=fmt)
            _assert_clean(output, f"{profiles} {fmt}")
            assert "0000-0002-1694-233X" in output
