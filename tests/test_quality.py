"""Metadata quality, publisher and harvest reports, the link check, and the user guides."""
import csv
import datetime
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo import demo, linkcheck, quality
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from tests.conftest import ROOT

DQV = Namespace("http://www.w3.org/ns/dqv#")
NOW = datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture
def catalogue(clean_db, clean_index, demo_catalogue_path):
    demo.load(str(demo_catalogue_path))


def _codes(result):
    return {issue["code"] for issue in result["issues"]}


def _fields(result, code):
    return {issue["field"] for issue in result["issues"] if issue["code"] == code}


# ---------------------------------------------------------------- scores


def test_scores_of_records_of_several_types(catalogue):
    publication = call_action("package_show", id="hat-nano-oxit-sat-phu-chitosan-mri-2023")
    result = quality.assess(publication)
    assert set(result["dimensions"]) == set(quality.DIMENSIONS)
    assert result["score"] == sum(result["dimensions"].values())
    assert "missing_required" not in _codes(result)
    assert result["dimensions"]["reusability"] == 20, "cc-by is an open licence"

    for name in ("quan-trac-phong-xa-moi-truong-ha-noi", "tcvn-12850-2019", "tran-thi-minh-nguyet"):
        record = call_action("package_show", id=name)
        scored = quality.assess(record)
        assert 0 <= scored["score"] <= 100
        assert scored["rating"] in {code for _low, code, _t in quality.RATINGS}


def test_problems_lower_the_score_in_their_dimension(catalogue):
    record = call_action("package_show", id="hat-nano-oxit-sat-phu-chitosan-mri-2023")
    good = quality.assess(record)
    broken = dict(record, doi="not-a-doi", license_id="other-closed", field_of_science="99999", venue="")
    bad = quality.assess(broken)
    assert "doi" in _fields(bad, "invalid_identifier")
    assert "field_of_science" in _fields(bad, "invalid_category")
    assert "venue" in _fields(bad, "missing_required")
    assert "closed_licence" in _codes(bad)
    assert bad["dimensions"]["interoperability"] < good["dimensions"]["interoperability"]
    assert bad["dimensions"]["reusability"] == 10
    assert bad["dimensions"]["findability"] < good["dimensions"]["findability"]
    assert bad["score"] < good["score"]


def test_freshness_follows_the_declared_frequency(catalogue):
    record = call_action("package_show", id="so-to-chuc-khcn-theo-tinh-2024")
    assert record["frequency"] == "ANNUAL"
    assert "stale" not in _codes(quality.assess(record))
    later = NOW + datetime.timedelta(days=500)
    assert "stale" in _codes(quality.assess(record, now=later))
    assert "stale" not in _codes(quality.assess(dict(record, frequency="IRREG"), now=later))
    assert "stale" in _codes(quality.assess(dict(record, frequency="MONTHLY"), now=NOW + datetime.timedelta(days=60)))


def test_resources_formats_and_links_count():
    base = {"type": "dataset", "license_id": "cc-by", "creator_user_id": "u"}
    nothing = quality.assess(dict(base), schema={})
    assert "no_resource" in _codes(nothing) and nothing["dimensions"]["accessibility"] == 0
    ok = quality.assess(dict(base, resources=[{"url": "http://x/a.csv", "format": "CSV", "stinfo_link_status": "ok"}]),
                        schema={})
    assert ok["dimensions"]["accessibility"] == 20 and ok["dimensions"]["interoperability"] == 20
    broken = quality.assess(dict(base, resources=[{"url": "http://x/a", "format": "XLSX",
                                                   "stinfo_link_status": "broken"}]), schema={})
    assert {"link_broken", "closed_format"} <= _codes(broken)
    assert broken["dimensions"]["accessibility"] == 5 and broken["dimensions"]["interoperability"] == 10
    harvested = quality.assess(dict(base, harvested_at=NOW.isoformat(), source_record_id="1"), schema={})
    assert "no_provenance" in _codes(harvested)


