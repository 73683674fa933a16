"""The foundation: plugins load, and CKAN talks to the real PostgreSQL, Solr and Redis."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.plugins import plugin_loaded
from ckan.tests import factories, helpers
from ckanext.stinfo import demo


@pytest.mark.parametrize(
    "plugin",
    ["stinfo", "scheming_datasets", "scheming_organizations", "dcat", "structured_data",
     "harvest", "ckan_harvester", "dcat_rdf_harvester", "activity", "datastore"],
)
def test_plugin_is_loaded(plugin):
    assert plugin_loaded(plugin)


def test_status_show_reports_the_extensions():
    status = helpers.call_action("status_show")
    assert status["ckan_version"] == "2.12.0"
    for plugin in ("stinfo", "scheming_datasets", "dcat", "harvest"):
        assert plugin in status["extensions"]


def test_redis_answers():
    assert connect_to_redis().ping()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dataset_created_through_the_api_is_found_by_search():
    org = factories.Organization()
    helpers.call_action(
        "package_create",
        context={"user": factories.Sysadmin()["name"]},
        name="khao-sat-doi-moi-sang-tao",
        title="Khảo sát đổi mới sáng tạo trong doanh nghiệp",
        owner_org=org["id"],
    )
    result = helpers.call_action("package_search", q="sáng tạo")
    assert [d["name"] for d in result["results"]] == ["khao-sat-doi-moi-sang-tao"]


@pytest.mark.usefixtures("clean_db")
def test_harvest_tables_exist():
    tables = set(sa.inspect(model.Session.get_bind()).get_table_names())
    assert {"harvest_source", "harvest_job", "harvest_object", "harvest_gather_error",
            "harvest_object_error", "harvest_log"} <= tables


@pytest.mark.usefixtures("clean_db")
def test_ckan_finds_the_plugin_migrations_and_applies_them():
    """CKAN looks for a plugin's migrations beside its installed ``ckanext/<name>/`` files; where
    it does not find them it skips them silently and the audit table is never created."""
    from ckan.cli.db import current_revision

    assert current_revision("stinfo").endswith("(head)")
    assert "stinfo_audit" in sa.inspect(model.Session.get_bind()).get_table_names()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_loader_is_idempotent(demo_catalogue_path):
    first = demo.load(str(demo_catalogue_path))
    assert first["created"] > 0 and first["updated"] == 0
    total = first["created"]

    second = demo.load(str(demo_catalogue_path))
    assert second == {"created": 0, "updated": 0, "unchanged": total}

    found = helpers.call_action("package_search", rows=0)["count"]
    datasets = total - len(helpers.call_action("organization_list"))
    assert found == datasets
