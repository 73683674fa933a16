"""schema.org additions for the JSON-LD embedded in every record page (search-engine discovery).

ckanext-dcat's ``schemaorg`` profile writes the ``schema:Dataset`` every CKAN dataset gets; the
``stinfo`` profile chained after it (``ckanext.dcat.structured_data.profiles = schemaorg stinfo``)
calls :func:`graph_from_dataset` to add what an STInfo record has beyond that: its names and
descriptions in Vietnamese and English, its kind of record, its identifiers (DOI, ORCID, ISSN,
ISBN, ROR, tax code, task code, standard and patent numbers, ...) as ``schema:PropertyValue`` with
the resolvable forms as ``schema:sameAs``, the tax code of its publisher, and its province.
Restricted fields are never written.
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckanext.stinfo import vocabularies
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from .mapping import SCHEMA, field_maps, restricted_names

RESOLVERS = {
    "doi": "https://doi.org/{}",
    "orcid": "https://orcid.org/{}",
    "issn": "https://portal.issn.org/resource/ISSN/{}",
    "ror": "{}",
}


def graph_from_dataset(g, dataset_dict: dict[str, Any], dataset_ref) -> None:
    from .stinfo import schema_for

    schema = schema_for(dataset_dict.get("type") or "dataset")
    hidden = restricted_names(schema)
    data = {k: v for k, v in dataset_dict.items() if k not in hidden}
    g.bind("schema", SCHEMA)

    for key, predicate in (("title", SCHEMA.name), ("notes", SCHEMA.description)):
        vi, en = (data.get(key) or "").strip(), (data.get(f"{key}_en") or "").strip()
        if vi or en:
            g.remove((dataset_ref, predicate, None))
        if vi:
            g.add((dataset_ref, predicate, Literal(vi, lang="vi")))
        if en:
            g.add((dataset_ref, predicate, Literal(en, lang="en")))

    record_type = vocabularies.vocabulary("record_types").get(data.get("type") or "dataset")
    if record_type is not None:
        g.add((dataset_ref, SCHEMA.additionalType, Literal(record_type.label.get("en") or record_type.code)))

    for fmap in field_maps(schema):
        if fmap.kind != "identifier" or not data.get(fmap.name):
            continue
        value = str(data[fmap.name]).strip()
        node = BNode()
        g.add((dataset_ref, SCHEMA.identifier, node))
        g.add((node, RDF.type, SCHEMA.PropertyValue))
        g.add((node, SCHEMA.propertyID, Literal(fmap.scheme.label_en)))
        g.add((node, SCHEMA.value, Literal(value)))
        if fmap.name in RESOLVERS:
            url = RESOLVERS[fmap.name].format(value)
            g.add((node, SCHEMA.url, Literal(url)))
            g.add((dataset_ref, SCHEMA.sameAs, URIRef(url)))

    publisher = g.value(dataset_ref, SCHEMA.publisher)
    org_id = (data.get("organization") or {}).get("id")
    group = model.Group.get(org_id) if org_id else None
    if publisher is not None and group is not None:
        for key, label in (("tax_code", "Tax code (MST)"), ("organization_code", "Organisation identifier")):
            if group.extras.get(key):
                node = BNode()
                g.add((publisher, SCHEMA.identifier, node))
                g.add((node, RDF.type, SCHEMA.PropertyValue))
                g.add((node, SCHEMA.propertyID, Literal(label)))
                g.add((node, SCHEMA.value, Literal(group.extras[key])))

    province = vocabularies.vocabulary("provinces").get(data.get("province") or "")
    if province is not None:
        place = BNode()
        g.add((dataset_ref, SCHEMA.spatialCoverage, place))
        g.add((place, RDF.type, SCHEMA.Place))
        g.add((place, SCHEMA.name, Literal(province.label.get("vi"), lang="vi")))
        if province.label.get("en"):
            g.add((place, SCHEMA.name, Literal(province.label["en"], lang="en")))
