"""The bulk path of the batched import (new datasets written together): the same datasets,
activities, index documents and per-record errors as one ``package_create`` per record."""
import gc
import json

import pytest
from ckan import logic, model
from ckan.lib.search.common import make_connection
from ckan.tests.helpers import call_action

from bench import common, generate, harvest_import

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

NUMBER = "001085012345"
IGNORED = {"id", "object_id", "user_id", "timestamp", "metadata_created", "metadata_modified", "harvested_at",
           "package_id", "created", "last_modified", "owner_org", "creator_user_id", "revision_id"}
# Added at indexing time by ckanext-harvest when the dataset has a current harvest object (see
# bench/harvest_import.py); index and Solr bookkeeping fields.
INDEX_IGNORED = IGNORED | harvest_import.HARVEST_EXTRAS | {"index_id", "_version_", "indexed_ts", "data_dict",
                                                           "validated_data_dict", "capacity"}


@pytest.fixture
def source():
    orgs = common.ensure_organizations(generate.organizations())
    owner = next(iter(orgs.values()))
    return (*harvest_import.make_source("Bench", owner), owner)


def _objects(job, records):
    from ckanext.harvest.model import HarvestObject

    ids = harvest_import.gather(job, records)
    objects = model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)).all()
    return sorted(objects, key=lambda obj: ids.index(obj.id))


def _errors(obj):
    return [e.message for e in obj.errors]


def _researcher():
    record = next(r for r in generate.records(100) if r["type"] == "researcher")
    return {**record, "personal_id": NUMBER}


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _activities(name):
    listed = call_action("package_activity_list", context=common.context(), id=name, include_hidden_activity=True)
    return [_clean({**a, "data": call_action("activity_data_show", context=common.context(), id=a["id"])})
            for a in listed]


def _solr_document(package_id):
    doc = make_connection().search(q=f'id:"{package_id}"', fl="*").docs[0]
    return {k: v for k, v in doc.items() if k not in INDEX_IGNORED and not k.startswith("extras_harvest")}


def test_an_invalid_record_is_recorded_alone(source):
    _source, job, _owner = source
    good, bad, other = generate.record(1, 0), {**generate.record(1, 1), "title": ""}, generate.record(1, 2)
    objects = _objects(job, [("NV-A-0001", good), ("NV-B-0001", bad), ("NV-C-0001", other)])
    statuses = harvest_import.bench_harvester().import_batch(objects)
    assert [statuses[o.id] for o in objects] == ["added", "errored", "added"]
    assert any("title" in m and "not saved because it is invalid" in m for m in _errors(objects[1]))
    assert not _errors(objects[0]) and not _errors(objects[2])
    for record in (good, other):
        assert call_action("package_show", id=record["name"])["name"] == record["name"]
    assert model.Session.query(model.Package).filter_by(name=bad["name"]).first() is None
    found = call_action("package_search", q="*:*", rows=10)
    assert sorted(d["name"] for d in found["results"]) == sorted([good["name"], other["name"]]), "searchable"


def test_a_batch_is_imported_with_the_long_lived_objects_left_out_of_collections(source, monkeypatch):
    _source, job, _owner = source
    harvester = harvest_import.bench_harvester()
    frozen = []
    fetch_and_import = harvester._fetch_and_import
    monkeypatch.setattr(harvester, "_fetch_and_import",
                        lambda obj: (frozen.append(gc.get_freeze_count()), fetch_and_import(obj))[1])
    objects = _objects(job, [("NV-A-0001", generate.record(1, 0)), ("NV-B-0001", generate.record(1, 1))])
    assert set(harvester.import_batch(objects).values()) == {"added"}
    assert len(frozen) == 2 and min(frozen) > 10_000
    assert gc.get_freeze_count() == 0


def test_a_name_twice_in_one_batch_gives_the_error_package_create_gives(source):
    _source, job, _owner = source
    first = generate.record(1, 0)
    second = {**generate.record(1, 1), "name": first["name"]}
    objects = _objects(job, [("A", first), ("B", second), ("C", generate.record(1, 2))])
    statuses = harvest_import.bench_harvester().import_batch(objects)
    assert [statuses[o.id] for o in objects] == ["added", "errored", "added"]
    assert _errors(objects[1]) == ["Record B was not saved because it is invalid: name: That URL is already in use."]
    assert call_action("package_show", id=first["name"])["source_record_id"] == "A"


