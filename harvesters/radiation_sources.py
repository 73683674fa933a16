"""Statistics of radioactive sources under regulatory control, aggregated from the national
registry's export before anything is stored (``stinfo_radiation_sources_stats``).

The registry of radioactive sources and radiation equipment identifies each source: serial
number, model, licensee, licence number, location. None of that may be published (see "Radioactive
sources and nuclear material" in ``harvesters/README.md``), so this harvester never keeps a row:
gather downloads the export (CSV), checks every row, counts sources in memory and hands the base
one record, the aggregated table; the harvest object holds that table only. Import publishes it
as a ``statistics`` record whose CSV resource is a DataStore table (``datastore_search`` over the
API, ``datatables_view`` on the page), replaced as a whole when the table changes (the resource's
``hash`` is the table's SHA-256; the record's metadata may stay the same while its counts change).

What is counted: for every year from the first registration year to the last year in the export,
the sources under control at the end of that year (registered that year or before, not
transferred, exported or disposed of by then), by province (the 34 units since July 2025; former
codes map to their successor) and source group (A to D, most to least hazardous). Disclosure
control, applied before the table exists:

- sources of the groups in ``national_only_groups`` (default ``["A"]``: teletherapy and industrial
  irradiators, a handful of facilities) are counted nationally only, never by province;
- a count from 1 to ``min_cell`` - 1 (default ``min_cell`` 3) is not published (the cell reads
  "dưới 3"): one or two sources in a province and group point at one facility;
- when a year and group has exactly one such cell among its provinces, the smallest other
  non-zero cell is withheld too, so that the national total cannot give the hidden one back.

A row that cannot be counted (group not A to D, registration year missing or not a year, end
year before registration, unknown province, a row cut short) stops the run with an error naming
its row number only (never its content): nothing is published from an export that is not
understood in full, and the published table stays as it was. ``max_invalid_rows`` (default 0)
lets a known number of bad rows be left out instead; their number is then stated in the record.
An export with no rows publishes and withdraws nothing.

Configuration keys (all optional): ``columns`` (``group``, ``province``, ``registered``,
``ended`` -> column names; defaults ``nhom``, ``tinh_thanh``, ``nam_dang_ky``, ``nam_ngung``),
``min_cell``, ``national_only_groups``, ``max_invalid_rows``, ``first_year``, ``last_year``,
``record_id`` (the harvest guid of the table), ``source_system``, ``owner_org``.
"""
from __future__ import annotations

import collections
import csv
import datetime
import hashlib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from ckan.plugins import implements, toolkit
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject
from ckanext.stinfo.classification import is_state_secret
from ckanext.stinfo.harvesters import helpers, http
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester
from ckanext.stinfo.harvesters.radiation import datastore_resource, import_one_by_one, is_withdrawal, store_table
from ckanext.stinfo.vocabularies import vocabulary

SOURCE_SYSTEM = "CSDL nguồn phóng xạ, thiết bị bức xạ, Cục An toàn bức xạ và hạt nhân"
GROUPS = ("A", "B", "C", "D")
NATIONAL = ""
DEFAULTS: dict[str, Any] = {
    "columns": {"group": "nhom", "province": "tinh_thanh", "registered": "nam_dang_ky", "ended": "nam_ngung"},
    "min_cell": 3,
    "national_only_groups": ["A"],
    "max_invalid_rows": 0,
    "first_year": None,
    "last_year": None,
    "record_id": "nguon-phong-xa-theo-nhom-tinh-nam",
}
#: How many bad row numbers an error spells out.
ROWS_SHOWN = 10
FIELDS = [
    {"id": "year", "type": "int", "info": {"label": "Năm", "notes": "Số nguồn đang được quản lý vào cuối năm."}},
    {"id": "province_code", "type": "text",
     "info": {"label": "Mã tỉnh, thành phố", "notes": "Mã đơn vị hành chính cấp tỉnh; để trống: toàn quốc."}},
    {"id": "province", "type": "text", "info": {"label": "Tỉnh, thành phố"}},
    {"id": "group", "type": "text",
     "info": {"label": "Nhóm nguồn phóng xạ", "notes": "A, B, C, D (A nguy hiểm nhất)."}},
    {"id": "sources", "type": "int",
     "info": {"label": "Số nguồn phóng xạ", "notes": "Để trống khi không công bố (xem cột ghi chú)."}},
    {"id": "note", "type": "text", "info": {"label": "Ghi chú"}},
]
KEY = ["year", "province_code", "group"]
RESOURCE = {
    "name": "Số nguồn phóng xạ theo năm, tỉnh, thành phố và nhóm nguồn",
    "name_en": "Radioactive sources by year, province and source group",
    "format": "CSV",
    "description": "Bảng tổng hợp, không chứa số sê-ri, cơ sở sử dụng, giấy phép hay vị trí của nguồn.",
}
NOTE_SMALL = "Dưới {k} nguồn: không công bố để không nhận diện được cơ sở"
NOTE_SECONDARY = "Không công bố để không suy ra được ô bị ẩn từ tổng toàn quốc"
NOTE_NATIONAL = "Toàn quốc"


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"(19|20)\d{2}", text) else None


