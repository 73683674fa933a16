"""STInfo actions and the chained core actions that guard what enters the catalogue."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.stinfo import audit, classification, facets, harvest_config, identifiers, personal_data
from ckanext.stinfo.vocabularies import vocabulary

__all__ = ["package_create", "package_update", "harvest_source_create", "harvest_source_update",
           "package_search", "harvest_source_list", "package_activity_list", "organization_activity_list",
           "group_activity_list", "user_activity_list", "dashboard_activity_list",
           "recently_changed_packages_activity_list", "activity_show", "activity_data_show",
           "stinfo_audit_list", "stinfo_personal_id_match", "stinfo_statistics",
           "stinfo_quality_report"]


def _refuse_state_secrets(data_dict: dict[str, Any]) -> None:
    if classification.is_state_secret(data_dict):
        raise toolkit.ValidationError({"state_secret": [toolkit._(classification.REFUSED)]})


@toolkit.chained_action
def package_create(up_func, context, data_dict):
    """Create a dataset, refusing records classified as state secrets; audits restricted fields."""
    _refuse_state_secrets(data_dict)
    result = up_func(context, data_dict)
    _audit_change(context, {}, result)
    return result


@toolkit.chained_action
def package_update(up_func, context, data_dict):
    """Update a dataset, refusing records classified as state secrets; audits restricted fields."""
    _refuse_state_secrets(data_dict)
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    before = audit.stored(package.id, personal_data.restricted_fields()) if package is not None else {}
    result = up_func(context, data_dict)
    _audit_change(context, before, result)
    return result


def _refuse_private_harvest_url(data_dict: dict[str, Any]) -> None:
    """A harvest source on loopback or a private network only if its host is allowed by config."""
    import socket

    from ckanext.stinfo.harvesters import http

    if not data_dict.get("url"):
        return
    try:
        http.check_host(str(data_dict["url"]), toolkit.config.get("ckanext.stinfo.harvest.allowed_hosts") or [])
    except http.SourceError as error:
        if isinstance(error.__cause__, socket.gaierror):
            return  # not resolvable now: the gather reports it
        raise toolkit.ValidationError({"url": [str(error)]}) from error


@toolkit.chained_action
def harvest_source_create(up_func, context, data_dict):
    """Create a harvest source, refusing URLs on loopback or private networks unless allowed."""
    toolkit.check_access("harvest_source_create", context, data_dict)
    _refuse_private_harvest_url(data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def harvest_source_update(up_func, context, data_dict):
    """Update a harvest source, refusing URLs on loopback or private networks unless allowed."""
    toolkit.check_access("harvest_source_update", context, data_dict)
    _refuse_private_harvest_url(data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def package_search(up_func, context, data_dict):
    """Search datasets; a harvest source's configuration only for those who may update it."""
    raw = bool(data_dict.get("fl"))
    result = up_func(context, data_dict)
    for found in result["results"]:
        if raw:  # stored index fields, which keep no configuration (unless indexed before)
            harvest_config.strip(found)
        elif found.get("type") == harvest_config.DATASET_TYPE:
            harvest_config.show(context, found)
    return result


@toolkit.chained_action
@toolkit.side_effect_free
def harvest_source_list(up_func, context, data_dict):
    """List harvest sources; a source's configuration only for those who may update it."""
    toolkit.check_access("harvest_source_list", context, data_dict)
    sources = up_func(context, data_dict)
    for source in sources:
        if not harvest_config.may_see(context, source["id"]):
            source.pop("config", None)
    return sources


@toolkit.chained_action
@toolkit.side_effect_free
def _activity_output(up_func, context, data_dict):
    """An activity output without the configurations of harvest sources the user may not update."""
    return harvest_config.hide(context, up_func(context, data_dict))


# Every activity output carrying the dataset dicts stored with the activities (activity_diff is
# refused instead: see logic/auth.py).
package_activity_list = organization_activity_list = group_activity_list = user_activity_list = \
    dashboard_activity_list = recently_changed_packages_activity_list = activity_show = activity_data_show = \
    _activity_output


def _audit_change(context, before: dict[str, Any], result: Any) -> None:
    """Write to the audit trail the restricted fields a create or update set or changed."""
    package_id = result.get("id") if isinstance(result, dict) else (result if isinstance(result, str) else None)
    package_id = package_id or getattr(context.get("package"), "id", None)
    if package_id:
        fields = personal_data.restricted_fields()
        audit.record_change(context, package_id, audit.changed_fields(before, package_id, fields))


