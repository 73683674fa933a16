"""Batched, parallel search-index rebuilds with CKAN's own documents.

- :func:`rebuild_index` builds every document from PostgreSQL (what CKAN's ``package_show``
  and ``index_update_package`` give, with one query per related table for a whole batch:
  :func:`package_documents`), many per Solr request, in several processes, one commit;
- :func:`reindex_stored` rebuilds them from the ``data_dict``/``validated_data_dict`` Solr
  stores (no database read, no validation), e.g. after a Solr schema change or into a new core.

In both, ckanext-harvest's per-document query for the dataset's current harvest object is
replaced by one query per batch (:func:`prefetched_harvest_extras`): same values, same places.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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


def _with_extras(serialised: str, extras: list[tuple[str, str]]) -> str:
    """ckanext-harvest's change to a stored dict: each extra set at the top level if the schema has
    it, else updated in (or appended to) ``extras``."""
    data = json.loads(serialised)
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
    return json.dumps(data)


def _before_index(found: dict[str, list[tuple[str, str]]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """ckanext-harvest's ``before_dataset_index`` with the harvest objects looked up beforehand."""
    def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if isinstance(pkg_dict.get("status"), dict):
            try:
                pkg_dict["status"] = json.dumps(pkg_dict["status"])
            except ValueError:
                pkg_dict.pop("status", None)
        extras = found.get(pkg_dict["id"])
        if not extras:
            return pkg_dict
        pkg_dict["data_dict"] = _with_extras(pkg_dict["data_dict"], extras)
        pkg_dict["validated_data_dict"] = _with_extras(pkg_dict["validated_data_dict"], extras)
        for key, value in extras:
            pkg_dict.setdefault(key, value)
        return pkg_dict

    return before_dataset_index


@contextlib.contextmanager
def prefetched_harvest_extras(package_ids: Iterable[str]) -> Iterator[None]:
    """While indexing these datasets, ckanext-harvest's hook uses one query for all of them instead
    of one (and a lazy load) per document."""
    plugin = _harvest_plugin()
    if plugin is None:
        yield
        return
    plugin.before_dataset_index = _before_index(harvest_extras(package_ids))  # this instance only
    try:
        yield
    finally:
        del plugin.before_dataset_index


def package_documents(package_ids: list[str], user_name: str) -> list[dict[str, Any]]:
    """CKAN's index documents of these datasets, as ``index_update_package`` builds them (the
    ``package_show`` of ``package_show_default_and_custom_schemas``, the plugins' hooks), with one
    query per related table for all of them instead of a ``package_show`` each."""
    from ckan import logic, model
    from ckan.lib import search
    from ckanext.stinfo.harvesters import bulk
    from ckanext.stinfo.harvesters.base import _collected_solr_documents

    packages = model.Session.query(model.Package).filter(model.Package.id.in_(package_ids)).all()
    dictized = bulk.dictize_packages(packages)
    user = model.User.get(user_name)
    shown_for_index = bulk.ShownForIndex()
    index = search.index_for("Package")
    docs: list[dict[str, Any]] = []
    with _collected_solr_documents(docs), prefetched_harvest_extras(package_ids):
        for pkg in packages:
            context = bulk.show_context(pkg, user=user_name, ignore_auth=True, use_cache=False, validate=False,
                                        auth_user_obj=user)
            with_default, with_custom = shown_for_index(pkg, dictized[pkg.id], context)
            logic.apply_after_dataset_show_plugins(context, with_custom)
            index.update_dict(dict(with_default, with_custom_schema=with_custom), True)
    return docs


def _index_batch(package_ids: list[str]) -> int:
    from ckan.plugins import toolkit
    from ckanext.stinfo.harvesters.index_sender import send_documents

    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return send_documents(package_documents(package_ids, user), commit=False)


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
    if workers > 1 and len(batches) > 1:
        model.Session.remove()
        with multiprocessing.get_context("fork").Pool(workers, initializer=fresh_connections) as pool:
            for count in pool.imap_unordered(_index_batch, batches):
                done += count
                if progress:
                    progress(done, len(ids))
    else:
        for part in batches:
            done += _index_batch(part)
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
    from ckan.lib.search import index_for
    from ckanext.stinfo.harvesters.base import _collected_solr_documents

    stored = list(stored)
    index = index_for("Package")
    docs: list[dict[str, Any]] = []
    with _collected_solr_documents(docs), prefetched_harvest_extras(doc["id"] for doc in stored):
        for doc in stored:
            pkg = _without_harvest_extras(json.loads(doc["data_dict"]))
            pkg["with_custom_schema"] = _without_harvest_extras(json.loads(doc["validated_data_dict"]))
            index.index_package(pkg, defer_commit=True)
    return docs


def _reindex_stored_part(prefixes: str, batch: int = 1000) -> tuple[int, int]:
    """Re-index the stored documents of this site whose index id starts with one of ``prefixes``.
    Each batch is sent by a second thread while the next one is read and built, so that the
    building here and the indexing in Solr overlap."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from ckan import model
    from ckan.common import config
    from ckan.lib.search.common import make_connection

    reader, writer = make_connection(), make_connection()
    site = 'site_id:"{}"'.format(config.get("ckan.site_id"))
    part = " OR ".join(f"index_id:{p}*" for p in prefixes)
    cursor, done, skipped = "*", 0, 0
    sending: Future | None = None
    with ThreadPoolExecutor(max_workers=1) as sender:
        while True:
            found = reader.search(q="*:*", fq=[site, "entity_type:package", f"({part})"], sort="index_id asc",
                                  rows=batch, cursorMark=cursor, fl="id,data_dict,validated_data_dict")
            if not found.docs:
                break
            ids = {d["id"] for d in found.docs}
            # Loaded once for the batch (and held): indexing a document then finds them in the session.
            packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids),
                                                                 model.Package.state != "deleted").all()
            alive = {pkg.id for pkg in packages}
            docs = stored_documents(d for d in found.docs if d["id"] in alive)
            skipped += len(ids) - len(alive)
            if sending is not None:
                sending.result()
            if docs:
                sending = sender.submit(writer.add, docs, commit=False)
            done += len(docs)
            del packages
            model.Session.remove()
            if found.nextCursorMark == cursor:
                break
            cursor = found.nextCursorMark
        if sending is not None:
            sending.result()
    return done, skipped


def reindex_stored(workers: int = 2, batch: int = 1000,
                   progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Re-index every document of this site from what Solr stores of it (``data_dict``,
    ``validated_data_dict``), e.g. after a change of the Solr schema or to fill a new core:
    ``workers`` processes over 16 parts of the index ids (``progress(indexed, left out)`` after
    each), one commit at the end. Documents whose dataset is no longer in the database are left
    out. Returns (indexed, left out)."""
    import functools

    from ckan import model
    from ckan.lib.search import commit

    part = functools.partial(_reindex_stored_part, batch=batch)
    done = skipped = 0
    model.Session.remove()
    with contextlib.ExitStack() as stack:
        if workers > 1:
            pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers, initializer=fresh_connections))
            results = pool.imap_unordered(part, "0123456789abcdef")
        else:
            results = map(part, "0123456789abcdef")
        for indexed, left_out in results:
            done, skipped = done + indexed, skipped + left_out
            if progress:
                progress(done, skipped)
    commit()
    return done, skipped
