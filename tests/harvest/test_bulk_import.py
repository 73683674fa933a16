"""The bulk path of the batched import (new datasets written together): the same datasets,
activities, index documents and per-record errors as one ``package_create`` per record."""
import json

import pytest
from ckan import model
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
