"""Link and freshness check of resources, run as CKAN background jobs (``ckan stinfo check-links``).

Polite to remote servers: robots.txt is read once per host and obeyed (user agent
:data:`USER_AGENT`); requests to one host are spaced by ``ckanext.stinfo.linkcheck.delay``
seconds, or by the host's robots.txt ``Crawl-delay`` when longer (at most
:data:`MAX_CRAWL_DELAY`), across all the site's worker processes: each request reserves the next
free slot of its host in Redis (without Redis, the spacing holds within one process); every
request has a timeout (``ckanext.stinfo.linkcheck.timeout``); a ``HEAD`` comes
first, and only when the server does not answer it usefully a ``GET`` of the first byte
(``Range: bytes=0-0``), whose body is never read. Hosts resolving to loopback or private
addresses are refused as for harvesting (:func:`ckanext.stinfo.harvesters.http.check_host`,
with ``ckanext.stinfo.harvest.allowed_hosts``); so are redirects to them.

Results are kept on the resource, without a new version of the record (no activity, no change of
``metadata_modified``): ``stinfo_link_status`` (``ok``, ``broken``, ``timeout``, ``robots``,
``refused``, ``error``), ``stinfo_link_code`` (HTTP status), ``stinfo_link_message`` and
``stinfo_link_checked`` (UTC, ISO 8601). Each record checked is then indexed again, which also
brings its quality score (freshness included) up to date.
"""
from __future__ import annotations

import datetime
import logging
import threading
import time
import urllib.robotparser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from ckan.plugins import toolkit
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

USER_AGENT = "STInfo-linkcheck/1.0 (+https://stinfo.gov.vn)"
STATUS_FIELDS = ("stinfo_link_status", "stinfo_link_code", "stinfo_link_message", "stinfo_link_checked")
RETRY_WITH_GET = {400, 403, 405, 406, 409, 429, 500, 501, 502, 503}
MAX_CRAWL_DELAY = 60  # seconds; a longer robots.txt Crawl-delay counts as this

# Reserve the next request slot of a host: KEYS[1] holds the earliest time (ms, Redis clock) of
# the host's next request; ARGV[1] is the gap (ms). Returns how long to wait for the slot (ms).
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or 0))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', after), 'PX', after - now + 1000)
return slot - now
"""


class Politeness:
    """robots.txt per host and the spacing of requests to one host, for one run.

    The spacing is shared by the site's processes through Redis; if Redis cannot be reached it
    falls back, with a warning, to spacing within this process.
    """

    def __init__(self, delay: float, timeout: float) -> None:
        self.delay = delay
        self.timeout = timeout
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._crawl_delay: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._reserve: Any = None
        self._shared = True

    def wait(self, url: str) -> None:
        """Sleep until this request's slot for the host of ``url``."""
        host = (urlsplit(url).hostname or "").lower()
        gap = max(self.delay, self._crawl_delay.get(host, 0))
        if gap <= 0:
            return
        if self._shared:
            try:
                time.sleep(self._reserved_wait(host, gap))
                return
            except RedisError as error:
                self._shared = False
                log.warning("Link check: Redis unavailable (%s); requests to a host are spaced within "
                            "this process only", error)
        with self._lock:
            pause = self._last.get(host, 0) + gap - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._last[host] = time.monotonic()

    def _reserved_wait(self, host: str, gap: float) -> float:
        """Reserve the host's next slot in Redis; seconds until it."""
        if self._reserve is None:
            from ckan.lib.redis import connect_to_redis

            self._reserve = connect_to_redis().register_script(RESERVE)
        site_id = toolkit.config.get("ckan.site_id")
        key = f"ckan:{site_id}:stinfo:linkcheck:next:{host}"
        return int(self._reserve(keys=[key], args=[round(gap * 1000)])) / 1000

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                self.wait(base)
                response = requests.get(base + "/robots.txt", timeout=self.timeout, allow_redirects=True,
                                        headers={"User-Agent": USER_AGENT})
                if response.status_code >= 400:
                    parser = None  # no robots.txt: everything allowed
                else:
                    parser.parse(response.text.splitlines())
                    crawl_delay = float(parser.crawl_delay(USER_AGENT) or 0)
                    host = (parts.hostname or "").lower()
                    self._crawl_delay[host] = max(self._crawl_delay.get(host, 0),
                                                  min(crawl_delay, MAX_CRAWL_DELAY))
            except requests.RequestException:
                parser = None
            self._robots[base] = parser
        parser = self._robots[base]
        return parser is None or parser.can_fetch(USER_AGENT, url)


