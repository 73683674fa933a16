"""National standards (TCVN), technical regulations (QCVN) and WTO TBT notifications, from the
Standards, Metrology and Quality Commission (Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia).

``stinfo_standards`` reads the standards database's paged JSON listing, where each record says
whether it is a TCVN or a QCVN (``loai``) -> ``standard_tcvn`` or ``regulation_qcvn`` records.
A record's dataset name is its number as a slug (``TCVN ISO 9001:2015`` ->
``tcvn-iso-9001-2015``), so that "replaces" and "replaced by" become relations
(``related_standards``) that hold even before the other standard is harvested, and across the two
kinds (a TCVN replaced by a QCVN). When a record of another origin (entered by hand) already has
that name, the harvested one gets a name from its title, and relations name the existing record
of the same standard. The first replaced / replacing number of the same kind also
fills ``replaces`` / ``replaced_by``.

``stinfo_tbt`` reads TBT notifications in the shape of the WTO ePing service, as JSON
(``{"items": [...], "pageCount": n}``) or XML (``<notifications pageCount="n"><notification
symbol="G/TBT/N/VNM/312" ...>``: see ``standins/standards.py``), with the Vietnamese titles the
national TBT enquiry point adds -> ``tbt_notification`` records. The document symbol is the
record id; addenda and corrigenda (``/Add.1``, ``/Corr.1``) are records of their own. XML is parsed
by :mod:`.xml` (no document types, no entities, UTF-8 only).

Configuration keys (all optional): the paged-listing keys of :mod:`.helpers` (defaults below),
``mapping`` (``stinfo_standards``: ``{"standard_tcvn": {...}, "regulation_qcvn": {...}}``;
``stinfo_tbt``: one object), ``kinds`` (value of ``loai`` -> record type), ``statuses`` (validity
as written by the source -> ``standard_statuses`` code), ``members`` (ePing member name -> the
name stored), ``format`` (TBT: ``auto``, ``json`` or ``xml``), ``params`` (extra query
parameters, e.g. ``{"format": "xml"}``), ``record_url``, ``source_system``, ``owner_org``,
``full_harvest``.
"""
from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from ckan import model
from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo import identifiers
from ckanext.stinfo.harvesters import helpers, http, mapping
from ckanext.stinfo.harvesters import xml as safe_xml
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

SOURCE_SYSTEM = "CSDL tiêu chuẩn, quy chuẩn kỹ thuật quốc gia, Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia"
TBT_SOURCE_SYSTEM = "Điểm hỏi đáp quốc gia về hàng rào kỹ thuật trong thương mại (TBT Việt Nam)"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

STATUSES = {
    "Còn hiệu lực": "in_force", "Có hiệu lực": "in_force", "Hiện hành": "in_force",
    "Hết hiệu lực": "withdrawn", "Đã hủy bỏ": "withdrawn", "Hủy bỏ": "withdrawn",
    "Đã được thay thế": "replaced", "Bị thay thế": "replaced",
}
STANDARD_DEFAULTS: dict[str, Any] = {
    **helpers.PAGED_DEFAULTS,
    "list_path": "ket_qua",
    "pages_path": "tong_so_trang",
    "deleted_field": "da_xoa",
    "kind_field": "loai",
    "replaces_field": "thay_the",
    "replaced_by_field": "duoc_thay_the_boi",
    "kinds": {"TCVN": "standard_tcvn", "QCVN": "regulation_qcvn"},
    "record_url": "{url}/{id}",
}
COMMON_MAPPING: dict[str, Any] = {
    "title": "ten",
    "title_en": "ten_tieng_anh",
    "notes": "pham_vi",
    "year": "nam",
    "ics_codes": "ics",
    "management_field": {"value": "standards_metrology_quality"},
    "license_id": {"value": "cc-by"},
}
STANDARD_MAPPINGS: dict[str, dict[str, Any]] = {
    "standard_tcvn": {
        **COMMON_MAPPING,
        "standard_number": "so_hieu",
        "decision_number": "quyet_dinh",
        "issuing_body": "co_quan_cong_bo",
        "technical_committee": "ban_ky_thuat",
        "equivalence": "muc_do_tuong_duong",
        "equivalent_to": "tieu_chuan_tuong_ung",
    },
    "regulation_qcvn": {
        **COMMON_MAPPING,
        "regulation_number": "so_hieu",
        "issuing_ministry": "bo_nganh_ban_hanh",
        "issuing_document": "van_ban_ban_hanh",
        "effective_date": "ngay_hieu_luc",
    },
}
NUMBER_FIELD = {"standard_tcvn": "standard_number", "regulation_qcvn": "regulation_number"}
NORMALIZERS = {"standard_tcvn": identifiers.normalize_tcvn_number,
               "regulation_qcvn": identifiers.normalize_qcvn_number}

