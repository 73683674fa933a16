"""Streaming DCAT export of the whole catalogue, in bounded memory.

ckanext-dcat's ``/catalog.ttl?page=N`` serialises one page of the catalogue; a harvester of the
national data portal reading 1M records that way walks 10,000 pages with deeper and deeper
Solr paging. This exporter writes the whole catalogue to one file instead:

- datasets are read from the search index a page at a time, by keyset pagination on ``id``
  (``id > last id of the previous page``), so every page costs the same however deep;
- the records a page's relations name are looked up in one query;
- each page becomes its own small RDF graph with ckanext-dcat's serializer and the configured
  profiles (the same triples as the catalogue endpoint), is written, and is dropped;
- N-Triples (default) are line-based: pages simply follow each other; Turtle is written as one
  document per page (repeated prefixes are valid Turtle). A ``.gz`` path is gzip-compressed.

Memory stays that of one page whatever the size of the catalogue. Private and deleted datasets
are not exported (the search runs without a user, as anonymous). With ``workers`` > 1 the ids are
split by their first two hex digits into 256 parts, serialised by that many processes into part
files, and the parts are joined in id order (gzip members and N-Triples/Turtle documents may
follow each other): the same output, in a fraction of the time on several cores.

    ckan -c ckan.ini stinfo export-dcat catalogue.nt.gz [--workers 2]
"""
from __future__ import annotations

import gzip
import io
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import IO, Any

from ckan.plugins import toolkit

FORMATS = {"nt": "nt", "ntriples": "nt", "ttl": "turtle", "turtle": "turtle"}


def _open(path: str) -> IO[bytes]:
    if path == "-":
        import sys

        return sys.stdout.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "wb", compresslevel=3)
    return open(path, "wb")  # noqa: SIM115 - closed by the caller


PREFIXES = [f"{i:02x}" for i in range(256)]


def _page(after: str | None, rows: int, prefix: str | None = None) -> list[dict[str, Any]]:
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    if prefix:
        fq_list.append(f"id:{prefix}*")
    if after:
        fq_list.append('id:{"' + after.replace('"', "") + '" TO *]')
    result = toolkit.get_action("package_search")(
        {"ignore_auth": True, "user": ""},
        {"q": "*:*", "fq_list": fq_list, "sort": "id asc", "rows": rows, "include_private": False,
         "facet": "false"})
    return result["results"]


def _write_header(out: IO[bytes], rdf_format: str, profiles: list[str] | None):
    """The catalogue's own triples; returns its reference."""
    from ckanext.dcat.processors import RDFSerializer

    header = RDFSerializer(profiles=profiles)
    catalog_ref = header.graph_from_catalog({})
    out.write(header.g.serialize(format=rdf_format, encoding="utf-8"))
    return catalog_ref


def export_catalog(out: IO[bytes], fmt: str = "nt", page_size: int = 500, profiles: list[str] | None = None,
                   progress: Callable[[int], None] | None = None, prefix: str | None = None,
                   header: bool = True) -> int:
    """Write the catalogue to ``out`` as N-Triples (``nt``) or Turtle (``ttl``); returns the
    number of datasets written. ``progress(count)`` is called after each page. ``prefix``: only
    the datasets whose id starts with it; ``header``: whether to write the catalogue's triples."""
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.dcat.utils import catalog_uri
    from ckanext.stinfo.profiles.stinfo import prefetch_relations
    from rdflib import URIRef
    from rdflib.namespace import Namespace

    rdf_format = FORMATS[fmt]
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    catalog_ref = _write_header(out, rdf_format, profiles) if header else URIRef(catalog_uri())
    count = 0
    after = None
    while True:
        datasets = _page(after, page_size, prefix)
        if not datasets:
            break
        serializer = RDFSerializer(profiles=profiles)
        prefetch_relations(serializer.g, datasets)
        for dataset in datasets:
            serializer.g.add((catalog_ref, dcat.dataset, serializer.graph_from_dataset(dataset)))
        buffer = io.BytesIO()
        serializer.g.serialize(destination=buffer, format=rdf_format, encoding="utf-8")
        out.write(buffer.getvalue())
        count += len(datasets)
        after = datasets[-1]["id"]
        del serializer, buffer, datasets
        if progress:
            progress(count)
    return count


def _export_part(job: tuple[str, str, str, int, list[str] | None]) -> int:
    path, prefix, fmt, page_size, profiles = job
    out = _open(path)
    try:
        return export_catalog(out, fmt, page_size, profiles, prefix=prefix, header=False)
    finally:
        out.close()


def _export_parallel(path: str, fmt: str, page_size: int, profiles: list[str] | None, workers: int,
                     progress: Callable[[int], None] | None) -> int:
    from ckan import model
    from ckanext.stinfo.search_index import fresh_connections

    suffix = ".gz" if path.endswith(".gz") else ""
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(path)), prefix=".export-") as parts:
        header_path = os.path.join(parts, "header" + suffix)
        out = _open(header_path)
        try:
            _write_header(out, FORMATS[fmt], profiles)
        finally:
            out.close()
        jobs = [(os.path.join(parts, f"{prefix}{suffix}"), prefix, fmt, page_size, profiles) for prefix in PREFIXES]
        count = 0
        model.Session.remove()
        with multiprocessing.get_context("fork").Pool(workers, initializer=fresh_connections) as pool:
            for written in pool.imap(_export_part, jobs):
                count += written
                if progress:
                    progress(count)
        with open(path, "wb") as target:
            for part in [header_path] + [job[0] for job in jobs]:
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, target)
    return count


def export_to_path(path: str, fmt: str = "nt", page_size: int = 500, profiles: list[str] | None = None,
                   progress: Callable[[int], None] | None = None, workers: int = 1) -> int:
    """Export to a file (``-``: standard output), by ``workers`` processes if more than one."""
    if workers > 1 and path != "-":
        return _export_parallel(path, fmt, page_size, profiles, workers, progress)
    out = _open(path)
    try:
        return export_catalog(out, fmt, page_size, profiles, progress)
    finally:
        if path != "-":
            out.close()
