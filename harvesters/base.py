"""Shared base of STInfo harvesters on ckanext-harvest's gather / fetch / import contract.

A harvester says how to list a source (``gather_records``), optionally how to fetch one record
(``fetch_record``) and how to map a record to a dataset dict (``map_record``). The base keeps the
guarantees: stable guids, incremental runs, unchanged records skipped by content hash,
deletions applied only after a complete gather, provenance on every dataset, readable
per-record errors, and nothing already published lost when a run goes wrong.
"""
from __future__ import annotations

import collections
import contextlib
import datetime
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pysolr
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra
from ckanext.stinfo import batch_gc, navl_once, personal_data
from ckanext.stinfo.classification import is_state_secret
from ckanext.stinfo.harvesters import index_sender
from ckanext.stinfo.harvesters.http import SourceError
from ckanext.stinfo.identifiers import slugify_vi

log = logging.getLogger(__name__)

PROVENANCE_FIELDS = ("source_system", "source_url", "source_record_id", "harvested_at", "content_hash")


class MappingError(ValueError):
    """A source record cannot be mapped to a dataset; the message names the field."""


@dataclass
class SourceRecord:
    """One record as listed by the source."""

    guid: str
    content: dict[str, Any] | None = None
    deleted: bool = False
    extras: dict[str, str] = field(default_factory=dict)


def content_hash(package: dict[str, Any]) -> str:
    """Stable hash of a mapped dataset, ignoring the provenance fields themselves.

    Restricted fields enter the hash as their keyed fingerprints: the hash is published, and a
    personal number has too few possible values to be hashed bare.
    """
    data = {k: v for k, v in package.items() if k not in ("harvested_at", "content_hash")}
    for name in personal_data.restricted_fields() & data.keys():
        value = str(data[name])
        data[name] = value if personal_data.FINGERPRINT.match(value) else personal_data.fingerprint(value)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _status(harvest_object: HarvestObject) -> str | None:
    """The gather-time status of an object: ``new``, ``change`` or ``delete``."""
    return next((e.value for e in harvest_object.extras if e.key == "status"), None)


@dataclass
class _Batch:
    """State of one :meth:`StinfoHarvester.import_batch` call."""

    previous: dict[str, HarvestObject | None]
    #: Datasets written by CKAN's actions (updated ones; new ones of a rarer shape), indexed with
    #: the batch.
    to_index: list[str] = field(default_factory=list)
    #: Activities of ``package_update`` left to the batch to write (dataset id: activity type).
    activities: dict[str, str] = field(default_factory=dict)
    bulk: Any = None  # bulk.BulkCreator of the new datasets
    organizations: dict[str, str | None] = field(default_factory=dict)
    #: The datasets of the previous objects, loaded together (and held for the session's lookups).
    packages: list[model.Package] = field(default_factory=list)
    #: What the batch set on each harvest object, set again at its end: a later record's
    #: rollback undoes what is not yet committed, and the batch commits once.
    outcomes: dict[str, tuple[HarvestObject, dict[str, Any]]] = field(default_factory=dict)

    def organization_id(self, reference: str) -> str:
        """The id of the organisation ``reference`` names or identifies, looked up once per batch
        (as the owner_org validator finds it; the reference itself when there is none)."""
        if reference not in self.organizations:
            group = model.Group.get(reference)
            self.organizations[reference] = group.id if group is not None else None
        return self.organizations[reference] or reference

    @property
    def organization_ids(self) -> set[str]:
        """The ids of the organisations found."""
        return {found for found in self.organizations.values() if found}


@contextlib.contextmanager
def _collected_solr_documents(docs: list[dict[str, Any]]) -> Iterator[None]:
    """Let CKAN build its own index documents, but collect them instead of sending each alone."""
    from ckan.lib.search import index as search_index

    connect = search_index.make_connection

    class Collector:
        def add(self, docs: list[dict[str, Any]], commit: bool = False, **_kwargs: Any) -> None:
            collected.extend(docs)

        def delete(self, *args: Any, **kwargs: Any) -> Any:
            return connect().delete(*args, **kwargs)

    collected = docs
    search_index.make_connection = Collector
    try:
        yield
    finally:
        search_index.make_connection = connect


