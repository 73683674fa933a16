"""Environmental radiation monitoring: one ``radiation_monitoring`` dataset per station of the
national monitoring network, its series of ambient gamma dose rate in CKAN's DataStore.

Gather lists the stations (JSON, ``standins/radiation.py``); every run lists them all, so a
station missing from a complete listing is withdrawn (a station that stops measuring stays
published with the series it has). Fetch reads the station's series (CSV,
``thoi_gian,suat_lieu``) from the last measurement already stored in the DataStore (the source
answers from that hour on, inclusive; hours already stored are dropped), so each run carries only
new hours; on the first run the whole series the source offers.
Import maps the station to the dataset, then writes the measurements to the DataStore table of
the dataset's CSV resource (created on first import with ``datastore_create``, primary key
``time``; later runs ``datastore_upsert``, so a re-sent hour replaces itself instead of being
duplicated), with the ``datatables_view`` preview. ``datastore_search`` answers queries over the
API; ``/datastore/dump/<resource id>`` downloads the whole series as CSV.

Table columns: ``time`` (timestamp, UTC: source times carry their offset; a time without one is
read in ``timezone``) and ``dose_rate_nsv_h`` (numeric, nSv/h: values in µSv/h are converted; a
unit that is not in ``units`` is a per-record error). An empty value is a sensor gap and is
skipped; a value that is not a number, or a negative one, refuses the station's new rows with an
error naming the line (the series already published is untouched).

Configuration keys (all optional): ``list_path`` (``tram``), ``id_field`` (``ma_tram``),
``deleted_field`` (``da_xoa``), ``series_url`` (``{url}/{id}/measurements.csv``), ``since_param``
(``from``), ``time_column`` (``thoi_gian``), ``value_column`` (``suat_lieu``), ``unit_field``
(``don_vi``), ``units`` (unit -> factor to nSv/h), ``timezone`` (``+07:00``), ``mapping`` (rules
over :data:`MAPPING`), ``source_system``, ``owner_org``.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import math
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import implements, toolkit
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject
from ckanext.stinfo.harvesters import helpers, http, mapping
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

log = logging.getLogger(__name__)

SOURCE_SYSTEM = "Mạng lưới quan trắc và cảnh báo phóng xạ môi trường quốc gia"
DEFAULTS: dict[str, Any] = {
    "list_path": "tram",
    "id_field": "ma_tram",
    "deleted_field": "da_xoa",
    "series_url": "{url}/{id}/measurements.csv",
    "since_param": "from",
    "time_column": "thoi_gian",
    "value_column": "suat_lieu",
    "unit_field": "don_vi",
    "units": {"nSv/h": 1, "µSv/h": 1000, "μSv/h": 1000, "uSv/h": 1000, "mSv/h": 1_000_000},
    "timezone": "+07:00",
}
MAPPING: dict[str, Any] = {
    "station_code": "ma_tram",
    "station_name": "ten_tram",
    "province": "tinh_thanh",
    "latitude": "vi_do",
    "longitude": "kinh_do",
    "measured_quantity": {"path": "dai_luong", "default": "Suất liều gamma môi trường"},
    "temporal_start": "bat_dau",
    "frequency": {"value": "UPDATE_CONT"},
    "management_field": {"value": "atomic_energy"},
    "theme": {"value": ["ENVI", "ENER"]},
    "tag_string": {"value": "quan trắc phóng xạ,suất liều gamma,môi trường"},
    "license_id": {"value": "cc-by"},
}
TIME = "time"
VALUE = "dose_rate_nsv_h"
FIELDS = [
    {"id": TIME, "type": "timestamp",
     "info": {"label": "Thời gian đo (UTC)", "notes": "Giờ quốc tế (UTC); giờ Việt Nam = UTC + 7."}},
    {"id": VALUE, "type": "numeric",
     "info": {"label": "Suất liều gamma môi trường (nSv/h)",
              "notes": "Ambient gamma dose rate, nanosievert per hour."}},
]
RESOURCE = {
    "name": "Suất liều gamma môi trường theo giờ",
    "name_en": "Hourly ambient gamma dose rate",
    "format": "CSV",
}


def _timezone(text: str) -> datetime.timezone:
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(minutes or 0)))


def parse_series(text: str, cfg: dict[str, Any], factor: float) -> list[dict[str, Any]]:
    """The measurements of a CSV series as DataStore records (UTC time, nSv/h), gaps left out."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {cfg["time_column"], cfg["value_column"]} - set(reader.fieldnames or [])
    if missing:
        raise MappingError(f"the series has no column {', '.join(sorted(missing))}")
    tz = _timezone(cfg["timezone"])
    records: dict[str, dict[str, Any]] = {}
    for row in reader:
        line = reader.line_num
        stamp, value = (row.get(cfg["time_column"]) or "").strip(), (row.get(cfg["value_column"]) or "").strip()
        if not value:
            continue
        try:
            when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise MappingError(f"line {line}: '{stamp}' is not an ISO 8601 time") from None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise MappingError(f"line {line}: the dose rate '{value}' is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise MappingError(f"line {line}: the dose rate {value} is not a possible measurement")
        utc = (when if when.tzinfo else when.replace(tzinfo=tz)).astimezone(datetime.timezone.utc)
        key = utc.replace(tzinfo=None).isoformat()
        records[key] = {TIME: key, VALUE: round(number * factor, 4)}
    return [records[key] for key in sorted(records)]


class RadiationMonitoringHarvester(StinfoHarvester):
    """Harvester ``stinfo_radiation``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM
    #: The object being fetched (``fetch_record`` reads the last stored hour of its dataset).
    _fetching: HarvestObject | None = None

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_radiation",
            "title": "Quan trắc phóng xạ môi trường (trạm và chuỗi số liệu)",
            "description": "Environmental radiation monitoring stations; dose-rate series in the DataStore",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        return {**DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = helpers.mapping_errors(config)
        units = config.get("units", {})
        if not isinstance(units, dict) or not all(isinstance(v, (int, float)) for v in units.values()):
            problems.append("'units' must be an object from unit to a factor to nSv/h")
        try:
            _timezone(config.get("timezone", "+07:00"))
        except ValueError:
            problems.append("'timezone' must be an offset such as +07:00")
        return problems

    # ------------------------------------------------------------ gather and fetch
    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        stations = mapping.resolve(helpers.get_json(url), cfg["list_path"])
        if not isinstance(stations, list):
            raise MappingError(f"no list at '{cfg['list_path']}' in the station list")
        for station in stations:
            code = mapping.resolve(station, cfg["id_field"])
            if code in (None, ""):
                raise MappingError(f"a station has no '{cfg['id_field']}'")
            yield SourceRecord(str(code).strip(), station, deleted=bool(mapping.resolve(station, cfg["deleted_field"])))

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self.settings(config)["series_url"].format(url=url.rstrip("/"), id=guid)

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        self._fetching = harvest_object
        try:
            return super().fetch_stage(harvest_object)
        finally:
            self._fetching = None

    def fetch_record(self, url: str, config: dict[str, Any], record: SourceRecord) -> dict[str, Any]:
        cfg = self.settings(config)
        station = dict(record.content or {})
        unit = str(mapping.resolve(station, cfg["unit_field"]) or "nSv/h").strip()
        if unit not in cfg["units"]:
            raise MappingError(f"unit: the station reports in '{unit}', which has no factor to nSv/h in 'units'")
        last = self._last_stored(getattr(self, "_fetching", None))
        params = {cfg["since_param"]: last.isoformat() + "Z"} if last else None
        response = http.get(self.record_url(url, config, record.guid), params=params, accept="text/csv")
        rows = parse_series(response.text(), cfg, cfg["units"][unit])
        if last is not None:
            rows = [row for row in rows if datetime.datetime.fromisoformat(row[TIME]) > last]
        times = [datetime.datetime.fromisoformat(row[TIME]) for row in rows] + ([last] if last else [])
        station["_measurements"] = rows
        if times:
            station["_last_measurement"] = max(times).isoformat()
        return station

    def _series_resource(self, harvest_object: HarvestObject | None) -> dict[str, Any] | None:
        """The DataStore resource of the dataset this source published for the object's station."""
        if harvest_object is None:
            return None
        current = (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid,
                    HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                    HarvestObject.current == sa.true(), HarvestObject.id != harvest_object.id)
            .first()
        )
        package = model.Package.get(current.package_id) if current and current.package_id else None
        if package is None or package.state != "active":
            return None
        shown = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": package.id})
        return next((r for r in shown.get("resources", []) if r.get("url_type") == "datastore"), None)

    def _last_stored(self, harvest_object: HarvestObject | None) -> datetime.datetime | None:
        """Time (UTC) of the last measurement already in the station's series, or None."""
        resource = self._series_resource(harvest_object)
        if resource is None or not resource.get("datastore_active"):
            return None
        try:
            found = toolkit.get_action("datastore_search")(
                {"ignore_auth": True}, {"resource_id": resource["id"], "sort": f"{TIME} desc", "limit": 1,
                                        "fields": [TIME]})
        except (toolkit.ObjectNotFound, toolkit.ValidationError):
            return None
        records = found.get("records") or []
        return datetime.datetime.fromisoformat(records[0][TIME]) if records else None

    # ------------------------------------------------------------ map and import
    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        package = {"type": "radiation_monitoring", **mapping.apply(record, helpers.merged_mapping(MAPPING, config))}
        for field in ("latitude", "longitude"):
            if field in package:
                package[field] = str(package[field])
        if package.get("province"):
            package["province"] = helpers.province_code(package["province"])
        name = package.get("station_name") or package.get("station_code", "")
        package.setdefault("title", f"Quan trắc phóng xạ môi trường – {name}")
        if record.get("ten_tieng_anh"):
            package.setdefault("title_en", f"Environmental radiation monitoring – {record['ten_tieng_anh']}")
        if record.get("dia_diem"):
            package.setdefault("notes", f"Suất liều gamma môi trường đo tự động hằng giờ tại {record['dia_diem']}. "
                                        "Số liệu theo giờ UTC, đơn vị nSv/h.")
        package["unit"] = "nSv/h"
        if record.get("_last_measurement"):
            package["temporal_end"] = record["_last_measurement"][:10]
        return package

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        result = super().import_stage(harvest_object)
        if result is False or is_withdrawal(harvest_object) or not harvest_object.package_id:
            return result
        rows = json.loads(harvest_object.content or "{}").get("_measurements") or []
        resource = {**RESOURCE, "description": "Chuỗi số liệu đo hằng giờ; tải toàn bộ dưới dạng CSV hoặc truy vấn "
                                               "qua API datastore_search."}
        try:
            added = store_table(self._get_user_name(), harvest_object.package_id, resource, FIELDS, [TIME], rows)
        except (toolkit.ValidationError, toolkit.ObjectNotFound) as err:
            self._save_object_error(f"The measurements of station {harvest_object.guid} could not be stored in the "
                                    f"DataStore: {getattr(err, 'error_dict', None) or err}", harvest_object, "Import")
            return False
        return True if added and result == "unchanged" else result

    def import_batch(self, harvest_objects: list[HarvestObject]) -> dict[str, str]:
        return import_one_by_one(self, harvest_objects)


