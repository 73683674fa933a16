"""Pieces shared by the harvesters of the IP Office, the standards commission, the enterprise
registry and the radiation agency: paged JSON listings, mappings with defaults, provinces.

Each of those harvesters keeps its default field mapping in code; a source's configuration may
override any rule (``mapping``) without repeating the others.
"""
from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from ckan import model
from ckanext.stinfo import identifiers
from ckanext.stinfo.harvesters import http, mapping
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord
from ckanext.stinfo.vocabularies import vocabulary

#: Keys of a paged JSON listing (``{"data": [...], "meta": {"pages": 7}}`` by default).
PAGED_DEFAULTS: dict[str, Any] = {
    "list_path": "data",
    "pages_path": "meta.pages",
    "id_field": "id",
    "deleted_field": "deleted",
    "page_param": "page",
    "size_param": "page_size",
    "since_param": "modified_since",
    "page_size": 100,
    "max_pages": 10000,
}


def get_json(url: str, params: dict[str, Any] | None = None) -> Any:
    """The JSON document at ``url`` (bounded request); :class:`http.SourceError` when it is not JSON."""
    response = http.get(url, params=params, accept="application/json")
    try:
        return json.loads(response.text())
    except ValueError as err:
        raise http.SourceError(f"{response.url}: the response is not valid JSON ({err})") from err


def since_text(since: datetime.datetime | None) -> str | None:
    """``since`` as UTC ISO 8601 with a ``Z`` (the value incremental listings send)."""
    return None if since is None else since.replace(microsecond=0).isoformat() + "Z"


def paged_records(url: str, cfg: dict[str, Any], since: datetime.datetime | None) -> Iterator[SourceRecord]:
    """Records of a paged JSON listing (keys in :data:`PAGED_DEFAULTS`), changed since ``since`` if given."""
    page = 1
    while page <= cfg["max_pages"]:
        params = {cfg["page_param"]: page, cfg["size_param"]: cfg["page_size"]}
        if since is not None and cfg.get("since_param"):
            params[cfg["since_param"]] = since_text(since)
        body = get_json(url, params)
        items = mapping.resolve(body, cfg["list_path"])
        if not isinstance(items, list):
            raise MappingError(f"page {page}: no list at '{cfg['list_path']}' in the response")
        for item in items:
            guid = mapping.resolve(item, cfg["id_field"])
            if guid in (None, ""):
                raise MappingError(f"page {page}: a record has no '{cfg['id_field']}'")
            yield SourceRecord(str(guid).strip(), item, deleted=bool(mapping.resolve(item, cfg["deleted_field"])))
        pages = mapping.resolve(body, cfg["pages_path"])
        if not items or not isinstance(pages, int) or page >= pages:
            return
        page += 1


def page_size_errors(config: dict[str, Any]) -> list[str]:
    size = config.get("page_size", PAGED_DEFAULTS["page_size"])
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 1000:
        return ["'page_size' must be a whole number from 1 to 1000"]
    return []


def merged_mapping(defaults: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The default mapping with the source's own rules over it (a rule set to null is dropped)."""
    rules = {**defaults, **(config.get("mapping") or {})}
    return {field: rule for field, rule in rules.items() if rule is not None}


def mapping_errors(config: dict[str, Any]) -> list[str]:
    """Problems in the optional ``mapping`` of a source whose harvester has a default mapping."""
    if "mapping" not in config:
        return []
    if not isinstance(config["mapping"], dict):
        return ["'mapping' must be an object from dataset field to rule"]
    rules = {k: v for k, v in config["mapping"].items() if v is not None}
    return mapping.errors(rules) if rules else []


def as_list(value: Any) -> list[str]:
    """A list given as a list or as text separated by commas, semicolons or new lines."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else re.split(r"[,;\n]", str(value))
    result: list[str] = []
    for item in items:
        text = unicodedata.normalize("NFC", str(item)).strip()
        if text and text not in result:
            result.append(text)
    return result


def _name_key(text: str) -> str:
    folded = identifiers.fold_vietnamese(unicodedata.normalize("NFC", text)).lower().strip()
    folded = re.sub(r"^(tinh|thanh pho|tp\.?)\s*", "", folded)
    return re.sub(r"[^a-z0-9]", "", folded)


@functools.cache
def _province_names(former: bool) -> dict[str, str]:
    names: dict[str, str] = {}
    if former:
        for concept in vocabulary("former_provinces").items:
            for label in concept.label.values():
                names[_name_key(label)] = concept.extra["successor"]
    for concept in vocabulary("provinces").items:
        for label in concept.label.values():
            names[_name_key(label)] = concept.code
    names.update({"hcm": "79", "tphcm": "79", "hochiminhcity": "79", "saigon": "79"})
    return names


def province_code(value: Any, former: bool = True) -> Any:
    """The code of a provincial unit in force since 1 July 2025, from a current or (unless
    ``former`` is false) former code or name, with or without diacritics or a 'Tỉnh'/'Thành phố'
    prefix; the value unchanged when unknown, so that the schema's check names it."""
    if value in (None, ""):
        return value
    text = unicodedata.normalize("NFC", str(value)).strip()
    if re.fullmatch(r"\d{1,3}", text):
        code = f"{int(text):02d}"
        if code in vocabulary("provinces"):
            return code
        previous = vocabulary("former_provinces").get(code) if former else None
        return previous.extra["successor"] if previous is not None else text
    return _province_names(former).get(_name_key(text), text)


def dataset_name_by_source_id(dataset_type: str, source_record_id: str) -> str | None:
    """Name of the active dataset of ``dataset_type`` harvested from the record ``source_record_id``."""
    found = (
        model.Session.query(model.Package.name)
        .filter(model.Package.type == dataset_type, model.Package.state == "active",
                model.Package.extras.contains({"source_record_id": source_record_id}))
        .order_by(model.Package.metadata_created)
        .first()
    )
    return found[0] if found else None


def organization_by_tax_code(tax_code: Any) -> str | None:
    """Name of the S&T organisation record with this tax code (the oldest), or None."""
    try:
        code = identifiers.normalize_tax_code(str(tax_code))
    except identifiers.IdentifierError:
        return None
    found = (
        model.Session.query(model.Package.name)
        .filter(model.Package.type == "st_organization", model.Package.state == "active",
                model.Package.extras.contains({"tax_code": code}))
        .order_by(model.Package.metadata_created)
        .first()
    )
    return found[0] if found else None


def standard_name(number: str) -> str:
    """The dataset name of a TCVN or QCVN record: its number as a slug (``TCVN 7870-1:2010`` ->
    ``tcvn-7870-1-2010``), so that records can name the standards they replace before those are
    harvested."""
    return identifiers.slugify_vi(number)


@functools.cache
def _national_fields() -> dict[str, str]:
    return {national: concept.code for concept in vocabulary("fields_of_science").items
            for national in concept.extra.get("vn_codes", [])}


def fields_of_science(value: Any) -> list[str]:
    """OECD FORD codes; national codes (Decision 12/2008/QĐ-BKHCN, and level-3/4 codes by their
    level-2 prefix) are translated, anything else is kept for the schema to name."""
    ford, national = vocabulary("fields_of_science"), _national_fields()
    result: list[str] = []
    for code in as_list(value):
        if code not in ford and code.isdigit():
            code = national.get(code) or (national.get(code[:3]) if len(code) >= 5 else None) or code
        if code not in result:
            result.append(code)
    return result
