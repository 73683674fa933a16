"""Search-index rebuild rate: CKAN's ``search-index rebuild`` against the batched, parallel
``ckan stinfo search-index-rebuild`` on the same datasets of the benchmark site's database.

- stock: ``ckan.lib.search.rebuild`` (what ``ckan search-index rebuild`` runs: one document per
  Solr request, commit deferred to the end), one process;
- batched: ``ckanext.stinfo.search_index.rebuild_index``: the same CKAN documents (read from the
  database with one query per table for a batch, validated), ``--batch`` per Solr request, built
  by ``--workers`` processes, one commit; checked to give CKAN's documents;
- from the index: ``ckanext.stinfo.search_index.reindex_stored`` (``--from-index``): every document of
  the site rebuilt from the dicts Solr stores where they are current (datasets changed since, or
  missing from the index, from the database), for a Solr schema change or a new core (what
  ``deploy/lib.sh`` rebuilds for); checked to give the same documents as from the database.

    python bench/reindex.py --limit 2000 --workers 2

Both index the same ``--limit`` datasets (the first by id; 0 = all); records/s are for the whole
call (documents built and sent, commit included). Each path also reports the CPU it used per
record, in the benchmark's processes and in the local Solr, and the rate that cost allows on this
machine's cores: a figure that holds when other work shares the machine.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

try:
    from bench import common
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common


def package_ids(limit: int) -> list[str]:
    from ckan import model

    query = (model.Session.query(model.Package.id).filter(model.Package.state != "deleted")
             .order_by(model.Package.id))
    if limit:
        query = query.limit(limit)
    return [pid for (pid,) in query]


def _stock_documents(ids: list[str]) -> list[dict[str, Any]]:
    from ckan import logic
    from ckanext.stinfo.harvesters.base import _collected_solr_documents

    fresh: list[dict[str, Any]] = []
    with _collected_solr_documents(fresh):
        for pid in ids:
            logic.index_update_package(common.context(), pid, defer_commit=True)
    return fresh


def _compared(fresh: list[dict[str, Any]], rebuilt: list[dict[str, Any]]) -> tuple[int, dict[str, list[str]]]:
    by_id = {d["id"]: d for d in rebuilt}
    differences = {}
    for doc in fresh:
        other = by_id.get(doc["id"], {})
        keys = sorted(k for k in set(doc) | set(other) if doc.get(k) != other.get(k))
        if keys:
            differences[doc["id"]] = keys
    return len(fresh) - len(differences), differences


def same_documents(ids: list[str]) -> tuple[int, dict[str, list[str]]]:
    """Documents built from the database and from the stored dicts, for ``ids``: (same, differences)."""
    from ckan.common import config
    from ckanext.stinfo.search_index import stored_documents

    stored = common.solr_connection().search(
        q="*:*", fq=[f'site_id:"{config.get("ckan.site_id")}"', "id:(" + " OR ".join(f'"{i}"' for i in ids) + ")"],
        fl="id,data_dict,validated_data_dict", rows=len(ids))
    return _compared(_stock_documents(ids), stored_documents(stored.docs))


def same_batched_documents(ids: list[str]) -> tuple[int, dict[str, list[str]]]:
    """Documents of CKAN one at a time and of the batched rebuild, for ``ids``: (same, differences)."""
    from ckanext.stinfo.search_index import package_documents

    return _compared(_stock_documents(ids), package_documents(ids, common.site_user()))


def run(limit: int = 2000, workers: int = 2, batch: int = 500, progress=print) -> dict[str, Any]:
    from ckan.lib import search
    from ckanext.stinfo.search_index import rebuild_index, reindex_stored

    ids = package_ids(limit)
    result: dict[str, Any] = {"records": len(ids), "workers": workers, "batch": batch}
    timer, cpu = common.Timer(), common.CpuMeter()
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    search.commit()
    result["stock_seconds"] = timer.elapsed()
    result["stock_rate"] = len(ids) / result["stock_seconds"]
    result["stock_cpu"] = cpu.per_record(len(ids))
    progress(f"stock rebuild (ckan.lib.search.rebuild, 1 process): {len(ids)} records in "
             f"{result['stock_seconds']:.1f} s = {result['stock_rate']:.1f} records/s; "
             f"{common.describe_cpu(result['stock_cpu'])}")
    timer, cpu = common.Timer(), common.CpuMeter()
    sent = rebuild_index(workers, batch, package_ids=ids)
    result["fast_seconds"] = timer.elapsed()
    result["fast_rate"] = len(ids) / result["fast_seconds"]
    result["fast_documents"] = sent
    result["fast_cpu"] = cpu.per_record(len(ids))
    result["ratio"] = result["fast_rate"] / result["stock_rate"]
    progress(f"batched rebuild ({workers} processes, {batch} documents per request): {sent} records in "
             f"{result['fast_seconds']:.1f} s = {result['fast_rate']:.1f} records/s ({result['ratio']:.1f}x); "
             f"{common.describe_cpu(result['fast_cpu'])}")

    same, differences = same_batched_documents(ids[:50])
    result["batched_same_documents"], result["batched_differences"] = same, differences
    progress(f"documents of the batched rebuild = CKAN's one at a time: {same}/{same + len(differences)}"
             f"{'' if not differences else ' ' + json.dumps(differences)[:500]}")
    same, differences = same_documents(ids[:50])
    result["stored_same_documents"] = same
    result["stored_differences"] = differences
    progress(f"documents rebuilt from the stored dicts = from the database: {same}/{same + len(differences)}"
             f"{'' if not differences else ' ' + json.dumps(differences)[:500]}")
    timer, cpu = common.Timer(), common.CpuMeter()
    done = reindex_stored(workers, batch * 2)
    indexed, removed = done.stored + done.from_database, done.removed
    result["stored_from_database"] = done.from_database
    result["stored_seconds"] = timer.elapsed()
    result["stored_cpu"] = cpu.per_record(max(indexed, 1))
    result["stored_records"] = indexed
    result["stored_removed"] = removed
    result["stored_rate"] = indexed / result["stored_seconds"]
    result["stored_ratio"] = result["stored_rate"] / result["stock_rate"]
    progress(f"re-index from the stored documents ({workers} processes, {batch * 2} per request): {indexed} "
             f"records in {result['stored_seconds']:.1f} s = {result['stored_rate']:.0f} records/s "
             f"({result['stored_ratio']:.0f}x; {done.from_database} of them changed since or not in the index, from "
             f"the database; {removed} documents without a dataset removed); "
             f"{common.describe_cpu(result['stored_cpu'])}")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_config_option(parser)
    parser.add_argument("--limit", type=int, default=2000, help="datasets to index (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    common.load_ckan(args.config)
    common.print_machine()
    result = run(args.limit, args.workers, args.batch)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    common.reproduce(sys.argv)


if __name__ == "__main__":
    main()
