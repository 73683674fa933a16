"""Shared fixtures: the suite runs with CKAN's pytest plugin against the real stack."""
from pathlib import Path

import pytest
from ckan import plugins
from ckan.cli.db import _get_pending_plugins, _run_migrations

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _plugins(with_plugins):
    """Every test runs with the plugins of the test ini loaded."""


@pytest.fixture(scope="session")
def reset_db(reset_db):
    """CKAN's reset, followed by the plugins' migrations (harvest tables and others)."""

    def reset():
        reset_db()
        loaded_here = not plugins.plugin_loaded("stinfo")
        if loaded_here:  # non_clean_db resets before with_plugins has loaded anything
            plugins.load_all()
        for plugin in _get_pending_plugins():
            _run_migrations(plugin)
        if loaded_here:
            plugins.unload_all()

    return reset


@pytest.fixture
def demo_catalogue_path():
    """The demo catalogue shipped in config/."""
    return ROOT / "config" / "demo" / "catalogue.yaml"


@pytest.fixture(scope="session")
def standins():
    """Base URL of the stand-in source systems, served over real HTTP on loopback."""
    from ckanext.stinfo.harvesters.standins import server

    httpd = server.serve()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def harvest(clean_db, clean_index):
    """Run a harvest source through gather, fetch and import in-process; returns a runner.

    ``runner(source_type, url, config)`` creates the source on first use (owned by a new
    organisation) and runs one job; call it again to run the same source again.
    """
    import json

    from ckan.tests import factories
    from ckan.tests.helpers import call_action
    from ckanext.harvest.model import HarvestJob, HarvestSource
    from ckanext.harvest.tests.lib import run_harvest_job

    sources = {}

    def runner(source_type, url, config=None):
        from ckan.plugins import PluginImplementations
        from ckanext.harvest.interfaces import IHarvester

        harvester = next(h for h in PluginImplementations(IHarvester) if h.info()["name"] == source_type)
        key = (source_type, url)
        if key not in sources:
            org = factories.Organization()
            sources[key] = call_action(
                "harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                name=f"nguon-{len(sources)}", title="Nguồn thử", url=url, source_type=source_type,
                owner_org=org["id"], config=json.dumps(config or {}))
        source = sources[key]
        if config is not None:
            stored = HarvestSource.get(source["id"])
            stored.config = json.dumps(config)
            stored.save()
        job = call_action("harvest_job_create", context={"ignore_auth": True},
                          source_id=source["id"], run=False)
        results = run_harvest_job(HarvestJob.get(job["id"]), harvester)
        report = call_action("harvest_job_report", context={"ignore_auth": True}, id=job["id"])
        return results, report

    return runner
