"""The ``stinfo`` plugin: wires the extension's parts into CKAN."""
from __future__ import annotations

import json
from pathlib import Path

import ckan.plugins as p
import ckanext.stinfo.i18n
from ckan import model
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit
from ckanext.stinfo import audit, facets, full_text, harvest_config, js_i18n, personal_data, quality, views
from ckanext.stinfo.profiles import endpoints as dcat_endpoints

HERE = Path(__file__).parent


def _too_deeply_nested(_error):
    """A request body nested too deeply to decode (hostile JSON) is a 400, not a server error."""
    return json.dumps({"success": False, "error": {
        "__type": "Bad request", "message": "Request data nested too deeply"}}), 400, \
        {"Content-Type": "application/json;charset=utf-8"}


@toolkit.blanket.config_declarations
@toolkit.blanket.cli
@toolkit.blanket.validators
@toolkit.blanket.helpers
@toolkit.blanket.actions
@toolkit.blanket.auth_functions
@toolkit.blanket.blueprints(lambda: [getattr(views, name) for name in views.__all__] + dcat_endpoints.blueprints())
class StinfoPlugin(p.SingletonPlugin, DefaultTranslation):
    """Templates, translations, CLI, configuration, and the guards on personal data."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IMiddleware, inherit=True)

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    def make_middleware(self, app, config):
        # Flask compares the body size with MAX_CONTENT_LENGTH as a number; the ini gives a string.
        limit = config.get("MAX_CONTENT_LENGTH")
        if limit and hasattr(app, "config"):
            app.config["MAX_CONTENT_LENGTH"] = int(limit)
        if hasattr(app, "register_error_handler"):
            app.register_error_handler(RecursionError, _too_deeply_nested)
        # CKAN 2.12 builds the translations of its JavaScript modules only in `ckan run`.
        if toolkit.asbool(config.get("ckanext.stinfo.js_translations.build")):
            js_i18n.build()
        return app

    def i18n_directory(self):
        return str(Path(ckanext.stinfo.i18n.__file__).parent)

    def i18n_domain(self):
        return "ckanext-stinfo"

    def after_dataset_show(self, context, pkg_dict):
        personal_data.strip(pkg_dict)
        if pkg_dict.get("type") == harvest_config.DATASET_TYPE:
            harvest_config.show(context, pkg_dict)
        if not personal_data.for_the_index(context) and personal_data.may_see(context.get("user"),
                                                                              context.get("auth_user_obj")):
            package = model.Package.get(pkg_dict.get("id"))
            shown = []
            for name in personal_data.restricted_fields():
                if package is not None and package.extras.get(name):
                    pkg_dict[name] = package.extras[name]
                    shown.append(name)
            if shown:
                audit.record_view(context.get("user"), package.id, shown)
        return pkg_dict

    def before_dataset_index(self, pkg_dict):
        if pkg_dict.get("dataset_type") == harvest_config.DATASET_TYPE:
            harvest_config.strip(pkg_dict)
        pkg_dict = full_text.prepare(personal_data.strip(pkg_dict))
        record = quality.validated_record(pkg_dict)
        return quality.index_fields(facets.index_fields(pkg_dict, record), record)

    def dataset_facets(self, facets_dict, package_type):
        return facets.dataset_facets(facets_dict, package_type)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return facets.organization_facets(facets_dict)