def test_a_personal_number_is_never_published(source):
    _source, job, _owner = source
    [obj] = _objects(job, [("R", _researcher())])
    assert harvest_import.bench_harvester().import_batch([obj]) == {obj.id: "added"}
    package = model.Package.get(obj.package_id)
    stored = package.extras["personal_id"]
    assert stored.startswith("hmac-sha256:")
    document = json.dumps(make_connection().search(q=f'id:"{package.id}"', fl="*").docs[0], ensure_ascii=False,
                          default=str)
    assert NUMBER not in document
    activities = json.dumps(_activities(package.name), ensure_ascii=False)
    assert NUMBER not in activities and stored not in activities
    audit = call_action("stinfo_audit_list", context=common.context(), package_id=package.id)
    assert [(a["action"], a["field"]) for a in audit if a["action"] == "changed"] == [("changed", "personal_id")]


def test_activity_and_index_document_are_those_of_the_per_record_path(source):
    from ckanext.harvest.queue import fetch_and_import_stages

    _source, job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [("R", _researcher()), ("T", next(r for r in generate.records(100) if r.get("resources")))]
    per_record = {}
    for obj in _objects(job, records):
        fetch_and_import_stages(harvester, obj)
        name = dict(records)[obj.guid]["name"]
        package_id = model.Package.get(name).id
        per_record[name] = (_activities(name), _solr_document(package_id), harvest_import.normalised(
            harvest_import.show(name)))
        call_action("dataset_purge", context=common.context(), id=name)
    model.Session.remove()

    _source, job = harvest_import.make_source("Bench", owner)
    objects = _objects(job, records)
    assert set(harvester.import_batch(objects).values()) == {"added"}
    for name, (activities, document, shown) in per_record.items():
        assert [a["activity_type"] for a in _activities(name)] == ["new package"]
        assert _activities(name) == activities
        assert _solr_document(model.Package.get(name).id) == document
        assert harvest_import.normalised(harvest_import.show(name)) == shown


def test_a_failing_record_leaves_what_the_batch_recorded_of_earlier_ones_whole(source, monkeypatch):
    """A batch commits once: the rollback of a later record (an invalid update, an unexpected
    failure) must not undo the fetched content, state and times of the records before it."""
    from ckanext.harvest.model import HarvestObject, HarvestSource

    harvest_source, job, _owner = source
    source_id = harvest_source.id
    published, new, crash, last = (generate.record(1, n) for n in range(4))

    harvester = harvest_import.bench_harvester()
    mapped = harvester.map_record

    def map_record(record, config):
        if record["name"] == crash["name"]:
            raise RuntimeError("the source's mapping crashed")
        return mapped(record, config)

    monkeypatch.setattr(harvester, "map_record", map_record)
    monkeypatch.setattr(harvester, "fetch_record", lambda url, config, record: {
        **record.content, "title": record.content["title"] and record.content["title"] + " (bản đầy đủ)"})
    assert set(harvester.import_batch(_objects(job, [("U", published)])).values()) == {"added"}
    model.Session.remove()
    job = harvest_import.make_job(HarvestSource.get(source_id))
    invalid_update = {**published, "title": ""}
    objects = _objects(job, [("N", new), ("U", invalid_update), ("X", crash), ("L", last)])
    statuses = harvester.import_batch(objects)
    assert [statuses[o.id] for o in objects] == ["added", "errored", "errored", "added"]
    model.Session.remove()
    for obj_id, record in ((objects[0].id, new), (objects[3].id, last)):
        obj = model.Session.get(HarvestObject, obj_id)
        assert (obj.state, obj.current, obj.report_status) == ("COMPLETE", True, "added")
        assert None not in (obj.fetch_started, obj.fetch_finished, obj.import_started, obj.import_finished)
        assert json.loads(obj.content)["title"].endswith("(bản đầy đủ)")
        assert call_action("package_show", id=record["name"])["title"] == record["title"] + " (bản đầy đủ)"
    crashed = model.Session.get(HarvestObject, objects[2].id)
    assert crashed.state == "ERROR" and crashed.import_finished is None
    assert _errors(crashed) == ["Record X could not be imported: the source's mapping crashed"]
    assert call_action("package_show", id=published["name"])["title"] == published["title"] + " (bản đầy đủ)"