@contextlib.contextmanager
def _not_indexed_meanwhile() -> Iterator[None]:
    """An action's index document (``package_update`` shows the dataset with both schemas for it
    at its end) is neither built nor sent; for callers that index the dataset afterwards and do
    not use the action's returned dict."""
    from ckan import logic

    saved = logic.package_show_default_and_custom_schemas, logic.index_update_package_dicts
    logic.package_show_default_and_custom_schemas = lambda parent_context, package_id: (None, None)
    logic.index_update_package_dicts = lambda both, defer_commit=False: None
    try:
        yield
    finally:
        logic.package_show_default_and_custom_schemas, logic.index_update_package_dicts = saved


@contextlib.contextmanager
def _activity_deferred(into: dict[str, str]) -> Iterator[None]:
    """ckanext-activity's activity of an action is not written at once but recorded in ``into``
    (dataset id: activity type): to write it, ckanext-activity shows the dataset again, from the
    database (the index's copy is out of date), which the batch does anyway for the index
    (``bulk.show_and_index``). A deleted dataset's activity is written as it would be."""
    from ckanext.activity import subscriptions

    create = subscriptions._create_package_activity

    def deferred(activity_type: str, pkg_id_or_name: str, context: Any) -> None:
        pkg = model.Package.get(pkg_id_or_name)
        if pkg is None or pkg.state == "deleted":
            return create(activity_type, pkg_id_or_name, context)
        into[pkg.id] = f"{activity_type} package"
        return None

    subscriptions._create_package_activity = deferred
    try:
        yield
    finally:
        subscriptions._create_package_activity = create


@contextlib.contextmanager
def _indexed_copies_together(package_ids: Iterable[str]) -> Iterator[None]:
    """``package_show`` (``package_update``'s show of a dataset before changing it) looks up the
    dataset's indexed copy with a Solr request of its own (``search.show``). Meanwhile, for these
    datasets, one request for all of them answers, made when the first is looked up; the others
    (or all, should that request fail) are looked up as before."""
    from ckan.common import config
    from ckan.lib import search
    from ckan.lib.search.common import make_connection

    lookup, wanted = search.show, set(package_ids)
    copies: dict[str, dict[str, Any]] | None = None

    def fetched() -> dict[str, dict[str, Any]]:
        try:
            found = make_connection(decode_dates=False).search(
                q="*:*", rows=len(wanted), fq=[f'+site_id:"{config.get("ckan.site_id")}" +entity_type:package',
                                               "{!terms f=id}" + ",".join(sorted(wanted))])
        except pysolr.SolrError as err:
            log.warning("Looking up %d indexed datasets together failed (%s); one at a time", len(wanted), err)
            return {}
        return {doc["id"]: doc for doc in found.docs}

    def show(package_reference: str) -> dict[str, Any]:
        nonlocal copies
        if package_reference not in wanted:
            return lookup(package_reference)
        if copies is None:
            copies = fetched()
        return copies[package_reference] if package_reference in copies else lookup(package_reference)

    search.show = show
    try:
        yield
    finally:
        search.show = lookup


def _error_summary(error: toolkit.ValidationError) -> str:
    parts = []
    for key, messages in (error.error_dict or {}).items():
        text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{key}: {text}")
    return ", ".join(parts) or str(error)


