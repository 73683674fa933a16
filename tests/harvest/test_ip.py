"""IP Office harvesters against the stand-in: the gazette's ST.96 XML to ``patent`` records and the
register of representatives to ``ip_representative`` records; mapping, incremental runs,
deletions and bad input, each run through the real gather / fetch / import stages."""
import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import ip_office

from tests.conftest import ROOT

PATENTS = json.loads((ROOT / "config" / "harvest" / "ip_publications.json").read_text(encoding="utf-8"))
REPRESENTATIVES = json.loads((ROOT / "config" / "harvest" / "ip_representatives.json").read_text(encoding="utf-8"))
TOTAL = len(ip_office.ORIGINAL_PATENTS)


@pytest.fixture(autouse=True)
def _fresh_office():
    ip_office.reset()
    yield
    ip_office.reset()


def _url(standins, scenario="ok", what="patents"):
    return f"{standins}/ip-office/{scenario}/{what}"


def _datasets(dataset_type="patent"):
    result = call_action("package_search", q=f"dataset_type:{dataset_type}", rows=100, include_private=True)
    return {d["source_record_id"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _patent(number):
    return next(r for r in ip_office.PATENTS if r["application_number"] == number)


# ---------------------------------------------------------------- patents
def test_gazette_records_become_patents_with_inid_fields_full_text_and_provenance(harvest, standins):
    results, report = harvest("stinfo_ip_publications", _url(standins), PATENTS)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert len(datasets) == TOTAL
    patent = datasets["1-2021-03377"]
    assert patent["title"].startswith("Hệ thống giám sát rò rỉ đường ống cấp nước")
    assert patent["title_en"].startswith("Water supply pipeline leak monitoring")
    assert patent["notes"].startswith("Hệ thống gồm các nút cảm biến áp suất")
    assert patent["ip_kind"] == "invention"
    assert patent["application_number"] == "1-2021-03377"
    assert patent["filing_date"] == "2021-05-20"
    assert patent["publication_date"] == "2021-08-25"
    assert patent["gazette_number"] == "443B" and patent["gazette_date"] == "2025-02-25"
    assert patent["grant_number"] == "1-0034567" and patent["grant_date"] == "2025-02-25"
    assert patent["ipc_classes"] == ["F17D 5/06", "G06N 20/00", "G01M 3/28"]
    assert patent["applicants"] == ["Trường Đại học Bách khoa Hà Nội"]
    assert patent["inventors"] == ["Phạm Văn Hùng", "Đỗ Thị Lan Anh"]
    assert patent["owner"] == "Trường Đại học Bách khoa Hà Nội"
    assert patent["patent_status"] == "granted"
    assert patent["management_field"] == "intellectual_property"
    [full_text] = patent["resources"]
    assert full_text["format"] == "PDF"
    assert full_text["description"] == "Công báo Sở hữu công nghiệp số 443B (2025-02-25)"
    assert full_text["url"] == f"{standins}/ip-office/ok/fulltext/1-2021-03377.pdf"
    assert patent["source_system"] == PATENTS["source_system"]
    assert patent["source_url"] == f"{_url(standins)}/1-2021-03377"
    assert len(patent["content_hash"]) == 64 and patent["harvested_at"]
    assert patent["name"].startswith("he-thong-giam-sat-ro-ri")

    utility = datasets["2-2022-00187"]
    assert utility["ip_kind"] == "utility_solution" and utility["grant_number"] == "2-0002871"
    published = datasets["1-2023-04512"]
    assert published["patent_status"] == "published" and "grant_number" not in published
    assert published["gazette_number"] == "426A" and published["gazette_date"] == "2023-09-25"
    assert all(d["gazette_number"][-1] in "AB" for d in datasets.values())


def test_a_wrong_gazette_issue_is_a_per_record_error(harvest, standins):
    _patent("1-2024-01203")["gazette"] = {"number": "434", "volume": "C", "date": "2024-05-27"}
    _patent("1-2022-06021")["gazette"] = {"number": "418", "volume": "A", "date": "2023-02-30"}
    results, report = harvest("stinfo_ip_publications", _url(standins), PATENTS)
    errors = _object_errors(report)
    assert any("gazette_number" in m for m in errors["1-2024-01203"]), report
    assert any("gazette_date" in m for m in errors["1-2022-06021"]), report
    assert len(_datasets()) == TOTAL - 2


def test_second_run_asks_only_for_changes(harvest, standins):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    before = {k: d["metadata_modified"] for k, d in _datasets().items()}

    record = _patent("1-2023-04512")
    record.update(status="Đã cấp văn bằng", grant_number="1-0035001", grant_date="2025-06-25",
                  owners=["Viện Hóa sinh biển, Viện Hàn lâm Khoa học và Công nghệ Việt Nam"],
                  modified="2099-01-01T00:00:00Z")
    results, _ = harvest("stinfo_ip_publications", _url(standins), PATENTS)

    assert list(results) == ["1-2023-04512"], "only the publication changed since the last run is listed"
    assert results["1-2023-04512"]["report_status"] == "updated"
    after = _datasets()
    assert after["1-2023-04512"]["patent_status"] == "granted"
    assert after["1-2023-04512"]["grant_number"] == "1-0035001"
    assert all(after[k]["metadata_modified"] == before[k] for k in before if k != "1-2023-04512")


def test_full_run_of_an_unchanged_gazette_changes_nothing(harvest, standins):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    results, _ = harvest("stinfo_ip_publications", _url(standins), {**PATENTS, "full_harvest": True})
    assert len(results) == TOTAL
    assert {r["report_status"] for r in results.values()} == {"not modified"}


def test_publication_reported_deleted_is_withdrawn(harvest, standins):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    ip_office.DELETED.add("1-2022-06021")
    _patent("1-2022-06021")["modified"] = "2099-01-01T00:00:00Z"
    results, _ = harvest("stinfo_ip_publications", _url(standins), PATENTS)
    assert results["1-2022-06021"]["report_status"] == "deleted"
    assert set(_datasets()) == {r["application_number"] for r in ip_office.PATENTS} - {"1-2022-06021"}


def test_publication_missing_from_a_complete_full_listing_is_withdrawn(harvest, standins):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    ip_office.PATENTS[:] = [r for r in ip_office.PATENTS if r["application_number"] != "1-2020-05890"]
    harvest("stinfo_ip_publications", _url(standins), {**PATENTS, "full_harvest": True})
    assert "1-2020-05890" not in _datasets() and len(_datasets()) == TOTAL - 1


@pytest.mark.parametrize("scenario, message", [("error-page-2", "HTTP 500"),
                                               ("bad-xml-page-2", "not well-formed XML")])
def test_listing_broken_at_page_2_imports_page_1_and_withdraws_nothing(harvest, standins, scenario, message):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    published = _datasets()
    ip_office.OVERRIDE = scenario
    _, report = harvest("stinfo_ip_publications", _url(standins), {**PATENTS, "full_harvest": True})
    assert any(message in m and "no record is withdrawn" in m for m in _gather_errors(report)), report
    assert set(_datasets()) == set(published)


@pytest.mark.parametrize("scenario, message", [("xxe", "document type"), ("latin1", "UTF-8")])
def test_unsafe_or_wrongly_encoded_xml_is_refused_before_parsing(harvest, standins, scenario, message):
    results, report = harvest("stinfo_ip_publications", _url(standins, scenario), PATENTS)
    assert results == {}
    assert any(message in m for m in _gather_errors(report)), report
    assert _datasets() == {}


def test_secret_invention_never_enters(harvest, standins):
    results, report = harvest("stinfo_ip_publications", _url(standins, "secret"), PATENTS)
    assert any("1-2024-09999" in m and "state secret" in m for m in _gather_errors(report))
    assert "1-2024-09999" not in results and "1-2024-09999" not in _datasets()
    assert len(_datasets()) == TOTAL


def test_industrial_design_in_the_patent_feed_is_a_per_record_error(harvest, standins):
    results, report = harvest("stinfo_ip_publications", _url(standins, "design"), PATENTS)
    assert any("ip_kind" in m and "industrial design" in m for m in _object_errors(report)["3-2023-01456"])
    assert len(_datasets()) == TOTAL


def test_unknown_status_names_the_field_and_invalid_ipc_keeps_the_published_version(harvest, standins):
    harvest("stinfo_ip_publications", _url(standins), PATENTS)
    good = _datasets()["1-2024-01203"]

    record = _patent("1-2024-01203")
    record.update(status="Chờ xử lý", modified="2099-01-01T00:00:00Z")
    _, report = harvest("stinfo_ip_publications", _url(standins), PATENTS)
    assert any("patent_status" in m and "Chờ xử lý" in m for m in _object_errors(report)["1-2024-01203"])

    record.update(status="Đã công bố đơn", ipc=["G01N 33"], title={"vi": "Tên mới không được lưu"})
    _, report = harvest("stinfo_ip_publications", _url(standins), PATENTS)
    assert any("ipc_classes" in m for m in _object_errors(report)["1-2024-01203"])
    kept = _datasets()["1-2024-01203"]
    assert kept["title"] == good["title"] and kept["content_hash"] == good["content_hash"]


# ---------------------------------------------------------------- representatives
def test_register_becomes_firms_and_agents_linked_to_their_firm(harvest, standins):
    results, report = harvest("stinfo_ip_representatives", _url(standins, what="representatives"), REPRESENTATIVES)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    reps = _datasets("ip_representative")
    assert len(reps) == len(ip_office.ORIGINAL_REPRESENTATIVES)
    firm = reps["TC-0012"]
    assert firm["title"] == "Công ty TNHH Sở hữu trí tuệ Ánh Dương"
    assert firm["title_en"] == "Anh Duong Intellectual Property Co., Ltd."
    assert firm["representative_kind"] == "organization"
    assert firm["tax_code"] == "0101526014"
    assert firm["registration_number"] == "012/ĐDSHCN"
    assert firm["registration_date"] == "2006-03-15"
    assert firm["service_scope"] == ["invention", "industrial_design", "trademark", "geographical_indication"]
    assert firm["representative_status"] == "active" and firm["province"] == "01"
    assert reps["TC-0047"]["province"] == "79" and reps["TC-0105"]["representative_status"] == "suspended"
    agent = reps["CN-0231"]
    assert agent["representative_kind"] == "agent"
    assert agent["related_organizations"] == [firm["name"]]
    removed = reps["CN-0152"]
    assert removed["representative_status"] == "removed"
    assert removed["province"] == "46", "a former province name maps to its successor"
    assert firm["source_url"] == f"{_url(standins, what='representatives')}#TC-0012"


def test_register_deletion_and_a_firm_without_tax_code(harvest, standins):
    url = _url(standins, what="representatives")
    harvest("stinfo_ip_representatives", url, REPRESENTATIVES)
    ip_office.DELETED.add("CN-0398")
    firm = next(r for r in ip_office.REPRESENTATIVES if r["ma"] == "TC-0047")
    del firm["ma_so_thue"]
    for record in ip_office.REPRESENTATIVES:
        if record["ma"] in ("CN-0398", "TC-0047"):
            record["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    results, report = harvest("stinfo_ip_representatives", url, REPRESENTATIVES)
    assert set(results) == {"CN-0398", "TC-0047"}
    assert results["CN-0398"]["report_status"] == "deleted"
    assert any("tax_code" in m for m in _object_errors(report)["TC-0047"])
    reps = _datasets("ip_representative")
    assert "CN-0398" not in reps and reps["TC-0047"]["tax_code"] == "0301830163", "published version kept"


def test_register_broken_at_page_2_withdraws_nothing(harvest, standins):
    url = _url(standins, what="representatives")
    harvest("stinfo_ip_representatives", url, REPRESENTATIVES)
    ip_office.OVERRIDE = "bad-xml-page-2"
    _, report = harvest("stinfo_ip_representatives", url, {**REPRESENTATIVES, "full_harvest": True})
    assert any("not valid JSON" in m for m in _gather_errors(report)), report
    assert len(_datasets("ip_representative")) == len(ip_office.ORIGINAL_REPRESENTATIVES)
