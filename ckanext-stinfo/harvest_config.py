"""Harvest source configurations (field mappings, perhaps credentials of the source): shown only
to those who may update the source, and never put into the search index.

ckanext-harvest shows a source's ``config`` as a string and also copies each of its keys to the
top level of the source's dataset dict; the activity stream keeps those dicts as they were.
"""
from __future__ import annotations

import functools
import json
from typing import Any

from ckan import model
from ckan.plugins import toolkit

DATASET_TYPE = "harvest"


def may_see(context: dict[str, Any], source_id: str) -> bool:
    """Whether the user of ``context`` may update the source (internal calls may)."""
    if context.get("ignore_auth"):
        return True
    try:
        toolkit.check_access("harvest_source_update", {"user": context.get("user") or ""}, {"id": source_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


@functools.lru_cache(maxsize=1)
def _own_fields() -> frozenset[str]:
    from ckanext.harvest.logic.schema import harvest_source_show_package_schema

    return frozenset(harvest_source_show_package_schema())


def _parsed(config: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(config) if isinstance(config, str) else config
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def strip(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove the configuration from a source's dict: ``config``, its keys copied to the top
    level, the extra, and the copies the search index keeps (also serialised)."""
    config = pkg_dict.pop("config", None)
    pkg_dict.pop("extras_config", None)
    for key, value in _parsed(config).items():
        if key not in _own_fields() and key in pkg_dict and pkg_dict[key] == value:
            del pkg_dict[key]
    if isinstance(pkg_dict.get("extras"), list):
        pkg_dict["extras"] = [extra for extra in pkg_dict["extras"] if extra.get("key") != "config"]
    for serialised in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(serialised), str):
            pkg_dict[serialised] = json.dumps(strip(json.loads(pkg_dict[serialised])))
    return pkg_dict


def _has_config(pkg_dict: dict[str, Any]) -> bool:
    return "config" in pkg_dict or any(extra.get("key") == "config" for extra in pkg_dict.get("extras") or [])


def show(context: dict[str, Any], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A source's dict with its configuration for those who may update the source, without it
    for anyone else."""
    if not may_see(context, pkg_dict["id"]):
        return strip(pkg_dict)
    if not _has_config(pkg_dict):
        _add_stored(pkg_dict)
    return pkg_dict


def _add_stored(pkg_dict: dict[str, Any]) -> None:
    """Add the stored configuration as ckanext-harvest's show schema does (the search index,
    which package_show and package_search read, keeps none)."""
    from ckanext.harvest.logic.validators import harvest_source_convert_from_config

    package = model.Package.get(pkg_dict["id"])
    config = package.extras.get("config") if package is not None else None
    if config is not None:
        data = {("config",): config}
        harvest_source_convert_from_config(("config",), data, {}, {})
        pkg_dict.update({key: value for (key,), value in data.items()})


def hide(context: dict[str, Any], value: Any) -> Any:
    """``value`` (activities, their data) without the configurations of the harvest sources the
    user of ``context`` may not update."""
    seen: dict[str, bool] = {}

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if item.get("type") == DATASET_TYPE and isinstance(item.get("id"), str):
                if item["id"] not in seen:
                    seen[item["id"]] = may_see(context, item["id"])
                if not seen[item["id"]]:
                    strip(item)
            for child in item.values():
                walk(child)
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(value)
    return value
