"""The ``stinfo`` plugin: wires the extension's parts into CKAN."""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckanext.stinfo.i18n
from ckan import model
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit
from ckanext.stinfo import facets, personal_data, views
from ckanext.stinfo.profiles import endpoints as dcat_endpoints

HERE = Path(__file__).parent


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

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    def i18n_directory(self):
        return str(Path(ckanext.stinfo.i18n.__file__).parent)

    def i18n_domain(self):
        return "ckanext-stinfo"

    def after_dataset_show(self, context, pkg_dict):
        personal_data.strip(pkg_dict)
        if personal_data.may_see(context.get("user")):
            package = model.Package.get(pkg_dict.get("id"))
            for name in personal_data.restricted_fields():
                if package is not None and package.extras.get(name):
                    pkg_dict[name] = package.extras[name]
        return pkg_dict

    def before_dataset_index(self, pkg_dict):
        return facets.index_fields(personal_data.strip(pkg_dict))

    def dataset_facets(self, facets_dict, package_type):
        return facets.dataset_facets(facets_dict, package_type)

    def organization_facets(self, facets_dict, organization_type, package_type):
        return facets.organization_facets(facets_dict)