class StinfoHarvester(HarvesterBase):
    """Base of every STInfo harvester (not a plugin itself)."""

    #: Human-readable name of the source system, stored as provenance.
    source_system = ""
    #: Whether ``gather_records`` honours ``since`` (records changed after a time).
    incremental = False
    #: Set during :meth:`import_batch` only.
    _batch: _Batch | None = None

    # ---------------------------------------------------------------- to implement
    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        """Yield the records of the source (changed since ``since`` when given)."""
        raise NotImplementedError

    def fetch_record(self, url: str, config: dict[str, Any], record: SourceRecord) -> dict[str, Any]:
        """Return the full record; by default the content listed at gather time."""
        return record.content or {}

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        """Map a source record to a dataset dict (type and fields of a record schema)."""
        raise NotImplementedError

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        """Where the record can be seen at the source."""
        return url

    def get_original_url(self, harvest_object_id: str) -> str | None:
        """Link from the harvest admin pages to the record at its source."""
        obj = HarvestObject.get(harvest_object_id)
        if obj is None:
            return None
        return self.record_url(obj.source.url, self._config(obj.source), obj.guid)

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        """Problems with a source's configuration, for ``validate_config``."""
        return []

    def full_listing_every_days(self, url: str, config: dict[str, Any]) -> int | None:
        """Days between full listings of an incremental source (records a source stops listing
        are withdrawn only after a full listing): ``full_harvest_every_days`` of the source's
        configuration; None for none but the first."""
        return config.get("full_harvest_every_days")

    # ---------------------------------------------------------------- configuration
    def validate_config(self, config: str | None) -> str:
        if not config:
            return config or ""
        try:
            parsed = json.loads(config)
        except ValueError as err:
            raise ValueError(f"The configuration is not valid JSON: {err}") from err
        if not isinstance(parsed, dict):
            raise ValueError("The configuration must be a JSON object")
        errors = self.config_errors(parsed)
        every = parsed.get("full_harvest_every_days")
        if every is not None and (not isinstance(every, int) or isinstance(every, bool) or every < 1):
            errors.append("'full_harvest_every_days' must be a whole number of days, at least 1")
        if errors:
            raise ValueError("; ".join(errors))
        return config

    @staticmethod
    def _config(source) -> dict[str, Any]:
        return json.loads(source.config) if source.config else {}

    # ---------------------------------------------------------------- gather
    def _last_complete_run(self, job: HarvestJob) -> datetime.datetime | None:
        """Start of the last finished gather of this source that reported no gather error."""
        previous = (
            model.Session.query(HarvestJob)
            .filter(HarvestJob.source_id == job.source_id, HarvestJob.id != job.id,
                    HarvestJob.status == "Finished")
            .order_by(HarvestJob.gather_started.desc())
            .all()
        )
        for candidate in previous:
            if not candidate.gather_errors:
                return candidate.gather_started
        return None

    def _current_objects(self, source_id: str) -> dict[str, HarvestObject]:
        query = model.Session.query(HarvestObject).filter(
            HarvestObject.harvest_source_id == source_id, HarvestObject.current == sa.true())
        return {obj.guid: obj for obj in query}

    def _new_object(self, job: HarvestJob, guid: str, content: Any, status: str,
                    package_id: str | None = None) -> str:
        obj = HarvestObject(guid=guid, job=job, content=None if content is None else json.dumps(content),
                            package_id=package_id, extras=[HarvestObjectExtra(key="status", value=status)])
        obj.save()
        return obj.id

    def _since(self, job: HarvestJob, config: dict[str, Any]) -> datetime.datetime | None:
        """Start of an incremental run's window; None for a full listing: the first complete run,
        a source configured with ``full_harvest``, and the first run of each period of
        :meth:`full_listing_every_days` (periods counted from 1970-01-01 UTC)."""
        if not self.incremental or config.get("full_harvest"):
            return None
        since = self._last_complete_run(job)
        every = self.full_listing_every_days(job.source.url, config) if since is not None else None
        if every:
            now = datetime.datetime.utcnow()  # the harvest tables hold naive UTC times
            period_start = now - (now - datetime.datetime(1970, 1, 1)) % datetime.timedelta(days=every)
            if since < period_start:
                log.info("Full listing of %s: one is due every %d days", job.source.url, every)
                return None
        return since

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        config = self._config(harvest_job.source)
        since = self._since(harvest_job, config)
        records: dict[str, SourceRecord] = {}
        complete = True
        try:
            for record in self.gather_records(harvest_job.source.url, config, since):
                if record.guid in records:
                    self._save_gather_error(
                        f"The source lists the identifier {record.guid} twice; the last copy is used.",
                        harvest_job)
                if not record.deleted and is_state_secret(record.content):
                    self._save_gather_error(
                        f"Record {record.guid} is marked as a state secret and was refused: "
                        "classified records never enter the system.", harvest_job)
                    records.pop(record.guid, None)
                    continue
                records[record.guid] = record
        except (SourceError, MappingError, ValueError) as err:
            complete = False
            self._save_gather_error(
                f"Listing the source stopped: {err}. The {len(records)} records received are imported; "
                "no record is withdrawn after an incomplete listing.", harvest_job)

        current = self._current_objects(harvest_job.source_id)
        ids = []
        for guid, record in records.items():
            if record.deleted:
                if guid in current:
                    ids.append(self._new_object(harvest_job, guid, None, "delete", current[guid].package_id))
            else:
                ids.append(self._new_object(harvest_job, guid, record.content,
                                            "change" if guid in current else "new"))
        if complete and since is None:
            missing = set(current) - set(records)
            if missing and not records:
                self._save_gather_error(
                    "The source listed no records at all; nothing is withdrawn (check the source).",
                    harvest_job)
            elif missing:
                ids.extend(self._new_object(harvest_job, guid, None, "delete", current[guid].package_id)
                           for guid in sorted(missing))
        log.info("Gathered %d objects for source %s", len(ids), harvest_job.source.url)
        return ids

    # ---------------------------------------------------------------- fetch
    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        if _status(harvest_object) == "delete":
            return True
        config = self._config(harvest_object.source)
        listed = SourceRecord(harvest_object.guid, json.loads(harvest_object.content or "null"))
        try:
            full = self.fetch_record(harvest_object.source.url, config, listed)
        except (SourceError, ValueError) as err:
            self._save_object_error(f"Could not fetch record {harvest_object.guid}: {err}",
                                    harvest_object, "Fetch")
            return False
        if is_state_secret(full):
            self._save_object_error(
                f"Record {harvest_object.guid} is marked as a state secret and was refused.",
                harvest_object, "Fetch")
            self._set_outcome(harvest_object, content=None)
            return False
        self._set_outcome(harvest_object, content=json.dumps(full, ensure_ascii=False))
        return True

    # ---------------------------------------------------------------- import
    def _previous(self, harvest_object: HarvestObject) -> HarvestObject | None:
        if self._batch is not None and harvest_object.id in self._batch.previous:
            return self._batch.previous[harvest_object.id]
        return (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid,
                    HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                    HarvestObject.current == sa.true(), HarvestObject.id != harvest_object.id)
            .first()
        )

    def _make_current(self, harvest_object: HarvestObject, previous: HarvestObject | None,
                      package_id: str | None, current: bool = True) -> None:
        """Record the outcome: this object replaces the previous one (as withdrawn if not current)."""
        self._set_current(harvest_object, previous, package_id, current)
        model.Session.commit()

    @staticmethod
    def _set_current(harvest_object: HarvestObject, previous: HarvestObject | None,
                     package_id: str | None, current: bool = True) -> None:
        if previous:
            previous.current = False
            previous.add()
        harvest_object.current = current
        harvest_object.package_id = package_id
        harvest_object.add()

    def _record_invalid(self, harvest_object: HarvestObject, error: toolkit.ValidationError) -> None:
        self._save_object_error(
            f"Record {harvest_object.guid} was not saved because it is invalid: {_error_summary(error)}",
            harvest_object, "Import")

    def _set_outcome(self, harvest_object: HarvestObject, **values: Any) -> None:
        """Set and save attributes of a harvest object: committed at once one at a time, with the
        batch's commit in a batch (see ``_Batch.outcomes``)."""
        for name, value in values.items():
            setattr(harvest_object, name, value)
        if self._batch is None:
            harvest_object.save()
            return
        harvest_object.add()
        self._batch.outcomes.setdefault(harvest_object.id, (harvest_object, {}))[1].update(values)

    def _context(self, deferred: bool = False) -> dict[str, Any]:
        if deferred and self._batch is not None:
            # Indexed (with one Solr commit) after the batch; package_create's own dictisation
            # for its return value is not needed either.
            return {"user": self._get_user_name(), "ignore_auth": True, "defer_commit": True,
                    "return_id_only": True}
        return {"user": self._get_user_name(), "ignore_auth": True}

    def _update_context(self) -> dict[str, Any]:
        """``package_update``'s context; in a batch, with what spares its per-record lookups: the
        harvest user's object (the permission check would look it up), the organisations found by
        the batch (``stinfo_owner_org``)."""
        context = dict(self._context(), return_id_only=True)
        if self._batch is not None:
            context.update(auth_user_obj=self._batch.bulk.user,
                           stinfo_organization_ids=self._batch.organization_ids)
        return context

    @contextlib.contextmanager
    def _shown_later(self) -> Iterator[None]:
        """In a batch, what CKAN would index meanwhile is neither built nor sent, and the activity
        is written later: the batch shows the dataset once its harvest object is current, for its
        activity and its index document, and indexes it with its other datasets (one Solr request,
        one commit). CKAN's ``defer_commit`` would leave ``package_update``'s savepoint open and
        record no activity."""
        if self._batch is None:
            yield
            return
        with _not_indexed_meanwhile(), _activity_deferred(self._batch.activities):
            yield

    def _withdraw(self, harvest_object: HarvestObject, previous: HarvestObject | None) -> bool:
        package_id = harvest_object.package_id or (previous.package_id if previous else None)
        if package_id:
            try:
                toolkit.get_action("package_delete")(self._context(), {"id": package_id})
            except toolkit.ObjectNotFound:
                log.info("Dataset %s was already withdrawn", package_id)
        self._make_current(harvest_object, previous, package_id, current=False)
        return True

    def _provenance(self, harvest_object: HarvestObject, config: dict[str, Any]) -> dict[str, str]:
        return {
            "source_system": config.get("source_system") or self.source_system,
            "source_url": self.record_url(harvest_object.source.url, config, harvest_object.guid),
            "source_record_id": harvest_object.guid,
        }

    def _unique_name(self, title: str, guid: str, source_id: str) -> str:
        suffix = hashlib.sha1(f"{source_id}:{guid}".encode()).hexdigest()[:8]
        return f"{slugify_vi(title or guid, max_len=90)}-{suffix}"

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        previous = self._previous(harvest_object)
        if _status(harvest_object) == "delete":
            return self._withdraw(harvest_object, previous)
        config = self._config(harvest_object.source)
        try:
            record = json.loads(harvest_object.content or "")
            package = self.map_record(record, config)
        except (ValueError, TypeError, KeyError) as err:
            self._save_object_error(f"Record {harvest_object.guid} cannot be read: {err}",
                                    harvest_object, "Import")
            return False
        if is_state_secret(package):
            self._save_object_error(f"Record {harvest_object.guid} is marked as a state secret and was refused.",
                                    harvest_object, "Import")
            return False

        package.update(self._provenance(harvest_object, config))
        package.setdefault("owner_org", config.get("owner_org")
                           or model.Package.get(harvest_object.source.id).owner_org)
        package["content_hash"] = content_hash(package)
        package["harvested_at"] = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        if self._batch is not None and isinstance(package["owner_org"], str) and package["owner_org"]:
            # after the content hash: the hash is of the record as mapped, one at a time or not
            package["owner_org"] = self._batch.organization_id(package["owner_org"])

        existing = model.Package.get(previous.package_id) if previous and previous.package_id else None
        try:
            if existing is not None:
                # the stored hash as package_show gives it (an extra shown as it is), without the show
                if existing.state == "active" and existing.extras.get("content_hash") == package["content_hash"]:
                    self._make_current(harvest_object, previous, existing.id)
                    return "unchanged"
                package.update(id=existing.id, name=existing.name, state="active")
                with self._shown_later():
                    toolkit.get_action("package_update")(self._update_context(), package)
                package_id = existing.id
            else:
                if not package.get("name"):
                    package["name"] = self._unique_name(
                        package.get("title", ""), harvest_object.guid, harvest_object.harvest_source_id)
                if self._batch is not None and self._batch.bulk.add(harvest_object, previous, package):
                    return True  # written with the batch's other new datasets
                created = toolkit.get_action("package_create")(self._context(deferred=True), package)
                package_id = created if isinstance(created, str) else created["id"]
        except toolkit.ValidationError as err:
            model.Session.rollback()
            self._record_invalid(harvest_object, err)
            return False
        self._make_current(harvest_object, previous, package_id)
        if self._batch is not None:
            self._batch.to_index.append(package_id)
        return True

    # ---------------------------------------------------------------- batched fetch and import
    def _previous_of(self, objects: list[HarvestObject]) -> dict[str, HarvestObject | None]:
        """The current object of each object's guid, in one query (guids twice in the batch left out)."""
        keys = [(obj.harvest_source_id, obj.guid) for obj in objects]
        once = {key for key, n in collections.Counter(keys).items() if n == 1}
        found: dict[tuple[str, str], HarvestObject] = {}
        for source_id in {source for source, _guid in once}:
            guids = [guid for source, guid in once if source == source_id]
            query = model.Session.query(HarvestObject).filter(
                HarvestObject.harvest_source_id == source_id, HarvestObject.guid.in_(guids),
                HarvestObject.current == sa.true())
            found.update(((obj.harvest_source_id, obj.guid), obj) for obj in query)
        ids = {obj.id for obj in objects}
        return {obj.id: (None if found.get(key) is None or found[key].id in ids else found[key])
                for obj, key in zip(objects, keys, strict=True) if key in once}

    @batch_gc.long_lived_frozen()
    def import_batch(self, harvest_objects: list[HarvestObject], index_later: bool = False) -> dict[str, str]:
        """Fetch and import many harvest objects: the batched counterpart of ckanext-harvest's
        per-object ``fetch_and_import_stages``, for a consumer that takes objects in batches.

        Every object goes through the same ``fetch_stage`` and ``import_stage`` as one at a time
        (checks, per-record errors, provenance, unchanged records skipped, the published version
        kept when a record is invalid, the same report statuses). What is batched:

        - the database: the batch runs in one transaction; the commits and rollbacks of the
          per-object code (and of CKAN's actions) become savepoints in it, so an invalid record
          is rolled back alone, and there is one real commit per batch; they do not expire the
          session's objects (nothing else writes in the batch's transaction);
        - the search index: new and updated datasets are written with ``defer_commit`` and
          indexed after the commit with one Solr request and one Solr commit (withdrawals
          index as one at a time);
        - new datasets (no current object for their guid) are validated one by one as
          ``package_create`` validates them and written together (``bulk.BulkCreator``): one
          flush, one dictisation per dataset for its activity and its index document;
        - changed datasets go through ``package_update``, without its index dicts; their
          ``changed package`` activities and index documents are made at the batch's end from one
          dictisation of them all (``bulk.show_and_index``);
        - one query for the current objects of the batch, one for their datasets (an unchanged
          record is then skipped without a query of its own) and one for the report statuses;
        - navl validates each dict with its schema work done once (``navl_once``, same results);
        - the garbage collector leaves the process's long-lived objects alone (``batch_gc``).

        The caller's session is committed first; its objects are expired afterwards. Returns
        harvest object id -> report status. One batch at a time per process.

        ``index_later``: the Solr request is sent in the background (``index_sender``) while the
        caller goes on, e.g. with the next batch; ``index_sender.wait()`` waits for it.
        """
        from ckanext.stinfo.harvesters.bulk import BulkCreator
        from sqlalchemy.orm import selectinload

        order = {obj.id: n for n, obj in enumerate(harvest_objects)}
        if not order:
            return {}
        caller = model.Session.registry()
        caller.commit()
        connection = model.meta.engine.connect()
        transaction = connection.begin()
        session = model.Session.session_factory(bind=connection, join_transaction_mode="create_savepoint",
                                               expire_on_commit=False)
        model.Session.registry.set(session)
        try:
            objects = sorted(session.query(HarvestObject).options(selectinload(HarvestObject.extras))
                             .filter(HarvestObject.id.in_(list(order))), key=lambda obj: order[obj.id])
            previous = self._previous_of(objects)
            published = {obj.package_id for obj in previous.values() if obj and obj.package_id}
            self._batch = _Batch(previous=previous, bulk=BulkCreator(self),
                                 packages=session.query(model.Package).filter(model.Package.id.in_(published)).all())
            with navl_once.single_pass(), _indexed_copies_together(published):
                for obj in objects:
                    self._fetch_and_import(obj)
                self._batch.bulk.write()
            for obj, values in self._batch.outcomes.values():
                for name, value in values.items():
                    setattr(obj, name, value)
            session.flush()
            documents = self._batch.bulk.documents + self._shown_and_indexed()
            self._report_statuses(objects)
            session.commit()
            transaction.commit()
            statuses = {obj.id: obj.report_status for obj in objects}
        finally:
            self._batch = None
            session.close()
            if transaction.is_active:
                transaction.rollback()
            connection.close()
            model.Session.registry.set(caller)
        caller.expire_all()
        if documents:
            if index_later:
                index_sender.send(documents)
            else:
                index_sender.wait()
                index_sender.send_documents(documents)
        return statuses

    def _shown_and_indexed(self) -> list[dict[str, Any]]:
        """The index documents of the datasets CKAN's actions wrote in the batch, and the
        activities left to it, from one dictisation."""
        from ckanext.stinfo.harvesters.bulk import activities_enabled, show_and_index

        batch = self._batch
        ids = list(dict.fromkeys(batch.to_index + list(batch.activities)))  # an activity's dataset is shown too
        if not ids:
            return []
        found = {pkg.id: pkg for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(ids))}
        packages = [found[pid] for pid in ids if pid in found]
        activities = batch.activities if activities_enabled() else {}
        return show_and_index(packages, batch.bulk.user, batch.bulk.user_name, activities)

    def _fetch_and_import(self, obj: HarvestObject) -> None:
        now = datetime.datetime.utcnow
        outcome = self._set_outcome
        outcome(obj, fetch_started=now(), state="FETCH")
        try:
            fetched = self.fetch_stage(obj)
            outcome(obj, fetch_finished=now())
            if fetched is True:
                outcome(obj, import_started=now(), state="IMPORT")
                imported = self.import_stage(obj)
                outcome(obj, import_finished=now(), state="COMPLETE" if imported else "ERROR")
                if imported == "unchanged":
                    outcome(obj, report_status="not modified")
            elif fetched == "unchanged":
                outcome(obj, state="COMPLETE", report_status="not modified")
            else:
                outcome(obj, state="ERROR")
        except Exception as err:  # noqa: BLE001 - one record never stops the rest of the batch
            log.exception("Importing harvest object %s failed", obj.id)
            model.Session.rollback()
            outcome(obj, state="ERROR")
            self._save_object_error(f"Record {obj.guid} could not be imported: {err}", obj, "Import")

    @staticmethod
    def _report_statuses(objects: list[HarvestObject]) -> None:
        """The report status ckanext-harvest gives each object, with one query for 'updated'."""
        package_ids = {obj.package_id for obj in objects if obj.package_id and not obj.report_status}
        counts: dict[str, int] = {}
        if package_ids:
            rows = (model.Session.query(HarvestObject.package_id, sa.func.count())
                    .filter(HarvestObject.package_id.in_(package_ids)).group_by(HarvestObject.package_id))
            counts = dict(rows.all())
        for obj in objects:
            if obj.report_status:
                continue
            if obj.state == "ERROR":
                obj.report_status = "errored"
            elif obj.current is False:
                obj.report_status = "deleted"
            elif counts.get(obj.package_id, 0) >= 2:
                obj.report_status = "updated"
            else:
                obj.report_status = "added"
            obj.add()
