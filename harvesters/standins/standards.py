"""Stand-in for the Standards, Metrology and Quality Commission's databases: national standards
(TCVN) and technical regulations (QCVN), and the TBT enquiry point's notifications.

``/standards/<scenario>/tieu-chuan`` lists TCVN and QCVN records together (``page``,
``page_size``, ``modified_since``): ``{"ket_qua": [...], "trang": 1, "tong_so_trang": 2}``;
``/standards/<scenario>/tieu-chuan/<id>`` shows one. Each record says whether it is a TCVN or a
QCVN (``loai``), what it replaces (``thay_the``) and what replaced it (``duoc_thay_the_boi``),
across the two kinds too (TCVN 5945:2005 was replaced by QCVN 40:2011/BTNMT).

``/standards/<scenario>/tbt/notifications`` lists WTO TBT notifications as the WTO ePing
service shapes them (``page``, ``pageSize``, ``modifiedSince``):
``{"items": [...], "page": 1, "pageCount": 1, "totalCount": 5}``, with the Vietnamese titles the
national TBT enquiry point adds (``titleVi``...); ``format=xml`` gives the same as XML
(``<notifications page=".." pageCount="..">``, one ``<notification>`` each).

Scenarios: ``ok``; ``error-page-2`` (HTTP 500 from page 2 on); ``bad-page-2`` (truncated JSON or
XML on page 2); ``xxe`` (the XML declares an external entity); ``secret`` (a standard marked
``do_mat: "Mật"``); ``duplicate``; ``empty``. Tests edit ``STANDARDS``, ``NOTIFICATIONS`` and
``DELETED``, or set ``OVERRIDE`` to make every URL behave as one scenario.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

PREFIX = "/standards"
FOLDER = Path(__file__).parent / "payloads" / "standards"
ORIGINAL_STANDARDS: list[dict] = json.loads((FOLDER / "standards.json").read_text(encoding="utf-8"))
ORIGINAL_NOTIFICATIONS: list[dict] = json.loads((FOLDER / "tbt_notifications.json").read_text(encoding="utf-8"))
STANDARDS: list[dict] = copy.deepcopy(ORIGINAL_STANDARDS)
NOTIFICATIONS: list[dict] = copy.deepcopy(ORIGINAL_NOTIFICATIONS)
#: Record ids (standards) or document symbols (notifications) the source reports deleted.
DELETED: set[str] = set()
OVERRIDE: str | None = None
SECRET = {**ORIGINAL_STANDARDS[2], "id": "TC-QS-0001", "so_hieu": "TCVN 9999:2020", "do_mat": "Mật",
          "ten": "Tiêu chuẩn quân sự (mật)"}


def reset() -> None:
    """Back to the shipped payloads, every URL its own scenario."""
    global OVERRIDE
    STANDARDS[:] = copy.deepcopy(ORIGINAL_STANDARDS)
    NOTIFICATIONS[:] = copy.deepcopy(ORIGINAL_NOTIFICATIONS)
    DELETED.clear()
    OVERRIDE = None


def _json(status: int, data: object) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode()


def _select(records: list[dict], scenario: str, since: str | None, stamp: str) -> list[dict]:
    selected = [] if scenario == "empty" else [r for r in records if not since or r[stamp] > since]
    if scenario == "duplicate" and selected:
        selected.append(selected[0])
    return selected


def _standards(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-page-2":
        return 200, "application/json", b'{"ket_qua": [{"id": "TC-9'
    records = _select(STANDARDS, scenario, query.get("modified_since"), "ngay_cap_nhat")
    if scenario == "secret":
        records.append(SECRET)
    items = [{**r, "da_xoa": r["id"] in DELETED} for r in records]
    pages = max(1, -(-len(items) // size))
    return _json(200, {"ket_qua": items[(page - 1) * size: page * size], "trang": page, "tong_so_trang": pages})


def _notification_xml(item: dict) -> str:
    def element(tag: str, value: object, lang: str | None = None) -> str:
        attr = f' xml:lang="{lang}"' if lang else ""
        return f"    <{tag}{attr}>{escape(str(value))}</{tag}>\n" if value not in (None, "") else ""

    parts = [f'  <notification id="{item["id"]}" symbol={quoteattr(item["documentSymbol"])} '
             f'deleted="{str(item["isDeleted"]).lower()}" lastModified="{item.get("lastModified", "")}">\n',
             element("area", item.get("area")), element("member", item.get("notifyingMember")),
             element("distributionDate", item.get("distributionDate"))]
    for key, tag in (("title", "title"), ("descriptionOfContent", "description"), ("productsCovered", "products")):
        parts.append(element(tag, item.get(key), "en"))
        parts.append(element(tag, item.get(f"{key}Vi"), "vi"))
    parts += [element("hsCode", code) for code in item.get("hsCodes", [])]
    parts += [element("icsCode", code) for code in item.get("icsCodes", [])]
    parts += [element("objective", text) for text in item.get("objectives", [])]
    parts += [element("commentDeadline", item.get("finalDateForComments")),
              element("adoptionDate", item.get("proposedDateOfAdoption")),
              element("entryIntoForceDate", item.get("proposedDateOfEntryIntoForce"))]
    parts += [element("relatedDocument", doc) for doc in item.get("relatedDocuments", [])]
    parts.append("  </notification>\n")
    return "".join(parts)


def _notifications(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    page, size = int(query.get("page", 1)), int(query.get("pageSize", 50))
    xml = query.get("format") == "xml"
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-page-2":
        if xml:
            return 200, "application/xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<notifications><notif'
        return 200, "application/json", b'{"items": [{"documentSymbol": "G/TBT/N/'
    records = _select(NOTIFICATIONS, scenario, query.get("modifiedSince"), "lastModified")
    items = [{**r, "isDeleted": r["documentSymbol"] in DELETED} for r in records]
    pages = max(1, -(-len(items) // size))
    chunk = items[(page - 1) * size: page * size]
    if not xml:
        return _json(200, {"items": chunk, "page": page, "pageCount": pages, "totalCount": len(items)})
    doctype = ('<!DOCTYPE notifications [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
               if scenario == "xxe" else "")
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
            f'<notifications page="{page}" pageCount="{pages}" totalCount="{len(items)}">\n'
            + "".join(_notification_xml(item) for item in chunk) + "</notifications>\n")
    return 200, "application/xml; charset=utf-8", body.encode("utf-8")


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) == 2 and parts[1] == "tieu-chuan":
        return _standards(parts[0], query)
    if len(parts) == 3 and parts[1] == "tieu-chuan":
        record = next((r for r in STANDARDS if r["id"] == parts[2]), None)
        return _json(200, {"ket_qua": record}) if record else _json(404, {"loi": "không tìm thấy"})
    if len(parts) == 3 and parts[1:] == ["tbt", "notifications"]:
        return _notifications(parts[0], query)
    return _json(404, {"loi": "không có tài nguyên này"})
