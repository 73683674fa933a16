"""A 20-second version of the load scenario (bench/load/load.py): concurrent users mixing
search, record pages, the API and DCAT against the demo catalogue, served over real HTTP on a
free port from the test application; not one request may fail."""
import threading

import pytest
from werkzeug.serving import make_server

from bench.load import load


@pytest.fixture
def portal(app, clean_db, clean_index):
    from tests.dcat.conftest import load_demo_site

    load_demo_site()
    server = make_server("127.0.0.1", 0, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def test_twenty_seconds_of_mixed_load_without_errors(portal):
    summary = load.run(portal, users=8, duration=20)
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["requests"] >= 20
    assert set(summary["by_kind"]) == set(load.MIX)
    print(f"\n{summary['requests']} requests, p95 {summary['p95_ms']} ms")
