"""Fixtures of the DCAT tests: the demo catalogue with distributions, and the DCAT-AP shapes."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SHAPES = ROOT / "tests" / "standards" / "dcat-ap-3.0.1"
DEMO = ROOT / "config" / "demo" / "catalogue.yaml"
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl",
               "shapes_recommended.ttl", "deprecateduris.ttl")

#: Distributions added to demo records: a file, an API and a file under its own licence.
RESOURCES = {
    "nhiem-vu-khcn-cap-quoc-gia-2024": [
        {"url": "https://www.vista.gov.vn/du-lieu/nhiem-vu-khcn-cap-quoc-gia-2024.csv",
         "name": "Danh mục nhiệm vụ cấp quốc gia năm 2024 (CSV)",
         "name_en": "National-level S&T tasks approved in 2024 (CSV)",
         "description": "Mỗi dòng một nhiệm vụ: mã số, tên, tổ chức chủ trì, kinh phí.",
         "format": "CSV"},
        {"url": "https://api.vista.gov.vn/nhiem-vu?nam=2024",
         "name": "API tra cứu nhiệm vụ", "name_en": "Task look-up API", "format": "API"},
    ],
    "quan-trac-phong-xa-moi-truong-ha-noi": [
        {"url": "https://www.vinatom.gov.vn/du-lieu/ha-noi-2024.json",
         "name": "Suất liều gamma theo giờ năm 2024", "name_en": "Hourly gamma dose rate, 2024",
         "format": "JSON", "license": "CC0-1.0"},
    ],
}


def load_demo_site(path=DEMO):
    """Load the demo catalogue through the API and add the distributions of :data:`RESOURCES`."""
    from ckan.plugins import toolkit
    from ckanext.stinfo import demo

    demo.load(str(path))
    for name, resources in RESOURCES.items():
        for resource in resources:
            toolkit.get_action("resource_create")(demo.site_context(), {"package_id": name, **resource})
    return path


@pytest.fixture
def demo_site(clean_db, clean_index):
    """The demo catalogue with distributions, in a clean database (per test)."""
    return load_demo_site()


@pytest.fixture(scope="module")
def demo_catalogue(reset_db):
    """The demo catalogue with distributions, loaded once for a module of read-only tests."""
    from ckan.lib.search import clear_all
    from ckan.plugins import load_all

    load_all()
    reset_db()
    clear_all()
    return load_demo_site()


@pytest.fixture(scope="session")
def shapes():
    """The DCAT-AP 3.0.1 shapes, all files in one graph.

    ``dcat-ap-SHACL.ttl`` of the 3.0.1 release lists two property shapes of
    ``dcat:DataServiceShape`` that it never defines; pySHACL refuses such a reference, so the
    two dangling references (and only they) are dropped when loading.
    """
    from rdflib import Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(SHAPES / name)
    dangling = [(s, o) for s, o in graph.subject_objects(sh.property) if (o, None, None) not in graph]
    assert len(dangling) == 2, dangling
    for subject, shape in dangling:
        graph.remove((subject, sh.property, shape))
    return graph


@pytest.fixture(scope="session")
def vocabularies_graph():
    """The SKOS graph of the shared category lists (and of the inline choices of every schema)."""
    from ckanext.scheming.helpers import scheming_dataset_schemas
    from ckanext.stinfo.profiles.mapping import field_maps
    from ckanext.stinfo.profiles.skos import vocabulary_graph

    choices = [m for schema in scheming_dataset_schemas().values() for m in field_maps(schema) if m.kind == "choice"]
    return vocabulary_graph(choices)
