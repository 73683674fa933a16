"""Realistic STInfo records for benchmarks, deterministic with a seed, streamed as JSON lines.

Every record type of ``schemas/`` appears, with its required fields valid for the schema's
validators (tax codes, ORCID iDs, ROR IDs, ISSNs, DOIs, TCVN/QCVN numbers, patent application
numbers, vocabulary codes), Vietnamese text with diacritics, and relations between records
(a task's lead organisation and principal investigator, a researcher's affiliation and tasks,
a publication's patents, ...) that always point at records generated earlier in the stream.

Record ``i`` depends only on ``(seed, i)``: a record, or the name of a related record, is
recomputed without generating what comes before it, and the 10k stream is the first 10k
records of the 1M stream.

    python bench/generate.py --records 100000 --out bench/out/records-100k.jsonl
    python bench/generate.py --records 200 --validate -c var/stinfo_bench.ini   # check with the schemas

Each line is a dataset dict ready for ``package_create`` (``owner_org`` is the name of one of
the publisher organisations of :func:`organizations`).
"""
from __future__ import annotations

import argparse
import json
import random
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    from bench import common
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common

from ckanext.stinfo.identifiers import slugify_vi
from ckanext.stinfo.vocabularies import vocabulary
from stdnum import issn as stdnum_issn
from stdnum.iso7064 import mod_11_2
from stdnum.vn import mst

# ---------------------------------------------------------------- the mix of record types
# Per 100 records: what a national S&T catalogue holds (publications and people dominate).
MIX = {
    "publication": 34, "researcher": 16, "st_task": 15, "patent": 8, "st_organization": 5,
    "standard_tcvn": 5, "supported_enterprise": 4, "statistics": 3, "regulation_qcvn": 2,
    "tbt_notification": 2, "radiation_monitoring": 2, "ip_representative": 2, "dataset": 2,
}
PATTERN: list[str] = []
for _type, _count in MIX.items():
    PATTERN.extend([_type] * _count)
random.Random(20250701).shuffle(PATTERN)
SLOTS = {t: [i for i, p in enumerate(PATTERN) if p == t] for t in MIX}
BLOCK = len(PATTERN)
assert BLOCK == 100

# ---------------------------------------------------------------- vocabularies
V = {name: vocabulary(name).codes() for name in (
    "provinces", "fields_of_science", "management_fields", "licenses", "formats", "frequencies",
    "task_levels", "task_forms", "task_statuses", "organization_kinds", "patent_statuses",
    "standard_statuses", "data_themes")}
FIELDS = [c for c in V["fields_of_science"] if "." in c]
PROVINCE_NAMES = {c: vocabulary("provinces").label(c) for c in V["provinces"]}
LICENCES = ["CC-BY-4.0"] * 5 + ["CC0-1.0"] * 2 + ["CC-BY-SA-4.0", "ODC-By-1.0", "other-open", "other-closed"]
FORMATS = ["PDF"] * 4 + ["CSV"] * 3 + ["XLSX"] * 2 + ["JSON", "XML", "DOCX", "HTML", "ZIP", "API", "RDF_TURTLE"]

# ---------------------------------------------------------------- Vietnamese words
HO = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
      "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tạ"]
DEM = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu", "Hoài", "Bảo", "Công", "Kim"]
TEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
       "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang",
       "Trung", "Tuấn", "Việt", "Yến", "Đạt", "Hiếu", "Lộc", "Nghĩa", "Thủy", "Vân", "Oanh", "Khoa", "Duy"]
ACTIONS = ["Nghiên cứu", "Ứng dụng", "Phát triển", "Đánh giá", "Xây dựng", "Thiết kế và chế tạo", "Hoàn thiện",
           "Khảo sát", "Tối ưu hóa", "Chuyển giao", "Số hóa", "Mô hình hóa"]
OBJECTS = ["vật liệu nano từ tính", "giống lúa chịu mặn", "hệ thống quan trắc môi trường", "vắc xin phòng bệnh",
           "công nghệ xử lý nước thải", "cảm biến sinh học", "trí tuệ nhân tạo", "năng lượng tái tạo",
           "pin mặt trời hiệu suất cao", "chế phẩm sinh học", "dữ liệu lớn", "robot công nghiệp",
           "vật liệu composite", "quy trình nuôi tôm thẻ chân trắng", "hệ thống cảnh báo lũ quét",
           "thuốc từ dược liệu", "công nghệ chuỗi khối", "mạng cảm biến không dây", "thiết bị y tế",
           "bản đồ số địa chất", "hợp kim nhôm", "phân bón hữu cơ vi sinh", "lò phản ứng hạt nhân nghiên cứu",
           "tiêu chuẩn đo lường", "nền tảng số quản lý khoa học", "cây dược liệu quý", "bê tông cường độ cao"]
