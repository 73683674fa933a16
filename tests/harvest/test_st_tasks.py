"""S&T task harvester against the stand-in platform: mapping, incremental runs, deletions and
bad input, each run through the real gather / fetch / import stages."""
import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import st_platform

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "st_tasks.json").read_text(encoding="utf-8"))
TOTAL = len(st_platform.ORIGINAL)


@pytest.fixture(autouse=True)
def _fresh_platform():
    st_platform.reset()
    yield
    st_platform.reset()


def _url(standins, scenario="ok"):
    return f"{standins}/st-platform/{scenario}/tasks"


def _datasets():
    result = call_action("package_search", q="dataset_type:st_task", rows=100, include_private=True)
    return {d["source_record_id"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def test_first_run_creates_every_task_with_mapping_and_provenance(harvest, standins):
    results, report = harvest("stinfo_st_tasks", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert len(datasets) == TOTAL
    task = datasets["NV-2024-000117"]
    assert task["title"].startswith("Nghiên cứu chế tạo vật liệu nano")
    assert task["task_level"] == "national"
    assert task["task_status"] == "in_progress"
    assert task["field_of_science"] == "2.10"
    assert task["period_start"] == "2024-01-01"
    assert task["lead_organization"] == "0100110207"
    assert task["principal_investigator_name"] == "PGS.TS. Nguyễn Thị Minh Hằng"
    assert task["principal_investigator"] == "0000-0002-1825-0097"
    assert task["source_system"] == "Nền tảng số quản lý KHCN&ĐMST quốc gia"
    assert task["source_url"] == f"{_url(standins)}/NV-2024-000117"
    assert len(task["content_hash"]) == 64 and task["harvested_at"]
    assert task["name"].startswith("nghien-cuu-che-tao-vat-lieu-nano")


def test_second_run_is_incremental_and_skips_unchanged(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    before = {k: d["metadata_modified"] for k, d in _datasets().items()}

    st_platform.RECORDS[0]["ten_nhiem_vu"] += " (điều chỉnh)"
    st_platform.RECORDS[0]["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_st_tasks", _url(standins), CONFIG)

    assert {r["report_status"] for r in results.values()} == {"updated"}
    assert len(results) == 1, "only the record changed since the last run is fetched"
    after = _datasets()
    assert after["NV-2024-000117"]["title"].endswith("(điều chỉnh)")
    unchanged = [k for k in before if k != "NV-2024-000117"]
    assert all(after[k]["metadata_modified"] == before[k] for k in unchanged)


def test_full_run_reports_unchanged_records(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    results, _ = harvest("stinfo_st_tasks", _url(standins), {**CONFIG, "full_harvest": True})
    assert len(results) == TOTAL
    assert {r["report_status"] for r in results.values()} == {"not modified"}


def test_record_reported_deleted_is_withdrawn(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    st_platform.DELETED.add("NV-2023-000342")
    st_platform.RECORDS[1]["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_st_tasks", _url(standins), CONFIG)
    assert results["NV-2023-000342"]["report_status"] == "deleted"
    assert "NV-2023-000342" not in _datasets()
    assert len(_datasets()) == TOTAL - 1


def test_records_missing_from_a_complete_full_listing_are_withdrawn(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    del st_platform.RECORDS[-1]
    harvest("stinfo_st_tasks", _url(standins), {**CONFIG, "full_harvest": True})
    assert len(_datasets()) == TOTAL - 1


@pytest.mark.parametrize("scenario", ["error-page-2", "bad-json-page-2"])
def test_failure_mid_paging_imports_what_arrived_and_withdraws_nothing(harvest, standins, scenario):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    published = _datasets()

    full = {**CONFIG, "full_harvest": True}
    harvest("stinfo_st_tasks", _url(standins, scenario), full)  # same source, broken from page 2
    _, report = harvest("stinfo_st_tasks", _url(standins, scenario), full)
    assert any("no record is withdrawn" in m for m in _gather_errors(report)), report
    after = _datasets()
    assert set(after) == set(published)
    assert all(after[k]["title"] == published[k]["title"] for k in published)


def test_empty_listing_withdraws_nothing(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins, "empty"), CONFIG)
    assert _datasets() == {}
    st_platform.reset()


def test_wrong_encoding_is_a_clear_per_record_error(harvest, standins):
    results, report = harvest("stinfo_st_tasks", _url(standins, "latin1"), CONFIG)
    errors = _object_errors(report)
    assert any("not valid UTF-8" in m for m in errors["NV-2024-000117"])
    assert len(_datasets()) == TOTAL - 1


def test_oversized_record_is_refused_and_the_rest_goes_on(harvest, standins):
    results, report = harvest("stinfo_st_tasks", _url(standins, "oversized"), CONFIG)
    assert any("exceeds the limit" in m or "over the limit" in m
               for m in _object_errors(report)["NV-2024-000117"])
    assert len(_datasets()) == TOTAL - 1


def test_duplicate_ids_are_reported_once_imported(harvest, standins):
    results, report = harvest("stinfo_st_tasks", _url(standins, "duplicate"), CONFIG)
    assert any("twice" in m for m in _gather_errors(report))
    assert len(_datasets()) == TOTAL


def test_state_secret_records_never_enter(harvest, standins):
    results, report = harvest("stinfo_st_tasks", _url(standins, "secret"), CONFIG)
    assert any("NV-MAT-0001" in m and "state secret" in m for m in _gather_errors(report))
    assert "NV-MAT-0001" not in _datasets()
    assert "NV-MAT-0001" not in results, "not even its content is stored"
    assert len(_datasets()) == TOTAL


def test_invalid_record_keeps_the_published_version(harvest, standins):
    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    good = _datasets()["NV-2024-000501"]

    st_platform.RECORDS[2]["linh_vuc"] = "9.9"
    st_platform.RECORDS[2]["ten_nhiem_vu"] = "Tên mới không được lưu"
    st_platform.RECORDS[2]["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, report = harvest("stinfo_st_tasks", _url(standins), CONFIG)

    assert results["NV-2024-000501"]["report_status"] == "errored"
    assert any("field_of_science" in m for m in _object_errors(report)["NV-2024-000501"])
    kept = _datasets()["NV-2024-000501"]
    assert kept["title"] == good["title"] and kept["content_hash"] == good["content_hash"]

    st_platform.RECORDS[2]["linh_vuc"] = "4.1"
    results, _ = harvest("stinfo_st_tasks", _url(standins), {**CONFIG, "full_harvest": True})
    assert results["NV-2024-000501"]["report_status"] == "updated"


def test_unknown_value_in_a_value_table_names_the_field(harvest, standins):
    st_platform.RECORDS[0]["cap_quan_ly"] = "Cấp xã"
    _, report = harvest("stinfo_st_tasks", _url(standins), CONFIG)
    assert any("task_level" in m and "Cấp xã" in m for m in _object_errors(report)["NV-2024-000117"])


def test_invalid_configuration_is_refused(standins):
    from ckan.plugins import toolkit
    from ckan.tests import factories

    with pytest.raises(toolkit.ValidationError, match="mapping"):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="hong", title="Hỏng", url=_url(standins), source_type="stinfo_st_tasks",
                    owner_org=factories.Organization()["id"], config=json.dumps({"page_size": 5}))


def test_an_edit_through_the_form_or_api_keeps_the_provenance(harvest, standins):
    from ckan.tests import factories

    harvest("stinfo_st_tasks", _url(standins), CONFIG)
    task = _datasets()["NV-2025-000012"]
    edited = {k: v for k, v in task.items() if k not in
              ("source_system", "source_url", "source_record_id", "harvested_at", "content_hash")}
    call_action("package_update", context={"user": factories.Sysadmin()["name"]},
                **{**edited, "notes": "Mô tả được biên tập lại"})
    after = _datasets()["NV-2025-000012"]
    assert after["notes"] == "Mô tả được biên tập lại"
    for field in ("source_system", "source_url", "source_record_id", "content_hash"):
        assert after[field] == task[field]
