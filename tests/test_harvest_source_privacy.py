"""A harvest source's configuration (field mappings naming restricted fields, perhaps credentials)
only for those who may update the source: its organisation's editors and admins, and sysadmins.

Every output that can carry it is read as an anonymous visitor, a user of another organisation, a
member of the source's organisation, the organisation's editor and a sysadmin: the action API
(show, search, harvest source list, activity stream), the harvest source pages and the search
index. Editing the source keeps its configuration.
"""
from __future__ import annotations

import html
import json
import re

import pytest
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestSource

from tests.conftest import ROOT

MARKER = "tok-7c1e9b2f"  # a credential the configuration carries
VIEWERS = ["anonymous", "outsider", "member", "editor", "sysadmin"]
MAY_UPDATE = {"editor", "sysadmin"}
REFUSED = {"activity_show", "activity_data_show", "user_activity_list"}
FIELD_NAME = re.compile(r"(?<![A-Za-z0-9_])personal_id(?![A-Za-z0-9_])")


@pytest.fixture
def world(clean_db, clean_index, standins):
    """A researchers' source created and then edited by its organisation's editor."""
    users = {role: factories.User() for role in ("outsider", "member", "editor")}
    users["sysadmin"] = factories.Sysadmin()
    org = factories.Organization(users=[{"name": users["member"]["name"], "capacity": "member"},
                                        {"name": users["editor"]["name"], "capacity": "editor"}])
    config = json.loads((ROOT / "config" / "harvest" / "researchers.json").read_text(encoding="utf-8"))
    config["api_token"] = MARKER
    editor = {"user": users["editor"]["name"], "ignore_auth": False}
    source = call_action("harvest_source_create", context=dict(editor), name="nguon-nhan-luc",
                         title="Nguồn nhân lực", url=f"{standins}/registry/ok/nhan-luc.json",
                         source_type="stinfo_researchers", owner_org=org["id"], config=json.dumps(config))
    call_action("package_patch", context=dict(editor), id=source["id"], notes="Nhân lực KH&CN")
    tokens = {role: factories.APIToken(user=user["name"])["token"] for role, user in users.items()}
    return {"users": users, "org": org, "source": source, "config": json.dumps(config), "tokens": tokens}