CONTEXTS = ["tại đồng bằng sông Cửu Long", "cho vùng núi phía Bắc", "phục vụ phát triển kinh tế - xã hội",
            "trong điều kiện biến đổi khí hậu", "ở Việt Nam", "cho doanh nghiệp vừa và nhỏ",
            "quy mô công nghiệp", "tại các tỉnh Tây Nguyên", "phục vụ chuyển đổi số", "vùng duyên hải miền Trung",
            "ứng dụng trong nông nghiệp công nghệ cao", "bảo đảm an toàn bức xạ"]
SENTENCES = ["Mục tiêu của nhiệm vụ là làm chủ công nghệ và tạo ra sản phẩm có khả năng thương mại hóa.",
             "Kết quả nghiên cứu được công bố trên các tạp chí khoa học trong nước và quốc tế.",
             "Sản phẩm đã được thử nghiệm tại nhiều địa phương và cho kết quả khả quan.",
             "Nội dung bao gồm khảo sát thực trạng, xây dựng mô hình và đánh giá hiệu quả kinh tế.",
             "Dữ liệu được thu thập theo quy chuẩn kỹ thuật quốc gia và cập nhật định kỳ.",
             "Đề xuất giải pháp nâng cao năng lực đổi mới sáng tạo của doanh nghiệp.",
             "Phương pháp đo được hiệu chuẩn theo tiêu chuẩn quốc tế ISO/IEC 17025.",
             "Đào tạo hai thạc sĩ và một nghiên cứu sinh trong quá trình thực hiện."]
KEYWORDS = ["nano", "nông nghiệp", "môi trường", "y sinh", "năng lượng", "chuyển đổi số", "biến đổi khí hậu",
            "đổi mới sáng tạo", "sở hữu trí tuệ", "an toàn bức xạ", "đo lường", "tiêu chuẩn", "công nghệ sinh học",
            "vật liệu mới", "trí tuệ nhân tạo", "dữ liệu mở", "thủy sản", "dược liệu", "cơ khí", "tự động hóa"]
ORG_WORDS = ["Viện Nghiên cứu", "Trung tâm Ứng dụng", "Viện Công nghệ", "Trường Đại học", "Phòng thí nghiệm trọng điểm",
             "Công ty Cổ phần Công nghệ", "Trung tâm Phân tích và Kiểm nghiệm"]
VENUES = ["Tạp chí Khoa học và Công nghệ Việt Nam", "Tạp chí Hóa học", "Vietnam Journal of Science and Technology",
          "Tạp chí Nông nghiệp và Phát triển nông thôn", "Hội nghị Khoa học toàn quốc về Vật liệu",
          "Tạp chí Y học Việt Nam", "Nhà xuất bản Khoa học tự nhiên và Công nghệ", "Tạp chí Vật lý"]
MINISTRIES = [("Bộ Khoa học và Công nghệ", "BKHCN"), ("Bộ Y tế", "BYT"), ("Bộ Xây dựng", "BXD"),
              ("Bộ Nông nghiệp và Môi trường", "BNNMT"), ("Bộ Công Thương", "BCT")]
QUANTITIES = [("Suất liều gamma môi trường", "nSv/h"), ("Hoạt độ phóng xạ trong không khí", "Bq/m3"),
              ("Nồng độ radon", "Bq/m3")]
INDICATORS = [("Số nhiệm vụ khoa học và công nghệ được phê duyệt", "nhiệm vụ"),
              ("Chi cho nghiên cứu và phát triển", "triệu đồng"), ("Số nhân lực nghiên cứu và phát triển", "người"),
              ("Số đơn đăng ký sáng chế", "đơn"), ("Số doanh nghiệp khoa học và công nghệ", "doanh nghiệp")]
