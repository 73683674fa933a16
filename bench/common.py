"""Shared helpers of the benchmark scripts: loading CKAN, timing, the machine, reproducing."""
from __future__ import annotations

import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_INI = ROOT / "var" / "stinfo_bench.ini"

_app_context = None


def load_ckan(ini: str | os.PathLike | None = None) -> None:
    """Load CKAN from ``ini`` (default var/stinfo_bench.ini) with a request context pushed."""
    global _app_context
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini or DEFAULT_INI)))
    _app_context = app._wsgi_app.test_request_context()
    _app_context.push()


def add_config_option(parser) -> None:
    parser.add_argument("-c", "--config", default=str(DEFAULT_INI),
                        help="CKAN ini of the benchmark site (made by bench/prepare)")


def site_user() -> str:
    from ckan.plugins import toolkit

    return toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def context(**extra: Any) -> dict[str, Any]:
    return {"user": site_user(), "ignore_auth": True, **extra}


def ensure_organizations(orgs: list[dict[str, Any]]) -> dict[str, str]:
    """Create the publisher organisations that are missing; returns name -> id."""
    from ckan import model
    from ckan.plugins import toolkit

    ids = {}
    for org in orgs:
        group = model.Group.get(org["name"])
        if group is None:
            group_id = toolkit.get_action("organization_create")(context(), dict(org))["id"]
        else:
            group_id = group.id
        ids[org["name"]] = group_id
    return ids


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def _solr_cpu_seconds() -> float | None:
    """CPU seconds used so far by the local Solr of ``deploy/`` (None when it is not local)."""
    try:
        pid = int((ROOT / "var" / "run" / "solr.pid").read_text())
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU time spent by this process and its children, and by the local Solr, from its creation:
    what a path costs whatever else the machine is doing, and the rate its cost allows."""

    def __init__(self) -> None:
        self.start_python = self._python()
        self.start_solr = _solr_cpu_seconds()

    @staticmethod
    def _python() -> float:
        return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                        resource.getrusage(resource.RUSAGE_CHILDREN)))

    def per_record(self, records: int) -> dict[str, float | None]:
        """Milliseconds of CPU per record (Python, Solr) and the records/s the machine's cores allow."""
        python = (self._python() - self.start_python) * 1000 / records
        now = _solr_cpu_seconds()
        solr = None if now is None or self.start_solr is None else (now - self.start_solr) * 1000 / records
        ceiling = (os.cpu_count() or 1) * 1000 / (python + (solr or 0))
        return {"python_ms": python, "solr_ms": solr, "ceiling_rate": ceiling}


def describe_cpu(cost: dict[str, float | None]) -> str:
    solr = "n/a" if cost["solr_ms"] is None else f"{cost['solr_ms']:.2f}"
    return (f"CPU per record: Python {cost['python_ms']:.2f} ms, Solr {solr} ms; at that cost this machine's "
            f"{os.cpu_count()} cores allow {cost['ceiling_rate']:.0f} records/s")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:  # noqa: BLE001 - a missing distribution is reported, not fatal
        return "?"


def machine() -> dict[str, str]:
    """The machine and the versions the figures were measured with."""
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            total_kb = int(info.readline().split()[1])
            mem = f"{total_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    except OSError:
        pass
    details = {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "ckan": _version("ckan"),
        "ckanext-harvest": _version("ckanext-harvest"),
        "ckanext-dcat": _version("ckanext-dcat"),
        "ckanext-scheming": _version("ckanext-scheming"),
        "pysolr": _version("pysolr"),
    }
    try:
        from ckan.common import config
        from ckan.model import meta

        if meta.engine is not None:
            with meta.engine.connect() as conn:
                import sqlalchemy as sa

                details["postgresql"] = conn.execute(sa.text("show server_version")).scalar().split()[0]
        import requests

        solr = config.get("solr_url", "").rsplit("/", 1)[0]
        info = requests.get(f"{solr}/admin/info/system", params={"wt": "json"}, timeout=5).json()
        details["solr"] = info["lucene"]["solr-spec-version"]
        details["solr heap max"] = f"{info['jvm']['memory']['raw']['max'] // 1024 // 1024} MB"
    except Exception as err:  # noqa: BLE001 - versions are informative only
        details["versions not read"] = type(err).__name__
    return details


def print_machine() -> None:
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))


def reproduce(argv: list[str]) -> None:
    """Print the exact command that reproduces this run."""
    script = os.path.relpath(os.path.abspath(argv[0]), ROOT) if argv and argv[0].endswith(".py") else argv[0]
    cmd = " ".join(shlex.quote(a) for a in [script, *argv[1:]])
    print(f"reproduce: cd {ROOT} && nice -n 19 .venv/bin/python {cmd}")


def git_revision() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def solr_connection():
    from ckan.lib.search.common import make_connection

    return make_connection()


def solr_count() -> int:
    """Documents of this site in Solr (committed)."""
    from ckan.common import config

    conn = solr_connection()
    return conn.search(q="*:*", fq=f'+site_id:"{config.get("ckan.site_id")}"', rows=0).hits


def out_path(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / name


def flush() -> None:
    sys.stdout.flush()