def test_the_index_request_sent_in_the_background_is_searchable_once_waited_for(source):
    from ckanext.stinfo.harvesters import index_sender

    _source, job, _owner = source
    records = [(f"B{n}", generate.record(1, n)) for n in range(3)]
    statuses = harvest_import.bench_harvester().import_batch(_objects(job, records), index_later=True)
    assert set(statuses.values()) == {"added"}
    assert index_sender.wait() == 3
    found = call_action("package_search", q="*:*", rows=10)["results"]
    assert sorted(d["name"] for d in found) == sorted(r["name"] for _guid, r in records)


def test_a_failed_background_index_request_is_logged_and_loses_nothing(source, monkeypatch, caplog):
    import pysolr
    from ckanext.stinfo.harvesters import index_sender

    _source, job, _owner = source
    monkeypatch.setattr(index_sender, "make_connection", lambda: pysolr.Solr("http://127.0.0.1:9/solr/none",
                                                                             timeout=2))
    # the test set-up's logging configuration disables loggers made before it and misses the root
    monkeypatch.setattr(index_sender.log, "handlers", [caplog.handler])
    monkeypatch.setattr(index_sender.log, "disabled", False)
    record = generate.record(1, 0)
    statuses = harvest_import.bench_harvester().import_batch(_objects(job, [("F", record)]), index_later=True)
    assert set(statuses.values()) == {"added"}
    assert index_sender.wait() == 0
    assert "Indexing 1 datasets failed" in caplog.text and "search-index rebuild" in caplog.text
    assert call_action("package_show", id=record["name"], use_default_schema=True)["state"] == "active"


def test_a_name_already_published_is_refused_with_the_errors_package_create_gives(source):
    """Names in use are asked once per batch: a record taking a published name is refused with
    package_create's error, alone or beside its other errors."""
    _source, job, _owner = source
    published = generate.record(1, 0)
    call_action("package_create", context=common.context(), **published)
    taken = {**generate.record(1, 1), "name": published["name"]}
    taken_and_untitled = {**generate.record(1, 2), "name": published["name"], "title": ""}
    objects = _objects(job, [("T", taken), ("U", taken_and_untitled), ("F", generate.record(1, 3))])
    statuses = harvest_import.bench_harvester().import_batch(objects)
    assert [statuses[o.id] for o in objects] == ["errored", "errored", "added"]
    assert _errors(objects[0]) == ["Record T was not saved because it is invalid: name: That URL is already in use."]
    [message] = _errors(objects[1])
    assert "name: That URL is already in use." in message and "title: Missing value" in message
    assert call_action("package_show", id=published["name"])["title"] == published["title"]


def test_the_next_run_of_unchanged_records_reads_nothing_per_record(source):
    """The daily case: a record unchanged since the last run is skipped on its stored content hash,
    its dataset read with the batch's others (no package_show, no query of its own); what is left
    per record is the bookkeeping of its harvest objects."""
    import sqlalchemy as sa

    source_obj, job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [(f"U{n}", {**generate.record(1, n), "owner_org": owner}) for n in range(12)]
    assert set(harvester.import_batch(_objects(job, records)).values()) == {"added"}

    def reads(count):
        seen = []
        objects = _objects(harvest_import.make_job(source_obj), records[:count])
        model.Session.remove()
        listen = (model.meta.engine, "before_cursor_execute", lambda *args, **kwargs: seen.append(args[2]))
        sa.event.listen(*listen)
        try:
            statuses = harvester.import_batch(objects)
        finally:
            sa.event.remove(*listen)
        assert set(statuses.values()) == {"not modified"}
        return [statement for statement in seen if statement.lstrip().upper().startswith("SELECT")]

    few, many = reads(2), reads(12)
    assert len(many) == len(few), "the same reads for 12 unchanged records as for 2"
    assert call_action("package_show", id=records[0][1]["name"])["title"] == records[0][1]["title"]


