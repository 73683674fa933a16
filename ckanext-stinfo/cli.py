"""``ckan stinfo …`` commands."""
from __future__ import annotations

import click
from ckanext.stinfo import demo, harvest_sources

__all__ = ["stinfo"]


@click.group(short_help="STInfo commands")
def stinfo():
    """STInfo administration commands."""


@stinfo.command("load-demo")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_demo(path):
    """Create or update the demo catalogue in PATH (YAML); safe to run again."""
    counts = demo.load(path, progress=click.echo)
    click.secho(
        "Demo catalogue: {created} created, {updated} updated, {unchanged} unchanged".format(**counts),
        fg="green",
    )


@stinfo.command("harvest-sources")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--standins", default="http://127.0.0.1:8800", show_default=True,
              help="Base URL of the stand-in source systems, put in place of {standins}.")
@click.option("--run", "run_now", is_flag=True, help="Also run one harvest of each source now, here.")
def harvest_sources_command(path, standins, run_now):
    """Create or update the harvest sources defined in PATH (YAML); safe to run again."""
    for source in harvest_sources.read(path, standins):
        created, outcome = harvest_sources.upsert(source)
        click.echo(f"Harvest source {source['name']} ({source['source_type']}): {outcome}")
        if run_now:
            counts = harvest_sources.run(created, progress=click.echo)
            summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
            click.secho(f"  harvested: {summary}", fg="green")


@stinfo.command("check-migrations")
def check_migrations():
    """Fail unless CKAN finds the plugin's database migrations and the database is at their head
    (the audit trail lives in a table they create)."""
    from ckan.cli.db import current_revision

    revision = current_revision("stinfo")
    if revision is None:
        raise click.ClickException(
            "CKAN does not find the migrations of the stinfo plugin (ckanext/stinfo/migration/stinfo): "
            "install the package with 'pip install .' or 'pip install -e . --config-settings "
            "editable_mode=strict'.")
    if not revision.endswith("(head)"):
        raise click.ClickException(f"The stinfo tables are at revision {revision}: run 'ckan db upgrade -p stinfo'.")
    click.secho(f"stinfo migrations: {revision}", fg="green")


@stinfo.command("export-dcat")
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["nt", "ttl"]), default="nt", show_default=True,
              help="N-Triples (one line per triple) or Turtle (one document per page).")
@click.option("--page-size", default=500, show_default=True, help="Datasets read and serialised at a time.")
@click.option("--profile", "profiles", multiple=True, help="DCAT profiles (default: ckanext.dcat.rdf.profiles).")
def export_dcat(path, fmt, page_size, profiles):
    """Write the whole public catalogue as DCAT RDF to PATH ('-' for stdout, '.gz' compressed),
    streaming one page at a time: memory stays that of one page."""
    from ckanext.stinfo import export

    def progress(count):
        if count % 10000 < page_size:
            click.echo(f"  {count} datasets", err=True)

    count = export.export_to_path(path, fmt, page_size, list(profiles) or None, progress=progress)
    click.secho(f"DCAT catalogue: {count} datasets written to {path}", fg="green", err=True)


def _index_batch(package_ids):
    from ckan.plugins import toolkit
    from ckanext.stinfo.harvesters.base import index_packages

    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return index_packages(package_ids, user, commit=False)


def _fresh_connections():
    from ckan import model

    model.Session.remove()
    model.meta.engine.dispose(close=False)


def rebuild_index(workers=2, batch=500, progress=None, package_ids=None):
    """Index every dataset of the database (or those of ``package_ids``): CKAN's own documents,
    sent to Solr ``batch`` at a time (no commit per document) by ``workers`` processes, one
    commit at the end. Returns the count."""
    import multiprocessing

    from ckan import model
    from ckan.lib.search import commit

    ids = list(package_ids) if package_ids is not None else [
        pid for (pid,) in model.Session.query(model.Package.id).filter(model.Package.state != "deleted")
        .order_by(model.Package.id)]
    batches = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    done = 0
    if workers > 1 and len(batches) > 1:
        model.Session.remove()
        with multiprocessing.get_context("fork").Pool(workers, initializer=_fresh_connections) as pool:
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


# Added to the stored documents by ckanext-harvest when indexing; it adds them again.
_HARVEST_EXTRAS = {"harvest_object_id", "harvest_source_id", "harvest_source_title"}


def stored_documents(stored):
    """CKAN's index documents rebuilt from the ``data_dict`` and ``validated_data_dict`` stored
    in Solr documents (no database read, no validation): what indexing those dicts gives."""
    import json

    from ckan.lib.search import index_for
    from ckanext.stinfo.harvesters.base import _collected_solr_documents

    index = index_for("Package")
    docs = []
    with _collected_solr_documents(docs):
        for doc in stored:
            pkg = json.loads(doc["data_dict"])
            pkg["extras"] = [e for e in pkg.get("extras") or [] if e.get("key") not in _HARVEST_EXTRAS]
            validated = json.loads(doc["validated_data_dict"])
            validated["extras"] = [e for e in validated.get("extras") or [] if e.get("key") not in _HARVEST_EXTRAS]
            pkg["with_custom_schema"] = validated
            index.index_package(pkg, defer_commit=True)
    return docs