# ---------------------------------------------------------------- DataStore tables of harvested datasets
def is_withdrawal(harvest_object: HarvestObject) -> bool:
    return any(e.key == "status" and e.value == "delete" for e in harvest_object.extras)


def import_one_by_one(harvester: StinfoHarvester, harvest_objects: list[HarvestObject]) -> dict[str, str]:
    """``import_batch`` for harvesters that write to the DataStore: its writes are outside the
    catalogue's database transaction, so objects go one at a time, as the harvest queue does."""
    from ckanext.harvest.queue import fetch_and_import_stages

    objects = list(harvest_objects)
    for obj in objects:
        fetch_and_import_stages(harvester, obj)
    model.Session.commit()
    return {obj.id: obj.report_status for obj in objects}


def datastore_resource(package_id: str) -> dict[str, Any] | None:
    """The dataset's first DataStore resource (the one :func:`store_table` writes), or None."""
    package = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    return next((r for r in package.get("resources", []) if r.get("url_type") == "datastore"), None)


def store_table(user: str, package_id: str, resource: dict[str, Any], fields: list[dict[str, Any]],
                primary_key: list[str], rows: list[dict[str, Any]], replace: bool = False) -> int:
    """Write ``rows`` to the DataStore table of the dataset's first DataStore resource: created
    (resource, table and ``datatables_view``) when missing, else upserted on ``primary_key``, or,
    with ``replace``, emptied and filled again. ``resource`` may carry a ``hash`` of the data, kept
    on the resource. Returns the number of rows written."""
    context = {"user": user, "ignore_auth": True}
    existing = datastore_resource(package_id)
    table = {"fields": fields, "primary_key": primary_key, "records": rows, "force": True}
    if existing is None:
        resource_id = toolkit.get_action("datastore_create")(
            dict(context), {"resource": {**resource, "package_id": package_id}, **table})["resource_id"]
    elif not existing.get("datastore_active"):
        resource_id = existing["id"]
        toolkit.get_action("datastore_create")(dict(context), {"resource_id": resource_id, **table})
    else:
        resource_id = existing["id"]
        if replace:
            toolkit.get_action("datastore_delete")(dict(context), {"resource_id": resource_id, "filters": {},
                                                                   "force": True})
        if rows:
            toolkit.get_action("datastore_upsert")(dict(context), {
                "resource_id": resource_id, "records": rows, "method": "upsert", "force": True})
    views = toolkit.get_action("resource_view_list")(dict(context), {"id": resource_id})
    if not any(v["view_type"] == "datatables_view" for v in views):
        toolkit.get_action("resource_view_create")(dict(context), {
            "resource_id": resource_id, "view_type": "datatables_view", "title": "Bảng số liệu"})
    if rows and existing is not None:
        patch = {"id": resource_id, "last_modified": datetime.datetime.utcnow().replace(microsecond=0).isoformat()}
        if resource.get("hash"):
            patch["hash"] = resource["hash"]
        toolkit.get_action("resource_patch")(dict(context), patch)
    return len(rows)
