"""package_search latency (p50 / p95) for typical faceted queries of the portal.

Vietnamese queries with and without accents, alone or with filters, each asking for the facets
of the search page (record type, field of science, province, publisher, licence, format) and a
page of 20 results, as the search page does. Every query in a run is distinct (text x filters x
page), so Solr's result caches do not serve repeats; a warm-up set of other queries runs first.

    python bench/search.py --queries 300           # against whatever the benchmark site holds

The figures are for the action (``package_search`` in this process, Solr over HTTP on loopback).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

try:
    from bench import common
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common

# The field of science is faceted as the portal does (vocab_stinfo_field: field_of_science or
# fields_of_science, see ckanext-stinfo/facets.py).
FACETS = ["dataset_type", "vocab_stinfo_field", "province", "organization", "license_id", "res_format"]
TEXTS = [
    ("nghiên cứu vật liệu", "nghien cuu vat lieu"),
    ("giống lúa chịu mặn", "giong lua chiu man"),
    ("trí tuệ nhân tạo", "tri tue nhan tao"),
    ("quan trắc phóng xạ", "quan trac phong xa"),
    ("Nguyễn Văn Hùng", "nguyen van hung"),
    ("xử lý nước thải", "xu ly nuoc thai"),
    ("đồng bằng sông Cửu Long", "dong bang song cuu long"),
    ("năng lượng tái tạo", "nang luong tai tao"),
    ("tiêu chuẩn đo lường", "tieu chuan do luong"),
    ("chế phẩm sinh học", "che pham sinh hoc"),
]
FILTERS = [
    "", "dataset_type:st_task", "dataset_type:publication", "province:01", "province:79",
    "vocab_stinfo_field:2.5", "license_id:CC-BY-4.0", "res_format:PDF", "organization:bo-khoa-hoc-va-cong-nghe",
    "dataset_type:researcher AND province:48",
]


def queries(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` distinct package_search calls: text (accented, unaccented, none) x filter x page."""
    combos = []
    for (accented, plain), fq, page in itertools.product(TEXTS, FILTERS, range(3)):
        for kind, q in (("accents", accented), ("no accents", plain)):
            combos.append({"kind": kind, "q": q, "fq": fq, "start": page * 20})
    for fq, page in itertools.product(FILTERS, range(6)):
        combos.append({"kind": "facets only", "q": "", "fq": fq, "start": page * 20})
    random.Random(seed).shuffle(combos)
    return combos[:count]


def search(call: dict[str, Any]) -> dict[str, Any]:
    from ckan.plugins import toolkit

    data = {"q": call["q"], "fq": call["fq"], "rows": 20, "start": call["start"],
            "facet.field": json.dumps(FACETS), "facet.limit": 50, "include_private": True}
    return toolkit.get_action("package_search")(common.context(), data)


def run(count: int = 300, warmup: int = 30, progress=print) -> dict[str, Any]:
    calls = queries(count + warmup)
    for call in calls[count:]:
        search(call)
    timings: dict[str, list[float]] = {}
    slowest: list[tuple[float, dict[str, Any], int]] = []
    total = None
    for call in calls[:count]:
        timer = common.Timer()
        result = search(call)
        elapsed = timer.elapsed() * 1000
        timings.setdefault(call["kind"], []).append(elapsed)
        slowest = sorted([*slowest, (elapsed, call, result["count"])], key=lambda s: -s[0])[:5]
        if not call["q"] and not call["fq"]:
            total = result["count"]
    everything = [t for values in timings.values() for t in values]
    figures = {"records": total if total is not None else search({"q": "", "fq": "", "start": 0})["count"],
               "queries": len(everything), "p50_ms": common.median(everything),
               "p95_ms": common.percentile(everything, 95), "max_ms": max(everything)}
    for kind, values in sorted(timings.items()):
        figures[kind] = {"n": len(values), "p50_ms": common.median(values), "p95_ms": common.percentile(values, 95)}
    progress(f"package_search over {figures['records']} records: {figures['queries']} distinct faceted queries, "
             f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, max {figures['max_ms']:.0f} ms")
    for kind in ("accents", "no accents", "facets only"):
        if kind in figures:
            f = figures[kind]
            progress(f"  {kind}: n={f['n']} p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms")
    figures["slowest"] = [{"ms": ms, "q": call["q"], "fq": call["fq"], "start": call["start"], "found": found}
                          for ms, call, found in slowest]
    for item in figures["slowest"]:
        progress(f"  slow: {item['ms']:.0f} ms q='{item['q']}' fq='{item['fq']}' start={item['start']} "
                 f"found={item['found']}")
    return figures


def check_accents(progress=print) -> bool:
    """Queries without accents find what the accented ones find (Vietnamese folding in Solr)."""
    same = True
    for accented, plain in TEXTS[:3]:
        a = search({"q": accented, "fq": "", "start": 0})["count"]
        b = search({"q": plain, "fq": "", "start": 0})["count"]
        progress(f"  '{accented}': {a} found, '{plain}': {b} found")
        same = same and b >= a > 0
    return same


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_config_option(parser)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    common.load_ckan(args.config)
    common.print_machine()
    check_accents()
    figures = run(args.queries, args.warmup)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    common.reproduce(sys.argv)


if __name__ == "__main__":
    main()
