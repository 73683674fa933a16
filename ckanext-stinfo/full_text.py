"""What of a record goes into the full-text search index.

CKAN indexes every extra as ``extras_<name>``, analysed as text and copied into the catch-all
``text`` field, with the value as stored. Two kinds of values need more care:

- a field of several values (authors, inventors, applicants, codes) is stored as a JSON list,
  with every letter outside ASCII escaped: analysed as it is, "Lê Văn Hùng" becomes the tokens
  "L", "u00ea", "V", "u0103n" and a search for the author finds nothing. Its values are indexed
  as the text they are;
- a machine value (a content hash, a harvest time): the word-delimiter analysis splits it into
  runs of letters and digits, so that a search for "12" or "2026" would find nearly every
  harvested record. A schema field marked ``full_text: false`` is left out of the analysed
  fields; it stays searchable as an exact value under its own name (CKAN's unanalysed copy of
  each extra: ``content_hash:<hex>``).
"""
from __future__ import annotations

import functools
import json
from typing import Any

from ckanext.stinfo import schema_fields

SEPARATOR = "; "


@functools.lru_cache(maxsize=1)
def machine_fields() -> frozenset[str]:
    """Names of the dataset fields marked ``full_text: false`` in any schema."""
    return schema_fields.names_where(lambda field: field.get("full_text") is False)


def _as_text(value: Any) -> Any:
    """The values of a JSON list of scalars as text; any other value as it is."""
    if not (isinstance(value, str) and value.startswith("[")):
        return value
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the decoder goes
        return value
    if not isinstance(items, list) or any(isinstance(item, (dict, list)) for item in items):
        return value
    return SEPARATOR.join(str(item) for item in items if item is not None and item != "")


def prepare(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """An index document's analysed extras (``extras_<name>``): lists as their values' text, the
    machine fields left out."""
    for name in machine_fields():
        pkg_dict.pop(f"extras_{name}", None)
    for key, value in pkg_dict.items():
        if key.startswith("extras_"):
            pkg_dict[key] = _as_text(value)
    return pkg_dict
