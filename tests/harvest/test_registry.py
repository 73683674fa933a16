"""Registry-export harvesters (R&D organisations, researchers) against the stand-in exports:
the three file formats, mapping and provenance, full listings with withdrawals, and broken
exports, each run through the real gather / fetch / import stages."""
import copy
import json
import logging

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestObject
from ckanext.stinfo import identifiers, personal_data
from ckanext.stinfo.harvesters import registry as harvesters
from ckanext.stinfo.harvesters.standins import registry
from ckanext.stinfo.vocabularies import vocabulary

from tests.conftest import ROOT

ORG, RES = "stinfo_rd_organizations", "stinfo_researchers"
CONFIGS = {
    ORG: json.loads((ROOT / "config" / "harvest" / "rd_organizations.json").read_text(encoding="utf-8")),
    RES: json.loads((ROOT / "config" / "harvest" / "researchers.json").read_text(encoding="utf-8")),
}
EXPORT = {ORG: "to-chuc", RES: "nhan-luc"}
TYPE = {ORG: "st_organization", RES: "researcher"}
TOTAL = {harvester: len(registry.ORIGINAL[kind]) for harvester, kind in EXPORT.items()}
#: Differ between two sources holding the same records.
VOLATILE = {"id", "name", "owner_org", "organization", "metadata_created", "metadata_modified",
            "creator_user_id", "source_url", "harvested_at", "content_hash"}
PERSONAL_NUMBERS = [r["so_dinh_danh_ca_nhan"] for r in registry.ORIGINAL["nhan-luc"] if r["so_dinh_danh_ca_nhan"]]
PERSONAL_NUMBERS.append("099188012944")  # the invalid one of the invalid-ids scenario


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.reset()
    yield
    registry.reset()


def _url(standins, harvester=ORG, fmt="json", scenario="ok"):
    return f"{standins}/registry/{scenario}/{EXPORT[harvester]}.{fmt}"


def _datasets(harvester):
    result = call_action("package_search", q=f"dataset_type:{TYPE[harvester]}", rows=100, include_private=True)
    return {d["source_record_id"]: d for d in result["results"]}


def _gather_errors(report):
    return [e["message"] for e in report["gather_errors"]]


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _content(dataset):
    return {key: value for key, value in dataset.items() if key not in VOLATILE}


# ---------------------------------------------------------------- formats, mapping, provenance
@pytest.mark.parametrize("harvester", [ORG, RES])
def test_json_csv_and_xlsx_exports_import_the_same_records(harvest, standins, harvester):
    imported = {}
    for fmt in ("json", "csv", "xlsx"):
        results, report = harvest(harvester, _url(standins, harvester, fmt), CONFIGS[harvester])
        assert {r["report_status"] for r in results.values()} == {"added"}, report
        imported[fmt] = {guid: _content(r["dataset"]) for guid, r in results.items()}
    assert len(imported["json"]) == TOTAL[harvester]
    assert imported["json"] == imported["csv"]
    assert imported["json"] == imported["xlsx"]


def test_format_is_told_by_the_content_type_when_the_url_has_no_extension(harvest, standins):
    url = f"{standins}/registry/ok/to-chuc?dinh_dang=xlsx"
    results, report = harvest(ORG, url, CONFIGS[ORG])
    assert len(results) == TOTAL[ORG] and {r["report_status"] for r in results.values()} == {"added"}, report


def test_organisation_mapping_and_provenance(harvest, standins):
    url = _url(standins, ORG, "csv")
    harvest(ORG, url, CONFIGS[ORG])
    datasets = _datasets(ORG)
    assert len(datasets) == TOTAL[ORG]

    hust = datasets["TC-01-0003"]
    assert hust["title"] == "Trường Đại học Bách khoa Hà Nội"
    assert hust["title_en"] == "Hanoi University of Science and Technology"
    assert hust["tax_code"] == "0100234587"
    assert hust["organization_code"] == "000.00.21.G09"
    assert hust["ror"] == "https://ror.org/04nyv3z04"
    assert hust["st_registration_number"] == "A-337"
    assert hust["organization_kind"] == "university"
    assert hust["management_field"] == "science_technology"
    assert hust["province"] == "01", "the name Hà Nội becomes its code"
    assert set(hust["fields_of_science"]) == {"2.2", "2.3", "1.2"}
    assert hust["website"] == "https://hust.edu.vn"
    assert hust["license_id"] == "cc-by"
    assert hust["source_system"] == "CSDL tổ chức nghiên cứu và phát triển"
    assert hust["source_url"] == f"{url}#TC-01-0003"
    assert hust["source_record_id"] == "TC-01-0003"
    assert len(hust["content_hash"]) == 64 and hust["harvested_at"]
    assert hust["name"].startswith("truong-dai-hoc-bach-khoa-ha-noi-")

    vinatom = datasets["TC-01-0004"]
    assert vinatom["province"] == "01", "an unpadded code is padded"
    assert set(vinatom["fields_of_science"]) == {"1.3", "2.7"}, "national codes 103 and 207 become FORD codes"
    assert vinatom["management_field"] == "atomic_energy"
    assert datasets["TC-01-0001"]["organization_kind"] == "government_agency"
    assert datasets["TC-79-0005"]["ror"] == "https://ror.org/025kb2624"


