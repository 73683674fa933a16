"""Other catalogues: a provincial CKAN portal through ckanext-harvest's ``ckan_harvester`` and a
DCAT-AP catalogue through ckanext-dcat's ``dcat_rdf_harvester`` with the ``stinfo_catalogues``
plugin, against their stand-ins: mapping to the ``dataset`` type, incremental runs, withdrawals
and bad input."""
import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import dcat_catalogue, provincial_ckan

from tests.conftest import ROOT

CKAN_CONFIG = json.loads((ROOT / "config" / "harvest" / "provincial_ckan.json").read_text(encoding="utf-8"))
DCAT_CONFIG = json.loads((ROOT / "config" / "harvest" / "dcat_catalogue.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fresh_sources():
    provincial_ckan.reset()
    dcat_catalogue.reset()
    yield
    provincial_ckan.reset()
    dcat_catalogue.reset()


def _datasets():
    result = call_action("package_search", q="dataset_type:dataset", rows=100, include_private=True)
    return {d["title"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


# ---------------------------------------------------------------- provincial CKAN (ckan_harvester)
def _ckan_url(standins, scenario="ok"):
    return f"{standins}/provincial-ckan/{scenario}"


def test_provincial_ckan_datasets_arrive_as_plain_datasets(harvest, standins):
    results, report = harvest("ckan", _ckan_url(standins), CKAN_CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert len(datasets) == len(provincial_ckan.ORIGINAL)
    orgs = datasets["Danh sách tổ chức khoa học và công nghệ trên địa bàn thành phố Đà Nẵng"]
    assert orgs["type"] == "dataset" and orgs["license_id"] == "cc-by"
    assert orgs["notes"].startswith("Danh sách các tổ chức khoa học và công nghệ")
    assert orgs["maintainer"] == "Phòng Quản lý khoa học" and orgs["maintainer_email"] == "qlkh.skhcn@danang.gov.vn"
    assert orgs["version"] == "2025.1"
    assert {t["name"] for t in orgs["tags"]} == {"khoa học", "công nghệ", "tổ chức khoa học và công nghệ", "Đà Nẵng"}
    assert [r["format"] for r in orgs["resources"]] == ["CSV", "XLSX"]
    extras = {e["key"]: e["value"] for e in orgs["extras"]}
    assert extras["tan_suat_cap_nhat"] == "6 tháng"
    assert extras["source_dataset_url"] == f"{_ckan_url(standins)}/dataset/{orgs['id']}"
    source_org = call_action("harvest_source_show", id="nguon-0")["owner_org"]
    assert orgs["owner_org"] == source_org, "datasets are published by the harvest source's organisation"


def test_provincial_ckan_incremental_run_fetches_only_changed_datasets(harvest, standins):
    harvest("ckan", _ckan_url(standins), CKAN_CONFIG)
    results, report = harvest("ckan", _ckan_url(standins), CKAN_CONFIG)
    assert results == {} and not report["gather_errors"], "nothing changed at the portal since the last run"

    record = provincial_ckan.DATASETS[2]
    record.update(title=record["title"] + " (cập nhật 2025)", metadata_modified="2099-01-01T00:00:00.000000")
    results, _ = harvest("ckan", _ckan_url(standins), CKAN_CONFIG)
    assert list(results) == [record["id"]] and results[record["id"]]["report_status"] == "updated"
    assert record["title"] in _datasets()


def test_provincial_ckan_bad_input(harvest, standins):
    results, report = harvest("ckan", _ckan_url(standins, "bad-format"), CKAN_CONFIG)
    errors = _object_errors(report)[provincial_ckan.ORIGINAL[0]["id"]]
    assert any("XLS" in m or "format" in m for m in errors), errors
    assert len(_datasets()) == len(provincial_ckan.ORIGINAL) - 1

    provincial_ckan.OVERRIDE = "not-json"
    _, report = harvest("ckan", _ckan_url(standins, "bad-format"), {**CKAN_CONFIG, "force_all": True})
    assert any("not JSON" in m for m in _gather_errors(report)), report
    provincial_ckan.OVERRIDE = "error-500"
    _, report = harvest("ckan", _ckan_url(standins, "bad-format"), {**CKAN_CONFIG, "force_all": True})
    assert _gather_errors(report)
    assert len(_datasets()) == len(provincial_ckan.ORIGINAL) - 1, "nothing withdrawn"


def test_provincial_ckan_harvester_does_not_withdraw_datasets_deleted_at_the_portal(harvest, standins):
    """Documents ckanext-harvest's ckan_harvester (1.6): it never withdraws; see harvesters/README.md."""
    harvest("ckan", _ckan_url(standins), CKAN_CONFIG)
    provincial_ckan.DELETED.add(provincial_ckan.ORIGINAL[4]["id"])
    harvest("ckan", _ckan_url(standins), {**CKAN_CONFIG, "force_all": True})
    assert provincial_ckan.ORIGINAL[4]["title"] in _datasets()


# ---------------------------------------------------------------- DCAT catalogue (dcat_rdf_harvester)
def _dcat_url(standins, scenario="ok", name="catalog.ttl"):
    return f"{standins}/dcat-catalogue/{scenario}/{name}"


def test_dcat_datasets_get_stinfo_fields_names_and_provenance(harvest, standins):
    results, report = harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert len(datasets) == len(dcat_catalogue.ORIGINAL)
    sea = datasets["Số liệu quan trắc mực nước biển trạm Hòn Dấu 1960–2023"]
    assert sea["title_en"] == "Sea level observations at Hon Dau station, 1960–2023"
    assert sea["notes"].startswith("Mực nước biển trung bình tháng")
    assert sea["notes_en"].startswith("Monthly and annual")
    assert sea["theme"] == ["ENVI"] and sea["frequency"] == "ANNUAL" and sea["language"] == ["vi", "en"]
    assert sea["license_id"] == "cc-by"
    assert sea["temporal_start"] == "1960-01-01" and sea["temporal_end"] == "2023-12-31"
    assert sea["maintainer"] == "Viện Địa chất và Địa vật lý biển" and sea["maintainer_email"] == "dulieu@imgg.vast.vn"
    assert sea["url"] == "https://data.vast.vn/dataset/muc-nuoc-bien-hon-dau"
    assert [r["format"] for r in sea["resources"]] == ["CSV"]
    assert sea["name"].startswith("so-lieu-quan-trac-muc-nuoc-bien-tram-hon-dau-1960-2023-")
    assert sea["source_system"] == DCAT_CONFIG["source_system"]
    assert sea["source_url"] == "https://data.vast.vn/dataset/muc-nuoc-bien-hon-dau"
    assert sea["source_record_id"] == "https://data.vast.vn/dataset/muc-nuoc-bien-hon-dau"
    assert len(sea["content_hash"]) == 64 and sea["harvested_at"]
    speech = datasets["Kho ngữ liệu tiếng nói tiếng Việt ba miền"]
    assert speech["license_id"] == "cc-by-sa" and speech["theme"] == ["EDUC", "TECH"]
    english_only = datasets["Mekong Delta land subsidence from InSAR, 2015–2023"]
    [raster] = english_only["resources"]
    assert raster["url"].endswith(".tif") and not raster.get("format"), "a file type outside the list: no format"


def test_dcat_rerun_skips_unchanged_updates_changed_and_withdraws_removed(harvest, standins):
    harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    results, _ = harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    assert {r["report_status"] for r in results.values()} == {"not modified"}

    dcat_catalogue.DATASETS[1]["title"]["vi"] = "Cơ sở dữ liệu đa dạng sinh học biển Việt Nam (bản 2025)"
    removed = dcat_catalogue.DATASETS.pop(3)
    results, _ = harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    statuses = {guid.rsplit("/", 1)[-1]: r["report_status"] for guid, r in results.items()}
    assert statuses["da-dang-sinh-hoc-bien"] == "updated" and statuses[removed["id"]] == "deleted"
    assert statuses["muc-nuoc-bien-hon-dau"] == "not modified"
    datasets = _datasets()
    assert "Cơ sở dữ liệu đa dạng sinh học biển Việt Nam (bản 2025)" in datasets
    assert removed["title"]["vi"] not in datasets and len(datasets) == len(dcat_catalogue.ORIGINAL) - 1


@pytest.mark.parametrize("scenario, message", [
    ("empty", "lists no dataset"), ("bad-turtle", "Error parsing the RDF file"), ("error-500", "500"),
])
def test_dcat_catalogue_empty_broken_or_down_withdraws_nothing(harvest, standins, scenario, message):
    harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    dcat_catalogue.OVERRIDE = scenario
    results, report = harvest("dcat_rdf", _dcat_url(standins), DCAT_CONFIG)
    assert results == {}
    assert any(message in m for m in _gather_errors(report)), report
    assert len(_datasets()) == len(dcat_catalogue.ORIGINAL)


def test_dcat_catalogue_as_rdf_xml(harvest, standins):
    results, report = harvest("dcat_rdf", _dcat_url(standins, name="catalog.rdf"), {**DCAT_CONFIG, "rdf_format": "xml"})
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    assert "Danh mục động đất Việt Nam và khu vực lân cận 1900–2024" in _datasets()
