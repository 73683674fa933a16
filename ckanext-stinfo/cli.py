"""``ckan stinfo …`` commands."""
from __future__ import annotations

import click
from ckanext.stinfo import demo

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
