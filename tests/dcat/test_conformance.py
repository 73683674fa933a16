"""The catalogue STInfo publishes for the national open data portal conforms to DCAT-AP 3.0.1.

The whole demo catalogue (every record type, distributions included) is fetched from the
catalogue endpoint as an anonymous client and validated with pySHACL against the official
DCAT-AP 3.0.1 shapes in tests/standards/dcat-ap-3.0.1/, with the SKOS graph of the shared
category lists loaded: zero violations. Warnings (recommended properties, non-EU concepts next
to the EU ones) are allowed.
"""
import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from .shacl import summary, validate

FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}


def _graph(app, url, fmt="turtle"):
    response = app.get(url)
    assert response.status_code == 200, url
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


@pytest.mark.usefixtures("demo_catalogue")
class TestConformance:
    def test_the_whole_catalogue_has_no_violation(self, app, shapes, vocabularies_graph):
        catalogue = _graph(app, "/catalog.ttl")
        datasets = set(catalogue.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == 15
        found = validate(catalogue, shapes, vocabularies_graph)
        assert not found["Violation"], summary(found["Violation"])

    def test_the_output_alone_has_no_violation(self, app, shapes):
        """Every concept the output points to is described in it: no vocabulary file needed."""
        found = validate(_graph(app, "/catalog.ttl"), shapes)
        assert not found["Violation"], summary(found["Violation"])

    def test_every_record_alone_has_no_violation(self, app, shapes):
        catalogue = _graph(app, "/catalog.ttl")
        records = sorted(catalogue.subjects(RDF.type, DCAT.Dataset))
        assert records
        for record in records:
            record_id = str(record).rsplit("/", 1)[-1]
            found = validate(_graph(app, f"/dataset/{record_id}.ttl"), shapes)
            assert not found["Violation"], f"{record}:\n" + summary(found["Violation"])

    @pytest.mark.parametrize("extension", ["rdf", "xml", "jsonld"])
    def test_every_format_carries_the_same_catalogue(self, app, extension):
        turtle = _graph(app, "/catalog.ttl")
        other = _graph(app, f"/catalog.{extension}", FORMATS[extension])
        assert set(other.subjects(RDF.type, DCAT.Dataset)) == set(turtle.subjects(RDF.type, DCAT.Dataset))
        assert len(other) == len(turtle)
