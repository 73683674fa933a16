"""Harvest import throughput: the batched import of the harvester base against ckanext-harvest's
stock per-record path, on the same generated records.

- stock: what the fetch consumer does for each harvest object (``fetch_and_import_stages``: the
  base's ``fetch_stage`` and ``import_stage``, ``package_create`` with its own database commit and
  its own Solr commit, the object's bookkeeping committed several times);
- fast: ``StinfoHarvester.import_batch`` on batches of objects as ``ckan stinfo fetch-consumer``
  calls it (one database transaction and one Solr request and commit per batch, the request under
  way while the next batch is imported).

Both run in this one process (records/s per worker). The stock path runs on the first
``--stock-records`` records, whose datasets are snapshotted and purged; the fast path then imports
all ``--records`` records, and the datasets of a sample are compared with the snapshot
(``package_show`` output less ids and timestamps): they must be the same.

    python bench/harvest_import.py --records 10000 --stock-records 300
    python bench/harvest_import.py --records 3000 --stock-records 300 --start 10000   # the next 3000
    python bench/harvest_import.py --records 20000 --stock-records 0                  # only load

The datasets of the fast path stay (they are the catalogue the other benchmarks use); a run first
purges datasets left by an earlier run with the same names.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from pathlib import Path
from typing import Any

try:
    from bench import common, generate
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common, generate

SOURCE_URL = "https://stinfo-bench.invalid/records"
# Added by ckanext-harvest to the search document when the dataset has a current harvest object
# at indexing time: per-record, the base indexes in package_create, before the object is made
# current, so they are missing there; the batch indexes after (as ckanext-harvest's own harvesters).
HARVEST_EXTRAS = {"harvest_object_id", "harvest_source_id", "harvest_source_title"}
IGNORED = {"id", "metadata_created", "metadata_modified", "harvested_at", "revision_id", "package_id", "created",
           "last_modified", "cache_last_updated", "organization"}


def bench_harvester():
    """A harvester of generated records (already mapped): the base class with an identity mapping."""
    from ckanext.stinfo.harvesters.base import StinfoHarvester

    class BenchHarvester(StinfoHarvester):
        source_system = "Nguồn thử nghiệm hiệu năng STInfo"

        def info(self) -> dict[str, str]:
            return {"name": "stinfo_bench", "title": "Benchmark", "description": "Generated records"}

        def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
            return dict(record)

        def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
            return f"{url}/{guid}"

    return BenchHarvester()


def make_source(title: str, owner_org: str):
    """A harvest source and a job for it (the source row only, as a consumer sees it)."""
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource(url=SOURCE_URL, title=title, type="stinfo_bench",
                           config=json.dumps({"owner_org": owner_org}))
    source.save()
    return source, make_job(source)


def make_job(source):
    """A new running job of ``source``."""
    from ckanext.harvest.model import HarvestJob

    job = HarvestJob(source=source, status="Running", gather_started=datetime.datetime.utcnow())
    job.save()
    return job


def gather(job, records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Harvest objects for (guid, content) pairs, written in bulk as a gather stage would; returns ids."""
    import sqlalchemy as sa
    from ckan import model
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    now = datetime.datetime.utcnow()
    ids = [str(uuid.uuid4()) for _ in records]
    objects = [{"id": oid, "guid": guid, "current": False, "gathered": now, "state": "WAITING", "retry_times": 0,
                "content": json.dumps(content, ensure_ascii=False), "harvest_job_id": job.id,
                "harvest_source_id": job.source_id} for oid, (guid, content) in zip(ids, records, strict=True)]
    extras = [{"id": str(uuid.uuid4()), "harvest_object_id": oid, "key": "status", "value": "new"} for oid in ids]
    model.Session.execute(sa.insert(HarvestObject.__table__), objects)
    model.Session.execute(sa.insert(HarvestObjectExtra.__table__), extras)
    model.Session.commit()
    return ids


