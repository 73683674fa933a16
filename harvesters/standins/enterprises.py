"""Stand-in for the database of organisations and enterprises receiving state S&T and innovation
support: S&T enterprise certificates, high-tech enterprise certificates, grants and loans of the
national funds, start-up and technology-transfer support.

``/enterprise-support/<scenario>/ho-tro`` lists support decisions (``page``, ``page_size``,
``modified_since``): ``{"data": [...], "meta": {"page": 1, "pages": 2, "total": 8}}``; one record
per decision, with the enterprise's tax code (``ma_so_thue``), the decision's validity
(``tinh_trang``) and, for grants, loans and support projects, the stage of the support
(``trang_thai_ho_tro``); provinces are written as names,
current codes or codes and names from before July 2025; fields as national codes (Decision
12/2008/QĐ-BKHCN).

Scenarios: ``ok``; ``error-page-2``; ``bad-json-page-2``; ``empty``; ``duplicate``; ``secret`` (a
record marked ``do_mat``); ``invalid-tax-code`` (a wrong check digit); ``household`` (a household
business whose tax code is its owner's 12-digit personal identification number). Tests edit
``RECORDS`` and ``DELETED`` or set ``OVERRIDE``. Companies and tax codes are invented (the tax
codes carry valid check digits).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

PREFIX = "/enterprise-support"
ORIGINAL: list[dict] = json.loads(
    (Path(__file__).parent / "payloads" / "enterprises" / "supports.json").read_text(encoding="utf-8"))
RECORDS: list[dict] = copy.deepcopy(ORIGINAL)
DELETED: set[str] = set()
OVERRIDE: str | None = None
EXTRA = {
    "secret": {**ORIGINAL[2], "id": "QP-2024-001", "do_mat": "Tối mật",
               "ten_doanh_nghiep": "Doanh nghiệp quốc phòng (mật)"},
    "invalid-tax-code": {**ORIGINAL[0], "id": "HT-HN-2024-0999", "ma_so_thue": "0102787789"},
    "household": {**ORIGINAL[5], "id": "HKD-LD-2024-014", "ma_so_thue": "068190004217",
                  "ten_doanh_nghiep": "Hộ kinh doanh Cà phê Cầu Đất"},
}


def reset() -> None:
    """Back to the shipped payload, every URL its own scenario."""
    global OVERRIDE
    RECORDS[:] = copy.deepcopy(ORIGINAL)
    DELETED.clear()
    OVERRIDE = None


def _json(status: int, data: object) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode()


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) != 2 or parts[1] != "ho-tro":
        return _json(404, {"error": "không có tài nguyên này"})
    scenario = parts[0]
    page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-json-page-2":
        return 200, "application/json", b'{"data": [{"id": "HT-'
    records = [] if scenario == "empty" else list(RECORDS)
    since = query.get("modified_since")
    if since:
        records = [r for r in records if r["ngay_cap_nhat"] > since]
    if scenario in EXTRA:
        records.append(EXTRA[scenario])
    items = [{**r, "da_xoa": r["id"] in DELETED} for r in records]
    if scenario == "duplicate" and items:
        items.append(items[0])
    pages = max(1, -(-len(items) // size))
    return _json(200, {"data": items[(page - 1) * size: page * size],
                       "meta": {"page": page, "pages": pages, "total": len(items)}})
