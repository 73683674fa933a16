"""Industrial property from the IP Office of Viet Nam (Cục Sở hữu trí tuệ).

``stinfo_ip_publications``: patents and utility solutions published in the industrial-property
gazette (Công báo Sở hữu công nghiệp), as WIPO ST.96-style XML, with the full text as a PDF
link -> ``patent`` records. ``stinfo_ip_representatives``: the register of industrial-property
representation firms and agents, as paged JSON -> ``ip_representative`` records.

The gazette feed (see ``standins/ip_office.py`` for its shape)::

    GET {url}?from=2025-01-01&page=1&page_size=50
    200 application/xml
    <pat:PatentPublicationBag vn:page="1" vn:pages="3" ...>
      <pat:PatentPublication vn:recordStatus="active|deleted" vn:lastModified="...">
        <pat:BibliographicData> (21)(22) ApplicationIdentification, (43) PatentPublicationIdentification,
          (11)(45) PatentGrantIdentification, (51) IPCRClassificationBag, (54) InventionTitleBag,
          (71)(72)(73) PartyBag </pat:BibliographicData>
        <pat:Abstract com:languageCode="vi"> (57), <vn:ApplicationStatus>, <vn:FullTextDocument vn:uri="...">
        <vn:Gazette> <vn:GazetteNumber>426</vn:GazetteNumber> <vn:GazetteVolume>A</vn:GazetteVolume>
          <com:PublicationDate>2023-09-25</com:PublicationDate> </vn:Gazette>

Every document is parsed by :mod:`.xml` (no document types, no entities, UTF-8 only). A record is
mapped to a canonical object first (the harvest object's content, in English keys: see
:func:`parse_publication`), then through the mapping (defaults in :data:`PATENT_MAPPING`, any
rule overridable in the source's ``mapping``). The kind of protection comes from the type digit
of the application number (1 invention, 2 utility solution); another type (3 industrial design,
4 trademark) is a per-record error. The gazette issue that carried the publication (Công báo Sở hữu
công nghiệp, volume A for applications, B for grants) fills ``gazette_number`` (``426A``) and
``gazette_date``. A publication marked ``vn:securityClassification`` (a secret
invention) is refused before anything of it is stored.

Configuration keys (all optional): ``page_size`` (50), ``from_overlap_days`` (1: incremental runs
ask from the day before the last complete run), ``mapping``, ``source_system``, ``owner_org``,
``full_harvest``; the register also takes the paged-listing keys of :mod:`.helpers` (defaults
below) and ``record_url`` (``{url}#{id}``).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo.harvesters import helpers, http, mapping
from ckanext.stinfo.harvesters import xml as safe_xml
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

PAT = "http://www.wipo.int/standards/XMLSchema/ST96/Patent"
COM = "http://www.wipo.int/standards/XMLSchema/ST96/Common"
VN = "urn:vn:ipvietnam:st96:extension"
NS = {"pat": PAT, "com": COM, "vn": VN}
SOURCE_SYSTEM = "CSDL sở hữu công nghiệp, Cục Sở hữu trí tuệ"

PATENT_STATUSES = {
    "Đã nộp đơn": "filed", "Đang thẩm định": "filed", "Đã công bố đơn": "published",
    "Đã cấp văn bằng": "granted", "Đã cấp bằng": "granted", "Từ chối": "refused",
    "Từ chối cấp văn bằng": "refused", "Rút đơn": "withdrawn", "Đơn đã rút": "withdrawn",
    "Hết hạn": "expired", "Hết thời hạn bảo hộ": "expired", "Chấm dứt hiệu lực": "lapsed",
}
#: Type digit of an application number -> kind of protection of a ``patent`` record.
IP_KINDS = {"1": "invention", "2": "utility_solution"}
OTHER_KINDS = {"3": "an industrial design", "4": "a trademark"}

PATENT_MAPPING: dict[str, Any] = {
    "title": "title",
    "title_en": "title_en",
    "notes": "abstract",
    "notes_en": "abstract_en",
    "application_number": "application_number",
    "filing_date": "filing_date",
    "publication_number": "publication_number",
    "publication_date": "publication_date",
    "gazette_number": "gazette_number",
    "gazette_date": "gazette_date",
    "grant_number": "grant_number",
    "grant_date": "grant_date",
    "ipc_classes": "ipc",
    "applicants": "applicants",
    "inventors": "inventors",
    "owner": {"path": "owners", "join": "; "},
    "patent_status": {"path": "status", "values": PATENT_STATUSES},
    "management_field": {"value": "intellectual_property"},
    "license_id": {"value": "cc-by"},
}

REPRESENTATIVE_DEFAULTS: dict[str, Any] = {
    **helpers.PAGED_DEFAULTS,
    "list_path": "du_lieu",
    "pages_path": "phan_trang.so_trang",
    "id_field": "ma",
    "deleted_field": "da_xoa",
    "firm_field": "to_chuc_ma",
    "record_url": "{url}#{id}",
}
REPRESENTATIVE_MAPPING: dict[str, Any] = {
    "title": "ten",
    "title_en": "ten_tieng_anh",
    "notes": "gioi_thieu",
    "representative_kind": {"path": "loai", "values": {"Tổ chức": "organization", "Cá nhân": "agent"}},
    "registration_number": "so_dang_ky",
    "registration_date": "ngay_ghi_nhan",
    "tax_code": "ma_so_thue",
    "service_scope": {"path": "pham_vi", "values": {
        "Sáng chế": "invention", "Giải pháp hữu ích": "invention", "Kiểu dáng công nghiệp": "industrial_design",
        "Nhãn hiệu": "trademark", "Chỉ dẫn địa lý": "geographical_indication",
        "Thiết kế bố trí mạch tích hợp": "layout_design", "Thiết kế bố trí": "layout_design"}},
    "representative_status": {"path": "tinh_trang", "values": {
        "Đang hoạt động": "active", "Tạm đình chỉ": "suspended", "Đã xóa tên": "removed"}},
    "province": "tinh_thanh",
    "address": "dia_chi",
    "website": "website",
    "email": "email",
    "management_field": {"value": "intellectual_property"},
    "license_id": {"value": "cc-by"},
}


# ---------------------------------------------------------------- gazette XML
def _text(element, path: str) -> str:
    found = element.find(path, NS)
    return " ".join(found.text.split()) if found is not None and found.text else ""


def _texts(element, path: str) -> list[str]:
    return [" ".join(e.text.split()) for e in element.findall(path, NS) if e.text and e.text.strip()]


def _by_language(element, path: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for node in element.findall(path, NS):
        text = " ".join("".join(node.itertext()).split())
        lang = (node.get(f"{{{COM}}}languageCode") or "vi").lower()[:2]
        if text and lang not in result:
            result[lang] = text
    return result


def _party_names(bib, bag: str, party: str) -> list[str]:
    names = []
    for contact in bib.findall(f"pat:PartyBag/pat:{bag}/pat:{party}/com:Contact/com:Name", NS):
        name = _text(contact, "com:EntityName") or _text(contact, "com:PersonName/com:PersonFullName")
        if name:
            names.append(name)
    return names


def _gazette(element) -> dict[str, str]:
    """The gazette issue of a publication: number and volume (``426A``) and the issue's date."""
    gazette = element.find("vn:Gazette", NS)
    if gazette is None:
        return {}
    number = _text(gazette, "vn:GazetteNumber")
    return {"gazette_number": number + _text(gazette, "vn:GazetteVolume") if number else "",
            "gazette_date": _text(gazette, "com:PublicationDate")}


