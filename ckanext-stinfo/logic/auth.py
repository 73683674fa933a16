"""Authorisation of STInfo actions, and tighter rules for harvest objects."""
from __future__ import annotations

from ckan import model
from ckan.plugins import toolkit
from ckanext.harvest.logic.auth import get_obj_object
from ckanext.stinfo import harvest_config

__all__ = ["stinfo_audit_list", "stinfo_personal_id_match", "harvest_object_show", "harvest_object_list",
           "activity_diff",
           "stinfo_statistics", "stinfo_quality_report"]


def stinfo_personal_id_match(context, data_dict):
    """Matching personal numbers is for sysadmins only (who pass every check anyway)."""
    return {"success": False}


def stinfo_audit_list(context, data_dict):
    """The audit trail of restricted fields is for sysadmins only (who pass every check anyway)."""
    return {"success": False}


@toolkit.chained_auth_function
def harvest_object_show(next_auth, context, data_dict):
    """A harvest object holds the raw source record: only the source's editors may read it."""
    try:
        obj = get_obj_object(context, data_dict)
        toolkit.check_access("harvest_source_update", context, {"id": obj.harvest_source_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return {"success": False, "msg": toolkit._("Only editors of the harvest source can read its raw records")}
    return next_auth(context, data_dict)


@toolkit.chained_auth_function
def harvest_object_list(next_auth, context, data_dict):
    """Listing raw harvest objects is for sysadmins only."""
    return {"success": False}


@toolkit.chained_auth_function
@toolkit.auth_allow_anonymous_access
def activity_diff(next_auth, context, data_dict):
    """Versions of a harvest source differ in its configuration: only its editors may compare them."""
    from ckanext.activity.model import Activity

    activity = model.Session.get(Activity, data_dict.get("id") or "")
    package = model.Package.get(activity.object_id) if activity is not None and activity.object_id else None
    if package is not None and package.type == harvest_config.DATASET_TYPE \
            and not harvest_config.may_see(context, package.id):
        return {"success": False, "msg": toolkit._("Only editors of the harvest source can compare its versions")}
    return next_auth(context, data_dict)


@toolkit.auth_allow_anonymous_access
def stinfo_statistics(context, data_dict):
    """The statistics of the public catalogue are public."""
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def stinfo_quality_report(context, data_dict):
    """National summary: anyone; an organisation: its members; a harvest source: its editors."""
    from ckanext.stinfo.logic import quality_report

    return quality_report.auth(context, data_dict)