WTO_MEMBERS = ["Hoa Kỳ", "Liên minh châu Âu", "Nhật Bản", "Trung Quốc", "Hàn Quốc", "Thái Lan", "Ấn Độ", "Brazil"]
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def organizations() -> list[dict[str, Any]]:
    """The publisher organisations (CKAN organisations) that own the generated records."""
    orgs = [{"name": "bo-khoa-hoc-va-cong-nghe", "title": "Bộ Khoa học và Công nghệ", "organization_kind": "ministry"},
            {"name": "cuc-thong-tin-khcn-quoc-gia", "title": "Cục Thông tin, Thống kê",
             "organization_kind": "government_agency"},
            {"name": "cuc-so-huu-tri-tue", "title": "Cục Sở hữu trí tuệ", "organization_kind": "government_agency"},
            {"name": "uy-ban-tieu-chuan-do-luong-chat-luong-quoc-gia",
             "title": "Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia", "organization_kind": "government_agency"},
            {"name": "cuc-an-toan-buc-xa-va-hat-nhan", "title": "Cục An toàn bức xạ và hạt nhân",
             "organization_kind": "government_agency"}]
    for code, label in PROVINCE_NAMES.items():
        orgs.append({"name": f"so-khcn-{slugify_vi(label)}", "title": f"Sở Khoa học và Công nghệ {label}",
                     "organization_kind": "province", "province": code})
    return orgs


ORG_NAMES = [o["name"] for o in organizations()]
PUBLISHER = {"patent": 2, "ip_representative": 2, "standard_tcvn": 3, "regulation_qcvn": 3, "tbt_notification": 3,
             "radiation_monitoring": 4, "statistics": 1}


# ---------------------------------------------------------------- identifiers with valid check digits
def tax_code(rng: random.Random) -> str:
    while True:
        body = f"{rng.randint(1, 99):02d}{rng.randint(1, 9999999):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check


def orcid(rng: random.Random) -> str:
    body = f"0000000{rng.randint(10000000, 99999999)}"
    digits = body + mod_11_2.calc_check_digit(body)
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def ror(rng: random.Random) -> str:
    chars = "".join(rng.choice(CROCKFORD) for _ in range(6))
    number = 0
    for char in chars:
        number = number * 32 + CROCKFORD.index(char)
    return f"https://ror.org/0{chars}{98 - (number * 100) % 97:02d}"


def issn(rng: random.Random) -> str:
    body = f"{rng.randint(1000000, 9999999)}"
    return f"{body[:4]}-{body[4:]}{stdnum_issn.calc_check_digit(body)}"


# ---------------------------------------------------------------- record indexes and names
def type_of(index: int) -> str:
    return PATTERN[index % BLOCK]


def _rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index * 7919)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(HO)} {rng.choice(DEM)} {rng.choice(TEN)}"


def _title(kind: str, rng: random.Random) -> str:
    """The title: always the first draw from a record's generator (names depend on it only)."""
    if kind == "researcher":
        return _person(rng)
    if kind in ("st_organization", "supported_enterprise", "ip_representative"):
        return f"{rng.choice(ORG_WORDS)} {rng.choice(OBJECTS)} {rng.choice(list(PROVINCE_NAMES.values()))}"
    if kind == "radiation_monitoring":
        return f"Dữ liệu quan trắc phóng xạ môi trường trạm {rng.choice(list(PROVINCE_NAMES.values()))}"
    if kind == "statistics":
        return f"{rng.choice(INDICATORS)[0]} năm {rng.randint(2015, 2025)}"
    return f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}"


def name_of(seed: int, index: int) -> str:
    """The ``name`` of record ``index``: its title as a slug, made unique by the index."""
    title = _title(type_of(index), _rng(seed, index))
    return f"{slugify_vi(title, max_len=70)}-{index:x}"


def _earlier(rng: random.Random, seed: int, index: int, kind: str) -> str | None:
    """The name of a random record of type ``kind`` generated before ``index`` (None when none yet)."""
    slots = SLOTS[kind]
    blocks = index // BLOCK + 1
    for _ in range(4):
        target = rng.randrange(blocks) * BLOCK + rng.choice(slots)
        if target < index:
            return name_of(seed, target)
    return None


def _related(rng: random.Random, seed: int, index: int, kind: str, most: int) -> list[str]:
    names = {_earlier(rng, seed, index, kind) for _ in range(rng.randint(0, most))}
    return sorted(n for n in names if n)


def _notes(rng: random.Random, count: int = 3) -> str:
    return " ".join(rng.sample(SENTENCES, count))


def _resources(rng: random.Random, name: str, most: int = 2) -> list[dict[str, Any]]:
    out = []
    for n in range(rng.randint(0, most)):
        fmt = rng.choice(FORMATS)
        out.append({"url": f"https://stinfo.gov.vn/files/{name}/{n + 1}.{fmt.lower().split('_')[0]}",
                    "name": f"Tệp {n + 1}: {rng.choice(['Báo cáo tổng hợp', 'Số liệu', 'Phụ lục', 'Tóm tắt'])}",
                    "format": fmt})
    return out


