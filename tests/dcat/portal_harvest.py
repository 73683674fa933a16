"""Run on the second site of the round-trip test: harvest a DCAT catalogue once, in-process.

    .venv/bin/python tests/dcat/portal_harvest.py <second-site ini> <catalogue URL>

Creates the publishing organisation and a ``dcat_rdf`` harvest source for the URL (once), runs
one harvest job through gather, fetch and import with ckanext-dcat's RDF harvester (the
profiles of the site's ini), and prints the job report and the per-object errors as JSON.
"""
from __future__ import annotations

import json
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app

ORGANIZATION = "cong-du-lieu-quoc-gia"
SOURCE = "stinfo-dcat"


def harvest(url: str) -> dict:
    from ckan.plugins import PluginImplementations, toolkit
    from ckanext.harvest.interfaces import IHarvester
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests.lib import run_harvest_job

    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})

    def context():
        return {"user": site_user["name"], "ignore_auth": True}

    try:
        org = toolkit.get_action("organization_show")(context(), {"id": ORGANIZATION})
    except toolkit.ObjectNotFound:
        org = toolkit.get_action("organization_create")(
            context(), {"name": ORGANIZATION, "title": "Cổng dữ liệu quốc gia", "tax_code": "0100104838"})
    try:
        source = toolkit.get_action("harvest_source_show")(context(), {"id": SOURCE})
    except toolkit.ObjectNotFound:
        source = toolkit.get_action("harvest_source_create")(context(), {
            "name": SOURCE, "title": "STInfo (DCAT-AP)", "url": url, "source_type": "dcat_rdf",
            "owner_org": org["id"], "config": json.dumps({"rdf_format": "text/turtle"})})
    harvester = next(h for h in PluginImplementations(IHarvester) if h.info()["name"] == "dcat_rdf")
    job = toolkit.get_action("harvest_job_create")(context(), {"source_id": source["id"], "run": False})
    results = run_harvest_job(HarvestJob.get(job["id"]), harvester)
    report = toolkit.get_action("harvest_job_report")(context(), {"id": job["id"]})
    return {
        "objects": len(results),
        "states": sorted({r["state"] for r in results.values()}),
        "errors": [str(e) for r in results.values() for e in r.get("errors") or []],
        "gather_errors": [e.get("message") for e in report.get("gather_errors", [])],
        "object_errors": {k: [e.get("message") for e in v.get("errors", [])]
                          for k, v in (report.get("object_errors") or {}).items()},
    }


def main(ini: str, url: str) -> None:
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        outcome = harvest(url)
    print(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:3])
