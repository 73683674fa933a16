"""What a change of the Solr schema does to the local index: kept and re-indexed in place when
only the text analysis or the copy rules changed, emptied when a field changed."""
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "deploy" / "solr"))
import keeps_index  # noqa: E402
import make_schema  # noqa: E402


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "schema.xml"
    make_schema.main(str(path))
    return path


def _changed(shipped, tmp_path, change):
    tree = ET.parse(shipped)
    change(tree.getroot())
    path = tmp_path / "changed.xml"
    tree.write(path, encoding="UTF-8", xml_declaration=True)
    return path


def _with_flattening(root):
    """The schema as it was before: a FlattenGraphFilter after each index-time word delimiter."""
    added = 0
    for analyzer in root.iter("analyzer"):
        for position, element in enumerate(list(analyzer)):
            if element.get("class") == "solr.WordDelimiterGraphFilterFactory" and analyzer.get("type") == "index":
                analyzer.insert(position + 1, ET.Element("filter", {"class": "solr.FlattenGraphFilterFactory"}))
                added += 1
    assert added == 2


def _without_url_copies(root):
    copies = [el for el in root.iter("copyField") if el.get("source") == "urls"]
    assert copies
    for copy in copies:
        root.remove(copy)


def _field(root, name):
    return next(el for el in root.iter() if el.tag in ("field", "dynamicField") and el.get("name") == name)


@pytest.mark.parametrize("change", [lambda root: None, _with_flattening, _without_url_copies])
def test_an_index_is_kept_when_only_the_analysis_or_copy_rules_change(shipped, tmp_path, change):
    changed = _changed(shipped, tmp_path, change)
    assert keeps_index.keeps_index(changed, shipped)
    assert subprocess.run([sys.executable, str(ROOT / "deploy/solr/keeps_index.py"), changed, shipped]).returncode == 0


@pytest.mark.parametrize("change", [
    lambda root: _field(root, "extras_*").set("type", "string"),
    lambda root: _field(root, "stinfo_quality_issues").set("docValues", "false"),
    lambda root: next(parent for parent in root.iter() if _field(root, "stinfo_quality_issues") in list(parent))
    .remove(_field(root, "stinfo_quality_issues")),
    lambda root: root.find("uniqueKey").__setattr__("text", "id"),
])
def test_an_index_is_emptied_when_a_field_changes(shipped, tmp_path, change):
    changed = _changed(shipped, tmp_path, change)
    assert not keeps_index.keeps_index(changed, shipped)
    assert subprocess.run([sys.executable, str(ROOT / "deploy/solr/keeps_index.py"), changed, shipped]).returncode == 1
