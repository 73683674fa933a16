"""The ``stinfo`` plugin: wires the extension's parts into CKAN."""
from __future__ import annotations

from pathlib import Path

import ckan.plugins as p
import ckanext.stinfo.i18n
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

HERE = Path(__file__).parent


@toolkit.blanket.config_declarations
@toolkit.blanket.cli
@toolkit.blanket.validators
@toolkit.blanket.helpers
class StinfoPlugin(p.SingletonPlugin, DefaultTranslation):
    """Templates, translations, CLI and configuration of STInfo."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    def i18n_directory(self):
        return str(Path(ckanext.stinfo.i18n.__file__).parent)

    def i18n_domain(self):
        return "ckanext-stinfo"
