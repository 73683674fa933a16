"""Round trip with a second CKAN site standing in for the national open data portal.

Our side: the test site with the demo catalogue (and distributions), served over real HTTP on a
free port by a WSGI server thread. The other side: a second CKAN site made by
``deploy/second-site`` (its own database, Solr site id, Redis db, ini and port; plugins ``stinfo
scheming_datasets scheming_organizations dcat structured_data harvest dcat_rdf_harvester``),
started as ``ckan run``. The second site harvests our ``/catalog.ttl`` over HTTP with
ckanext-dcat's RDF harvester (``tests/dcat/portal_harvest.py`` runs the job there) and must end
up with the same records, read back through its own API: titles and descriptions in both
languages, publishers, licences, themes and the other category fields, identifiers, relations,
provenance and distributions. A second harvest carries an edit and a deletion across.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from ckan.plugins import toolkit
from ckanext.stinfo.profiles.mapping import PROVENANCE, field_maps

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _child_env(ini: str) -> dict[str, str]:
    """The environment of the second site's processes: its own ini, none of our site's overrides."""
    ours = ("CKAN_SITE_URL", "CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL")
    return {**{k: v for k, v in os.environ.items() if k not in ours}, "CKAN_INI": ini}


OUR_PORT = _free_port()
OUR_URL = f"http://127.0.0.1:{OUR_PORT}"
pytestmark = pytest.mark.ckan_config("ckan.site_url", OUR_URL)


def _wait(url: str, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


@pytest.fixture
def our_site(app, demo_site):
    """Our test site, demo catalogue loaded, served over HTTP in a server thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", OUR_PORT, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _wait(f"{OUR_URL}/api/3/action/status_show")
    yield OUR_URL
    server.shutdown()
    thread.join(10)


class Portal:
    def __init__(self, ini: str, url: str):
        self.ini = ini
        self.url = url

    def harvest(self, catalogue_url: str) -> dict:
        done = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "dcat" / "portal_harvest.py"), self.ini, catalogue_url],
            capture_output=True, text=True, timeout=600, cwd=ROOT, env=_child_env(self.ini))
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def action(self, name: str, **params):
        response = requests.get(f"{self.url}/api/3/action/{name}", params=params, timeout=60)
        assert response.ok, response.text[:500]
        return response.json()["result"]

    def records(self) -> dict[str, dict]:
        found = self.action("package_search", q="*:*", rows=1000)["results"]
        return {record["name"]: self.action("package_show", id=record["id"]) for record in found}


@pytest.fixture
def portal():
    """The second site, made afresh by deploy/second-site and started with ``ckan run``."""
    if os.environ.get("CKAN_SQLALCHEMY_URL"):
        pytest.skip("the second site needs its own database in the local PostgreSQL cluster")
    database = toolkit.config["sqlalchemy.url"].rsplit("/", 1)[-1].split("?")[0] + "_portal"
    port = _free_port()
    made = subprocess.run([str(ROOT / "deploy" / "second-site"), database, str(port), "--fresh"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    ini = made.stdout.strip().splitlines()[-1]
    log_path = Path(ini).parent / "log" / f"{database}-web.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "ckan"), "-c", ini, "run", "--host", "127.0.0.1", "--port", str(port),
             "--disable-reloader"], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=_child_env(ini))
    try:
        _wait(f"http://127.0.0.1:{port}/api/3/action/status_show")
        yield Portal(ini, f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _ours() -> dict[str, dict]:
    found = toolkit.get_action("package_search")({"ignore_auth": True}, {"q": "*:*", "rows": 1000})["results"]
    return {r["name"]: toolkit.get_action("package_show")({"ignore_auth": True}, {"id": r["id"]}) for r in found}


def _extra(record: dict, key: str):
    return next((e["value"] for e in record.get("extras", []) if e["key"] == key), None)


def _schema(dataset_type):
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return scheming_get_dataset_schema(dataset_type)


def _assert_same(ours: dict, theirs: dict) -> None:
    name = ours["name"]
    assert theirs["type"] == ours["type"], name
    for key in ("title", "title_en", "notes", "notes_en", "license_id", "url", "version",
                "maintainer", "maintainer_email", *PROVENANCE):
        assert (theirs.get(key) or None) == (ours.get(key) or None), f"{name}.{key}"
    for fmap in field_maps(_schema(ours["type"])):
        assert (theirs.get(fmap.name) or None) == (ours.get(fmap.name) or None), f"{name}.{fmap.name}"
    organization = ours["organization"]
    publisher = toolkit.get_action("organization_show")({"ignore_auth": True}, {"id": organization["id"]})
    assert _extra(theirs, "publisher_name") == publisher["title"], name
    assert _extra(theirs, "publisher_identifier") == publisher["tax_code"], name
    assert _extra(theirs, "publisher_uri") == f"{OUR_URL}/organization/{organization['id']}", name
    assert _extra(theirs, "uri") == f"{OUR_URL}/dataset/{ours['id']}", name
    assert sorted(t["name"] for t in theirs.get("tags", [])) == sorted(t["name"] for t in ours.get("tags", []))
    our_resources = {r["url"]: r for r in ours["resources"]}
    their_resources = {r["url"]: r for r in theirs["resources"]}
    assert set(their_resources) == set(our_resources), name
    for url, resource in our_resources.items():
        for key in ("name", "name_en", "description", "format", "license"):
            assert (their_resources[url].get(key) or None) == (resource.get(key) or None), f"{name} {url} {key}"


@pytest.mark.usefixtures("our_site")
def test_the_national_portal_harvests_the_same_records(portal):
    outcome = portal.harvest(f"{OUR_URL}/catalog.ttl")
    assert outcome["gather_errors"] == [] and outcome["errors"] == [], outcome
    assert outcome["states"] == ["COMPLETE"] and outcome["objects"] == 15, outcome

    ours, theirs = _ours(), portal.records()
    assert set(theirs) == set(ours)
    for name, record in ours.items():
        _assert_same(record, theirs[name])

    # The portal's own DCAT feed keeps our record URIs and publishers.
    feed = requests.get(f"{portal.url}/catalog.ttl", timeout=60).text
    for record in ours.values():
        assert f"<{OUR_URL}/dataset/{record['id']}>" in feed
        assert f"<{OUR_URL}/organization/{record['organization']['id']}>" in feed

    # A second harvest carries an edit and a withdrawal across.
    from ckanext.stinfo import demo

    toolkit.get_action("package_patch")(demo.site_context(), {
        "id": "tcvn-12850-2019", "title_en": "Traceability - General requirements (revised title)"})
    toolkit.get_action("package_delete")(demo.site_context(), {"id": "qcvn-4-2009-bkhcn"})
    outcome = portal.harvest(f"{OUR_URL}/catalog.ttl")
    assert outcome["gather_errors"] == [] and outcome["errors"] == [], outcome
    theirs = portal.records()
    assert "qcvn-4-2009-bkhcn" not in theirs
    assert theirs["tcvn-12850-2019"]["title_en"] == "Traceability - General requirements (revised title)"
    assert len(theirs) == 14