# ---------------------------------------------------------------- one record
def record(seed: int, index: int) -> dict[str, Any]:
    """Record ``index`` of the stream for ``seed``."""
    kind = type_of(index)
    rng = _rng(seed, index)
    title = _title(kind, rng)
    name = f"{slugify_vi(title, max_len=70)}-{index:x}"
    owner = ORG_NAMES[PUBLISHER[kind]] if kind in PUBLISHER else rng.choice(ORG_NAMES)
    year = rng.randint(2005, 2025)
    pkg: dict[str, Any] = {
        "type": kind, "name": name, "title": title, "owner_org": owner,
        "license_id": rng.choice(LICENCES),
        "tag_string": ",".join(rng.sample(KEYWORDS, rng.randint(1, 4))),
        "management_field": rng.choice(V["management_fields"]),
    }
    if kind not in ("researcher",):
        pkg["notes"] = _notes(rng)
    if rng.random() < 0.3:
        pkg["title_en"] = f"Record {index} of type {kind}"
    make = globals()[f"_{kind}"]
    make(pkg, rng, seed, index, year)
    pkg["resources"] = _resources(rng, name)
    return pkg


def _st_task(pkg, rng, seed, index, year):
    start = rng.randint(2010, 2024)
    pkg.update(
        task_code=f"ĐTĐL.{rng.choice(['CN', 'XH', 'NN', 'YD'])}-{rng.randint(1, 99):02d}/{start % 100:02d}",
        task_level=rng.choice(V["task_levels"]), task_form=rng.choice(V["task_forms"]),
        task_status=rng.choice(V["task_statuses"]),
        lead_organization=_earlier(rng, seed, index, "st_organization") or "vien-han-lam-khcn-viet-nam",
        field_of_science=rng.choice(FIELDS), province=rng.choice(V["provinces"]),
        budget=rng.randint(200, 20000) * 1_000_000,
        period_start=f"{start}-{rng.randint(1, 12):02d}", period_end=f"{start + rng.randint(1, 4)}",
        expected_results=_notes(rng, 2),
        related_researchers=_related(rng, seed, index, "researcher", 4),
        related_publications=_related(rng, seed, index, "publication", 3),
    )
    investigator = _earlier(rng, seed, index, "researcher")
    if investigator:
        pkg["principal_investigator"] = investigator
    if pkg["task_status"] in ("results_registered", "applied"):
        pkg["result_registration_number"] = f"{start + 1}-{rng.randint(1, 99):02d}-{rng.randint(1, 999)}/KQNC"


def _publication(pkg, rng, seed, index, year):
    pkg.update(
        publication_kind=rng.choice(["journal_article"] * 5 + ["conference_paper"] * 2 + ["book", "thesis", "report"]),
        authors=[_person(rng) for _ in range(rng.randint(1, 5))],
        venue=rng.choice(VENUES), volume_issue=f"{rng.randint(1, 70)}({rng.randint(1, 12)})",
        pages=f"{(p := rng.randint(1, 300))}-{p + rng.randint(5, 20)}",
        field_of_science=rng.choice(FIELDS), language=rng.choice([["vi"], ["vi"], ["en"], ["vi", "en"]]),
        publication_year=str(year),
    )
    if rng.random() < 0.6:
        pkg["doi"] = f"10.{rng.randint(1000, 99999)}/vjst.{year}.{index}"
    if rng.random() < 0.5:
        pkg["issn"] = issn(rng)
    patents = _related(rng, seed, index, "patent", 1)
    if patents:
        pkg["related_patents"] = patents


def _st_organization(pkg, rng, seed, index, year):
    pkg.update(organization_kind=rng.choice(["institute", "university", "enterprise", "public_st_organization"]),
               province=rng.choice(V["provinces"]), tax_code=tax_code(rng),
               st_registration_number=f"A-{rng.randint(100, 2999)}",
               fields_of_science=sorted(set(rng.sample(FIELDS, rng.randint(1, 3)))),
               address=f"Số {rng.randint(1, 300)} đường {rng.choice(TEN)}, {rng.choice(list(PROVINCE_NAMES.values()))}",
               website=f"https://{pkg['name'][:20].strip('-')}.vn", email=f"lienhe{index}@stinfo.vn")
    if rng.random() < 0.4:
        pkg["ror"] = ror(rng)


