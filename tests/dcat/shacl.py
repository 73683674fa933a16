"""pySHACL validation with a readable summary of the results."""
from __future__ import annotations

from collections import Counter

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")


def validate(data: Graph, shapes: Graph, *extra: Graph) -> dict[str, Counter]:
    """Validate ``data`` (plus the ``extra`` graphs, e.g. vocabularies) against ``shapes``.

    Returns the top-level results counted by severity, each keyed by (focus class or node,
    path, message).
    """
    from pyshacl import validate as pyshacl_validate

    graph = Graph()
    for part in (data, *extra):
        for triple in part:
            graph.add(triple)
    _conforms, report, _text = pyshacl_validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    found: dict[str, Counter] = {"Violation": Counter(), "Warning": Counter(), "Info": Counter()}
    for result_report in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(result_report, SH.result):
            severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
            focus = report.value(result, SH.focusNode)
            path = report.value(result, SH.resultPath)
            message = str(report.value(result, SH.resultMessage))
            found.setdefault(severity, Counter())[(str(focus), str(path), message[:200])] += 1
    return found


def summary(counter: Counter, limit: int = 40) -> str:
    return "\n".join(f"{count} x {focus} {path}: {message}" for (focus, path, message), count
                     in counter.most_common(limit))
