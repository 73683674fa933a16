"""Metadata quality of a record: a score out of 100 on five dimensions, and the problems found.

The scale follows the spirit of data.europa.eu's Metadata Quality Assessment (MQA): points per
dimension, summed, with a rating. It is published in ``docs/guides/vi/quality.md`` / ``docs/guides/en/quality.md``
and on the page ``/chat-luong``. What a record is judged on:

==================  ======  ==========================================================
dimension           points  what earns them
==================  ======  ==========================================================
findability             25  required fields of the record type filled (15, pro rata);
                            recommended fields filled (10, pro rata, :data:`RECOMMENDED`)
accessibility           20  at least one resource (5); resources reachable at the last
                            link check (15: reachable in full, not yet checked half, else 0)
interoperability        20  resources in open, non-proprietary formats (10, pro rata);
                            values of category-list fields found in their lists (5);
                            identifiers well formed (5)
reusability             20  a licence (10); an open licence (10)
contextuality           15  fresh against the declared update frequency (10); provenance
                            (source system and address of harvested records, or the account
                            that entered the record) (5)
==================  ======  ==========================================================

Required fields come from the record type's schema (``required: true``); recommended fields are
this module's :data:`RECOMMENDED`, per record type, so that the schemas stay the data
dictionary's. Open formats and the freshness periods are :data:`OPEN_FORMATS` and
:data:`FREQUENCY_DAYS` (codes of ``schemas/vocabularies/frequencies.yaml``).
"""
from __future__ import annotations

import datetime
import json
from typing import Any, NamedTuple

from ckanext.stinfo import identifiers
from ckanext.stinfo.identifiers import N_
from ckanext.stinfo.vocabularies import VocabularyError, vocabulary

SCORE = "stinfo_quality"
DIMENSION_FIELD = "stinfo_quality_{}"
ISSUES = "stinfo_quality_issues"

#: dimension -> (maximum points, title)
DIMENSIONS = {
    "findability": (25, N_("Findability")),
    "accessibility": (20, N_("Accessibility")),
    "interoperability": (20, N_("Interoperability")),
    "reusability": (20, N_("Reusability")),
    "contextuality": (15, N_("Contextuality")),
}
#: lowest score of each rating, best first
RATINGS = ((85, "excellent", N_("Excellent")), (70, "good", N_("Good")), (50, "sufficient", N_("Sufficient")),
           (0, "poor", N_("Poor")))

#: Fields recommended for every record type, and per type in addition (when the type has the field).
RECOMMENDED_ALL = ("notes", "title_en", "tag_string", "license_id", "management_field")
RECOMMENDED = {
    "dataset": ("theme", "frequency", "temporal_start", "maintainer_email", "field_of_science", "url"),
    "publication": ("doi", "url", "language", "related_tasks", "related_researchers"),
    "st_task": ("principal_investigator_name", "period_start", "period_end", "expected_results", "province"),
    "researcher": ("orcid", "affiliation", "academic_degree", "position"),
    "st_organization": ("tax_code", "address", "website", "fields_of_science"),
    "patent": ("filing_date", "publication_number", "ipc_classes", "inventors", "field_of_science"),
    "standard_tcvn": ("decision_number", "issuing_body", "ics_codes", "effective_date"),
    "regulation_qcvn": ("issuing_document", "effective_date", "ics_codes"),
    "statistics": ("indicator_code", "temporal_end", "province", "theme"),
    "radiation_monitoring": ("latitude", "longitude", "frequency", "temporal_start"),
    "ip_representative": ("tax_code", "registration_date", "address", "service_scope"),
    "supported_enterprise": ("certificate_number", "certificate_date", "address", "support_amount"),
    "tbt_notification": ("products", "ics_codes", "comment_deadline"),
}

#: Identifier fields and the check each value must pass.
IDENTIFIER_CHECKS = {
    "tax_code": identifiers.normalize_tax_code,
    "orcid": identifiers.normalize_orcid,
    "doi": identifiers.normalize_doi,
    "issn": identifiers.normalize_issn,
    "isbn": identifiers.normalize_isbn,
    "ror": identifiers.normalize_ror,
    "standard_number": identifiers.normalize_tcvn_number,
    "regulation_number": identifiers.normalize_qcvn_number,
    "application_number": identifiers.normalize_patent_application_number,
    "result_registration_number": identifiers.normalize_result_registration_number,
}

#: Open, non-proprietary formats (codes of the ``formats`` list).
OPEN_FORMATS = {"CSV", "JSON", "XML", "ODS", "ODT", "PDF", "RDF_TURTLE", "RDF_XML", "JSON_LD", "GEOJSON",
                "TXT", "HTML", "API", "SPARQLQ", "N_TRIPLES", "GML", "KML", "ZIP", "TSV"}