def test_a_type_is_assessed_on_its_current_schema(monkeypatch):
    """What a schema asks is worked out once, and again when the type's schema is another."""
    record = {"type": "publication", "title": "Bài báo", "license_id": "cc-by", "creator_user_id": "u"}
    first = quality.assess(dict(record))
    assert quality._type_plan("publication") is quality._type_plan("publication")
    changed = {"dataset_fields": [{"field_name": "doi", "required": True}]}
    monkeypatch.setattr(quality, "_schema", lambda dataset_type: changed)
    assert _fields(quality.assess(dict(record)), "missing_required") == {"doi"}
    assert quality.assess(dict(record)) == quality.assess(dict(record), schema=changed)
    monkeypatch.undo()
    assert quality.assess(dict(record)) == first


def _search(**params):
    return call_action("package_search", include_private=True, rows=100, **params)


def test_score_is_stored_indexed_and_sortable(catalogue):
    org = model.Group.get("cuc-thong-tin-thong-ke")
    poor = factories.Dataset(name="ban-ghi-so-sai", owner_org=org.id, license_id="")
    found = _search(q="*:*", fl=["name", "stinfo_quality", "stinfo_quality_findability"], sort="stinfo_quality asc")
    scores = [row["stinfo_quality"] for row in found["results"]]
    assert scores == sorted(scores) and all(isinstance(score, int) for score in scores)
    assert found["results"][0]["name"] == poor["name"]
    assert _search(q="*:*", fl=["name"], sort="stinfo_quality desc")["results"][-1]["name"] == poor["name"]
    low = _search(fq="stinfo_quality:[0 TO 49]", fl=["name"])["results"]
    assert poor["name"] in {row["name"] for row in low}
    issues = _search(fq="stinfo_quality_issues:no_licence", fl=["name"])["results"]
    assert poor["name"] in {row["name"] for row in issues}

    call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=poor["id"], license_id="cc-by",
                notes="Mô tả")
    after = _search(fq="name:ban-ghi-so-sai", fl=["stinfo_quality"])["results"][0]["stinfo_quality"]
    assert after > scores[0], "the score follows every change of the record"


# ---------------------------------------------------------------- reports


@pytest.fixture
def people(catalogue):
    editor, member, stranger = factories.User(), factories.User(), factories.User()
    org = model.Group.get("cuc-thong-tin-thong-ke")
    call_action("organization_member_create", id=org.id, username=editor["name"], role="editor")
    call_action("organization_member_create", id=org.id, username=member["name"], role="member")
    return {"editor": editor, "member": member, "stranger": stranger, "sysadmin": factories.Sysadmin(),
            "org": org}


def _report(user, **params):
    return call_action("stinfo_quality_report", context={"user": user, "ignore_auth": False}, **params)


def test_reports_roll_up_nationally_and_per_organisation(people):
    national = _report("")
    assert national["count"] == 15 and national["scope"] == "national"
    assert sum(national["ratings"].values()) == national["count"]
    assert 0 < national["average"] <= 100
    assert "records" not in national and "organizations" not in national
    assert national["scale"]["maximum"] == 100

    admin_view = _report(people["sysadmin"]["name"])
    organisations = {row["name"]: row for row in admin_view["organizations"]}
    assert organisations["cuc-thong-tin-thong-ke"]["count"] == 3
    assert sum(row["count"] for row in organisations.values()) == 15

    own = _report(people["editor"]["name"], organization="cuc-thong-tin-thong-ke")
    assert own["count"] == 3 == len(own["records"])
    scores = [record["score"] for record in own["records"]]
    assert scores == sorted(scores), "worst first"
    assert all(isinstance(record["issues"], list) for record in own["records"])


def test_report_permissions(people):
    with pytest.raises(toolkit.NotAuthorized):
        _report("", organization="cuc-thong-tin-thong-ke")
    with pytest.raises(toolkit.NotAuthorized):
        _report(people["stranger"]["name"], organization="cuc-thong-tin-thong-ke")
    assert _report(people["member"]["name"], organization="cuc-thong-tin-thong-ke")["count"] == 3
    assert _report(people["sysadmin"]["name"], organization="cuc-thong-tin-thong-ke")["count"] == 3


