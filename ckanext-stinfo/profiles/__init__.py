"""RDF profiles of STInfo for ckanext-dcat (entry point ``stinfo`` in ``ckan.rdf.profiles``).

- :mod:`.stinfo`: DCAT-AP 3 output and parsing of every record type, chained after
  ``euro_dcat_ap_3``; schema.org additions when chained after ``schemaorg``.
- :mod:`.schemaorg`: the schema.org part (identifiers and bilingual names in record pages).
- :mod:`.mapping`: which DCAT-AP (or ``stinfo:``) property each schema field goes to.
- :mod:`.skos`: the shared category lists as SKOS, and the concept descriptions in the output.
- :mod:`.endpoints`: the DCAT endpoints of every record type (``/<type>/<name>.<format>``).
"""
from .stinfo import StinfoProfile

__all__ = ["StinfoProfile"]
