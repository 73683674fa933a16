"""Search facets of the portal: the fields indexed for them, their titles and their item labels.

Besides CKAN's own facet fields (``dataset_type``, ``organization``, ``res_format``,
``license_id``, ``tags``) and the schema fields indexed as they are (``province``,
``task_level``), three fields are computed when a record is indexed, common to every record type:

- ``vocab_stinfo_field``: the codes of the fields of science, from ``field_of_science`` or
  ``fields_of_science`` (a list, hence Solr's multi-valued ``vocab_*`` dynamic field);
- ``stinfo_status``: ``<status field>:<code>`` from whichever status field the type has;
- ``stinfo_year``: the record's year, from its own year field or the start of its period.
"""
from __future__ import annotations

import functools
import re
from collections import OrderedDict
from typing import Any

from ckan.plugins import toolkit
from ckanext.stinfo.identifiers import N_
from ckanext.stinfo.quality import field_values, validated_record
from ckanext.stinfo.vocabularies import VocabularyError, vocabulary

FIELD = "vocab_stinfo_field"
STATUS = "stinfo_status"
YEAR = "stinfo_year"

STATUS_FIELDS = ("task_status", "patent_status", "standard_status", "representative_status")
YEAR_SOURCES = (
    "publication_year", "year", "period_start", "temporal_start", "filing_date", "notification_date",
    "certificate_date", "registration_date", "effective_date",
)
YEAR_PATTERN = re.compile(r"^\s*(\d{4})")

# Facet field -> title (translated when shown), in the order of the search page.
TITLES = OrderedDict([
    ("dataset_type", N_("Record type")),
    (FIELD, N_("Field of science")),
    ("province", N_("Province or city")),
    ("task_level", N_("Management level")),
    (STATUS, N_("Status")),
    (YEAR, N_("Year")),
    ("organization", N_("Publisher")),
    ("res_format", N_("Format")),
    ("license_id", N_("Licence")),
    ("tags", N_("Keywords")),
])

# Facet field -> the shared list whose labels its items take.
VOCABULARIES = {
    "dataset_type": "record_types",
    FIELD: "fields_of_science",
    "province": "provinces",
    "task_level": "task_levels",
}


def record_year(record: dict[str, Any]) -> str | None:
    """The year a record is counted in: its year field, else the year its period or event starts."""
    for name in YEAR_SOURCES:
        match = YEAR_PATTERN.match(str(record.get(name) or ""))
        if match:
            return match.group(1)
    return None


def index_fields(pkg_dict: dict[str, Any], record: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add the computed facet fields to a record about to be indexed (``record``: its
    :func:`~ckanext.stinfo.quality.validated_record`, if already decoded)."""
    record = validated_record(pkg_dict) if record is None else record
    fields = []
    for name in ("field_of_science", "fields_of_science"):
        for code in field_values(record.get(name)):
            if code not in fields:
                fields.append(code)
    if fields:
        pkg_dict[FIELD] = fields
    for name in STATUS_FIELDS:
        if record.get(name):
            pkg_dict[STATUS] = f"{name}:{record[name]}"
            break
    year = record_year(record)
    if year:
        pkg_dict[YEAR] = year
    return pkg_dict


def dataset_facets(facets: dict[str, str], package_type: str) -> OrderedDict:
    """The facets of a search page: ours first, then any others a plugin added."""
    result: OrderedDict = OrderedDict()
    for name, title in TITLES.items():
        if name == "dataset_type" and package_type != "dataset":
            continue
        result[name] = toolkit._(title)
    for name, title in facets.items():
        result.setdefault(name, title)
    return result


def organization_facets(facets: dict[str, str]) -> OrderedDict:
    """The facets of a publisher's page: the search page's, less the publisher."""
    result = dataset_facets(facets, "dataset")
    result.pop("organization", None)
    return result


@functools.cache
def _schema_choices(field_name: str) -> tuple[str | None, dict[str, Any]]:
    """The shared list, or else the inline choices, of ``field_name`` in the first schema that has it."""
    from ckanext.scheming.helpers import scheming_dataset_schemas

    for schema in (scheming_dataset_schemas() or {}).values():
        for field in schema.get("dataset_fields", []):
            if field.get("field_name") != field_name:
                continue
            if field.get("vocabulary"):
                return field["vocabulary"], {}
            return None, {choice["value"]: choice.get("label") for choice in field.get("choices") or []}
    return None, {}


def field_label(field_name: str, code: str, lang: str) -> str:
    """The label of ``code`` as a value of the schema field ``field_name``, or ``code``."""
    name, choices = _schema_choices(field_name)
    if name:
        return vocabulary(name).label(code, lang)
    label = choices.get(code)
    if isinstance(label, dict):
        return label.get(lang) or label.get("vi") or label.get("en") or code
    return label or code


def label(facet: str, value: str, lang: str, default: str | None = None) -> str:
    """The label of one facet item in ``lang``."""
    try:
        if facet in VOCABULARIES:
            return vocabulary(VOCABULARIES[facet]).label(value, lang)
        if facet == STATUS and ":" in value:
            field_name, code = value.split(":", 1)
            return field_label(field_name, code, lang)
        if facet == "res_format":
            concept = vocabulary("formats").get(value)
            return vocabulary("formats").label(value, lang) if concept else (default or value)
    except VocabularyError:
        pass
    return default or value
