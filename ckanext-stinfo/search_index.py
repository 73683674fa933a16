"""Batched, parallel search-index rebuilds with CKAN's own documents.

- :func:`rebuild_index` builds every document from PostgreSQL (what CKAN's ``package_show``
  and ``index_update_package`` give, with one query per related table for a whole batch:
  :func:`package_documents`), many per Solr request, in several processes, one commit;
- :func:`reindex_stored` rebuilds them from the ``data_dict``/``validated_data_dict`` Solr
  stores where those are current (no validation), from PostgreSQL where not, and removes the
  documents of deleted datasets, e.g. after a Solr schema change or into a new core.

In both, ckanext-harvest's per-document query for the dataset's current harvest object is
replaced by one query per batch, ckanext-dcat's per-document schema look-up by one per type, the
show schemas' per-document translations of the messages they drop by one per message, and navl
validates with its schema work done once (:func:`batch_lookups`): same values, same places.
"""
from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import sqlalchemy as sa
from ckanext.stinfo import batch_gc, navl_once

# Added to the stored documents by ckanext-harvest when indexing; it adds them again.
HARVEST_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")


def _harvest_plugin():
    from ckan.plugins import PluginImplementations
    from ckan.plugins.interfaces import IPackageController

    try:
        from ckanext.harvest.plugin import Harvest
    except ImportError:
        return None
    return next((p for p in PluginImplementations(IPackageController) if isinstance(p, Harvest)), None)


def harvest_extras(package_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """The harvest extras ckanext-harvest indexes for each dataset (its current harvest object, the
    latest import first, as its ``before_dataset_index`` picks it), in one query."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject, HarvestSource

    ids = list(package_ids)
    if not ids:
        return {}
    rows = (model.Session.query(HarvestObject.package_id, HarvestObject.id, HarvestSource.id, HarvestSource.title)
            .join(HarvestSource, HarvestObject.harvest_source_id == HarvestSource.id)
            .filter(HarvestObject.package_id.in_(ids), HarvestObject.current == True)  # noqa: E712
            .order_by(HarvestObject.package_id, HarvestObject.import_finished.desc()))
    found: dict[str, list[tuple[str, str]]] = {}
    for package_id, object_id, source_id, source_title in rows:
        found.setdefault(package_id, list(zip(HARVEST_EXTRAS, (object_id, source_id, source_title), strict=True)))
    return found


def _add_extras(data: dict[str, Any], extras: list[tuple[str, str]]) -> list[str]:
    """ckanext-harvest's change to a stored dict: each extra set at the top level if the dict has
    it, else updated in (or appended to) ``extras``. Returns the keys appended."""
    appended = []
    for key, value in extras:
        if key in data:
            data[key] = value
            continue
        data["extras"] = data.get("extras") or []
        for extra in data["extras"]:
            if extra.get("key") == key:
                extra["value"] = value
                break
        else:
            data["extras"].append({"key": key, "value": value})
            appended.append(key)
    return appended


def _with_extras(serialised: str, extras: list[tuple[str, str]]) -> str:
    data = json.loads(serialised)
    _add_extras(data, extras)
    return json.dumps(data)


class HarvestExtras:
    """The harvest extras of a batch of datasets, found with one query, and ckanext-harvest's
    ``before_dataset_index`` that uses them.

    A builder that holds a dataset's dicts before CKAN serialises them calls :meth:`add` (the
    extras go into the dicts, not into their JSON afterwards); the hook then only drops the
    ``extras_*`` copies the index made of them, which ckanext-harvest's own hook, running after,
    never has."""

    def __init__(self, package_ids: Iterable[str]) -> None:
        self.found = harvest_extras(package_ids)
        self._added: dict[str, list[str]] = {}

    def add(self, package_id: str, with_default: dict[str, Any], with_custom: dict[str, Any]) -> None:
        """Put the dataset's harvest extras into its two show dicts, as the hook would in their JSON."""
        extras = self.found.get(package_id)
        if not extras:
            return
        appended = _add_extras(with_default, extras)
        if with_custom is not with_default:
            _add_extras(with_custom, extras)
        self._added[package_id] = appended

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if isinstance(pkg_dict.get("status"), dict):
            try:
                pkg_dict["status"] = json.dumps(pkg_dict["status"])
            except ValueError:
                pkg_dict.pop("status", None)
        extras = self.found.get(pkg_dict["id"])
        if not extras:
            return pkg_dict
        appended = self._added.pop(pkg_dict["id"], None)
        if appended is None:
            pkg_dict["data_dict"] = _with_extras(pkg_dict["data_dict"], extras)
            pkg_dict["validated_data_dict"] = _with_extras(pkg_dict["validated_data_dict"], extras)
        for key in appended or ():
            pkg_dict.pop("extras_" + key, None)
        for key, value in extras:
            pkg_dict.setdefault(key, value)
        return pkg_dict


