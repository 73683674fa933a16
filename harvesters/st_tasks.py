"""S&T tasks from the national S&T management platform's JSON API (paged list + detail).

The contract we expect from the platform, and every configuration key, is described in
``harvesters/README.md``; the field mapping lives in the harvest source's configuration.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo.harvesters import http, mapping
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

DEFAULTS = {
    "list_path": "data",
    "pages_path": "meta.pages",
    "record_path": "data",
    "id_field": "id",
    "deleted_field": "deleted",
    "page_param": "page",
    "size_param": "page_size",
    "since_param": "modified_since",
    "page_size": 100,
    "detail_url": "{url}/{id}",
    "dataset_type": "st_task",
    "max_pages": 10000,
}


def _json(response: http.Response) -> Any:
    try:
        return json.loads(response.text())
    except ValueError as err:
        raise http.SourceError(f"{response.url}: the response is not valid JSON ({err})") from err


class StTaskHarvester(StinfoHarvester):
    """Harvester ``stinfo_st_tasks``."""

    implements(IHarvester)
    source_system = "Nền tảng số quản lý KHCN&ĐMST quốc gia"
    incremental = True

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_st_tasks",
            "title": "Nhiệm vụ KH&CN (Nền tảng số quản lý KHCN&ĐMST)",
            "description": "S&T tasks from the national S&T management platform's JSON API",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        """The source's configuration over the defaults."""
        return {**DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = mapping.errors(config.get("mapping"))
        size = config.get("page_size", DEFAULTS["page_size"])
        if not isinstance(size, int) or not 1 <= size <= 1000:
            problems.append("'page_size' must be a whole number from 1 to 1000")
        return problems

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        page = 1
        while page <= cfg["max_pages"]:
            params = {cfg["page_param"]: page, cfg["size_param"]: cfg["page_size"]}
            if since is not None:
                params[cfg["since_param"]] = since.replace(microsecond=0).isoformat() + "Z"
            body = _json(http.get(url, params=params, accept="application/json"))
            items = mapping.resolve(body, cfg["list_path"])
            if not isinstance(items, list):
                raise MappingError(f"page {page}: no list at '{cfg['list_path']}' in the response")
            for item in items:
                guid = mapping.resolve(item, cfg["id_field"])
                if guid in (None, ""):
                    raise MappingError(f"page {page}: a record has no '{cfg['id_field']}'")
                deleted = bool(mapping.resolve(item, cfg["deleted_field"]))
                yield SourceRecord(str(guid), item, deleted=deleted)
            pages = mapping.resolve(body, cfg["pages_path"])
            if not items or not isinstance(pages, int) or page >= pages:
                return
            page += 1

    def _detail_url(self, url: str, cfg: dict[str, Any], guid: str) -> str | None:
        template = cfg["detail_url"]
        return template.format(url=url.rstrip("/"), id=guid) if template else None

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return self._detail_url(url, self.settings(config), guid) or url

    def fetch_record(self, url: str, config: dict[str, Any], record: SourceRecord) -> dict[str, Any]:
        cfg = self.settings(config)
        detail = self._detail_url(url, cfg, record.guid)
        if not detail:
            return record.content or {}
        full = mapping.resolve(_json(http.get(detail, accept="application/json")), cfg["record_path"])
        if not isinstance(full, dict):
            raise MappingError(f"no record object at '{cfg['record_path']}' in {detail}")
        return full

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        return {"type": cfg["dataset_type"], **mapping.apply(record, cfg["mapping"])}
