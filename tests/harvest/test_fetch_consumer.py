"""The batch fetch consumer (``ckan stinfo fetch-consumer``) on the real Redis fetch queue: jobs
gathered through ckanext-harvest's gather queue, objects imported in batches with the stock
consumer's statuses and checks, messages acknowledged only once handled."""
import datetime
import json
import logging
import uuid

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.stinfo.harvesters import consumer
from ckanext.stinfo.harvesters.base import StinfoHarvester
from ckanext.stinfo.harvesters.standins import provincial_ckan, st_platform

from tests.conftest import ROOT

CONFIG = json.loads((ROOT / "config" / "harvest" / "st_tasks.json").read_text(encoding="utf-8"))
CKAN_CONFIG = json.loads((ROOT / "config" / "harvest" / "provincial_ckan.json").read_text(encoding="utf-8"))
TOTAL = len(st_platform.ORIGINAL)


@pytest.fixture(autouse=True)
def _fresh_sources():
    st_platform.reset()
    provincial_ckan.reset()
    yield
    st_platform.reset()
    provincial_ckan.reset()


@pytest.fixture
def redis(clean_db, clean_index):
    """The real Redis of the harvest queues, with this site's queues and persistence keys empty."""
    connection = queue.get_connection()

    def empty():
        queue.purge_queues()
        for pattern in (queue.get_fetch_routing_key(), queue.get_gather_routing_key()):
            stale = connection.keys(f"{pattern}:*")
            if stale:
                connection.delete(*stale)

    empty()
    yield connection
    empty()


@pytest.fixture
def solr_commits(monkeypatch):
    """Solr commits sent by this process (a spy: every request still goes to Solr)."""
    import pysolr

    commits = []
    add, commit = pysolr.Solr.add, pysolr.Solr.commit

    def spied_add(self, *args, **kwargs):
        if kwargs.get("commit"):
            commits.append("add with commit")
        return add(self, *args, **kwargs)

    def spied_commit(self, *args, **kwargs):
        commits.append("commit")
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(pysolr.Solr, "add", spied_add)
    monkeypatch.setattr(pysolr.Solr, "commit", spied_commit)
    return commits


@pytest.fixture
def import_paths(monkeypatch):
    """(source type, path, objects) of each import call the consumer makes (spies on the real calls)."""
    calls = []
    import_batch, one = StinfoHarvester.import_batch, queue.fetch_and_import_stages

    def spied_batch(self, objects, **options):
        calls.append((self.info()["name"], "batch", len(objects)))
        return import_batch(self, objects, **options)

    def spied_one(harvester, obj):
        calls.append((harvester.info()["name"], "one", 1))
        return one(harvester, obj)

    monkeypatch.setattr(StinfoHarvester, "import_batch", spied_batch)
    monkeypatch.setattr(queue, "fetch_and_import_stages", spied_one)
    return calls


@pytest.fixture
def consumer_log(caplog, monkeypatch):
    """The consumer's log records (a CLI test reading the ini's logging may have disabled it)."""
    monkeypatch.setattr(consumer.log, "disabled", False)
    consumer.log.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger=consumer.log.name)
    yield caplog
    consumer.log.removeHandler(caplog.handler)


def _tasks_url(standins):
    return f"{standins}/st-platform/ok/tasks"


def _source(source_type, url, config):
    return call_action(
        "harvest_source_create", context={"user": factories.Sysadmin()["name"]},
        name=f"nguon-{uuid.uuid4().hex[:8]}", title="Nguồn thử", url=url, source_type=source_type,
        owner_org=factories.Organization()["id"], config=json.dumps(config))


def _gather(source):
    """Start a job of ``source`` through the real gather queue; its objects go to the fetch queue."""
    job = call_action("harvest_job_create", context={"ignore_auth": True}, source_id=source["id"], run=True)
    gather = queue.get_gather_consumer()
    method, header, body = next(gather.consume(queue.get_gather_queue_name()))
    assert json.loads(body)["harvest_job_id"] == job["id"]
    queue.gather_callback(gather, method, header, body)
    return job["id"]


