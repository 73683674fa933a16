"""Pages for monitoring the catalogue: metadata quality, harvest reports, and the user guides.

- ``/chat-luong``: the national quality overview (``.csv`` to download); for sysadmins per
  organisation and per harvest source too;
- ``/chat-luong/<organisation>``: an organisation's report, each record with its problems and
  a link to edit it (members of the organisation and sysadmins);
- ``/chat-luong/nguon/<source>``: the same for the records of one harvest source (its editors);
- ``/nguon-thu-thap/<source>``: a harvest source's last runs with their counts, and, for its
  editors and sysadmins, every error with the record and the reason;
- ``/huong-dan`` and ``/huong-dan/<guide>``: the user guides of ``docs/guides/<lang>/``.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import ckanext.stinfo.docs
from ckan import model
from ckan.plugins import toolkit
from ckanext.stinfo import quality
from ckanext.stinfo.helpers import stinfo_lang
from flask import Blueprint, Response

__all__ = ["stinfo_quality"]

stinfo_quality = Blueprint("stinfo_quality", __name__)

GUIDES_DIR = Path(ckanext.stinfo.docs.__file__).parent / "guides"
GUIDES = ("public", "publisher", "administrator", "quality")
JOBS_SHOWN = 10


def _user() -> str:
    return toolkit.g.user or ""


def _report(**params) -> dict:
    try:
        return toolkit.get_action("stinfo_quality_report")({"user": _user()}, params)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("Not authorised to see this quality report"))


def _issue_label(code: str) -> str:
    kind, _sep, field = code.partition(":")
    text = toolkit._(quality.ISSUE_TEXTS.get(kind, kind))
    return f"{text}: {field}" if field else text


def _edit_url(record: dict, external: bool = False) -> str:
    try:
        return toolkit.url_for(f"{record['type']}.edit", id=record["name"], _external=external)
    except Exception:  # noqa: BLE001 - a record type without its own routes
        return toolkit.url_for("dataset.edit", id=record["name"], _external=external)


def _render(report: dict) -> str:
    for record in report.get("records", []):
        record["edit_url"] = _edit_url(record)
        record["issue_labels"] = [_issue_label(code) for code in record["issues"]]
    return toolkit.render("stinfo/quality.html", extra_vars={
        "report": report, "dimensions": quality.DIMENSIONS, "ratings": quality.RATINGS,
        "issue_texts": quality.ISSUE_TEXTS})


def _csv(report: dict, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if "records" in report:
        writer.writerow(["name", "title", "type", "score", "rating", *quality.DIMENSIONS, "problems", "edit_url"])
        for record in report["records"]:
            writer.writerow([record["name"], record["title"], record["type"], record["score"], record["rating"],
                             *(record["dimensions"].get(name) for name in quality.DIMENSIONS),
                             "; ".join(_issue_label(code) for code in record["issues"]),
                             _edit_url(record, external=True)])
    else:
        writer.writerow(["scope", "name", "title", "records", "average", "poor"])
        writer.writerow(["national", "", "", report["count"], report["average"], report["ratings"].get("poor", 0)])
        for kind in ("organizations", "harvest_sources"):
            for row in report.get(kind, []):
                writer.writerow([kind[:-1], row["name"], row["title"], row["count"], row["average"], row["poor"]])
        writer.writerow([])
        writer.writerow(["problem", "dimension", "records"])
        for issue in report["issues"]:
            writer.writerow([_issue_label(issue["code"]), issue["dimension"], issue["records"]])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@stinfo_quality.route("/chat-luong")
def overview() -> str:
    """The national quality overview."""
    return _render(_report())


@stinfo_quality.route("/chat-luong.csv")
def overview_csv() -> Response:
    return _csv(_report(), "chat-luong.csv")


@stinfo_quality.route("/chat-luong/<organization>")
def organization(organization: str) -> str:
    """One organisation's quality report."""
    return _render(_report(organization=organization))


@stinfo_quality.route("/chat-luong/<organization>.csv")
def organization_csv(organization: str) -> Response:
    return _csv(_report(organization=organization), f"chat-luong-{organization}.csv")


@stinfo_quality.route("/chat-luong/nguon/<source>")
def source_quality(source: str) -> str:
    """The quality report of the records of one harvest source."""
    return _render(_report(harvest_source=source))


