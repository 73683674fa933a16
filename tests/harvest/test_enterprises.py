"""Supported-enterprise harvester against the stand-in: mapping (tax codes, provinces, fields,
links to S&T organisations), incremental runs, withdrawals and bad input."""
import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import enterprises

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "enterprises.json").read_text(encoding="utf-8"))
LISTED = [r for r in enterprises.ORIGINAL if r["tinh_trang"] != "Đã thu hồi"]


@pytest.fixture(autouse=True)
def _fresh_source():
    enterprises.reset()
    yield
    enterprises.reset()


def _url(standins, scenario="ok"):
    return f"{standins}/enterprise-support/{scenario}/ho-tro"


def _datasets():
    result = call_action("package_search", q="dataset_type:supported_enterprise", rows=100, include_private=True)
    return {d["source_record_id"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _record(record_id):
    return next(r for r in enterprises.RECORDS if r["id"] == record_id)


def test_support_decisions_become_supported_enterprises(harvest, standins):
    org = factories.Organization()
    call_action("package_create", context={"user": factories.Sysadmin()["name"]}, type="st_organization",
                name="vien-cong-nghe-sinh-hoc-viet-xanh", title="Công ty Cổ phần Công nghệ Sinh học Việt Xanh",
                owner_org=org["id"], tax_code="0102787788", organization_kind="enterprise", province="01")
    results, report = harvest("stinfo_enterprises", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert set(datasets) == {r["id"] for r in LISTED}, "a revoked certificate is not published"
    viet_xanh = datasets["HT-HN-2021-0123"]
    assert viet_xanh["title"] == "Công ty Cổ phần Công nghệ Sinh học Việt Xanh"
    assert viet_xanh["tax_code"] == "0102787788"
    assert viet_xanh["support_kind"] == "st_enterprise_certificate"
    assert viet_xanh["certificate_number"] == "123/DNKHCN" and viet_xanh["certificate_date"] == "2021-04-12"
    assert viet_xanh["issuing_body"] == "Sở Khoa học và Công nghệ Hà Nội"
    assert viet_xanh["province"] == "01" and viet_xanh["fields_of_science"] == ["1.6", "4.1"]
    assert viet_xanh["related_organizations"] == ["vien-cong-nghe-sinh-hoc-viet-xanh"]
    assert viet_xanh["management_field"] == "science_technology"
    assert viet_xanh["source_url"] == f"{_url(standins)}#HT-HN-2021-0123"
    natif = datasets["NATIF-2023-017"]
    assert natif["support_kind"] == "fund_grant" and int(natif["support_amount"]) == 4_500_000_000
    assert natif["support_status"] == "in_progress"
    assert datasets["DA844-DN-2024-008"]["support_status"] == "approved"
    assert datasets["CGCN-LD-2023-002"]["support_status"] == "completed"
    assert "support_status" not in viet_xanh, "a certificate without a stage at the source has none"
    assert natif["province"] == "75"
    assert datasets["DA844-DN-2024-008"]["support_kind"] == "innovation_startup"
    assert datasets["DA844-DN-2024-008"]["management_field"] == "innovation"
    assert datasets["DA844-DN-2024-008"]["province"] == "48"
    assert datasets["HT-BKHCN-2022-0045"]["province"] == "24", "former code 27 (Bắc Ninh) kept as 24"
    assert datasets["NAFOSTED-2022-DN-031"]["province"] == "92", "former code 94 (Sóc Trăng) is now Cần Thơ"
    assert datasets["CGCN-LD-2023-002"]["province"] == "68", "former Đắk Nông is now Lâm Đồng"
    assert datasets["HT-HCM-2020-0277"]["tax_code"] == "0312347014-002"


def test_incremental_run_revocation_and_deletion(harvest, standins):
    harvest("stinfo_enterprises", _url(standins), CONFIG)
    _record("HT-BKHCN-2022-0045").update(tinh_trang="Đã thu hồi", ngay_cap_nhat="2099-01-01T00:00:00Z")
    _record("NATIF-2023-017").update(gia_tri_ho_tro=5_000_000_000, ngay_cap_nhat="2099-01-01T00:00:00Z")
    enterprises.DELETED.add("CGCN-LD-2023-002")
    _record("CGCN-LD-2023-002")["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_enterprises", _url(standins), CONFIG)
    assert {k: r["report_status"] for k, r in results.items()} == {
        "HT-BKHCN-2022-0045": "deleted", "NATIF-2023-017": "updated", "CGCN-LD-2023-002": "deleted"}
    datasets = _datasets()
    assert int(datasets["NATIF-2023-017"]["support_amount"]) == 5_000_000_000
    assert "HT-BKHCN-2022-0045" not in datasets and "CGCN-LD-2023-002" not in datasets


def test_support_that_ends_is_kept_with_its_status(harvest, standins):
    """A terminated support is a fact to publish, unlike a revoked certificate."""
    harvest("stinfo_enterprises", _url(standins), CONFIG)
    _record("NAFOSTED-2022-DN-031").update(trang_thai_ho_tro="Dừng hỗ trợ", ngay_cap_nhat="2099-01-01T00:00:00Z")
    results, _ = harvest("stinfo_enterprises", _url(standins), CONFIG)
    assert {k: r["report_status"] for k, r in results.items()} == {"NAFOSTED-2022-DN-031": "updated"}
    assert _datasets()["NAFOSTED-2022-DN-031"]["support_status"] == "terminated"


def test_household_business_under_a_personal_number_is_refused_and_never_stored(harvest, standins):
    results, report = harvest("stinfo_enterprises", _url(standins, "household"), CONFIG)
    assert any("HKD-LD-2024-014" in m and "personal identification number" in m for m in _gather_errors(report))
    assert "HKD-LD-2024-014" not in results
    assert not any("068190004217" in m for m in _gather_errors(report))
    assert len(_datasets()) == len(LISTED)


def test_bad_records_are_per_record_errors_and_keep_the_published_version(harvest, standins):
    results, report = harvest("stinfo_enterprises", _url(standins, "invalid-tax-code"), CONFIG)
    assert any("tax_code" in m and "check digit" in m for m in _object_errors(report)["HT-HN-2024-0999"])

    published = _datasets()["HT-HN-2021-0123"]
    _record("HT-HN-2021-0123").update(hinh_thuc="Hỗ trợ không rõ", ngay_cap_nhat="2099-01-01T00:00:00Z")
    _record("DA844-DN-2024-008").update(tinh_thanh="Tỉnh Không Có", ngay_cap_nhat="2099-01-01T00:00:00Z")
    _record("NATIF-2023-017").update(trang_thai_ho_tro="Tạm hoãn", ngay_cap_nhat="2099-01-01T00:00:00Z")
    _, report = harvest("stinfo_enterprises", _url(standins, "invalid-tax-code"), CONFIG)
    errors = _object_errors(report)
    assert any("support_kind" in m and "Hỗ trợ không rõ" in m for m in errors["HT-HN-2021-0123"])
    assert any("province" in m for m in errors["DA844-DN-2024-008"])
    assert any("support_status" in m and "Tạm hoãn" in m for m in errors["NATIF-2023-017"])
    assert _datasets()["NATIF-2023-017"]["support_status"] == "in_progress"
    assert _datasets()["HT-HN-2021-0123"]["content_hash"] == published["content_hash"]


@pytest.mark.parametrize("scenario", ["error-page-2", "bad-json-page-2", "empty"])
def test_broken_or_empty_listing_withdraws_nothing(harvest, standins, scenario):
    harvest("stinfo_enterprises", _url(standins), CONFIG)
    enterprises.OVERRIDE = scenario
    _, report = harvest("stinfo_enterprises", _url(standins), {**CONFIG, "full_harvest": True})
    assert _gather_errors(report), report
    assert len(_datasets()) == len(LISTED)


def test_secret_and_duplicate_records(harvest, standins):
    results, report = harvest("stinfo_enterprises", _url(standins, "secret"), CONFIG)
    assert any("QP-2024-001" in m and "state secret" in m for m in _gather_errors(report))
    assert "QP-2024-001" not in results
    results, report = harvest("stinfo_enterprises", _url(standins, "duplicate"), CONFIG)
    assert any("twice" in m for m in _gather_errors(report))
