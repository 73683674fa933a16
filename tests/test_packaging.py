"""`pip install .` ships everything the plugin reads at run time (not only the editable install)."""
import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_wheel_contains_code_schemas_vocabularies_and_payloads(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("ckanext_stinfo-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        "ckanext/stinfo/plugin.py",
        "ckanext/stinfo/config_declaration.yaml",
        "ckanext/stinfo/harvesters/base.py",
        "ckanext/stinfo/harvesters/standins/payloads/st_platform/tasks.json",
        "ckanext/stinfo/schemas/presets.yaml",
        "ckanext/stinfo/schemas/st_task.yaml",
        "ckanext/stinfo/schemas/vocabularies/provinces.yaml",
        "ckanext/stinfo/docs/guides/vi/public.md",
        "ckanext/stinfo/docs/guides/en/administrator.md",
    ]
    assert [name for name in expected if name not in names] == []
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "stinfo = ckanext.stinfo.plugin:StinfoPlugin" in text
    assert "stinfo_st_tasks" in text
