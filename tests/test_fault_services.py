"""Faults of the services underneath: PostgreSQL restarted during a harvest, Redis killed with
harvest jobs queued. Both run against THROWAWAY instances started here (a PostgreSQL cluster made
with initdb in a temporary folder, a redis-server with the append-only file as deploy/lib.sh
starts it), on free ports; the shared services are never touched.

A source that dies mid-harvest is covered by the harvester tests (for example
``tests/harvest/test_oai_pmh.py::test_failure_mid_listing_imports_what_arrived_and_withdraws_nothing``
and ``tests/harvest/test_registry.py``): what arrived is imported and nothing is withdrawn. Solr
down during a write: ``tests/test_faults.py``.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _wait(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not come up")
        time.sleep(0.1)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------- throwaway Redis
class ThrowawayRedis:
    """redis-server on a free port, with the append-only file (fsync always) in a temporary folder."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, _free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _port_open(self.port), 20, "Redis")

    def kill(self) -> None:
        """SIGKILL: no shutdown save, only what the append-only file already holds survives."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        _wait(lambda: not _port_open(self.port), 10, "Redis stop")


@pytest.fixture
def redis_server(tmp_path):
    if not REDIS:
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(10)


def test_queued_harvest_jobs_survive_redis_being_killed(redis_server, ckan_config, monkeypatch):
    from ckanext.harvest import queue

    for key, value in {"ckan.harvest.mq.type": "redis", "ckan.harvest.mq.hostname": "127.0.0.1",
                       "ckan.harvest.mq.port": redis_server.port, "ckan.harvest.mq.redis_db": 0}.items():
        monkeypatch.setitem(ckan_config, key, value)
    gather, fetch = queue.get_gather_publisher(), queue.get_fetch_publisher()
    for number in range(5):
        gather.send({"harvest_job_id": f"job-{number}"})
        fetch.send({"harvest_object_id": f"object-{number}"})
    # One job taken by a gather consumer and not acknowledged when the service dies.
    in_flight = next(queue.get_gather_consumer().consume(queue.get_gather_queue_name()))

    redis_server.kill()
    redis_server.start()

    # The publishers made before the restart reconnect by themselves.
    for number in range(5, 8):
        gather.send({"harvest_job_id": f"job-{number}"})
        fetch.send({"harvest_object_id": f"object-{number}"})
    consumer = queue.get_gather_consumer()
    assert consumer.redis.exists(consumer.persistance_key(in_flight[2])), "the unacknowledged job is remembered"
    jobs = [json.loads(consumer.basic_get(None)[2])["harvest_job_id"] for _ in range(7)]
    assert jobs == [f"job-{n}" for n in range(1, 8)]
    fetch_consumer = queue.get_fetch_consumer()
    objects = [json.loads(fetch_consumer.basic_get(None)[2])["harvest_object_id"] for _ in range(8)]
    assert objects == [f"object-{n}" for n in range(8)]


# ---------------------------------------------------------------- throwaway PostgreSQL
@pytest.fixture
def postgres_cluster():
    """A PostgreSQL cluster of its own on a free port; the restart command for it."""
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="stinfo-fault-pg-"))  # pytest's folders are private to root
    data, run = folder / "data", folder / "run"
    run.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(run, "postgres", "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                                 "--locale=C.UTF-8", "--auth=trust"]), check=True, capture_output=True)
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {run} -c fsync=off"
    subprocess.run(_as_postgres([*ctl, "-l", str(folder / "log"), "-o", options, "start"]), check=True,
                   capture_output=True)
    try:
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "fault"],
                       check=True, capture_output=True)
        yield {"url": f"postgresql://postgres@127.0.0.1:{port}/fault",
               "restart": _as_postgres([*ctl, "-l", str(folder / "log"), "-m", "fast", "restart"])}
    finally:
        subprocess.run(_as_postgres([*ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_harvest_survives_postgresql_restarts(postgres_cluster, redis_server, standins, request, tmp_path):
    """Restarted between gather and fetch and again half-way through the imports: every record
    arrives, none twice, the job finishes; SQLAlchemy's pool_pre_ping reconnects by itself."""
    test_ini = Path(request.config.getoption("--ckan-ini")).resolve()
    site_id = f"stinfo_fault_{os.getpid()}"
    ini = tmp_path / "fault.ini"
    ini.write_text(
        f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{test_ini}\n"
        f"sqlalchemy.url = {postgres_cluster['url']}\nckan.site_id = {site_id}\n"
        f"ckan.redis.url = redis://127.0.0.1:{redis_server.port}/0\n"
        f"ckan.harvest.mq.port = {redis_server.port}\nckan.harvest.mq.redis_db = 0\n"
        f"ckan.storage_path = {tmp_path / 'storage'}\n")
    ckan = str(Path(sys.executable).parent / "ckan")
    subprocess.run([ckan, "-c", str(ini), "db", "init"], check=True, capture_output=True, timeout=120)
    try:
        done = subprocess.run([sys.executable, str(ROOT / "tests" / "fault_harvest.py"), str(ini), standins,
                               *postgres_cluster["restart"]], capture_output=True, text=True, timeout=120,
                              cwd=str(ROOT))
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        from ckan.lib.search.common import make_connection

        make_connection().delete(q=f'site_id:"{site_id}"', commit=True)
    assert summary["restarts"] == 2
    assert summary["gathered"] >= 4
    assert summary["errors"] == []
    assert summary["stored"] == summary["indexed"] == summary["gathered"]
    assert summary["job_status"] == "Finished"
