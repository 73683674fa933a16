"""Scientific publications from OAI-PMH 2.0 repositories, as served by OJS journals and DSpace.

Gather lists the repository with ``ListRecords`` and follows its resumption tokens; an
incremental run asks only for records changed since the last complete run (``from``, written at
the granularity the repository declares in ``Identify``). ``noRecordsMatch`` is an empty, complete
answer; any other error, a refused resumption token, an HTTP failure or a malformed page stops
the listing, and the base then imports what arrived and withdraws nothing. Records whose header
says ``status="deleted"`` are withdrawn. Every response is parsed by :mod:`.xml`, which refuses
document types and entities (XXE, entity expansion) and anything that is not UTF-8.

Records map to the ``publication`` dataset type. Formats: ``oai_dc`` (every repository offers
it), ``oai_openaire`` (OpenAIRE Guidelines for Literature Repositories 4, DataCite-based) and
``oai_cerif_openaire`` (OpenAIRE Guidelines for CRIS Managers, CERIF XML, as DSpace-CRIS offers).

Configuration (JSON object; every key is optional):

``metadataPrefix``
    Format to harvest: ``oai_dc`` (default), ``oai_openaire`` or ``oai_cerif_openaire``.
``prefer``
    Formats in order of preference, e.g. ``["oai_openaire", "oai_dc"]``: the first one the
    repository offers (``ListMetadataFormats``) is harvested; overrides ``metadataPrefix``.
``set``
    ``setSpec`` to harvest (an OJS journal or section, a DSpace community or collection).
``default_field_of_science``
    FORD code (``fields_of_science`` list) for records none of whose subjects maps to a field;
    the schema requires the field, so without it such records are refused with an error.
``subjects``
    Table from a subject as the repository writes it to a FORD code, tried before the names of
    the list itself (Vietnamese or English, with or without diacritics).
``default_publication_kind`` / ``publication_kinds``
    Kind of publication when no ``dc:type`` is recognised / extra ``dc:type`` -> kind entries.
``mapping``
    Extra rules in the form of :mod:`.mapping`, applied last over the mapped record (keys of
    the publication schema) and the OAI header (``oai.identifier``, ``oai.datestamp``,
    ``oai.sets``); e.g. ``{"license_id": {"path": "license_id", "default": "cc-by"}}``.
``from_overlap_minutes``
    How far before the last run an incremental run starts (default 60): repositories may
    stamp a record with a time before its change becomes visible.
``max_pages``
    Most pages followed in one run (default 10000).
``full_harvest_every_days``
    Days between full listings (no ``from``; records no longer listed are withdrawn). Default:
    none when ``Identify`` says ``deletedRecord`` is ``persistent`` (deleted headers are kept and
    incremental runs see them), otherwise 7 (``transient`` or ``no``: a deletion may only show as
    a record missing from a full listing).
``source_system``, ``owner_org``, ``full_harvest``
    As for every STInfo harvester (provenance name, publishing organisation, no ``from``).
"""
from __future__ import annotations

import datetime
import functools
import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ckan.plugins import implements
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo import identifiers
from ckanext.stinfo.harvesters import http, mapping
from ckanext.stinfo.harvesters import xml as safe_xml
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester
from ckanext.stinfo.vocabularies import vocabulary
from lxml import etree

log = logging.getLogger(__name__)

OAI = "http://www.openarchives.org/OAI/2.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Prefixes under which the metadata of a record is stored, whatever prefixes the source used.
PREFIXES = {
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://datacite.org/schema/kernel-4": "datacite",
    "http://namespace.openaire.eu/schema/oaire/": "oaire",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
}
NS = {"oai": OAI}
#: Namespaces of the OpenAIRE CERIF profile and its vocabularies (``Type``, ``License``).
CERIF = "https://www.openaire.eu/cerif-profile/"
SUPPORTED_FORMATS = ("oai_dc", "oai_openaire", "oai_cerif_openaire")
DAY = "YYYY-MM-DD"
SECOND = "YYYY-MM-DDThh:mm:ssZ"
#: Days between full listings of a repository that does not keep its deletions.
FULL_LISTING_DAYS_TRANSIENT = 7

DEFAULTS: dict[str, Any] = {
    "metadataPrefix": "oai_dc",
    "prefer": None,
    "set": None,
    "default_field_of_science": None,
    "subjects": {},
    "default_publication_kind": None,
    "publication_kinds": {},
    "mapping": None,
    "from_overlap_minutes": 60,
    "max_pages": 10000,
}

