"""How the fields of STInfo records map onto DCAT-AP 3 and the vocabularies it reuses.

DCAT-AP has a property for the core of every record (title, description, publisher, contact
point, licence, themes, spatial and temporal coverage, identifiers, provenance, relations). The
rest of a record (the task level, the filing date of a patent, ...) goes into the project's own
namespace ``stinfo:`` (:data:`STINFO`), one property per schema field, named after the field in
lowerCamelCase: DCAT-AP is extended, not replaced.

:func:`field_maps` reads an (expanded) ckanext-scheming schema and tells, for every dataset
field, how it is written and read back; fields added to a schema later are mapped by the same
rules (by their presets and validators), so nothing a schema holds is silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckanext.stinfo.vocabularies import NAMESPACE
from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDFS, SKOS

DCT = DCTERMS
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("http://schema.org/")
DATACITE = Namespace("http://purl.org/spar/datacite/")
STINFO = Namespace("https://stinfo.gov.vn/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
IDENTIFIER_SCHEME = NAMESPACE + "identifier-scheme/"

NAMESPACES = {
    "adms": ADMS, "dcat": DCAT, "dct": DCT, "foaf": FOAF, "locn": LOCN, "prov": PROV, "rdfs": RDFS,
    "schema": SCHEMA, "skos": SKOS, "vcard": VCARD, "gsp": GSP, "datacite": DATACITE, "stinfo": STINFO,
}

# ---------------------------------------------------------------- EU authority tables used as is

#: ISO 639-1 codes offered by the schemas -> EU "Language" authority table.
LANGUAGES = {
    "vi": ("VIE", "Tiếng Việt", "Vietnamese"),
    "en": ("ENG", "Tiếng Anh", "English"),
    "fr": ("FRA", "Tiếng Pháp", "French"),
    "ru": ("RUS", "Tiếng Nga", "Russian"),
    "zh": ("ZHO", "Tiếng Trung", "Chinese"),
    "ja": ("JPN", "Tiếng Nhật", "Japanese"),
    "ko": ("KOR", "Tiếng Hàn", "Korean"),
    "de": ("DEU", "Tiếng Đức", "German"),
}

#: Titles of the EU and ADMS concept schemes the output points to.
SCHEME_TITLES = {
    EU + "data-theme": ("Chủ đề dữ liệu", "Data theme"),
    EU + "frequency": ("Tần suất", "Frequency"),
    EU + "licence": ("Giấy phép", "Licence"),
    EU + "file-type": ("Loại tệp", "File type"),
    EU + "language": ("Ngôn ngữ", "Language"),
    EU + "access-right": ("Quyền truy cập", "Access right"),
    ADMS_PUBLISHER_TYPE + "1.0": ("Loại cơ quan công bố", "Publisher type"),
    ADMS_LICENCE_TYPE + "1.0": ("Loại giấy phép", "Licence type"),
}

ACCESS_RIGHTS = {
    "PUBLIC": ("Công khai", "Public"),
    "NON_PUBLIC": ("Không công khai", "Non-public"),
}

#: organization_kinds code -> ADMS publisher type.
PUBLISHER_TYPES = {
    "ministry": "NationalAuthority",
    "ministry_level_agency": "NationalAuthority",
    "government_agency": "NationalAuthority",
    "province": "RegionalAuthority",
    "institute": "Academia-ScientificOrganisation",
    "university": "Academia-ScientificOrganisation",
    "public_st_organization": "Academia-ScientificOrganisation",
    "enterprise": "Company",
    "ngo": "NonProfitOrganisation",
}
PUBLISHER_TYPE_LABELS = {
    "NationalAuthority": ("Cơ quan trung ương", "National authority"),
    "RegionalAuthority": ("Cơ quan địa phương", "Regional authority"),
    "Academia-ScientificOrganisation": ("Tổ chức học thuật, khoa học", "Academia/Scientific organisation"),
    "Company": ("Doanh nghiệp", "Company"),
    "NonProfitOrganisation": ("Tổ chức phi lợi nhuận", "Non-profit organisation"),
}

#: licenses code (SPDX where there is one) -> ADMS licence types.
LICENCE_TYPES = {
    "CC-BY-4.0": ("Attribution",),
    "CC-BY-SA-4.0": ("Attribution", "ShareAlike"),
    "CC0-1.0": ("PublicDomain",),
    "ODC-By-1.0": ("Attribution",),
    "ODbL-1.0": ("Attribution", "ShareAlike"),
}
LICENCE_TYPE_LABELS = {
    "Attribution": ("Ghi công", "Attribution"),
    "ShareAlike": ("Chia sẻ tương tự", "Share-alike"),
    "PublicDomain": ("Phạm vi công cộng", "Public domain"),
    "UnknownIPR": ("Chưa xác định quyền sở hữu trí tuệ", "Unknown IPR"),
}

# ---------------------------------------------------------------- identifiers


@dataclass(frozen=True)
class IdentifierScheme:
    """An identifier scheme: the datatype of ``skos:notation`` and who runs the scheme."""

    uri: str
    label_vi: str
    label_en: str
    agency: str | None = None


def _scheme(key: str, vi: str, en: str) -> IdentifierScheme:
    return IdentifierScheme(IDENTIFIER_SCHEME + key, vi, en)


#: Record fields holding an identifier of the record, by field name.
IDENTIFIERS: dict[str, IdentifierScheme] = {
    "doi": IdentifierScheme(str(DATACITE.doi), "DOI", "DOI", "International DOI Foundation"),
    "orcid": IdentifierScheme(str(DATACITE.orcid), "ORCID iD", "ORCID iD", "ORCID"),
    "issn": IdentifierScheme(str(DATACITE.issn), "ISSN", "ISSN", "ISSN International Centre"),
    "isbn": IdentifierScheme(str(DATACITE.isbn), "ISBN", "ISBN", "International ISBN Agency"),
    "ror": IdentifierScheme(str(DATACITE.ror), "Mã ROR", "ROR ID", "Research Organization Registry"),
    "tax_code": _scheme("tax-code", "Mã số thuế", "Tax code (MST)"),
    "organization_code": _scheme("organization-code", "Mã định danh tổ chức", "Organisation identifier"),
    "task_code": _scheme("st-task-code", "Mã số nhiệm vụ khoa học và công nghệ", "S&T task code"),
    "result_registration_number": _scheme(
        "st-result-registration", "Số đăng ký kết quả thực hiện nhiệm vụ", "Task result registration number"),
    "st_registration_number": _scheme(
        "st-organization-registration", "Số đăng ký hoạt động khoa học và công nghệ", "S&T activity registration"),
    "application_number": _scheme("patent-application", "Số đơn sở hữu công nghiệp", "Patent application number"),
    "publication_number": _scheme("patent-publication", "Số công bố đơn", "Patent publication number"),
    "grant_number": _scheme("patent-grant", "Số văn bằng bảo hộ", "Patent number"),
    "registration_number": _scheme(
        "ip-representative-registration", "Số đăng ký đại diện sở hữu công nghiệp", "IP representative registration"),
    "certificate_number": _scheme("support-certificate", "Số giấy chứng nhận", "Certificate number"),
    "standard_number": _scheme("tcvn", "Số hiệu tiêu chuẩn quốc gia (TCVN)", "National standard number (TCVN)"),
    "regulation_number": _scheme("qcvn", "Số hiệu quy chuẩn kỹ thuật quốc gia (QCVN)", "Technical regulation (QCVN)"),
    "notification_symbol": _scheme("wto-tbt-notification", "Ký hiệu thông báo TBT", "WTO TBT notification symbol"),
    "station_code": _scheme("radiation-station", "Mã trạm quan trắc", "Monitoring station code"),
    "indicator_code": _scheme("statistics-indicator", "Mã chỉ tiêu thống kê", "Statistical indicator code"),
}

# ---------------------------------------------------------------- the fields

#: Fields written by the ckanext-dcat base profile or by dedicated code, not by the field loop.
CORE = frozenset({
    "title", "title_en", "name", "notes", "notes_en", "owner_org", "tag_string", "tags", "license_id",
    "url", "version", "maintainer", "maintainer_email", "author", "author_email",
})
PROVENANCE = ("source_system", "source_url", "source_record_id", "harvested_at", "content_hash")
PERIODS = (("period_start", "period_end"), ("temporal_start", "temporal_end"))

#: DCAT-facing predicate of each relation field (each is also written as ``stinfo:<field>``).
RELATIONS = {
    "related_organizations": DCT.relation,
    "related_researchers": DCT.relation,
    "related_publications": DCT.isReferencedBy,
    "related_patents": DCT.relation,
    "related_tasks": DCT.relation,
    "related_standards": DCT.references,
    "parent_organization": DCT.isPartOf,
    "lead_organization": DCT.relation,
    "principal_investigator": DCT.relation,
    "affiliation": DCT.relation,
}

#: Predicate of concept fields, by vocabulary (lists) or by field name (inline choices).
CONCEPT_PREDICATES = {
    "fields_of_science": DCAT.theme,
    "management_fields": DCAT.theme,
    "data_themes": DCAT.theme,
    "provinces": DCT.spatial,
    "frequencies": DCT.accrualPeriodicity,
    "task_statuses": ADMS.status,
    "patent_statuses": ADMS.status,
    "standard_statuses": ADMS.status,
    "support_statuses": ADMS.status,
    "representative_status": ADMS.status,
}

#: Ordered lists of names written as agents (``foaf:Agent`` with ``schema:position``).
AGENTS = {"authors": DCT.creator, "inventors": DCT.creator, "applicants": DCT.rightsHolder}

#: Other fields with a standard property.
STANDARD = {
    "website": FOAF.homepage,
    "email": FOAF.mbox,
    "address": LOCN.address,
    "language": DCT.language,
    "conforms_to": DCT.conformsTo,
}


@dataclass(frozen=True)
class FieldMap:
    """How one dataset field is written to RDF and read back."""

    name: str
    kind: str
    predicate: URIRef
    multiple: bool = False
    also: URIRef | None = None
    vocabulary: str | None = None
    choices: tuple[tuple[str, dict[str, str]], ...] = ()
    scheme: IdentifierScheme | None = None
    label: dict[str, str] = field(default_factory=dict)

    @property
    def choice_base(self) -> str:
        """URI prefix of the concepts minted for a field with inline choices."""
        return f"{NAMESPACE}{self.name.replace('_', '-')}/"


def camel(name: str) -> str:
    """``period_start`` -> ``periodStart``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def own_property(name: str) -> URIRef:
    """The ``stinfo:`` property of a field."""
    return STINFO[camel(name)]


