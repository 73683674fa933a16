"""deploy/backup and deploy/restore on a site of their own: records, an upload and DataStore rows
survive a backup, the loss of the databases and of the search index, and a restore.

The site is a second database next to the test database (<test db>_bk, its ini var/<db>.ini, site
id <db>), created here as deploy/test creates its own, so the scripts run as they would on the
portal while the test's own database and index stay untouched. CKAN runs in child processes
against that ini.
"""
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from ckan.plugins.toolkit import config

from tests.conftest import ROOT

VAR = Path(os.environ.get("STINFO_VAR", ROOT / "var"))
NAMES = ["nghien-cuu-vat-lieu-nano", "dien-hat-nhan-an-toan", "thong-ke-khcn-2024"]
TITLES = ["Nghiên cứu vật liệu nano", "Điện hạt nhân và an toàn bức xạ", "Thống kê KH&CN năm 2024"]
UPLOAD = "Số liệu quan trắc phóng xạ, trạm Đà Lạt\n".encode() * 50

# Runs inside CKAN (loaded from the ini in argv[1]): "create" makes the records, "check" reads
# them back through the action API; prints JSON.
SITE = r'''
import io, json, sys
from ckan.cli import load_config
from ckan.config.middleware import make_app

app = make_app(load_config(sys.argv[1]))
with app._wsgi_app.test_request_context():
    from ckan.plugins import toolkit as tk
    from werkzeug.datastructures import FileStorage
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    act = lambda action, **data: tk.get_action(action)({"user": user, "ignore_auth": True}, data)
    names, titles = json.loads(sys.argv[3]), json.loads(sys.argv[4])
    if sys.argv[2] == "create":
        org = act("organization_create", name="vien-nang-luong-nguyen-tu", title="Viện Năng lượng Nguyên tử")
        for name, title in zip(names, titles):
            act("package_create", name=name, title=title, owner_org=org["id"])
        upload = FileStorage(stream=io.BytesIO(open(sys.argv[5], "rb").read()), filename="quan-trac.csv")
        res = act("resource_create", package_id=names[1], name="Quan trắc", upload=upload)
        act("datastore_create", resource={"package_id": names[2], "name": "Bảng số liệu"}, force=True,
            fields=[{"id": "nam", "type": "int"}, {"id": "so_de_tai", "type": "int"}],
            records=[{"nam": 2023, "so_de_tai": 412}, {"nam": 2024, "so_de_tai": 455}])
        print(json.dumps({"resource": res["id"]}))
    else:
        found = act("package_search", q="nghien cuu", rows=10)
        every = act("package_search", q="*:*", rows=10)
        shown = [act("package_show", id=name) for name in names]
        table = next(r for r in shown[2]["resources"] if r["datastore_active"])
        rows = act("datastore_search", resource_id=table["id"], sort="nam")["records"]
        print(json.dumps({
            "search": [d["name"] for d in found["results"]],
            "all": sorted(d["name"] for d in every["results"]),
            "titles": [d["title"] for d in shown],
            "resources": [r["id"] for r in shown[1]["resources"]],
            "rows": [[r["nam"], r["so_de_tai"]] for r in rows],
        }))
'''


def _db_name(url):
    return url.rsplit("/", 1)[1].split("?")[0]