def test_former_province_codes_and_names_map_to_the_34_units(harvest, standins):
    harvest(ORG, _url(standins, ORG, "xlsx"), CONFIGS[ORG])
    harvest(RES, _url(standins, RES, "csv"), CONFIGS[RES])
    organisations = {guid: d["province"] for guid, d in _datasets(ORG).items()}
    people = {guid: d.get("province") for guid, d in _datasets(RES).items()}

    assert organisations["TC-30-0007"] == "31", "former 30 (Hải Dương) is now part of Hải Phòng"
    assert organisations["TC-36-0009"] == "37", "former 36 (Nam Định) is now part of Ninh Bình"
    assert organisations["TC-74-0008"] == "79", "the former province named Bình Dương is now part of HCMC"
    assert organisations["TC-92-0006"] == "92", "'Thành phố Cần Thơ' is a current unit's name"
    assert people["NL-000109"] == "33", "former 34 (Thái Bình) is now part of Hưng Yên"
    assert people["NL-000106"] == "31"
    assert people["NL-000105"] == "92"
    assert all(code in vocabulary("provinces") for code in [*organisations.values(), *people.values()])


def test_former_provinces_are_refused_when_the_source_is_not_declared_to_use_them(harvest, standins):
    config = {**CONFIGS[ORG], "normalize": {**CONFIGS[ORG]["normalize"], "province": "province"}}
    results, report = harvest(ORG, _url(standins, ORG, "json"), config)
    errors = _object_errors(report)
    assert any("province" in m and "'30'" in m for m in errors["TC-30-0007"]), errors
    assert results["TC-74-0008"]["report_status"] == "errored"
    assert results["TC-01-0003"]["report_status"] == "added"


@pytest.mark.parametrize(("value", "code"), [
    ("30", "31"), ("1", "01"), ("001", "01"), ("79", "79"), ("82", "82"), ("Hà Giang", "08"),
    ("Thừa Thiên Huế", "46"), ("Huế", "46"), ("Bà Rịa - Vũng Tàu", "79"), ("TP. Hồ Chí Minh", "79"),
    ("Tỉnh Kon Tum", "51"), ("Quảng Nam", "48"), ("Thanh Hoá", "38"), ("Hà Tây", "Hà Tây"), ("99", "99"),
])
def test_province_normaliser(value, code):
    assert harvesters.NORMALIZERS["province_former"](value) == code


@pytest.mark.parametrize(("value", "expected"), [
    ("100110207", "0100110207"), ("0100110207-001", "0100110207-001"), ("12345678", "12345678"),
])
def test_tax_code_leading_zero_lost_by_a_spreadsheet_is_restored(value, expected):
    assert harvesters.NORMALIZERS["tax_code"](value) == expected


def test_personal_numbers_are_sealed_with_their_leading_zeros_restored():
    seal = harvesters.seal_personal_id
    assert seal("1085004217") == seal("001085004217") == personal_data.fingerprint("001085004217")
    assert seal(79188012944) == personal_data.fingerprint("079188012944")
    assert seal(seal("001085004217")) == seal("001085004217")
    assert seal("123456789") == {"invalid": identifiers.PERSONAL_ID_FORMAT, "params": {}}
    assert seal("099188012944")["params"] == {"code": "099"}
    assert seal("") == ""