#: Update frequency code -> the days after which a record counts as stale (the period plus a grace).
FREQUENCY_DAYS = {
    "CONT": 2, "UPDATE_CONT": 2, "DAILY": 2, "WEEKLY": 10, "MONTHLY": 40, "QUARTERLY": 100,
    "ANNUAL_2": 200, "ANNUAL": 400, "BIENNIAL": 760,
}

#: Link-check statuses of a resource (``stinfo_link_status``).
LINK_OK = "ok"

#: issue code -> (dimension, explanation); the field concerned follows the code after a colon.
ISSUE_TEXTS = {
    "missing_required": N_("Required field is empty"),
    "missing_recommended": N_("Recommended field is empty"),
    "no_resource": N_("No resource (file or link) to the data"),
    "link_broken": N_("Resource link does not work"),
    "link_unchecked": N_("Resource link not checked yet"),
    "closed_format": N_("Resource not in an open format"),
    "invalid_category": N_("Value not in the shared category list"),
    "invalid_identifier": N_("Identifier is not well formed"),
    "no_licence": N_("No licence"),
    "closed_licence": N_("Licence is not open"),
    "stale": N_("Not updated as often as its update frequency says"),
    "no_provenance": N_("Source of the record not recorded"),
}
ISSUE_DIMENSION = {
    "missing_required": "findability", "missing_recommended": "findability",
    "no_resource": "accessibility", "link_broken": "accessibility", "link_unchecked": "accessibility",
    "closed_format": "interoperability", "invalid_category": "interoperability",
    "invalid_identifier": "interoperability", "no_licence": "reusability", "closed_licence": "reusability",
    "stale": "contextuality", "no_provenance": "contextuality",
}


def rating(score: int) -> tuple[str, str]:
    """The rating code and its (untranslated) title for ``score``."""
    for lowest, code, title in RATINGS:
        if score >= lowest:
            return code, title
    return RATINGS[-1][1], RATINGS[-1][2]


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        value = value.strip()
        if value in ("[]", "{}"):
            return True
    return value in (None, "", [], {}, ())


