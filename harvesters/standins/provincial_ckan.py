"""Stand-in for a provincial open-data portal running plain CKAN (the default dataset schema), as
the Đà Nẵng portal does: the action API calls ckanext-harvest's ``ckan_harvester`` makes.

``/provincial-ckan/<scenario>`` is the portal's root: ``/api/3/action/package_search`` (``q``,
``fq`` with ``metadata_modified:[<since>Z TO *]`` for incremental runs, ``rows``, ``start``,
``sort``), ``/api/3/action/package_show?id=``, ``/api/3/action/organization_show?id=``. Package
dicts are shaped as CKAN 2.10 returns them (extras as a list, tags as dicts, the organisation,
resource ids and timestamps).

Scenarios: ``ok``; ``error-500`` (the search answers HTTP 500 with an HTML page, as a portal behind
a proxy does); ``not-json`` (an HTML maintenance page with HTTP 200); ``bad-format`` (a resource
in ``XLS`` and a tag with ``&``, which the catalogue's schema refuses); ``empty``. Tests edit
``DATASETS`` (``metadata_modified`` to simulate edits) and ``DELETED``, or set ``OVERRIDE``.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

PREFIX = "/provincial-ckan"
_PAYLOAD = json.loads(
    (Path(__file__).parent / "payloads" / "provincial_ckan" / "catalogue.json").read_text(encoding="utf-8"))
ORGANIZATION: dict = _PAYLOAD["organization"]
ORIGINAL: list[dict] = _PAYLOAD["datasets"]
DATASETS: list[dict] = copy.deepcopy(ORIGINAL)
DELETED: set[str] = set()
OVERRIDE: str | None = None
_SINCE = re.compile(r"metadata_modified:\[(\S+?)Z? TO \*\]")
HTML_ERROR = (b"<!DOCTYPE html><html><head><title>B\xe1\xba\xa3o tr\xc3\xac</title></head>"
              b"<body><h1>H\xe1\xbb\x87 th\xe1\xbb\x91ng \xc4\x91ang b\xe1\xba\xa3o tr\xc3\xac</h1></body></html>")


def reset() -> None:
    """Back to the shipped payload, every URL its own scenario."""
    global OVERRIDE
    DATASETS[:] = copy.deepcopy(ORIGINAL)
    DELETED.clear()
    OVERRIDE = None


def _ok(result: object) -> tuple[int, str, bytes]:
    body = {"help": "https://opendata.danang.gov.vn/api/3/action/help_show", "success": True, "result": result}
    return 200, "application/json;charset=utf-8", json.dumps(body, ensure_ascii=False).encode()


def _not_found(message: str) -> tuple[int, str, bytes]:
    body = {"success": False, "error": {"__type": "Not Found Error", "message": message}}
    return 404, "application/json;charset=utf-8", json.dumps(body, ensure_ascii=False).encode()


def package_dict(record: dict, scenario: str = "ok") -> dict:
    """A dataset as CKAN's ``package_show`` returns it."""
    org = {k: ORGANIZATION[k] for k in ("id", "name", "title", "description", "type", "is_organization",
                                        "state", "image_url")}
    resources = []
    for position, resource in enumerate(record["resources"]):
        resources.append({
            "cache_last_updated": None, "cache_url": None, "created": record["metadata_created"],
            "datastore_active": False, "description": "", "hash": "", "last_modified": None,
            "metadata_modified": record["metadata_modified"], "mimetype": None, "mimetype_inner": None,
            "package_id": record["id"], "position": position, "resource_type": None, "size": None,
            "state": "active", "url_type": "", **resource})
    tags = list(record["tags"])
    if scenario == "bad-format" and record is DATASETS[0]:
        resources[0]["format"] = "XLS"
        tags.append("KH&CN")
    return {
        "author": record.get("author", ""), "author_email": None,
        "creator_user_id": "b2c3d4e5-0000-4000-8000-000000000001",
        "id": record["id"], "isopen": True, "license_id": record["license_id"], "license_title": record["license_id"],
        "maintainer": record.get("maintainer", ""), "maintainer_email": record.get("maintainer_email"),
        "metadata_created": record["metadata_created"], "metadata_modified": record["metadata_modified"],
        "name": record["name"], "notes": record["notes"], "num_resources": len(resources), "num_tags": len(tags),
        "organization": org, "owner_org": org["id"], "private": False, "state": "active", "title": record["title"],
        "type": "dataset", "url": "", "version": record.get("version"),
        "extras": [{"key": k, "value": v} for k, v in record.get("extras", {}).items()],
        "groups": [], "relationships_as_object": [], "relationships_as_subject": [],
        "resources": resources,
        "tags": [{"display_name": t, "id": f"tag-{i}", "name": t, "state": "active", "vocabulary_id": None}
                 for i, t in enumerate(tags)],
    }


def _search(scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    if scenario == "error-500":
        return 500, "text/html; charset=utf-8", HTML_ERROR
    if scenario == "not-json":
        return 200, "text/html; charset=utf-8", HTML_ERROR
    records = [] if scenario == "empty" else [r for r in DATASETS if r["id"] not in DELETED]
    since = _SINCE.search(query.get("fq", ""))
    if since:
        records = [r for r in records if r["metadata_modified"] >= since.group(1)]
    if query.get("sort", "").startswith("id"):
        records.sort(key=lambda r: r["id"])
    start, rows = int(query.get("start", 0)), min(int(query.get("rows", 10)), 1000)
    page = [package_dict(r, scenario) for r in records[start:start + rows]]
    return _ok({"count": len(records), "facets": {}, "results": page, "sort": query.get("sort", "score desc"),
                "search_facets": {}})


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if parts and OVERRIDE:
        parts[0] = OVERRIDE
    if len(parts) != 5 or parts[1:4] != ["api", "3", "action"]:
        return 404, "text/html; charset=utf-8", b"<html><body>404 Not Found</body></html>"
    scenario, action = parts[0], parts[4]
    if action == "package_search":
        return _search(scenario, query)
    if action == "package_show":
        record = next((r for r in DATASETS if query.get("id") in (r["id"], r["name"])), None)
        return _ok(package_dict(record, scenario)) if record else _not_found("Không tìm thấy bộ dữ liệu")
    if action == "organization_show":
        if query.get("id") in (ORGANIZATION["id"], ORGANIZATION["name"]):
            return _ok({**ORGANIZATION, "packages": [], "users": [], "extras": [], "groups": [], "tags": []})
        return _not_found("Không tìm thấy tổ chức")
    return 400, "application/json", json.dumps({"success": False, "error": {"message": "Bad request"}}).encode()
