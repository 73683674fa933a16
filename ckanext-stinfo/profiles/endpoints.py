"""DCAT endpoints for every record type, not only ``dataset``.

ckanext-dcat serves ``/dataset/<id>.<format>`` and, with content negotiation on, answers
``/dataset/<id>`` with RDF when the client asks for it. A record of type ``st_task`` lives at
``/st_task/<name>``: these rules give it ``/st_task/<name>.ttl`` (``.rdf``, ``.xml``, ``.jsonld``,
``.n3``) and the same content negotiation, through ckanext-dcat's own views.
"""
from __future__ import annotations

from ckan.plugins import toolkit
from ckan.views.dataset import CreateView
from ckanext.dcat import utils as dcat_utils
from flask import Blueprint

#: Types ckanext-dcat already serves, or that are not catalogue records.
SKIPPED = frozenset({"dataset", "harvest", "dataset_series"})


def record_types() -> list[str]:
    """The dataset types of the site's scheming schemas."""
    try:
        from ckanext.scheming.helpers import scheming_dataset_schemas

        types = list(scheming_dataset_schemas() or {})
    except (ImportError, KeyError):
        types = []
    return [t for t in types if t not in SKIPPED]


def _read(_id, _format=None, package_type=None):
    return dcat_utils.read_dataset_page(_id, _format)


def blueprints() -> list[Blueprint]:
    blueprint = Blueprint("stinfo_dcat", __name__)
    negotiate = toolkit.asbool(toolkit.config.get(dcat_utils.ENABLE_CONTENT_NEGOTIATION_CONFIG))
    for record_type in record_types():
        blueprint.add_url_rule(f"/{record_type}/<_id>.<_format>", endpoint=f"{record_type}_rdf",
                               view_func=_read, defaults={"package_type": record_type})
        if negotiate:
            blueprint.add_url_rule(f"/{record_type}/new", endpoint=f"{record_type}_new",
                                   view_func=CreateView.as_view(f"{record_type}_new"),
                                   defaults={"package_type": record_type})
            blueprint.add_url_rule(f"/{record_type}/<_id>", endpoint=f"{record_type}_negotiate",
                                   view_func=_read, defaults={"package_type": record_type})
    return [blueprint]
