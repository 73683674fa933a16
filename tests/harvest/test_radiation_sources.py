"""Radioactive-source statistics: the registry export is aggregated at gather time, so neither the
harvest objects, nor the dataset, nor its DataStore table, nor any message holds a serial number,
licensee, licence or location; small cells are withheld; a bad export publishes nothing."""
import collections
import json

import pytest
from ckan import model
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError
from ckanext.stinfo.harvesters.standins import radiation

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "radiation_sources_stats.json").read_text(encoding="utf-8"))
IDENTIFYING = ("so_seri", "model", "co_so_su_dung", "so_giay_phep", "dia_diem")


@pytest.fixture(autouse=True)
def _fresh_registry():
    radiation.reset()
    yield
    radiation.reset()


def _url(standins, scenario="ok"):
    return f"{standins}/radiation/{scenario}/sources.csv"


def _statistics():
    result = call_action("package_search", q="dataset_type:statistics", rows=10, include_private=True)
    return [call_action("package_show", id=d["id"]) for d in result["results"]]


def _table(dataset):
    [resource] = dataset["resources"]
    return call_action("datastore_search", resource_id=resource["id"], limit=5000)


def _expected(year, province, group):
    """Sources under control at the end of ``year``, counted from the raw rows."""
    return sum(1 for r in radiation.SOURCES
               if r["nhom"] == group and (province is None or r["tinh_thanh"] == province)
               and int(r["nam_dang_ky"]) <= year and (not r["nam_ngung"] or int(r["nam_ngung"]) > year))


def _everything_stored():
    """Every text the harvest stored: objects' content, errors, the datasets and their tables."""
    texts = [o.content or "" for o in model.Session.query(HarvestObject)]
    texts += [e.message for e in model.Session.query(HarvestObjectError)]
    texts += [e.message for e in model.Session.query(HarvestGatherError)]
    for dataset in _statistics():
        texts.append(json.dumps(dataset, ensure_ascii=False))
        texts.append(json.dumps(_table(dataset)["records"], ensure_ascii=False))
    return "\n".join(texts)


def test_published_statistics_are_aggregated_and_identify_no_source(harvest, standins):
    results, report = harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    assert [r["report_status"] for r in results.values()] == ["added"], report
    [dataset] = _statistics()
    assert dataset["title"].startswith("Số nguồn phóng xạ đang được quản lý")
    assert dataset["unit"] == "nguồn" and dataset["frequency"] == "ANNUAL"
    assert dataset["temporal_start"] == "2015" and dataset["temporal_end"] == "2025"
    assert dataset["management_field"] == "atomic_energy"
    [resource] = dataset["resources"]
    assert resource["url_type"] == "datastore" and resource["format"] == "CSV"
    assert [v["view_type"] for v in call_action("resource_view_list", id=resource["id"])] == ["datatables_view"]

    stored = _everything_stored()
    for row in radiation.SOURCES:
        for column in IDENTIFYING:
            assert row[column] not in stored, f"{column} of a source was stored"
    assert "Khu công nghiệp" not in stored and "GP-ATBXHN" not in stored

    rows = _table(dataset)["records"]
    national = {(r["year"], r["group"]): r for r in rows if r["province_code"] == ""}
    for year in range(2015, 2026):
        for group in "ABCD":
            expected = _expected(year, None, group)
            cell = national[(year, group)]
            assert cell["sources"] == (None if 0 < expected < 3 else expected)
    assert not [r for r in rows if r["group"] == "A" and r["province_code"]], "group A only nationally"

    by_cell = collections.defaultdict(list)
    for row in rows:
        if row["province_code"]:
            by_cell[(row["year"], row["group"])].append(row)
            expected = _expected(row["year"], row["province_code"], row["group"])
            if row["sources"] is not None:
                assert row["sources"] == expected and not 0 < expected < 3
            else:
                assert expected > 0 and row["note"]
    for (year, group), cells in by_cell.items():
        if sum(c["sources"] is None for c in cells) == 1:
            assert national[(year, group)]["sources"] is None, \
                "a lone withheld cell would be given back by the national total"
    assert any(r["sources"] is None for r in rows), "the stand-in has small cells"


def test_rerun_changes_nothing_and_a_changed_export_replaces_the_table(harvest, standins):
    harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    [before] = _statistics()
    results, _ = harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    assert [r["report_status"] for r in results.values()] == ["not modified"]

    for row in radiation.SOURCES:
        if row["nhom"] == "C" and row["tinh_thanh"] == "79" and not row["nam_ngung"]:
            row["nam_ngung"] = "2025"
    results, _ = harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    assert [r["report_status"] for r in results.values()] == ["updated"]
    [after] = _statistics()
    assert after["resources"][0]["id"] == before["resources"][0]["id"]
    rows = _table(after)["records"]
    keys = [(r["year"], r["province_code"], r["group"]) for r in rows]
    assert len(keys) == len(set(keys)), "the table is replaced, not appended to"
    hcm_c_2025 = next(r for r in rows if (r["year"], r["province_code"], r["group"]) == (2025, "79", "C"))
    assert hcm_c_2025["sources"] == 0


@pytest.mark.parametrize("scenario, message", [
    ("bad-row", "2 rows of the export cannot be counted (rows 4, 8"),
    ("truncated", "cannot be counted"),
    ("empty", "no rows to count"),
])
def test_an_export_not_understood_in_full_publishes_nothing_and_withdraws_nothing(
        harvest, standins, scenario, message):
    harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    [published] = _statistics()
    radiation.OVERRIDE = scenario
    results, report = harvest("stinfo_radiation_sources_stats", _url(standins), CONFIG)
    assert results == {}
    assert any(message in e["message"] and "no record is withdrawn" in e["message"]
               for e in report["gather_errors"]), report
    [kept] = _statistics()
    assert kept["content_hash"] == published["content_hash"]
    errors = " ".join(e["message"] for e in report["gather_errors"])
    assert not any(row["so_seri"] in errors or row["co_so_su_dung"] in errors for row in radiation.SOURCES)


def test_bad_rows_can_be_left_out_when_configured(harvest, standins):
    _, report = harvest("stinfo_radiation_sources_stats", _url(standins, "bad-row"), {**CONFIG, "max_invalid_rows": 2})
    [dataset] = _statistics()
    assert "2 dòng của bản trích xuất không đọc được" in dataset["notes"]


def test_invalid_configuration_is_refused(standins):
    from ckan.plugins import toolkit
    from ckan.tests import factories

    with pytest.raises(toolkit.ValidationError, match="national_only_groups"):
        call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                    name="thong-ke-nguon", title="Thống kê", url=_url(standins),
                    source_type="stinfo_radiation_sources_stats", owner_org=factories.Organization()["id"],
                    config=json.dumps({"national_only_groups": ["X"]}))