TBT_DEFAULTS: dict[str, Any] = {
    **helpers.PAGED_DEFAULTS,
    "list_path": "items",
    "pages_path": "pageCount",
    "id_field": "documentSymbol",
    "deleted_field": "isDeleted",
    "size_param": "pageSize",
    "since_param": "modifiedSince",
    "page_size": 50,
    "format": "auto",
    "params": {},
    "areas": ["TBT"],
    "record_url": "{url}#{id}",
}
MEMBERS = {
    "Viet Nam": "Việt Nam", "Vietnam": "Việt Nam", "European Union": "Liên minh châu Âu",
    "China": "Trung Quốc", "United States of America": "Hoa Kỳ", "United States": "Hoa Kỳ",
    "Japan": "Nhật Bản", "Korea, Republic of": "Hàn Quốc", "Thailand": "Thái Lan",
    "Indonesia": "Indonesia", "Malaysia": "Malaysia", "Philippines": "Philippines", "Singapore": "Singapore",
    "India": "Ấn Độ", "Australia": "Úc", "Canada": "Canada", "Brazil": "Brazil",
    "Russian Federation": "Liên bang Nga", "United Kingdom": "Vương quốc Anh",
}
TBT_MAPPING: dict[str, Any] = {
    "title": "titleVi",
    "title_en": "title",
    "notes": "descriptionOfContentVi",
    "notes_en": "descriptionOfContent",
    "notification_symbol": "documentSymbol",
    "notifying_member": "notifyingMember",
    "products": "productsCoveredVi",
    "hs_codes": "hsCodes",
    "ics_codes": "icsCodes",
    "notification_date": "distributionDate",
    "comment_deadline": "finalDateForComments",
    "adoption_date": "proposedDateOfAdoption",
    "entry_into_force_date": "proposedDateOfEntryIntoForce",
    "management_field": {"value": "standards_metrology_quality"},
    "license_id": {"value": "cc-by"},
}
#: Where the English text stands in when the Vietnamese one is missing.
TBT_FALLBACKS = {"title": "title", "notes": "descriptionOfContent", "products": "productsCovered"}


def standard_number(text: str) -> tuple[str | None, str]:
    """``(record type, canonical number)`` of a TCVN or QCVN number; ``(None, text)`` otherwise."""
    for dataset_type, normalize in NORMALIZERS.items():
        try:
            return dataset_type, normalize(text)
        except identifiers.IdentifierError:
            continue
    return None, text


def related_names(numbers: list[str]) -> list[str]:
    """Dataset names of the standards and regulations cited by number (unknown shapes left out)."""
    names = []
    for number in numbers:
        dataset_type, canonical = standard_number(number)
        if dataset_type and helpers.standard_name(canonical) not in names:
            names.append(helpers.standard_name(canonical))
    return names


def _rules_errors(rules: Any, where: str) -> list[str]:
    if not isinstance(rules, dict):
        return [f"'{where}' must be an object from dataset field to rule"]
    rules = {k: v for k, v in rules.items() if v is not None}
    return [f"{where}: {problem}" for problem in mapping.errors(rules)] if rules else []


def _table_errors(config: dict[str, Any], *keys: str) -> list[str]:
    return [f"'{key}' must be an object" for key in keys if key in config and not isinstance(config[key], dict)]