def _bash(script, *args, env=None, check=True):
    """Run bash with deploy/lib.sh sourced; returns the completed process (output captured)."""
    proc = subprocess.run(["bash", "-c", f'source "{ROOT}/deploy/lib.sh"; {script}', "bash", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check and proc.returncode:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _site(ini, mode, *extra):
    out = subprocess.run([sys.executable, "-c", SITE, str(ini), mode, json.dumps(NAMES), json.dumps(TITLES), *extra],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _solr_count(site_id):
    url = f"{config['solr_url']}/select?q=*:*&rows=0&wt=json&fq=site_id:{site_id}"
    with urllib.request.urlopen(url) as answer:
        return json.load(answer)["response"]["numFound"]


def _solr_clear(site_id):
    body = json.dumps({"delete": {"query": f"site_id:{site_id}"}}).encode()
    request = urllib.request.Request(f"{config['solr_url']}/update?commit=true", data=body,
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).close()


def _drop(db):
    _bash('pg_bin; for d in "$1" "$1_datastore"; do'
          ' psql_admin -c "drop database if exists \\"$d\\" with (force)"; done', db)


@pytest.fixture
def site(tmp_path):
    """A fresh site <test db>_bk with its ini, as deploy/test makes one; removed afterwards."""
    db = _db_name(config["sqlalchemy.url"]) + "_bk"
    ini = VAR / f"{db}.ini"
    storage = VAR / "storage" / db
    _drop(db)
    shutil.rmtree(storage, ignore_errors=True)
    _bash('pg_bin; ensure_database "$1"; INI=$2; write_ini "$INI" "$1" "$1" 1; init_database "$1"', db, str(ini))
    env = {**os.environ, "STINFO_DB": db, "STINFO_ASSUME_YES": "1", "STINFO_BACKUP_DIR": str(tmp_path / "backups")}
    env.pop("CKAN_SQLALCHEMY_URL", None)
    yield {"db": db, "ini": ini, "storage": storage, "env": env, "backups": tmp_path / "backups"}
    _solr_clear(db)
    _drop(db)
    ini.unlink(missing_ok=True)
    shutil.rmtree(storage, ignore_errors=True)


def test_backup_wipe_restore_brings_everything_back(site, tmp_path):
    upload = tmp_path / "quan-trac.csv"
    upload.write_bytes(UPLOAD)
    resource = _site(site["ini"], "create", str(upload))["resource"]
    stored = site["storage"] / "resources" / resource[:3] / resource[3:6] / resource[6:]
    assert stored.read_bytes() == UPLOAD
    assert _solr_count(site["db"]) == len(NAMES)

    # Backup: dumps, uploads, manifest and checksums in a new directory.
    backup = subprocess.run([ROOT / "deploy" / "backup"], env=site["env"], capture_output=True, text=True, timeout=120)
    assert backup.returncode == 0, backup.stdout + backup.stderr
    [directory] = [d for d in site["backups"].iterdir() if not d.name.startswith(".")]
    assert {p.name for p in directory.iterdir()} == {
        "ckan.dump", "datastore.dump", "uploads.tar.gz", "manifest.txt", "SHA256SUMS"}
    assert f"ckan_database = {site['db']}" in (directory / "manifest.txt").read_text()

    # A damaged copy is refused before anything changes.
    damaged = tmp_path / "damaged"
    shutil.copytree(directory, damaged)
    with open(damaged / "ckan.dump", "r+b") as dump:
        dump.seek(100)
        byte = dump.read(1)
        dump.seek(100)
        dump.write(bytes([byte[0] ^ 0xFF]))
    refused = subprocess.run([ROOT / "deploy" / "restore", damaged], env=site["env"], capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 1
    assert "checksums do not match" in refused.stderr and "ckan.dump: FAILED" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert _solr_count(site["db"]) == len(NAMES)

    # Disaster: databases, index and uploads gone.
    _drop(site["db"])
    _solr_clear(site["db"])
    shutil.rmtree(site["storage"])
    assert _solr_count(site["db"]) == 0

    restore = subprocess.run([ROOT / "deploy" / "restore", directory], env=site["env"], capture_output=True,
                             text=True, timeout=180)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "Restore complete" in restore.stdout

    assert _solr_count(site["db"]) == len(NAMES)
    after = _site(site["ini"], "check")
    assert after["search"] == [NAMES[0]]  # "nghien cuu" finds "Nghiên cứu...": the Vietnamese index
    assert after["all"] == sorted(NAMES)
    assert after["titles"] == TITLES
    assert after["resources"] == [resource]
    assert after["rows"] == [[2023, 412], [2024, 455]]
    assert stored.read_bytes() == UPLOAD