def run_stock(harvester, ids: list[str], chunk: int = 50) -> list[float]:
    """The fetch consumer's per-object path; returns the records/s of each chunk of ``chunk`` objects."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject
    from ckanext.harvest.queue import fetch_and_import_stages

    rates = []
    for start in range(0, len(ids), chunk):
        timer = common.Timer()
        for oid in ids[start:start + chunk]:
            obj = HarvestObject.get(oid)
            obj.retry_times += 1
            obj.save()
            fetch_and_import_stages(harvester, obj)
        rates.append(len(ids[start:start + chunk]) / timer.elapsed())
        model.Session.remove()
    return rates


def run_fast(harvester, ids: list[str], batch_size: int, progress=None) -> tuple[list[float], dict[str, int]]:
    """``import_batch`` on batches of objects as the batch fetch consumer calls it (each batch's
    Solr request under way while the next batch is imported; the last batch's time includes the
    wait for its own); returns the records/s of each batch and the count of each report status."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject
    from ckanext.stinfo.harvesters import index_sender

    rates: list[float] = []
    statuses: dict[str, int] = {}
    done = 0
    overall = common.Timer()
    for start in range(0, len(ids), batch_size):
        part = ids[start:start + batch_size]
        timer = common.Timer()
        objects = model.Session.query(HarvestObject).filter(HarvestObject.id.in_(part)).all()
        results = harvester.import_batch(objects, index_later=True)
        if start + batch_size >= len(ids):
            index_sender.wait()
        rates.append(len(part) / timer.elapsed())
        for status in results.values():
            statuses[status] = statuses.get(status, 0) + 1
        model.Session.remove()
        done += len(part)
        if progress and (len(rates) % 20 == 0 or done == len(ids)):
            progress(f"  fast: {done}/{len(ids)} records, {done / overall.elapsed():.0f} records/s so far")
    return rates, statuses


def normalised(pkg: dict[str, Any]) -> dict[str, Any]:
    """A dataset as package_show gives it, less ids and timestamps."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in IGNORED}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    out = clean(pkg)
    out["extras"] = [e for e in out.get("extras", []) if e.get("key") not in HARVEST_EXTRAS]
    out["owner_org_name"] = (pkg.get("organization") or {}).get("name")
    out.pop("owner_org", None)
    return out


def show(name: str) -> dict[str, Any]:
    from ckan.plugins import toolkit

    return toolkit.get_action("package_show")(common.context(), {"id": name})


def purge(names: list[str]) -> int:
    """Purge the datasets of these names (left by an earlier run or by the stock path)."""
    from ckan import model
    from ckan.plugins import toolkit

    purged = 0
    existing = [n for (n,) in model.Session.query(model.Package.name).filter(model.Package.name.in_(names))]
    for name in existing:
        toolkit.get_action("dataset_purge")(common.context(), {"id": name})
        purged += 1
    return purged


def purge_all_existing(names: list[str], chunk: int = 5000) -> int:
    return sum(purge(names[i:i + chunk]) for i in range(0, len(names), chunk))


def run(records: int, stock_records: int = 500, batch_size: int = 500, seed: int = 1, sample: int = 50,
        source_file: str | None = None, progress=print, start: int = 0, rerun: int = 0) -> dict[str, Any]:
    """The whole measurement (CKAN loaded); returns the figures."""
    from ckan.plugins import toolkit

    orgs = common.ensure_organizations(generate.organizations())
    stream = generate.read(source_file, records) if source_file else generate.records(records, seed, start)
    pairs = [generate.as_source_record(pkg, start + i) for i, pkg in enumerate(stream)]
    names = [pkg["name"] for _guid, pkg in pairs]
    purged = purge_all_existing(names)
    progress(f"records: {len(pairs)} (seed {seed}, from {start}); purged from an earlier run: {purged}")
    harvester = bench_harvester()
    owner = next(iter(orgs.values()))
    result: dict[str, Any] = {"records": len(pairs), "batch_size": batch_size, "stock_records": stock_records}

    snapshot: dict[str, dict[str, Any]] = {}
    if stock_records:
        _source, job = make_source("Bench", owner)
        ids = gather(job, pairs[:stock_records])
        cpu = common.CpuMeter()
        rates = run_stock(harvester, ids)
        result["stock_cpu"] = cpu.per_record(len(ids))
        result["stock_rate_median"] = common.median(rates)
        result["stock_chunks"] = len(rates)
        progress(f"stock per-record path: {stock_records} records, median {result['stock_rate_median']:.1f} "
                 f"records/s over {len(rates)} chunks of 50; {common.describe_cpu(result['stock_cpu'])}")
        step = max(1, stock_records // sample)
        for name in names[:stock_records:step]:
            snapshot[name] = normalised(show(name))
        purge(names[:stock_records])

    source, job = make_source("Bench", owner)
    timer = common.Timer()
    ids = gather(job, pairs)
    result["gather_seconds"] = timer.elapsed()
    timer, cpu = common.Timer(), common.CpuMeter()
    rates, statuses = run_fast(harvester, ids, batch_size, progress)
    result["fast_cpu"] = cpu.per_record(len(ids))
    result["fast_seconds"] = timer.elapsed()
    result["fast_rate_overall"] = len(ids) / result["fast_seconds"]
    result["fast_rate_median"] = common.median(rates)
    result["fast_batches"] = len(rates)
    result["statuses"] = statuses
    progress(f"fast batched path: {len(ids)} records in {result['fast_seconds']:.0f} s, median "
             f"{result['fast_rate_median']:.1f} records/s over {len(rates)} batches of {batch_size} "
             f"(overall {result['fast_rate_overall']:.1f}); statuses {statuses}; "
             f"{common.describe_cpu(result['fast_cpu'])}")
    if stock_records:
        result["ratio"] = result["fast_rate_median"] / result["stock_rate_median"]
        differences = {}
        for name, before in snapshot.items():
            after = normalised(show(name))
            if after != before:
                differences[name] = {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after))
                                     if before.get(k) != after.get(k)}
        result["compared"] = len(snapshot)
        result["differences"] = differences
        progress(f"same datasets: {len(snapshot) - len(differences)}/{len(snapshot)} identical "
                 f"(package_show less ids and timestamps){'' if not differences else ': ' + str(differences)}")
        progress(f"ratio fast/stock (medians): {result['ratio']:.1f}x")
    if rerun:
        again = revised(pairs[:rerun])
        result.update(run_next(harvester, source, again, batch_size, "changed", progress))
        result.update(run_next(harvester, source, again, batch_size, "unchanged", progress))
    found = toolkit.get_action("package_search")(common.context(), {"q": "*:*", "rows": 0})["count"]
    result["indexed"] = found
    progress(f"datasets in the search index of this site: {found}")
    return result


def revised(pairs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The same records, each with a changed title."""
    return [(guid, {**record, "title": f"{record['title']} (bản sửa đổi)"}) for guid, record in pairs]


