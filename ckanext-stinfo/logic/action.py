"""STInfo actions and the chained core actions that guard what enters the catalogue."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.stinfo import classification, identifiers, personal_data

__all__ = ["package_create", "package_update", "stinfo_personal_id_match"]


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
