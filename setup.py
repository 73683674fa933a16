"""STInfo: Vietnam's national S&T information catalogue, as one CKAN extension distribution.

The extension code lives in ``ckanext-stinfo/``; ``harvesters/``, ``schemas/`` and ``i18n/`` sit
at the top level of the repository and install as sub-packages of ``ckanext.stinfo``.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
ROOTS = {
    "ckanext.stinfo": "ckanext-stinfo",
    "ckanext.stinfo.harvesters": "harvesters",
    "ckanext.stinfo.schemas": "schemas",
    "ckanext.stinfo.i18n": "i18n",
    "ckanext.stinfo.docs": "docs",
}


def _packages():
    """Every package under each root, named in the ``ckanext.stinfo`` namespace."""
    found = []
    for name, root in ROOTS.items():
        for init in sorted((HERE / root).rglob("__init__.py")):
            rel = init.parent.relative_to(HERE / root)
            found.append(".".join([name, *rel.parts]))
    return found


class BuildWithCatalogs(build_py):
    """Compile the Babel ``.po`` catalogues into ``.mo`` files while building."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target = Path(self.build_lib) / "ckanext" / "stinfo" / "i18n"
        for po in (HERE / "i18n").rglob("*.po"):
            out = target / po.relative_to(HERE / "i18n").with_suffix(".mo")
            out.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as src, out.open("wb") as dst:
                write_mo(dst, read_po(src))


setup(
    name="ckanext-stinfo",
    version="0.1.0",
    description="National information system on science, technology and innovation (Vietnam)",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    package_dir=ROOTS,
    packages=_packages(),
    package_data={
        "ckanext.stinfo": [
            "config_declaration.yaml",
            "templates/**/*",
            "assets/**/*",
            "public/**/*",
            "migration/**/*",
        ],
        "ckanext.stinfo.schemas": ["*.yaml", "vocabularies/*.yaml"],
        "ckanext.stinfo.harvesters": ["**/*.json", "**/*.xml", "**/*.csv"],
        "ckanext.stinfo.docs": ["*.md", "guides/*/*.md"],
        "ckanext.stinfo.i18n": ["*.pot", "*/LC_MESSAGES/*.po", "*/LC_MESSAGES/*.mo"],
    },
    install_requires=[
        "ckan[requirements]==2.12.0",
        "ckanext-scheming==3.1.0",
        "ckanext-dcat==2.4.4",
        "ckanext-harvest==1.6.3",
        "python-stdnum==2.2",
        "openpyxl==3.1.5",
        "lxml==6.1.1",
    ],
    cmdclass={"build_py": BuildWithCatalogs},
    entry_points={
        "ckan.plugins": [
            "stinfo = ckanext.stinfo.plugin:StinfoPlugin",
            "stinfo_st_tasks = ckanext.stinfo.harvesters.st_tasks:StTaskHarvester",
            "stinfo_publications = ckanext.stinfo.harvesters.oai_pmh:OaiPmhHarvester",
            "stinfo_rd_organizations = ckanext.stinfo.harvesters.registry:OrganizationRegistryHarvester",
            "stinfo_researchers = ckanext.stinfo.harvesters.registry:ResearcherRegistryHarvester",
            "stinfo_ip_publications = ckanext.stinfo.harvesters.ip:IpPublicationsHarvester",
            "stinfo_ip_representatives = ckanext.stinfo.harvesters.ip:IpRepresentativesHarvester",
            "stinfo_standards = ckanext.stinfo.harvesters.standards:StandardsHarvester",
            "stinfo_tbt = ckanext.stinfo.harvesters.standards:TbtHarvester",
            "stinfo_radiation = ckanext.stinfo.harvesters.radiation:RadiationMonitoringHarvester",
            "stinfo_radiation_sources_stats = ckanext.stinfo.harvesters.radiation_sources:SourceStatisticsHarvester",
            "stinfo_enterprises = ckanext.stinfo.harvesters.enterprises:EnterpriseHarvester",
            "stinfo_catalogues = ckanext.stinfo.harvesters.catalogues:CataloguesPlugin",
        ],
        "ckan.rdf.profiles": [
            "stinfo = ckanext.stinfo.profiles:StinfoProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext-stinfo": [
            ("**.py", "python", {"keywords": "_ N_ ngettext:1,2"}),
            ("**.html", "ckan", None),
        ],
        "harvesters": [("**.py", "python", {"keywords": "_ N_ ngettext:1,2"})],
    },
)
