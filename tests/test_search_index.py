"""The batched index rebuilds (ckanext.stinfo.search_index) give CKAN's own documents, with the
harvest extras ckanext-harvest adds, and the DCAT serialiser looks up related records per page."""
import gc
import hashlib
import json
import shutil
import uuid
from pathlib import Path

import pysolr
import pytest
import requests
import sqlalchemy as sa
from ckan import logic, model
from ckan.common import config
from ckan.lib.search import SearchIndexError
from ckan.lib.search.common import make_connection
from ckan.tests.helpers import call_action
from ckanext.stinfo import search_index
from ckanext.stinfo.harvesters.base import _collected_solr_documents
from rdflib.namespace import DCAT

from bench import common, harvest_import

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _harvested(count=40):
    harvest_import.run(records=count, stock_records=0, batch_size=count, progress=print)
    return [pid for (pid,) in model.Session.query(model.Package.id).filter(model.Package.type != "harvest")]


def _stock_documents(ids):
    """One document at a time, with ckanext-harvest's own hook (one query per document)."""
    docs = []
    with _collected_solr_documents(docs):
        for pid in ids:
            logic.index_update_package(common.context(), pid, defer_commit=True)
    return {d["id"]: d for d in docs}


def _stored(ids):
    return make_connection().search(
        q="*:*", fq=[f'site_id:"{config.get("ckan.site_id")}"', "entity_type:package"],
        fl="id,data_dict,validated_data_dict", rows=len(ids)).docs


def _changed_lost_and_deleted(ids, notes):
    """The first three of ``ids``: one changed in the database after it was indexed (its index
    request lost), one whose document is gone, one deleted with its document left behind."""
    changed, missing, deleted = (model.Package.get(pid) for pid in ids[:3])
    changed.notes = notes
    changed.metadata_modified = changed.metadata_modified.replace(year=2030)
    deleted.state = "deleted"
    model.Session.commit()
    make_connection().delete(id=hashlib.md5((missing.id + config.get("ckan.site_id")).encode()).hexdigest(),
                             commit=True)
    return changed, missing, deleted


def test_prefetched_harvest_extras_give_the_documents_of_ckanext_harvest():
    ids = _harvested()
    stock = _stock_documents(ids)
    assert all(doc.get("harvest_object_id") for doc in stock.values()), "harvested datasets carry the extras"
    batched = []
    with _collected_solr_documents(batched), search_index.prefetched_harvest_extras(ids):
        for pid in ids:
            logic.index_update_package(common.context(), pid, defer_commit=True)
    assert {d["id"]: d for d in batched} == stock
    rebuilt = {d["id"]: d for d in search_index.stored_documents(_stored(ids))}
    assert rebuilt == stock, "documents rebuilt from what Solr stores equal those from the database"


def test_documents_built_together_are_those_of_ckan_one_at_a_time():
    """What the rebuild from PostgreSQL sends: CKAN's documents, whatever a dataset's history."""
    ids = _harvested(12)
    first, second, third = (model.Package.get(pid) for pid in ids[:3])
    group = call_action("group_create", context=common.context(), name="nhom-thu-nghiem", title="Nhóm")
    call_action("member_create", context=common.context(), id=group["id"], object=first.id, object_type="package",
                capacity="public")
    shown = call_action("package_show", context=common.context(), id=second.id)
    if shown["resources"]:
        call_action("resource_delete", context=common.context(), id=shown["resources"][0]["id"])
    call_action("package_patch", context=common.context(), id=third.id, private=True, notes="Ghi chú **mới**")
    sources = [pid for (pid,) in model.Session.query(model.Package.id).filter(model.Package.type == "harvest")]
    model.Session.remove()
    every = ids + sources
    stock = _stock_documents(every)
    assert {d["id"]: d for d in search_index.package_documents(every, common.site_user())} == stock


def test_each_type_is_completed_by_ckanext_scheming_once_and_documents_stay_ckans(monkeypatch):
    """The show schema ckanext-scheming completes for a type's first dataset validates the others."""
    from ckanext.scheming.plugins import SchemingDatasetsPlugin

    ids = _harvested(40)
    stock = _stock_documents(ids)
    completed = []
    validate = SchemingDatasetsPlugin.validate
    monkeypatch.setattr(SchemingDatasetsPlugin, "validate",
                        lambda self, context, data, schema, action: completed.append(data["type"])
                        or validate(self, context, data, schema, action))
    assert {d["id"]: d for d in search_index.package_documents(ids, common.site_user())} == stock
    types = {doc["dataset_type"] for doc in stock.values()}
    assert sorted(completed) == sorted(types) and len(types) < len(ids)