def run_next(harvester, source, pairs: list[tuple[str, dict[str, Any]]], batch_size: int, key: str,
             progress=print) -> dict[str, Any]:
    """A next run of the same source with these records (``key``: how they compare with the last
    run's, "changed" or "unchanged", the daily case): a fifth of them (at most 200) one at a time
    as the stock consumer imports them, the others in batches. Returns the figures, ``key_*``."""
    ids = gather(make_job(source), pairs)
    split = min(200, len(ids) // 5)
    cpu = common.CpuMeter()
    stock = common.median(run_stock(harvester, ids[:split]))
    stock_cpu = cpu.per_record(split)
    cpu = common.CpuMeter()
    rates, statuses = run_fast(harvester, ids[split:], batch_size)
    fast, fast_cpu = common.median(rates), cpu.per_record(len(ids) - split)
    progress(f"next run, records {key}: stock per-record path {split} records, median {stock:.1f} records/s "
             f"({common.describe_cpu(stock_cpu)}); batched {len(ids) - split} records, median {fast:.1f} "
             f"records/s ({common.describe_cpu(fast_cpu)}); statuses {statuses}; ratio {fast / stock:.1f}x")
    return {f"{key}_records": len(ids), f"{key}_stock_rate_median": stock, f"{key}_stock_cpu": stock_cpu,
            f"{key}_fast_rate_median": fast, f"{key}_fast_cpu": fast_cpu, f"{key}_statuses": statuses,
            f"{key}_ratio": fast / stock}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_config_option(parser)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--stock-records", type=int, default=500,
                        help="records run through the stock per-record path (0: none)")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first record of the generator's stream")
    parser.add_argument("--sample", type=int, default=50, help="datasets compared between the two paths")
    parser.add_argument("--file", help="JSON lines of records (bench/generate.py) instead of generating them")
    parser.add_argument("--rerun", type=int, default=0,
                        help="then run the source twice more with this many of the records: changed, then "
                             "unchanged (0: no)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    common.load_ckan(args.config)
    common.print_machine()
    result = run(args.records, args.stock_records, args.batch_size, args.seed, args.sample, args.file,
                 start=args.start, rerun=args.rerun)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    common.reproduce(sys.argv)
    if result.get("differences"):
        sys.exit(1)


if __name__ == "__main__":
    main()