def test_changed_records_are_updated_with_their_activity_and_indexed_with_the_batch(source, monkeypatch):
    """A changed record goes through package_update (its validation, its 'changed package'
    activity), but its dataset is indexed with the batch's others: one Solr request, one commit."""
    import pysolr

    source_obj, job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [(f"C{n}", {**generate.record(1, n), "owner_org": owner}) for n in range(3)]
    harvester.import_batch(_objects(job, records))
    changed = [(guid, {**record, "title": record["title"] + " (bản sửa đổi)"}) for guid, record in records[:2]]
    objects = _objects(harvest_import.make_job(source_obj), changed + records[2:])
    sent = []
    add, commit = pysolr.Solr.add, pysolr.Solr.commit
    monkeypatch.setattr(pysolr.Solr, "add", lambda self, docs, **kwargs: sent.append(
        ("add", sorted(d["name"] for d in docs), bool(kwargs.get("commit")))) or add(self, docs, **kwargs))
    monkeypatch.setattr(pysolr.Solr, "commit", lambda self, *args, **kwargs: sent.append(("commit",)) or commit(
        self, *args, **kwargs))
    searched = []
    search = pysolr.Solr.search
    monkeypatch.setattr(pysolr.Solr, "search", lambda self, q, **kwargs: searched.append((q, kwargs)) or search(
        self, q, **kwargs))
    shown_for_index = []
    show_both = logic.package_show_default_and_custom_schemas
    monkeypatch.setattr(logic, "package_show_default_and_custom_schemas", lambda context, package_id: (
        shown_for_index.append(package_id) or show_both(context, package_id)))

    statuses = harvester.import_batch(objects)

    assert [statuses[obj.id] for obj in objects] == ["updated", "updated", "not modified"]
    assert sent == [("add", sorted(record["name"] for _guid, record in changed), False), ("commit",)]
    assert shown_for_index == [], "package_update's own index dicts are not built: the batch builds them"
    assert len(searched) == 1, "package_update's look-ups of the indexed datasets: one request for the batch"
    assert searched[0][1]["fq"][1] == "{!terms f=id}" + ",".join(sorted(
        model.Package.get(record["name"]).id for _guid, record in records))
    for _guid, record in changed:
        found = call_action("package_search", q=f'name:"{record["name"]}"')["results"]
        assert [d["title"] for d in found] == [record["title"]]
        listed = call_action("package_activity_list", context=common.context(), id=record["name"],
                             include_hidden_activity=True)
        assert [a["activity_type"] for a in listed] == ["changed package", "new package"]
        data = call_action("activity_data_show", context=common.context(), id=listed[0]["id"])
        assert data["package"]["title"] == record["title"]


