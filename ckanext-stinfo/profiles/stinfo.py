"""The ``stinfo`` RDF profile: STInfo records as DCAT-AP 3, and back.

Chained after ckanext-dcat's ``euro_dcat_ap_3`` (which already carries the scheming-aware parts of
``euro_dcat_ap_scheming``): that profile writes what every CKAN dataset has (identifier, dates,
keywords, landing page, distributions with their URLs); this one completes and corrects it for
STInfo records, field by field as :mod:`.mapping` says, and parses the same RDF back into the
fields of the record type named by ``dct:type``, so that another STInfo-schema site harvesting
the catalogue gets the records it was given.

Chained after ckanext-dcat's ``schemaorg`` profile (``ckanext.dcat.structured_data.profiles``),
the same class adds the record's identifiers and bilingual names to the schema.org JSON-LD of
the record pages (see :mod:`.schemaorg`).

Restricted fields (``restricted: true`` in a schema, e.g. a researcher's personal
identification number) are never written, whoever asks.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.utils import catalog_uri, dataset_uri, resource_uri
from ckanext.stinfo import vocabularies
from dateutil.parser import parse as parse_date
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, FOAF, PROV, RDF, RDFS, SKOS, XSD

from . import schemaorg
from .mapping import (
    ADMS,
    ADMS_LICENCE_TYPE,
    DCT,
    EU,
    IANA,
    IDENTIFIERS,
    LANGUAGES,
    LICENCE_TYPES,
    LOCN,
    NAMESPACES,
    PERIODS,
    PROVENANCE,
    PUBLISHER_TYPES,
    SCHEMA,
    STINFO,
    VCARD,
    FieldMap,
    field_maps,
    has_field,
    restricted_names,
)
from .quality import describe_quality
from .skos import (
    describe_access_right,
    describe_concept,
    describe_language,
    describe_licence_type,
    describe_list_concept,
    describe_publisher_type,
    describe_scheme,
    scheme_of,
)

log = logging.getLogger(__name__)

UNKNOWN_IPR = URIRef(ADMS_LICENCE_TYPE + "UnknownIPR")
DEFAULT_THEME = "TECH"
CATALOG_PUBLISHER = "ckanext.stinfo.dcat.catalog_publisher"
CATALOG_TEXTS = {
    "title": {
        "vi": "Hệ thống thông tin quốc gia về khoa học, công nghệ và đổi mới sáng tạo (STInfo)",
        "en": "National Science, Technology and Innovation Information System of Viet Nam (STInfo)",
    },
    "description": {
        "vi": "Danh mục dữ liệu mở về nhiệm vụ khoa học và công nghệ, công bố khoa học, tổ chức và nhân lực "
              "khoa học và công nghệ, sở hữu trí tuệ, tiêu chuẩn, quy chuẩn, an toàn bức xạ và thống kê "
              "khoa học, công nghệ và đổi mới sáng tạo.",
        "en": "Open data catalogue of Viet Nam's S&T tasks, scientific publications, S&T organisations and "
              "researchers, intellectual property, standards and technical regulations, radiation safety "
              "and science, technology and innovation statistics.",
    },
}
CATALOG_PUBLISHER_NAMES = {
    "vi": "Cục Thông tin, Thống kê, Bộ Khoa học và Công nghệ",
    "en": "Department of Information and Statistics, Ministry of Science and Technology",
}
CATALOG_LICENCE = "cc-by"


# ---------------------------------------------------------------- small helpers

def site_url() -> str:
    return (toolkit.config.get("ckan.site_url") or catalog_uri()).rstrip("/")


def record_page(record_type: str, name: str) -> str:
    """The web page of a record: its DCAT landing page."""
    return f"{site_url()}/{record_type or 'dataset'}/{name}"


def organization_page(name: str) -> str:
    return f"{site_url()}/organization/{name}"


def organization_uri(org_id: str) -> str:
    """The URI ckanext-dcat gives a publishing organisation."""
    return f"{catalog_uri().rstrip('/')}/organization/{org_id}"


def as_list(value: Any) -> list[Any]:
    """A list field's value whether it comes as a list, a JSON string or a single value."""
    if value in (None, "", []):
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return [v for v in loaded if v not in (None, "")]
        return [text]
    return [value]