def test_report_pages_and_csv(app, people):
    page = app.get("/chat-luong")
    assert page.status_code == 200 and "stinfo_quality_report" in page.get_data(as_text=True)
    assert app.get("/chat-luong/cuc-thong-tin-thong-ke").status_code == 403
    headers = {"Authorization": factories.APIToken(user=people["editor"]["name"])["token"]}
    page = app.get("/chat-luong/cuc-thong-tin-thong-ke", headers=headers)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/statistics/edit/so-to-chuc-khcn-theo-tinh-2024" in html
    response = app.get("/chat-luong/cuc-thong-tin-thong-ke.csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3 and {"score", "problems", "edit_url"} <= set(rows[0])
    assert all(row["edit_url"].startswith("http") for row in rows)
    national = app.get("/chat-luong.csv").get_data(as_text=True)
    assert national.lstrip("\ufeff").startswith("scope,name,title,records,average,poor")
    english = app.get("/en/chat-luong").get_data(as_text=True)
    assert "Metadata quality of the catalogue" in english


# ---------------------------------------------------------------- DCAT


def test_quality_is_in_the_dcat_output_with_dqv(app, catalogue):
    graph = Graph().parse(data=app.get("/dataset/hat-nano-oxit-sat-phu-chitosan-mri-2023.ttl").get_data(as_text=True),
                          format="turtle")
    record = quality.assess(call_action("package_show", id="hat-nano-oxit-sat-phu-chitosan-mri-2023"))
    values = {}
    for measurement in graph.objects(None, DQV.hasQualityMeasurement):
        assert (measurement, RDF.type, DQV.QualityMeasurement) in graph
        metric = graph.value(measurement, DQV.isMeasurementOf)
        assert (metric, RDF.type, DQV.Metric) in graph
        values[str(metric).rsplit("quality-", 1)[-1]] = int(graph.value(measurement, DQV.value))
    assert values["score"] == record["score"]
    assert {name: values[name] for name in quality.DIMENSIONS} == record["dimensions"]


# ---------------------------------------------------------------- link check


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, body):
        path = self.path
        if path == "/robots.txt":
            code, text = 200, b"User-agent: *\nDisallow: /private\n"
        elif path.startswith("/good"):
            code, text = 200, b"a,b\n1,2\n"
        elif path == "/no-head":
            if self.command == "HEAD":
                code, text = 405, b""
            else:
                code, text = (206 if self.headers.get("Range") == "bytes=0-0" else 500), b"a"
        elif path == "/slow":
            time.sleep(3)
            code, text = 200, b"late"
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/good/target")
            self.end_headers()
            return
        else:
            code, text = 404, b"not found"
        self.send_response(code)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if body:
            self.wfile.write(text)

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


@pytest.fixture
def remote():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.ckan_config("ckanext.stinfo.linkcheck.timeout", "1")
@pytest.mark.ckan_config("ckanext.stinfo.linkcheck.delay", "0")
def test_check_url_against_a_local_server(remote):
    assert linkcheck.check_url(f"{remote}/good/a.csv")["status"] == "ok"
    assert linkcheck.check_url(f"{remote}/no-head") == {"status": "ok", "code": 206, "message": ""}
    assert linkcheck.check_url(f"{remote}/moved")["status"] == "ok"
    missing = linkcheck.check_url(f"{remote}/missing.csv")
    assert missing["status"] == "broken" and missing["code"] == 404
    assert linkcheck.check_url(f"{remote}/slow")["status"] == "timeout"
    assert linkcheck.check_url(f"{remote}/private/data.csv")["status"] == "robots"
    assert linkcheck.check_url(f"{remote}/good/a.csv", allowed=[])["status"] == "refused", \
        "loopback hosts are refused unless allowed"
    assert linkcheck.check_url("ftp://example.org/x")["status"] == "refused"


def test_requests_to_one_host_are_spaced():
    polite = linkcheck.Politeness(delay=0.3, timeout=1)
    start = time.monotonic()
    for _ in range(3):
        polite.wait("http://example.org/a")
    assert time.monotonic() - start >= 0.6


