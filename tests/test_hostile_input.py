"""Hostile input to the API, uploads and harvesters.

- oversized payloads: a request body over ``MAX_CONTENT_LENGTH`` (config/ckan.ini) is refused
  with 413 before it is read; an upload over ``ckan.max_resource_size`` is a validation error;
- invalid UTF-8 or broken JSON in an action body is a 400 with a message, never a 500;
- script in metadata (title, notes, tags, resource names) is rendered escaped on the record and
  search pages, and the DCAT outputs are not HTML and carry it only as an escaped literal;
- harvest URLs on loopback, private or link-local addresses are refused at source creation
  unless ``ckanext.stinfo.harvest.allowed_hosts`` lists the host, and a source whose host is no
  longer allowed fails at gather with a clear gather error, withdrawing nothing;
- a gzip ``Content-Encoding`` bomb is cut by the streamed size limit of ``harvesters/http.get``.

XML entity expansion and external entities against the OAI-PMH harvester are covered by
``tests/harvest/test_oai_pmh.py::test_entity_attacks_are_refused_with_a_clear_error`` (and for
the IP gazettes by ``tests/harvest/test_ip.py::test_unsafe_or_wrongly_encoded_xml_is_refused_before_parsing``).
"""
from __future__ import annotations

import gzip
import http.server
import io
import json
import threading
import time

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters import http as harvest_http
from lxml import etree

from tests.conftest import ROOT

SCRIPT = "<script>alert(1)</script>"


def _token(user):
    return call_action("api_token_create", context={"user": user}, user=user, name="thu")["token"]