def _validators(f: dict[str, Any]) -> list[str]:
    value = f.get("validators") or ""
    return value.split() if isinstance(value, str) else list(value)


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, str)}
    return {"vi": value} if isinstance(value, str) and value else {}


def restricted(f: dict[str, Any]) -> bool:
    """True for a field marked ``restricted: true``: it never leaves the system."""
    return bool(f.get("restricted"))


def classify(f: dict[str, Any]) -> FieldMap | None:
    """The :class:`FieldMap` of an expanded schema field, or None for core and restricted fields."""
    name = f["field_name"]
    if restricted(f) or name in CORE or name in PROVENANCE:
        return None
    validators = _validators(f)
    multiple = any(v in validators for v in ("scheming_multiple_text", "scheming_multiple_choice"))
    label = _labels(f.get("label"))
    if any(name in pair for pair in PERIODS):
        return FieldMap(name, "period", DCT.temporal, label=label)
    if name in ("latitude", "longitude"):
        return FieldMap(name, "coordinate", own_property(name), label=label)
    if name in IDENTIFIERS:
        return FieldMap(name, "identifier", ADMS.identifier, scheme=IDENTIFIERS[name], label=label)
    if name == "language":
        return FieldMap(name, "language", DCT.language, multiple=True, label=label)
    if name == "conforms_to":
        return FieldMap(name, "standard", DCT.conformsTo, multiple=True, label=label)
    if name in AGENTS:
        return FieldMap(name, "agents", AGENTS[name], multiple=True, label=label)
    if name in RELATIONS or name.startswith("related_") or "name_validator" in validators:
        return FieldMap(name, "relation", own_property(name), multiple=name.startswith("related_") or multiple,
                        also=RELATIONS.get(name, DCT.relation), label=label)
    if f.get("vocabulary"):
        predicate = CONCEPT_PREDICATES.get(f["vocabulary"], own_property(name))
        return FieldMap(name, "concept", predicate, multiple=multiple, vocabulary=f["vocabulary"], label=label)
    if f.get("choices"):
        choices = tuple((str(c["value"]), _labels(c.get("label"))) for c in f["choices"])
        multiple = multiple or f.get("preset") == "multiple_checkbox" or "scheming_multiple_choice" in validators
        predicate = CONCEPT_PREDICATES.get(name, own_property(name))
        return FieldMap(name, "choice", predicate, multiple=multiple, choices=choices, label=label)
    if name in STANDARD:
        kind = {"website": "homepage", "email": "mailbox", "address": "address"}[name]
        return FieldMap(name, kind, STANDARD[name], label=label)
    if "stinfo_date" in validators:
        return FieldMap(name, "date", own_property(name), label=label)
    if "stinfo_year" in validators:
        return FieldMap(name, "year", own_property(name), label=label)
    if "natural_number_validator" in validators or "int_validator" in validators:
        return FieldMap(name, "integer", own_property(name), label=label)
    if "email_validator" in validators:
        return FieldMap(name, "mailbox", own_property(name), label=label)
    if "url_validator" in validators:
        return FieldMap(name, "homepage", own_property(name), label=label)
    return FieldMap(name, "text", own_property(name), multiple=multiple, label=label)


_FIELD_MAPS: dict[int, tuple[dict[str, Any], list[FieldMap]]] = {}


def field_maps(schema: dict[str, Any] | None) -> list[FieldMap]:
    """The field maps of every mapped dataset field of ``schema`` (an expanded scheming schema),
    worked out once per schema object."""
    if not schema:
        return []
    known = _FIELD_MAPS.get(id(schema))
    if known is None or known[0] is not schema:
        maps = [m for m in (classify(f) for f in schema.get("dataset_fields", [])) if m is not None]
        known = _FIELD_MAPS[id(schema)] = (schema, maps)
    return known[1]


def restricted_names(schema: dict[str, Any] | None) -> set[str]:
    """Names of the restricted fields of ``schema``."""
    return {f["field_name"] for f in (schema or {}).get("dataset_fields", []) if restricted(f)}


def has_field(schema: dict[str, Any] | None, name: str) -> bool:
    """True when ``schema`` has a dataset field called ``name``."""
    return any(f["field_name"] == name for f in (schema or {}).get("dataset_fields", []))

