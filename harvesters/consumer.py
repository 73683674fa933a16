"""Batch fetch consumer: ckanext-harvest's Redis fetch queue, imported in batches.

``ckan stinfo fetch-consumer`` takes the place of ``ckan harvester fetch-consumer`` on the same
queue. It takes up to ``size`` messages at a time, checks each harvest object as
ckanext-harvest's ``fetch_callback`` does, and imports the objects of STInfo harvesters with one
:meth:`StinfoHarvester.import_batch` call per source type (one transaction, one Solr commit);
objects of other harvesters go through ckanext-harvest's ``fetch_and_import_stages`` one at a
time. The Solr request of a batch is under way while the next one is imported; it is waited
for whenever the queue is empty. A message keeps its persistence key
(``<routing key>:<object id>``) until its object is handled, so ``harvest_jobs_run``
(``resubmit_jobs``, ``resubmit_objects``) re-queues what a consumer that died was holding. A
message for an object already handled (a re-queued duplicate) is acknowledged without importing
it again.
"""
from __future__ import annotations

import collections
import datetime
import json
import logging
import time

import sqlalchemy as sa
from ckan import model
from ckan.common import config
from ckan.plugins import PluginImplementations
from ckanext.harvest import queue
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject
from ckanext.stinfo.harvesters import index_sender
from ckanext.stinfo.harvesters.base import StinfoHarvester
from redis import Redis
from sqlalchemy.orm import joinedload

log = logging.getLogger(__name__)

FINAL_STATES = ("COMPLETE", "ERROR")
MAX_RETRIES = 5  # as ckanext-harvest's fetch_callback
RETRY_LATER = "left for a retry"


class QueueNotSupported(RuntimeError):
    """The harvest queue is not on Redis."""


def connect() -> Redis:
    """The Redis connection of ckanext-harvest's queues; refuses any other queue backend."""
    backend = config.get("ckan.harvest.mq.type") or queue.MQ_TYPE
    if backend != "redis":
        raise QueueNotSupported(
            f"ckan.harvest.mq.type is '{backend}': the batch fetch consumer reads the Redis fetch queue "
            "only; use 'ckan harvester fetch-consumer' with this backend.")
    return queue.get_connection()


def object_id(body: str) -> str | None:
    """The harvest object id of a fetch queue message, or None when it has none."""
    try:
        found = json.loads(body).get("harvest_object_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and found else None


def persistence_key(harvest_object_id: str) -> str:
    """Where a taken message is remembered until acknowledged (as ``RedisConsumer`` does)."""
    return f"{queue.get_fetch_routing_key()}:{harvest_object_id}"


def take(redis: Redis, size: int, block: bool = True) -> list[str]:
    """Up to ``size`` messages from the fetch queue, oldest first: waits for the first one when
    ``block``, takes the rest without waiting, and sets each message's persistence key."""
    key = queue.get_fetch_routing_key()
    bodies = [redis.blpop([key])[1]] if block else []
    if size > len(bodies):
        with redis.pipeline() as pipe:  # MULTI/EXEC: no other consumer takes the same messages
            pipe.lrange(key, 0, size - len(bodies) - 1)
            pipe.ltrim(key, size - len(bodies), -1)
            bodies += pipe.execute()[0]
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")  # the format resubmit_jobs reads
    keys = {persistence_key(found): now for found in map(object_id, bodies) if found}
    if keys:
        redis.mset(keys)
    return bodies


def ack(redis: Redis, harvest_object_ids: list[str]) -> None:
    """Forget taken messages: their objects are handled."""
    if harvest_object_ids:
        redis.delete(*map(persistence_key, harvest_object_ids))


def _refusal(harvest_object_id: str, obj: HarvestObject | None, harvesters: dict[str, IHarvester]) -> str | None:
    """Why an object is not imported, after ``fetch_callback``'s checks and state changes; None
    when it is to be imported (it is then marked ``FETCH``, so ``resubmit_objects`` leaves it)."""
    if obj is None:
        log.error("Harvest object does not exist: %s", harvest_object_id)
        return "unknown object"
    if obj.state in FINAL_STATES:
        log.info("Harvest object %s was already handled (%s); duplicate message dropped", obj.id, obj.state)
        return "already handled"
    obj.retry_times = (obj.retry_times or 0) + 1
    if obj.retry_times >= MAX_RETRIES:
        obj.state = "ERROR"
        log.error("Too many consecutive retries for object %s", obj.id)
        return "too many retries"
    if obj.job.status == "Finished":
        obj.state, obj.report_status = "ERROR", "errored"
        log.error("Job %s was aborted or timed out, object %s set to error", obj.job.id, obj.id)
        return "job finished"
    if obj.source.type not in harvesters:
        log.error("No harvester for source type %s (object %s)", obj.source.type, obj.id)
        return "no harvester"
    obj.state = "FETCH"
    return None


def check(redis: Redis, bodies: list[str], harvesters: dict[str, IHarvester]
          ) -> tuple[dict[str, list[str]], collections.Counter]:
    """Apply ``fetch_callback``'s checks to a batch: the object ids to import by source type (in
    queue order), and the count of each reason for not importing. Refused messages are
    acknowledged; on a database error nothing is (the messages come back through
    ``resubmit_jobs``)."""
    outcomes: collections.Counter = collections.Counter()
    ids: dict[str, None] = {}
    for body in bodies:
        found = object_id(body)
        if found is None:
            log.error("No harvest object id received: %.200r", body)
            outcomes["no object id"] += 1
        elif found in ids:
            outcomes["duplicate message"] += 1
        else:
            ids[found] = None
    groups: dict[str, list[str]] = {}
    try:
        objects = {obj.id: obj for obj in model.Session.query(HarvestObject).options(
            joinedload(HarvestObject.job), joinedload(HarvestObject.source)).filter(HarvestObject.id.in_(ids))}
        refused = []
        for harvest_object_id in ids:
            obj = objects.get(harvest_object_id)
            reason = _refusal(harvest_object_id, obj, harvesters)
            if reason is None:
                groups.setdefault(obj.source.type, []).append(harvest_object_id)
            else:
                outcomes[reason] += 1
                refused.append(harvest_object_id)
        model.Session.commit()
    except sa.exc.DatabaseError:
        log.exception("Database error while checking %d harvest objects; their messages come back later", len(ids))
        model.Session.remove()
        outcomes[RETRY_LATER] += len(ids)
        return {}, outcomes
    ack(redis, refused)
    return groups, outcomes


def _import_one(harvester: IHarvester, harvest_object_id: str) -> None:
    """``fetch_and_import_stages`` for one object not yet handled; an exception leaves it for a retry."""
    try:
        obj = HarvestObject.get(harvest_object_id)
        if obj.state not in FINAL_STATES:
            queue.fetch_and_import_stages(harvester, obj)
    except Exception:  # noqa: BLE001 - one object never stops the rest of the batch
        log.exception("Harvest object %s failed; left for a retry", harvest_object_id)
    finally:
        model.Session.remove()


def import_group(harvester: IHarvester, ids: list[str], index_later: bool = False) -> None:
    """Import the objects of one source type: with ``import_batch`` for an STInfo harvester (one
    at a time if the batch as a whole fails), else one at a time as the stock consumer does.
    ``index_later``: see ``import_batch``."""
    if isinstance(harvester, StinfoHarvester):
        try:
            harvester.import_batch(model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)).all(),
                                   index_later=index_later)
            return
        except Exception:  # noqa: BLE001 - retried one at a time below
            log.exception("Batched import of %d objects failed; importing them one at a time", len(ids))
            model.Session.remove()
    for harvest_object_id in ids:
        _import_one(harvester, harvest_object_id)


