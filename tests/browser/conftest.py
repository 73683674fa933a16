"""Browser tests: the portal runs as a real ``ckan run`` process on a free port, on the test
database loaded with the demo catalogue, and Debian's Chromium drives it through Playwright.

Chromium comes from Debian (``deploy/browser-deps`` installs it); Playwright never downloads a
browser here. Screenshots go to ``var/screenshots/``.
"""
from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STINFO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "Bien-tap-2025!"
CSV_TEXT = "ma_tinh,tinh,so_to_chuc\n01,Hà Nội,612\n79,Thành phố Hồ Chí Minh,498\n48,Đà Nẵng,97\n"
TXT_TEXT = "Ghi chú phương pháp: số tổ chức khoa học và công nghệ đã đăng ký hoạt động đến 31/12/2024.\n"

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM}: run deploy/browser-deps", allow_module_level=True)


@dataclass
class Portal:
    url: str
    admin: str
    password: str

    def __call__(self, path: str) -> str:
        return self.url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load_records(base_url: str) -> str:
    """The demo catalogue, plus what the browser tests need: an editor, a harvested record, files."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action
    from ckanext.stinfo import demo
    from werkzeug.datastructures import FileStorage

    demo.load(str(ROOT / "config" / "demo" / "catalogue.yaml"))
    admin = factories.Sysadmin(name="bien-tap-vien", password=PASSWORD)
    context = {"user": admin["name"]}
    org = call_action("organization_show", id="cuc-thong-tin-thong-ke")
    call_action(
        "package_create", context=context, type="st_task", name="nhiem-vu-tu-nen-tang-so",
        title="Ứng dụng vật liệu nano từ tính trong xử lý nước thải công nghiệp",
        title_en="Magnetic nanomaterials for industrial wastewater treatment",
        task_code="ĐTĐL.CN-07/23", owner_org=org["id"], task_level="national", task_form="research_topic",
        lead_organization="0101110457", principal_investigator="0000-0002-1457-3980",
        related_publications=["hat-nano-oxit-sat-phu-chitosan-mri-2023", "cong-bo-chua-co-tren-he-thong"],
        field_of_science="2.10", province="01", period_start="2023-03", period_end="2025-12",
        task_status="in_progress", license_id="cc-by",
        source_system="Nền tảng số quản lý KHCN&ĐMST quốc gia",
        source_url=f"{base_url}/api/3/action/package_show?id=nhiem-vu-tu-nen-tang-so",
        source_record_id="NV-2023-0107", harvested_at="2025-03-01T08:30:00+07:00",
        content_hash="9f2c4e1ab07d", resources=[])
    record = "so-to-chuc-khcn-theo-tinh-2024"
    call_action("resource_create", context=context, package_id=record, name="Số tổ chức theo tỉnh (CSV)",
                format="CSV", url="so-to-chuc-theo-tinh-2024.csv",
                upload=FileStorage(io.BytesIO(CSV_TEXT.encode("utf-8")), "so-to-chuc-theo-tinh-2024.csv",
                                   content_type="text/csv"))
    call_action("resource_create", context=context, package_id=record, name="Ghi chú phương pháp",
                format="TXT", url="ghi-chu-phuong-phap.txt",
                upload=FileStorage(io.BytesIO(TXT_TEXT.encode("utf-8")), "ghi-chu-phuong-phap.txt",
                                   content_type="text/plain"))
    return admin["name"]


@pytest.fixture(scope="session")
def portal(request, reset_db, reset_index, tmp_path_factory):
    """A running portal on the test database; stopped at the end of the session."""
    from ckan import plugins

    plugins.load_all()  # session fixtures run before the per-test plugin loading
    reset_db()
    reset_index()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # Loaded as if on the portal's own address: the search index keeps the records as shown, full
    # file addresses included.
    from ckan.common import config
    from ckan.tests.pytest_ckan import ckan_setup

    site_url = config["ckan.site_url"]
    config["ckan.site_url"] = base_url
    try:
        with ckan_setup._tests_test_request_context.app.test_request_context(base_url=base_url):
            admin = _load_records(base_url)
    finally:
        config["ckan.site_url"] = site_url

    test_ini = Path(request.config.getoption("--ckan-ini")).resolve()
    folder = tmp_path_factory.mktemp("portal")
    ini = folder / "browser.ini"
    ini.write_text(f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{test_ini}\nckan.site_url = {base_url}\n")
    log_path = ROOT / "var" / "log" / "browser-portal.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    ckan = shutil.which("ckan", path=str(Path(sys.executable).parent)) or "ckan"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [ckan, "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port), "--disable-reloader"],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/api/3/action/status_show", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    pytest.fail(f"The portal did not start on {base_url}:\n{tail}")
                time.sleep(1)
        yield Portal(base_url, admin, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (no cookies) at desktop width."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(20000)
    yield tab
    context.close()


@pytest.fixture
def phone(browser):
    """A fresh browser tab at a phone's width (390 CSS pixels)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(20000)
    yield tab
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot of a tab as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(tab, portal) -> None:
    """Log ``tab`` in as the portal's sysadmin."""
    tab.goto(portal("/user/login"))
    tab.fill("#field-login", portal.admin)
    tab.fill("#field-password", portal.password)
    with tab.expect_navigation():
        tab.locator("#field-password").press("Enter")
    assert tab.locator(".account.authed").count() == 1, "login failed"
