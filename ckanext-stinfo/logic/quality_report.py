"""The metadata quality report: national, per organisation, per harvest source (from the index).

Who sees what (``stinfo_quality_report`` auth):

- anyone, anonymous included: the national summary of the public records (average score,
  ratings, points per dimension, counts of each kind of problem), no record and no publisher;
- members, editors and admins of an organisation: its report, private records included, with
  every record, its score and its problems;
- editors of a harvest source (the editors of its organisation): the source's report, likewise;
- sysadmins: everything, and in the national report the roll-up per organisation and per source.
"""
from __future__ import annotations

import json
from typing import Any

from ckan import authz, model
from ckan.plugins import toolkit
from ckanext.stinfo import quality

RECORD_LIMIT = 5000
POOR = f"{quality.SCORE}:[* TO {quality.RATINGS[-2][0]} }}"


def _scope(context: dict[str, Any], data_dict: dict[str, Any]) -> tuple[str, Any]:
    """``("national", None)``, ``("organization", Group)`` or ``("harvest_source", HarvestSource)``."""
    if data_dict.get("organization"):
        group = model.Group.get(data_dict["organization"])
        if group is None or not group.is_organization or group.state != "active":
            raise toolkit.ObjectNotFound(toolkit._("Organisation not found"))
        return "organization", group
    if data_dict.get("harvest_source"):
        from ckanext.harvest.model import HarvestSource

        source = HarvestSource.get(data_dict["harvest_source"])
        if source is None:
            package = model.Package.get(data_dict["harvest_source"])
            source = HarvestSource.get(package.id) if package is not None else None
        if source is None or not source.active:
            raise toolkit.ObjectNotFound(toolkit._("Harvest source not found"))
        return "harvest_source", source
    return "national", None


def auth(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    if authz.is_sysadmin(user):
        return {"success": True}
    try:
        kind, target = _scope(context, data_dict)
    except toolkit.ObjectNotFound:
        return {"success": False, "msg": toolkit._("Not found")}
    if kind == "national":
        return {"success": True}
    if kind == "organization":
        if user and authz.has_user_permission_for_group_or_org(target.id, user, "read"):
            return {"success": True}
        return {"success": False, "msg": toolkit._("Only members of the organisation may see its quality report")}
    try:
        toolkit.check_access("harvest_source_update", {"user": user}, {"id": target.id})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": toolkit._("Only editors of the harvest source may see its quality report")}
    return {"success": True}


def _solr(fq: list[str], **params: Any):
    from ckan.lib.search.common import make_connection

    base = [f'+site_id:"{toolkit.config.get("ckan.site_id")}"', "+entity_type:package", "+state:active",
            "-dataset_type:harvest"]
    return make_connection().search(q="*:*", fq=base + fq, **params)


def _source_package_ids(source_id: str) -> list[str]:
    from ckanext.harvest.model import HarvestObject

    rows = (model.Session.query(HarvestObject.package_id)
            .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.current == True,  # noqa: E712
                    HarvestObject.package_id.isnot(None)).distinct())
    return [pid for (pid,) in rows]


def _summary(facets: dict[str, Any]) -> dict[str, Any]:
    count = facets.get("count", 0)
    summary = {
        "count": count,
        "average": round(facets.get("avg") or 0, 1) if count else None,
        "ratings": {code: (facets.get(f"rating_{code}") or {}).get("count", 0) for _low, code, _t in quality.RATINGS},
        "dimensions": {name: round(facets.get(f"dim_{name}") or 0, 1) if count else None
                       for name in quality.DIMENSIONS},
    }
    issues: dict[str, dict[str, Any]] = {}
    for bucket in (facets.get("issues") or {}).get("buckets", []):
        code, _sep, field = bucket["val"].partition(":")
        entry = issues.setdefault(code, {"code": code, "dimension": quality.ISSUE_DIMENSION.get(code, ""),
                                         "records": 0, "fields": {}})
        if field:
            entry["fields"][field] = bucket["count"]
            entry["records"] = max(entry["records"], bucket["count"])
        else:
            entry["records"] += bucket["count"]
    summary["issues"] = sorted(issues.values(), key=lambda item: -item["records"])
    return summary


def _aggregations() -> dict[str, Any]:
    facets: dict[str, Any] = {"avg": f"avg({quality.SCORE})",
                              "issues": {"type": "terms", "field": quality.ISSUES, "limit": -1}}
    for name in quality.DIMENSIONS:
        facets[f"dim_{name}"] = f"avg({quality.DIMENSION_FIELD.format(name)})"
    ratings = [low for low, _c, _t in quality.RATINGS]
    for index, (low, code, _title) in enumerate(quality.RATINGS):
        high = f"{ratings[index - 1]} }}" if index else "* ]"
        facets[f"rating_{code}"] = {"type": "query", "q": f"{quality.SCORE}:[{low} TO {high}"}
    return facets