class _NoHarvest:
    def add(self, package_id: str, with_default: dict[str, Any], with_custom: dict[str, Any]) -> None:
        """ckanext-harvest is not loaded: no extras."""


@contextlib.contextmanager
def prefetched_harvest_extras(package_ids: Iterable[str]) -> Iterator[HarvestExtras | _NoHarvest]:
    """While indexing these datasets, ckanext-harvest's hook uses one query for all of them instead
    of one (and a lazy load) per document. Yields the :class:`HarvestExtras`."""
    plugin = _harvest_plugin()
    if plugin is None:
        yield _NoHarvest()
        return
    extras = HarvestExtras(package_ids)
    plugin.before_dataset_index = extras.before_dataset_index  # this instance only
    try:
        yield extras
    finally:
        del plugin.before_dataset_index


@contextlib.contextmanager
def _dcat_schemas_once() -> Iterator[None]:
    """ckanext-dcat's ``after_dataset_show`` and ``before_dataset_index`` look up the dataset
    type's scheming schema (an action call) for each dataset: meanwhile, once per type (the
    schema is scheming's own loaded object either way)."""
    try:
        from ckanext.dcat import plugins as dcat
    except ImportError:
        yield
        return
    lookup = dcat._get_dataset_schema
    dcat._get_dataset_schema = functools.cache(lookup)
    try:
        yield
    finally:
        dcat._get_dataset_schema = lookup


@contextlib.contextmanager
def _navl_messages_once() -> Iterator[None]:
    """CKAN's show schemas find errors in every dataset they validate (about 30 "Missing value":
    the extras items ``convert_from_extras`` emptied), which ``package_show`` drops; each error's
    message is translated on the spot. Meanwhile, each message is translated once."""
    from ckan.lib.navl import validators

    translate = validators._
    validators._ = functools.lru_cache(maxsize=64)(translate)
    try:
        yield
    finally:
        validators._ = translate


@contextlib.contextmanager
def batch_lookups(package_ids: Iterable[str]) -> Iterator[HarvestExtras | _NoHarvest]:
    """While showing and indexing a batch of datasets, what the plugins' hooks look up for each
    is looked up once: the harvest extras (:func:`prefetched_harvest_extras`, yielded), the
    schemas ckanext-dcat asks for and the validators' messages; navl validates in a single pass
    (:mod:`ckanext.stinfo.navl_once`)."""
    with (_dcat_schemas_once(), _navl_messages_once(), navl_once.single_pass(),
          prefetched_harvest_extras(package_ids) as harvest):
        yield harvest


def package_documents(package_ids: list[str], user_name: str) -> list[dict[str, Any]]:
    """CKAN's index documents of these datasets, as ``index_update_package`` builds them (the
    ``package_show`` of ``package_show_default_and_custom_schemas``, the plugins' hooks), with one
    query per related table for all of them instead of a ``package_show`` each."""
    from ckan import model
    from ckanext.stinfo.harvesters import bulk

    packages = model.Session.query(model.Package).filter(model.Package.id.in_(package_ids)).all()
    return bulk.show_and_index(packages, model.User.get(user_name), user_name, {})


def _site_user() -> str:
    from ckan.plugins import toolkit

    return toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _index_batch(package_ids: list[str]) -> int:
    from ckanext.stinfo.harvesters.index_sender import send_documents

    return send_documents(package_documents(package_ids, _site_user()), commit=False)


def fresh_connections() -> None:
    """In a forked worker: its own database connections, not the parent's."""
    from ckan import model

    model.Session.remove()
    model.meta.engine.dispose(close=False)