def test_harvest_extras_follow_the_current_object_and_its_source():
    ids = _harvested(5)
    from ckanext.harvest.model import HarvestObject, HarvestSource

    found = search_index.harvest_extras(ids)
    obj = model.Session.query(HarvestObject).filter(HarvestObject.package_id == ids[0],
                                                    HarvestObject.current == sa.true()).one()
    assert dict(found[ids[0]]) == {"harvest_object_id": obj.id, "harvest_source_id": obj.source.id,
                                   "harvest_source_title": obj.source.title}
    source = model.Session.get(HarvestSource, obj.harvest_source_id)
    source.title = "Nguồn đã đổi tên"
    model.Session.commit()
    assert dict(search_index.harvest_extras([ids[0]])[ids[0]])["harvest_source_title"] == "Nguồn đã đổi tên"
    obj.current = False
    model.Session.commit()
    assert ids[0] not in search_index.harvest_extras([ids[0]]), "no current object, no extras"
    assert search_index.harvest_extras([]) == {}


def test_rebuilds_restore_a_lost_index_from_the_database_and_from_stored_documents():
    ids = _harvested(30)
    before = {d["name"] for d in call_action("package_search", q="*:*", rows=100)["results"]}
    assert len(before) == 30
    make_connection().delete(q=f'site_id:"{config.get("ckan.site_id")}"', commit=True)
    assert call_action("package_search", q="*:*", rows=0)["count"] == 0
    assert search_index.rebuild_index(workers=2, batch=7) == len(ids)
    assert {d["name"] for d in call_action("package_search", q="*:*", rows=100)["results"]} == before
    seen = []
    done = search_index.reindex_stored(workers=2, batch=4, progress=seen.append)
    assert done == (len(ids), 0, 0)
    assert len(seen) == 16 and seen[-1] == done, "progress after each of the 16 parts"
    found = call_action("package_search", q="*:*", rows=100)["results"]
    assert {d["name"] for d in found} == before
    titles = [d.get("harvest_source_title") or {e["key"]: e["value"] for e in d.get("extras") or []}.get(
        "harvest_source_title") for d in found]
    assert titles == ["Bench"] * len(found), "harvest extras indexed again"


def test_rebuilds_build_with_the_start_up_objects_left_out_of_collections(monkeypatch):
    ids = _harvested(4)
    frozen = []

    def frozen_while(build):
        def building(*args, **kwargs):
            frozen.append(gc.get_freeze_count())
            return build(*args, **kwargs)
        return building

    monkeypatch.setattr(search_index, "_index_batch", frozen_while(search_index._index_batch))
    monkeypatch.setattr(search_index, "_reindex_stored_part", frozen_while(search_index._reindex_stored_part))
    assert search_index.rebuild_index(workers=1, batch=2, package_ids=ids) == len(ids)
    assert search_index.reindex_stored(workers=1).stored >= len(ids)
    assert len(frozen) == 2 + 16 and min(frozen) > 10_000, "CKAN's start-up objects frozen while building"
    assert gc.get_freeze_count() == 0, "and collected as before afterwards"


def test_a_page_of_dcat_costs_the_same_queries_whatever_its_relations():
    """Relations (researchers, organisations, tasks) of a page are looked up together, not one
    query per value."""
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.stinfo.profiles.stinfo import prefetch_relations

    harvest_import.run(records=120, stock_records=0, batch_size=120, progress=print)
    datasets = call_action("package_search", q="*:*", rows=120, sort="name asc")["results"]
    with_relations = [d for d in datasets if any(d.get(k) for k in (
        "principal_investigator", "lead_organization", "affiliation", "related_tasks", "related_researchers"))]
    assert len(with_relations) >= 10, "generated records relate to each other"

    def queries(page):
        statements = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        serializer = RDFSerializer()
        engine = model.Session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            prefetch_relations(serializer.g, page)
            for dataset in page:
                serializer.graph_from_dataset(dataset)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements), serializer.g

    queries(with_relations)  # ckanext-dcat keeps each publisher's organization_show for the process
    few, _ = queries(with_relations[:3])
    many, graph = queries(with_relations)
    assert many <= few, f"{many} statements for {len(with_relations)} datasets, {few} for 3"
    names = {d["name"] for d in datasets}
    related = {str(v) for d in with_relations for k in ("principal_investigator", "related_tasks")
               for v in (d.get(k) if isinstance(d.get(k), list) else [d.get(k)]) if v in names}
    pages = {str(o) for o in graph.objects(None, DCAT.landingPage)}
    assert related and all(any(p.endswith("/" + name) for p in pages) for name in related), \
        "related records are linked with their landing pages"