PUBLICATION_KINDS = ("journal_article", "conference_paper", "book", "book_chapter", "thesis", "report")
COAR = "http://purl.org/coar/resource_type/"
#: ``dc:type`` values (info:eu-repo, COAR, DSpace and OJS wording, in English and Vietnamese).
KIND_NAMES = {
    "journal_article": (
        "info:eu-repo/semantics/article", "article", "journal article", "research article",
        "peer-reviewed article", "review article", "bài báo", "bài báo khoa học", "bài báo tạp chí",
        "bài báo đã được bình duyệt", "bài tổng quan", f"{COAR}c_6501", f"{COAR}c_2df8fbb1",
        f"{COAR}c_dcae04bc"),
    "conference_paper": (
        "info:eu-repo/semantics/conferenceobject", "info:eu-repo/semantics/conferencepaper",
        "conference paper", "conference object", "conference proceedings", "báo cáo hội nghị",
        "bài báo hội nghị", "kỷ yếu hội nghị", f"{COAR}c_5794", f"{COAR}c_c94f"),
    "book": ("info:eu-repo/semantics/book", "book", "sách", "sách chuyên khảo", "giáo trình", f"{COAR}c_2f33"),
    "book_chapter": (
        "info:eu-repo/semantics/bookpart", "book chapter", "book part", "chương sách", f"{COAR}c_3248"),
    "thesis": (
        "info:eu-repo/semantics/doctoralthesis", "info:eu-repo/semantics/masterthesis",
        "info:eu-repo/semantics/bachelorthesis", "thesis", "doctoral thesis", "master thesis",
        "luận án", "luận án tiến sĩ", "luận văn", "luận văn thạc sĩ", "khóa luận", "khóa luận tốt nghiệp",
        f"{COAR}c_46ec", f"{COAR}c_db06", f"{COAR}c_bdcc", f"{COAR}c_7a1f"),
    "report": (
        "info:eu-repo/semantics/report", "info:eu-repo/semantics/workingpaper", "report",
        "technical report", "research report", "working paper", "báo cáo", "báo cáo khoa học",
        "báo cáo tổng kết", f"{COAR}c_93fc", f"{COAR}c_18gh", f"{COAR}c_18ws", f"{COAR}c_8042"),
}
LANGUAGES = {
    "vi": "vi", "vie": "vi", "vietnamese": "vi", "tieng viet": "vi",
    "en": "en", "eng": "en", "english": "en", "tieng anh": "en",
    "fr": "fr", "fre": "fr", "fra": "fr", "french": "fr",
    "ru": "ru", "rus": "ru", "russian": "ru",
    "zh": "zh", "chi": "zh", "zho": "zh", "chinese": "zh",
    "ja": "ja", "jpn": "ja", "japanese": "ja",
    "ko": "ko", "kor": "ko", "korean": "ko",
    "de": "de", "ger": "de", "deu": "de", "german": "de",
}
#: Creative Commons licences that have an id in the portal's licence list.
CC_LICENCES = {"licenses/by": "cc-by", "licenses/by-sa": "cc-by-sa", "publicdomain/zero": "cc-zero"}

_DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/|10\.)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+$", re.IGNORECASE)
_ISSN_LABELLED = re.compile(r"[a-z() .-]*issn\b[a-z() .]*[:\s]*(\d{4}-?\d{3}[\dX])(?:\s*\([^)]*\))?",
                            re.IGNORECASE)
_ISSN_BARE = re.compile(r"\d{4}-\d{3}[\dX]", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:1[89]|2\d)\d\d)(?!\d)")
_PAGES = re.compile(r"(?:tr\.|trang|pp?\.)?\s*(\d+\s*[-–]\s*\d+|\d+)", re.IGNORECASE)
_VOLUME_SPLIT = re.compile(r",\s*(?=(?:vol\.?|volume|tập)\s*\d)", re.IGNORECASE)
_TAG_INVALID = re.compile(r"[^\w .-]+")


def _key(text: str) -> str:
    """``text`` for comparisons: no diacritics, case-folded, single spaces."""
    return " ".join(identifiers.fold_vietnamese(text).casefold().split())


KINDS = {_key(name): kind for kind, names in KIND_NAMES.items() for name in names}


# ---------------------------------------------------------------- OAI-PMH protocol