def rebuild_index(workers: int = 2, batch: int = 500, progress: Callable[[int, int], None] | None = None,
                  package_ids: Iterable[str] | None = None) -> int:
    """Index every dataset of the database (or those of ``package_ids``): CKAN's own documents,
    sent to Solr ``batch`` at a time (no commit per document) by ``workers`` processes, one
    commit at the end. Returns the count."""
    from ckan import model
    from ckan.lib.search import commit

    ids = list(package_ids) if package_ids is not None else [
        pid for (pid,) in model.Session.query(model.Package.id).filter(model.Package.state != "deleted")
        .order_by(model.Package.id)]
    batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    done = 0
    with contextlib.ExitStack() as stack:
        stack.enter_context(batch_gc.long_lived_frozen())
        if workers > 1 and len(batches) > 1:
            model.Session.remove()
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers, initializer=fresh_connections))
            counts = pool.imap_unordered(_index_batch, batches)
        else:
            counts = map(_index_batch, batches)
        for count in counts:
            done += count
            if progress:
                progress(done, len(ids))
    commit()
    return done


def _without_harvest_extras(data: dict[str, Any]) -> dict[str, Any]:
    data["extras"] = [e for e in data.get("extras") or [] if e.get("key") not in HARVEST_EXTRAS]
    return data