class StandardsHarvester(StinfoHarvester):
    """Harvester ``stinfo_standards``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_standards",
            "title": "Tiêu chuẩn quốc gia (TCVN), quy chuẩn kỹ thuật quốc gia (QCVN)",
            "description": "National standards and technical regulations from the standards database (JSON)",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        return {**STANDARD_DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = helpers.page_size_errors(config) + _table_errors(config, "kinds", "statuses")
        rules = config.get("mapping")
        if rules is not None:
            if not isinstance(rules, dict) or set(rules) - set(STANDARD_MAPPINGS):
                problems.append("'mapping' must be an object with 'standard_tcvn' and/or 'regulation_qcvn'")
            else:
                for dataset_type, type_rules in rules.items():
                    problems += _rules_errors(type_rules, f"mapping.{dataset_type}")
        return problems

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        return helpers.paged_records(url, self.settings(config), since)

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self.settings(config)["record_url"].format(url=url.rstrip("/"), id=quote(guid, safe=""))

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        kind = str(mapping.resolve(record, cfg["kind_field"]) or "").strip().upper()
        dataset_type = cfg["kinds"].get(kind)
        if dataset_type not in STANDARD_MAPPINGS:
            raise MappingError(f"type: the source value '{kind}' is neither a TCVN nor a QCVN ('kinds')")
        rules = {**STANDARD_MAPPINGS[dataset_type], **((cfg.get("mapping") or {}).get(dataset_type) or {}),
                 "standard_status": {"path": "hieu_luc", "values": {**STATUSES, **(cfg.get("statuses") or {})}}}
        package = {"type": dataset_type,
                   **mapping.apply(record, {k: v for k, v in rules.items() if v is not None})}
        number_field = NUMBER_FIELD[dataset_type]
        own_type, number = standard_number(str(package.get(number_field, "")))
        if own_type == dataset_type:
            package[number_field] = number
            name = helpers.standard_name(number)
            holder = model.Package.get(name)
            guid = str(mapping.resolve(record, cfg["id_field"]) or "")
            if holder is None or holder.state == "deleted" or (holder.extras or {}).get("source_record_id") == guid:
                package["name"] = name
            if not package.get("year"):
                package["year"] = re.search(r":(\d{4})", number).group(1)
        replaces = helpers.as_list(mapping.resolve(record, cfg["replaces_field"]))
        replaced_by = helpers.as_list(mapping.resolve(record, cfg["replaced_by_field"]))
        for field, numbers in (("replaces", replaces), ("replaced_by", replaced_by)):
            same_kind = [n for t, n in map(standard_number, numbers) if t == dataset_type]
            if same_kind:
                package[field] = same_kind[0]
        related = related_names(replaces + replaced_by)
        if related:
            package["related_standards"] = related
        return package


# ---------------------------------------------------------------- TBT notifications
def _xml_notifications(response: http.Response) -> tuple[list[dict[str, Any]], int]:
    """The notifications of an XML page in the ePing JSON shape, and the number of pages."""
    try:
        root = safe_xml.parse(response.body)
    except safe_xml.XmlError as err:
        raise http.SourceError(f"{response.url}: {err}") from None
    if root.tag != "notifications":
        raise MappingError(f"{response.url}: the document is not a <notifications> list")
    items = []
    for node in root.findall("notification"):
        def text(tag: str, lang: str | None = None, node=node) -> str:
            for child in node.findall(tag):
                if lang is None or child.get(XML_LANG) == lang:
                    return " ".join((child.text or "").split())
            return ""

        def texts(tag: str, node=node) -> list[str]:
            return [" ".join(c.text.split()) for c in node.findall(tag) if c.text and c.text.strip()]

        item = {
            "id": node.get("id"), "documentSymbol": node.get("symbol"),
            "isDeleted": node.get("deleted") == "true", "lastModified": node.get("lastModified"),
            "area": text("area"), "notifyingMember": text("member"), "distributionDate": text("distributionDate"),
            "title": text("title", "en"), "titleVi": text("title", "vi"),
            "descriptionOfContent": text("description", "en"), "descriptionOfContentVi": text("description", "vi"),
            "productsCovered": text("products", "en"), "productsCoveredVi": text("products", "vi"),
            "hsCodes": texts("hsCode"), "icsCodes": texts("icsCode"), "objectives": texts("objective"),
            "finalDateForComments": text("commentDeadline"), "proposedDateOfAdoption": text("adoptionDate"),
            "proposedDateOfEntryIntoForce": text("entryIntoForceDate"), "relatedDocuments": texts("relatedDocument"),
        }
        items.append({k: v for k, v in item.items() if v not in ("", [], None)})
    try:
        pages = int(root.get("pageCount") or 1)
    except ValueError:
        raise MappingError(f"{response.url}: pageCount is not a number") from None
    return items, pages


class TbtHarvester(StinfoHarvester):
    """Harvester ``stinfo_tbt``."""

    implements(IHarvester)
    source_system = TBT_SOURCE_SYSTEM
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_tbt",
            "title": "Thông báo hàng rào kỹ thuật trong thương mại (WTO TBT)",
            "description": "WTO TBT notifications in the shape of the ePing service (JSON or XML)",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        return {**TBT_DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = helpers.page_size_errors(config) + helpers.mapping_errors(config)
        problems += _table_errors(config, "members", "params")
        if config.get("format", "auto") not in ("auto", "json", "xml"):
            problems.append("'format' must be 'auto', 'json' or 'xml'")
        return problems

    def _page(self, url: str, cfg: dict[str, Any], params: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
        response = http.get(url, params=params, accept="application/json, application/xml;q=0.9")
        fmt = cfg["format"]
        if fmt == "auto":
            fmt = "xml" if "xml" in response.content_type.lower() else "json"
        if fmt == "xml":
            return _xml_notifications(response)
        try:
            body = json.loads(response.text())
        except ValueError as err:
            raise http.SourceError(f"{response.url}: the response is not valid JSON ({err})") from err
        items = mapping.resolve(body, cfg["list_path"])
        if not isinstance(items, list):
            raise MappingError(f"no list at '{cfg['list_path']}' in {response.url}")
        return items, mapping.resolve(body, cfg["pages_path"])

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        page = 1
        while page <= cfg["max_pages"]:
            params = {**cfg["params"], cfg["page_param"]: page, cfg["size_param"]: cfg["page_size"]}
            if since is not None:
                params[cfg["since_param"]] = helpers.since_text(since)
            items, pages = self._page(url, cfg, params)
            for item in items:
                guid = mapping.resolve(item, cfg["id_field"])
                if guid in (None, ""):
                    raise MappingError(f"page {page}: a notification has no '{cfg['id_field']}'")
                if cfg["areas"] and item.get("area") and item["area"] not in cfg["areas"]:
                    continue
                yield SourceRecord(str(guid).strip(), item, deleted=bool(mapping.resolve(item, cfg["deleted_field"])))
            if not items or not isinstance(pages, int) or page >= pages:
                return
            page += 1

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self.settings(config)["record_url"].format(url=url, id=quote(guid, safe=""))

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        package = {"type": "tbt_notification",
                   **mapping.apply(record, helpers.merged_mapping(TBT_MAPPING, config))}
        for field, path in TBT_FALLBACKS.items():
            if not package.get(field) and mapping.resolve(record, path):
                package[field] = mapping.resolve(record, path)
        members = {**MEMBERS, **(cfg.get("members") or {})}
        if package.get("notifying_member") in members:
            package["notifying_member"] = members[package["notifying_member"]]
        symbol = package.get("notification_symbol", "")
        try:
            package["notification_symbol"] = identifiers.normalize_tbt_symbol(symbol)
        except identifiers.IdentifierError as err:
            raise MappingError(f"notification_symbol: '{symbol}': {err}") from None
        related = related_names(helpers.as_list(record.get("relatedDocuments")))
        if related:
            package["related_standards"] = related
        return package