def test_the_stored_rebuild_takes_what_changed_or_is_missing_from_the_database_and_drops_the_deleted():
    """A dataset changed after its document was indexed (its index request lost), one whose
    document is gone, one deleted with its document left behind: the first two are built from
    the database, the third's document is removed."""
    ids = _harvested(12)
    changed, missing, deleted = _changed_lost_and_deleted(ids, "Mô tả mới sau lần lập chỉ mục")
    before = {d["name"]: d for d in call_action("package_search", q="*:*", rows=100)["results"]}
    assert missing.name not in before and before[changed.name]["notes"] != "Mô tả mới sau lần lập chỉ mục"

    done = search_index.reindex_stored(workers=1, batch=5)

    assert done == search_index.Reindexed(stored=9, from_database=2, removed=1)
    found = {d["name"]: d for d in call_action("package_search", q="*:*", rows=100)["results"]}
    assert found[changed.name]["notes"] == "Mô tả mới sau lần lập chỉ mục"
    assert missing.name in found
    assert deleted.name in before and deleted.name not in found, "a deleted dataset's document is removed"
    assert len(found) == 11
    model.Session.remove()
    assert _stock_documents([changed.id, missing.id]) == {
        d["id"]: d for d in search_index.stored_documents(_stored(ids)) if d["id"] in (changed.id, missing.id)}, \
        "what was built from the database is CKAN's document, stored again"


@pytest.fixture
def new_core():
    """A second Solr core with the configured core's schema, as made for a schema change; removed after."""
    base, _, configured = config.get("solr_url").rstrip("/").rpartition("/")
    admin = pysolr.SolrCoreAdmin(f"{base}/admin/cores")
    status = json.loads(admin.status(configured))["status"][configured]
    instance, data = Path(status["instanceDir"]), Path(status["dataDir"]).parent
    name = f"stinfo_next_{uuid.uuid4().hex[:8]}"
    shutil.copytree(instance / "conf", instance.parent / name / "conf")
    try:
        assert json.loads(admin.create(name, instance_dir=str(instance.parent / name)))["core"] == name
        yield f"{base}/{name}"
    finally:
        requests.get(f"{base}/admin/cores", timeout=60, params={
            "action": "UNLOAD", "core": name, "deleteInstanceDir": "true", "deleteDataDir": "true"})
        for left in (instance.parent / name, data.parent / name):
            shutil.rmtree(left, ignore_errors=True)


def _documents_in(url):
    found = pysolr.Solr(url).search(q="*:*", fq=f'site_id:"{config.get("ckan.site_id")}"', rows=1000,
                                    fl="id,name,data_dict,validated_data_dict,indexed_ts").docs
    return {doc["id"]: doc for doc in found}


def test_a_new_core_is_filled_from_the_stored_documents_while_the_configured_one_answers(new_core):
    """A schema change without a search outage: the documents go to the new core; the configured
    core is read, not written; the new core's documents are those of the configured one."""
    ids = _harvested(12)
    before = _documents_in(config.get("solr_url"))

    done = search_index.reindex_stored(workers=2, batch=5, into=new_core)

    assert done == search_index.Reindexed(stored=12, from_database=0, removed=0)
    assert _documents_in(config.get("solr_url")) == before, "the configured core is untouched"
    filled = _documents_in(new_core)
    assert set(filled) == set(ids)
    assert {pid: (d["data_dict"], d["validated_data_dict"]) for pid, d in filled.items()} == {
        pid: (d["data_dict"], d["validated_data_dict"]) for pid, d in before.items()}
    assert pysolr.Solr(new_core).search(q="title:nghiên", fq='site_id:"{}"'.format(config.get("ckan.site_id")),
                                        rows=0).hits == call_action("package_search", q="title:nghiên")["count"]


def test_a_core_that_does_not_answer_is_a_clear_error_and_nothing_is_sent():
    base = config.get("solr_url").rstrip("/").rpartition("/")[0]
    with pytest.raises(SearchIndexError, match="does not answer.*create it first"):
        search_index.reindex_stored(workers=1, into=f"{base}/no_such_core")


def test_changed_only_takes_what_changed_and_leaves_the_others():
    """The catch-up after a swap: the dataset changed meanwhile and the one missing are built from
    the database, the deleted one's document removed, the others not sent again."""
    ids = _harvested(8)
    changed, missing, deleted = _changed_lost_and_deleted(ids, "Sửa trong lúc dựng chỉ mục mới")
    before = _documents_in(config.get("solr_url"))

    done = search_index.reindex_stored(workers=1, batch=3, changed_only=True)

    assert done == search_index.Reindexed(stored=0, from_database=2, removed=1)
    after = _documents_in(config.get("solr_url"))
    assert set(after) == set(ids) - {deleted.id}
    assert json.loads(after[changed.id]["data_dict"])["notes"] == "Sửa trong lúc dựng chỉ mục mới"
    left = set(ids) - {changed.id, missing.id, deleted.id}
    assert {pid: after[pid]["indexed_ts"] for pid in left} == {pid: before[pid]["indexed_ts"] for pid in left}