def test_researcher_mapping_links_the_affiliation_by_tax_code(harvest, standins):
    harvest(ORG, _url(standins, ORG, "json"), CONFIGS[ORG])
    url = _url(standins, RES, "xlsx")
    results, report = harvest(RES, url, CONFIGS[RES])
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    organisations, people = _datasets(ORG), _datasets(RES)

    hung = people["NL-000101"]
    assert hung["title"] == "Nguyễn Văn Hùng"
    assert hung["orcid"] == "0000-0000-2183-4902", "the orcid.org URL form is normalised"
    assert hung["academic_degree"] == "phd"
    assert hung["academic_title"] == "associate_professor"
    assert hung["affiliation"] == organisations["TC-01-0002"]["name"]
    assert hung["position"] == "Trưởng phòng Vật liệu từ"
    assert set(hung["fields_of_science"]) == {"2.5", "1.3"}
    assert {t["name"] for t in hung["tags"]} == {"vật liệu từ", "nam châm vĩnh cửu"}
    assert hung["source_system"] == "CSDL nhân lực KH&CN"
    assert hung["source_url"] == f"{url}#NL-000101"

    assert people["NL-000103"]["academic_degree"] == "dsc"
    assert people["NL-000103"]["academic_title"] == "professor"
    assert people["NL-000105"]["orcid"] == "0000-0000-6339-057X"
    assert set(people["NL-000102"]["fields_of_science"]) == {"2.2", "1.2"}, "national codes 202 and 102"
    assert set(people["NL-000104"]["fields_of_science"]) == {"3.2", "3.1"}, "national codes 302 and 304"
    assert not people["NL-000110"].get("affiliation"), "its organisation is not in the catalogue"


def test_affiliation_appears_once_the_organisation_is_harvested(harvest, standins):
    harvest(RES, _url(standins, RES, "csv"), CONFIGS[RES])
    assert not _datasets(RES)["NL-000101"].get("affiliation")
    harvest(ORG, _url(standins, ORG, "csv"), CONFIGS[ORG])
    results, _ = harvest(RES, _url(standins, RES, "csv"), CONFIGS[RES])
    assert results["NL-000101"]["report_status"] == "updated"
    assert _datasets(RES)["NL-000101"]["affiliation"] == _datasets(ORG)["TC-01-0002"]["name"]


def test_personal_identification_number_is_mapped_as_its_fingerprint():
    row = copy.deepcopy(registry.ORIGINAL["nhan-luc"][0])
    mapped = harvesters.ResearcherRegistryHarvester().map_record(row, CONFIGS[RES])
    assert mapped["type"] == "researcher"
    assert mapped["personal_id"] == personal_data.fingerprint("001085004217")
    shortened = {**row, "so_dinh_danh_ca_nhan": 1085004217}
    assert harvesters.ResearcherRegistryHarvester().map_record(shortened, CONFIGS[RES])["personal_id"] == \
        mapped["personal_id"], "leading zeros lost by a spreadsheet are put back"
    without = harvesters.ResearcherRegistryHarvester().map_record(registry.ORIGINAL["nhan-luc"][4], CONFIGS[RES])
    assert "personal_id" not in without


def test_raw_personal_numbers_are_never_stored(harvest, standins):
    results, report = harvest(RES, _url(standins, RES, "xlsx"), CONFIGS[RES])
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    contents = [obj.content or "" for obj in model.Session.query(HarvestObject)]
    assert contents and not [n for n in PERSONAL_NUMBERS if any(n in content for content in contents)]
    stored = model.Package.get(results["NL-000101"]["dataset"]["id"]).extras
    assert stored["personal_id"] == personal_data.fingerprint("001085004217")
    assert "personal_id" not in results["NL-000101"]["dataset"], "never shown"


# ---------------------------------------------------------------- full listings
@pytest.mark.parametrize("harvester", [ORG, RES])
def test_second_run_of_an_unchanged_export_changes_nothing(harvest, standins, harvester):
    url = _url(standins, harvester, "csv")
    harvest(harvester, url, CONFIGS[harvester])
    before = {k: d["metadata_modified"] for k, d in _datasets(harvester).items()}
    results, _ = harvest(harvester, url, CONFIGS[harvester])
    assert len(results) == TOTAL[harvester]
    assert {r["report_status"] for r in results.values()} == {"not modified"}
    assert {k: d["metadata_modified"] for k, d in _datasets(harvester).items()} == before


