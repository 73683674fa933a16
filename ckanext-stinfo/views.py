"""Pages of the public portal: the statistics dashboard and the developer page."""
from __future__ import annotations

import csv
import io

from ckan.plugins import toolkit
from ckanext.stinfo.helpers import stinfo_lang
from ckanext.stinfo.quality_views import stinfo_quality
from flask import Blueprint, Response

__all__ = ["stinfo", "stinfo_quality"]

stinfo = Blueprint("stinfo", __name__)

DCAT_FORMATS = (("ttl", "Turtle"), ("rdf", "RDF/XML"), ("jsonld", "JSON-LD"), ("xml", "RDF/XML"))


def _statistics() -> dict:
    return toolkit.get_action("stinfo_statistics")({}, {"lang": stinfo_lang()})


@stinfo.route("/thong-ke")
def statistics() -> str:
    """The statistics dashboard: public records by type, field of science, province, year and publisher."""
    stats = _statistics()
    for dimension in stats["dimensions"].values():
        dimension["max"] = max((item["count"] for item in dimension["items"]), default=0)
    return toolkit.render("stinfo/statistics.html", extra_vars={"stats": stats})


@stinfo.route("/thong-ke/<dimension>.csv")
def statistics_csv(dimension: str) -> Response:
    """One dimension of the statistics as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    stats = _statistics()
    if dimension not in stats["dimensions"]:
        return toolkit.abort(404, toolkit._("No such statistics"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "label", "count"])
    for item in stats["dimensions"][dimension]["items"]:
        writer.writerow([item["code"], item["label"], item["count"]])
    filename = f"thong-ke-{dimension.replace('_', '-')}-{stats['lang']}.csv"
    return Response(
        "\ufeff" + out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _harvest_sources() -> list[dict]:
    try:
        sources = toolkit.get_action("harvest_source_list")({}, {"only_active": True})
    except (KeyError, toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return []
    return sorted(sources, key=lambda source: source.get("title") or source.get("name") or "")


def _example_record() -> dict | None:
    try:
        found = toolkit.get_action("package_search")({}, {"rows": 20, "sort": "metadata_modified desc"})
    except toolkit.ValidationError:
        return None
    return min(found["results"], key=lambda record: len(record["name"]), default=None)


@stinfo.route("/nha-phat-trien")
def developers() -> str:
    """For developers: the action API, the DCAT endpoints and the harvest sources."""
    return toolkit.render("stinfo/developers.html", extra_vars={
        "harvest_sources": _harvest_sources(),
        "example": _example_record(),
        "dcat_formats": DCAT_FORMATS,
    })
