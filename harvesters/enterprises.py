"""Organisations and enterprises receiving state S&T and innovation support (S&T enterprise
certificates, high-tech enterprise certificates, fund grants and loans, start-up and
technology-transfer support, tax incentives) -> ``supported_enterprise`` records.

One record per support decision (a certificate, a grant contract): the source's record id is
the guid, the enterprise's tax code is required (Circular 22/2025/TT-BKHCN: organisations carry
a tax code or organisation identifier). The listing is paged JSON (``standins/enterprises.py``).

- A decision whose validity says it no longer holds (``status_field``, ``withdrawn_statuses``: a
  revoked or expired certificate) is withdrawn like a deleted record: a published record reads as
  a decision in force.
- The stage of the support itself (``trang_thai_ho_tro``: proposed, approved, in progress,
  completed, terminated) becomes ``support_status`` through :data:`SUPPORT_STATUSES`; a certificate
  usually has none.
- A record whose tax code is a 12-digit personal identification number (a household business
  taxed under its owner's number since July 2025) is an individual's record: it is refused at
  gather, and neither the number nor the record is stored or shown in a message.
- Provinces are written as names, current codes or pre-July-2025 codes and names; they are
  stored as the code of one of the 34 current units. National field codes become OECD FORD codes.
- ``related_organizations`` links the S&T organisation record with the same tax code (or, for a
  branch ``NNNNNNNNNN-NNN``, its parent's), when there is one.

Configuration keys (all optional): the paged-listing keys of :mod:`.helpers` (defaults below),
``tax_code_field``, ``status_field``, ``withdrawn_statuses``, ``mapping`` (rules over the
defaults of :data:`MAPPING`), ``record_url`` (``{url}#{id}``), ``source_system``, ``owner_org``,
``full_harvest``.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo.harvesters import helpers, mapping
from ckanext.stinfo.harvesters.base import SourceRecord, StinfoHarvester

SOURCE_SYSTEM = "CSDL tổ chức, doanh nghiệp được hỗ trợ, ưu đãi về khoa học, công nghệ và đổi mới sáng tạo"
SUPPORT_KINDS = {
    "Giấy chứng nhận doanh nghiệp khoa học và công nghệ": "st_enterprise_certificate",
    "Chứng nhận doanh nghiệp khoa học và công nghệ": "st_enterprise_certificate",
    "Chứng nhận doanh nghiệp công nghệ cao": "high_tech_enterprise",
    "Giấy chứng nhận doanh nghiệp công nghệ cao": "high_tech_enterprise",
    "Hỗ trợ khởi nghiệp đổi mới sáng tạo": "innovation_startup",
    "Tài trợ từ Quỹ Đổi mới công nghệ quốc gia": "fund_grant",
    "Tài trợ từ Quỹ Phát triển khoa học và công nghệ": "fund_grant",
    "Cho vay từ Quỹ Phát triển khoa học và công nghệ": "fund_grant",
    "Hỗ trợ chuyển giao công nghệ": "technology_transfer",
    "Hỗ trợ đổi mới công nghệ": "technology_transfer",
    "Ưu đãi thuế": "tax_incentive",
    "Khác": "other",
}
#: The source's wording of a support's stage -> ``support_statuses`` code.
SUPPORT_STATUSES = {
    "Đề xuất": "proposed", "Đang đề xuất": "proposed", "Chờ phê duyệt": "proposed",
    "Đã phê duyệt": "approved", "Được phê duyệt": "approved",
    "Đang thực hiện": "in_progress", "Đang triển khai": "in_progress", "Đang hỗ trợ": "in_progress",
    "Đã hoàn thành": "completed", "Hoàn thành": "completed", "Đã nghiệm thu": "completed",
    "Đã thanh lý hợp đồng": "completed",
    "Chấm dứt": "terminated", "Chấm dứt hỗ trợ": "terminated", "Dừng thực hiện": "terminated",
    "Dừng hỗ trợ": "terminated",
}
DEFAULTS: dict[str, Any] = {
    **helpers.PAGED_DEFAULTS,
    "deleted_field": "da_xoa",
    "tax_code_field": "ma_so_thue",
    "status_field": "tinh_trang",
    "withdrawn_statuses": ["Đã thu hồi", "Hết hiệu lực", "Chấm dứt"],
    "record_url": "{url}#{id}",
}
MAPPING: dict[str, Any] = {
    "title": "ten_doanh_nghiep",
    "title_en": "ten_tieng_anh",
    "notes": "noi_dung",
    "tax_code": "ma_so_thue",
    "support_kind": {"path": "hinh_thuc", "values": SUPPORT_KINDS},
    "certificate_number": "so_giay_chung_nhan",
    "certificate_date": "ngay_cap",
    "issuing_body": "co_quan_cap",
    "support_amount": "gia_tri_ho_tro",
    "support_status": {"path": "trang_thai_ho_tro", "values": SUPPORT_STATUSES},
    "province": "tinh_thanh",
    "address": "dia_chi",
    "fields_of_science": "linh_vuc",
    "license_id": {"value": "cc-by"},
}
_PERSONAL_NUMBER = re.compile(r"\d{12}")


class EnterpriseHarvester(StinfoHarvester):
    """Harvester ``stinfo_enterprises``."""

    implements(IHarvester)
    source_system = SOURCE_SYSTEM
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_enterprises",
            "title": "Tổ chức, doanh nghiệp được hỗ trợ, ưu đãi về KH&CN và ĐMST",
            "description": "S&T enterprise certificates, high-tech certificates, fund grants and other support (JSON)",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        return {**DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = helpers.page_size_errors(config) + helpers.mapping_errors(config)
        statuses = config.get("withdrawn_statuses", [])
        if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
            problems.append("'withdrawn_statuses' must be a list of texts")
        return problems

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        withdrawn = {s.strip().lower() for s in cfg["withdrawn_statuses"]}
        self._refusals = getattr(self, "_refusals", [])
        for record in helpers.paged_records(url, cfg, since):
            if record.deleted:
                yield record
                continue
            tax_code = re.sub(r"[\s.]", "", str(mapping.resolve(record.content, cfg["tax_code_field"]) or ""))
            if _PERSONAL_NUMBER.fullmatch(tax_code):
                self._refusals.append(
                    f"Record {record.guid} was refused: its tax code is a personal identification number "
                    "(an individual's business); individuals' records are not published.")
                continue
            status = str(mapping.resolve(record.content, cfg["status_field"]) or "").strip().lower()
            if status in withdrawn:
                yield SourceRecord(record.guid, None, deleted=True)
                continue
            yield record

    def gather_stage(self, harvest_job) -> list[str]:
        """The base's gather, then the refusals found while listing as gather errors."""
        self._refusals = []
        ids = super().gather_stage(harvest_job)
        for message in self._refusals:
            self._save_gather_error(message, harvest_job)
        return ids

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self.settings(config)["record_url"].format(url=url, id=guid)

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        package = {"type": "supported_enterprise", **mapping.apply(record, helpers.merged_mapping(MAPPING, config))}
        if package.get("province"):
            package["province"] = helpers.province_code(package["province"])
        if package.get("fields_of_science"):
            package["fields_of_science"] = helpers.fields_of_science(package["fields_of_science"])
        startup = package.get("support_kind") == "innovation_startup"
        package.setdefault("management_field", "innovation" if startup else "science_technology")
        tax_code = str(package.get("tax_code", ""))
        organization = helpers.organization_by_tax_code(tax_code) or (
            helpers.organization_by_tax_code(tax_code.split("-")[0]) if "-" in tax_code else None)
        if organization:
            package["related_organizations"] = [organization]
        return package
