"""Stand-in for the national environmental radiation monitoring network (Mạng lưới quan trắc và
cảnh báo phóng xạ môi trường quốc gia) and for the national registry of radioactive sources.

Monitoring: ``/radiation/<scenario>/stations`` lists the stations
(``{"tram": [...], "thoi_diem": "..."}``); ``/radiation/<scenario>/stations/<code>/measurements.csv``
is a station's series of ambient gamma dose rate, one row an hour (``thoi_gian,suat_lieu``,
local time with its offset), from ``from`` (inclusive, ISO 8601) to the last measurement. The
series is computed, not stored: a daily cycle around the station's background level (higher on
the granite plateau of Đà Lạt), hours without a value (a sensor gap) and ``END``, the time of
the last measurement, which tests move forward to make new measurements appear. One station
reports in µSv/h, as some instruments do.

Registry of radioactive sources: ``/radiation/<scenario>/sources.csv`` is the registry's export,
one row per sealed or unsealed source, with what must never be published: serial numbers,
licensees, licence numbers, locations. Rows are generated from a fixed seed.

Scenarios: ``ok``; ``error-stations`` (HTTP 500 for the station list); ``error-series`` (HTTP 500
for the series of DL-01); ``bad-value`` (a value ``ERR`` for the last hour of HN-01); ``negative``
(a negative dose rate for that hour); ``unknown-unit`` (LS-01 in mSv/year); ``secret`` (a station marked
``do_mat``); ``empty`` (no stations, or an export without rows); ``bad-row`` (an export row with
an unknown group and one without a year); ``truncated`` (an export cut off mid-row, without its
closing line). Tests edit ``STATIONS``, ``DELETED``, ``END``, ``SOURCES`` or ``OVERRIDE``.
"""
from __future__ import annotations

import copy
import csv
import datetime
import io
import json
import math
import random
from pathlib import Path

PREFIX = "/radiation"
ORIGINAL: list[dict] = json.loads(
    (Path(__file__).parent / "payloads" / "radiation" / "stations.json").read_text(encoding="utf-8"))
STATIONS: list[dict] = copy.deepcopy(ORIGINAL)
DELETED: set[str] = set()
OVERRIDE: str | None = None
ICT = datetime.timezone(datetime.timedelta(hours=7))
ORIGINAL_END = datetime.datetime(2025, 6, 30, 23, 0, tzinfo=ICT)
#: Time of the last measurement of every station; the series holds ``HOURS`` hours up to it.
END = ORIGINAL_END
HOURS = 72
#: Hours (counted back from the first hour of the series) without a value at every station.
GAPS = {5, 30}
SECRET = {**ORIGINAL[0], "ma_tram": "QS-07", "ten_tram": "Trạm quan trắc khu vực quốc phòng", "do_mat": "Mật"}


def reset() -> None:
    """Back to the shipped payload and the original last measurement, every URL its own scenario."""
    global END, OVERRIDE
    STATIONS[:] = copy.deepcopy(ORIGINAL)
    DELETED.clear()
    END = ORIGINAL_END
    OVERRIDE = None
    SOURCES[:] = registry_rows()


def _json(status: int, data: object) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode()


def dose_rate(station: dict, when: datetime.datetime) -> float:
    """The dose rate a station reports for an hour, in the station's unit."""
    hour = when.astimezone(ICT).hour
    noise = random.Random(f"{station['ma_tram']}{when.isoformat()}").uniform(-4, 4)
    value = station["muc_nen"] * (1 + 0.04 * math.sin((hour - 4) / 24 * 2 * math.pi)) + noise
    return round(value / 1000, 4) if station["don_vi"] == "µSv/h" else round(value, 1)


