"""The fields of every dataset schema, for what a field key marks across record types."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def names_where(test: Callable[[dict[str, Any]], bool]) -> frozenset[str]:
    """Names of the dataset fields of any schema for which ``test(field)`` holds."""
    from ckanext.scheming.helpers import scheming_dataset_schemas

    return frozenset(
        field["field_name"]
        for schema in (scheming_dataset_schemas() or {}).values()
        for field in schema.get("dataset_fields", [])
        if test(field)
    )
