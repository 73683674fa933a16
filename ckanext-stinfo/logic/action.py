"""STInfo actions and the chained core actions that guard what enters the catalogue."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.stinfo import classification, facets, identifiers, personal_data
from ckanext.stinfo.vocabularies import vocabulary

__all__ = ["package_create", "package_update", "stinfo_personal_id_match", "stinfo_statistics"]


def _refuse_state_secrets(data_dict: dict[str, Any]) -> None:
    if classification.is_state_secret(data_dict):
        raise toolkit.ValidationError({"state_secret": [toolkit._(classification.REFUSED)]})


@toolkit.chained_action
def package_create(up_func, context, data_dict):
    """Create a dataset, refusing records classified as state secrets."""
    _refuse_state_secrets(data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def package_update(up_func, context, data_dict):
    """Update a dataset, refusing records classified as state secrets."""
    _refuse_state_secrets(data_dict)
    return up_func(context, data_dict)


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
