"""Field mappings kept as data in a harvest source's configuration.

A mapping is a JSON object from dataset field to a rule:

- ``"ten_nhiem_vu"``: the value at a dotted path of the source record (``a.b.c``); a ``[]``
  step collects over a list (``"thanh_vien[].ma"``);
- ``{"path": ..., "values": {"Cấp quốc gia": "national"}}``: translate values through a table
  (a value missing from the table is an error naming the field);
- ``{"path": ..., "default": ...}``: a default when the source has no value;
- ``{"value": ...}``: a constant;
- ``{"path": ..., "join": "; "}``: a list joined into one string.
"""
from __future__ import annotations

from typing import Any

from ckanext.stinfo.harvesters.base import MappingError

_EMPTY = (None, "", [], {})


def resolve(record: Any, path: str) -> Any:
    """The value at ``path`` in ``record``; None when any step is missing."""
    value = record
    steps = path.split(".")
    for index, step in enumerate(steps):
        if step.endswith("[]"):
            items = value.get(step[:-2]) if isinstance(value, dict) else None
            if not isinstance(items, list):
                return None
            rest = ".".join(steps[index + 1:])
            found = [resolve(item, rest) if rest else item for item in items]
            return [item for item in found if item not in _EMPTY]
        value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _translate(field: str, value: Any, table: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_translate(field, item, table) for item in value]
    key = str(value).strip()
    if key not in table:
        raise MappingError(f"{field}: the source value '{key}' has no entry in the mapping's value table")
    return table[key]


def apply(record: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    """The dataset fields the mapping produces from ``record`` (empty values left out)."""
    if not isinstance(record, dict):
        raise MappingError("the source record is not a JSON object")
    result = {}
    for field, rule in mapping.items():
        if isinstance(rule, str):
            rule = {"path": rule}
        if not isinstance(rule, dict):
            raise MappingError(f"{field}: a mapping rule must be a path or an object")
        value = rule["value"] if "value" in rule else resolve(record, rule.get("path", ""))
        if value in _EMPTY:
            value = rule.get("default")
        if value in _EMPTY:
            continue
        if "values" in rule:
            value = _translate(field, value, rule["values"])
        if "join" in rule and isinstance(value, list):
            value = rule["join"].join(str(item) for item in value)
        result[field] = value.strip() if isinstance(value, str) else value
    return result


def errors(mapping: Any) -> list[str]:
    """Problems in a mapping's shape, for a source's configuration check."""
    if not isinstance(mapping, dict) or not mapping:
        return ["'mapping' must be a non-empty object from dataset field to rule"]
    problems = []
    for field, rule in mapping.items():
        if isinstance(rule, dict) and not ({"path", "value"} & set(rule)):
            problems.append(f"mapping of '{field}' needs 'path' or 'value'")
        elif not isinstance(rule, (str, dict)):
            problems.append(f"mapping of '{field}' must be a path or an object")
    return problems
