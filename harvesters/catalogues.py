"""Other catalogues, harvested with ckanext-harvest's and ckanext-dcat's own harvesters.

A provincial CKAN portal is harvested by ``ckan_harvester`` (source type ``ckan``) as it is: its
datasets arrive as the plain ``dataset`` type with their core fields (title, description, tags,
licence, contact, version, resources); the portal's free extras stay extras.

A DCAT catalogue is harvested by ``dcat_rdf_harvester`` (source type ``dcat_rdf``); the RDF is
parsed by the configured profiles (``euro_dcat_ap_3 stinfo``: Vietnamese and English titles,
themes, frequency, languages, licence...). This plugin, ``stinfo_catalogues``
(:class:`IDCATRDFHarvester`), then gives every harvested DCAT dataset what STInfo's own
harvesters give theirs:

- provenance: ``source_system`` (the source's ``source_system`` setting, else the catalogue's
  title), ``source_url`` (the landing page, else the dataset URI), ``source_record_id`` (the
  harvest guid: the dataset URI), ``harvested_at``, ``content_hash``; a dataset whose RDF already
  states its provenance (a record of another STInfo site, read back by the ``stinfo`` profile)
  keeps it as given, and is then always rewritten (the hash is the original harvester's);
- a readable dataset name made from the Vietnamese title (ckanext-dcat's would drop every
  Vietnamese letter), unique per source and record, unless the profile found the record's own
  name;
- an unchanged dataset (same content hash) is not rewritten: the object is reported
  "not modified";
- a catalogue that lists no dataset stops the run with an error instead of withdrawing every
  dataset harvested before (ckanext-dcat withdraws what a complete listing no longer has; a
  listing that fails to download or parse withdraws nothing);
- values still written as URIs (themes, frequency, languages, file types: when the ``stinfo``
  profile is not configured) become the codes of the shared lists; a distribution whose file type
  is not in the list keeps its link and media type but no format, instead of failing the whole
  dataset; fields the schema has that arrived as extras move to the fields.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
from typing import Any

from ckan import model
from ckan.plugins import SingletonPlugin, implements, toolkit
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.stinfo import identifiers
from ckanext.stinfo.harvesters.base import content_hash
from ckanext.stinfo.vocabularies import vocabulary
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

log = logging.getLogger(__name__)

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
LANGUAGES = {"VIE": "vi", "ENG": "en", "FRA": "fr", "RUS": "ru", "ZHO": "zh", "JPN": "ja", "KOR": "ko", "DEU": "de"}
#: Dataset fields that a profile may leave as extras, and the shared list their values belong to.
LIST_FIELDS = {"theme": "data_themes", "frequency": "frequencies"}
FIELDS_FROM_EXTRAS = ("temporal_start", "temporal_end", "theme", "frequency", "language", "version",
                      "conforms_to", "maintainer", "maintainer_email", "url")
MULTIPLE = {"theme", "language", "conforms_to"}
#: Provenance the RDF itself may carry (another STInfo site's records): then it is kept as given.
UPSTREAM_PROVENANCE = ("source_system", "source_url", "source_record_id")


def _extra(dataset: dict[str, Any], key: str) -> Any:
    return next((e["value"] for e in dataset.get("extras") or [] if e.get("key") == key), None)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            loaded = json.loads(value)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return loaded
    return [value] if value not in (None, "") else []


def _code(list_name: str, value: Any) -> Any:
    """A shared-list code for a code or a URI of the list (the value itself when unknown)."""
    vocab = vocabulary(list_name)
    if value in vocab:
        return value
    concept = vocab.by_uri(str(value))
    return concept.code if concept is not None else value


def _language(value: Any) -> Any:
    text = str(value)
    if text.startswith(EU_LANGUAGE):
        return LANGUAGES.get(text[len(EU_LANGUAGE):], text)
    return value


def _format(resource: dict[str, Any]) -> str | None:
    """The ``formats`` code of a distribution (from its format code or URI, else its media type)."""
    vocab = vocabulary("formats")
    value = str(resource.get("format") or "").strip()
    if value:
        code = _code("formats", value)
        if code in vocab:
            return code
        if value.upper() in vocab:
            return value.upper()
    media_type = str(resource.get("mimetype") or "").rsplit("/media-types/", 1)[-1]
    return next((c.code for c in vocab.items if media_type and c.extra.get("media_type") == media_type), None)


def _literal_in(g, subject, predicate, lang: str) -> str | None:
    return next((str(o) for o in g.objects(subject, predicate) if isinstance(o, Literal) and o.language == lang),
                None)


def map_dataset(dataset: dict[str, Any], g, source, config: dict[str, Any], catalogue_title: str) -> dict[str, Any]:
    """The dataset dict of a parsed DCAT dataset, completed for the STInfo ``dataset`` schema."""
    uri = _extra(dataset, "uri") or dataset.get("uri")
    ref = URIRef(uri) if uri else None
    # fields the schema has but a profile left as extras
    for key in FIELDS_FROM_EXTRAS:
        value = _extra(dataset, key)
        if value not in (None, "") and dataset.get(key) in (None, "", []):
            dataset[key] = _as_list(value) if key in MULTIPLE else value
    dataset["extras"] = [e for e in dataset.get("extras") or [] if e.get("key") not in FIELDS_FROM_EXTRAS]
    for key, list_name in LIST_FIELDS.items():
        if key in dataset:
            values = [_code(list_name, v) for v in _as_list(dataset[key])]
            dataset[key] = values if key in MULTIPLE else (values[0] if values else None)
    if "language" in dataset:
        dataset["language"] = [_language(v) for v in _as_list(dataset["language"])]
    # English texts when the profiles kept one language only
    if ref is not None:
        for key, predicate in (("title", DCTERMS.title), ("notes", DCTERMS.description)):
            english = _literal_in(g, ref, predicate, "en")
            if english and not dataset.get(f"{key}_en") and english != dataset.get(key):
                dataset[f"{key}_en"] = english
    for resource in dataset.get("resources") or []:
        code = _format(resource)
        if code:
            resource["format"] = code
        elif resource.get("format"):
            log.info("Distribution %s: file type %s is not in the list; kept without a format",
                     resource.get("uri"), resource["format"])
            resource.pop("format")
    dataset.setdefault("type", "dataset")
    dataset = {k: v for k, v in dataset.items() if v is not None}
    guid = uri or _extra(dataset, "identifier") or dataset.get("name") or dataset.get("title", "")
    if not dataset.get("name"):
        suffix = hashlib.sha1(f"{source.id}:{guid}".encode()).hexdigest()[:8]
        try:
            dataset["name"] = f"{identifiers.slugify_vi(dataset.get('title') or guid, max_len=90)}-{suffix}"
        except identifiers.IdentifierError:
            dataset["name"] = f"dcat-{suffix}"
    if any(dataset.get(key) for key in UPSTREAM_PROVENANCE):
        return dataset
    dataset["source_system"] = config.get("source_system") or catalogue_title or source.title
    dataset["source_url"] = dataset.get("url") or uri or source.url
    dataset["source_record_id"] = guid
    dataset["content_hash"] = content_hash(dataset)
    dataset["harvested_at"] = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    return dataset


class _MappedParser:
    """The RDF parser, yielding datasets completed by :func:`map_dataset` (the rest delegated)."""

    def __init__(self, parser, source) -> None:
        self._parser = parser
        self._source = source
        self._config = json.loads(source.config) if source.config else {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)

    def datasets(self):
        g = self._parser.g
        catalogue = next(g.subjects(RDF.type, DCAT.Catalog), None)
        title = (_literal_in(g, catalogue, DCTERMS.title, "vi") or next(
            (str(o) for o in g.objects(catalogue, DCTERMS.title)), "")) if catalogue is not None else ""
        for dataset in self._parser.datasets():
            yield map_dataset(dataset, g, self._source, self._config, title)


class CataloguesPlugin(SingletonPlugin):
    """Plugin ``stinfo_catalogues``: DCAT datasets harvested by ckanext-dcat, in STInfo's fields."""

    implements(IDCATRDFHarvester, inherit=True)

    def after_parsing(self, rdf_parser, harvest_job):
        if not rdf_parser:
            return rdf_parser, []
        if next(rdf_parser._datasets(), None) is None:
            return None, ["The catalogue lists no dataset at all; nothing is withdrawn (check the source)."]
        return _MappedParser(rdf_parser, harvest_job.source), []

    def before_update(self, harvest_object, dataset_dict, temp_dict):
        """An unchanged dataset (same content hash as the one published) is not rewritten."""
        if dataset_dict.get("source_record_id") != harvest_object.guid or not dataset_dict.get("content_hash"):
            return
        existing = model.Package.get(dataset_dict.get("id"))
        if existing is None or existing.state != "active":
            return
        shown = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": existing.id})
        if shown.get("content_hash") == dataset_dict["content_hash"]:
            harvest_object.package_id = existing.id
            harvest_object.add()
            dataset_dict.clear()