def _settings() -> tuple[float, float, list[str]]:
    cfg = toolkit.config
    return (float(cfg.get("ckanext.stinfo.linkcheck.timeout") or 10),
            float(cfg.get("ckanext.stinfo.linkcheck.delay") or 0),
            cfg.get("ckanext.stinfo.harvest.allowed_hosts") or [])


def check_url(url: str, politeness: Politeness | None = None, allowed: list[str] | None = None,
              redirects: int = 5) -> dict[str, Any]:
    """Check one URL: ``{"status", "code", "message"}``; never raises."""
    from ckanext.stinfo.harvesters.http import SourceError, check_host

    timeout, delay, configured = _settings()
    politeness = politeness or Politeness(delay, timeout)
    allowed = configured if allowed is None else allowed
    try:
        check_host(url, allowed)
    except SourceError as error:
        return {"status": "refused", "code": None, "message": str(error)}
    if not politeness.allowed(url):
        return {"status": "robots", "code": None, "message": "robots.txt does not allow checking this address"}
    headers = {"User-Agent": USER_AGENT}
    try:
        politeness.wait(url)
        response = requests.head(url, headers=headers, timeout=politeness.timeout, allow_redirects=False)
        if response.status_code in RETRY_WITH_GET:
            politeness.wait(url)
            with requests.get(url, headers={**headers, "Range": "bytes=0-0"}, timeout=politeness.timeout,
                              allow_redirects=False, stream=True) as response:
                pass
    except requests.Timeout:
        return {"status": "timeout", "code": None, "message": f"no answer within {politeness.timeout:g} s"}
    except requests.RequestException as error:
        return {"status": "error", "code": None, "message": f"{type(error).__name__}: {error}"[:300]}
    if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
        if not redirects:
            return {"status": "broken", "code": response.status_code, "message": "too many redirects"}
        target = urljoin(url, response.headers.get("Location", ""))
        return check_url(target, politeness, allowed, redirects - 1)
    if response.status_code < 400:
        return {"status": "ok", "code": response.status_code, "message": ""}
    return {"status": "broken", "code": response.status_code, "message": f"HTTP {response.status_code}"}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def check_packages(package_ids: list[str]) -> dict[str, int]:
    """Check the resources of the given records, keep the results, re-index the records.

    The function a background job runs. Returns counts per status.
    """
    from ckan import model
    from ckan.lib.search import rebuild

    timeout, delay, allowed = _settings()
    politeness = Politeness(delay, timeout)
    counts: dict[str, int] = {}
    for package_id in package_ids:
        package = model.Package.get(package_id)
        if package is None or package.state != "active":
            continue
        for resource in package.resources:
            if resource.state != "active" or not resource.url:
                continue
            url = resource.url
            if not urlsplit(url).scheme:
                url = toolkit.config.get("ckan.site_url", "").rstrip("/") + "/" + url.lstrip("/")
            result = check_url(url, politeness, allowed)
            counts[result["status"]] = counts.get(result["status"], 0) + 1
            extras = dict(resource.extras or {})
            extras.update({"stinfo_link_status": result["status"], "stinfo_link_code": result["code"] or "",
                           "stinfo_link_message": result["message"], "stinfo_link_checked": _now()})
            resource.extras = extras
        model.Session.commit()
        try:
            rebuild(package.id)
        except Exception:  # noqa: BLE001 - a record that cannot be indexed must not stop the others
            log.exception("Re-indexing %s after its link check failed", package.id)
    log.info("Link check of %d records: %s", len(package_ids), counts)
    return counts


def package_ids(organization: str | None = None) -> list[str]:
    """Ids of the active records (of one organisation, by name or id), oldest check first."""
    from ckan import model

    query = model.Session.query(model.Package.id).filter(model.Package.state == "active",
                                                        model.Package.type != "harvest")
    if organization:
        group = model.Group.get(organization)
        if group is None:
            raise toolkit.ObjectNotFound(organization)
        query = query.filter(model.Package.owner_org == group.id)
    return [pid for (pid,) in query.order_by(model.Package.id)]


def enqueue(ids: list[str], batch: int = 50, queue: str | None = None) -> list[str]:
    """One background job per ``batch`` records (on ``queue``, default CKAN's); returns the job ids."""
    jobs = []
    for start in range(0, len(ids), batch):
        part = ids[start:start + batch]
        options = {"queue": queue} if queue else {}
        job = toolkit.enqueue_job(check_packages, [part], title=f"stinfo link check {start + 1}-{start + len(part)}",
                                  rq_kwargs={"timeout": 3600}, **options)
        jobs.append(job.id)
    return jobs
