"""Link check spacing across worker processes: real Redis, real HTTP on loopback, forked processes."""
import logging
import multiprocessing
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise

import pytest
from ckan.lib import redis as ckan_redis
from ckanext.stinfo import linkcheck

PROCESSES = 3
LINKS = 2  # per process, after its robots.txt
# Slots are kept on the Redis clock; when a request reaches the server also depends on how fast
# each process got its answer from Redis and was scheduled again (milliseconds on loopback).
JITTER = 0.08
ROBOTS = b"User-agent: *\nAllow: /\n"


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request and notes when it arrived (``server.times``, ``server.paths``)."""

    def log_message(self, *args):
        pass

    def _answer(self, body):
        self.server.times.append(time.monotonic())
        self.server.paths.append(self.path)
        text = self.server.robots if self.path == "/robots.txt" else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if body:
            self.wfile.write(text)

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


def _server(robots=ROBOTS):
    """A recording server on loopback, not serving yet; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    server.times, server.paths, server.robots = [], [], robots
    return server, f"http://127.0.0.1:{server.server_port}"


def _check(base, delay, go, statuses):
    """One worker process: its own run of the checker over LINKS links of ``base``."""
    polite = linkcheck.Politeness(delay=delay, timeout=5)
    go.wait(10)
    for number in range(LINKS):
        statuses.put(linkcheck.check_url(f"{base}/data/{number}.csv", polite)["status"])


def _run_workers(delay, robots=ROBOTS):
    """Fork PROCESSES checkers against one recording server started at the same moment.

    Returns the requests (arrival time, path) in order and the statuses the checkers reported.
    """
    context = multiprocessing.get_context("fork")
    server, base = _server(robots)
    go, statuses = context.Event(), context.Queue()
    workers = [context.Process(target=_check, args=(base, delay, go, statuses)) for _ in range(PROCESSES)]
    for worker in workers:  # forked before the server thread starts
        worker.start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        go.set()
        for worker in workers:
            worker.join(60)
        assert [worker.exitcode for worker in workers] == [0] * PROCESSES
        reported = [statuses.get(timeout=5) for _ in range(PROCESSES * LINKS)]
    finally:
        server.shutdown()
        server.server_close()
    return list(zip(server.times, server.paths, strict=True)), reported


def test_spacing_holds_across_worker_processes():
    delay = 0.3
    requests, statuses = _run_workers(delay)
    assert statuses == ["ok"] * PROCESSES * LINKS
    assert len(requests) == PROCESSES * (1 + LINKS), "one robots.txt and one HEAD per link in each process"
    gaps = [later[0] - earlier[0] for earlier, later in pairwise(requests)]
    assert min(gaps) >= delay - JITTER, f"requests to one host closer than {delay} s: {gaps}"


def test_robots_crawl_delay_is_shared_too():
    delay, crawl_delay = 0.2, 1
    requests, statuses = _run_workers(delay, f"User-agent: *\nCrawl-delay: {crawl_delay}\n".encode())
    assert statuses == ["ok"] * PROCESSES * LINKS
    gaps = [(earlier[1], later[0] - earlier[0]) for earlier, later in pairwise(requests)]
    assert all(gap >= delay - JITTER for _, gap in gaps), gaps
    after_links = [gap for path, gap in gaps if path != "/robots.txt"]
    assert after_links and min(after_links) >= crawl_delay - JITTER, gaps


@pytest.fixture
def redis_down(monkeypatch):
    """The site's Redis URL points at a closed port (bound, never listening) for this test."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    monkeypatch.setitem(ckan_redis.config, "ckan.redis.url", f"redis://127.0.0.1:{closed.getsockname()[1]}/1")
    monkeypatch.setattr(ckan_redis, "_connection_pool", None)  # CKAN's pool reads the URL on first use
    yield
    closed.close()


def test_without_redis_the_spacing_holds_within_the_process(redis_down, caplog, monkeypatch):
    server, base = _server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    polite = linkcheck.Politeness(delay=0.2, timeout=5)
    logger = logging.getLogger(linkcheck.__name__)
    monkeypatch.setattr(logger, "disabled", False)  # a CLI test reading the ini's logging disables it
    logger.addHandler(caplog.handler)  # the ini's ckanext logger does not propagate to the root
    try:
        statuses = [linkcheck.check_url(f"{base}/data/{number}.csv", polite)["status"] for number in range(2)]
    finally:
        logger.removeHandler(caplog.handler)
        server.shutdown()
        server.server_close()
    assert statuses == ["ok", "ok"], "the check goes on without Redis"
    assert len(server.times) == 3
    assert min(b - a for a, b in pairwise(server.times)) >= 0.2 - JITTER
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis unavailable" in warnings[0], warnings