def _finish(source):
    call_action("harvest_jobs_run", context={"ignore_auth": True}, source_id=source["id"])


def _stock_consumer(redis):
    """ckanext-harvest's own fetch consumer, until the queue is empty."""
    fetch = queue.get_fetch_consumer()
    for _ in range(redis.llen(queue.get_fetch_routing_key())):
        method, header, body = next(fetch.consume(queue.get_fetch_queue_name()))
        queue.fetch_callback(fetch, method, header, body)


def _statuses(job_id):
    model.Session.remove()
    rows = model.Session.query(HarvestObject.guid, HarvestObject.report_status).filter(
        HarvestObject.harvest_job_id == job_id)
    return dict(rows.all())


def _object_ids(job_id):
    return [obj_id for (obj_id,) in model.Session.query(HarvestObject.id).filter(
        HarvestObject.harvest_job_id == job_id).order_by(HarvestObject.gathered)]


def _queued(redis):
    return [consumer.object_id(body) for body in redis.lrange(queue.get_fetch_routing_key(), 0, -1)]


def _held(redis):
    return redis.keys(f"{queue.get_fetch_routing_key()}:*")


def _errors(job_id):
    report = call_action("harvest_job_report", context={"ignore_auth": True}, id=job_id)
    return {obj["guid"]: [e["message"] for e in obj["errors"]] for obj in report["object_errors"].values()}


def _search(q):
    return call_action("package_search", q=q, rows=100, include_private=True)


def test_a_queued_job_is_imported_in_one_batch_with_the_statuses_of_the_stock_consumer(
        redis, standins, solr_commits, consumer_log):
    stock = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    batched = _source("stinfo_st_tasks", _tasks_url(standins), {**CONFIG, "page_size": 3})

    def both_ways():
        stock_job = _gather(stock)
        _stock_consumer(redis)
        _finish(stock)
        batched_job = _gather(batched)
        assert len(_queued(redis)) == len(_object_ids(batched_job)) > 0, "gather filled the real fetch queue"
        solr_commits.clear()
        assert consumer.run(once=True) == 1
        commits = list(solr_commits)
        assert _queued(redis) == [] and _held(redis) == [], "every message acknowledged"
        _finish(batched)
        assert HarvestJob.get(batched_job).status == "Finished"
        statuses = _statuses(batched_job)
        assert statuses == _statuses(stock_job)
        return statuses, commits

    statuses, commits = both_ways()
    assert statuses == {record["id"]: "added" for record in st_platform.ORIGINAL}
    assert commits == ["commit"], "one Solr commit for the batch"
    assert _search("dataset_type:st_task")["count"] == 2 * TOTAL, "both sources' datasets are searchable"
    assert f"Fetch batch of {TOTAL} messages" in consumer_log.text and f"{TOTAL} added" in consumer_log.text

    st_platform.RECORDS[0]["ten_nhiem_vu"] += " (điều chỉnh)"
    st_platform.RECORDS[0]["ngay_cap_nhat"] = "2099-01-01T00:00:00Z"
    statuses, _ = both_ways()
    assert statuses == {st_platform.RECORDS[0]["id"]: "updated"}
    assert _search('title:"điều chỉnh"')["count"] == 2

    st_platform.DELETED.add(st_platform.RECORDS[1]["id"])
    st_platform.RECORDS[1]["ngay_cap_nhat"] = "2099-01-02T00:00:00Z"
    statuses, _ = both_ways()
    assert statuses == {st_platform.RECORDS[0]["id"]: "not modified", st_platform.RECORDS[1]["id"]: "deleted"}
    assert _search("dataset_type:st_task")["count"] == 2 * (TOTAL - 1)


