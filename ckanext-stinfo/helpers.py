"""Template helpers of STInfo."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import toolkit
from ckanext.stinfo import facets, identifiers
from ckanext.stinfo.vocabularies import vocabulary
from flask import has_request_context

__all__ = [
    "stinfo_vocabulary_choices",
    "stinfo_lang",
    "stinfo_other_locale",
    "stinfo_facet_label",
    "stinfo_facet_labeller",
    "stinfo_facet_items",
    "stinfo_record_type_label",
    "stinfo_record_types",
    "stinfo_title",
    "stinfo_notes",
    "stinfo_type_counts",
    "stinfo_identifiers",
    "stinfo_relations",
    "stinfo_provenance",
    "stinfo_hidden_fields",
    "stinfo_site_url",
    "humanize_entity_type",
]

DEFAULT_LANG = "vi"


def _current_lang() -> str:
    """Return the language of the current request, or Vietnamese outside a request."""
    if has_request_context():
        return toolkit.h.lang() or DEFAULT_LANG
    return DEFAULT_LANG


def stinfo_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Return the choices of the list named in ``field['vocabulary']`` (a scheming ``choices_helper``)."""
    return vocabulary(field["vocabulary"]).choices(_current_lang())


# ---------------------------------------------------------------- the public portal

LANGUAGES = ("vi", "en")

# Identifier fields shown together at the top of a record page, and how each links out.
IDENTIFIER_FIELDS = (
    "task_code", "result_registration_number", "tax_code", "organization_code", "ror",
    "st_registration_number", "orcid", "doi", "issn", "isbn", "application_number", "publication_number",
    "grant_number", "standard_number", "regulation_number", "decision_number", "issuing_document",
    "notification_symbol", "indicator_code", "station_code", "registration_number", "certificate_number",
)
IDENTIFIER_LINKS = {
    "orcid": "https://orcid.org/{}",
    "doi": "https://doi.org/{}",
    "issn": "https://portal.issn.org/resource/ISSN/{}",
    "ror": "{}",
}
# Fields whose values name other records (a record or organisation name, or an identifier).
RELATION_FIELDS = (
    "lead_organization", "principal_investigator", "affiliation", "parent_organization",
    "related_organizations", "related_researchers", "related_publications", "related_patents",
    "related_tasks", "related_standards",
)
PROVENANCE_FIELDS = ("source_system", "source_url", "source_record_id", "harvested_at", "content_hash")
# Identifier kinds a relation may be written as, and the record field that holds each.
RELATION_IDENTIFIERS = (
    (re.compile(r"^\d{10}(-\d{3})?$"), identifiers.normalize_tax_code, "tax_code"),
    (re.compile(r"^(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dXx]$"), identifiers.normalize_orcid, "orcid"),
)
NAME_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")


def stinfo_lang() -> str:
    """The language of the page: ``vi`` or ``en``."""
    lang = (_current_lang() or DEFAULT_LANG).split("_")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANG


def stinfo_other_locale() -> dict[str, str]:
    """The language a visitor can switch to: its code and its name written in that language."""
    default = (toolkit.config.get("ckan.locale_default") or DEFAULT_LANG).split("_")[0]
    code, name = ("vi", "Tiếng Việt") if stinfo_lang() == "en" else ("en", "English")
    # CKAN's url_for(..., locale=...) leaves the prefix out for "default" only.
    return {"code": code, "name": name, "url_locale": "default" if code == default else code}


def stinfo_facet_label(facet: str, value: str, default: str | None = None) -> str:
    """The label of a search facet item in the page's language."""
    return facets.label(facet, value, stinfo_lang(), default)


def stinfo_facet_labeller(facet: str) -> Callable[[dict[str, Any]], str]:
    """A ``label_function`` for CKAN's ``facet_list.html``: labels the items of ``facet``."""
    lang = stinfo_lang()

    def labeller(item: dict[str, Any]) -> str:
        return facets.label(facet, item["name"], lang, item.get("display_name"))

    return labeller