def test_changed_record_is_updated_and_the_rest_left_alone(harvest, standins):
    url = _url(standins, ORG, "xlsx")
    harvest(ORG, url, CONFIGS[ORG])
    registry.ORGANIZATIONS[1]["website"] = "https://www.ims.vast.ac.vn"
    results, _ = harvest(ORG, url, CONFIGS[ORG])
    assert results["TC-01-0002"]["report_status"] == "updated"
    assert sum(r["report_status"] == "not modified" for r in results.values()) == TOTAL[ORG] - 1
    assert _datasets(ORG)["TC-01-0002"]["website"] == "https://www.ims.vast.ac.vn"


@pytest.mark.parametrize(("harvester", "fmt"), [(ORG, "json"), (RES, "xlsx")])
def test_record_missing_from_a_complete_export_is_withdrawn(harvest, standins, harvester, fmt):
    url = _url(standins, harvester, fmt)
    harvest(harvester, url, CONFIGS[harvester])
    gone = registry.RECORDS[EXPORT[harvester]].pop(3)
    guid = gone["ma_to_chuc" if harvester == ORG else "ma_ho_so"]
    package_id = _datasets(harvester)[guid]["id"]

    results, report = harvest(harvester, url, CONFIGS[harvester])
    assert results[guid]["report_status"] == "deleted", report
    assert guid not in _datasets(harvester)
    assert len(_datasets(harvester)) == TOTAL[harvester] - 1
    assert call_action("package_show", id=package_id)["state"] == "deleted"


def test_withdrawn_record_that_comes_back_is_published_again(harvest, standins):
    url = _url(standins, ORG, "csv")
    harvest(ORG, url, CONFIGS[ORG])
    gone = registry.ORGANIZATIONS.pop(2)
    harvest(ORG, url, CONFIGS[ORG])
    registry.ORGANIZATIONS.insert(2, gone)
    results, report = harvest(ORG, url, CONFIGS[ORG])
    assert results["TC-01-0003"]["report_status"] in ("added", "updated"), report
    assert len(_datasets(ORG)) == TOTAL[ORG]


# ---------------------------------------------------------------- broken exports
BROKEN = [
    pytest.param(ORG, "json", "bad-json", "not valid JSON", id="malformed-json"),
    pytest.param(ORG, "csv", "broken-row", "values where the header has 15", id="csv-broken-row"),
    pytest.param(RES, "csv", "cp1258", "not valid UTF-8", id="csv-cp1258"),
    pytest.param(ORG, "json", "cp1258", "not valid UTF-8", id="json-cp1258"),
    pytest.param(ORG, "json", "oversized", "over the limit", id="oversized"),
    pytest.param(RES, "csv", "error-500", "HTTP 500", id="http-500"),
    pytest.param(ORG, "xlsx", "zip-bomb", "refused without being opened", id="xlsx-zip-bomb"),
    pytest.param(ORG, "json", "empty", "export file is empty", id="empty-json"),
    pytest.param(RES, "csv", "empty", "export file is empty", id="empty-csv"),
    pytest.param(ORG, "xlsx", "empty", "export file is empty", id="empty-xlsx"),
    pytest.param(RES, "xlsx", "no-records", "listed no records at all", id="no-records"),
]


@pytest.mark.parametrize(("harvester", "fmt", "scenario", "message"), BROKEN)
def test_broken_export_gives_a_clear_error_and_loses_nothing(harvest, standins, harvester, fmt, scenario, message):
    url = _url(standins, harvester, fmt)
    harvest(harvester, url, CONFIGS[harvester])
    published = _datasets(harvester)
    assert len(published) == TOTAL[harvester]

    registry.OVERRIDE = scenario
    results, report = harvest(harvester, url, CONFIGS[harvester])

    errors = _gather_errors(report)
    assert any(message in m for m in errors), errors
    assert not any(r["report_status"] in ("deleted", "errored") for r in results.values()), results
    after = _datasets(harvester)
    assert set(after) == set(published)
    assert all(after[k]["content_hash"] == published[k]["content_hash"] for k in published)


def test_broken_row_skips_only_that_row(harvest, standins):
    registry.OVERRIDE = "broken-row"
    results, report = harvest(ORG, _url(standins, ORG, "csv"), CONFIGS[ORG])
    assert any("line 4 has 16 values" in m and "no record is withdrawn" in m for m in _gather_errors(report))
    assert set(_datasets(ORG)) == {r["ma_to_chuc"] for r in registry.ORIGINAL["to-chuc"]} - {"TC-01-0003"}