@pytest.mark.ckan_config("ckanext.stinfo.linkcheck.timeout", "1")
@pytest.mark.ckan_config("ckanext.stinfo.linkcheck.delay", "0")
def test_link_check_job_stores_results_and_rescores(clean_db, clean_index, remote):
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], license_id="cc-by", resources=[
        {"url": f"{remote}/good/a.csv", "format": "CSV", "name": "good"},
        {"url": f"{remote}/missing.csv", "format": "CSV", "name": "missing"},
    ])
    modified = call_action("package_show", id=dataset["id"])["metadata_modified"]
    before = _search(fq=f"id:{dataset['id']}", fl=["stinfo_quality_issues"])["results"][0]
    assert "link_unchecked" in before["stinfo_quality_issues"]

    job_ids = linkcheck.enqueue([dataset["id"]], queue="stinfo_linkcheck_test")
    from ckan.lib import jobs

    for job_id in job_ids:
        job = jobs.job_from_id(job_id)
        assert job.func_name == "ckanext.stinfo.linkcheck.check_packages"
        counts = job.perform()
        job.delete()
    assert counts == {"ok": 1, "broken": 1}

    shown = call_action("package_show", id=dataset["id"])
    statuses = {r["name"]: r.get("stinfo_link_status") for r in shown["resources"]}
    assert statuses == {"good": "ok", "missing": "broken"}
    assert all(r.get("stinfo_link_checked") for r in shown["resources"])
    assert shown["metadata_modified"] == modified, "a link check is not a new version of the record"
    after = _search(fq=f"id:{dataset['id']}", fl=["stinfo_quality_issues"])["results"][0]
    assert "link_broken" in after["stinfo_quality_issues"]
    assert "link_unchecked" not in after["stinfo_quality_issues"]


@pytest.mark.ckan_config("ckanext.stinfo.linkcheck.delay", "0")
def test_check_links_command(cli, clean_db, clean_index, remote):
    from ckanext.stinfo.cli import stinfo

    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], resources=[{"url": f"{remote}/good/x.csv", "format": "CSV"}])
    result = cli.invoke(stinfo, ["check-links", "--now", "--organization", org["name"]])
    assert result.exit_code == 0, result.output
    assert "1 ok" in result.output


def test_scheduler_runs_the_link_check_daily():
    script = (ROOT / "deploy" / "harvest-scheduler").read_text(encoding="utf-8")
    assert "stinfo check-links" in script and "86400" in script


# ---------------------------------------------------------------- harvest reports


@pytest.fixture
def harvested(harvest, standins):
    from ckanext.stinfo.harvesters.standins import registry

    registry.reset()
    config = json.loads((ROOT / "config" / "harvest" / "rd_organizations.json").read_text(encoding="utf-8"))
    config = {**config, "normalize": {**config["normalize"], "province": "province"}}
    url = f"{standins}/registry/ok/to-chuc.json"
    _results, report = harvest("stinfo_rd_organizations", url, config)
    yield report
    registry.reset()


def test_harvest_report_shows_errors_to_editors_and_counts_to_everyone(app, harvested):
    source = {"name": "nguon-0"}
    assert harvested["object_errors"]
    anonymous = app.get(f"/nguon-thu-thap/{source['name']}")
    html = anonymous.get_data(as_text=True)
    assert anonymous.status_code == 200
    assert "count-errored" in html and "stinfo-object-errors" not in html
    assert "TC-30-0007" not in html

    sysadmin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    html = app.get(f"/nguon-thu-thap/{source['name']}", headers=headers).get_data(as_text=True)
    assert "stinfo-object-errors" in html and "TC-30-0007" in html and "province" in html
    vietnamese = app.get(f"/nguon-thu-thap/{source['name']}").get_data(as_text=True)
    assert "Báo cáo thu thập" in vietnamese
    assert "Harvest report" in app.get(f"/en/nguon-thu-thap/{source['name']}").get_data(as_text=True)
    assert app.get("/nguon-thu-thap/khong-co").status_code == 404


# ---------------------------------------------------------------- guides


@pytest.mark.parametrize(("prefix", "heading"), [("", "Hướng dẫn"), ("/en", "guide")])
def test_guides_are_served_in_both_languages(app, prefix, heading):
    index = app.get(f"{prefix}/huong-dan")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    for guide in ("public", "publisher", "administrator", "quality"):
        assert f"/huong-dan/{guide}" in html
    page = app.get(f"{prefix}/huong-dan/administrator").get_data(as_text=True)
    assert heading in page and "deploy/backup" in page and "<h2" in page
    assert app.get(f"{prefix}/huong-dan/khong-co").status_code == 404


def test_footer_links_the_guides(app):
    assert "/huong-dan" in app.get("/").get_data(as_text=True)