def stinfo_facet_items(facet: str, search_facets: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
    """The items of a facet as CKAN lists them; years newest first."""
    items = toolkit.h.get_facet_items_dict(facet, search_facets, limit=limit)
    if facet == facets.YEAR:
        items = sorted(items, key=lambda item: item["name"], reverse=True)
    return items


def stinfo_record_type_label(dataset_type: str) -> str:
    """The name of a record type in the page's language."""
    return vocabulary("record_types").label(dataset_type, stinfo_lang())


def stinfo_record_types() -> list[dict[str, str]]:
    """Every record type: code, label and description in the page's language."""
    lang = stinfo_lang()
    result = []
    for concept in vocabulary("record_types").items:
        description = concept.extra.get("description") or {}
        result.append({
            "code": concept.code,
            "label": vocabulary("record_types").label(concept.code, lang),
            "description": description.get(lang) or description.get(DEFAULT_LANG) or "",
        })
    return result


def _localized(pkg: dict[str, Any], field: str) -> str:
    if stinfo_lang() == "en" and pkg.get(f"{field}_en"):
        return pkg[f"{field}_en"]
    return pkg.get(field) or ""


def stinfo_title(pkg: dict[str, Any]) -> str:
    """The record's title in the page's language (the English title on English pages, if any)."""
    return _localized(pkg, "title") or pkg.get("name") or ""


def stinfo_notes(pkg: dict[str, Any]) -> str:
    """The record's description in the page's language, if it has one."""
    return _localized(pkg, "notes")


def stinfo_type_counts() -> list[dict[str, Any]]:
    """Public records per record type, in the order of the list of record types."""
    try:
        result = toolkit.get_action("package_search")(
            {}, {"rows": 0, "facet.field": ["dataset_type"], "facet.limit": -1})
    except toolkit.ObjectNotFound:
        return []
    counts = result.get("facets", {}).get("dataset_type", {})
    return [
        {**record_type, "count": counts.get(record_type["code"], 0)}
        for record_type in stinfo_record_types()
        if counts.get(record_type["code"])
    ]


def _label(field: dict[str, Any]) -> str:
    return toolkit.h.scheming_language_text(field.get("label")) or field["field_name"]


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [str(item).strip() for item in value if item and str(item).strip()]


def stinfo_identifiers(pkg: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's identifiers: label, value, and a link where the identifier has a resolver."""
    result = []
    for field in schema.get("dataset_fields", []):
        name = field["field_name"]
        if name not in IDENTIFIER_FIELDS:
            continue
        for value in _values(pkg.get(name)):
            link = IDENTIFIER_LINKS.get(name)
            result.append({"field": name, "label": _label(field), "value": value,
                           "url": link.format(value) if link else None})
    return result


def _search(fq: str, rows: int) -> list[dict[str, Any]]:
    try:
        return toolkit.get_action("package_search")(
            {}, {"fq": fq, "rows": rows, "include_private": True})["results"]
    except (toolkit.ValidationError, toolkit.NotAuthorized):
        return []


def _record_link(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": stinfo_title(record),
        "url": toolkit.h.url_for(f"{record['type']}.read", id=record["name"]),
        "kind": stinfo_record_type_label(record["type"]),
        "found": True,
    }


def _resolve(values: list[str]) -> dict[str, dict[str, Any]]:
    """Links for relation values: a record by name, a publisher by name, a record by identifier, or text."""
    links: dict[str, dict[str, Any]] = {}
    names = sorted({value for value in values if NAME_PATTERN.match(value)})
    if names:
        quoted = " OR ".join(f'"{name}"' for name in names)
        for record in _search(f"name:({quoted})", len(names)):
            links[record["name"]] = _record_link(record)
    for value in values:
        if value in links:
            continue
        group = model.Group.by_name(value) if NAME_PATTERN.match(value) else None
        if group is not None and group.state == "active" and group.is_organization:
            links[value] = {"text": group.title or group.name, "found": True,
                            "url": toolkit.h.url_for("organization.read", id=group.name),
                            "kind": toolkit._("Publisher")}
            continue
        for pattern, normalize, field in RELATION_IDENTIFIERS:
            if not pattern.match(value):
                continue
            try:
                canonical = normalize(value)
            except identifiers.IdentifierError:
                break
            found = _search(f'{field}:"{canonical}"', 1)
            if found:
                links[value] = _record_link(found[0])
            break
        links.setdefault(value, {"text": value, "url": None, "kind": None, "found": False})
    return links


def stinfo_relations(pkg: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's relations, one entry per relation field that has values, each value resolved to a link."""
    fields = [field for field in schema.get("dataset_fields", [])
              if field["field_name"] in RELATION_FIELDS and _values(pkg.get(field["field_name"]))]
    links = _resolve(sorted({value for field in fields for value in _values(pkg.get(field["field_name"]))}))
    return [
        {"field": field["field_name"], "label": _label(field),
         "links": [links[value] for value in _values(pkg.get(field["field_name"]))]}
        for field in fields
    ]


def stinfo_provenance(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """Where the record comes from, or None for a record entered in the portal."""
    if not any(pkg.get(name) for name in ("source_system", "source_url", "source_record_id", "harvested_at")):
        return None
    url = pkg.get("source_url")
    return {
        "source_system": pkg.get("source_system"),
        "source_url": url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
        "source_record_id": pkg.get("source_record_id"),
        "harvested_at": pkg.get("harvested_at"),
        "content_hash": pkg.get("content_hash"),
    }


def stinfo_hidden_fields() -> list[str]:
    """Fields the record page shows in its own blocks, not in the table of further details."""
    return [
        "id", "title", "title_en", "name", "notes", "notes_en", "tag_string", "license_id", "owner_org",
        *IDENTIFIER_FIELDS, *RELATION_FIELDS, *PROVENANCE_FIELDS,
    ]


def stinfo_site_url() -> str:
    """The portal's public address, without a trailing slash."""
    return (toolkit.config.get("ckan.site_url") or "").rstrip("/")


# How CKAN names a record type in buttons, titles and breadcrumbs (``h.humanize_entity_type``).
RECORD_TYPE_TEXTS = {
    "add link": identifiers.N_("Publish: {type}"),
    "create label": identifiers.N_("New record: {type}"),
    "create title": identifiers.N_("New record: {type}"),
    "edit label": identifiers.N_("Edit record: {type}"),
    "form label": identifiers.N_("Record form: {type}"),
    "search placeholder": identifiers.N_("Search in: {type}"),
    "delete confirmation": identifiers.N_("Are you sure you want to delete this record?"),
    "no description": identifiers.N_("There is no description for this record."),
    "no any objects": identifiers.N_("There are no records of this type yet."),
    "save label": identifiers.N_("Save record"),
    "update label": identifiers.N_("Update record"),
    "view label": identifiers.N_("View record"),
    "content tab": identifiers.N_("Record"),
}


@toolkit.chained_helper
def humanize_entity_type(next_helper: Callable[..., Any], entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    """Name STInfo's record types in the page's language wherever CKAN names a dataset type."""
    if entity_type != "package" or object_type == "dataset" or object_type not in vocabulary("record_types"):
        return next_helper(entity_type, object_type, purpose)
    label = stinfo_record_type_label(object_type)
    if purpose == "name placeholder":
        return "ten-ban-ghi"
    text = RECORD_TYPE_TEXTS.get(purpose)
    return toolkit._(text).format(type=label) if text else label