@stinfo_quality.route("/chat-luong/nguon/<source>.csv")
def source_quality_csv(source: str) -> Response:
    return _csv(_report(harvest_source=source), f"chat-luong-nguon-{source}.csv")


# ---------------------------------------------------------------- harvest reports

def _record_of(object_id: str) -> dict | None:
    from ckanext.harvest.model import HarvestObject

    obj = HarvestObject.get(object_id)
    package_id = obj.package_id if obj else None
    if obj is not None and not package_id:
        current = (model.Session.query(HarvestObject)
                   .filter(HarvestObject.guid == obj.guid, HarvestObject.harvest_source_id == obj.harvest_source_id,
                           HarvestObject.package_id.isnot(None))
                   .order_by(HarvestObject.import_finished.desc().nullslast()).first())
        package_id = current.package_id if current else None
    package = model.Package.get(package_id) if package_id else None
    if package is None or package.state == "deleted":
        return None
    record = {"name": package.name, "title": package.title, "type": package.type}
    record["url"] = toolkit.url_for(f"{package.type}.read", id=package.name)
    record["edit_url"] = _edit_url(record)
    return record


@stinfo_quality.route("/nguon-thu-thap/<source>")
def harvest_report(source: str) -> str:
    """A harvest source's last runs: counts for everyone, errors for its editors."""
    try:
        shown = toolkit.get_action("harvest_source_show")({"user": _user()}, {"id": source})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Harvest source not found"))
    try:
        toolkit.check_access("harvest_source_update", {"user": _user()}, {"id": shown["id"]})
        editor = True
    except toolkit.NotAuthorized:
        editor = False
    jobs = toolkit.get_action("harvest_job_list")({"ignore_auth": True}, {"source_id": shown["id"]})
    jobs = sorted(jobs, key=lambda job: job.get("created") or "", reverse=True)[:JOBS_SHOWN]
    for job in jobs:
        stats = job.get("stats") or {}
        job["counts"] = {"added": stats.get("added", 0), "updated": stats.get("updated", 0),
                         "deleted": stats.get("deleted", 0), "errored": stats.get("errored", 0),
                         "not_modified": stats.get("not modified", 0)}
        job["gather_errors"], job["object_errors"] = [], []
        if editor:
            report = toolkit.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job["id"]})
            job["gather_errors"] = [error["message"] for error in report["gather_errors"]]
            for object_id, entry in report["object_errors"].items():
                job["object_errors"].append({
                    "guid": entry.get("guid"), "original_url": entry.get("original_url"),
                    "record": _record_of(object_id),
                    "messages": [error["message"] for error in entry["errors"]],
                    "stage": ", ".join(sorted({error["type"] or "" for error in entry["errors"]}))})
    return toolkit.render("stinfo/harvest_report.html", extra_vars={
        "source": shown, "jobs": jobs, "editor": editor})


# ---------------------------------------------------------------- user guides

def _guide_path(guide: str, lang: str) -> Path | None:
    for code in (lang, "vi", "en"):
        path = GUIDES_DIR / code / f"{guide}.md"
        if path.is_file():
            return path
    return None


def _title(text: str, default: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else default


@stinfo_quality.route("/huong-dan")
def guides() -> str:
    """The list of user guides in the page's language."""
    lang = stinfo_lang()
    items = []
    for guide in GUIDES:
        path = _guide_path(guide, lang)
        if path:
            text = path.read_text(encoding="utf-8")
            summary = next((line for line in text.splitlines()[1:] if line.strip() and not line.startswith("#")), "")
            items.append({"slug": guide, "title": _title(text, guide), "summary": summary})
    return toolkit.render("stinfo/guides.html", extra_vars={"guides": items, "guide": None})


@stinfo_quality.route("/huong-dan/<guide>")
def guide(guide: str) -> str:
    """One user guide, rendered from Markdown."""
    import markdown

    path = _guide_path(guide, stinfo_lang()) if guide in GUIDES else None
    if path is None:
        return toolkit.abort(404, toolkit._("No such guide"))
    text = path.read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "toc", "fenced_code"])
    return toolkit.render("stinfo/guides.html", extra_vars={
        "guides": [], "guide": {"slug": guide, "title": _title(text, guide), "html": toolkit.literal(html)}})
