"""TCVN / QCVN and TBT harvesters against the stand-in standards databases: mapping (replacements
as relations), incremental runs, deletions and bad input, through gather / fetch / import."""
import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import standards

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "standards.json").read_text(encoding="utf-8"))
TBT = json.loads((ROOT / "config" / "harvest" / "tbt.json").read_text(encoding="utf-8"))
TOTAL = len(standards.ORIGINAL_STANDARDS)


@pytest.fixture(autouse=True)
def _fresh_source():
    standards.reset()
    yield
    standards.reset()


def _url(standins, scenario="ok", what="tieu-chuan"):
    return f"{standins}/standards/{scenario}/{what}"


def _tbt_url(standins, scenario="ok"):
    return _url(standins, scenario, "tbt/notifications")


def _datasets(q="dataset_type:standard_tcvn OR dataset_type:regulation_qcvn"):
    result = call_action("package_search", q=q, rows=100, include_private=True)
    return {d.get("source_record_id"): d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _record(record_id):
    return next(r for r in standards.STANDARDS if r["id"] == record_id)


def test_tcvn_and_qcvn_records_with_replacements_as_relations(harvest, standins):
    results, report = harvest("stinfo_standards", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert len(datasets) == TOTAL
    iso = datasets["TC-2015-0912"]
    assert iso["type"] == "standard_tcvn" and iso["name"] == "tcvn-iso-9001-2015"
    assert iso["standard_number"] == "TCVN ISO 9001:2015" and iso["year"] == "2015"
    assert iso["title"] == "Hệ thống quản lý chất lượng – Các yêu cầu"
    assert iso["title_en"] == "Quality management systems – Requirements"
    assert iso["issuing_body"] == "Bộ Khoa học và Công nghệ" and iso["decision_number"] == "3824/QĐ-BKHCN"
    assert iso["technical_committee"] == "TCVN/TC 176" and iso["ics_codes"] == ["03.120.10"]
    assert iso["equivalence"] == "IDT" and iso["equivalent_to"] == "ISO 9001:2015"
    assert iso["standard_status"] == "in_force"
    assert iso["replaces"] == "TCVN ISO 9001:2008" and iso["related_standards"] == ["tcvn-iso-9001-2008"]
    old = datasets["TC-2008-0433"]
    assert old["standard_status"] == "replaced" and old["replaced_by"] == "TCVN ISO 9001:2015"
    assert "tcvn-iso-9001-2015" in old["related_standards"]
    assert datasets["TC-2017-0544"]["ics_codes"] == ["65.020.20", "67.040"]

    fire = datasets["QC-2022-0006"]
    assert fire["type"] == "regulation_qcvn" and fire["name"] == "qcvn-06-2022-bxd"
    assert fire["regulation_number"] == "QCVN 06:2022/BXD" and fire["issuing_ministry"] == "Bộ Xây dựng"
    assert fire["issuing_document"] == "06/2022/TT-BXD" and fire["effective_date"] == "2023-01-16"
    assert fire["replaces"] == "QCVN 06:2021/BXD"
    # a TCVN replaced by a QCVN: a relation across the two kinds, not a 'replaced_by' number
    assert datasets["TC-2005-0210"]["related_standards"] == ["qcvn-40-2011-btnmt"]
    assert "replaced_by" not in datasets["TC-2005-0210"]
    assert datasets["QC-2011-0040"]["related_standards"] == ["tcvn-5945-2005"]
    # every relation names a record that exists
    names = {d["name"] for d in datasets.values()}
    assert set(iso["related_standards"]) <= names | {"tcvn-iso-9001-2000"}
    assert fire["source_url"] == f"{_url(standins)}/QC-2022-0006"
    assert fire["management_field"] == "standards_metrology_quality"


def test_standards_incremental_update_and_deletion(harvest, standins):
    harvest("stinfo_standards", _url(standins), CONFIG)
    before = {k: d["metadata_modified"] for k, d in _datasets().items()}
    record = _record("TC-2010-1177")
    record.update(hieu_luc="Hết hiệu lực", ngay_cap_nhat="2099-01-01T00:00:00Z")
    standards.DELETED.add("TC-2019-0318")
    _record("TC-2019-0318")["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_standards", _url(standins), CONFIG)
    assert set(results) == {"TC-2010-1177", "TC-2019-0318"}
    assert results["TC-2010-1177"]["report_status"] == "updated"
    assert results["TC-2019-0318"]["report_status"] == "deleted"
    after = _datasets()
    assert after["TC-2010-1177"]["standard_status"] == "withdrawn" and "TC-2019-0318" not in after
    assert all(after[k]["metadata_modified"] == before[k] for k in after if k != "TC-2010-1177")


def test_standards_listing_broken_at_page_2_withdraws_nothing(harvest, standins):
    harvest("stinfo_standards", _url(standins), CONFIG)
    standards.OVERRIDE = "error-page-2"
    _, report = harvest("stinfo_standards", _url(standins), {**CONFIG, "full_harvest": True})
    assert any("HTTP 500" in m and "no record is withdrawn" in m for m in _gather_errors(report)), report
    assert len(_datasets()) == TOTAL


def test_bad_standard_records_are_per_record_errors(harvest, standins):
    _record("TC-2010-1177")["hieu_luc"] = "Tạm ngưng"
    _record("TC-2017-0544")["so_hieu"] = "TCVN 11041-2"
    _record("QC-2011-0121")["loai"] = "TCCS"
    results, report = harvest("stinfo_standards", _url(standins, "secret"), CONFIG)
    errors = _object_errors(report)
    assert any("standard_status" in m and "Tạm ngưng" in m for m in errors["TC-2010-1177"])
    assert any("standard_number" in m for m in errors["TC-2017-0544"])
    assert any("TCCS" in m for m in errors["QC-2011-0121"])
    assert any("TC-QS-0001" in m and "state secret" in m for m in _gather_errors(report))
    assert "TC-QS-0001" not in results
    assert len(_datasets()) == TOTAL - 3


# ---------------------------------------------------------------- TBT
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tbt_notifications_from_json_or_xml(harvest, standins, fmt):
    config = {**TBT, "params": {"format": fmt}} if fmt == "xml" else TBT
    results, report = harvest("stinfo_tbt", _tbt_url(standins), config)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    notices = _datasets("dataset_type:tbt_notification")
    assert len(notices) == len(standards.ORIGINAL_NOTIFICATIONS)
    vnm = notices["G/TBT/N/VNM/312"]
    assert vnm["title"].startswith("Dự thảo Quy chuẩn kỹ thuật quốc gia về an toàn vệ sinh")
    assert vnm["title_en"].startswith("Draft National Technical Regulation")
    assert vnm["notification_symbol"] == "G/TBT/N/VNM/312" and vnm["notifying_member"] == "Việt Nam"
    assert vnm["notes"].startswith("Dự thảo quy chuẩn quy định giới hạn thôi nhiễm")
    assert vnm["products"].startswith("Bao bì, dụng cụ bằng nhựa")
    assert vnm["hs_codes"] == ["3923", "3924"] and vnm["ics_codes"] == ["67.250"]
    assert vnm["notification_date"] == "2025-03-14" and vnm["comment_deadline"] == "2025-05-13"
    assert vnm["adoption_date"] == "2025-09-01" and vnm["entry_into_force_date"] == "2026-03-01"
    assert vnm["related_standards"] == ["qcvn-12-1-2011-byt"]
    assert notices["G/TBT/N/EU/1102"]["notifying_member"] == "Liên minh châu Âu"
    assert notices["G/TBT/N/CHN/1890"]["hs_codes"] == ["871160"], "the dotted form 8711.60 is stored as digits"
    assert notices["G/TBT/N/VNM/312/Add.1"]["title"].startswith("Bổ sung")
    assert vnm["source_url"] == "https://epingalert.org/vi/Search?viewData=G%2FTBT%2FN%2FVNM%2F312"


def test_tbt_incremental_run_and_withdrawal(harvest, standins):
    harvest("stinfo_tbt", _tbt_url(standins), TBT)
    notice = next(n for n in standards.NOTIFICATIONS if n["documentSymbol"] == "G/TBT/N/CHN/1890")
    notice.update(finalDateForComments="2025-05-12", lastModified="2099-01-01T00:00:00Z")
    standards.DELETED.add("G/TBT/N/VNM/305")
    next(n for n in standards.NOTIFICATIONS if n["documentSymbol"] == "G/TBT/N/VNM/305")["lastModified"] = "2099"
    results, _ = harvest("stinfo_tbt", _tbt_url(standins), TBT)
    assert {k: r["report_status"] for k, r in results.items()} == {
        "G/TBT/N/CHN/1890": "updated", "G/TBT/N/VNM/305": "deleted"}
    notices = _datasets("dataset_type:tbt_notification")
    assert notices["G/TBT/N/CHN/1890"]["comment_deadline"] == "2025-05-12" and "G/TBT/N/VNM/305" not in notices


def test_tbt_bad_input(harvest, standins):
    standards.NOTIFICATIONS[0]["documentSymbol"] = "TBT/VNM/312"
    results, report = harvest("stinfo_tbt", _tbt_url(standins, "xxe"), {**TBT, "params": {"format": "xml"}})
    assert any("document type" in m for m in _gather_errors(report)) and results == {}

    results, report = harvest("stinfo_tbt", _tbt_url(standins), TBT)
    assert any("notification_symbol" in m for m in _object_errors(report)["TBT/VNM/312"])
    assert len(_datasets("dataset_type:tbt_notification")) == len(standards.ORIGINAL_NOTIFICATIONS) - 1

    notice = next(n for n in standards.NOTIFICATIONS if n["documentSymbol"] == "G/TBT/N/CHN/1890")
    notice.update(hsCodes=["8711.6"], lastModified="2099-01-01T00:00:00Z")
    _, report = harvest("stinfo_tbt", _tbt_url(standins), TBT)
    assert any("hs_codes" in m and "8711.6" in m for m in _object_errors(report)["G/TBT/N/CHN/1890"])
    assert _datasets("dataset_type:tbt_notification")["G/TBT/N/CHN/1890"]["hs_codes"] == ["871160"]

    standards.OVERRIDE = "bad-page-2"
    _, report = harvest("stinfo_tbt", _tbt_url(standins), {**TBT, "full_harvest": True})
    assert any("not valid JSON" in m and "no record is withdrawn" in m for m in _gather_errors(report))
    assert len(_datasets("dataset_type:tbt_notification")) == len(standards.ORIGINAL_NOTIFICATIONS) - 1


def test_a_standard_entered_by_hand_keeps_its_name_and_relations_still_hold(harvest, standins):
    from ckan.tests import factories

    call_action("package_create", context={"user": factories.Sysadmin()["name"]}, type="standard_tcvn",
                name="tcvn-iso-9001-2008", title="Hệ thống quản lý chất lượng – Các yêu cầu (nhập tay)",
                owner_org=factories.Organization()["id"], standard_number="TCVN ISO 9001:2008", year="2008",
                standard_status="replaced")
    results, report = harvest("stinfo_standards", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    harvested = _datasets()["TC-2008-0433"]
    assert harvested["name"] != "tcvn-iso-9001-2008" and harvested["name"].startswith("he-thong-quan-ly-chat-luong")
    assert _datasets()["TC-2015-0912"]["related_standards"] == ["tcvn-iso-9001-2008"]
