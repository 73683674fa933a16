"""S&T tasks from the national S&T management platform's JSON API (paged list + detail).

The contract we expect from the platform, and every configuration key, is described in
``harvesters/README.md``; the field mapping lives in the harvest source's configuration.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo.harvesters import helpers, mapping
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

DEFAULTS = {
    **helpers.PAGED_DEFAULTS,
    "record_path": "data",
    "detail_url": "{url}/{id}",
    "dataset_type": "st_task",
}


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
        return mapping.errors(config.get("mapping")) + helpers.page_size_errors(config)

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        yield from helpers.paged_records(url, self.settings(config), since)

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
        full = mapping.resolve(helpers.get_json(detail), cfg["record_path"])
        if not isinstance(full, dict):
            raise MappingError(f"no record object at '{cfg['record_path']}' in {detail}")
        return full

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        return {"type": cfg["dataset_type"], **mapping.apply(record, cfg["mapping"])}
