"""Harvest sources defined as data (YAML), created idempotently and run with progress."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from ckan import model
from ckan.plugins import PluginImplementations, toolkit
from ckanext.harvest import queue
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.logic import HarvestJobExists
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.stinfo.demo import site_context


def read(path: str, standins: str) -> list[dict[str, Any]]:
    """The source definitions in ``path``, with configs loaded and URLs filled in."""
    folder = Path(path).parent
    with open(path, encoding="utf-8") as stream:
        sources = yaml.safe_load(stream)["sources"]
    for source in sources:
        source["url"] = source["url"].format(standins=standins.rstrip("/"))
        if isinstance(source.get("config"), str):
            source["config"] = (folder / source["config"]).read_text(encoding="utf-8")
    return sources


def upsert(source: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Create the harvest source or update it when it differs; return it and what happened."""
    context = site_context()
    source = {**source, "owner_org": model.Group.get(source["owner_org"]).id}
    try:
        current = toolkit.get_action("harvest_source_show")(context, {"id": source["name"]})
    except toolkit.ObjectNotFound:
        return toolkit.get_action("harvest_source_create")(context, source), "created"
    if all(current.get(key) == value for key, value in source.items()):
        return current, "unchanged"
    toolkit.get_action("harvest_source_update")(context, {**source, "id": current["id"]})
    return toolkit.get_action("harvest_source_show")(context, {"id": current["id"]}), "updated"


def _harvester(source_type: str):
    return next(h for h in PluginImplementations(IHarvester) if h.info()["name"] == source_type)


def run(source: dict[str, Any], progress: Callable[[str], None]) -> dict[str, int]:
    """Run one job of ``source`` now, in this process; return counts per outcome."""
    context = site_context()
    job = HarvestJob.filter(source_id=source["id"], status="New").first()
    if job is None:  # a scheduled job not yet sent to the queue is run here instead
        try:
            job_dict = toolkit.get_action("harvest_job_create")(context, {"source_id": source["id"], "run": False})
        except HarvestJobExists:
            progress("  a harvest of this source is already running; the harvest workers finish it")
            return {}
        job = HarvestJob.get(job_dict["id"])
    job.status = "Running"
    job.save()
    harvester = _harvester(source["source_type"])
    ids = queue.gather_stage(harvester, job) or []
    counts: dict[str, int] = {}
    for number, object_id in enumerate(ids, 1):
        obj = HarvestObject.get(object_id)
        queue.fetch_and_import_stages(harvester, obj)
        status = obj.report_status or "errored"
        counts[status] = counts.get(status, 0) + 1
        progress(f"  [{number}/{len(ids)}] {obj.guid}: {status}")
    toolkit.get_action("harvest_jobs_run")(context, {"source_id": source["id"]})
    report = toolkit.get_action("harvest_job_report")(context, {"id": job.id})
    for error in report["gather_errors"]:
        progress(f"  gather error: {error['message']}")
    for obj in report["object_errors"].values():
        for error in obj["errors"]:
            progress(f"  {obj['guid']}: {error['message']}")
    return counts