def _researcher(pkg, rng, seed, index, year):
    pkg.update(fields_of_science=sorted(set(rng.sample(FIELDS, rng.randint(1, 2)))),
               academic_degree=rng.choice(["dsc", "phd", "phd", "master", "bachelor"]),
               province=rng.choice(V["provinces"]),
               notes=f"Hướng nghiên cứu: {rng.choice(OBJECTS)}; {rng.choice(OBJECTS)}.",
               position=rng.choice(["Nghiên cứu viên", "Giảng viên", "Trưởng phòng", "Viện trưởng"]),
               related_tasks=_related(rng, seed, index, "st_task", 2))
    if rng.random() < 0.5:
        pkg["orcid"] = orcid(rng)
    if rng.random() < 0.2:
        pkg["academic_title"] = rng.choice(["professor", "associate_professor"])
    affiliation = _earlier(rng, seed, index, "st_organization")
    if affiliation:
        pkg["affiliation"] = affiliation


def _supported_enterprise(pkg, rng, seed, index, year):
    pkg.update(tax_code=tax_code(rng), support_kind=rng.choice(["st_enterprise_certificate", "high_tech_enterprise",
                                                                "innovation_startup", "fund_grant", "tax_incentive"]),
               province=rng.choice(V["provinces"]), support_amount=rng.randint(1, 500) * 10_000_000,
               certificate_number=f"{rng.randint(1, 999)}/{year}/DNKHCN",
               related_tasks=_related(rng, seed, index, "st_task", 1))


def _patent(pkg, rng, seed, index, year):
    pkg.update(ip_kind=rng.choice(["invention", "invention", "utility_solution"]),
               application_number=f"{rng.choice('12')}-{year}-{rng.randint(1, 99999):05d}",
               patent_status=rng.choice(V["patent_statuses"]),
               ipc_classes=[f"{rng.choice('ABCDEFGH')}{rng.randint(1, 99):02d}{rng.choice('BCDFGJKLMN')} "
                            f"{rng.randint(1, 99)}/{rng.randint(0, 99):02d}"],
               owner=rng.choice(ORG_WORDS) + " " + rng.choice(OBJECTS), field_of_science=rng.choice(FIELDS),
               applicants=[rng.choice(ORG_WORDS) + " " + rng.choice(OBJECTS)],
               filing_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               related_researchers=_related(rng, seed, index, "researcher", 2),
               related_tasks=_related(rng, seed, index, "st_task", 1))


def _ip_representative(pkg, rng, seed, index, year):
    pkg.update(representative_kind=rng.choice(["organization", "agent"]),
               registration_number=f"{rng.randint(1, 999)}/ĐDSHCN", representative_status="active",
               service_scope=rng.sample(["invention", "industrial_design", "trademark"], 2),
               province=rng.choice(V["provinces"]), email=f"daidien{index}@shtt.vn")


def _standard_tcvn(pkg, rng, seed, index, year):
    pkg.update(standard_number=f"TCVN {rng.randint(1000, 14000)}{rng.choice(['', '-1', '-2'])}:{year}",
               standard_status=rng.choice(V["standard_statuses"]),
               ics_codes=[f"{rng.randint(1, 99):02d}.{rng.randint(1, 199):03d}"],
               year=str(year), issuing_body="Bộ Khoa học và Công nghệ",
               decision_number=f"{rng.randint(100, 4000)}/QĐ-BKHCN",
               related_standards=_related(rng, seed, index, "standard_tcvn", 1))


def _regulation_qcvn(pkg, rng, seed, index, year):
    ministry, code = rng.choice(MINISTRIES)
    pkg.update(regulation_number=f"QCVN {rng.randint(1, 99):02d}:{year}/{code}", issuing_ministry=ministry,
               year=str(year), effective_date=f"{year}-{rng.randint(1, 12):02d}-01",
               standard_status=rng.choice(V["standard_statuses"]),
               related_standards=_related(rng, seed, index, "standard_tcvn", 2))


def _tbt_notification(pkg, rng, seed, index, year):
    pkg.update(notification_symbol=f"G/TBT/N/{rng.choice(['USA', 'EU', 'JPN', 'CHN'])}/{rng.randint(1, 2000)}",
               notifying_member=rng.choice(WTO_MEMBERS), products=_notes(rng, 1),
               notification_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               ics_codes=[f"{rng.randint(1, 99):02d}"])