def _get(app, world, viewer, url):
    headers = {"Authorization": world["tokens"][viewer]} if viewer != "anonymous" else {}
    response = app.get(url, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def _activities(world):
    return call_action("package_activity_list", id=world["source"]["id"])


def _api_outputs(world):
    source, org, editor = world["source"], world["org"], world["users"]["editor"]
    activity = _activities(world)[0]["id"]
    return {
        "harvest_source_show": f"harvest_source_show?id={source['name']}",
        "package_show": f"package_show?id={source['id']}",
        "package_search": "package_search?fq=dataset_type:harvest",
        "harvest_source_list": "harvest_source_list",
        "package_activity_list": f"package_activity_list?id={source['id']}",
        "recently_changed_packages_activity_list": "recently_changed_packages_activity_list",
        "organization_activity_list": f"organization_activity_list?id={org['id']}",
        "user_activity_list": f"user_activity_list?id={editor['name']}",
        "activity_show": f"activity_show?id={activity}&include_data=true",
        "activity_data_show": f"activity_data_show?id={activity}",
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_outputs_give_the_configuration_only_to_those_who_may_update_the_source(app, world, viewer):
    # ckanext-harvest lists sources to sysadmins and to everyone not logged in, not to editors.
    listed = {"anonymous", "sysadmin"}
    for name, url in _api_outputs(world).items():
        status, text = _get(app, world, viewer, f"/api/3/action/{url}")
        if status != 200:  # activity details are for editors (ckan.auth.public_activity_stream_detail), users
            assert viewer not in MAY_UPDATE and name in REFUSED, (name, status)  # for those logged in
            continue
        if name == "harvest_source_list" and viewer not in listed:
            assert json.loads(text)["result"] == []
            continue
        assert world["source"]["id"] in text, name
        shown = viewer in MAY_UPDATE
        assert (MARKER in text) is shown, name
        assert bool(FIELD_NAME.search(text)) is shown, name
        assert ('"config"' in text) is shown, name


@pytest.mark.parametrize("viewer", VIEWERS)
def test_show_and_search_give_the_stored_configuration(app, world, viewer):
    for url in (f"harvest_source_show?id={world['source']['id']}", "package_search?fq=dataset_type:harvest"):
        result = json.loads(_get(app, world, viewer, f"/api/3/action/{url}")[1])["result"]
        shown = result["results"][0] if "results" in result else result
        if viewer in MAY_UPDATE:
            assert shown["config"] == world["config"] and shown["api_token"] == MARKER
        else:
            assert "config" not in shown and "api_token" not in shown and "mapping" not in shown
            assert shown["title"] == "Nguồn nhân lực" and shown["url"] == world["source"]["url"]


def test_the_search_index_keeps_no_configuration(app, world):
    stored = json.dumps(search.show(world["source"]["id"]), ensure_ascii=False)
    assert "Nguồn nhân lực" in stored and MARKER not in stored and not FIELD_NAME.search(stored)
    status, text = _get(app, world, "sysadmin", "/api/3/action/package_search?fq=dataset_type:harvest&fl=*")
    assert status == 200 and world["source"]["id"] in text and MARKER not in text
    for query in (MARKER, f"extras_config:*{MARKER}*", "extras_config:*", "api_token:*"):
        status, text = _get(app, world, "anonymous", f"/api/3/action/package_search?fq=dataset_type:harvest&q={query}")
        assert status == 200 and json.loads(text)["result"]["count"] == 0, query


@pytest.mark.parametrize("viewer", VIEWERS)
def test_harvest_source_pages(app, world, viewer):
    name = world["source"]["name"]
    for url in (f"/harvest/{name}", f"/harvest/about/{name}", f"/dataset/activity/{name}"):
        status, text = _get(app, world, viewer, url)
        assert status == 200, url
        if viewer not in MAY_UPDATE:
            assert MARKER not in text and not FIELD_NAME.search(text), url
    status, text = _get(app, world, viewer, f"/harvest/edit/{name}")
    assert (status == 200) is (viewer in MAY_UPDATE)
    if viewer in MAY_UPDATE:
        assert 'name="config"' in text and MARKER in text
    changes = _get(app, world, viewer, f"/dataset/changes/{_activities(world)[0]['id']}")
    assert (changes[0] == 200) is (viewer in MAY_UPDATE)
    assert viewer in MAY_UPDATE or MARKER not in changes[1]


def test_editing_the_source_as_editor_keeps_its_configuration(app, world):
    headers = {"Authorization": world["tokens"]["editor"], "Content-Type": "application/json"}
    shown = json.loads(_get(app, world, "editor", f"/api/3/action/harvest_source_show?id={world['source']['id']}")[1])
    updated = {**shown["result"], "title": "Nguồn nhân lực (sửa)"}
    response = app.post("/api/3/action/package_update", headers=headers, data=json.dumps(updated))
    assert response.status_code == 200, response.get_data(as_text=True)
    response = app.post("/api/3/action/package_patch", headers=headers,
                        data=json.dumps({"id": world["source"]["id"], "notes": "Đã sửa"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert HarvestSource.get(world["source"]["id"]).config == world["config"]
    shown = call_action("harvest_source_show", context={"user": world["users"]["editor"]["name"],
                                                        "ignore_auth": False}, id=world["source"]["id"])
    assert shown["config"] == world["config"] and shown["title"] == "Nguồn nhân lực (sửa)"
    assert shown["notes"] == "Đã sửa"


def test_the_edit_form_round_trips_the_configuration(app, world):
    headers = {"Authorization": world["tokens"]["editor"]}
    name = world["source"]["name"]
    page = app.get(f"/harvest/edit/{name}", headers=headers).get_data(as_text=True)
    config = html.unescape(re.search(r'<textarea[^>]*name="config"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert json.loads(config) == json.loads(world["config"])
    form = {"url": world["source"]["url"], "title": "Nguồn nhân lực (biểu mẫu)", "name": name, "notes": "",
            "source_type": "stinfo_researchers", "frequency": "MANUAL", "config": config,
            "owner_org": world["org"]["id"], "state": "active", "save": "Save"}
    response = app.post(f"/harvest/edit/{name}", headers=headers, data=form, follow_redirects=False)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = HarvestSource.get(world["source"]["id"])
    assert json.loads(stored.config) == json.loads(world["config"]) and stored.title == "Nguồn nhân lực (biểu mẫu)"
