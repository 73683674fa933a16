"""Polite, bounded HTTP for harvesters: timeouts, retries with backoff, size limits, and no
requests to loopback or private networks unless the host is explicitly allowed."""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from ckan.plugins import toolkit

USER_AGENT = "STInfo-harvester/1.0 (+https://stinfo.gov.vn)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class SourceError(Exception):
    """A source system could not be read; the message says why, in plain words."""


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        """The body decoded as UTF-8, with a clear error for another encoding."""
        try:
            return self.body.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise SourceError(f"{self.url}: the response is not valid UTF-8 (byte {err.start})") from err


def _settings() -> tuple[int, int, int, list[str]]:
    cfg = toolkit.config
    return (
        cfg.get("ckanext.stinfo.harvest.timeout"),
        cfg.get("ckanext.stinfo.harvest.retries"),
        cfg.get("ckanext.stinfo.harvest.max_bytes"),
        cfg.get("ckanext.stinfo.harvest.allowed_hosts"),
    )


def check_host(url: str, allowed: list[str]) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{url}: only http and https URLs can be harvested")
    if parts.hostname in allowed:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as err:
        raise SourceError(f"{url}: the host name cannot be resolved ({err})") from err
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise SourceError(
                f"{url}: the host resolves to the non-public address {address}; add the host to "
                "ckanext.stinfo.harvest.allowed_hosts if this source is trusted"
            )


def _read_limited(response: requests.Response, limit: int, url: str) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise SourceError(f"{url}: the response is {declared} bytes, over the limit of {limit}")
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise SourceError(f"{url}: the response exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def get(url: str, params: dict | None = None, accept: str | None = None, redirects: int = 5) -> Response:
    """GET ``url`` with the configured timeout, retries and size limit; redirects are checked too."""
    timeout, retries, limit, allowed = _settings()
    check_host(url, allowed)
    headers = {"User-Agent": USER_AGENT}
    if accept:
        headers["Accept"] = accept
    last_error = ""
    for attempt in range(max(retries, 1)):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 8))
        try:
            with requests.get(url, params=params, headers=headers, timeout=timeout, stream=True,
                              allow_redirects=False) as response:
                if response.status_code in RETRY_STATUS:
                    last_error = f"HTTP {response.status_code}"
                    continue
                if response.is_redirect:
                    if not redirects:
                        raise SourceError(f"{url}: too many redirects")
                    target = requests.compat.urljoin(response.url, response.headers.get("Location", ""))
                    return get(target, None, accept, redirects - 1)
                if response.status_code >= 400:
                    raise SourceError(f"{response.url}: HTTP {response.status_code}")
                body = _read_limited(response, limit, response.url)
                return Response(response.url, response.status_code,
                                response.headers.get("Content-Type", ""), body)
        except (requests.Timeout, requests.ConnectionError) as err:
            last_error = f"{type(err).__name__}: {err}"
    raise SourceError(f"{url}: no answer after {max(retries, 1)} attempts ({last_error})")