# ---------------------------------------------------------------- oversized payloads
@pytest.mark.usefixtures("clean_db")
def test_a_json_body_far_too_large_is_refused_before_it_is_read(app):
    sysadmin = factories.Sysadmin()["name"]
    limit = int(toolkit.config["MAX_CONTENT_LENGTH"])
    assert limit < 128 * 2 ** 20
    body = b'{"name": "qua-lon", "notes": "' + b"x" * (limit + 2 ** 20) + b'"}'
    response = app.post("/api/3/action/package_create", data=body, headers={
        "Authorization": _token(sysadmin), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert call_action("package_search", q="name:qua-lon")["count"] == 0


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_an_upload_over_the_resource_size_limit_is_refused(app):
    sysadmin = factories.Sysadmin()["name"]
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    response = app.post("/api/3/action/resource_create", headers={"Authorization": _token(sysadmin)}, data={
        "package_id": dataset["id"], "name": "lon",
        "upload": (io.BytesIO(b"0" * (2 * 2 ** 20)), "lon.csv")}, status=409)
    assert "too large" in response.get_data(as_text=True).lower()
    assert call_action("package_show", id=dataset["id"])["resources"] == []


# ---------------------------------------------------------------- malformed bodies
@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("body", [
    b'{"name": "\xff\xfe\xc3\x28", "title": "x"}',
    b'\xef\xbb\xbf{"name": "bom"',
    b'{"name": ' + b"[" * 100000 + b"]" * 100000 + b"}",
    b"[1, 2, 3]",
], ids=["invalid-utf8", "truncated", "deeply-nested", "not-an-object"])
def test_a_malformed_action_body_is_a_400_not_a_500(app, body):
    sysadmin = factories.Sysadmin()["name"]
    response = app.post("/api/3/action/package_create", data=body, headers={
        "Authorization": _token(sysadmin), "Content-Type": "application/json"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:500]
    assert "JSON" in text or "nested too deeply" in text or "dictionary" in text, text[:500]


# ---------------------------------------------------------------- script in metadata
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_script_in_metadata_is_rendered_escaped(app):
    sysadmin = factories.Sysadmin()["name"]
    org = factories.Organization()
    dataset = call_action(
        "package_create", context={"user": sysadmin}, name="ma-doc", owner_org=org["id"],
        title=f"Tiêu đề {SCRIPT}", notes=f"Mô tả {SCRIPT} <img src=x onerror=alert(2)>",
        tags=[{"name": "the-script"}, {"name": "alert.1 tag"}],
        resources=[{"name": f"Tệp {SCRIPT}", "url": "http://example.org/a.csv", "description": SCRIPT}])
    pages = [f"/dataset/{dataset['name']}", "/dataset/?q=script", "/dataset/?q=alert",
             f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}", "/"]
    for url in pages:
        response = app.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert SCRIPT not in text, url
        assert "<img src=x" not in text, url
        if url != "/":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, url

    for fmt, mime in (("ttl", "text/turtle"), ("rdf", "application/rdf+xml"), ("xml", "application/rdf+xml"),
                      ("jsonld", "application/ld+json")):
        for url in (f"/dataset/{dataset['id']}.{fmt}", f"/catalog.{fmt}"):
            response = app.get(url)
            assert response.status_code == 200, url
            assert response.headers["Content-Type"].startswith(mime), url
            text = response.get_data(as_text=True)
            if fmt in ("rdf", "xml"):  # as text or CDATA: a literal, never an element
                tree = etree.fromstring(response.get_data())
                assert not tree.xpath("//*[local-name()='script']"), url
                assert any(SCRIPT in (node.text or "") for node in tree.iter()), url
            elif fmt == "jsonld":
                assert SCRIPT in json.dumps(json.loads(text), ensure_ascii=False), url


# ---------------------------------------------------------------- harvest sources on private networks
PRIVATE = ["http://127.0.0.1:9/nguon", "http://localhost:9/nguon", "http://10.1.2.3/nguon",
           "http://192.168.1.10/nguon", "http://172.16.0.5/nguon", "http://169.254.169.254/latest/meta-data",
           "http://[::1]:9/nguon", "http://0.0.0.0:9/nguon", "file:///etc/passwd"]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.stinfo.harvest.allowed_hosts", "")
@pytest.mark.parametrize("url", PRIVATE)
def test_a_harvest_source_on_a_private_address_is_refused_at_creation(url):
    org = factories.Organization()
    with pytest.raises(toolkit.ValidationError) as error:
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="nguon-noi-bo", title="Nguồn nội bộ", url=url, source_type="stinfo_st_tasks",
                    owner_org=org["id"], config=json.dumps({"mapping": {"title": "ten_nhiem_vu"}}))
    assert "url" in error.value.error_dict


@pytest.mark.usefixtures("clean_db")
def test_a_private_address_listed_in_allowed_hosts_is_accepted(standins):
    org = factories.Organization()
    source = call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                         name="nguon-cho-phep", title="Nguồn", url=f"{standins}/st-platform/ok/tasks",
                         source_type="stinfo_st_tasks", owner_org=org["id"],
                         config=json.dumps({"mapping": {"title": "ten_nhiem_vu"}}))
    assert source["url"].startswith("http://127.0.0.1:")


def test_a_source_no_longer_allowed_fails_at_gather_and_withdraws_nothing(harvest, standins, ckan_config,
                                                                          monkeypatch):
    config = json.loads((ROOT / "config" / "harvest" / "st_tasks.json").read_text(encoding="utf-8"))
    url = f"{standins}/st-platform/ok/tasks"
    results, report = harvest("stinfo_st_tasks", url, {**config, "full_harvest": True})
    assert results and not report["gather_errors"], report
    before = call_action("package_search", q="*:*", rows=0)["count"]
    monkeypatch.setitem(ckan_config, "ckanext.stinfo.harvest.allowed_hosts", [])
    _results, report = harvest("stinfo_st_tasks", url, {**config, "full_harvest": True})
    errors = " ".join(e["message"] for e in report["gather_errors"])
    assert "non-public address 127.0.0.1" in errors and "allowed_hosts" in errors
    assert call_action("package_search", q="*:*", rows=0)["count"] == before


# ---------------------------------------------------------------- compressed-size bomb
@pytest.fixture
def bomb_server():
    """A local server answering with 64 MB of zeros gzip-compressed to about 64 KB."""
    payload = gzip.compress(b"\0" * (64 * 2 ** 20), compresslevel=9)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/bom.json", len(payload)
    server.shutdown()
    server.server_close()


@pytest.mark.ckan_config("ckanext.stinfo.harvest.max_bytes", 2 * 2 ** 20)
@pytest.mark.ckan_config("ckanext.stinfo.harvest.allowed_hosts", "127.0.0.1")
def test_a_gzip_bomb_is_cut_by_the_streamed_size_limit(bomb_server):
    url, compressed = bomb_server
    assert compressed < 2 * 2 ** 20, "the compressed body itself is under the limit"
    started = time.monotonic()
    with pytest.raises(harvest_http.SourceError, match="exceeds the limit of 2097152 bytes"):
        harvest_http.get(url)
    assert time.monotonic() - started < 10