def _load_harvest_sources():
    try:
        from ckanext.harvest.model import HarvestSource
    except ImportError:
        return []
    from ckan import model

    return model.Session.query(HarvestSource).all()


def _reindex_stored_part(prefixes, batch=1000):
    """Re-index the stored documents of this site whose index id starts with one of ``prefixes``."""
    from ckan import model
    from ckan.common import config
    from ckan.lib.search.common import make_connection

    conn = make_connection()
    site = 'site_id:"{}"'.format(config.get("ckan.site_id"))
    part = " OR ".join(f"index_id:{p}*" for p in prefixes)
    cursor, done, skipped = "*", 0, 0
    while True:
        found = conn.search(q="*:*", fq=[site, "entity_type:package", f"({part})"], sort="index_id asc",
                            rows=batch, cursorMark=cursor, fl="id,data_dict,validated_data_dict")
        if not found.docs:
            break
        ids = {d["id"] for d in found.docs}
        # Loaded once for the batch (and held): indexing a document then finds them in the session.
        packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids),
                                                             model.Package.state != "deleted").all()
        sources = _load_harvest_sources()
        alive = {pkg.id for pkg in packages}
        docs = stored_documents(d for d in found.docs if d["id"] in alive)
        skipped += len(ids) - len(alive)
        if docs:
            conn.add(docs, commit=False)
        done += len(docs)
        del packages, sources
        model.Session.remove()
        if found.nextCursorMark == cursor:
            break
        cursor = found.nextCursorMark
    return done, skipped


def reindex_stored(workers=2, batch=1000):
    """Re-index every document of this site from what Solr stores of it (``data_dict``,
    ``validated_data_dict``), e.g. after a change of the Solr schema or to fill a new core:
    ``workers`` processes, each over a part of the index ids, one commit at the end. Documents
    whose dataset is no longer in the database are left out. Returns (indexed, left out)."""
    import multiprocessing

    from ckan import model
    from ckan.lib.search import commit

    hexdigits = "0123456789abcdef"
    parts = [hexdigits[i::workers] for i in range(workers)] if workers > 1 else [hexdigits]
    if workers > 1:
        model.Session.remove()
        with multiprocessing.get_context("fork").Pool(workers, initializer=_fresh_connections) as pool:
            results = pool.starmap(_reindex_stored_part, [(part, batch) for part in parts])
    else:
        results = [_reindex_stored_part(parts[0], batch)]
    commit()
    return sum(r[0] for r in results), sum(r[1] for r in results)


@stinfo.command("search-index-rebuild")
@click.option("--workers", default=2, show_default=True, help="Processes building documents.")
@click.option("--batch", default=500, show_default=True, help="Documents per Solr request.")
@click.option("--from-index", is_flag=True,
              help="Re-index the documents Solr stores (after a Solr schema change) instead of reading "
                   "every dataset from the database.")
def search_index_rebuild(workers, batch, from_index):
    """Rebuild the search index of every dataset, batched and in parallel (see rebuild_index and
    reindex_stored). Unlike 'ckan search-index rebuild' it does not clear documents missing from
    the database."""
    if from_index:
        count, left_out = reindex_stored(workers, batch)
        click.secho(f"Re-indexed {count} datasets from their stored documents ({left_out} no longer in the "
                    "database left out)", fg="green")
        return
    count = rebuild_index(workers, batch, progress=lambda done, total: click.echo(
        f"  {done}/{total}", err=True) if done % 5000 < batch else None)
    click.secho(f"Indexed {count} datasets", fg="green")


@stinfo.command("check-links")
@click.option("--organization", default=None, help="Only the records of this organisation (name or id).")
@click.option("--batch", default=50, show_default=True, help="Records per background job.")
@click.option("--now", "run_now", is_flag=True, help="Check here and now instead of enqueueing background jobs.")
def check_links(organization, batch, run_now):
    """Check the links of every record's resources (and refresh its quality score), as background
    jobs run by 'ckan jobs worker'; polite to remote servers (robots.txt, one host at a time)."""
    from ckanext.stinfo import linkcheck

    ids = linkcheck.package_ids(organization)
    if run_now:
        counts = linkcheck.check_packages(ids)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no links"
        click.secho(f"Link check of {len(ids)} records: {summary}", fg="green")
        return
    jobs = linkcheck.enqueue(ids, batch)
    click.secho(f"Link check of {len(ids)} records: {len(jobs)} background jobs enqueued", fg="green")