class OaiError(http.SourceError):
    """An OAI-PMH error answer (``<error code="...">``)."""

    def __init__(self, url: str, code: str, message: str) -> None:
        super().__init__(f"{url}: the repository answered {code}" + (f" ({message})" if message else ""))
        self.code = code


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _request(url: str, params: dict[str, str]) -> etree._Element:
    """The verb's element of the OAI-PMH answer to ``params``; OAI errors raise :class:`OaiError`."""
    response = http.get(url, params=params, accept="text/xml, application/xml")
    try:
        root = safe_xml.parse(response.body)
    except safe_xml.XmlError as err:
        raise http.SourceError(f"{response.url}: {err}") from None
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise http.SourceError(f"{response.url}: not an OAI-PMH 2.0 response (the document is <{_local(root.tag)}>)")
    errors = root.findall("oai:error", NS)
    if errors:
        first = errors[0]
        raise OaiError(response.url, first.get("code", "unknown"), " ".join((first.text or "").split()))
    answer = root.find(f"oai:{params['verb']}", NS)
    if answer is None:
        raise http.SourceError(f"{response.url}: the answer has no <{params['verb']}> element")
    return answer


def _token(answer: etree._Element) -> tuple[str, int | None]:
    """The resumption token of a list answer ('' on the last page) and the complete list size."""
    element = answer.find("oai:resumptionToken", NS)
    if element is None:
        return "", None
    size = element.get("completeListSize")
    return (element.text or "").strip(), int(size) if size and size.isdigit() else None


def _paged(url: str, verb: str, params: dict[str, str], max_pages: int) -> Iterator[etree._Element]:
    """Every answer of a list verb, following resumption tokens."""
    seen: set[str] = set()
    page = 1
    while True:
        answer = _request(url, {"verb": verb, **params})
        yield answer
        token, _ = _token(answer)
        if not token:
            return
        if token in seen:
            raise http.SourceError(f"{url}: the repository sent the same resumption token twice; stopped")
        if page >= max_pages:
            raise http.SourceError(f"{url}: more than {max_pages} pages; stopped (raise max_pages if this is right)")
        seen.add(token)
        page += 1
        params = {"resumptionToken": token}


def _tree(element: etree._Element) -> dict[str, Any]:
    """An element as JSON: ``tag``, and ``attrs``, ``text`` and ``children`` when present."""
    node: dict[str, Any] = {"tag": _name(element.tag)}
    attrs = {_name(k): _nfc(v) for k, v in element.attrib.items()
             if not k.startswith("{http://www.w3.org/2001/XMLSchema")}
    if attrs:
        node["attrs"] = attrs
    text = _nfc(element.text or "").strip()
    if text:
        node["text"] = text
    children = [_tree(child) for child in element if isinstance(child.tag, str)]
    if children:
        node["children"] = children
    return node


def _nfc(text: str) -> str:
    """Vietnamese text in composed form (NFC), however the source wrote it."""
    return unicodedata.normalize("NFC", text)


def _name(tag: str) -> str:
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    prefix = "cerif" if namespace.startswith(CERIF) else PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else tag


# ---------------------------------------------------------------- metadata of one record


def _find(node: dict[str, Any] | None, path: str) -> list[dict[str, Any]]:
    """The descendants of ``node`` at ``path`` (tags separated by ``/``)."""
    found = [node] if node else []
    for step in path.split("/"):
        found = [child for item in found for child in item.get("children", ()) if child["tag"] == step]
    return found


def _texts(node: dict[str, Any] | None, path: str) -> list[tuple[str, str]]:
    """``(text, language)`` of each element at ``path`` that has text."""
    return [(item["text"], item.get("attrs", {}).get("xml:lang", ""))
            for item in _find(node, path) if item.get("text")]