def field_values(value: Any) -> list[str]:
    """The non-empty values of a stored field: a list, a JSON list in a string, or one value."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if not _empty(v)]
    return [] if _empty(value) else [str(value)]


def _field_value(record: dict[str, Any], name: str) -> Any:
    if name == "tag_string":
        return record.get("tags") or record.get("tag_string")
    return record.get(name)


def _parse_time(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def _schema(dataset_type: str) -> dict[str, Any] | None:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return None
    return scheming_get_dataset_schema(dataset_type)


def _category_ok(field: dict[str, Any], value: str) -> bool:
    if field.get("vocabulary"):
        try:
            return value in vocabulary(field["vocabulary"])
        except VocabularyError:
            return True
    choices = field.get("choices")
    if choices:
        return value in {str(choice.get("value")) for choice in choices}
    return True


class _Plan(NamedTuple):
    """What the assessment asks of a schema, the same for all its records."""
    required: list[str]
    wanted: list[str]
    categories: list[tuple[str, dict[str, Any]]]


def _plan(schema: dict[str, Any], dataset_type: str) -> _Plan:
    """The fields a record of ``dataset_type`` is assessed on: required, recommended and with a
    category list."""
    fields = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
    required = [name for name, f in fields.items() if f.get("required") and name not in ("name",)]
    wanted = [name for name in RECOMMENDED_ALL + RECOMMENDED.get(dataset_type, ())
              if (name in fields or not fields) and name not in required]
    categories = [(name, field) for name, field in fields.items()
                  if (field.get("vocabulary") or field.get("choices")) and name != "license_id"]
    return _Plan(required, list(dict.fromkeys(wanted)), categories)


_plans: dict[str, tuple[dict[str, Any] | None, _Plan]] = {}


def _type_plan(dataset_type: str) -> _Plan:
    """:func:`_plan` of the type's schema, worked out again only when that schema is another
    object (ckanext-scheming keeps its schemas once loaded)."""
    schema = _schema(dataset_type)
    held = _plans.get(dataset_type)
    if held is None or held[0] is not schema:
        held = _plans[dataset_type] = (schema, _plan(schema or {}, dataset_type))
    return held[1]


def assess(record: dict[str, Any], schema: dict[str, Any] | None = None,
           now: datetime.datetime | None = None) -> dict[str, Any]:
    """The quality of one record (a package dictionary as shown or validated).

    Returns ``{"score": int, "rating": code, "dimensions": {name: points}, "issues":
    [{"code", "field", "dimension"}]}``.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    dataset_type = record.get("type") or "dataset"
    required, wanted, categories = _type_plan(dataset_type) if schema is None else _plan(schema, dataset_type)
    issues: list[dict[str, str]] = []
    points = dict.fromkeys(DIMENSIONS, 0.0)

    def issue(code: str, field: str = "") -> None:
        issues.append({"code": code, "field": field, "dimension": ISSUE_DIMENSION[code]})

    # findability: completeness
    missing = [name for name in required if _empty(_field_value(record, name))]
    for name in missing:
        issue("missing_required", name)
    points["findability"] += 15 * (1 - len(missing) / len(required)) if required else 15
    absent = [name for name in wanted if _empty(_field_value(record, name))]
    for name in absent:
        issue("missing_recommended", name)
    points["findability"] += 10 * (1 - len(absent) / len(wanted)) if wanted else 10

    # accessibility and formats: resources
    resources = [r for r in record.get("resources") or [] if r.get("state", "active") == "active"]
    if not resources:
        issue("no_resource")
    else:
        points["accessibility"] += 5
        reach = 0.0
        open_count = 0
        for resource in resources:
            label = resource.get("name") or resource.get("url") or resource.get("id") or ""
            status = resource.get("stinfo_link_status")
            if status == LINK_OK:
                reach += 1
            elif status:
                issue("link_broken", label)
            else:
                reach += 0.5
                issue("link_unchecked", label)
            if str(resource.get("format") or "").upper().replace(" ", "_") in OPEN_FORMATS:
                open_count += 1
            else:
                issue("closed_format", label)
        points["accessibility"] += 15 * reach / len(resources)
        points["interoperability"] += 10 * open_count / len(resources)

    # interoperability: category lists and identifiers
    bad_category = False
    for name, field in categories:
        for value in field_values(record.get(name)):
            if not _category_ok(field, value):
                issue("invalid_category", name)
                bad_category = True
                break
    points["interoperability"] += 0 if bad_category else 5
    bad_identifier = False
    for name, check in IDENTIFIER_CHECKS.items():
        for value in field_values(record.get(name)):
            try:
                check(value)
            except identifiers.IdentifierError:
                issue("invalid_identifier", name)
                bad_identifier = True
                break
    points["interoperability"] += 0 if bad_identifier else 5

    # reusability: licence
    licence_id = record.get("license_id")
    if _empty(licence_id) or licence_id == "notspecified":
        issue("no_licence", "license_id")
    else:
        points["reusability"] += 10
        if is_open_licence(licence_id):
            points["reusability"] += 10
        else:
            issue("closed_licence", "license_id")

    # contextuality: freshness and provenance
    frequency = record.get("frequency")
    limit = FREQUENCY_DAYS.get(str(frequency or ""))
    last = max(filter(None, (_parse_time(record.get("metadata_modified")), _parse_time(record.get("harvested_at")))),
               default=None)
    if limit and last and (now - last).days > limit:
        issue("stale", "frequency")
    else:
        points["contextuality"] += 10
    harvested = bool(record.get("harvest_source_id") or record.get("source_record_id")
                     or record.get("harvested_at"))
    if harvested:
        has_source = not _empty(record.get("source_system")) and not _empty(record.get("source_url"))
    else:
        has_source = not _empty(record.get("creator_user_id")) or not _empty(record.get("source_system"))
    if has_source:
        points["contextuality"] += 5
    else:
        issue("no_provenance", "source_url" if harvested else "")

    dimensions = {name: int(round(value)) for name, value in points.items()}
    score = min(100, sum(dimensions.values()))
    return {"score": score, "rating": rating(score)[0], "dimensions": dimensions, "issues": issues}


def is_open_licence(licence_id: str) -> bool:
    """Whether the CKAN licence id is an open licence of the ``licenses`` list (or CKAN's own)."""
    try:
        for concept in vocabulary("licenses").items:
            if licence_id in (concept.extra.get("ckan_id"), concept.code):
                return bool(concept.extra.get("open"))
    except VocabularyError:
        pass
    try:
        from ckan import model

        licence = model.Package.get_license_register().get(licence_id)
        return bool(licence and licence.isopen())
    except Exception:  # noqa: BLE001 - the register is optional outside a CKAN app
        return False


def validated_record(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The record as its schema validated it (a new dict decoded from ``validated_data_dict``), else
    the dictionary itself."""
    raw = pkg_dict.get("validated_data_dict")
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return pkg_dict
    return pkg_dict


def index_fields(pkg_dict: dict[str, Any], record: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add the score, the points per dimension and the issue codes to a record about to be indexed
    (``record``: its :func:`validated_record`, if already decoded)."""
    record = validated_record(pkg_dict) if record is None else record
    if record is not pkg_dict:
        for key in ("harvest_source_id", "metadata_modified", "creator_user_id"):
            record.setdefault(key, pkg_dict.get(key))
    if not record.get("harvest_source_id"):
        for extra in pkg_dict.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == "harvest_source_id":
                record = {**record, "harvest_source_id": extra.get("value")}
    result = assess(record)
    pkg_dict[SCORE] = result["score"]
    for name, value in result["dimensions"].items():
        pkg_dict[DIMENSION_FIELD.format(name)] = value
    codes = sorted({f"{i['code']}:{i['field']}" if i["field"] and i["code"].startswith(("missing", "invalid"))
                    else i["code"] for i in result["issues"]})
    if codes:
        pkg_dict[ISSUES] = codes
    return pkg_dict