def finish(redis: Redis, ids: list[str]) -> collections.Counter:
    """Acknowledge the objects now handled (COMPLETE or ERROR) and count their report statuses;
    the others keep their messages' persistence keys, for ``resubmit_jobs``."""
    try:
        rows = (model.Session.query(HarvestObject.id, HarvestObject.state, HarvestObject.report_status)
                .filter(HarvestObject.id.in_(ids)).all())
    except sa.exc.DatabaseError:
        log.exception("Database error while reading the outcome of %d harvest objects", len(ids))
        model.Session.remove()
        return collections.Counter({RETRY_LATER: len(ids)})
    done = [row.id for row in rows if row.state in FINAL_STATES]
    ack(redis, done)
    return collections.Counter((row.report_status or row.state.lower()) if row.state in FINAL_STATES
                               else RETRY_LATER for row in rows)


def handle(redis: Redis, bodies: list[str], index_later: bool = False) -> collections.Counter:
    """Check, import and acknowledge one batch of messages; returns the count of each outcome
    (report statuses and reasons for refusal) and logs it on one line. ``index_later``: the
    batch's Solr request may still be under way on return (``index_sender.wait()``)."""
    started = time.monotonic()
    harvesters = {h.info()["name"]: h for h in PluginImplementations(IHarvester)}
    groups, outcomes = check(redis, bodies, harvesters)
    for source_type, ids in groups.items():
        import_group(harvesters[source_type], ids, index_later)
        outcomes += finish(redis, ids)
    model.Session.remove()
    seconds = time.monotonic() - started
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    log.info("Fetch batch of %d messages in %.1f s (%.1f/s): %s", len(bodies), seconds,
             len(bodies) / seconds if seconds else 0.0, summary or "nothing")
    return outcomes


def run(size: int = 200, once: bool = False, max_batches: int | None = None) -> int:
    """Consume the fetch queue in batches of up to ``size``: for ever, until the queue is empty
    (``once``), or for ``max_batches`` batches. Returns the number of batches handled."""
    redis = connect()
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            bodies = take(redis, size, block=False)
            if not bodies:
                index_sender.wait()  # the queue is empty: the last batch is searchable before waiting
                if once:
                    break
                bodies = take(redis, size)
            handle(redis, bodies, index_later=True)
            batches += 1
    finally:
        index_sender.wait()
    return batches
