"""Administrators see what they are entitled to, and the audit trail records who viewed or
changed a restricted field (``stinfo_audit``, append-only; ``stinfo_audit_list``)."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo import audit

NUMBER = "001085012345"
OTHER = "079188012944"


@pytest.fixture
def people(clean_db, clean_index):
    sysadmin = factories.Sysadmin()
    org_admin = factories.User()
    org = factories.Organization(users=[{"name": org_admin["name"], "capacity": "admin"}])
    record = call_action("package_create", context={"user": sysadmin["name"]}, type="researcher",
                         name="nguyen-van-an", title="Nguyễn Văn An", owner_org=org["id"],
                         fields_of_science=["1.3"], personal_id=NUMBER)
    return {"sysadmin": sysadmin["name"], "org_admin": org_admin["name"], "record": record}


def _trail(package_id, action=None):
    return [(e["user"], e["action"], e["field"]) for e in audit.entries(package_id, limit=1000)
            if action is None or e["action"] == action]


def test_an_organisation_admin_does_not_see_the_field_and_leaves_no_trace(people):
    record = people["record"]
    before = _trail(record["id"], "viewed")
    shown = call_action("package_show", context={"user": people["org_admin"], "ignore_auth": False},
                        id=record["id"], use_cache=False)
    assert "personal_id" not in shown
    assert _trail(record["id"], "viewed") == before


def test_a_sysadmin_sees_the_fingerprint_and_the_view_is_recorded(people, app):
    record, sysadmin = people["record"], people["sysadmin"]
    before = len(_trail(record["id"], "viewed"))
    shown = call_action("package_show", context={"user": sysadmin}, id=record["id"], use_cache=False)
    assert shown["personal_id"].startswith("hmac-sha256:")
    viewed = _trail(record["id"], "viewed")
    assert len(viewed) == before + 1 and viewed[0] == (sysadmin, "viewed", "personal_id")

    # Through the HTTP API too, with the user's API token; and nothing for anonymous reads.
    token = call_action("api_token_create", context={"user": sysadmin}, user=sysadmin, name="kiem-tra")["token"]
    app.get(f"/api/3/action/package_show?id={record['id']}", headers={"Authorization": token})
    assert len(_trail(record["id"], "viewed")) == before + 2
    app.get(f"/api/3/action/package_show?id={record['id']}")
    assert len(_trail(record["id"], "viewed")) == before + 2


def test_the_search_index_s_own_shows_leave_no_trace(people):
    """Indexing a record shows it to no one: no "viewed" entry for the site user (each rebuild of
    the index would add one per record with a restricted field) nor for the editor."""
    from ckan import logic
    from ckanext.stinfo import search_index

    record, sysadmin = people["record"], people["sysadmin"]
    before = _trail(record["id"], "viewed")
    assert search_index.rebuild_index(workers=1, package_ids=[record["id"]]) == 1
    search_index.reindex_stored(workers=1)
    logic.index_update_package({"model": model, "user": sysadmin}, record["id"])
    assert _trail(record["id"], "viewed") == before
    shown = call_action("package_search", context={"user": sysadmin}, q=f"id:{record['id']}")["results"][0]
    assert "personal_id" not in shown and NUMBER not in str(shown)
    call_action("package_show", context={"user": sysadmin}, id=record["id"], use_cache=False)
    assert _trail(record["id"], "viewed") == [(sysadmin, "viewed", "personal_id"), *before], "a person's view is"


def test_setting_and_changing_the_field_is_recorded_not_unrelated_edits(people):
    record, sysadmin = people["record"], people["sysadmin"]
    assert (sysadmin, "changed", "personal_id") in _trail(record["id"], "changed")
    assert len(_trail(record["id"], "changed")) == 1

    editable = call_action("package_show", context={"user": ""}, id=record["id"])
    call_action("package_update", context={"user": sysadmin}, **{**editable, "title": "Nguyễn Văn An (mới)"})
    assert len(_trail(record["id"], "changed")) == 1, "an edit that keeps the number changes nothing"

    call_action("package_update", context={"user": sysadmin}, **{**editable, "personal_id": OTHER})
    assert len(_trail(record["id"], "changed")) == 2

    untouched = factories.Dataset(owner_org=factories.Organization()["id"])
    assert _trail(untouched["id"]) == []


def test_a_refused_change_leaves_no_entry(people):
    record, sysadmin = people["record"], people["sysadmin"]
    editable = call_action("package_show", context={"user": ""}, id=record["id"])
    with pytest.raises(toolkit.ValidationError):
        call_action("package_update", context={"user": sysadmin}, **{**editable, "personal_id": "099123456789"})
    model.Session.rollback()
    assert len(_trail(record["id"], "changed")) == 1


def test_the_trail_is_append_only(people):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with model.meta.engine.begin() as connection:
            connection.execute(sa.text("UPDATE stinfo_audit SET user_name = 'ai-do'"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with model.meta.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM stinfo_audit"))


def test_audit_list_is_for_sysadmins_and_filters(people):
    record, sysadmin = people["record"], people["sysadmin"]
    entries = call_action("stinfo_audit_list", context={"user": sysadmin}, package_id=record["name"])
    assert entries and {e["package_id"] for e in entries} == {record["id"]}
    assert {"id", "timestamp", "user", "action", "package_id", "field"} <= set(entries[0])
    assert call_action("stinfo_audit_list", context={"user": sysadmin}, package_id=record["id"], limit=1)[0] == \
        entries[0]
    assert all(e["user"] == sysadmin for e in
               call_action("stinfo_audit_list", context={"user": sysadmin}, user=sysadmin))
    for user in (people["org_admin"], ""):
        with pytest.raises(toolkit.NotAuthorized):
            call_action("stinfo_audit_list", context={"user": user, "ignore_auth": False})
    with pytest.raises(toolkit.ValidationError):
        call_action("stinfo_audit_list", context={"user": sysadmin}, limit="nhieu")