def _radiation_monitoring(pkg, rng, seed, index, year):
    province = rng.choice(V["provinces"])
    quantity, unit = rng.choice(QUANTITIES)
    pkg.update(station_code=f"QT-{province}-{index % 97:02d}", station_name=f"Trạm {PROVINCE_NAMES[province]}",
               province=province, measured_quantity=quantity, unit=unit, frequency=rng.choice(["DAILY", "CONT"]),
               temporal_start=f"{year}-01", latitude=f"{rng.uniform(8.5, 23.3):.4f}",
               longitude=f"{rng.uniform(102.1, 109.4):.4f}",
               theme=["ENVI"])


def _statistics(pkg, rng, seed, index, year):
    indicator, unit = rng.choice(INDICATORS)
    pkg.update(indicator=indicator, unit=unit, frequency="ANNUAL", province=rng.choice(V["provinces"]),
               temporal_start=str(year), temporal_end=str(year),
               indicator_code=f"{rng.randint(1, 30):02d}{rng.choice(string.ascii_uppercase)}",
               field_of_science=rng.choice(FIELDS), theme=["TECH"])


def _dataset(pkg, rng, seed, index, year):
    pkg.update(frequency=rng.choice(V["frequencies"]), theme=rng.sample(V["data_themes"], 2),
               field_of_science=rng.choice(FIELDS), language=["vi"], version="1.0",
               related_tasks=_related(rng, seed, index, "st_task", 1))


# ---------------------------------------------------------------- streams
def records(count: int, seed: int = 1, start: int = 0) -> Iterator[dict[str, Any]]:
    """Records ``start`` to ``start + count - 1`` of the stream."""
    for index in range(start, start + count):
        yield record(seed, index)


def as_source_record(pkg: dict[str, Any], index: int) -> tuple[str, dict[str, Any]]:
    """(guid, content) of a generated record as a harvest source would list it."""
    return f"STI-{index:08d}", pkg


def write(path: str, count: int, seed: int = 1) -> int:
    """Stream ``count`` records to ``path`` as JSON lines; returns the count written."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for pkg in records(count, seed):
            out.write(json.dumps(pkg, ensure_ascii=False))
            out.write("\n")
    return count


def read(path: str, count: int | None = None) -> Iterator[dict[str, Any]]:
    """Records from a JSON lines file written by :func:`write`."""
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            if count is not None and number >= count:
                return
            yield json.loads(line)


def validate(count: int, seed: int = 1) -> dict[str, int]:
    """Validate the first ``count`` records (at least one of every type) with the schemas, as
    ``package_create`` does; needs CKAN loaded and the publisher organisations created.
    Returns the number checked per type; raises ``AssertionError`` naming the first invalid record."""
    from ckan import model
    from ckan.lib import plugins as lib_plugins

    count = max(count, BLOCK)
    checked: dict[str, int] = {}
    context = {"model": model, "session": model.Session, "user": common.site_user(), "ignore_auth": True}
    for pkg in records(count, seed):
        plugin = lib_plugins.lookup_package_plugin(pkg["type"])
        schema = plugin.create_package_schema()
        _data, errors = lib_plugins.plugin_validate(plugin, dict(context), pkg, schema, "package_create")
        assert not errors, f"{pkg['type']} {pkg['name']} is invalid: {errors}"
        checked[pkg["type"]] = checked.get(pkg["type"], 0) + 1
    assert set(checked) == set(MIX), f"types missing: {set(MIX) - set(checked)}"
    return checked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="JSON lines file (default: bench/out/records-<n>-s<seed>.jsonl)")
    parser.add_argument("--validate", action="store_true", help="validate the records with the schemas instead")
    parser.add_argument("-c", "--config", help="CKAN ini (for --validate)")
    args = parser.parse_args(argv)
    if args.validate:
        common.load_ckan(args.config)
        common.ensure_organizations(organizations())
        checked = validate(args.records, args.seed)
        print(f"valid: {sum(checked.values())} records, {len(checked)} types: {checked}")
        common.reproduce(sys.argv)
        return
    out = args.out or str(common.OUT / f"records-{args.records}-s{args.seed}.jsonl")
    timer = common.Timer()
    write(out, args.records, args.seed)
    elapsed = timer.elapsed()
    print(f"wrote {args.records} records to {out} in {elapsed:.1f} s ({args.records / elapsed:.0f} records/s)")
    common.reproduce(sys.argv)


if __name__ == "__main__":
    main()