def parse_publication(element, base_url: str) -> tuple[str, dict[str, Any], bool]:
    """``(application number, canonical record, deleted)`` of one ``pat:PatentPublication``."""
    bib = element.find("pat:BibliographicData", NS)
    if bib is None:
        raise MappingError("a publication has no pat:BibliographicData")
    number = _text(bib, "pat:ApplicationIdentification/com:ApplicationNumber/com:ApplicationNumberText")
    if not number:
        raise MappingError("a publication has no application number (INID 21)")
    if element.get(f"{{{VN}}}recordStatus") == "deleted":
        return number, {"application_number": number}, True
    titles = _by_language(bib, "pat:InventionTitleBag/pat:InventionTitle")
    abstracts = _by_language(element, "pat:Abstract")
    publication = bib.find("pat:PatentPublicationIdentification", NS)
    grant = bib.find("pat:PatentGrantIdentification", NS)
    record: dict[str, Any] = {
        "application_number": number,
        "filing_date": _text(bib, "pat:ApplicationIdentification/pat:FilingDate"),
        "title": titles.get("vi") or titles.get("en", ""),
        "title_en": titles.get("en", ""),
        "abstract": abstracts.get("vi") or abstracts.get("en", ""),
        "abstract_en": abstracts.get("en", ""),
        "ipc": _texts(bib, "pat:PatentClassificationBag/pat:IPCRClassificationBag/*/pat:PatentClassificationText"),
        "applicants": _party_names(bib, "ApplicantBag", "Applicant"),
        "inventors": _party_names(bib, "InventorBag", "Inventor"),
        "owners": _party_names(bib, "GranteeBag", "Grantee"),
        "status": _text(element, "vn:ApplicationStatus"),
        **_gazette(element),
        "modified": element.get(f"{{{VN}}}lastModified", ""),
    }
    if publication is not None:
        kind = _text(publication, "com:PatentDocumentKindCode")
        record["publication_number"] = " ".join(filter(None, [_text(publication, "pat:PublicationNumber"), kind]))
        record["publication_date"] = _text(publication, "com:PublicationDate")
    if grant is not None:
        record["grant_number"] = _text(grant, "pat:PatentNumber")
        record["grant_date"] = _text(grant, "pat:GrantDate")
    full_text = element.find("vn:FullTextDocument", NS)
    if full_text is not None and full_text.get(f"{{{VN}}}uri"):
        record["full_text_url"] = urljoin(base_url, full_text.get(f"{{{VN}}}uri"))
        record["full_text_type"] = full_text.get(f"{{{COM}}}mediaType", "application/pdf")
    classification = element.get(f"{{{VN}}}securityClassification")
    if classification:
        record["do_mat"] = classification
    return number, {k: v for k, v in record.items() if v not in ("", [], None)}, False


