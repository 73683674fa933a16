"""The shared category lists as SKOS, and the concept descriptions the DCAT output carries.

Every concept the DCAT output points to (a field of science, a province, an EU data theme, a
licence, ...) is described in the output itself: ``a skos:Concept``, its ``skos:prefLabel`` in
Vietnamese and English and its ``skos:inScheme``, with the scheme titled. A harvester then needs
no other file to show the labels, and the DCAT-AP class constraints on ``skos:Concept`` hold.
:func:`vocabulary_graph` gives the whole of every list, for publication or for a validator.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from ckanext.stinfo import vocabularies
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .mapping import (
    ACCESS_RIGHTS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    DCT,
    EU,
    IDENTIFIERS,
    LANGUAGES,
    LICENCE_TYPE_LABELS,
    NAMESPACES,
    PUBLISHER_TYPE_LABELS,
    SCHEME_TITLES,
)


def scheme_of(uri: str) -> str:
    """The concept scheme of a concept URI: the URI without its last path segment."""
    return uri.rstrip("/").rsplit("/", 1)[0]


@functools.cache
def _lists_by_scheme() -> dict[str, str]:
    """Scheme URI -> name of the list whose concepts live under it (project URIs only)."""
    found: dict[str, str] = {}
    for name in vocabularies.names():
        for concept in vocabularies.vocabulary(name).items:
            found.setdefault(scheme_of(concept.uri), name)
    return found


def scheme_titles(scheme: str) -> dict[str, str]:
    """Titles of a concept scheme in vi and en."""
    if scheme in SCHEME_TITLES:
        vi, en = SCHEME_TITLES[scheme]
        return {"vi": vi, "en": en}
    name = _lists_by_scheme().get(scheme)
    if name:
        return dict(vocabularies.vocabulary(name).title)
    tail = scheme.rstrip("/").rsplit("/", 1)[-1]
    return {"en": tail.replace("-", " ").capitalize()}


def describe_scheme(g: Graph, scheme: str, titles: Mapping[str, str] | None = None) -> URIRef:
    ref = URIRef(scheme)
    if (ref, RDF.type, SKOS.ConceptScheme) not in g:
        g.add((ref, RDF.type, SKOS.ConceptScheme))
        for lang, title in (titles or scheme_titles(scheme)).items():
            g.add((ref, DCT.title, Literal(title, lang=lang)))
    return ref


def describe_concept(g: Graph, uri: str, labels: Mapping[str, str], scheme: str | None = None,
                     types: Iterable[URIRef] = ()) -> URIRef:
    """Add ``uri a skos:Concept`` with its labels and scheme (and any further classes)."""
    ref = URIRef(uri)
    for cls in types:
        g.add((ref, RDF.type, cls))
    if (ref, RDF.type, SKOS.Concept) in g:
        return ref
    g.add((ref, RDF.type, SKOS.Concept))
    for lang, label in labels.items():
        if label:
            g.add((ref, SKOS.prefLabel, Literal(label, lang=lang)))
    if not any(labels.values()):
        g.add((ref, SKOS.prefLabel, Literal(uri.rstrip("/").rsplit("/", 1)[-1])))
    scheme = scheme or scheme_of(uri)
    g.add((ref, SKOS.inScheme, describe_scheme(g, scheme)))
    return ref


def describe_list_concept(g: Graph, list_name: str, code: str, types: Iterable[URIRef] = ()) -> URIRef | None:
    """Describe the concept ``code`` of a shared list; None for an unknown code."""
    concept = vocabularies.vocabulary(list_name).get(code)
    if concept is None:
        return None
    ref = describe_concept(g, concept.uri, concept.label, types=types)
    g.add((ref, SKOS.notation, Literal(concept.code)))
    return ref


def language_uri(code: str) -> str | None:
    entry = LANGUAGES.get(code)
    return f"{EU}language/{entry[0]}" if entry else None


def describe_language(g: Graph, code: str) -> URIRef | None:
    entry = LANGUAGES.get(code)
    if entry is None:
        return None
    return describe_concept(g, f"{EU}language/{entry[0]}", {"vi": entry[1], "en": entry[2]},
                            types=(DCT.LinguisticSystem,))


def describe_access_right(g: Graph, code: str) -> URIRef:
    vi, en = ACCESS_RIGHTS[code]
    return describe_concept(g, f"{EU}access-right/{code}", {"vi": vi, "en": en}, types=(DCT.RightsStatement,))


def describe_publisher_type(g: Graph, code: str) -> URIRef:
    vi, en = PUBLISHER_TYPE_LABELS[code]
    return describe_concept(g, ADMS_PUBLISHER_TYPE + code, {"vi": vi, "en": en}, scheme=ADMS_PUBLISHER_TYPE + "1.0")


def describe_licence_type(g: Graph, code: str) -> URIRef:
    vi, en = LICENCE_TYPE_LABELS[code]
    return describe_concept(g, ADMS_LICENCE_TYPE + code, {"vi": vi, "en": en}, scheme=ADMS_LICENCE_TYPE + "1.0")


def vocabulary_graph(choice_fields: Iterable = ()) -> Graph:
    """Every shared category list as a SKOS concept scheme, the EU concepts the lists do not
    hold (languages, access rights, publisher and licence types), the identifier schemes, and
    the concepts minted for inline choices of the ``choice_fields`` (:class:`FieldMap`)."""
    g = Graph()
    for prefix, namespace in NAMESPACES.items():
        g.bind(prefix, namespace)
    for name in vocabularies.names():
        vocab = vocabularies.vocabulary(name)
        for concept in vocab.items:
            ref = describe_concept(g, concept.uri, concept.label)
            g.add((ref, SKOS.notation, Literal(concept.code)))
            if concept.parent:
                g.add((ref, SKOS.broader, URIRef(vocab.uri(concept.parent))))
    for code in LANGUAGES:
        describe_language(g, code)
    for code in ACCESS_RIGHTS:
        describe_access_right(g, code)
    for code in PUBLISHER_TYPE_LABELS:
        describe_publisher_type(g, code)
    for code in LICENCE_TYPE_LABELS:
        describe_licence_type(g, code)
    for scheme in IDENTIFIERS.values():
        ref = URIRef(scheme.uri)
        g.add((ref, RDF.type, RDFS.Datatype))
        g.add((ref, RDFS.label, Literal(scheme.label_vi, lang="vi")))
        g.add((ref, RDFS.label, Literal(scheme.label_en, lang="en")))
    for fmap in choice_fields:
        describe_scheme(g, fmap.choice_base.rstrip("/"), fmap.label or {"en": fmap.name})
        for value, labels in fmap.choices:
            ref = describe_concept(g, fmap.choice_base + value, labels, scheme=fmap.choice_base.rstrip("/"))
            g.add((ref, SKOS.notation, Literal(value)))
    return g