def is_url(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(("http://", "https://"))


def licence_concept(ckan_id: str | None = None, code: str | None = None):
    """The licences list entry for a CKAN licence id or a list code."""
    vocab = vocabularies.vocabulary("licenses")
    if code:
        return vocab.get(code)
    for concept in vocab.items:
        if ckan_id and concept.extra.get("ckan_id") == ckan_id:
            return concept
    return None


def schema_for(dataset_type: str | None) -> dict[str, Any] | None:
    if not dataset_type:
        return None
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return None
    return scheming_get_dataset_schema(dataset_type)


def _record_types() -> set[str]:
    return set(vocabularies.vocabulary("record_types").codes())


# ---------------------------------------------------------------- the profile

class StinfoProfile(RDFProfile):
    """DCAT-AP 3 for STInfo records (chained after ``euro_dcat_ap_3``), and schema.org additions
    (chained after ``schemaorg``)."""

    # ------------------------------------------------------------ serialising

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        if (dataset_ref, RDF.type, SCHEMA.Dataset) in g and (dataset_ref, RDF.type, DCAT.Dataset) not in g:
            schemaorg.graph_from_dataset(g, dataset_dict, dataset_ref)
            return
        _bind(g)
        _DatasetWriter(g, dataset_dict, dataset_ref).write()
        describe_quality(g, dataset_ref, dataset_dict)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        g = self.g
        _bind(g)
        catalog_dict = catalog_dict or {}
        for key, predicate in (("title", DCT.title), ("description", DCT.description)):
            if catalog_dict.get(key):
                continue
            g.remove((catalog_ref, predicate, None))
            for lang, text in CATALOG_TEXTS[key].items():
                value = toolkit.config.get(f"ckanext.stinfo.dcat.catalog_{key}_{lang}") or text
                g.add((catalog_ref, predicate, Literal(value, lang=lang)))
        g.remove((catalog_ref, DCT.language, None))
        for code in ("vi", "en"):
            g.add((catalog_ref, DCT.language, describe_language(g, code)))
        if (catalog_ref, FOAF.homepage, catalog_ref) in g:
            # the catalogue URI is the site URL: its home page gets its own IRI, a foaf:Document
            g.remove((catalog_ref, FOAF.homepage, catalog_ref))
            g.add((catalog_ref, FOAF.homepage, URIRef(str(catalog_ref).rstrip("/") + "/")))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        if (catalog_ref, DCT.issued, None) not in g:
            first = _first_record_created()
            if first:
                g.add((catalog_ref, DCT.issued, _datetime_literal(first)))
        if (catalog_ref, DCT.publisher, None) not in g:
            g.add((catalog_ref, DCT.publisher, _catalog_publisher(g)))
        for list_name, sample in (("data_themes", "TECH"), ("fields_of_science", "1"),
                                  ("management_fields", "science_technology")):
            scheme = scheme_of(vocabularies.vocabulary(list_name).uri(sample))
            g.add((catalog_ref, DCAT.themeTaxonomy, describe_scheme(g, scheme)))
        if (catalog_ref, DCT.license, None) not in g:
            g.add((catalog_ref, DCT.license, _describe_licence(g, licence_concept(ckan_id=CATALOG_LICENCE))))

    # ------------------------------------------------------------ parsing

    def parse_dataset(self, dataset_dict, dataset_ref):
        parsed = _DatasetReader(self.g, dataset_dict, dataset_ref).read()
        dataset_dict.clear()
        dataset_dict.update(parsed)
        return dataset_dict


def _bind(g) -> None:
    for prefix, namespace in NAMESPACES.items():
        g.bind(prefix, namespace, override=True, replace=True)


# ---------------------------------------------------------------- agents and licences

def _first_record_created() -> str | None:
    try:
        found = toolkit.get_action("package_search")(
            {"ignore_auth": True}, {"sort": "metadata_created asc", "rows": 1, "fl": "metadata_created"})
    except toolkit.ValidationError:
        return None
    results = found.get("results") or []
    return results[0].get("metadata_created") if results else None


def _org_cache(g) -> dict[str, Any]:
    cache = getattr(g, "_stinfo_orgs", None)
    if cache is None:
        cache = {}
        g._stinfo_orgs = cache
    return cache


class RelatedRecord(NamedTuple):
    id: str
    name: str
    type: str
    uri: str | None


def _relation_names(datasets: Iterable[dict[str, Any]]) -> set[str]:
    names: set[str] = set()
    for dataset in datasets:
        for fmap in field_maps(schema_for(dataset.get("type") or "dataset")):
            if fmap.kind == "relation":
                names.update(str(v) for v in as_list(dataset.get(fmap.name)) if v and not is_url(str(v)))
    return names


def related_records(g, names: Iterable[str]) -> dict[str, RelatedRecord | None]:
    """The records (not deleted) that relation values name, by id or name, cached per graph: the
    ones not yet known are looked up in one query (with their ``uri``), as ``Package.get`` would
    (an id first, then a name)."""
    cache = getattr(g, "_stinfo_records", None)
    if cache is None:
        cache = g._stinfo_records = {}
    missing = [n for n in dict.fromkeys(names) if n not in cache]
    if missing:
        uri = model.Package.extras["uri"].astext
        rows = (model.Session.query(model.Package.id, model.Package.name, model.Package.type, model.Package.state, uri)
                .filter(sa.or_(model.Package.id.in_(missing), model.Package.name.in_(missing))).all())
        by_id = {row.id: row for row in rows}
        by_name = {row.name: row for row in rows}
        for name in missing:
            row = by_id.get(name) or by_name.get(name)
            cache[name] = (RelatedRecord(row.id, row.name, row.type, row[4] or None)
                           if row is not None and row.state != "deleted" else None)
    return {n: cache[n] for n in names}


def prefetch_relations(g, datasets: Iterable[dict[str, Any]]) -> None:
    """Look up the records and organisations that ``datasets`` name (publishers, relations), one
    query for each kind (e.g. for a page)."""
    datasets = list(datasets)
    names = _relation_names(datasets)
    found = related_records(g, names)
    publishers = {d.get("owner_org") for d in datasets} | {(d.get("organization") or {}).get("id") for d in datasets}
    _prefetch_organizations(g, ({n for n, record in found.items() if record is None} | publishers) - {None, ""})


def _prefetch_organizations(g, keys: set[str]) -> None:
    cache = _org_cache(g)
    missing = [k for k in keys if k not in cache]
    if not missing:
        return
    groups = model.Session.query(model.Group).filter(
        sa.or_(model.Group.id.in_(missing), model.Group.name.in_(missing))).all()
    by_id, by_name = {grp.id: grp for grp in groups}, {grp.name: grp for grp in groups}
    for key in missing:
        group = by_id.get(key) or by_name.get(key)
        cache[key] = group if group is not None and group.is_organization and group.state == "active" else None


def _organization(g, id_or_name: str | None):
    """The active organisation with this id or name (cached per graph), or None."""
    if not id_or_name:
        return None
    cache = _org_cache(g)
    if id_or_name not in cache:
        group = model.Group.get(id_or_name)
        cache[id_or_name] = group if group is not None and group.is_organization and group.state == "active" else None
    return cache[id_or_name]


def _describe_organization(g, group, ref=None):
    """Describe a publishing organisation as a ``foaf:Agent``: names, type, identifiers, page."""
    ref = ref or URIRef(organization_uri(group.id))
    extras = group.extras or {}
    g.add((ref, RDF.type, FOAF.Agent))
    g.add((ref, RDF.type, FOAF.Organization))
    for name in list(g.objects(ref, FOAF.name)):
        if isinstance(name, Literal) and not name.language:
            g.remove((ref, FOAF.name, name))
    g.add((ref, FOAF.name, Literal(group.title or group.name, lang="vi")))
    g.add((ref, FOAF.page, _document(g, organization_page(group.name))))
    kind = PUBLISHER_TYPES.get(extras.get("organization_kind") or "")
    if kind and (ref, DCT.type, None) not in g:
        g.add((ref, DCT.type, describe_publisher_type(g, kind)))
    if extras.get("website") and is_url(extras["website"]):
        g.set((ref, FOAF.homepage, _document(g, extras["website"].strip())))
    for mbox in list(g.objects(ref, FOAF.mbox)):
        if isinstance(mbox, Literal):
            g.remove((ref, FOAF.mbox, mbox))
    if extras.get("email"):
        g.add((ref, FOAF.mbox, URIRef("mailto:" + extras["email"].strip())))
    if extras.get("tax_code"):
        g.set((ref, DCT.identifier, Literal(extras["tax_code"])))
    for key in ("tax_code", "organization_code"):
        if extras.get(key):
            _add_identifier(g, ref, IDENTIFIERS[key], extras[key])
    if extras.get("province"):
        concept = describe_list_concept(g, "provinces", extras["province"], types=(DCT.Location,))
        if concept is not None:
            g.add((ref, DCT.spatial, concept))
    return ref


def _catalog_publisher(g):
    group = _organization(g, toolkit.config.get(CATALOG_PUBLISHER) or "cuc-thong-tin-thong-ke")
    if group is not None:
        return _describe_organization(g, group)
    ref = BNode()
    g.add((ref, RDF.type, FOAF.Agent))
    g.add((ref, RDF.type, FOAF.Organization))
    for lang, name in CATALOG_PUBLISHER_NAMES.items():
        g.add((ref, FOAF.name, Literal(name, lang=lang)))
    g.add((ref, DCT.type, describe_publisher_type(g, "NationalAuthority")))
    return ref


def _document(g, url: str) -> URIRef:
    ref = URIRef(url)
    g.add((ref, RDF.type, FOAF.Document))
    return ref


def _add_identifier(g, subject, scheme, value) -> None:
    notation = Literal(str(value).strip(), datatype=URIRef(scheme.uri))
    if any((node, SKOS.notation, notation) in g for node in g.objects(subject, ADMS.identifier)):
        return
    node = BNode()
    g.add((subject, ADMS.identifier, node))
    g.add((node, RDF.type, ADMS.Identifier))
    g.add((node, SKOS.notation, notation))
    if scheme.agency:
        g.add((node, ADMS.schemaAgency, Literal(scheme.agency)))


def _describe_licence(g, concept) -> URIRef:
    """Describe a licence of the licences list as ``dct:LicenseDocument`` with its ADMS types."""
    ref = describe_concept(g, concept.uri, concept.label, types=(DCT.LicenseDocument,))
    kinds = LICENCE_TYPES.get(concept.code, ("UnknownIPR",))
    for kind in kinds:
        g.add((ref, DCT.type, describe_licence_type(g, kind)))
    if kinds != ("UnknownIPR",):
        g.remove((ref, DCT.type, UNKNOWN_IPR))
    if concept.extra.get("url"):
        g.add((ref, RDFS.seeAlso, URIRef(concept.extra["url"])))
    return ref


# ---------------------------------------------------------------- writing one record

class _DatasetWriter:
    def __init__(self, g, dataset_dict, ref):
        self.g = g
        self.ref = ref
        self.type = dataset_dict.get("type") or "dataset"
        self.schema = schema_for(self.type)
        from ckanext.stinfo.personal_data import restricted_fields

        hidden = set(restricted_names(self.schema)) | set(restricted_fields())
        self.hidden_values = {str(dataset_dict[k]) for k in hidden if len(str(dataset_dict.get(k) or "")) >= 6}
        self.d = {k: v for k, v in dataset_dict.items() if k not in hidden}
        self.d["extras"] = [e for e in dataset_dict.get("extras") or [] if e.get("key") not in hidden]
        self.licence = licence_concept(ckan_id=self.d.get("license_id"))

    def write(self):
        self._texts()
        self._record_type()
        self._landing_page()
        self._publisher()
        self._contact_point()
        self._licence_and_rights()
        self._fields()
        self._periods()
        self._themes()
        self._provenance()
        self._distributions()
        self._scrub()

    # -- core

    def _texts(self):
        g, ref, d = self.g, self.ref, self.d
        for key, predicate in (("title", DCT.title), ("notes", DCT.description)):
            if isinstance(d.get(f"{key}_translated"), dict):
                continue
            g.remove((ref, predicate, None))
            vi, en = (d.get(key) or "").strip(), (d.get(f"{key}_en") or "").strip()
            if vi:
                g.add((ref, predicate, Literal(vi, lang="vi")))
            if en:
                g.add((ref, predicate, Literal(en, lang="en")))
        if (ref, DCT.description, None) not in g and d.get("title"):
            # dct:description is mandatory in DCAT-AP: a record without one is described by its title
            g.add((ref, DCT.description, Literal(d["title"], lang="vi")))

    def _record_type(self):
        concept = describe_list_concept(self.g, "record_types", self.type)
        if concept is not None:
            self.g.add((self.ref, DCT.type, concept))

    def _landing_page(self):
        if self.d.get("name"):
            self.g.add((self.ref, DCAT.landingPage, _document(self.g, record_page(self.type, self.d["name"]))))
        for page in self.g.objects(self.ref, DCAT.landingPage):
            self.g.add((page, RDF.type, FOAF.Document))

    def _publisher(self):
        org = self.d.get("organization") or {}
        publisher = self.g.value(self.ref, DCT.publisher)
        group = _organization(self.g, org.get("id") or self.d.get("owner_org"))
        if group is None:
            return
        expected = URIRef(organization_uri(group.id))
        if publisher is None:
            self.g.add((self.ref, DCT.publisher, expected))
            publisher = expected
        if publisher == expected:
            _describe_organization(self.g, group, publisher)

    def _contact_point(self):
        g, ref, d = self.g, self.ref, self.d
        contacts = list(g.objects(ref, DCAT.contactPoint))
        if not contacts:
            group = _organization(g, (d.get("organization") or {}).get("id") or d.get("owner_org"))
            own = any(d.get(k) for k in ("email", "website"))
            if own:
                name, email, website = d.get("title"), d.get("email"), d.get("website")
            elif group is not None:
                name, email, website = group.title, group.extras.get("email"), group.extras.get("website")
            else:
                return
            node = BNode()
            g.add((ref, DCAT.contactPoint, node))
            g.add((node, RDF.type, VCARD.Organization))
            if name:
                g.add((node, VCARD.fn, Literal(name, lang="vi")))
            if email:
                g.add((node, VCARD.hasEmail, URIRef("mailto:" + email.strip())))
            if website and is_url(website):
                g.add((node, VCARD.hasURL, URIRef(website.strip())))
            contacts = [node]
        for node in contacts:
            g.add((node, RDF.type, VCARD.Kind))

    def _licence_and_rights(self):
        g, ref = self.g, self.ref
        if self.licence is not None:
            g.add((ref, DCT.license, _describe_licence(g, self.licence)))
        if (ref, DCT.accessRights, None) not in g:
            code = "NON_PUBLIC" if self.d.get("private") else "PUBLIC"
            g.add((ref, DCT.accessRights, describe_access_right(g, code)))

    # -- the schema fields

    def _fields(self):
        g, ref = self.g, self.ref
        prefetch_relations(g, [self.d])
        # values ckanext-dcat wrote from the same keys in a form DCAT-AP does not accept
        for predicate in (DCAT.theme, DCT.language, DCT.accrualPeriodicity, DCT.conformsTo):
            g.remove((ref, predicate, None))
        for fmap in field_maps(self.schema):
            value = self.d.get(fmap.name)
            values = as_list(value) if fmap.multiple else ([value] if value not in (None, "", []) else [])
            if not values:
                continue
            writer = getattr(self, f"_write_{fmap.kind}", None)
            if writer is None:
                continue
            writer(fmap, values)

    def _write_text(self, fmap: FieldMap, values):
        if fmap.multiple:
            self.g.add((self.ref, fmap.predicate, _rdf_list(self.g, [Literal(str(v)) for v in values])))
            return
        for value in values:
            self.g.add((self.ref, fmap.predicate, Literal(str(value))))

    def _write_date(self, fmap, values):
        for value in values:
            text = str(value)
            datatype = XSD.date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
            self.g.add((self.ref, fmap.predicate, Literal(text, datatype=datatype)))

    def _write_year(self, fmap, values):
        for value in values:
            text = str(value)
            self.g.add((self.ref, fmap.predicate, Literal(text, datatype=XSD.gYear if text.isdigit() else None)))

    def _write_integer(self, fmap, values):
        for value in values:
            text = str(value).strip()
            literal = Literal(text, datatype=XSD.nonNegativeInteger) if text.isdigit() else Literal(text)
            self.g.add((self.ref, fmap.predicate, literal))

    def _write_coordinate(self, fmap, values):
        for value in values:
            try:
                literal = Literal(Decimal(str(value)), datatype=XSD.decimal)
            except InvalidOperation:
                literal = Literal(str(value))
            self.g.add((self.ref, fmap.predicate, literal))
        if fmap.name == "latitude" and _is_number(self.d.get("latitude")) and _is_number(self.d.get("longitude")):
            location = BNode()
            self.g.add((self.ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            wkt = f"POINT({self.d['longitude']} {self.d['latitude']})"
            self.g.add((location, DCAT.centroid, Literal(wkt, datatype=URIRef(NAMESPACES["gsp"] + "wktLiteral"))))

    def _write_concept(self, fmap, values):
        extra_types = {DCT.spatial: (DCT.Location,), DCT.accrualPeriodicity: (DCT.Frequency,)}
        for code in values:
            concept = describe_list_concept(self.g, fmap.vocabulary, str(code),
                                            types=extra_types.get(fmap.predicate, ()))
            if concept is None:
                log.warning("%s: unknown %s code %r left out of DCAT", self.d.get("name"), fmap.vocabulary, code)
                continue
            self.g.add((self.ref, fmap.predicate, concept))

    def _write_choice(self, fmap, values):
        labels = dict(fmap.choices)
        describe_scheme(self.g, fmap.choice_base.rstrip("/"), fmap.label or {"en": fmap.name})
        for value in values:
            concept = describe_concept(self.g, fmap.choice_base + str(value), labels.get(str(value)) or {},
                                       scheme=fmap.choice_base.rstrip("/"))
            self.g.add((concept, SKOS.notation, Literal(str(value))))
            self.g.add((self.ref, fmap.predicate, concept))

    def _write_identifier(self, fmap, values):
        for value in values:
            _add_identifier(self.g, self.ref, fmap.scheme, value)

    def _write_relation(self, fmap, values):
        targets = [self._relation_target(str(name)) for name in values]
        if fmap.multiple:
            self.g.add((self.ref, fmap.predicate, _rdf_list(self.g, targets)))
        else:
            self.g.add((self.ref, fmap.predicate, targets[0]))
        for target in targets:
            if fmap.also is not None:
                self.g.add((self.ref, fmap.also, target))

    def _relation_target(self, name: str) -> URIRef:
        """The dataset URI of the record called ``name`` (or the URI of an organisation)."""
        g = self.g
        if is_url(name):
            return URIRef(name)
        record = related_records(g, [name]).get(name)
        if record is not None:
            target = URIRef(dataset_uri({"id": record.id, "extras": [
                {"key": "uri", "value": record.uri}] if record.uri else []}))
            g.add((target, DCAT.landingPage, _document(g, record_page(record.type, record.name))))
            return target
        group = _organization(g, name)
        if group is not None:
            return _describe_organization(g, group)
        return URIRef(f"{catalog_uri().rstrip('/')}/dataset/{name}")

    def _write_agents(self, fmap, values):
        for position, name in enumerate(values, 1):
            node = BNode()
            self.g.add((self.ref, fmap.predicate, node))
            self.g.add((node, RDF.type, FOAF.Agent))
            self.g.add((node, FOAF.name, Literal(str(name))))
            self.g.add((node, SCHEMA.position, Literal(position)))

    def _write_language(self, fmap, values):
        for code in values:
            concept = describe_language(self.g, str(code))
            if concept is not None:
                self.g.add((self.ref, DCT.language, concept))

    def _write_standard(self, fmap, values):
        for value in values:
            if is_url(value):
                node = URIRef(value.strip())
            else:
                node = BNode()
                self.g.add((node, RDFS.label, Literal(str(value))))
            self.g.add((node, RDF.type, DCT.Standard))
            self.g.add((self.ref, DCT.conformsTo, node))

    def _write_homepage(self, fmap, values):
        for value in values:
            if is_url(value):
                self.g.add((self.ref, fmap.predicate, _document(self.g, value.strip())))
            else:
                self.g.add((self.ref, fmap.predicate, Literal(str(value))))

    def _write_mailbox(self, fmap, values):
        for value in values:
            self.g.add((self.ref, fmap.predicate, URIRef("mailto:" + str(value).strip())))

    def _write_address(self, fmap, values):
        for value in values:
            node = BNode()
            self.g.add((self.ref, fmap.predicate, node))
            self.g.add((node, RDF.type, LOCN.Address))
            self.g.add((node, LOCN.fullAddress, Literal(str(value))))

    def _write_period(self, fmap, values):
        """Periods are written per pair by :meth:`_periods`."""

    def _periods(self):
        g, ref, d = self.g, self.ref, self.d
        for start_key, end_key in PERIODS:
            if not (has_field(self.schema, start_key) or has_field(self.schema, end_key)):
                continue
            start, end = d.get(start_key), d.get(end_key)
            if start_key == "temporal_start" or not (start or end):
                continue  # ckanext-dcat writes temporal_start/temporal_end itself
            period = BNode()
            g.add((period, RDF.type, DCT.PeriodOfTime))
            for value, predicate in ((start, DCAT.startDate), (end, DCAT.endDate)):
                if value:
                    _add_date(g, period, predicate, str(value))
            g.add((ref, DCT.temporal, period))

    def _themes(self):
        """At least one EU data theme: the record's own, else the one of its management field."""
        if has_field(self.schema, "theme"):
            return
        concept = vocabularies.vocabulary("management_fields").get(self.d.get("management_field") or "")
        code = concept.extra.get("data_theme") if concept else None
        theme = describe_list_concept(self.g, "data_themes", code or DEFAULT_THEME)
        if theme is not None:
            self.g.add((self.ref, DCAT.theme, theme))

    # -- provenance

    def _provenance(self):
        g, ref, d = self.g, self.ref, self.d
        system, url, record_id, at, digest = (d.get(k) for k in PROVENANCE)
        statement = BNode()
        g.add((ref, DCT.provenance, statement))
        g.add((statement, RDF.type, DCT.ProvenanceStatement))
        if not any((system, url, record_id)):
            g.add((statement, RDFS.label, Literal("Nhập trực tiếp trên STInfo bởi cơ quan công bố.", lang="vi")))
            g.add((statement, RDFS.label, Literal("Entered directly in STInfo by the publisher.", lang="en")))
        else:
            where_vi = f" {system}" if system else " hệ thống nguồn"
            where_en = f" {system}" if system else " the source system"
            rid_vi = f" (mã bản ghi {record_id})" if record_id else ""
            rid_en = f" (record {record_id})" if record_id else ""
            at_vi = f" lúc {at}" if at else ""
            at_en = f" at {at}" if at else ""
            g.add((statement, RDFS.label, Literal(f"Thu thập từ{where_vi}{rid_vi}{at_vi}.", lang="vi")))
            g.add((statement, RDFS.label, Literal(f"Collected from{where_en}{rid_en}{at_en}.", lang="en")))
            source = URIRef(url.strip()) if is_url(url) else BNode()
            g.add((ref, PROV.wasDerivedFrom, source))
            g.add((source, RDF.type, PROV.Entity))
            if url and not is_url(url):
                g.add((source, STINFO.sourceUrl, Literal(url)))
            if record_id:
                g.add((source, DCT.identifier, Literal(str(record_id))))
            if system:
                agent = BNode()
                g.add((source, PROV.wasAttributedTo, agent))
                g.add((agent, RDF.type, PROV.SoftwareAgent))
                g.add((agent, RDFS.label, Literal(system)))
        if at:
            g.add((ref, PROV.generatedAtTime, _datetime_literal(at)))
        if digest:
            g.add((ref, STINFO.contentHash, Literal(digest)))

    # -- distributions

    def _distributions(self):
        g, ref = self.g, self.ref
        formats = vocabularies.vocabulary("formats")
        for resource in self.d.get("resources") or []:
            if not resource.get("id") and not resource.get("uri"):
                continue
            dist = URIRef(resource_uri(resource))
            for predicate in (DCT.title, DCT.description, DCT["format"], DCAT.mediaType, DCT.license):
                for value in list(g.objects(dist, predicate)):
                    g.remove((dist, predicate, value))
                    if isinstance(value, Literal):
                        g.remove((value, None, None))
            for key, predicate, lang in (("name", DCT.title, "vi"), ("name_en", DCT.title, "en"),
                                         ("description", DCT.description, "vi")):
                if (resource.get(key) or "").strip():
                    g.add((dist, predicate, Literal(resource[key].strip(), lang=lang)))
            concept = formats.get((resource.get("format") or "").strip()) or formats.get(
                (resource.get("format") or "").strip().upper())
            url = (resource.get("url") or "").strip()
            if concept is not None and concept.code == "API":
                service = BNode()
                g.add((dist, DCAT.accessService, service))
                g.add((service, RDF.type, DCAT.DataService))
                g.add((service, DCT.title, Literal(resource.get("name") or concept.label.get("vi"), lang="vi")))
                if is_url(url):
                    g.add((service, DCAT.endpointURL, URIRef(url)))
                g.add((service, DCAT.servesDataset, ref))
            elif concept is not None and concept.uri.startswith(EU):
                g.add((dist, DCT["format"], describe_concept(g, concept.uri, concept.label,
                                                            types=(DCT.MediaTypeOrExtent,))))
                if concept.extra.get("media_type"):
                    media = URIRef(IANA + concept.extra["media_type"])
                    g.add((media, RDF.type, DCT.MediaType))
                    g.add((dist, DCAT.mediaType, media))
            licence = licence_concept(code=resource.get("license")) or self.licence
            if licence is not None:
                g.add((dist, DCT.license, _describe_licence(g, licence)))
            if resource.get("url_type") == "upload" and is_url(url):
                g.add((dist, DCAT.downloadURL, URIRef(url)))
        # the base profile marks every distribution licence "UnknownIPR", even a literal one
        for subject, _p, _o in list(g.triples((None, DCT.type, UNKNOWN_IPR))):
            if isinstance(subject, Literal):
                g.remove((subject, DCT.type, UNKNOWN_IPR))

    # -- last guard

    def _scrub(self):
        """Remove any literal carrying the value of a restricted field, wherever it came from."""
        if not self.hidden_values:
            return
        for s, p, o in list(self.g.triples((None, None, None))):
            if isinstance(o, Literal) and any(hidden in str(o) for hidden in self.hidden_values):
                self.g.remove((s, p, o))


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return value not in (None, "")


def _rdf_list(g, items) -> BNode:
    """An ``rdf:Seq`` of ``items``: the order of a list field is part of its value. (A sequence,
    not an ``rdf:List``: RDF/XML collections cannot hold literals.)"""
    head = BNode()
    g.add((head, RDF.type, RDF.Seq))
    for position, item in enumerate(items, 1):
        g.add((head, RDF[f"_{position}"], item))
    return head


def _list_items(g, node) -> list:
    """The items of an ``rdf:Seq`` or ``rdf:List`` (or the node itself when it is neither)."""
    if isinstance(node, BNode) and (node, RDF.type, RDF.Seq) in g:
        members = [(int(str(p).rsplit("_", 1)[1]), o) for p, o in g.predicate_objects(node)
                   if re.fullmatch(r".*#_\d+", str(p))]
        return [o for _position, o in sorted(members)]
    if isinstance(node, BNode) and (node, RDF.first, None) in g:
        return list(Collection(g, node))
    return [node]


def _add_date(g, subject, predicate, value: str) -> None:
    if re.fullmatch(r"\d{4}", value):
        g.add((subject, predicate, Literal(value, datatype=XSD.gYear)))
    elif re.fullmatch(r"\d{4}-\d{2}", value):
        g.add((subject, predicate, Literal(value, datatype=XSD.gYearMonth)))
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        g.add((subject, predicate, Literal(value, datatype=XSD.date)))
    else:
        g.add((subject, predicate, _datetime_literal(value)))


def _datetime_literal(value: Any) -> Literal:
    try:
        return Literal(parse_date(str(value)).isoformat(), datatype=XSD.dateTime)
    except (ValueError, OverflowError):
        return Literal(str(value))


# ---------------------------------------------------------------- reading one record

#: Extras of the base profiles' parse that STInfo fields take over.
CONSUMED_EXTRAS = frozenset({
    "dcat_type", "theme", "language", "conforms_to", "frequency", "alternate_identifier",
    "related_resource", "is_referenced_by", "temporal_start", "temporal_end", "spatial_uri",
    "spatial_text", "spatial", "spatial_bbox", "spatial_centroid", "homepage", "provenance",
    "access_rights", "source", "documentation", "has_version", "is_version_of", "sample",
    "creator_uri", "creator_name", "creator_email", "creator_url", "creator_type", "creator_identifier",
})
#: Root keys the scheming part of euro_dcat_ap_3 may add, kept only if the schema has them.
SCHEMING_KEYS = ("publisher", "creator", "contact", "qualified_relation", "temporal_coverage",
                 "spatial_coverage", "provenance_activity", "qualified_attribution", "has_version")


class _DatasetReader:
    def __init__(self, g, parsed, ref):
        self.g = g
        self.ref = ref
        self.base = parsed
        self.type = self._record_type()
        self.schema = schema_for(self.type) if self.type else None
        if self.schema is None:
            self.type = None
            self.schema = schema_for("dataset")

    def _record_type(self) -> str | None:
        vocab = vocabularies.vocabulary("record_types")
        for value in self.g.objects(self.ref, DCT.type):
            concept = vocab.by_uri(str(value))
            if concept is not None:
                return concept.code
        return None

    def read(self) -> dict[str, Any]:
        base = self.base
        out: dict[str, Any] = {}
        if self.type:
            out["type"] = self.type
        out["tags"] = base.get("tags") or []
        out["resources"] = base.get("resources") or []
        if base.get("version"):
            out["version"] = base["version"]
        for key in SCHEMING_KEYS:
            if base.get(key) and has_field(self.schema, key):
                out[key] = base[key]
        self._texts(out)
        self._name_and_url(out)
        self._owner(out)
        self._licence(out)
        for fmap in field_maps(self.schema):
            reader = getattr(self, f"_read_{fmap.kind}", None)
            value = reader(fmap) if reader else None
            if value not in (None, "", []):
                out[fmap.name] = value
        self._periods(out)
        self._provenance(out)
        self._contact(out)
        self._resources(out)
        fields = {f["field_name"] for f in (self.schema or {}).get("dataset_fields", [])}
        consumed = CONSUMED_EXTRAS if self.type else frozenset()
        out["extras"] = [
            e for e in base.get("extras") or []
            if e["key"] not in consumed and e["key"] not in fields and e["key"] not in out
            and not (("maintainer" in out or "maintainer_email" in out) and e["key"].startswith("contact_"))
        ]
        return out

    # -- helpers

    def _literals(self, subject, predicate):
        return [o for o in self.g.objects(subject, predicate) if isinstance(o, Literal)]

    def _by_lang(self, subject, predicate) -> tuple[str, str]:
        vi = en = plain = ""
        for literal in self._literals(subject, predicate):
            if literal.language == "vi":
                vi = str(literal)
            elif literal.language == "en":
                en = str(literal)
            elif not literal.language:
                plain = plain or str(literal)
        return vi or plain, en

    def _name_of(self, uri) -> str:
        """The record or organisation name behind a URI of our output (else the URI itself)."""
        types = _record_types()
        for page in self.g.objects(uri, DCAT.landingPage):
            match = re.search(r"/([a-z_]+)/([a-z0-9_-]+)/?$", str(page))
            if match and match.group(1) in types:
                return match.group(2)
        for page in self.g.objects(uri, FOAF.page):
            match = re.search(r"/organization/([a-z0-9_-]+)/?$", str(page))
            if match:
                return match.group(1)
        match = re.search(r"/dataset/([a-z0-9_-]+)/?$", str(uri))
        if match and not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                      match.group(1)):
            return match.group(1)
        return str(uri)

    # -- core

    def _texts(self, out):
        for key, predicate in (("title", DCT.title), ("notes", DCT.description)):
            vi, en = self._by_lang(self.ref, predicate)
            if vi or en:
                out[key] = vi or en
            if en and has_field(self.schema, f"{key}_en"):
                out[f"{key}_en"] = en
        if out.get("notes") and out.get("notes") == out.get("title"):
            out.pop("notes")

    def _name_and_url(self, out):
        other = []
        for page in self.g.objects(self.ref, DCAT.landingPage):
            match = re.search(r"/([a-z_]+)/([a-z0-9_-]+)/?$", str(page))
            if match and self.type and match.group(1) == self.type and "name" not in out:
                out["name"] = match.group(2)
            else:
                other.append(str(page))
        if other:
            out["url"] = other[0]

    def _owner(self, out):
        publisher = self.g.value(self.ref, DCT.publisher)
        if publisher is None:
            return
        name = self._name_of(publisher)
        group = model.Group.get(name) if name and not is_url(name) else None
        if group is not None and group.is_organization and group.state == "active":
            out["owner_org"] = group.id

    def _licence(self, out):
        vocab = vocabularies.vocabulary("licenses")
        candidates = list(self.g.objects(self.ref, DCT.license))
        for dist in self.g.objects(self.ref, DCAT.distribution):
            candidates.extend(self.g.objects(dist, DCT.license))
        for uri in candidates:
            concept = vocab.by_uri(str(uri))
            if concept is not None and concept.extra.get("ckan_id"):
                out["license_id"] = concept.extra["ckan_id"]
                return
        if self.base.get("license_id"):
            out["license_id"] = self.base["license_id"]

    # -- fields

    def _single(self, fmap, values):
        values = [v for v in values if v not in (None, "")]
        if fmap.multiple:
            return values
        return values[0] if values else None

    def _read_text(self, fmap):
        values = [item for node in self.g.objects(self.ref, fmap.predicate) for item in _list_items(self.g, node)]
        return self._single(fmap, [str(o) for o in values if isinstance(o, Literal)])

    _read_date = _read_text
    _read_year = _read_text
    _read_integer = _read_text
    _read_coordinate = _read_text

    def _read_concept(self, fmap):
        vocab = vocabularies.vocabulary(fmap.vocabulary)
        codes = [vocab.by_uri(str(o)).code for o in self.g.objects(self.ref, fmap.predicate)
                 if isinstance(o, URIRef) and vocab.by_uri(str(o)) is not None]
        return self._single(fmap, sorted(codes, key=vocab.codes().index))

    def _read_choice(self, fmap):
        order = [value for value, _labels in fmap.choices]
        values = [str(o)[len(fmap.choice_base):] for o in self.g.objects(self.ref, fmap.predicate)
                  if str(o).startswith(fmap.choice_base)]
        values = [v for v in values if v in order]
        return self._single(fmap, sorted(values, key=order.index))

    def _read_identifier(self, fmap):
        values = []
        for node in self.g.objects(self.ref, ADMS.identifier):
            for notation in self._literals(node, SKOS.notation):
                if str(notation.datatype) == fmap.scheme.uri:
                    values.append(str(notation))
        return self._single(fmap, values)

    def _read_relation(self, fmap):
        targets = [item for node in self.g.objects(self.ref, fmap.predicate) for item in _list_items(self.g, node)]
        return self._single(fmap, [self._name_of(target) for target in targets])

    def _read_agents(self, fmap):
        agents = []
        for node in self.g.objects(self.ref, fmap.predicate):
            name = self.g.value(node, FOAF.name)
            position = self.g.value(node, SCHEMA.position)
            if name is not None:
                agents.append((int(position) if position is not None else 1_000_000, str(name)))
        return [name for _position, name in sorted(agents)]

    def _read_language(self, fmap):
        by_uri = {f"{EU}language/{v[0]}": code for code, v in LANGUAGES.items()}
        codes = [by_uri[str(o)] for o in self.g.objects(self.ref, DCT.language) if str(o) in by_uri]
        return sorted(codes, key=list(LANGUAGES).index)

    def _read_standard(self, fmap):
        values = []
        for node in self.g.objects(self.ref, DCT.conformsTo):
            label = self.g.value(node, RDFS.label) or self.g.value(node, DCT.title)
            values.append(str(label) if isinstance(node, BNode) and label is not None else str(node))
        return sorted(values)

    def _read_homepage(self, fmap):
        return self._single(fmap, [str(o) for o in self.g.objects(self.ref, fmap.predicate)])

    def _read_mailbox(self, fmap):
        return self._single(fmap, [str(o).replace("mailto:", "", 1) for o in self.g.objects(self.ref, fmap.predicate)])

    def _read_address(self, fmap):
        return self._single(fmap, [str(self.g.value(node, LOCN.fullAddress))
                                   for node in self.g.objects(self.ref, fmap.predicate)
                                   if self.g.value(node, LOCN.fullAddress) is not None])

    def _read_period(self, fmap):
        return None

    def _periods(self, out):
        for start_key, end_key in PERIODS:
            if not (has_field(self.schema, start_key) or has_field(self.schema, end_key)):
                continue
            for period in self.g.objects(self.ref, DCT.temporal):
                start = self.g.value(period, DCAT.startDate)
                end = self.g.value(period, DCAT.endDate)
                if start is not None or end is not None:
                    if start is not None and has_field(self.schema, start_key):
                        out[start_key] = str(start)
                    if end is not None and has_field(self.schema, end_key):
                        out[end_key] = str(end)
                    break

    def _provenance(self, out):
        g, ref = self.g, self.ref
        source = g.value(ref, PROV.wasDerivedFrom)
        if source is not None:
            if isinstance(source, URIRef):
                out["source_url"] = str(source)
            elif g.value(source, STINFO.sourceUrl) is not None:
                out["source_url"] = str(g.value(source, STINFO.sourceUrl))
            if g.value(source, DCT.identifier) is not None:
                out["source_record_id"] = str(g.value(source, DCT.identifier))
            agent = g.value(source, PROV.wasAttributedTo)
            if agent is not None and g.value(agent, RDFS.label) is not None:
                out["source_system"] = str(g.value(agent, RDFS.label))
        if g.value(ref, PROV.generatedAtTime) is not None:
            out["harvested_at"] = str(g.value(ref, PROV.generatedAtTime))
        if g.value(ref, STINFO.contentHash) is not None:
            out["content_hash"] = str(g.value(ref, STINFO.contentHash))
        for key in PROVENANCE:
            if key in out and not has_field(self.schema, key):
                out.pop(key)

    def _contact(self, out):
        if not (has_field(self.schema, "maintainer") or has_field(self.schema, "maintainer_email")):
            return
        contact = self.g.value(self.ref, DCAT.contactPoint)
        if contact is None:
            return
        name = self.g.value(contact, VCARD.fn)
        email = self.g.value(contact, VCARD.hasEmail)
        if name is not None:
            out["maintainer"] = str(name)
        if email is not None:
            out["maintainer_email"] = str(email).replace("mailto:", "", 1)

    def _resources(self, out):
        formats = vocabularies.vocabulary("formats")
        licences = vocabularies.vocabulary("licenses")
        dataset_licence = out.get("license_id")
        for resource in out.get("resources") or []:
            dist = resource.pop("distribution_ref", None)
            node = next((d for d in self.g.objects(self.ref, DCAT.distribution) if str(d) == dist), None)
            if node is None:
                continue
            vi, en = self._by_lang(node, DCT.title)
            if vi:
                resource["name"] = vi
            if en:
                resource["name_en"] = en
            description, _en = self._by_lang(node, DCT.description)
            if description:
                resource["description"] = description
            fmt = self.g.value(node, DCT["format"])
            concept = formats.by_uri(str(fmt)) if fmt is not None else None
            if concept is not None:
                resource["format"] = concept.code
            elif (node, DCAT.accessService, None) in self.g:
                resource["format"] = "API"
                service = self.g.value(node, DCAT.accessService)
                endpoint = self.g.value(service, DCAT.endpointURL)
                if endpoint is not None and not resource.get("url"):
                    resource["url"] = str(endpoint)
            media = self.g.value(node, DCAT.mediaType)
            if media is not None:
                resource["mimetype"] = str(media).replace(IANA, "", 1)
            resource.pop("license", None)
            lic = self.g.value(node, DCT.license)
            concept = licences.by_uri(str(lic)) if lic is not None else None
            if concept is not None and concept.extra.get("ckan_id") != dataset_licence:
                resource["license"] = concept.code