@dataclass
class Facts:
    """What a record says, whatever its format; turned into a dataset by :meth:`OaiPmhHarvester.map_record`."""

    titles: list[tuple[str, str]] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    subjects: list[tuple[str, str]] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    venues: list[tuple[str, str]] = field(default_factory=list)
    publishers: list[tuple[str, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)
    volume_issue: str = ""
    pages: str = ""


def _is_doi(value: str) -> bool:
    return bool(_DOI.match(value))


def _issn(value: str) -> str | None:
    """The ISSN ``value`` states (``1859-4794``, ``ISSN: 1859-4794``, ``e-ISSN 2615-9929``), if any."""
    labelled = _ISSN_LABELLED.fullmatch(value.strip())
    if labelled:
        return labelled.group(1)
    return value.strip() if _ISSN_BARE.fullmatch(value.strip()) else None


def _from_dc(metadata: dict[str, Any]) -> Facts:
    """Facts of an ``oai_dc`` record (OJS and DSpace conventions)."""
    facts = Facts(
        titles=_texts(metadata, "dc:title"),
        creators=[text for text, _ in _texts(metadata, "dc:creator")],
        descriptions=_texts(metadata, "dc:description"),
        subjects=_texts(metadata, "dc:subject"),
        types=[text for text, _ in _texts(metadata, "dc:type")],
        dates=[text for text, _ in _texts(metadata, "dc:date")],
        publishers=_texts(metadata, "dc:publisher"),
        languages=[text for text, _ in _texts(metadata, "dc:language")],
        rights=[text for text, _ in _texts(metadata, "dc:rights")],
    )
    pdf = [text for text, _ in _texts(metadata, "dc:format")] == ["application/pdf"]
    for text, _ in _texts(metadata, "dc:identifier") + _texts(metadata, "dc:source"):
        if _is_doi(text):
            facts.dois.append(text)
        elif _issn(text):
            facts.issns.append(_issn(text))
        elif _URL.match(text):
            facts.urls.append(text)
    for text, lang in _texts(metadata, "dc:source"):
        if not (_is_doi(text) or _issn(text) or _URL.match(text)):
            facts.venues.append((text, lang))
    for text, _ in _texts(metadata, "dc:relation"):
        if _URL.match(text) and not _is_doi(text):
            facts.files.append((text, "application/pdf" if pdf or "/download/" in text else ""))
    return facts


def _from_openaire(metadata: dict[str, Any]) -> Facts:
    """Facts of an ``oai_openaire`` record (OpenAIRE Guidelines for Literature Repositories 4)."""
    facts = Facts(
        titles=_texts(metadata, "datacite:titles/datacite:title"),
        creators=[text for text, _ in _texts(metadata, "datacite:creators/datacite:creator/datacite:creatorName")],
        descriptions=_texts(metadata, "dc:description"),
        subjects=_texts(metadata, "datacite:subjects/datacite:subject"),
        publishers=_texts(metadata, "dc:publisher"),
        languages=[text for text, _ in _texts(metadata, "dc:language")],
        venues=_texts(metadata, "oaire:citationTitle"),
    )
    for item in _find(metadata, "oaire:resourceType"):
        facts.types += [v for v in (item.get("attrs", {}).get("uri"), item.get("text")) if v]
    for item in _find(metadata, "datacite:dates/datacite:date"):
        if item.get("text"):
            facts.dates.append(item["text"])
            if item.get("attrs", {}).get("dateType", "").lower() == "issued":
                facts.issued.append(item["text"])
    identifiers_ = [(item, item.get("attrs", {}).get("identifierType", ""))
                    for item in _find(metadata, "datacite:identifier")]
    identifiers_ += [(item, item.get("attrs", {}).get("alternateIdentifierType", ""))
                     for item in _find(metadata, "datacite:alternateIdentifiers/datacite:alternateIdentifier")]
    identifiers_ += [(item, item.get("attrs", {}).get("relatedIdentifierType", ""))
                     for item in _find(metadata, "datacite:relatedIdentifiers/datacite:relatedIdentifier")
                     if item.get("attrs", {}).get("relationType", "").lower() == "ispartof"]
    for item, kind in identifiers_:
        text, kind = item.get("text", ""), kind.upper()
        if not text:
            continue
        if kind == "DOI" or (not kind and _is_doi(text)):
            facts.dois.append(text)
        elif kind in ("ISSN", "EISSN", "PISSN", "LISSN"):
            facts.issns.append(text)
        elif kind == "HANDLE" and not _URL.match(text):
            facts.urls.append(f"https://hdl.handle.net/{text}")
        elif _URL.match(text) and not _is_doi(text):
            facts.urls.append(text)
    for item in _find(metadata, "oaire:file"):
        if item.get("text") and _URL.match(item["text"]):
            facts.files.append((item["text"], item.get("attrs", {}).get("mimeType", "")))
    for item in _find(metadata, "oaire:licenseCondition"):
        facts.rights += [v for v in (item.get("attrs", {}).get("uri"), item.get("text")) if v]
    _citation(facts, metadata, "oaire:citationVolume", "oaire:citationIssue", "oaire:citationStartPage",
              "oaire:citationEndPage")
    return facts


def _from_cerif(metadata: dict[str, Any]) -> Facts:
    """Facts of an ``oai_cerif_openaire`` publication (OpenAIRE Guidelines for CRIS Managers 1.1)."""
    journal = "cerif:PublishedIn/cerif:Publication"
    facts = Facts(
        titles=_texts(metadata, "cerif:Title"),
        descriptions=_texts(metadata, "cerif:Abstract"),
        subjects=_texts(metadata, "cerif:Keyword"),
        types=[text for text, _ in _texts(metadata, "cerif:Type")],
        issued=[text for text, _ in _texts(metadata, "cerif:PublicationDate")],
        dois=[text for text, _ in _texts(metadata, "cerif:DOI")],
        issns=[text for text, _ in _texts(metadata, "cerif:ISSN") + _texts(metadata, f"{journal}/cerif:ISSN")],
        urls=[text for text, _ in _texts(metadata, "cerif:URL") if _URL.match(text)],
        venues=_texts(metadata, f"{journal}/cerif:Title"),
        publishers=_texts(metadata, "cerif:Publishers/cerif:Publisher/cerif:DisplayName")
        + _texts(metadata, "cerif:Publishers/cerif:Publisher/cerif:OrgUnit/cerif:Name"),
        languages=[text for text, _ in _texts(metadata, "cerif:Language")],
        rights=[text for text, _ in _texts(metadata, "cerif:License")],
    )
    for author in _find(metadata, "cerif:Authors/cerif:Author"):
        name = _first(author, "cerif:DisplayName")
        if not name:
            family = _first(author, "cerif:Person/cerif:PersonName/cerif:FamilyNames")
            given = _first(author, "cerif:Person/cerif:PersonName/cerif:FirstNames")
            name = ", ".join(part for part in (family, given) if part)
        if name:
            facts.creators.append(name)
    for text, _ in _texts(metadata, "cerif:Handle"):
        facts.urls.append(text if _URL.match(text) else f"https://hdl.handle.net/{text}")
    _citation(facts, metadata, "cerif:Volume", "cerif:Issue", "cerif:StartPage", "cerif:EndPage")
    return facts


def _citation(facts: Facts, metadata: dict[str, Any], *paths: str) -> None:
    """Volume, issue and pages from the elements at ``paths`` (volume, issue, start, end page)."""
    volume, issue, start, end = (_first(metadata, path) for path in paths)
    facts.volume_issue = ", ".join(part for part in (volume and f"Tập {volume}", issue and f"Số {issue}") if part)
    facts.pages = f"{start}-{end}" if start and end else start


def _first(metadata: dict[str, Any], path: str) -> str:
    texts = _texts(metadata, path)
    return texts[0][0] if texts else ""


EXTRACTORS = {"oai_dc": _from_dc, "oai_openaire": _from_openaire, "oai_cerif_openaire": _from_cerif}


# ---------------------------------------------------------------- facts to dataset fields


def _language(code: str) -> str | None:
    """ISO 639-1 code of a language tag, three-letter code or name; None when not offered."""
    key = _key(code).replace("_", "-")
    return LANGUAGES.get(key) or LANGUAGES.get(key.split("-")[0])


def _plain(text: str, lines: bool = False) -> str:
    """``text`` without HTML markup (OJS abstracts and titles carry some)."""
    if "<" in text or "&" in text:
        text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", "\n", text)
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    if not lines:
        return " ".join(text.split())
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _main_and_english(values: list[tuple[str, str]]) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The main value (first one not marked English, else the first) and an English one besides."""
    if not values:
        return None, None
    main = next((v for v in values if _language(v[1]) != "en"), values[0])
    english = next((v for v in values if v is not main and _language(v[1]) == "en"), None)
    return main, english


def _split_source(text: str) -> tuple[str, str, str]:
    """Venue, volume and issue, pages of a citation such as OJS writes it in ``dc:source``.

    ``Tạp chí X; Tập 64 Số 3 (2022); 1-6`` or ``VNU Journal of Science, Vol. 38, No. 2 (2022)``.
    """
    parts = [p.strip() for p in text.split(";")]
    if len(parts) == 1:
        parts = [p.strip() for p in _VOLUME_SPLIT.split(text, maxsplit=1)]
    venue = parts[0]
    volume = re.sub(r"\s*\(\d{4}\)\s*$", "", parts[1]).strip() if len(parts) > 1 else ""
    pages = ""
    if len(parts) > 2:
        match = _PAGES.fullmatch(parts[2])
        pages = re.sub(r"\s*[-–]\s*", "-", match.group(1)) if match else ""
    return venue, volume, pages


def _year(facts: Facts) -> str | None:
    """Year of publication: of the issued date when known, else the earliest date given."""
    for dates in (facts.issued, facts.dates):
        years = [m.group(1) for m in (_YEAR.search(d) for d in dates) if m]
        if years:
            return min(years)
    return None


def _first_valid(values: list[str], normalize) -> str | None:
    """The first of ``values`` that is valid, normalised; else the first as given (for the
    schema's validator to report), else None."""
    for value in values:
        try:
            return normalize(value)
        except identifiers.IdentifierError:
            continue
    return values[0].strip() if values else None


@functools.lru_cache(maxsize=1)
def _field_names() -> dict[str, str]:
    """Folded Vietnamese and English names of the fields of research, to their code."""
    names = {}
    for concept in vocabulary("fields_of_science").items:
        for label in concept.label.values():
            names.setdefault(_key(label), concept.code)
    return names


def _tags(subjects: list[tuple[str, str]]) -> list[str]:
    """Keywords as CKAN tags: split on ``;`` and ``,``, characters CKAN refuses replaced."""
    tags, seen = [], set()
    for text, _ in subjects:
        for part in re.split(r"[;,]", text):
            tag = " ".join(_TAG_INVALID.sub(" ", _plain(part)).split())[:100].strip()
            if len(tag) >= 2 and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tags


def _licence(rights: list[str]) -> str | None:
    for text in rights:
        match = re.search(r"creativecommons\.org/((?:licenses|publicdomain)/[a-z-]+)", text, re.IGNORECASE)
        if match and match.group(1).lower() in CC_LICENCES:
            return CC_LICENCES[match.group(1).lower()]
    return None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# ---------------------------------------------------------------- the harvester


class OaiPmhHarvester(StinfoHarvester):
    """Harvester ``stinfo_publications``."""

    implements(IHarvester)
    source_system = "Kho công bố khoa học (OAI-PMH)"
    incremental = True
    _identified: tuple[str, etree._Element] | None = None

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_publications",
            "title": "Công bố khoa học (OAI-PMH: OJS, DSpace)",
            "description": "Scientific publications from OAI-PMH 2.0 repositories (OJS journals, DSpace)",
        }

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        """The source's configuration over the defaults."""
        return {**DEFAULTS, **config}

    # ------------------------------------------------------------ configuration
    def config_errors(self, config: dict[str, Any]) -> list[str]:
        cfg = self.settings(config)
        problems = []
        supported = ", ".join(SUPPORTED_FORMATS)
        if cfg["metadataPrefix"] not in SUPPORTED_FORMATS:
            problems.append(f"'metadataPrefix' must be one of {supported}")
        prefer = cfg["prefer"]
        if prefer is not None and (not isinstance(prefer, list) or not prefer
                                   or any(p not in SUPPORTED_FORMATS for p in prefer)):
            problems.append(f"'prefer' must be a non-empty list of formats among {supported}")
        if cfg["set"] is not None and (not isinstance(cfg["set"], str) or not cfg["set"].strip()):
            problems.append("'set' must be a setSpec (text)")
        fields = vocabulary("fields_of_science")
        default_field = cfg["default_field_of_science"]
        if default_field is not None and default_field not in fields:
            problems.append(f"'default_field_of_science': '{default_field}' is not a code of the list "
                            "fields_of_science")
        if not isinstance(cfg["subjects"], dict) or any(code not in fields for code in cfg["subjects"].values()):
            problems.append("'subjects' must map subjects to codes of the list fields_of_science")
        kind = cfg["default_publication_kind"]
        if kind is not None and kind not in PUBLICATION_KINDS:
            problems.append(f"'default_publication_kind' must be one of {', '.join(PUBLICATION_KINDS)}")
        kinds = cfg["publication_kinds"]
        if not isinstance(kinds, dict) or any(k not in PUBLICATION_KINDS for k in kinds.values()):
            problems.append(f"'publication_kinds' must map types to one of {', '.join(PUBLICATION_KINDS)}")
        if cfg["mapping"] is not None:
            problems += mapping.errors(cfg["mapping"])
        for key, low in (("from_overlap_minutes", 0), ("max_pages", 1)):
            if not isinstance(cfg[key], int) or isinstance(cfg[key], bool) or cfg[key] < low:
                problems.append(f"'{key}' must be a whole number of at least {low}")
        return problems

    # ------------------------------------------------------------ gather
    def _offered_formats(self, url: str) -> list[str]:
        answer = _request(url, {"verb": "ListMetadataFormats"})
        return [(f.findtext("oai:metadataPrefix", "", NS)).strip() for f in answer.findall("oai:metadataFormat", NS)]

    def _metadata_prefix(self, url: str, cfg: dict[str, Any]) -> str:
        if not cfg["prefer"]:
            return cfg["metadataPrefix"]
        offered = self._offered_formats(url)
        chosen = next((p for p in cfg["prefer"] if p in offered), None)
        if chosen is None:
            raise http.SourceError(f"{url}: the repository offers none of the formats {', '.join(cfg['prefer'])} "
                                   f"(it offers {', '.join(offered) or 'none'})")
        log.info("Harvesting %s in format %s", url, chosen)
        return chosen

    def full_listing_every_days(self, url: str, config: dict[str, Any]) -> int | None:
        if "full_harvest_every_days" in config:
            return config["full_harvest_every_days"]
        try:
            identify = _request(url, {"verb": "Identify"})
        except http.SourceError as err:
            log.warning("%s: Identify failed (%s); full listings every %d days", url, err,
                        FULL_LISTING_DAYS_TRANSIENT)
            return FULL_LISTING_DAYS_TRANSIENT
        self._identified = (url, identify)  # for this run's ``from``
        policy = (identify.findtext("oai:deletedRecord", "", NS) or "").strip()
        return None if policy == "persistent" else FULL_LISTING_DAYS_TRANSIENT

    def _from(self, url: str, since: datetime.datetime, cfg: dict[str, Any],
              identified: tuple[str, etree._Element] | None) -> str:
        """``since`` (less the overlap) in UTC, at the granularity the repository declares."""
        identify = identified[1] if identified and identified[0] == url else _request(url, {"verb": "Identify"})
        granularity = (identify.findtext("oai:granularity", DAY, NS) or DAY).strip()
        if since.tzinfo is not None:
            since = since.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        start = since - datetime.timedelta(minutes=cfg["from_overlap_minutes"])
        return start.strftime("%Y-%m-%dT%H:%M:%SZ" if granularity == SECOND else "%Y-%m-%d")

    def _check_set(self, url: str, cfg: dict[str, Any]) -> None:
        """After noRecordsMatch: a set the repository does not have is an error, not an empty set."""
        if not cfg["set"]:
            return
        try:
            specs = [spec.strip() for answer in _paged(url, "ListSets", {}, cfg["max_pages"])
                     for spec in answer.xpath("oai:set/oai:setSpec/text()", namespaces=NS)]
        except OaiError as err:
            if err.code == "noSetHierarchy":
                raise http.SourceError(f"{url}: the repository has no sets, so 'set' cannot be used") from None
            raise
        if cfg["set"] not in specs:
            raise http.SourceError(f"{url}: the repository has no set '{cfg['set']}' (see ListSets)")

    def _format_error(self, url: str, prefix: str, err: OaiError) -> http.SourceError:
        try:
            offered = ", ".join(self._offered_formats(url)) or "none"
        except http.SourceError:
            offered = "unknown"
        return http.SourceError(f"{err}: the repository cannot give records in the format '{prefix}' "
                                f"(it offers {offered}); change 'metadataPrefix' or 'prefer'")

    def _record(self, element: etree._Element, prefix: str) -> SourceRecord:
        header = element.find("oai:header", NS)
        guid = (header.findtext("oai:identifier", "", NS) if header is not None else "").strip()
        if not guid:
            raise http.SourceError("a record has no OAI identifier in its header")
        if header.get("status") == "deleted":
            return SourceRecord(guid, None, deleted=True)
        metadata = element.find("oai:metadata", NS)
        payload = None if metadata is None else next((c for c in metadata if isinstance(c.tag, str)), None)
        content = {
            "oai": {
                "identifier": guid,
                "datestamp": header.findtext("oai:datestamp", "", NS).strip(),
                "sets": [s.strip() for s in header.xpath("oai:setSpec/text()", namespaces=NS)],
                "metadataPrefix": prefix,
            },
            "metadata": _tree(payload) if payload is not None else None,
        }
        return SourceRecord(guid, content)

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        prefix = self._metadata_prefix(url, cfg)
        params = {"metadataPrefix": prefix}
        if cfg["set"]:
            params["set"] = cfg["set"]
        identified, self._identified = self._identified, None
        if since is not None:
            params["from"] = self._from(url, since, cfg, identified)
        received, declared = 0, None
        try:
            for answer in _paged(url, "ListRecords", params, cfg["max_pages"]):
                for element in answer.findall("oai:record", NS):
                    received += 1
                    yield self._record(element, prefix)
                declared = _token(answer)[1] or declared
        except OaiError as err:
            if err.code == "noRecordsMatch" and (received == 0 or received == declared):
                if received == 0:
                    self._check_set(url, cfg)
                return
            if err.code == "cannotDisseminateFormat":
                raise self._format_error(url, prefix, err) from None
            if err.code == "badResumptionToken":
                raise http.SourceError(f"{err}: the repository refused its own resumption token after "
                                       f"{received} records") from None
            raise

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        """The record in Dublin Core at the repository (``GetRecord``)."""
        query = urlencode({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": guid})
        return f"{url}{'&' if '?' in url else '?'}{query}"

    # ------------------------------------------------------------ import
    def _field_of_science(self, facts: Facts, cfg: dict[str, Any]) -> str | None:
        table = {_key(k): v for k, v in cfg["subjects"].items()}
        for text, _ in facts.subjects:
            for part in [text, *re.split(r"[;,]", text)]:
                code = table.get(_key(part)) or _field_names().get(_key(part))
                if code:
                    return code
        return cfg["default_field_of_science"]

    def _publication_kind(self, facts: Facts, cfg: dict[str, Any]) -> str | None:
        table = {**KINDS, **{_key(k): v for k, v in cfg["publication_kinds"].items()}}
        return next((table[_key(t)] for t in facts.types if _key(t) in table), cfg["default_publication_kind"])

    def _resources(self, landing: str | None, facts: Facts, doi_link: str | None) -> list[dict[str, str]]:
        resources = []
        if landing:
            resources.append({"name": "Trang công bố tại nguồn", "name_en": "Publication page at the source",
                              "url": landing, "format": "HTML"})
        for url, mime in dict.fromkeys(facts.files):
            resource = {"name": "Toàn văn", "name_en": "Full text", "url": url}
            if mime == "application/pdf":
                resource["format"] = "PDF"
            resources.append(resource)
        if not resources and doi_link:
            resources.append({"name": "Công bố (DOI)", "name_en": "Publication (DOI)", "url": doi_link,
                              "format": "HTML"})
        return resources

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        oai = record.get("oai") or {}
        metadata = record.get("metadata")
        if not metadata:
            raise MappingError("the record has no metadata")
        extract = EXTRACTORS.get(oai.get("metadataPrefix"))
        if extract is None:
            raise MappingError(f"records in the format '{oai.get('metadataPrefix')}' cannot be mapped")
        facts = extract(metadata)

        title, title_en = _main_and_english([(_plain(t), lang) for t, lang in facts.titles])
        notes, notes_en = _main_and_english([(_plain(t, lines=True), lang) for t, lang in facts.descriptions])
        venue = volume_issue = pages = ""
        source, _ = _main_and_english(facts.venues)
        if source:
            venue, volume_issue, pages = _split_source(_plain(source[0]))
        if not venue:
            publisher, _ = _main_and_english(facts.publishers)
            venue = _plain(publisher[0]) if publisher else ""
        doi = _first_valid(facts.dois, identifiers.normalize_doi)
        doi_link = f"https://doi.org/{doi}" if doi and doi.startswith("10.") else None
        urls = _unique(facts.urls)
        landing = urls[0] if urls else doi_link

        package = {
            "type": "publication",
            "title": title[0] if title else None,
            "title_en": title_en[0] if title_en else None,
            "notes": notes[0] if notes else None,
            "notes_en": notes_en[0] if notes_en else None,
            "authors": _unique([_plain(c) for c in facts.creators]),
            "publication_kind": self._publication_kind(facts, cfg),
            "venue": venue,
            "volume_issue": facts.volume_issue or volume_issue,
            "pages": facts.pages or pages,
            "publication_year": _year(facts),
            "doi": doi,
            "issn": _first_valid(facts.issns, identifiers.normalize_issn),
            "field_of_science": self._field_of_science(facts, cfg),
            "language": _unique([_language(code) for code in facts.languages]),
            "tag_string": ",".join(_tags(facts.subjects)),
            "license_id": _licence(facts.rights),
            "url": landing,
            "resources": self._resources(landing, facts, doi_link),
        }
        package = {k: v for k, v in package.items() if v not in (None, "", [])}
        if cfg["mapping"]:
            package.update(mapping.apply({**package, "oai": oai}, cfg["mapping"]))
        return package