def _parse_page(response: http.Response):
    try:
        root = safe_xml.parse(response.body)
    except safe_xml.XmlError as err:
        raise http.SourceError(f"{response.url}: {err}") from None
    if root.tag != f"{{{PAT}}}PatentPublicationBag":
        raise MappingError(f"{response.url}: the document is not a pat:PatentPublicationBag")
    return root


class IpPublicationsHarvester(StinfoHarvester):
    """Harvester ``stinfo_ip_publications``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_ip_publications",
            "title": "Công bố sở hữu công nghiệp, sáng chế toàn văn (Cục Sở hữu trí tuệ)",
            "description": "Patents and utility solutions from the industrial-property gazette (WIPO ST.96 XML)",
        }

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = helpers.page_size_errors(config) + helpers.mapping_errors(config)
        overlap = config.get("from_overlap_days", 1)
        if not isinstance(overlap, int) or isinstance(overlap, bool) or not 0 <= overlap <= 365:
            problems.append("'from_overlap_days' must be a whole number from 0 to 365")
        return problems

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        size = config.get("page_size", 50)
        page, pages = 1, 1
        while page <= pages:
            params: dict[str, Any] = {"page": page, "page_size": size}
            if since is not None:
                start = since - datetime.timedelta(days=config.get("from_overlap_days", 1))
                params["from"] = start.date().isoformat()
            response = http.get(url, params=params, accept="application/xml")
            root = _parse_page(response)
            publications = root.findall("pat:PatentPublication", NS)
            for element in publications:
                number, record, deleted = parse_publication(element, response.url)
                yield SourceRecord(number, record, deleted=deleted)
            try:
                pages = int(root.get(f"{{{VN}}}pages") or 1)
            except ValueError:
                raise MappingError(f"page {page}: vn:pages is not a number") from None
            if not publications:
                return
            page += 1

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return f"{url.rstrip('/')}/{guid}"

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        number = str(record.get("application_number", ""))
        kind_digit = number[:1]
        if kind_digit in OTHER_KINDS:
            raise MappingError(f"ip_kind: application {number} is {OTHER_KINDS[kind_digit]}, "
                               "not a patent or utility solution")
        package = {"type": "patent", **mapping.apply(record, helpers.merged_mapping(PATENT_MAPPING, config))}
        if kind_digit in IP_KINDS:
            package.setdefault("ip_kind", IP_KINDS[kind_digit])
        if record.get("full_text_url"):
            package["resources"] = [{
                "url": record["full_text_url"],
                "name": f"Toàn văn sáng chế {number}",
                "name_en": f"Full text of application {number}",
                "description": _gazette_issue(record),
                "format": "PDF",
            }]
        return package


def _gazette_issue(record: dict[str, Any]) -> str:
    """``Công báo Sở hữu công nghiệp số 426A (2023-09-25)``, or empty when the record names no issue."""
    if not record.get("gazette_number"):
        return ""
    date = f" ({record['gazette_date']})" if record.get("gazette_date") else ""
    return f"Công báo Sở hữu công nghiệp số {record['gazette_number']}{date}"


# ---------------------------------------------------------------- register of representatives
class IpRepresentativesHarvester(StinfoHarvester):
    """Harvester ``stinfo_ip_representatives``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_ip_representatives",
            "title": "Tổ chức dịch vụ, người đại diện sở hữu công nghiệp (Cục Sở hữu trí tuệ)",
            "description": "The register of industrial-property representation firms and agents (JSON)",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        return {**REPRESENTATIVE_DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        return helpers.page_size_errors(config) + helpers.mapping_errors(config)

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        return helpers.paged_records(url, self.settings(config), since)

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self.settings(config)["record_url"].format(url=url, id=guid)

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        package = {"type": "ip_representative",
                   **mapping.apply(record, helpers.merged_mapping(REPRESENTATIVE_MAPPING, config))}
        if package.get("province"):
            package["province"] = helpers.province_code(package["province"])
        if package.get("representative_kind") == "organization" and not package.get("tax_code"):
            raise MappingError("tax_code: a representation firm must carry its tax code")
        firm = mapping.resolve(record, cfg["firm_field"]) if cfg.get("firm_field") else None
        if firm:
            name = helpers.dataset_name_by_source_id("ip_representative", str(firm))
            if name:
                package["related_organizations"] = [name]
        return package
