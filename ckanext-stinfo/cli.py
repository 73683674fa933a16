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
@click.option("--workers", default=1, show_default=True,
              help="Processes serialising parts of the catalogue (split by id), joined in id order.")
def export_dcat(path, fmt, page_size, profiles, workers):
    """Write the whole public catalogue as DCAT RDF to PATH ('-' for stdout, '.gz' compressed),
    streaming one page at a time: memory stays that of one page."""
    from ckanext.stinfo import export

    shown = [0]

    def progress(count):
        if count - shown[0] >= 10000:
            shown[0] = count
            click.echo(f"  {count} datasets", err=True)

    count = export.export_to_path(path, fmt, page_size, list(profiles) or None, progress=progress, workers=workers)
    click.secho(f"DCAT catalogue: {count} datasets written to {path}", fg="green", err=True)


@stinfo.command("search-index-rebuild")
@click.option("--workers", default=2, show_default=True, help="Processes building documents.")
@click.option("--batch", type=int, default=None,
              help="Documents per Solr request (default 500; 1000 with --from-index).")
@click.option("--from-index", is_flag=True,
              help="Re-index from the documents Solr stores (after a Solr schema change) where they are "
                   "current, instead of reading every dataset from the database.")
@click.option("--into", metavar="URL", default=None,
              help="With --from-index: send the documents to this other Solr core (e.g. a new one with a new "
                   "schema, to swap in afterwards); the configured core keeps answering searches.")
@click.option("--changed-only", is_flag=True,
              help="With --from-index: only the datasets changed since they were indexed or missing from the "
                   "index, and the removals (a catch-up, e.g. after swapping in a core filled with --into).")
def search_index_rebuild(workers, batch, from_index, into, changed_only):
    """Rebuild the search index of every dataset, batched and in parallel (see
    ckanext.stinfo.search_index). From the database, it does not remove documents of datasets no
    longer there; --from-index does."""
    from ckanext.stinfo import search_index

    if (into or changed_only) and not from_index:
        raise click.UsageError("--into and --changed-only re-index from the stored documents: add --from-index.")
    if into and changed_only:
        raise click.UsageError("--into fills a new core: it cannot take only what changed.")
    batch = batch or (1000 if from_index else 500)
    if from_index:
        from ckan.lib.search import SearchIndexError

        try:
            done = search_index.reindex_stored(workers, batch, into=into, changed_only=changed_only,
                                               progress=lambda done: click.echo(
                                                   f"  {done.stored} from stored documents, {done.from_database} "
                                                   f"from the database, {done.removed} removed", err=True))
        except SearchIndexError as err:
            raise click.ClickException(str(err)) from err
        click.secho(f"Re-indexed {done.stored + done.from_database} datasets{f' into {into}' if into else ''}: "
                    f"{done.stored} from their stored documents, {done.from_database} changed since or not in "
                    f"the index from the database ({done.removed} documents of datasets deleted or no longer "
                    f"in the database removed{'; the others left as they were' if changed_only else ''})",
                    fg="green")
        return
    count = search_index.rebuild_index(workers, batch, progress=lambda done, total: click.echo(
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


@stinfo.command("fetch-consumer")
@click.option("--batch", "size", default=200, show_default=True, type=click.IntRange(min=1),
              help="Harvest objects taken from the queue at a time.")
@click.option("--once", is_flag=True, help="Handle what is queued, then exit.")
@click.option("--max-batches", type=click.IntRange(min=1), default=None, help="Exit after this many batches.")
def fetch_consumer(size, once, max_batches):
    """Fetch and import harvest objects from ckanext-harvest's Redis fetch queue in batches (in
    place of 'ckan harvester fetch-consumer'): STInfo harvesters' objects with one batched import
    per source type, other harvesters' one at a time. One log line per batch."""
    from ckanext.stinfo.harvesters import consumer

    try:
        batches = consumer.run(size, once, max_batches)
    except consumer.QueueNotSupported as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"Fetch consumer: {batches} batches handled")
