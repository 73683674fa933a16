"""Stand-in for the IP Office of Viet Nam (Cục Sở hữu trí tuệ): the industrial-property gazette's
patent publications as WIPO ST.96-style XML, and the register of IP representatives as JSON.

``/ip-office/<scenario>/patents`` lists patents and utility solutions, newest first
(``from=YYYY-MM-DD`` for records changed since that day, ``page``, ``page_size``): a
``pat:PatentPublicationBag`` whose ``vn:page``/``vn:pages`` attributes tell the paging;
``/ip-office/<scenario>/patents/<application number>`` shows one record;
``/ip-office/<scenario>/fulltext/<application number>.pdf`` is its full text (a small PDF).
Elements follow ST.96 (Patent and Common namespaces) where it has them; what the national
gazette adds (status, gazette issue as number, volume A or B and date, full-text link, record
status, security classification) is in the ``vn:`` extension namespace; the full-text link is
relative to the listing, as the gazette writes it.

``/ip-office/<scenario>/representatives`` lists the register of industrial-property
representation firms and agents (``page``, ``page_size``, ``modified_since``):
``{"du_lieu": [...], "phan_trang": {"trang": 1, "so_trang": 2, "tong": 6}}``.

Scenarios: ``ok``; ``error-page-2`` (HTTP 500 from page 2 on); ``bad-xml-page-2`` (a truncated
document, or truncated JSON for the register); ``xxe`` (a document type declaring an external
entity); ``latin1`` (the gazette declared and encoded as ISO-8859-1); ``secret`` (a secret
invention, marked ``vn:securityClassification="Mật"``); ``design`` (an industrial-design
application, type 3, slipped into the patent feed); ``duplicate`` (one record listed twice);
``empty`` (no records). Tests edit ``PATENTS``, ``REPRESENTATIVES`` and ``DELETED`` to simulate
changes at the source, or set ``OVERRIDE`` to make every URL behave as one scenario. People's
names, companies and tax codes are invented.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from lxml import etree

PREFIX = "/ip-office"
FOLDER = Path(__file__).parent / "payloads" / "ip_office"
PAT = "http://www.wipo.int/standards/XMLSchema/ST96/Patent"
COM = "http://www.wipo.int/standards/XMLSchema/ST96/Common"
VN = "urn:vn:ipvietnam:st96:extension"
NSMAP = {"pat": PAT, "com": COM, "vn": VN}

ORIGINAL_PATENTS: list[dict] = json.loads((FOLDER / "patents.json").read_text(encoding="utf-8"))
ORIGINAL_REPRESENTATIVES: list[dict] = json.loads((FOLDER / "representatives.json").read_text(encoding="utf-8"))
PATENTS: list[dict] = copy.deepcopy(ORIGINAL_PATENTS)
REPRESENTATIVES: list[dict] = copy.deepcopy(ORIGINAL_REPRESENTATIVES)
#: Application numbers or register codes the source reports deleted.
DELETED: set[str] = set()
#: A scenario that replaces the one in every URL (None: the URL's own).
OVERRIDE: str | None = None

SECRET = {
    **ORIGINAL_PATENTS[0], "application_number": "1-2024-09999", "security": "Mật",
    "title": {"vi": "Thiết bị mật (không được công bố)", "en": "Classified device"},
}
DESIGN = {
    **ORIGINAL_PATENTS[2], "application_number": "3-2023-01456", "grant_number": "", "grant_date": "",
    "title": {"vi": "Chai đựng nước mắm", "en": "Fish sauce bottle"}, "ipc": [],
}
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def reset() -> None:
    """Back to the shipped payloads, every URL its own scenario."""
    global OVERRIDE
    OVERRIDE = None
    PATENTS[:] = copy.deepcopy(ORIGINAL_PATENTS)
    REPRESENTATIVES[:] = copy.deepcopy(ORIGINAL_REPRESENTATIVES)
    DELETED.clear()


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}")
    for key, value in attrs.items():
        a_prefix, a_name = key.split("_", 1)
        element.set(f"{{{NSMAP[a_prefix]}}}{a_name}", value)
    if text is not None:
        element.text = text
    return element


def _party(bag, tag: str, names: list[str], person: bool) -> None:
    for name in names:
        contact = _el(_el(bag, tag), "com:Contact")
        holder = _el(contact, "com:Name")
        if person:
            _el(_el(holder, "com:PersonName"), "com:PersonFullName", name)
        else:
            _el(holder, "com:EntityName", name)


def _publication(parent, record: dict, scenario: str) -> None:
    number = record["application_number"]
    deleted = number in DELETED
    pub = _el(parent, "pat:PatentPublication", vn_recordStatus="deleted" if deleted else "active",
              vn_lastModified=record.get("modified", ""))
    if record.get("security"):
        pub.set(f"{{{VN}}}securityClassification", record["security"])
    bib = _el(pub, "pat:BibliographicData")
    app = _el(bib, "pat:ApplicationIdentification")
    _el(_el(app, "com:ApplicationNumber"), "com:ApplicationNumberText", number)
    if deleted:
        return
    _el(app, "pat:FilingDate", record["filing_date"])
    if record.get("publication_number"):
        ident = _el(bib, "pat:PatentPublicationIdentification")
        _el(ident, "com:IPOfficeCode", "VN")
        pub_number, _, kind = record["publication_number"].partition(" ")
        _el(ident, "pat:PublicationNumber", pub_number)
        _el(ident, "com:PatentDocumentKindCode", kind or "A")
        _el(ident, "com:PublicationDate", record["publication_date"])
    if record.get("grant_number"):
        grant = _el(bib, "pat:PatentGrantIdentification")
        _el(grant, "pat:PatentNumber", record["grant_number"])
        _el(grant, "pat:GrantDate", record["grant_date"])
    if record.get("ipc"):
        ipcr = _el(_el(bib, "pat:PatentClassificationBag"), "pat:IPCRClassificationBag")
        for index, symbol in enumerate(record["ipc"]):
            tag = "pat:MainIPCRClassification" if index == 0 else "pat:FurtherIPCRClassification"
            _el(_el(ipcr, tag), "pat:PatentClassificationText", symbol)
    titles = _el(bib, "pat:InventionTitleBag")
    for lang, text in record["title"].items():
        _el(titles, "pat:InventionTitle", text, com_languageCode=lang)
    parties = _el(bib, "pat:PartyBag")
    _party(_el(parties, "pat:ApplicantBag"), "pat:Applicant", record.get("applicants", []), person=False)
    _party(_el(parties, "pat:InventorBag"), "pat:Inventor", record.get("inventors", []), person=True)
    if record.get("owners"):
        _party(_el(parties, "pat:GranteeBag"), "pat:Grantee", record["owners"], person=False)
    for lang, text in record.get("abstract", {}).items():
        _el(_el(pub, "pat:Abstract", com_languageCode=lang), "com:P", text)
    _el(pub, "vn:ApplicationStatus", record["status"])
    if record.get("gazette"):
        gazette = _el(pub, "vn:Gazette")
        _el(gazette, "vn:GazetteNumber", record["gazette"]["number"])
        _el(gazette, "vn:GazetteVolume", record["gazette"]["volume"])
        _el(gazette, "com:PublicationDate", record["gazette"]["date"])
    if record.get("full_text"):
        _el(pub, "vn:FullTextDocument", com_mediaType="application/pdf",
            vn_uri=record["full_text"])


def _xml(root: etree._Element, scenario: str) -> tuple[int, str, bytes]:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if scenario == "latin1":
        text = body.decode("utf-8").replace("encoding='UTF-8'", "encoding='ISO-8859-1'")
        return 200, "application/xml", text.encode("latin-1", errors="replace")
    if scenario == "xxe":
        doctype = b'<!DOCTYPE bag [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        declaration, _, rest = body.partition(b"\n")
        return 200, "application/xml", declaration + b"\n" + doctype + rest.replace(
            b"</com:IPOfficeCode>", b"&xxe;</com:IPOfficeCode>", 1)
    return 200, "application/xml; charset=utf-8", body


def _patent_records(scenario: str, since: str | None) -> list[dict]:
    records = [] if scenario == "empty" else sorted(PATENTS, key=lambda r: r.get("modified", ""), reverse=True)
    if since:
        records = [r for r in records if r.get("modified", "")[:10] >= since]
    if scenario == "secret":
        records.append(SECRET)
    if scenario == "design":
        records.append(DESIGN)
    if scenario == "duplicate" and records:
        records.append(records[0])
    return records


def _patents(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    page, size = int(query.get("page", 1)), int(query.get("page_size", 50))
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-xml-page-2":
        return 200, "application/xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<pat:PatentPublicationBag xmlns:pat'
    records = _patent_records(scenario, query.get("from"))
    pages = max(1, -(-len(records) // size))
    bag = etree.Element(f"{{{PAT}}}PatentPublicationBag", nsmap=NSMAP)
    bag.set(f"{{{COM}}}st96Version", "V6_0")
    bag.set(f"{{{VN}}}page", str(page))
    bag.set(f"{{{VN}}}pages", str(pages))
    bag.set(f"{{{VN}}}total", str(len(records)))
    for record in records[(page - 1) * size: page * size]:
        _publication(bag, record, scenario)
    return _xml(bag, scenario)


def _patent(scenario: str, number: str) -> tuple[int, str, bytes]:
    record = next((r for r in PATENTS if r["application_number"] == number), None)
    if record is None:
        return 404, "application/json; charset=utf-8", json.dumps({"loi": "không tìm thấy đơn"}).encode()
    bag = etree.Element(f"{{{PAT}}}PatentPublicationBag", nsmap=NSMAP)
    _publication(bag, record, scenario)
    return _xml(bag, scenario)


def _representatives(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
    if page >= 2 and scenario == "error-page-2":
        return 500, "text/plain", b"Internal Server Error"
    if page >= 2 and scenario == "bad-xml-page-2":
        return 200, "application/json", b'{"du_lieu": [{"ma": "TC-9'
    records = [] if scenario == "empty" else list(REPRESENTATIVES)
    since = query.get("modified_since")
    if since:
        records = [r for r in records if r["ngay_cap_nhat"] > since]
    items = [{**r, "da_xoa": r["ma"] in DELETED} for r in records]
    if scenario == "duplicate" and items:
        items.append(items[0])
    pages = max(1, -(-len(items) // size))
    body = {"du_lieu": items[(page - 1) * size: page * size],
            "phan_trang": {"trang": page, "so_trang": pages, "tong": len(items)}}
    return 200, "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode()


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) >= 2 and parts[1] == "patents":
        if len(parts) == 2:
            return _patents(parts[0], query)
        if len(parts) == 3:
            return _patent(parts[0], parts[2])
    if len(parts) == 3 and parts[1] == "fulltext" and parts[2].endswith(".pdf"):
        if any(r.get("full_text") == f"fulltext/{parts[2]}" for r in PATENTS):
            return 200, "application/pdf", PDF
    if len(parts) == 2 and parts[1] == "representatives":
        return _representatives(parts[0], query)
    return 404, "application/json; charset=utf-8", json.dumps({"loi": "không có tài nguyên này"},
                                                                ensure_ascii=False).encode()