def test_a_broken_record_and_broken_messages_do_not_stop_the_batch(redis, standins):
    broken = st_platform.RECORDS[2]["id"]
    st_platform.RECORDS[2]["linh_vuc"] = "9.9"  # refused by the schema: rolled back alone
    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job = _gather(source)
    redis.rpush(queue.get_fetch_routing_key(), json.dumps({"harvest_job_id": job}), "not json")
    queue.get_fetch_publisher().send({"harvest_object_id": "khong-ton-tai"})

    outcomes = consumer.handle(redis, consumer.take(redis, 200, block=False))

    assert outcomes == {"added": TOTAL - 1, "errored": 1, "no object id": 2, "unknown object": 1}
    assert _statuses(job) == {r["id"]: "errored" if r["id"] == broken else "added" for r in st_platform.ORIGINAL}
    assert any("field_of_science" in m for m in _errors(job)[broken])
    found = {d["source_record_id"] for d in _search("dataset_type:st_task")["results"]}
    assert found == {r["id"] for r in st_platform.ORIGINAL} - {broken}
    assert _queued(redis) == [] and _held(redis) == []


def test_objects_of_a_finished_job_or_retried_too_often_are_errors(redis, standins):
    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job_id = _gather(source)
    first, *others = _object_ids(job_id)
    retried = HarvestObject.get(first)
    retried.retry_times = 4
    retried.save()
    job = HarvestJob.get(job_id)
    job.status = "Finished"  # aborted, or closed as timed out by harvest_jobs_run
    job.save()

    outcomes = consumer.handle(redis, consumer.take(redis, 200, block=False))

    assert outcomes == {"too many retries": 1, "job finished": len(others)}
    model.Session.remove()
    objects = {obj.id: obj for obj in model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id)}
    assert {obj.state for obj in objects.values()} == {"ERROR"}
    assert objects[first].retry_times == 5
    assert {objects[i].report_status for i in others} == {"errored"}
    assert _search("dataset_type:st_task")["count"] == 0
    assert _queued(redis) == [] and _held(redis) == []