def test_a_changed_record_has_the_activity_and_index_document_of_the_per_record_path(source, monkeypatch):
    """The batch writes a changed dataset's 'changed package' activity and index document from
    its own show of the dataset (ckanext-activity's show of it is not made), equal to what
    package_update gives one record at a time; a personal number stays out of both."""
    from ckanext.activity import subscriptions
    from ckanext.harvest.model import HarvestSource
    from ckanext.harvest.queue import fetch_and_import_stages

    harvest_source, _job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [("R", _researcher()), ("T", next(r for r in generate.records(100) if r.get("resources")))]
    changed = harvest_import.revised(records)

    def run(import_changed):
        source = HarvestSource.get(harvest_source.id)
        assert set(harvester.import_batch(_objects(harvest_import.make_job(source), records)).values()) == {"added"}
        import_changed(_objects(harvest_import.make_job(source), changed))
        outcome = {}
        for _guid, record in changed:
            pkg = model.Package.get(record["name"])
            outcome[record["name"]] = (_activities(record["name"]), _solr_document(pkg.id),
                                       harvest_import.normalised(harvest_import.show(record["name"])))
        return outcome

    def _without_index_extras(activities):
        # One at a time, ckanext-activity's show of the updated dataset is served from the index,
        # where ckanext-harvest's hook added the then-current (previous) harvest object's extras.
        for activity in activities:
            package = activity["data"]["package"]
            package["extras"] = [e for e in package.get("extras", []) if e["key"] not in harvest_import.HARVEST_EXTRAS]
            if not package["extras"]:
                del package["extras"]
        return activities

    def one_at_a_time(objects):
        for obj in objects:
            fetch_and_import_stages(harvester, obj)

    per_record = run(one_at_a_time)
    call_action("package_delete", context=common.context(), id=records[0][1]["name"])
    for _guid, record in records:
        call_action("dataset_purge", context=common.context(), id=record["name"])
    model.Session.remove()

    shown_by_activity = []
    create = subscriptions._create_package_activity
    monkeypatch.setattr(subscriptions, "_create_package_activity", lambda kind, pkg_id, context: (
        shown_by_activity.append((kind, pkg_id)) or create(kind, pkg_id, context)))
    batched = run(lambda objects: harvester.import_batch(objects))

    assert shown_by_activity == [], "the batch writes the activities from its own show of the datasets"
    for name, (activities, document, shown) in per_record.items():
        assert [a["activity_type"] for a in batched[name][0]] == ["changed package", "new package"]
        assert batched[name][0][0]["data"]["package"]["title"].endswith("(bản sửa đổi)")
        assert batched[name] == (_without_index_extras(activities), document, shown)
        assert NUMBER not in json.dumps(batched[name], ensure_ascii=False, default=str)


def test_a_failed_look_up_of_the_batch_s_indexed_datasets_falls_back_to_one_at_a_time(source, monkeypatch, caplog):
    import pysolr

    source_obj, job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [(f"F{n}", {**generate.record(1, n), "owner_org": owner}) for n in range(2)]
    harvester.import_batch(_objects(job, records))
    search = pysolr.Solr.search

    def failing(self, q, **kwargs):
        if any("{!terms" in fq for fq in kwargs.get("fq") or []):
            raise pysolr.SolrError("Solr is restarting")
        return search(self, q, **kwargs)

    monkeypatch.setattr(pysolr.Solr, "search", failing)
    from ckanext.stinfo.harvesters import base

    monkeypatch.setattr(base.log, "handlers", [caplog.handler])
    monkeypatch.setattr(base.log, "disabled", False)
    changed = harvest_import.revised(records)
    objects = _objects(harvest_import.make_job(source_obj), changed)
    assert [harvester.import_batch(objects)[obj.id] for obj in objects] == ["updated", "updated"]
    assert "one at a time" in caplog.text
    for _guid, record in changed:
        assert call_action("package_show", id=record["name"])["title"] == record["title"]


def test_a_record_failing_after_its_update_keeps_the_activity_of_the_update(source, monkeypatch):
    """package_update's changes stand once it returned (its savepoint is released): should the
    record fail after it, the activity left to the batch is still written, and the dataset indexed."""
    source_obj, job, owner = source
    harvester = harvest_import.bench_harvester()
    records = [(f"A{n}", {**generate.record(1, n), "owner_org": owner}) for n in range(2)]
    harvester.import_batch(_objects(job, records))
    changed = harvest_import.revised(records)
    make_current = harvester._make_current

    def failing(harvest_object, previous, package_id, current=True):
        if harvest_object.guid == "A0":
            raise RuntimeError("bookkeeping failed")
        return make_current(harvest_object, previous, package_id, current)

    monkeypatch.setattr(harvester, "_make_current", failing)
    objects = _objects(harvest_import.make_job(source_obj), changed)
    assert [harvester.import_batch(objects)[obj.id] for obj in objects] == ["errored", "updated"]
    for _guid, record in changed:
        listed = call_action("package_activity_list", context=common.context(), id=record["name"],
                             include_hidden_activity=True)
        assert [a["activity_type"] for a in listed] == ["changed package", "new package"]
        found = call_action("package_search", q=f'name:"{record["name"]}"')["results"]
        assert [d["title"] for d in found] == [record["title"]]
