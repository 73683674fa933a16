"""The demo's harvest sources of the IP Office, the standards commission, the enterprise registry,
the radiation agency and the other catalogues (config/harvest/sources.yaml) are created and run
over the demo catalogue, as `ckan stinfo harvest-sources --run` does, without an error."""
import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo import demo, harvest_sources

from tests.conftest import ROOT

SOURCE_TYPES = {
    "stinfo_ip_publications": "patent", "stinfo_ip_representatives": "ip_representative",
    "stinfo_standards": None, "stinfo_tbt": "tbt_notification", "stinfo_enterprises": "supported_enterprise",
    "stinfo_radiation": "radiation_monitoring", "stinfo_radiation_sources_stats": "statistics",
    "ckan": "dataset", "dcat_rdf": "dataset",
}


@pytest.fixture
def catalogue(clean_db, clean_index, demo_catalogue_path):
    demo.load(str(demo_catalogue_path))


def test_demo_sources_are_created_and_harvest_without_errors(catalogue, standins):
    sources = [s for s in harvest_sources.read(str(ROOT / "config" / "harvest" / "sources.yaml"), standins)
               if s["source_type"] in SOURCE_TYPES]
    assert {s["source_type"] for s in sources} == set(SOURCE_TYPES)
    messages: list[str] = []
    for source in sources:
        created, outcome = harvest_sources.upsert(source)
        assert outcome == "created"
        counts = harvest_sources.run(created, progress=messages.append)
        assert counts and set(counts) == {"added"}, (source["name"], counts, messages)
    assert [m for m in messages if not m.rstrip().endswith(": added")] == []
    for source_type, dataset_type in SOURCE_TYPES.items():
        if dataset_type:
            found = call_action("package_search", q=f"dataset_type:{dataset_type}", rows=0, include_private=True)
            assert found["count"] > 0, source_type
