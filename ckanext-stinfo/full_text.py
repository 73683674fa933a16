"""What of a record goes into the full-text search index.

CKAN indexes every extra as ``extras_<name>``, analysed as text and copied into the catch-all
``text`` field. For machine values that is noise: the word-delimiter analysis splits a content
hash into runs of letters and digits and a harvest time into its numbers, so that a search for
"12" or "2026" finds nearly every harvested record. A schema field marked ``full_text: false``
is left out of those two; it stays searchable as an exact value under its own name (CKAN's
copy of each extra, an unanalysed string: ``content_hash:<hex>``).
"""
from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def machine_fields() -> frozenset[str]:
    """Names of the dataset fields marked ``full_text: false`` in any schema."""
    from ckanext.scheming.helpers import scheming_dataset_schemas

    return frozenset(
        field["field_name"]
        for schema in (scheming_dataset_schemas() or {}).values()
        for field in schema.get("dataset_fields", [])
        if field.get("full_text") is False
    )


def strip(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Drop the analysed copies (``extras_<name>``) of the machine fields from an index document."""
    for name in machine_fields():
        pkg_dict.pop(f"extras_{name}", None)
    return pkg_dict
