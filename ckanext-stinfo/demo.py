"""Idempotent loader of a demo catalogue (organisations and datasets) from YAML."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import yaml
from ckan.plugins import toolkit


def site_context() -> dict[str, Any]:
    """Context of the site user, for loaders and commands."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _current_value(current: dict[str, Any], key: str) -> Any:
    """The stored value of ``key``; an owner organisation is compared by its name."""
    if key == "owner_org":
        return (current.get("organization") or {}).get("name")
    return current.get(key)


def _subset_differs(wanted: dict[str, Any], current: dict[str, Any]) -> bool:
    """True when any key of ``wanted`` has another value in ``current``."""
    return any(_current_value(current, key) != value for key, value in wanted.items() if key != "resources")


def _upsert(kind: str, record: dict[str, Any]) -> str:
    """Create the record or update it when it differs; return what happened."""
    show = toolkit.get_action(f"{kind}_show")
    try:
        current = show(site_context(), {"id": record["name"]})
    except toolkit.ObjectNotFound:
        toolkit.get_action(f"{kind}_create")(site_context(), dict(record))
        return "created"
    if current.get("state") == "active" and not _subset_differs(record, current):
        return "unchanged"
    toolkit.get_action(f"{kind}_update")(site_context(), {**record, "id": current["id"], "state": "active"})
    return "updated"


def load(path: str, progress: Callable[[str], None] = lambda _msg: None) -> dict[str, int]:
    """Load organisations then datasets from ``path``; return counts per outcome."""
    with open(path, encoding="utf-8") as stream:
        catalogue = yaml.safe_load(stream)
    counts: Counter[str] = Counter(created=0, updated=0, unchanged=0)
    for kind, key in (("organization", "organizations"), ("package", "datasets")):
        records = catalogue.get(key) or []
        for number, record in enumerate(records, 1):
            outcome = _upsert(kind, record)
            counts[outcome] += 1
            progress(f"  [{kind} {number}/{len(records)}] {record['name']}: {outcome}")
    return dict(counts)
