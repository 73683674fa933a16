"""Load scenario: concurrent anonymous users mixing search, record pages, the action API and DCAT.

Each user is a thread with its own keep-alive connection that picks, at random with the weights
below, one request after another, without think time, for ``--duration`` seconds. Only the
standard library is used. Prints requests, errors, requests per second, and p50/p95/p99 latency
per kind of request and overall; ``--json FILE`` writes them too. The exit status is 1 when any
request failed (a status other than 200, or no answer).

    nice -n 19 .venv/bin/python bench/load/load.py --base http://127.0.0.1:5000 --users 50 --duration 300
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import quote, urlsplit

WORDS = ["vật liệu", "nano", "nước", "y tế", "nông nghiệp", "năng lượng", "phóng xạ", "tiêu chuẩn",
         "sáng chế", "Hà Nội", "công nghệ", "đại học", "materials", "water", "2024"]
#: kind -> weight
MIX = {"search_page": 25, "record_page": 25, "api_search": 15, "api_show": 15, "dcat_record": 10,
       "dcat_catalog": 5, "home": 5}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class User(threading.Thread):
    def __init__(self, base: str, records: list[dict], stop: float, seed: int, results: dict, lock):
        super().__init__(daemon=True)
        parts = urlsplit(base)
        self.host, self.port, self.prefix = parts.hostname, parts.port or 80, parts.path.rstrip("/")
        self.records, self.stop, self.random = records, stop, random.Random(seed)
        self.results, self.lock = results, lock
        self.connection: http.client.HTTPConnection | None = None

    def path(self, kind: str) -> str:
        record = self.random.choice(self.records)
        word = quote(self.random.choice(WORDS))
        return {
            "home": "/",
            "search_page": f"/dataset/?q={word}&page={self.random.randint(1, 2)}",
            "record_page": f"/dataset/{record['name']}",
            "api_search": f"/api/3/action/package_search?q={word}&rows=20",
            "api_show": f"/api/3/action/package_show?id={record['id']}",
            "dcat_record": f"/dataset/{record['id']}.{self.random.choice(['ttl', 'rdf', 'jsonld'])}",
            "dcat_catalog": f"/catalog.{self.random.choice(['ttl', 'jsonld'])}?page=1",
        }[kind]

    def request(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        for attempt in range(2):  # a keep-alive connection closed by the server is reopened once
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.connection.request("GET", self.prefix + path, headers={"User-Agent": "stinfo-load/1.0"})
                response = self.connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response.status, time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.monotonic() < self.stop:
            kind = self.random.choices(kinds, weights)[0]
            path = self.path(kind)
            try:
                status, seconds = self.request(path)
                error = None if status == 200 else f"HTTP {status} {path}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                self.connection, seconds, error = None, 0.0, f"{type(exc).__name__}: {exc} {path}"
            with self.lock:
                if error:
                    self.results["errors"].append(error)
                else:
                    self.results["latency"][kind].append(seconds)


def records_of(base: str, rows: int = 1000) -> list[dict]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    connection.request("GET", f"{parts.path.rstrip('/')}/api/3/action/package_search?q=*:*&rows={rows}&fl=id,name")
    found = json.loads(connection.getresponse().read())["result"]["results"]
    if not found:
        sys.exit("The portal has no public records to read.")
    return [{"id": r["id"], "name": r["name"]} for r in found]


def run(base: str, users: int, duration: float, seed: int = 1) -> dict:
    records = records_of(base)
    results = {"latency": defaultdict(list), "errors": []}
    lock = threading.Lock()
    started = time.monotonic()
    threads = [User(base, records, started + duration, seed + n, results, lock) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    elapsed = time.monotonic() - started
    every = [s for values in results["latency"].values() for s in values]
    summary = {
        "base": base, "users": users, "duration_s": round(elapsed, 1), "records": len(records),
        "requests": len(every) + len(results["errors"]), "errors": len(results["errors"]),
        "error_samples": results["errors"][:20], "rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50) * 1000), "p95_ms": round(percentile(every, 0.95) * 1000),
        "p99_ms": round(percentile(every, 0.99) * 1000),
        "by_kind": {kind: {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000),
                           "p95_ms": round(percentile(values, 0.95) * 1000)}
                    for kind, values in sorted(results["latency"].items())},
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    summary = run(args.base, args.users, args.duration, args.seed)
    print(f"{summary['requests']} requests, {summary['errors']} errors, {summary['rps']} req/s, "
          f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms "
          f"({args.users} users, {summary['duration_s']} s, {summary['records']} records)")
    for kind, figures in summary["by_kind"].items():
        print(f"  {kind:14} {figures['requests']:6} requests  "
              f"p50 {figures['p50_ms']:6} ms  p95 {figures['p95_ms']:6} ms")
    for sample in summary["error_samples"]:
        print(f"  error: {sample}")
    print(f"command: nice -n 19 {sys.executable} bench/load/load.py --base {args.base} --users {args.users} "
          f"--duration {args.duration:g} --seed {args.seed}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2, ensure_ascii=False)
    sys.exit(1 if summary["errors"] else 0)


if __name__ == "__main__":
    main()