def test_duplicate_ids_are_reported_and_the_last_copy_wins(harvest, standins):
    url = _url(standins, ORG, "csv")
    harvest(ORG, url, CONFIGS[ORG])
    registry.OVERRIDE = "duplicate"
    results, report = harvest(ORG, url, CONFIGS[ORG])
    assert any("TC-01-0001" in m and "twice" in m for m in _gather_errors(report)), report
    datasets = _datasets(ORG)
    assert len(datasets) == TOTAL[ORG]
    assert datasets["TC-01-0001"]["title"].endswith("(bản ghi lặp)")


def test_invalid_identifiers_are_per_record_errors_naming_field_and_rule(harvest, standins):
    organisations, people = _url(standins, ORG, "csv"), _url(standins, RES, "json")
    harvest(ORG, organisations, CONFIGS[ORG])
    harvest(RES, people, CONFIGS[RES])
    published = {ORG: _datasets(ORG), RES: _datasets(RES)}

    registry.OVERRIDE = "invalid-ids"
    results, report = harvest(ORG, organisations, CONFIGS[ORG])
    assert results["TC-01-0003"]["report_status"] == "errored"
    assert any("tax_code" in m and "7" in m for m in _object_errors(report)["TC-01-0003"]), report
    assert _datasets(ORG)["TC-01-0003"]["content_hash"] == published[ORG]["TC-01-0003"]["content_hash"]

    results, report = harvest(RES, people, CONFIGS[RES])
    errors = _object_errors(report)
    assert set(errors) == {"NL-000102", "NL-000104"}
    assert any("orcid" in m and "5" in m for m in errors["NL-000102"]), errors
    assert any("personal_id" in m and "099" in m for m in errors["NL-000104"]), errors
    after = _datasets(RES)
    assert set(after) == set(published[RES])
    assert after["NL-000102"]["orcid"] == "0000-0000-3451-2785", "the published version is kept"


def test_invalid_records_are_not_created_on_a_first_run(harvest, standins):
    registry.OVERRIDE = "invalid-ids"
    harvest(RES, _url(standins, RES, "xlsx"), CONFIGS[RES])
    assert set(_datasets(RES)) == {r["ma_ho_so"] for r in registry.ORIGINAL["nhan-luc"]} - {"NL-000102", "NL-000104"}


def test_personal_numbers_never_reach_logs_or_error_messages(harvest, standins, caplog):
    caplog.set_level(logging.DEBUG, logger="ckanext")
    caplog.set_level(logging.DEBUG, logger="ckan.lib.search")
    registry.OVERRIDE = "invalid-ids"
    _, report = harvest(RES, _url(standins, RES, "csv"), CONFIGS[RES])
    registry.OVERRIDE = "broken-row"
    _, broken = harvest(RES, _url(standins, RES, "csv"), CONFIGS[RES])
    assert report["object_errors"] and broken["gather_errors"]
    text = caplog.text + json.dumps([report, broken], ensure_ascii=False)
    assert not [number for number in PERSONAL_NUMBERS if number in text]


def test_messages_mask_personal_numbers():
    masked = harvesters.mask_personal_ids("số 001085004217, số 001 085 004217; MST 0100110207-001")
    assert masked == "số **********17, số **********17; MST 0100110207-001"


def test_missing_sheet_is_named(harvest, standins):
    _, report = harvest(ORG, _url(standins, ORG, "xlsx"), {**CONFIGS[ORG], "sheet": "Trang tính 9"})
    assert any("no sheet 'Trang tính 9'" in m and "Danh sách tổ chức" in m for m in _gather_errors(report))


@pytest.mark.parametrize(("change", "message"), [
    ({"format": "pdf"}, "format"),
    ({"mapping": {}}, "mapping"),
    ({"normalize": {"province": "tinh_cu"}}, "normaliser"),
    ({"header_row": 0}, "header_row"),
    ({"encoding": "khong-co"}, "encoding"),
    ({"id_field": "so_dinh_danh_ca_nhan"}, "personal data"),
])
def test_invalid_configuration_is_refused(standins, change, message):
    with pytest.raises(toolkit.ValidationError, match=message):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="hong", title="Hỏng", url=_url(standins, RES), source_type=RES,
                    owner_org=factories.Organization()["id"], config=json.dumps({**CONFIGS[RES], **change}))
