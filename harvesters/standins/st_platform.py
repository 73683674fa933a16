"""Stand-in for the national S&T management platform's JSON API (see harvesters/README.md).

``/st-platform/<scenario>/tasks`` lists tasks (``page``, ``page_size``, ``modified_since``);
``/st-platform/<scenario>/tasks/<id>`` returns one. Scenarios reproduce what real sources do
wrong: ``ok``; ``error-page-2`` (HTTP 500 from page 2 on); ``bad-json-page-2``; ``latin1``
(a detail in the wrong encoding); ``duplicate`` (one id listed twice); ``oversized`` (a detail
far over any sane size); ``secret`` (a record marked state secret); ``empty`` (no records).
Tests change ``RECORDS`` or ``DELETED`` to simulate edits and deletions at the source.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

PREFIX = "/st-platform"
PAYLOAD = Path(__file__).parent / "payloads" / "st_platform" / "tasks.json"
ORIGINAL = json.loads(PAYLOAD.read_text(encoding="utf-8"))
RECORDS: list[dict] = copy.deepcopy(ORIGINAL)
DELETED: set[str] = set()


def reset() -> None:
    """Back to the shipped payload."""
    RECORDS[:] = copy.deepcopy(ORIGINAL)
    DELETED.clear()


def _json(status: int, data: object) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode()


def _summary(record: dict) -> dict:
    keys = ("id", "ma_so", "ten_nhiem_vu", "ngay_cap_nhat", "do_mat")
    return {**{k: record[k] for k in keys if k in record}, "da_xoa": record["id"] in DELETED}


def _listing(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-json-page-2":
        return 200, "application/json", b'{"data": [{"id": "NV-2024-9", "ten_nhiem_vu": "Thi'
    records = [] if scenario == "empty" else list(RECORDS)
    since = query.get("modified_since")
    if since:
        records = [r for r in records if r["ngay_cap_nhat"] > since]
    if scenario == "secret":
        records.append({**RECORDS[0], "id": "NV-MAT-0001", "do_mat": "Mật"})
    items = [_summary(r) for r in records]
    if scenario == "duplicate":
        items.append(items[0])
    pages = max(1, -(-len(items) // size))
    chunk = items[(page - 1) * size: page * size]
    return _json(200, {"data": chunk, "meta": {"page": page, "pages": pages, "total": len(items)}})


def _detail(scenario: str, record_id: str) -> tuple[int, str, bytes]:
    record = next((r for r in RECORDS if r["id"] == record_id), None)
    if record_id == "NV-MAT-0001":
        record = {**RECORDS[0], "id": record_id, "do_mat": "Mật"}
    if record is None:
        return _json(404, {"error": "không tìm thấy nhiệm vụ"})
    if scenario == "latin1" and record_id == RECORDS[0]["id"]:
        body = json.dumps({"data": record}, ensure_ascii=False).encode("utf-8")
        return 200, "application/json", body.decode("utf-8").encode("cp1258", errors="replace")
    if scenario == "oversized" and record_id == RECORDS[0]["id"]:
        huge = {**record, "muc_tieu": "Dữ liệu quá lớn. " * 2_000_000}
        return _json(200, {"data": huge})
    return _json(200, {"data": record})


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[1] == "tasks":
        return _listing(parts[0], query)
    if len(parts) == 3 and parts[1] == "tasks":
        return _detail(parts[0], parts[2])
    return _json(404, {"error": "không có tài nguyên này"})
