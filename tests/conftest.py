"""Shared fixtures: the suite runs with CKAN's pytest plugin against the real stack."""
from pathlib import Path

import pytest
from ckan.cli.db import _get_pending_plugins, _run_migrations

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _plugins(with_plugins):
    """Every test runs with the plugins of the test ini loaded."""


@pytest.fixture(scope="session")
def reset_db(reset_db):
    """CKAN's reset, followed by the plugins' migrations (harvest tables and others)."""

    def reset():
        reset_db()
        for plugin in _get_pending_plugins():
            _run_migrations(plugin)

    return reset


@pytest.fixture
def demo_catalogue_path():
    """The demo catalogue shipped in config/."""
    return ROOT / "config" / "demo" / "catalogue.yaml"
