"""Who may call what: every custom action and the harvest admin actions, for every role."""
import json

import pytest
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

ROLES = ["anonymous", "member", "editor", "other_admin", "sysadmin"]


@pytest.fixture
def world(clean_db, clean_index, standins):
    """One organisation with a member and an editor, an admin elsewhere, a sysadmin, a source."""
    users = {role: factories.User() for role in ("member", "editor", "other_admin")}
    users["sysadmin"] = factories.Sysadmin()
    org = factories.Organization(users=[{"name": users["member"]["name"], "capacity": "member"},
                                        {"name": users["editor"]["name"], "capacity": "editor"}])
    factories.Organization(users=[{"name": users["other_admin"]["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"])
    source = call_action("harvest_source_create", context={"user": users["sysadmin"]["name"]},
                         name="nguon-quyen", title="Nguồn", url=f"{standins}/st-platform/ok/tasks",
                         source_type="stinfo_st_tasks", owner_org=org["id"],
                         config=json.dumps({"mapping": {"title": "ten_nhiem_vu"}}))
    job = call_action("harvest_job_create", context={"ignore_auth": True}, source_id=source["id"], run=False)
    from ckanext.harvest.model import HarvestJob, HarvestObject

    obj = HarvestObject(guid="x", job=HarvestJob.get(job["id"]), content='{"raw": 1}')
    obj.save()
    return {"users": users, "org": org, "dataset": dataset, "source": source, "job": job, "object": obj.id}


# action -> roles allowed, data builder
MATRIX = {
    "stinfo_personal_id_match": ({"sysadmin"}, lambda w: {"personal_id": "001085012345"}),
    # the national summary is public; an organisation's report is for its members (see test_quality.py)
    "stinfo_quality_report": ({"member", "editor", "sysadmin"}, lambda w: {"organization": w["org"]["id"]}),
    "stinfo_audit_list": ({"sysadmin"}, lambda w: {}),
    "package_create": ({"editor", "sysadmin"}, lambda w: {"name": "moi", "owner_org": w["org"]["id"]}),
    "package_update": ({"editor", "sysadmin"}, lambda w: {"id": w["dataset"]["id"]}),
    "package_delete": ({"editor", "sysadmin"}, lambda w: {"id": w["dataset"]["id"]}),
    "harvest_source_create": ({"editor", "sysadmin"}, lambda w: {"owner_org": w["org"]["id"]}),
    "harvest_source_update": ({"editor", "sysadmin"}, lambda w: {"id": w["source"]["id"]}),
    "harvest_source_delete": ({"editor", "sysadmin"}, lambda w: {"id": w["source"]["id"]}),
    "harvest_source_clear": ({"editor", "sysadmin"}, lambda w: {"id": w["source"]["id"]}),
    "harvest_job_create": ({"editor", "sysadmin"}, lambda w: {"source_id": w["source"]["id"]}),
    "harvest_job_list": ({"editor", "sysadmin"}, lambda w: {"source_id": w["source"]["id"]}),
    "harvest_job_show": ({"editor", "sysadmin"}, lambda w: {"id": w["job"]["id"]}),
    "harvest_object_show": ({"editor", "sysadmin"}, lambda w: {"id": w["object"]}),
    "harvest_object_list": ({"sysadmin"}, lambda w: {}),
    "harvest_jobs_run": ({"sysadmin"}, lambda w: {}),
    "harvest_sources_clear": ({"sysadmin"}, lambda w: {}),
    "harvest_source_list": (set(ROLES), lambda w: {}),
    "harvest_source_show": (set(ROLES), lambda w: {"id": w["source"]["id"]}),
}


def _allowed(action, context, data):
    try:
        toolkit.check_access(action, context, data)
    except toolkit.NotAuthorized:
        return False
    return True


def test_authorization_matrix(world):
    """Every (role, action) pair: allowed exactly where the matrix says."""
    wrong = []
    for action, (allowed, data) in sorted(MATRIX.items()):
        for role in ROLES:
            user = "" if role == "anonymous" else world["users"][role]["name"]
            if _allowed(action, {"user": user, "ignore_auth": False}, data(world)) != (role in allowed):
                wrong.append(f"{role} {'may not' if role in allowed else 'may'} call {action}")
    assert wrong == []


@pytest.mark.parametrize(("data", "allowed"), [
    (lambda w: {}, set(ROLES)),
    (lambda w: {"harvest_source": w["source"]["id"]}, {"editor", "sysadmin"}),
])
def test_quality_report_national_and_per_source(world, data, allowed):
    """The national quality summary is public; a harvest source's report is for its editors."""
    for role in ROLES:
        user = "" if role == "anonymous" else world["users"][role]["name"]
        context = {"user": user, "ignore_auth": False}
        assert _allowed("stinfo_quality_report", context, data(world)) == (role in allowed), role
