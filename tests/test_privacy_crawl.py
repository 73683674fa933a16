"""No personal identification number, fingerprint or restricted field name in anything an
anonymous visitor can get.

The demo catalogue, a researcher entered with a personal identification number and the
researchers harvested from the registry stand-in (most with a number) are loaded; then every
anonymous output is read: the HTML pages reachable from the home page by same-site links
(bounded), every record page, the action API (search, show, organisations, activity, harvest
sources, statistics), DCAT in every format for the catalogue and for each record, and the CSV
exports. Not one of them may carry a number, a fingerprint (or its hex digest), or the name of
a restricted field.
"""
from __future__ import annotations

import heapq
import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo import personal_data
from ckanext.stinfo.harvesters.standins import registry

from tests.conftest import ROOT

NUMBER = "001085012345"  # Hà Nội, male born 1985
MAX_PAGES = 300
RDF_FORMATS = ("ttl", "rdf", "jsonld", "xml")
STATIC = re.compile(r"\.(css|js|png|jpe?g|gif|svg|ico|woff2?|ttf|map)$|^/(webassets|base|fanstatic)/")
SKIP = re.compile(r"^/(user/(_)?logout|user/login|user/register|user/reset|api/i18n)")
HREF = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""", re.I)


@pytest.fixture
def world(clean_db, clean_index, harvest, standins):
    """Demo catalogue + a researcher with a number + harvested researchers with numbers."""
    from tests.dcat.conftest import load_demo_site

    registry.reset()
    load_demo_site()
    sysadmin = factories.Sysadmin()["name"]
    call_action("package_create", context={"user": sysadmin}, type="researcher", name="nguyen-van-an",
                title="Nguyễn Văn An", owner_org="dai-hoc-quoc-gia-ha-noi", fields_of_science=["1.3"],
                personal_id=NUMBER)
    config = json.loads((ROOT / "config" / "harvest" / "researchers.json").read_text(encoding="utf-8"))
    results, report = harvest("stinfo_researchers", f"{standins}/registry/ok/nhan-luc.json", config)
    assert results and not report["gather_errors"], report
    stored = [value for (extras,) in model.Session.query(model.Package.extras)
              for name, value in (extras or {}).items() if name in personal_data.restricted_fields()]
    assert len(stored) >= 3, "the crawl needs records that carry a number"
    numbers = {NUMBER}
    for row in registry.ORIGINAL["nhan-luc"]:
        raw = str(row.get("so_dinh_danh_ca_nhan") or "").strip()
        if raw:
            numbers.update({raw, raw.zfill(12)})
    forbidden = {*numbers, personal_data.PREFIX, *(value.split(":", 1)[1] for value in stored)}
    # A field name as a word: the guides may name the action stinfo_personal_id_match.
    names = re.compile("|".join(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"
                                for name in personal_data.restricted_fields()))
    yield {"forbidden": sorted(forbidden), "names": names}
    registry.reset()


class Crawl:
    def __init__(self, app, forbidden, names):
        self.app, self.forbidden, self.names = app, forbidden, names
        self.read: dict[str, int] = {}
        self.leaks: list[str] = []
        self.site = urlsplit(toolkit.config["ckan.site_url"]).netloc

    def get(self, url: str, **kwargs) -> str:
        response = self.app.get(url, **kwargs)
        text = response.get_data(as_text=True)
        self.read[url] = response.status_code
        self.check(url, text)
        return text

    def check(self, url: str, text: str) -> None:
        for forbidden in self.forbidden:
            if forbidden in text:
                self.leaks.append(f"{forbidden!r} in {url}")
        for found in self.names.finditer(text):
            self.leaks.append(f"field name {found.group()!r} in {url}: "
                              f"...{text[max(0, found.start() - 150):found.end() + 60]}...")

    def api(self, action: str, **params) -> dict:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        text = self.get(f"/api/3/action/{action}" + (f"?{query}" if query else ""))
        return json.loads(text).get("result") or {}

    def html(self, start: list[str], limit: int) -> None:
        """Breadth-first over same-site links; plain paths before paths with a query string."""
        queue = [(0, 0, url) for url in start]
        seen, counter, pages = set(start), 0, 0
        while queue and pages < limit:
            _, _, url = heapq.heappop(queue)
            response = self.app.get(url, follow_redirects=True)
            pages += 1
            text = response.get_data(as_text=True)
            self.read[url] = response.status_code
            self.check(url, text)
            if "html" not in response.headers.get("Content-Type", ""):
                continue
            for href in HREF.findall(text):
                target = urljoin(url, href.replace("&amp;", "&"))
                parts = urlsplit(target)
                if parts.netloc and parts.netloc != self.site:
                    continue
                path = parts.path or "/"
                if STATIC.search(path) or SKIP.search(path) or "/download/" in path:
                    continue
                local = path + (f"?{parts.query}" if parts.query else "")
                if local not in seen:
                    seen.add(local)
                    counter += 1
                    heapq.heappush(queue, (1 if parts.query else 0, counter, local))


def test_no_anonymous_output_carries_personal_data(app, world):
    crawl = Crawl(app, world["forbidden"], world["names"])

    crawl.html(["/"], MAX_PAGES)
    assert len(crawl.read) >= 50, "the crawl reached too few pages"

    found = crawl.api("package_search", q="*:*", rows=1000)
    records = found["results"]
    assert found["count"] == len(records) > 20
    assert sum(1 for record in records if record["type"] == "researcher") >= 4
    crawl.api("package_search", q="type:researcher", rows=1000, fl="*")
    crawl.api("package_search", q=NUMBER)
    crawl.api("package_list")
    crawl.api("current_package_list_with_resources", limit=1000)
    for record in records:
        crawl.api("package_show", id=record["id"])
        crawl.get(f"/dataset/{record['name']}")
        crawl.get(f"/{record['type']}/{record['name']}")
        for fmt in RDF_FORMATS:
            crawl.get(f"/dataset/{record['id']}.{fmt}")
        for activity in crawl.api("package_activity_list", id=record["id"], limit=100):
            crawl.api("activity_show", id=activity["id"], include_data="true")
            crawl.api("activity_data_show", id=activity["id"])
    for org in crawl.api("organization_list"):
        crawl.api("organization_show", id=org, include_datasets="true")
        crawl.api("organization_activity_list", id=org)
    crawl.api("organization_list", all_fields="true")
    crawl.api("recently_changed_packages_activity_list", limit=100)
    for source in crawl.api("harvest_source_list"):
        crawl.api("harvest_source_show", id=source["id"])
    crawl.api("stinfo_statistics")
    crawl.api("stinfo_statistics", lang="en")

    for fmt in (*RDF_FORMATS, "n3"):
        crawl.get(f"/catalog.{fmt}")
    crawl.get("/dcat.json")
    for dimension in ("record_type", "field_of_science", "province", "year", "organization"):
        crawl.get(f"/thong-ke/{dimension}.csv")
        crawl.get(f"/thong-ke/{dimension}.csv?lang=en")

    assert crawl.leaks == [], "\n".join(crawl.leaks)
    errors = {url: status for url, status in crawl.read.items() if status >= 500}
    assert errors == {}


def test_harvest_source_configurations_do_not_name_restricted_fields(app, world):
    for source in json.loads(app.get("/api/3/action/harvest_source_list").get_data(as_text=True))["result"]:
        shown = app.get(f"/api/3/action/harvest_source_show?id={source['id']}").get_data(as_text=True)
        assert not world["names"].search(shown)
    assert not world["names"].search(app.get("/api/3/action/recently_changed_packages_activity_list").get_data(
        as_text=True))