def stinfo_audit_list(context, data_dict):
    """Who viewed or changed restricted fields, newest first (sysadmins only).

    :param package_id: only this record (id)
    :param user: only this user name
    :param limit: at most this many entries (default 100, at most 1000)
    :param offset: skip this many entries
    :rtype: list of dictionaries with ``id``, ``timestamp``, ``user``, ``action`` (``viewed`` or
        ``changed``), ``package_id`` and ``field``
    """
    toolkit.check_access("stinfo_audit_list", context, data_dict)
    try:
        limit = min(int(data_dict.get("limit", 100)), 1000)
        offset = int(data_dict.get("offset", 0))
    except (TypeError, ValueError) as error:
        raise toolkit.ValidationError({"limit": [toolkit._("Must be a whole number.")]}) from error
    if limit < 0 or offset < 0:
        raise toolkit.ValidationError({"limit": [toolkit._("Must be a whole number.")]})
    package_id = data_dict.get("package_id")
    if package_id:
        package = model.Package.get(package_id)
        package_id = package.id if package is not None else package_id
    return audit.entries(package_id, data_dict.get("user"), limit, offset)


def stinfo_personal_id_match(context, data_dict):
    """Names of the records that carry a personal identification number (sysadmins only).

    :param personal_id: the 12-digit number
    :rtype: list of dataset names
    """
    toolkit.check_access("stinfo_personal_id_match", context, data_dict)
    try:
        number = identifiers.normalize_personal_id(data_dict.get("personal_id") or "")
    except identifiers.IdentifierError as error:
        raise toolkit.ValidationError(
            {"personal_id": [toolkit._(error.template).format(**error.params)]}) from error
    stored = personal_data.fingerprint(number)
    rows = (
        model.Session.query(model.Package.name)
        .filter(sa.or_(*(model.Package.extras[name].astext == stored
                         for name in personal_data.restricted_fields())),
                model.Package.state == "active")
        .order_by(model.Package.name)
    )
    return [name for (name,) in rows]


# Dimension of the statistics -> (indexed field, title).
STATISTICS = {
    "record_type": ("dataset_type", identifiers.N_("Records by type")),
    "field_of_science": (facets.FIELD, identifiers.N_("Records by field of science")),
    "province": ("province", identifiers.N_("Records by province or city")),
    "year": (facets.YEAR, identifiers.N_("Records by year")),
    "organization": ("organization", identifiers.N_("Records by publisher")),
}


@toolkit.side_effect_free
def stinfo_statistics(context, data_dict):
    """Counts of the public records by type, field of science, province, year and publisher.

    A record with several fields of science counts once in each. Labels are in ``lang``.

    :param lang: ``vi`` (default) or ``en``
    :param q: an optional search query restricting the records counted
    :rtype: dictionary with ``total``, ``lang`` and ``dimensions``: each dimension has a
        ``title`` and ``items`` of ``code``, ``label`` and ``count`` (years in order, others
        by count)
    """
    toolkit.check_access("stinfo_statistics", context, data_dict)
    lang = data_dict.get("lang") or "vi"
    if lang not in ("vi", "en"):
        raise toolkit.ValidationError({"lang": [toolkit._("Language must be vi or en.")]})
    fields = [field for field, _title in STATISTICS.values()]
    search = toolkit.get_action("package_search")(
        {"ignore_auth": True},
        {"q": data_dict.get("q") or "", "rows": 0, "facet.field": fields, "facet.limit": -1,
         "include_private": False})
    dimensions = {}
    for key, (field, title) in STATISTICS.items():
        found = search["search_facets"].get(field, {}).get("items", [])
        items = [{"code": item["name"], "count": item["count"],
                  "label": facets.label(field, item["name"], lang, item.get("display_name"))} for item in found]
        if key == "year":
            items.sort(key=lambda item: item["code"])
        elif key == "record_type":
            order = vocabulary("record_types").codes()
            items.sort(key=lambda item: (-item["count"], order.index(item["code"]) if item["code"] in order else 99))
        else:
            items.sort(key=lambda item: (-item["count"], item["label"]))
        dimensions[key] = {"title": _translate(title, lang), "items": items}
    return {"total": search["count"], "lang": lang, "dimensions": dimensions}


def _translate(message: str, lang: str) -> str:
    """``message`` in ``lang``, whatever the language of the request."""
    if lang == "en":
        return message
    from flask_babel import force_locale

    with force_locale(lang):
        return toolkit._(message)


@toolkit.side_effect_free
def stinfo_quality_report(context, data_dict):
    """Metadata quality of the catalogue: national, of one organisation or of one harvest source.

    Anyone gets the national summary of the public records; members of an organisation its
    report, editors of a harvest source the source's; sysadmins everything (see
    :mod:`ckanext.stinfo.logic.quality_report`).

    :param organization: name or id of an organisation (optional)
    :param harvest_source: name or id of a harvest source (optional)
    :param limit: most records listed, worst first (default and at most 5000)
    :rtype: dictionary with ``scope``, ``count``, ``average``, ``ratings``, ``dimensions``,
        ``issues``, ``scale``; ``records`` for an organisation or a source; ``organizations``
        and ``harvest_sources`` in the national report for sysadmins
    """
    from ckanext.stinfo.logic import quality_report

    toolkit.check_access("stinfo_quality_report", context, data_dict)
    return quality_report.report(context, data_dict)
