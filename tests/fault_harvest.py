"""Run by tests/test_fault_services.py in its own process, on a throwaway PostgreSQL cluster:
a harvest whose database is restarted between the gather and the imports, and again half-way
through the imports. Prints a JSON summary on its last line.

    python tests/fault_harvest.py <ini> <stand-ins base URL> <restart command...>
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def main(ini: str, standins: str, restart: list[str]) -> dict:
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    config = CKANConfigLoader(ini).get_config()
    app = make_app(config)
    with app._wsgi_app.test_request_context():
        return run(standins, restart)


def run(standins: str, restart: list[str]) -> dict:
    from ckan import model
    from ckan.plugins import PluginImplementations, toolkit
    from ckan.tests.helpers import call_action
    from ckanext.harvest import queue
    from ckanext.harvest.interfaces import IHarvester
    from ckanext.harvest.model import HarvestJob, HarvestObject

    root = Path(__file__).resolve().parent.parent
    site = {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    org = call_action("organization_create", context=site, name="to-chuc-su-co", title="Tổ chức")
    config = json.loads((root / "config" / "harvest" / "st_tasks.json").read_text(encoding="utf-8"))
    source = call_action("harvest_source_create", context=site, name="nguon-su-co", title="Nguồn",
                         url=f"{standins}/st-platform/ok/tasks", source_type="stinfo_st_tasks",
                         owner_org=org["id"], config=json.dumps({**config, "full_harvest": True}))
    harvester = next(h for h in PluginImplementations(IHarvester) if h.info()["name"] == "stinfo_st_tasks")
    job_id = call_action("harvest_job_create", context={"ignore_auth": True}, source_id=source["id"], run=False)["id"]
    job = HarvestJob.get(job_id)
    job.status = "Running"
    job.save()
    ids = queue.gather_stage(harvester, job)
    model.Session.remove()

    subprocess.run(restart, check=True, capture_output=True)  # between gather and fetch
    restarts = 1
    for number, obj_id in enumerate(ids):
        if number == len(ids) // 2:
            model.Session.remove()
            subprocess.run(restart, check=True, capture_output=True)  # half-way through the imports
            restarts += 1
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    call_action("harvest_jobs_run", context={"ignore_auth": True}, source_id=source["id"])
    report = call_action("harvest_job_report", context={"ignore_auth": True}, id=job_id)
    found = call_action("package_search", q="dataset_type:st_task", rows=1000, include_private=True)
    stored = model.Session.query(model.Package).filter_by(type="st_task", state="active").count()
    return {"gathered": len(ids), "restarts": restarts, "indexed": found["count"], "stored": stored,
            "job_status": HarvestJob.get(job_id).status,
            "errors": [e["message"] for e in report["gather_errors"]]
            + [e["message"] for obj in report["object_errors"].values() for e in obj["errors"]]}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3:])))