def _roll_up(fq: list[str], field: str) -> list[dict[str, Any]]:
    facet = {"groups": {"type": "terms", "field": field, "limit": -1,
                        "facet": {"avg": f"avg({quality.SCORE})",
                                  "poor": {"type": "query", "q": POOR}}}}
    found = _solr(fq, rows=0, **{"json.facet": json.dumps(facet)})
    rows = []
    for bucket in ((found.raw_response.get("facets") or {}).get("groups") or {}).get("buckets", []):
        rows.append({"id": bucket["val"], "count": bucket["count"], "average": round(bucket.get("avg") or 0, 1),
                     "poor": (bucket.get("poor") or {}).get("count", 0)})
    return rows


def report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """See :func:`ckanext.stinfo.logic.action.stinfo_quality_report`."""
    kind, target = _scope(context, data_dict)
    sysadmin = authz.is_sysadmin(context.get("user"))
    fq: list[str] = []
    result: dict[str, Any] = {"scope": kind, "name": None, "title": None, "scale": scale()}
    if kind == "organization":
        fq.append(f'+owner_org:"{target.id}"')
        result.update(name=target.name, title=target.title or target.name, id=target.id)
    elif kind == "harvest_source":
        ids = _source_package_ids(target.id)
        fq.append("{!terms f=id}" + ",".join(ids) if ids else "-id:*")
        package = model.Package.get(target.id)
        result.update(name=package.name if package else target.id, title=target.title or target.url, id=target.id)
    elif not sysadmin:
        fq.append("+capacity:public")
    found = _solr(fq, rows=0, **{"json.facet": json.dumps(_aggregations())})
    facets = found.raw_response.get("facets") or {}
    result.update(_summary(facets))
    if kind == "national":
        if sysadmin:
            groups = model.Session.query(model.Group).filter(model.Group.is_organization)
            names = {g.id: (g.name, g.title or g.name) for g in groups}
            result["organizations"] = [
                {**row, "name": names.get(row["id"], (row["id"], row["id"]))[0],
                 "title": names.get(row["id"], (row["id"], row["id"]))[1]}
                for row in _roll_up(fq, "owner_org")]
            result["harvest_sources"] = _source_roll_up()
        return result
    limit = min(int(data_dict.get("limit") or RECORD_LIMIT), RECORD_LIMIT)
    fields = ["id", "name", "title", "dataset_type", "organization", quality.SCORE, quality.ISSUES,
              *(quality.DIMENSION_FIELD.format(name) for name in quality.DIMENSIONS)]
    rows = _solr(fq, rows=limit, fl=",".join(fields), sort=f"{quality.SCORE} asc, name asc")
    result["records"] = [{
        "id": doc["id"], "name": doc["name"], "title": doc.get("title"), "type": doc.get("dataset_type"),
        "score": doc.get(quality.SCORE), "rating": quality.rating(doc.get(quality.SCORE) or 0)[0],
        "dimensions": {name: doc.get(quality.DIMENSION_FIELD.format(name)) for name in quality.DIMENSIONS},
        "issues": doc.get(quality.ISSUES) or [],
    } for doc in rows.docs]
    return result


def _source_roll_up() -> list[dict[str, Any]]:
    try:
        from ckanext.harvest.model import HarvestSource
    except ImportError:
        return []
    rows = []
    for source in model.Session.query(HarvestSource).filter(HarvestSource.active == True):  # noqa: E712
        ids = _source_package_ids(source.id)
        if not ids:
            rows.append({"id": source.id, "name": source.id, "title": source.title, "count": 0,
                         "average": None, "poor": 0})
            continue
        found = _solr(["{!terms f=id}" + ",".join(ids)], rows=0, **{"json.facet": json.dumps({
            "avg": f"avg({quality.SCORE})",
            "poor": {"type": "query", "q": POOR}})})
        facets = found.raw_response.get("facets") or {}
        package = model.Package.get(source.id)
        rows.append({"id": source.id, "name": package.name if package else source.id, "title": source.title,
                     "count": facets.get("count", 0), "average": round(facets.get("avg") or 0, 1),
                     "poor": (facets.get("poor") or {}).get("count", 0)})
    return rows


def scale() -> dict[str, Any]:
    """The published scale: dimensions with their maximum points, ratings with their lowest score."""
    return {"dimensions": {name: points for name, (points, _title) in quality.DIMENSIONS.items()},
            "ratings": {code: low for low, code, _title in quality.RATINGS}, "maximum": 100}