def stored_documents(stored: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """CKAN's index documents rebuilt from the ``data_dict`` and ``validated_data_dict`` stored
    in Solr documents (no database read, no validation): what indexing those dicts gives."""
    return _stored_or_stale(stored)[0]


def _changed_since(pkg: dict[str, Any], modified: dict[str, str], package_id: str) -> bool:
    """Whether the dataset changed in the database since ``pkg``, its stored dict, was indexed."""
    return pkg.get("metadata_modified") != modified.get(package_id)


def _stored_or_stale(stored: Iterable[dict[str, Any]], modified: dict[str, str] | None = None
                     ) -> tuple[list[dict[str, Any]], list[str]]:
    """(:func:`stored_documents`, the ids of the stored documents not rebuilt): with ``modified``
    (dataset id: its ``metadata_modified`` in the database), a document whose dataset changed
    since it was indexed is not rebuilt."""
    from ckan import model
    from ckan.lib.search import index_for
    from ckanext.stinfo.harvesters.base import _collected_solr_documents
    from sqlalchemy import orm

    decoded, stale = [], []
    for doc in stored:
        pkg = json.loads(doc["data_dict"])
        if modified is not None and _changed_since(pkg, modified, doc["id"]):
            stale.append(doc["id"])
            continue
        decoded.append((doc["id"], pkg, json.loads(doc["validated_data_dict"])))
    ids = [pid for pid, _pkg, _custom in decoded]
    # Held while indexing: CKAN's index_package then finds each in the session, with what its
    # permission labels are made of.
    held = (model.Session.query(model.Package)
            .options(orm.load_only(model.Package.id, model.Package.state, model.Package.private,
                                   model.Package.owner_org, model.Package.creator_user_id))
            .filter(model.Package.id.in_(ids)).all())
    index = index_for("Package")
    docs: list[dict[str, Any]] = []
    with _collected_solr_documents(docs), batch_lookups(ids) as harvest:
        for pid, pkg, custom in decoded:
            _without_harvest_extras(pkg)
            _without_harvest_extras(custom)
            harvest.add(pid, pkg, custom)
            index.index_package(dict(pkg, with_custom_schema=custom), defer_commit=True)
    del held
    return docs, stale


def _database_datasets(prefix: str) -> dict[str, str]:
    """The datasets of the database whose index id starts with ``prefix``: their
    ``metadata_modified`` as CKAN dictises it, by id."""
    from ckan import model
    from ckan.common import config

    index_id = sa.func.md5(model.Package.id.concat(config.get("ckan.site_id")))
    rows = (model.Session.query(model.Package.id, model.Package.metadata_modified)
            .filter(model.Package.state != "deleted", sa.func.left(index_id, len(prefix)) == prefix))
    return {pid: modified.isoformat() for pid, modified in rows}


class Reindexed(NamedTuple):
    stored: int
    from_database: int
    removed: int


def _reindex_stored_part(prefix: str, batch: int = 1000, into: str | None = None,
                         changed_only: bool = False) -> Reindexed:
    """Re-index the datasets of this site whose index id starts with ``prefix``: from their stored
    documents where they are current (unless ``changed_only``: those are left as they are), else
    (changed since, or not in the index) from the database; stored documents of datasets no
    longer in the database (or deleted) are removed, as CKAN removes a deleted dataset's. The
    documents go to the core at ``into`` if given. Each batch is sent by a second thread while the
    next one is read and built, so that the building here and the indexing in Solr overlap."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from ckan import model
    from ckan.common import config
    from ckan.lib.search.common import make_connection

    user = _site_user()
    modified = _database_datasets(prefix)
    model.Session.remove()
    reader, writer = make_connection(), _connection(into)
    site = 'site_id:"{}"'.format(config.get("ckan.site_id"))
    cursor, seen, stored, from_database, gone = "*", set(), 0, 0, []
    sending: Future | None = None

    def send(docs: list[dict[str, Any]]) -> None:
        nonlocal sending
        if sending is not None:
            sending.result()
        sending = sender.submit(writer.add, docs, commit=False) if docs else None

    with ThreadPoolExecutor(max_workers=1) as sender:
        while cursor:
            found = reader.search(q="*:*", fq=[site, "entity_type:package", f"index_id:{prefix}*"],
                                  sort="index_id asc", rows=batch, cursorMark=cursor,
                                  fl="id,index_id,data_dict,validated_data_dict")
            seen.update(doc["id"] for doc in found.docs)
            listed = [doc for doc in found.docs if doc["id"] in modified]
            gone += [doc["index_id"] for doc in found.docs if doc["id"] not in modified]
            if changed_only:
                docs = []
                stale = [doc["id"] for doc in listed
                         if _changed_since(json.loads(doc["data_dict"]), modified, doc["id"])]
            else:
                docs, stale = _stored_or_stale(listed, modified)
            model.Session.remove()
            stored += len(docs)
            if stale:
                docs += package_documents(stale, user)
                from_database += len(stale)
                model.Session.remove()
            send(docs)
            cursor = found.nextCursorMark if found.docs and found.nextCursorMark != cursor else None
        missing = [pid for pid in modified if pid not in seen]
        for start in range(0, len(missing), batch):
            send(package_documents(missing[start:start + batch], user))
            model.Session.remove()
        from_database += len(missing)
        if sending is not None:
            sending.result()
        if gone and not into:
            writer.delete(id=gone, commit=False)
    return Reindexed(stored, from_database, 0 if into else len(gone))


def answering(url: str) -> None:
    """Raise ``SearchIndexError`` with what to do unless the Solr core at ``url`` answers."""
    import pysolr
    from ckan.lib.search import SearchIndexError

    try:
        _connection(url).ping()
    except pysolr.SolrError as err:
        reason = str(err).splitlines()[0][:200]
        raise SearchIndexError(f"The Solr core at {url} does not answer ({reason}); create it first, with the "
                               "new schema") from err


def _connection(url: str | None = None):
    """CKAN's Solr connection (its credentials and settings), to ``url`` if given instead of the
    configured core."""
    from ckan.common import config
    from ckan.lib.search.common import make_connection

    if not url:
        return make_connection()
    configured = config["solr_url"]
    config["solr_url"] = url
    try:
        return make_connection()
    finally:
        config["solr_url"] = configured


def reindex_stored(workers: int = 2, batch: int = 1000,
                   progress: Callable[[Reindexed], None] | None = None,
                   into: str | None = None, changed_only: bool = False) -> Reindexed:
    """Re-index every dataset of this site, from what Solr stores of it (``data_dict``,
    ``validated_data_dict``) where that is current, e.g. after a change of the Solr schema;
    datasets changed since they were indexed, or missing from the index, from the database.
    ``workers`` processes over 16 parts of the index ids (``progress`` with the counts so far
    after each), one commit at the end. Stored documents whose dataset is no longer in the
    database, or deleted, are removed. Returns the counts.

    ``into``: the URL of another core (a new one with a new schema, swapped in afterwards) to
    which the documents go; the configured core, still answering searches, is only read.
    ``changed_only``: only the datasets changed since they were indexed or missing, and the
    removals (e.g. to catch up, once the new core is swapped in, with what changed meanwhile)."""
    from ckan import model

    if into and changed_only:
        raise ValueError("A new core holds nothing yet: re-index all of it, not only what changed.")
    if into:
        answering(into)
    part = functools.partial(_reindex_stored_part, batch=batch, into=into, changed_only=changed_only)
    done = Reindexed(0, 0, 0)
    model.Session.remove()
    with contextlib.ExitStack() as stack:
        stack.enter_context(batch_gc.long_lived_frozen())
        if workers > 1:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers, initializer=fresh_connections))
            results = pool.imap_unordered(part, "0123456789abcdef")
        else:
            results = map(part, "0123456789abcdef")
        for counts in results:
            done = Reindexed(*(a + b for a, b in zip(done, counts, strict=True)))
            if progress:
                progress(done)
    _connection(into).commit()
    return done
