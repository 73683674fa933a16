"""The set-up scripts stop with a message that says what failed and what to do."""
import os
import socket
import subprocess

from tests.conftest import ROOT


def _run_step(function, tmp_path, **env):
    script = f'source "{ROOT}/deploy/lib.sh"; {function}'
    return subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "STINFO_VAR": str(tmp_path), **env})


def test_a_taken_port_is_named_with_the_variable_that_changes_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = _run_step("start_redis", tmp_path, STINFO_REDIS_PORT=port)
    assert result.returncode == 1
    assert f"Port {port} (for Redis) is taken by another program" in result.stderr
    assert "STINFO_REDIS_PORT=<port>" in result.stderr


def test_a_missing_jdk_says_what_to_install(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname", "mkdir", "cat", "cut", "sha256sum", "printf"):
        (tools / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    result = _run_step("build_solr", tmp_path, PATH=str(tools))
    assert result.returncode == 1
    assert "Java not found" in result.stderr and "openjdk-17" in result.stderr


def test_external_services_are_not_started(tmp_path):
    result = _run_step("start_solr; start_redis", tmp_path,
                       CKAN_SOLR_URL="http://solr.example:8983/solr/ckan", CKAN_REDIS_URL="redis://cache:6379/0")
    assert result.returncode == 0
    assert "Solr: external" in result.stdout and "Redis: external" in result.stdout
