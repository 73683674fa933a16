"""Radiation monitoring harvester against the stand-in network: one dataset per station, its
dose-rate series in the DataStore (upserted on the time key, never duplicated), the preview,
withdrawals and bad input."""
import datetime
import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.stinfo.harvesters.standins import radiation

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "radiation.json").read_text(encoding="utf-8"))
STATIONS = {s["ma_tram"] for s in radiation.ORIGINAL}
FIRST_RUN_ROWS = radiation.HOURS - len(radiation.GAPS)


@pytest.fixture(autouse=True)
def _fresh_network():
    radiation.reset()
    yield
    radiation.reset()


def _url(standins, scenario="ok"):
    return f"{standins}/radiation/{scenario}/stations"


def _datasets():
    result = call_action("package_search", q="dataset_type:radiation_monitoring", rows=100, include_private=True)
    return {d["source_record_id"]: call_action("package_show", id=d["id"]) for d in result["results"]}


def _series(dataset, **params):
    [resource] = dataset["resources"]
    return call_action("datastore_search", resource_id=resource["id"], **params)


def _object_errors(report):
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def test_one_dataset_per_station_with_its_series_in_the_datastore(harvest, standins, app):
    results, report = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"added"}, report
    datasets = _datasets()
    assert set(datasets) == STATIONS
    hanoi = datasets["HN-01"]
    assert hanoi["title"] == "Quan trắc phóng xạ môi trường – Trạm quan trắc phóng xạ môi trường Hà Nội"
    assert hanoi["title_en"].startswith("Environmental radiation monitoring – Hanoi")
    assert hanoi["station_code"] == "HN-01" and hanoi["province"] == "01"
    assert hanoi["latitude"] == "21.0136" and hanoi["longitude"] == "105.7998"
    assert hanoi["measured_quantity"] == "Suất liều gamma môi trường" and hanoi["unit"] == "nSv/h"
    assert hanoi["temporal_start"] == "2019-03-01" and hanoi["temporal_end"] == "2025-06-30"
    assert hanoi["management_field"] == "atomic_energy" and hanoi["frequency"] == "UPDATE_CONT"
    assert hanoi["source_url"] == f"{_url(standins)}/HN-01/measurements.csv"
    assert datasets["DL-01"]["province"] == "68" and datasets["NT-01"]["province"] == "56"

    [resource] = hanoi["resources"]
    assert resource["url_type"] == "datastore" and resource["datastore_active"] and resource["format"] == "CSV"
    series = _series(hanoi, sort="time asc", limit=1000)
    assert series["total"] == FIRST_RUN_ROWS, "one row an hour, sensor gaps left out"
    assert [f["id"] for f in series["fields"] if not f["id"].startswith("_")] == ["time", "dose_rate_nsv_h"]
    assert series["records"][0]["time"].startswith("2025-06-27T17:00:00"), "stored in UTC"
    assert 90 < float(series["records"][0]["dose_rate_nsv_h"]) < 130
    phan_rang = _series(datasets["NT-01"], limit=1000)["records"]
    assert all(70 < float(r["dose_rate_nsv_h"]) < 120 for r in phan_rang), "µSv/h converted to nSv/h"
    # the API answers queries over the series
    night = _series(hanoi, filters={"time": "2025-06-30T16:00:00"})
    assert night["total"] == 1
    highest = _series(hanoi, sort="dose_rate_nsv_h desc", limit=1)["records"][0]
    assert float(highest["dose_rate_nsv_h"]) > 100

    views = call_action("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views].count("datatables_view") == 1
    page = app.get(f"/dataset/{hanoi['name']}/resource/{resource['id']}")
    assert page.status_code == 200


def test_new_hours_are_upserted_on_the_time_key_never_duplicated(harvest, standins):
    harvest("stinfo_radiation", _url(standins), CONFIG)
    radiation.END += datetime.timedelta(hours=24)
    results, report = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"updated"}, report
    hanoi = _datasets()["HN-01"]
    series = _series(hanoi, sort="time desc", limit=1000)
    assert series["total"] == FIRST_RUN_ROWS + 24
    times = [r["time"] for r in series["records"]]
    assert len(times) == len(set(times)) and times[0].startswith("2025-07-01T16:00:00")
    assert hanoi["temporal_end"] == "2025-07-01"

    results, _ = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert {r["report_status"] for r in results.values()} == {"not modified"}
    assert _series(_datasets()["HN-01"])["total"] == FIRST_RUN_ROWS + 24


def test_station_reported_deleted_or_no_longer_listed_is_withdrawn(harvest, standins):
    harvest("stinfo_radiation", _url(standins), CONFIG)
    radiation.DELETED.add("LS-01")
    radiation.STATIONS[:] = [s for s in radiation.STATIONS if s["ma_tram"] != "HCM-01"]
    results, _ = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert results["LS-01"]["report_status"] == "deleted" and results["HCM-01"]["report_status"] == "deleted"
    assert set(_datasets()) == STATIONS - {"LS-01", "HCM-01"}


@pytest.mark.parametrize("scenario, station, message", [
    ("bad-value", "HN-01", "line 26: the dose rate 'ERR' is not a number"),
    ("negative", "HN-01", "not a possible measurement"),
    ("error-series", "DL-01", "HTTP 500"),
    ("unknown-unit", "LS-01", "mSv/năm"),
])
def test_a_bad_series_is_refused_for_its_station_only_and_keeps_what_is_published(
        harvest, standins, scenario, station, message):
    harvest("stinfo_radiation", _url(standins), CONFIG)
    before = _datasets()[station]
    radiation.END += datetime.timedelta(hours=24)
    radiation.OVERRIDE = scenario
    results, report = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert any(message in m for m in _object_errors(report)[station]), report
    assert results[station]["report_status"] == "errored"
    after = _datasets()
    assert _series(after[station])["total"] == FIRST_RUN_ROWS
    assert after[station]["temporal_end"] == before["temporal_end"]
    others = STATIONS - {station}
    assert all(_series(after[code])["total"] == FIRST_RUN_ROWS + 24 for code in others)


def test_a_station_with_impossible_coordinates_is_refused_alone(harvest, standins):
    station = next(s for s in radiation.STATIONS if s["ma_tram"] == "LS-01")
    station.update(vi_do=106.7615, kinh_do=21.8537)  # latitude and longitude swapped at the source
    results, report = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert any("latitude" in m and "106.7615" in m for m in _object_errors(report)["LS-01"]), report
    assert results["LS-01"]["report_status"] == "errored"
    assert set(_datasets()) == STATIONS - {"LS-01"}


def test_station_list_failure_or_secret_station(harvest, standins):
    harvest("stinfo_radiation", _url(standins), CONFIG)
    radiation.OVERRIDE = "error-stations"
    _, report = harvest("stinfo_radiation", _url(standins), CONFIG)
    assert any("HTTP 500" in e["message"] for e in report["gather_errors"])
    assert set(_datasets()) == STATIONS
    radiation.OVERRIDE = None

    results, report = harvest("stinfo_radiation", _url(standins, "secret"), CONFIG)
    assert any("QS-07" in e["message"] and "state secret" in e["message"] for e in report["gather_errors"])
    assert "QS-07" not in results and "QS-07" not in _datasets()
