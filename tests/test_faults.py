"""Faults: a write while Solr is down either succeeds completely or fails with nothing half-done."""
import pytest
from ckan import model
from ckan.lib.search import SearchIndexError
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_publishing_while_solr_is_down_fails_cleanly_then_succeeds(ckan_config, monkeypatch):
    org = factories.Organization()
    sysadmin = factories.Sysadmin()["name"]
    monkeypatch.setitem(ckan_config, "solr_url", "http://127.0.0.1:9/solr/ckan")

    with pytest.raises(SearchIndexError):
        call_action("package_create", context={"user": sysadmin}, name="trong-luc-solr-hong",
                    title="Công bố khi Solr ngừng", owner_org=org["id"])
    model.Session.rollback()
    assert model.Package.by_name("trong-luc-solr-hong") is None, "no dataset without its index entry"

    monkeypatch.undo()
    call_action("package_create", context={"user": sysadmin}, name="trong-luc-solr-hong",
                title="Công bố khi Solr ngừng", owner_org=org["id"])
    assert call_action("package_search", q="name:trong-luc-solr-hong")["count"] == 1