def test_messages_of_a_consumer_that_died_are_queued_again_and_imported_once(redis, standins):
    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job = _gather(source)
    ids = _queued(redis)
    assert sorted(ids) == sorted(_object_ids(job))

    taken = consumer.take(redis, 200, block=False)  # taken, then the consumer dies
    assert [consumer.object_id(body) for body in taken] == ids, "oldest first"
    assert _queued(redis) == []
    assert sorted(_held(redis)) == sorted(consumer.persistence_key(i) for i in ids)

    queue.resubmit_objects()  # what harvest_jobs_run does: waiting objects missing from Redis
    assert sorted(_queued(redis)) == sorted(ids)
    old = (datetime.datetime.now() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S.%f")
    for key in _held(redis):
        redis.set(key, old)
    queue.resubmit_jobs()  # and messages held for over 3 minutes: now each object is queued twice
    assert sorted(_queued(redis)) == sorted(ids + ids) and _held(redis) == []

    outcomes = consumer.handle(redis, consumer.take(redis, 200, block=False))
    assert outcomes == {"added": TOTAL, "duplicate message": TOTAL}
    assert _queued(redis) == [] and _held(redis) == []

    queue.get_fetch_publisher().send({"harvest_object_id": ids[0]})  # a late duplicate
    assert consumer.handle(redis, consumer.take(redis, 200, block=False)) == {"already handled": 1}
    assert _errors(job) == {} and _statuses(job)[st_platform.ORIGINAL[0]["id"]] == "added"
    assert _search("dataset_type:st_task")["count"] == TOTAL
    assert _held(redis) == []


def test_a_database_error_leaves_the_messages_held_for_a_retry(redis, standins):
    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job = _gather(source)
    taken = consumer.take(redis, 200, block=False)
    pid = model.Session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with model.meta.engine.connect() as other:  # the consumer's database connection is cut
        assert other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

    assert consumer.handle(redis, taken) == {"left for a retry": TOTAL}
    assert len(_held(redis)) == TOTAL, "not acknowledged"
    objects = model.Session.query(HarvestObject).filter_by(harvest_job_id=job).all()
    assert {(obj.state, obj.retry_times) for obj in objects} == {("WAITING", 0)}

    queue.resubmit_objects()
    assert consumer.handle(redis, consumer.take(redis, 200, block=False)) == {"added": TOTAL}
    assert _held(redis) == []


def test_other_harvesters_go_one_object_at_a_time_in_the_same_batch(redis, standins, import_paths, solr_commits):
    tasks = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    portal = _source("ckan", f"{standins}/provincial-ckan/ok", CKAN_CONFIG)
    tasks_job, portal_job = _gather(tasks), _gather(portal)
    portal_objects = len(_object_ids(portal_job))

    outcomes = consumer.handle(redis, consumer.take(redis, 200, block=False))

    assert outcomes == {"added": TOTAL + portal_objects}
    assert import_paths == [("stinfo_st_tasks", "batch", TOTAL)] + [("ckan", "one", 1)] * portal_objects
    assert solr_commits.count("commit") == 1, "the STInfo objects' batch commits once"
    assert solr_commits.count("add with commit") >= portal_objects, "the stock path commits each dataset"
    assert set(_statuses(portal_job).values()) == {"added"} and set(_statuses(tasks_job).values()) == {"added"}
    assert _search("dataset_type:dataset")["count"] == len(provincial_ckan.ORIGINAL)
    assert _search("dataset_type:st_task")["count"] == TOTAL
    assert _queued(redis) == [] and _held(redis) == []


def test_an_object_whose_import_raises_is_left_for_a_retry_and_the_others_are_imported(redis, standins):
    from ckanext.harvest.model import HarvestSource

    tasks = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    portal = _source("ckan", f"{standins}/provincial-ckan/ok", CKAN_CONFIG)
    portal_job, tasks_job = _gather(portal), _gather(tasks)  # the broken objects first in the queue
    stored = HarvestSource.get(portal["id"])
    stored.config = "{not json"  # ckanext-harvest's CKAN harvester raises on it at import
    stored.save()
    portal_ids = _object_ids(portal_job)

    outcomes = consumer.handle(redis, consumer.take(redis, 200, block=False))

    assert outcomes == {"added": TOTAL, "left for a retry": len(portal_ids)}
    assert sorted(_held(redis)) == sorted(consumer.persistence_key(i) for i in portal_ids), "only they stay held"
    model.Session.remove()
    assert {HarvestObject.get(i).state for i in portal_ids} == {"IMPORT"}
    assert set(_statuses(tasks_job).values()) == {"added"}
    assert _search("dataset_type:st_task")["count"] == TOTAL


def test_batches_are_at_most_the_batch_size(redis, standins, consumer_log):
    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job = _gather(source)
    assert consumer.run(size=2, max_batches=1) == 1
    assert len(_queued(redis)) == TOTAL - 2
    assert consumer.run(size=2, once=True) == -(-(TOTAL - 2) // 2)
    assert set(_statuses(job).values()) == {"added"}
    assert consumer_log.text.count("Fetch batch of 2 messages") == 1 + (TOTAL - 2) // 2
    # each batch's Solr request went on beside the next batch; all are done when run returns
    assert _search("dataset_type:st_task")["count"] == TOTAL


def test_the_command_consumes_the_queue(cli, redis, standins):
    from ckanext.stinfo.cli import stinfo

    source = _source("stinfo_st_tasks", _tasks_url(standins), CONFIG)
    job = _gather(source)
    result = cli.invoke(stinfo, ["fetch-consumer", "--once", "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert "2 batches handled" in result.output
    assert set(_statuses(job).values()) == {"added"}
    assert _queued(redis) == [] and _held(redis) == []


@pytest.mark.ckan_config("ckan.harvest.mq.type", "amqp")
def test_the_command_refuses_a_queue_that_is_not_redis(cli):
    from ckanext.stinfo.cli import stinfo

    result = cli.invoke(stinfo, ["fetch-consumer", "--once"])
    assert result.exit_code != 0
    assert "ckan.harvest.mq.type is 'amqp'" in result.output
    assert "ckan harvester fetch-consumer" in result.output
