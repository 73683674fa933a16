"""Small runs of the benchmark scripts in bench/ (so they keep working), and the guarantees of the
harvester base's batched import. The benchmarks themselves are run by hand (bench/README.md)."""
import json
import os

import pytest
from ckan.common import config
from ckan.tests.helpers import call_action

from bench import common, dcat_export, generate, harvest_import, reindex, scale_index, search

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_generated_records_are_valid_for_every_schema_and_deterministic():
    common.ensure_organizations(generate.organizations())
    checked = generate.validate(200)
    assert set(checked) == set(generate.MIX)
    assert list(generate.records(3, seed=5)) == list(generate.records(3, seed=5))
    assert generate.record(5, 150) == list(generate.records(1, seed=5, start=150))[0]
    names = [r["name"] for r in generate.records(500)]
    assert len(set(names)) == len(names)
    task = next(r for r in generate.records(300) if r["type"] == "st_task" and r.get("principal_investigator"))
    assert task["principal_investigator"] in names, "relations point at generated records"
    assert any("ệ" in r["title"] or "ư" in r["title"] for r in generate.records(50)), "Vietnamese text"


def test_harvest_import_bench_paths_give_the_same_datasets():
    result = harvest_import.run(records=150, stock_records=20, batch_size=75, sample=10, progress=print, rerun=60)
    assert result["compared"] == 10 and result["differences"] == {}
    assert result["statuses"] == {"added": 150}
    assert result["indexed"] == 150
    assert result["stock_rate_median"] > 0 and result["fast_rate_median"] > 0
    assert result["changed_statuses"] == {"updated": 48}, "the next run: each record changed"
    assert result["unchanged_statuses"] == {"not modified": 48}, "the run after: the same records"
    assert result["unchanged_stock_rate_median"] > 0 and result["changed_fast_rate_median"] > 0


def test_search_export_reindex_and_scale_benches_run(tmp_path, app):
    harvest_import.run(records=200, stock_records=0, batch_size=100, progress=print)

    assert search.check_accents(print)
    figures = search.run(count=20, warmup=2, progress=print)
    assert figures["records"] == 200 and figures["queries"] == 20 and figures["p95_ms"] > 0

    with app.flask_app.test_request_context("/catalog.ttl"):
        pages = dcat_export.pages(print, repeat=1)
    assert pages["records"] == 200 and pages["pages"][1]["bytes"] > 0
    out = str(tmp_path / "catalogue.nt.gz")
    exported = dcat_export.export(config["__file__"], out, page_size=60)
    assert exported["datasets"] == 200 and exported["peak_rss_mb"] > 0
    assert dcat_export.count_datasets(out) == 200
    in_parts = dcat_export.export(config["__file__"], out, page_size=60, workers=2)
    assert in_parts["datasets"] == 200 and in_parts["workers"] == 2 and dcat_export.count_datasets(out) == 200

    result = reindex.run(limit=0, workers=2, batch=50, progress=print)
    assert result["records"] == 200 and result["fast_documents"] == 200
    for path in ("stock_cpu", "fast_cpu", "stored_cpu"):
        assert result[path]["python_ms"] > 0 and result[path]["ceiling_rate"] > 0
        assert result[path]["solr_ms"] > 0 or os.environ.get("CKAN_SOLR_URL"), "the local Solr's CPU is measured"
    assert call_action("package_search", q="*:*", rows=0)["count"] == 200

    grown = scale_index.grow(target=450, batch=100, progress=print)
    assert grown["count"] == 450
    found = call_action("package_search", q="*:*", rows=1000)["results"]
    assert len({d["name"] for d in found}) == 450
    scale_index.drop(print)
    assert common.solr_count() == 200


# ---------------------------------------------------------------- the batched import's guarantees
def _objects(harvester, job, records):
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    ids = harvest_import.gather(job, records)
    return model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)).all()


def _withdrawal(job, guid, package_id):
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    obj = HarvestObject(guid=guid, job=job, source=job.source, package_id=package_id,
                        extras=[HarvestObjectExtra(key="status", value="delete")])
    obj.save()
    return obj


def test_import_batch_keeps_the_guarantees_of_the_per_record_import():
    orgs = common.ensure_organizations(generate.organizations())
    harvester = harvest_import.bench_harvester()
    source, job = harvest_import.make_source("Bench", next(iter(orgs.values())))
    good, bad, secret = generate.record(1, 0), generate.record(1, 1), generate.record(1, 2)
    bad = {**bad, "title": ""}
    secret = {**secret, "do_mat": True}
    broken = {**generate.record(1, 3), "title": "", "name": None}  # no title and a guid too short for a name
    first = _objects(harvester, job, [("A", good), ("NV-B-0001", bad), ("C", secret), ("D", broken)])
    statuses = harvester.import_batch(first)
    by_guid = {obj.guid: statuses[obj.id] for obj in first}
    assert by_guid == {"A": "added", "NV-B-0001": "errored", "C": "errored", "D": "errored"}
    shown = call_action("package_show", id=good["name"])
    assert shown["source_record_id"] == "A" and shown["title"] == good["title"]
    assert call_action("package_search", q=f"name:{good['name']}")["count"] == 1, "indexed and committed"
    errors = [e.message for obj in first for e in obj.errors]
    assert any("title" in m for m in errors) and any("state secret" in m for m in errors)
    assert any("could not be imported" in m for m in errors), "an unexpected error is a per-record error"

    job2 = harvest_import.make_job(source)
    changed = {**good, "notes": "Nội dung đã cập nhật."}
    again = _objects(harvester, job2, [("A", good)])
    assert harvester.import_batch(again) == {again[0].id: "not modified"}
    updated = _objects(harvester, job2, [("A", changed)])
    assert harvester.import_batch(updated) == {updated[0].id: "updated"}
    assert call_action("package_show", id=good["name"])["notes"] == "Nội dung đã cập nhật."
    activities = call_action("package_activity_list", context=common.context(), id=good["name"],
                             include_hidden_activity=True)
    assert [a["activity_type"] for a in activities] == ["changed package", "new package"]

    invalid = _objects(harvester, job2, [("A", {**changed, "title": "Không lưu", "province": "99"})])
    assert harvester.import_batch(invalid) == {invalid[0].id: "errored"}
    kept = call_action("package_show", id=good["name"])
    assert kept["title"] == good["title"], "the published version is kept"

    gone = _withdrawal(job2, "A", kept["id"])
    assert harvester.import_batch([gone]) == {gone.id: "deleted"}
    assert call_action("package_show", context=common.context(), id=good["name"])["state"] == "deleted"
    assert call_action("package_search", q=f"name:{good['name']}")["count"] == 0


def test_export_writes_turtle_pages_and_skips_private_datasets(tmp_path):
    from ckanext.stinfo import export

    harvest_import.run(records=120, stock_records=0, batch_size=60, progress=print)
    private = generate.record(1, 0)["name"]
    call_action("package_patch", context=common.context(), id=private, private=True)
    path = tmp_path / "catalogue.ttl"
    assert export.export_to_path(str(path), "ttl", page_size=50) == 119
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=path.read_text(encoding="utf-8"), format="turtle")
    datasets = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")))
    assert len(datasets) == 119
    assert json.dumps(sorted(str(d) for d in datasets)).count(private) == 0
