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
