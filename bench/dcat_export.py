"""DCAT catalogue: time of a page of ``/catalog.ttl?page=N`` (the ``dcat_catalog_show`` action and
ckanext-dcat's serializer, as the endpoint runs it) and the time and peak memory of a full
streaming export (``ckan stinfo export-dcat``, ckanext-stinfo/export.py).

    python bench/dcat_export.py                      # pages 1, middle and last; full export
    python bench/dcat_export.py --no-export          # pages only

The export runs as its own ``ckan`` process; its peak resident memory is the kernel's
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``), compared with an idle ``ckan`` process started the
same way.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

try:
    from bench import common
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import common

CKAN = str(Path(sys.executable).with_name("ckan"))


def page_time(page: int, repeat: int = 3) -> tuple[float, int]:
    """Median seconds of ``dcat_catalog_show`` for a Turtle page, and the page's size in bytes."""
    from ckan.plugins import toolkit

    times = []
    size = 0
    for _ in range(repeat):
        timer = common.Timer()
        output = toolkit.get_action("dcat_catalog_show")({"ignore_auth": True, "user": ""},
                                                        {"page": page, "format": "ttl"})
        times.append(timer.elapsed())
        size = len(output)
    return common.median(times), size


def pages(progress=print, repeat: int = 3) -> dict[str, Any]:
    from ckan.common import config
    from ckan.plugins import toolkit

    per_page = int(config.get("ckanext.dcat.datasets_per_page") or 100)
    total = toolkit.get_action("package_search")({"ignore_auth": True, "user": ""},
                                                 {"q": "*:*", "rows": 0, "fq": "-dataset_type:harvest"})["count"]
    last = max(1, -(-total // per_page))
    figures: dict[str, Any] = {"records": total, "per_page": per_page, "pages": {}}
    for page in sorted({1, 2, max(1, last // 2), last}):
        seconds, size = page_time(page, repeat)
        figures["pages"][page] = {"seconds": seconds, "bytes": size}
        progress(f"/catalog.ttl?page={page} of {last} ({total} records, {per_page} per page): "
                 f"median {seconds * 1000:.0f} ms, {size / 1024:.0f} KiB")
    return figures


def _child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def export(ini: str, out: str, page_size: int = 500, fmt: str = "nt", progress=print,
           workers: int = 1) -> dict[str, Any]:
    """Run ``ckan stinfo export-dcat`` as a child process; its time, peak RSS (of its largest
    process, with ``workers`` > 1) and output size."""
    subprocess.run([CKAN, "-c", ini, "stinfo", "--help"], check=True, capture_output=True)
    idle = _child_peak_mb()
    timer = common.Timer()
    done = subprocess.run(["nice", "-n", "19", CKAN, "-c", ini, "stinfo", "export-dcat", out, "--format", fmt,
                           "--page-size", str(page_size), "--workers", str(workers)], capture_output=True, text=True)
    seconds = timer.elapsed()
    if done.returncode:
        raise RuntimeError(f"export failed: {done.stderr[-2000:]}")
    peak = _child_peak_mb()
    count = int(done.stderr.strip().splitlines()[-1].split("DCAT catalogue: ")[1].split()[0])
    figures = {"datasets": count, "seconds": seconds, "rate": count / seconds if seconds else 0,
               "peak_rss_mb": peak, "idle_ckan_rss_mb": idle, "bytes": Path(out).stat().st_size,
               "page_size": page_size, "format": fmt, "workers": workers}
    progress(f"full export ({workers} process{'es' if workers > 1 else ''}): {count} datasets in {seconds:.0f} s "
             f"({figures['rate']:.0f}/s), peak RSS "
             f"{peak:.0f} MB (an idle ckan process: {idle:.0f} MB), {figures['bytes'] / 1e6:.1f} MB written to {out}")
    return figures


def count_datasets(path: str) -> int:
    """dcat:Dataset typed nodes in an N-Triples export (a check that the file is complete)."""
    opener = gzip.open if path.endswith(".gz") else open
    marker = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset>"
    with opener(path, "rt", encoding="utf-8") as stream:
        return sum(1 for line in stream if marker in line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_config_option(parser)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--out", default=str(common.OUT / "catalogue.nt.gz"))
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="processes of the export (parts by id)")
    parser.add_argument("--check", action="store_true", help="count the datasets in the export file")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    common.load_ckan(args.config)
    common.print_machine()
    figures: dict[str, Any] = {}
    if not args.no_pages:
        figures["pages"] = pages()
    if not args.no_export:
        common.OUT.mkdir(parents=True, exist_ok=True)
        figures["export"] = export(args.config, args.out, args.page_size, workers=args.workers)
        if args.check:
            found = count_datasets(args.out)
            print(f"datasets in the file: {found}")
            figures["export"]["datasets_in_file"] = found
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    common.reproduce(sys.argv)


if __name__ == "__main__":
    main()
