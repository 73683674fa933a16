"""The metadata quality of a record in DCAT, with the W3C Data Quality Vocabulary (DQV).

Each record gets one ``dqv:QualityMeasurement`` per dimension of :mod:`ckanext.stinfo.quality`
and one for the total score: ``dqv:isMeasurementOf`` a ``dqv:Metric`` of the project namespace
(``stinfo:quality-<dimension>``, in a ``dqv:Dimension`` of the same name; ``stinfo:quality-score``
for the total), ``dqv:value`` an ``xsd:integer`` of points, ``dqv:computedOn`` the record.
"""
from __future__ import annotations

from typing import Any

from ckanext.stinfo import quality
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from .mapping import STINFO

DQV = Namespace("http://www.w3.org/ns/dqv#")
METRIC_LABELS = {
    "score": ("Điểm chất lượng siêu dữ liệu (0-100)", "Metadata quality score (0-100)"),
    "findability": ("Khả năng tìm thấy", "Findability"),
    "accessibility": ("Khả năng truy cập", "Accessibility"),
    "interoperability": ("Khả năng liên thông", "Interoperability"),
    "reusability": ("Khả năng tái sử dụng", "Reusability"),
    "contextuality": ("Ngữ cảnh", "Contextuality"),
}


def metric(name: str) -> URIRef:
    return URIRef(STINFO + f"quality-{name}")


def _describe_metric(g, name: str, maximum: int) -> URIRef:
    ref = metric(name)
    if (ref, RDF.type, DQV.Metric) in g:
        return ref
    vi, en = METRIC_LABELS[name]
    g.add((ref, RDF.type, DQV.Metric))
    g.add((ref, SKOS.prefLabel, Literal(vi, lang="vi")))
    g.add((ref, SKOS.prefLabel, Literal(en, lang="en")))
    g.add((ref, SKOS.definition, Literal(f"0 to {maximum} points; scale at /huong-dan/quality", lang="en")))
    g.add((ref, DQV.expectedDataType, XSD.integer))
    dimension = URIRef(STINFO + f"quality-dimension-{name}")
    g.add((dimension, RDF.type, DQV.Dimension))
    g.add((dimension, SKOS.prefLabel, Literal(vi, lang="vi")))
    g.add((dimension, SKOS.prefLabel, Literal(en, lang="en")))
    g.add((ref, DQV.inDimension, dimension))
    return ref


def describe_quality(g, dataset_ref, dataset_dict: dict[str, Any]) -> None:
    """Add the record's quality measurements to ``g``."""
    g.bind("dqv", DQV)
    result = quality.assess(dataset_dict)
    values = {"score": (result["score"], 100)}
    for name, (maximum, _title) in quality.DIMENSIONS.items():
        values[name] = (result["dimensions"][name], maximum)
    for name, (value, maximum) in values.items():
        measurement = BNode()
        g.add((dataset_ref, DQV.hasQualityMeasurement, measurement))
        g.add((measurement, RDF.type, DQV.QualityMeasurement))
        g.add((measurement, DQV.computedOn, dataset_ref))
        g.add((measurement, DQV.isMeasurementOf, _describe_metric(g, name, maximum)))
        g.add((measurement, DQV.value, Literal(value, datatype=XSD.integer)))