def count_sources(text: str, cfg: dict[str, Any]) -> tuple[dict[tuple[int, str, str], int], list[int], int, range]:
    """Counts by (year, province code, group) of the export ``text``, the numbers of the data rows
    that could not be counted, the number of rows read and the years covered; no row is kept.
    Rows marked as state secrets are neither counted nor reported."""
    columns = cfg["columns"]
    reader = csv.DictReader(io.StringIO(text), restkey="_extra")
    missing = [name for name in columns.values() if name not in (reader.fieldnames or [])]
    if missing:
        raise MappingError(f"the export has no column {', '.join(missing)}")
    provinces = vocabulary("provinces")
    spans: list[tuple[int, int | None, str, str]] = []
    invalid: list[int] = []
    read = 0
    try:
        for number, row in enumerate(reader, 1):
            read += 1
            if is_state_secret(row):
                read -= 1
                continue
            span = _span(row, columns, provinces)
            if span is None:
                invalid.append(number)
            else:
                spans.append(span)
    except csv.Error as err:
        raise MappingError(f"the export is not readable CSV after data row {read} ({err})") from None
    if not spans:
        return {}, invalid, read, range(0)
    first = cfg["first_year"] or min(s for s, _e, _p, _g in spans)
    last = cfg["last_year"] or max(max(s, e or s) for s, e, _p, _g in spans)
    years = range(first, last + 1)
    counts: dict[tuple[int, str, str], int] = collections.Counter()
    for start, end, province, group in spans:
        for year in years:
            if start <= year and (end is None or end > year):
                counts[(year, province, group)] += 1
    return counts, invalid, read, years


def _span(row: dict[str, Any], columns: dict[str, str], provinces) -> tuple[int, int | None, str, str] | None:
    """(registration year, end year, province, group) of a row, or None when it cannot be counted."""
    if None in row.values() or "_extra" in row:
        return None
    group = (row.get(columns["group"]) or "").strip().upper()
    province = helpers.province_code(row.get(columns["province"]) or "")
    start, end_text = _year(row.get(columns["registered"])), (row.get(columns["ended"]) or "").strip()
    end = _year(end_text)
    if group not in GROUPS or province not in provinces or start is None or (end_text and (end is None or end < start)):
        return None
    return start, end, province, group


def disclosure_table(counts: dict[tuple[int, str, str], int], years: range, cfg: dict[str, Any]) -> list[dict]:
    """The publishable table: national totals, province cells of the other groups, small cells
    and their complements withheld."""
    k, national_only = cfg["min_cell"], set(cfg["national_only_groups"])
    provinces = vocabulary("provinces")
    present = sorted({p for (_y, p, _g) in counts}, key=provinces.codes().index)
    rows: list[dict] = []
    for year in years:
        for group in GROUPS:
            total = sum(counts.get((year, p, group), 0) for p in present)
            rows.append(_cell(year, NATIONAL, NOTE_NATIONAL, group, total, k))
            if group in national_only:
                continue
            cells = [_cell(year, p, provinces.label(p), group, counts.get((year, p, group), 0), k) for p in present]
            hidden = [c for c in cells if c["sources"] is None]
            shown = sorted((c for c in cells if c["sources"]), key=lambda c: c["sources"])
            if len(hidden) == 1 and shown:
                shown[0].update(sources=None, note=NOTE_SECONDARY)
            rows.extend(cells)
    return rows


def _cell(year: int, code: str, label: str, group: str, count: int, k: int) -> dict[str, Any]:
    small = 0 < count < k
    return {"year": year, "province_code": code, "province": label, "group": group,
            "sources": None if small else count,
            "note": NOTE_SMALL.format(k=k) if small else (NOTE_NATIONAL if code == NATIONAL else "")}


