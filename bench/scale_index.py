"""Grow the benchmark site's search index to N records (100k, 1M) for the search and export
benchmarks, without importing N records into the database.

The documents are CKAN's own, built for the datasets the harvest benchmark imported (through
the harvester base into PostgreSQL), then replicated: copy ``k`` of record ``i`` becomes record
``j = k * base + i`` of the generator's stream, taking that record's id, name, title,
description, province, field of science and licence (the record type, which depends on ``j mod
100`` only, is the same), so text and facet distributions are those of an N-record catalogue.
Copies are marked ``bench_copy:true`` and can be removed with ``--drop``.

    python bench/scale_index.py --target 100000
    python bench/scale_index.py --target 1000000 --reuse --pause 0.2   # leave Solr some air
    python bench/scale_index.py --drop

Only the search index grows: ``package_show`` of a copy finds nothing in the database.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

try:
    from bench import common, generate
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common, generate

NAMESPACE = uuid.UUID("6f1c3c4e-6a36-4c1d-9d8b-5f0c3f7a2b10")
COPIED = ("title", "notes", "province", "field_of_science", "license_id")


def base_documents(limit: int = 0, progress=print, reuse: bool = False) -> list[dict[str, Any]]:
    """CKAN's index documents of the site's generated datasets (ordered by their stream index;
    the first ``limit`` when given), kept in bench/out/ (read from there when ``reuse``)."""
    from ckan.common import config

    cache = common.out_path(f"base-documents-{config.get('ckan.site_id')}-{limit}.jsonl")
    if reuse and cache.exists():
        with cache.open(encoding="utf-8") as stream:
            docs = [json.loads(line) for line in stream]
        progress(f"base documents read from {cache}: {len(docs)}")
        return docs
    from ckan import logic, model
    from ckanext.stinfo.harvesters.base import _collected_solr_documents

    rows = (model.Session.query(model.Package.id, model.Package.extras)
            .filter(model.Package.state == "active", model.Package.type != "harvest").all())
    indexed = []
    for package_id, extras in rows:
        record_id = (extras or {}).get("source_record_id", "")
        if record_id.startswith("STI-"):
            indexed.append((int(record_id[4:]), package_id))
    indexed.sort()
    if limit:
        indexed = indexed[:limit]
    docs: list[dict[str, Any]] = []
    context = {"user": common.site_user(), "ignore_auth": True}
    timer = common.Timer()
    with _collected_solr_documents(docs):
        for number, (_index, package_id) in enumerate(indexed, 1):
            logic.index_update_package(context, package_id, defer_commit=True)
            if number % 2000 == 0:
                progress(f"  documents built: {number}/{len(indexed)} ({number / timer.elapsed():.0f}/s)")
    for doc, (index, _pid) in zip(docs, indexed, strict=True):
        doc["_stream_index"] = index
    with cache.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return docs


def _imported_indexes() -> list[int]:
    from ckan import model

    rows = model.Session.query(model.Package.extras["source_record_id"].astext).filter(
        model.Package.extras["source_record_id"].astext.like("STI-%"))
    return [int(value[4:]) for (value,) in rows] or [0]


def copy_of(doc: dict[str, Any], j: int, seed: int, site_id: str) -> dict[str, Any]:
    """The document of record ``j`` made from ``doc`` (a record of the same type)."""
    record = generate.record(seed, j)
    new = {k: v for k, v in doc.items() if k != "_stream_index"}
    new_id = str(uuid.uuid5(NAMESPACE, f"{seed}:{j}"))
    changes = {"id": new_id, "name": record["name"], "source_record_id": f"STI-{j:08d}"}
    for key in COPIED:
        if key in record and key in doc:
            changes[key] = record[key]
    new.update(changes)
    for key in ("title", "notes", "province", "field_of_science", "source_record_id"):
        if f"extras_{key}" in new and key in changes:
            new[f"extras_{key}"] = changes[key]
    if "title" in changes:
        new["title_string"] = changes["title"]
    if "field_of_science" in changes and "vocab_stinfo_field" in new:
        new["vocab_stinfo_field"] = [changes["field_of_science"]]
    for key in ("data_dict", "validated_data_dict"):
        data = json.loads(doc[key])
        data.update({k: v for k, v in changes.items() if k in data or k in ("id", "name")})
        new[key] = json.dumps(data, ensure_ascii=False)
    new["index_id"] = hashlib.md5(f"{new_id}{site_id}".encode()).hexdigest()  # noqa: S324 - CKAN's index id
    new["bench_copy"] = "true"
    return new


def grow(target: int, seed: int = 1, batch: int = 1000, pause: float = 0.0, base_limit: int = 0,
         progress=print, reuse: bool = False, first: int | None = None) -> dict[str, Any]:
    from ckan.common import config

    site_id = config.get("ckan.site_id")
    conn = common.solr_connection()
    docs = base_documents(base_limit, progress, reuse)
    if not docs:
        raise SystemExit("No generated datasets in the database: run bench/harvest_import.py first.")
    # Copies take records of the stream after every imported one, keeping the type (j mod 100).
    base = -(-(max(d["_stream_index"] for d in docs) + 1) // generate.BLOCK) * generate.BLOCK
    if first is None:  # give the same --first again when topping up after more imports
        first = -(-(max(_imported_indexes()) + 1) // generate.BLOCK) * generate.BLOCK
    existing = common.solr_count()
    progress(f"documents of the site now: {existing}; base records: {len(docs)} (stream 0..{base - 1}); "
             f"copies from record {first} of the stream")
    timer = common.Timer()
    sent = 0
    pending: list[dict[str, Any]] = []
    copy = 1
    current = existing
    # Copies already sent by an earlier run come first in the same order: skip them.
    skip = conn.search(q="*:*", fq=[f'+site_id:"{site_id}"', "+bench_copy:true"], rows=0).hits
    while current < target:
        for doc in docs:
            if current >= target:
                break
            if skip:
                skip -= 1
                continue
            pending.append(copy_of(doc, first + (copy - 1) * base + doc["_stream_index"], seed, site_id))
            current += 1
            if len(pending) >= batch:
                conn.add(pending, commit=False)
                sent += len(pending)
                pending = []
                if sent % (batch * 20) == 0:
                    progress(f"  sent {sent} copies ({sent / timer.elapsed():.0f}/s)")
                if pause:
                    time.sleep(pause)
        copy += 1
    if pending:
        conn.add(pending, commit=False)
        sent += len(pending)
    conn.commit()
    count = common.solr_count()
    progress(f"sent {sent} copies in {timer.elapsed():.0f} s; documents of the site: {count}")
    return {"sent": sent, "count": count, "seconds": timer.elapsed()}


def drop(progress=print) -> None:
    from ckan.common import config

    conn = common.solr_connection()
    conn.delete(q=f'+bench_copy:true +site_id:"{config.get("ckan.site_id")}"', commit=True)
    progress(f"copies removed; documents of the site: {common.solr_count()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_config_option(parser)
    parser.add_argument("--target", type=int, default=100_000, help="documents of the site wanted")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between batches sent to Solr")
    parser.add_argument("--base", type=int, default=0, help="replicate only the first BASE imported records")
    parser.add_argument("--first", type=int, help="stream index of the first copy (default: after the imported)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the base documents kept by the previous run (same database)")
    parser.add_argument("--drop", action="store_true", help="remove the copies instead")
    args = parser.parse_args(argv)
    common.load_ckan(args.config)
    if args.drop:
        drop()
    else:
        grow(args.target, args.seed, args.batch, args.pause, args.base, reuse=args.reuse, first=args.first)
    common.reproduce(sys.argv)


if __name__ == "__main__":
    main()