def _series(scenario: str, station: dict, since: str | None) -> tuple[int, str, bytes]:
    if scenario == "error-series" and station["ma_tram"] == "DL-01":
        return 500, "text/plain", b"Internal Server Error"
    start = END - datetime.timedelta(hours=HOURS - 1)
    if since:
        start = max(start, datetime.datetime.fromisoformat(since.replace("Z", "+00:00")))
    out = io.StringIO()
    out.write("thoi_gian,suat_lieu\r\n")
    first = END - datetime.timedelta(hours=HOURS - 1)
    when = first + datetime.timedelta(hours=math.ceil((start - first).total_seconds() / 3600))
    while when <= END:
        index = int((when - first).total_seconds() // 3600)
        value = "" if index in GAPS else str(dose_rate(station, when))
        if station["ma_tram"] == "HN-01" and when == END and scenario in ("bad-value", "negative"):
            value = "ERR" if scenario == "bad-value" else "-3.5"
        out.write(f"{when.astimezone(ICT).isoformat()},{value}\r\n")
        when += datetime.timedelta(hours=1)
    return 200, "text/csv; charset=utf-8", out.getvalue().encode("utf-8")


def _stations(scenario: str) -> tuple[int, str, bytes]:
    if scenario == "error-stations":
        return 500, "text/plain", b"Internal Server Error"
    stations = [] if scenario == "empty" else copy.deepcopy(STATIONS)
    for station in stations:
        station["da_xoa"] = station["ma_tram"] in DELETED
        if scenario == "unknown-unit" and station["ma_tram"] == "LS-01":
            station["don_vi"] = "mSv/năm"
    if scenario == "secret":
        stations.append(SECRET)
    return _json(200, {"tram": stations, "thoi_diem": END.isoformat()})


# ---------------------------------------------------------------- registry of radioactive sources
SOURCE_COLUMNS = ["so_seri", "dong_vi", "hoat_do_ban_dau_Bq", "ngay_tham_chieu", "model", "nhom", "loai_nguon",
                  "co_so_su_dung", "so_giay_phep", "dia_diem", "tinh_thanh", "muc_dich", "tinh_trang",
                  "nam_dang_ky", "nam_ngung"]
#: (radionuclide, activity in Bq, group, use) of the kinds of source in the registry.
SOURCE_KINDS = [
    ("Co-60", 2.2e14, "A", "Xạ trị từ xa"), ("Co-60", 3.7e15, "A", "Chiếu xạ công nghiệp"),
    ("Ir-192", 3.7e12, "B", "Chụp ảnh phóng xạ công nghiệp"), ("Cs-137", 1.1e11, "C", "Đo mức công nghiệp"),
    ("Am-241/Be", 7.4e11, "C", "Đo độ ẩm, mật độ"), ("Cs-137", 3.7e8, "D", "Đo mật độ đất"),
    ("Sr-90", 1.85e9, "D", "Đo độ dày"), ("Kr-85", 3.7e9, "D", "Đo độ dày giấy"),
]
PROVINCES = ["01", "79", "31", "48", "75", "24", "22", "92", "38", "56"]
SOURCE_COUNT = 240


def registry_rows(seed: int = 20250630) -> list[dict]:
    """The registry's rows: invented serials, licensees and addresses, realistic proportions."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, SOURCE_COUNT + 1):
        nuclide, activity, group, use = rng.choices(SOURCE_KINDS, weights=[1, 1, 4, 8, 5, 9, 4, 3])[0]
        province = rng.choices(PROVINCES, weights=[9, 10, 4, 3, 5, 3, 2, 2, 1, 1])[0]
        start = rng.randint(2015, 2024)
        end = rng.choice([None, None, None, None, start + rng.randint(1, 6)])
        rows.append({
            "so_seri": f"{nuclide[:2].upper()}{rng.randint(10000, 99999)}-{number:04d}",
            "dong_vi": nuclide, "hoat_do_ban_dau_Bq": f"{activity:.3g}",
            "ngay_tham_chieu": f"{start - 1}-{rng.randint(1, 12):02d}-01", "model": f"MD-{rng.randint(100, 999)}",
            "nhom": group, "loai_nguon": "Nguồn kín" if nuclide != "Kr-85" else "Nguồn kín (khí)",
            "co_so_su_dung": f"Công ty TNHH Kiểm định Công nghiệp Số {number % 37 + 1}",
            "so_giay_phep": f"{rng.randint(100, 999)}/GP-ATBXHN",
            "dia_diem": f"Lô {rng.randint(1, 90)}, Khu công nghiệp số {number % 11 + 1}",
            "tinh_thanh": province, "muc_dich": use,
            "tinh_trang": "Đang sử dụng" if end is None or end > 2025 else "Đã chuyển giao, thải bỏ",
            "nam_dang_ky": str(start), "nam_ngung": "" if end is None or end > 2025 else str(end),
        })
    return rows


#: The registry's rows, as the export serves them (tests edit them).
SOURCES: list[dict] = registry_rows()


def _registry(scenario: str) -> tuple[int, str, bytes]:
    if scenario == "error-stations":
        return 500, "text/plain", b"Internal Server Error"
    rows = [] if scenario == "empty" else [dict(row) for row in SOURCES]
    if scenario == "bad-row" and rows:
        rows[3] = {**rows[3], "nhom": "E"}
        rows[7] = {**rows[7], "nam_dang_ky": ""}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SOURCE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    body = out.getvalue()
    if scenario == "truncated":
        body = body[: len(body) // 2].rsplit(",", 3)[0]
    return 200, "text/csv; charset=utf-8", body.encode("utf-8")


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) == 2 and parts[1] == "stations":
        return _stations(parts[0])
    if len(parts) == 4 and parts[1] == "stations" and parts[3] == "measurements.csv":
        station = next((s for s in STATIONS if s["ma_tram"] == parts[2]), None)
        if station is not None:
            return _series(parts[0], station, query.get("from"))
    if len(parts) == 2 and parts[1] == "sources.csv":
        return _registry(parts[0])
    return _json(404, {"loi": "không có tài nguyên này"})