class SourceStatisticsHarvester(StinfoHarvester):
    """Harvester ``stinfo_radiation_sources_stats``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_radiation_sources_stats",
            "title": "Thống kê nguồn phóng xạ (tổng hợp, không định danh)",
            "description": "Counts of radioactive sources by year, province and group, aggregated at gather time",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        cfg = {**DEFAULTS, **config}
        cfg["columns"] = {**DEFAULTS["columns"], **(config.get("columns") or {})}
        return cfg

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = []
        k = config.get("min_cell", 3)
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            problems.append("'min_cell' must be a whole number of at least 1")
        groups = config.get("national_only_groups", [])
        if not isinstance(groups, list) or set(groups) - set(GROUPS):
            problems.append("'national_only_groups' must be a list of groups among A, B, C, D")
        bad = config.get("max_invalid_rows", 0)
        if not isinstance(bad, int) or isinstance(bad, bool) or bad < 0:
            problems.append("'max_invalid_rows' must be a whole number of at least 0")
        if "columns" in config and not isinstance(config["columns"], dict):
            problems.append("'columns' must be an object")
        return problems

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        counts, invalid, read, years = count_sources(http.get(url, accept="text/csv").text(), cfg)
        if len(invalid) > cfg["max_invalid_rows"]:
            shown = ", ".join(str(n) for n in invalid[:ROWS_SHOWN]) + (", ..." if len(invalid) > ROWS_SHOWN else "")
            raise MappingError(f"{len(invalid)} rows of the export cannot be counted (rows {shown}: group not A to "
                               "D, unknown province, missing or impossible year, or a row cut short); nothing is "
                               "published from an export that is not understood in full")
        if not counts:
            raise MappingError("the export has no rows to count; nothing is published or withdrawn")
        yield SourceRecord(cfg["record_id"], {
            "table": disclosure_table(counts, years, cfg),
            "years": [years.start, years.stop - 1],
            "rows_counted": read - len(invalid),
            "rows_left_out": len(invalid),
            "min_cell": cfg["min_cell"],
            "national_only_groups": cfg["national_only_groups"],
        })

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        first, last = record["years"]
        national_only = ", ".join(record["national_only_groups"]) or "không có"
        notes = (
            f"Số nguồn phóng xạ đang được quản lý vào cuối mỗi năm từ {first} đến {last}, theo tỉnh, thành phố và "
            "nhóm nguồn (A, B, C, D), tổng hợp từ Cơ sở dữ liệu quốc gia về nguồn phóng xạ.\n\n"
            "Số liệu chỉ gồm số đếm tổng hợp. Không công bố số sê-ri, kiểu nguồn, cơ sở sử dụng, số giấy phép, "
            "vị trí đặt nguồn hay hoạt độ của từng nguồn (thông tin an ninh nguồn phóng xạ). "
            f"Nguồn nhóm {national_only} chỉ công bố số toàn quốc; ô có từ 1 đến {record['min_cell'] - 1} nguồn "
            "và ô bù cần thiết không được công bố.")
        if record.get("rows_left_out"):
            notes += f"\n\n{record['rows_left_out']} dòng của bản trích xuất không đọc được và không được tính."
        return {
            "type": "statistics",
            "title": "Số nguồn phóng xạ đang được quản lý theo tỉnh, thành phố và nhóm nguồn",
            "title_en": "Radioactive sources under regulatory control by province and source group",
            "notes": notes,
            "notes_en": (f"Radioactive sources under regulatory control at the end of each year {first}-{last}, by "
                         "province and source group (A-D). Aggregated counts only: no serial numbers, models, "
                         "licensees, licence numbers, locations or activities. Small counts are suppressed."),
            "indicator": "Số nguồn phóng xạ đang được quản lý",
            "unit": "nguồn",
            "temporal_start": str(first),
            "temporal_end": str(last),
            "frequency": "ANNUAL",
            "dimensions": ["Năm", "Tỉnh, thành phố", "Nhóm nguồn phóng xạ (A, B, C, D)"],
            "management_field": "atomic_energy",
            "theme": ["ENER"],
            "tag_string": "nguồn phóng xạ,an toàn bức xạ,thống kê",
            "license_id": "cc-by",
        }

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        result = super().import_stage(harvest_object)
        if result is False or is_withdrawal(harvest_object) or not harvest_object.package_id:
            return result
        table = json.loads(harvest_object.content or "{}").get("table") or []
        digest = hashlib.sha256(json.dumps(table, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        stored = datastore_resource(harvest_object.package_id)
        if stored and stored.get("datastore_active") and stored.get("hash") == digest:
            return result
        try:
            store_table(self._get_user_name(), harvest_object.package_id, {**RESOURCE, "hash": digest}, FIELDS, KEY,
                        table, replace=True)
        except (toolkit.ValidationError, toolkit.ObjectNotFound) as err:
            self._save_object_error(f"The table could not be stored in the DataStore: "
                                    f"{getattr(err, 'error_dict', None) or err}", harvest_object, "Import")
            return False
        return True if result == "unchanged" else result

    def import_batch(self, harvest_objects: list[HarvestObject]) -> dict[str, str]:
        return import_one_by_one(self, harvest_objects)
