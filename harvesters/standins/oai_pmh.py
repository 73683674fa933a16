"""Stand-in for OAI-PMH 2.0 repositories: an OJS 3 journal and a DSpace 7 repository.

``/oai/<flavour>/<scenario>`` is the base URL of a repository: ``ojs`` is the OJS 3.3 journal
*Tạp chí Khoa học và Công nghệ Việt Nam* (``oai_dc`` as OJS writes it: localised elements with
``xml:lang="vi-VN"``, HTML abstracts, the citation and the ISSN in ``dc:source``, the DOI as a
bare ``dc:identifier``, server-side resumption tokens); ``dspace`` is the VNU repository on
DSpace 7 with the DSpace-CRIS formats (``oai_dc`` with accession dates, handle URLs and
``https://doi.org`` identifiers; ``oai_openaire`` after the OpenAIRE 4 guidelines;
``oai_cerif_openaire``, CERIF XML after the OpenAIRE guidelines for CRIS managers;
self-contained resumption tokens; one record deleted).

Verbs: Identify, ListMetadataFormats, ListSets, ListRecords (``from``, ``until``, ``set``,
``resumptionToken``), ListIdentifiers, GetRecord, with the protocol's error answers (badVerb,
badArgument, badResumptionToken, cannotDisseminateFormat, idDoesNotExist, noRecordsMatch). Only
``oai_dc``, ``oai_openaire`` and ``oai_cerif_openaire`` are rendered; the other formats a real
repository lists answer cannotDisseminateFormat here.

Scenarios reproduce what real repositories do wrong: ``ok``; ``error-page-2`` (HTTP 500 once
a resumption token is used); ``malformed-page-2`` (a truncated page 2); ``bad-token-page-2``
(badResumptionToken for the repository's own token); ``latin1-page-2`` (page 2 in a legacy
8-bit encoding while declaring UTF-8); ``same-token`` (the same token on every page); ``xxe``
(an external entity reading /etc/passwd); ``billion-laughs`` (nested entity expansion);
``empty`` (no records); ``daily`` (day granularity: a ``from`` with a time is badArgument);
``transient`` (``deletedRecord`` is ``transient``: deleted records may just disappear).
Tests change ``RECORDS`` and ``DELETED`` to simulate edits and deletions, set ``SCENARIO`` to
break a source that worked before, and read ``REQUESTS`` to see what the harvester asked.
"""
from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import json
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

PREFIX = "/oai"
FOLDER = Path(__file__).parent / "payloads" / "oai_pmh"
FLAVOURS = {"ojs": "ojs_vjst.json", "dspace": "dspace_vnu.json"}
ORIGINAL = {name: json.loads((FOLDER / file).read_text(encoding="utf-8")) for name, file in FLAVOURS.items()}
RECORDS: dict[str, list[dict]] = {name: copy.deepcopy(data["records"]) for name, data in ORIGINAL.items()}
#: Identifiers deleted since the payload (answered with ``status="deleted"``).
DELETED: dict[str, set[str]] = {name: set() for name in FLAVOURS}
#: Records per page (OJS and DSpace use 100; small here so that paging is exercised).
PAGE_SIZE = 3
#: When set, overrides the scenario of every URL (a source that worked and then breaks).
SCENARIO: str | None = None
#: Every request received: ``{"flavour", "scenario", **query}``.
REQUESTS: list[dict[str, str]] = []
_OJS_TOKENS: dict[str, dict] = {}

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
DAY = "YYYY-MM-DD"
SECOND = "YYYY-MM-DDThh:mm:ssZ"
SCHEMAS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "oai_openaire": ("https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
                     "http://namespace.openaire.eu/schema/oaire/"),
    "oai_cerif_openaire": ("https://www.openaire.eu/schema/cris/current/openaire-cerif-profile.xsd",
                           "https://www.openaire.eu/cerif-profile/1.1/"),
    "oai_marc": ("http://www.openarchives.org/OAI/1.1/oai_marc.xsd", "http://www.openarchives.org/OAI/1.1/oai_marc"),
    "marcxml": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", "http://www.loc.gov/MARC21/slim"),
    "marc": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", "http://www.loc.gov/MARC21/slim"),
    "rfc1807": ("http://www.openarchives.org/OAI/1.1/rfc1807.xsd", "http://info.internet.isi.edu:80/in-notes/rfc/files/rfc1807.txt"),
    "dim": ("http://www.dspace.org/schema/dim.xsd", "http://www.dspace.org/xmlns/dspace/dim"),
    "qdc": ("http://dublincore.org/schemas/xmls/qdc/2006/01/06/dcterms.xsd", "http://purl.org/dc/terms/"),
    "mets": ("http://www.loc.gov/standards/mets/mets.xsd", "http://www.loc.gov/METS/"),
    "ore": ("http://tweety.lanl.gov/public/schemas/2008-06/atom-tron.sch", "http://www.w3.org/2005/Atom"),
    "xoai": ("http://www.lyncode.com/xsd/xoai.xsd", "http://www.lyncode.com/xoai"),
}
RENDERED = ("oai_dc", "oai_openaire", "oai_cerif_openaire")


def reset() -> None:
    """Back to the shipped payloads."""
    global SCENARIO, PAGE_SIZE
    for name, data in ORIGINAL.items():
        RECORDS[name][:] = copy.deepcopy(data["records"])
        DELETED[name].clear()
    SCENARIO = None
    PAGE_SIZE = 3
    REQUESTS.clear()
    _OJS_TOKENS.clear()


# ---------------------------------------------------------------- XML writing


def _e(tag: str, text: str | None, **attrs: str) -> str:
    """One element with escaped text; ``xml_lang`` is written ``xml:lang``."""
    rendered = "".join(f" {k.replace('xml_lang', 'xml:lang')}={quoteattr(v)}" for k, v in attrs.items() if v)
    return f"<{tag}{rendered}>{escape(text or '')}</{tag}>"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(flavour: str, query: dict[str, str], body: str, echo: bool = True) -> bytes:
    repo = ORIGINAL[flavour]["repository"]
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in query.items()) if echo else ""
    stylesheet = '<?xml-stylesheet type="text/xsl" href="static/style.xsl"?>' if flavour == "dspace" else ""
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{stylesheet}'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"\t<responseDate>{_now()}</responseDate>\n"
        f"\t<request{attrs}>{escape(repo['base_url'])}</request>\n{body}\n</OAI-PMH>\n"
    )
    return text.encode("utf-8")


def _ok(flavour: str, query: dict[str, str], body: str) -> tuple[int, str, bytes]:
    return 200, "text/xml;charset=utf-8", _envelope(flavour, query, body)


def _error(flavour: str, query: dict[str, str], code: str, message: str) -> tuple[int, str, bytes]:
    echo = code not in ("badVerb", "badArgument")
    body = f"\t{_e('error', message, code=code)}"
    return 200, "text/xml;charset=utf-8", _envelope(flavour, query, body, echo)


# ---------------------------------------------------------------- metadata formats


def _dc_open() -> str:
    return ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
            'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">')


def _ojs_dc(record: dict) -> str:
    """``oai_dc`` the way OJS 3.3 writes an article (Dc11SchemaArticleAdapter)."""
    journal = ORIGINAL["ojs"]["journal"]
    base = "https://vjst.vn/index.php/vjst/article/view"
    lines = [_e("dc:title", text, xml_lang=lang) for lang, text in record["title"].items()]
    lines += [_e("dc:creator", author) for author in record["authors"]]
    for lang, words in record.get("keywords", {}).items():
        lines += [_e("dc:subject", word, xml_lang=lang) for word in words]
    lines += [_e("dc:subject", text, xml_lang=lang) for lang, text in record.get("discipline", {}).items()]
    lines += [_e("dc:description", text, xml_lang=lang) for lang, text in record["abstract"].items()]
    lines += [_e("dc:publisher", text, xml_lang=lang) for lang, text in journal["publisher"].items()]
    lines.append(_e("dc:date", record["date"]))
    lines += [_e("dc:type", "info:eu-repo/semantics/article"), _e("dc:type", "info:eu-repo/semantics/publishedVersion"),
              _e("dc:type", "Bài báo đã được bình duyệt", xml_lang="vi-VN"),
              _e("dc:type", "Peer-reviewed Article", xml_lang="en-US")]
    lines.append(_e("dc:format", "application/pdf"))
    lines.append(_e("dc:identifier", f"{base}/{record['article']}"))
    if record.get("doi"):
        lines.append(_e("dc:identifier", record["doi"]))
    volume = {"vi-VN": f"Tập {record['volume']} Số {record['number']}",
              "en-US": f"Vol. {record['volume']} No. {record['number']}"}
    for lang, title in journal["title"].items():
        lines.append(_e("dc:source", f"{title}; {volume[lang]} ({record['year']}); {record['pages']}", xml_lang=lang))
    lines += [_e("dc:source", issn) for issn in record.get("issn", journal["issn"])]
    lines.append(_e("dc:language", record["language"]))
    lines.append(_e("dc:relation", f"{base}/{record['article']}/{record['galley']}"))
    lines.append(_e("dc:rights", f"Bản quyền (c) {record['year']} {journal['title']['vi-VN']}", xml_lang="vi-VN"))
    lines.append(_e("dc:rights", record["licence"]))
    return _dc_open() + "\n\t" + "\n\t".join(lines) + "\n</oai_dc:dc>"


def _handle_url(record: dict) -> str:
    return ORIGINAL["dspace"]["repository"]["handle_url"] + record["handle"]


def _dspace_dc(record: dict) -> str:
    """``oai_dc`` the way DSpace 7 writes an item (every qualifier flattened)."""
    lines = [_e("dc:title", text) for _, text in record["title"]]
    lines += [_e("dc:creator", author) for author in record["authors"]]
    lines += [_e("dc:subject", subject) for subject in record["subjects"]]
    lines.append(_e("dc:description", record["abstract"]))
    lines += [_e("dc:date", record["accessioned"]), _e("dc:date", record["accessioned"]),
              _e("dc:date", record["issued"])]
    lines.append(_e("dc:type", record["type"]))
    if record.get("issn"):
        lines.append(_e("dc:identifier", record["issn"]))
    lines.append(_e("dc:identifier", _handle_url(record)))
    if record.get("doi"):
        lines.append(_e("dc:identifier", f"https://doi.org/{record['doi']}"))
    lines.append(_e("dc:language", record["language"]))
    lines.append(_e("dc:publisher", record["publisher"]))
    if record.get("journal"):
        lines.append(_e("dc:source", f"{record['journal']}, Vol. {record['volume']}, No. {record['issue']} "
                                     f"({record['issued'][:4]})"))
    if record.get("licence"):
        lines.append(_e("dc:rights", record["licence"]))
    return _dc_open() + "\n\t" + "\n\t".join(lines) + "\n</oai_dc:dc>"


def _dspace_openaire(record: dict) -> str:
    """``oai_openaire`` (OpenAIRE Guidelines for Literature Repositories 4) as DSpace 7 writes it."""
    iso3 = {"vi": "vie", "en": "eng"}
    titles = [_e("datacite:title", text, xml_lang=lang, **({"titleType": "AlternativeTitle"} if i else {}))
              for i, (lang, text) in enumerate(record["title"])]
    creators = [f"<datacite:creator>{_e('datacite:creatorName', a)}</datacite:creator>" for a in record["authors"]]
    lines = [f"<datacite:titles>{''.join(titles)}</datacite:titles>",
             f"<datacite:creators>{''.join(creators)}</datacite:creators>",
             _e("datacite:identifier", _handle_url(record), identifierType="Handle")]
    if record.get("doi"):
        lines.append("<datacite:alternateIdentifiers>"
                     + _e("datacite:alternateIdentifier", record["doi"], alternateIdentifierType="DOI")
                     + "</datacite:alternateIdentifiers>")
    if record.get("issn"):
        lines.append("<datacite:relatedIdentifiers>"
                     + _e("datacite:relatedIdentifier", record["issn"], relatedIdentifierType="ISSN",
                          relationType="IsPartOf")
                     + "</datacite:relatedIdentifiers>")
    accepted = record["accessioned"][:10]
    lines.append("<datacite:dates>" + _e("datacite:date", accepted, dateType="Accepted")
                 + _e("datacite:date", accepted, dateType="Available")
                 + _e("datacite:date", record["issued"], dateType="Issued") + "</datacite:dates>")
    lines.append(_e("dc:language", iso3.get(record["language"], record["language"])))
    lines.append(_e("dc:publisher", record["publisher"]))
    lines.append(_e("oaire:resourceType", record["coar_label"], resourceTypeGeneral="literature",
                    uri=f"http://purl.org/coar/resource_type/{record['coar']}"))
    lines.append(_e("dc:description", record["abstract"]))
    lines.append(_e("dc:format", "application/pdf"))
    lines.append(_e("datacite:rights", "open access", rightsURI="http://purl.org/coar/access_right/c_abf2"))
    lines.append("<datacite:subjects>" + "".join(_e("datacite:subject", s) for s in record["subjects"])
                 + "</datacite:subjects>")
    if record.get("licence"):
        lines.append(_e("oaire:licenseCondition", "Creative Commons", startDate=accepted, uri=record["licence"]))
    lines.append(_e("oaire:file", f"https://repository.vnu.edu.vn/bitstreams/{record['bitstream']}/download",
                    accessRightsURI="http://purl.org/coar/access_right/c_abf2", mimeType="application/pdf",
                    objectType="fulltext"))
    if record.get("journal"):
        lines += [_e("oaire:citationTitle", record["journal"]), _e("oaire:citationVolume", record["volume"]),
                  _e("oaire:citationIssue", record["issue"]), _e("oaire:citationStartPage", record["start"]),
                  _e("oaire:citationEndPage", record["end"])]
    return ('<oaire:resource xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:datacite="http://datacite.org/schema/kernel-4" '
            'xmlns:oaire="http://namespace.openaire.eu/schema/oaire/" '
            'xmlns:vc="http://www.w3.org/2007/XMLSchema-versioning" '
            'xsi:schemaLocation="http://namespace.openaire.eu/schema/oaire/ '
            'https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd">\n\t'
            + "\n\t".join(lines) + "\n</oaire:resource>")


def _dspace_cerif(record: dict) -> str:
    """``oai_cerif_openaire`` (CERIF XML, OpenAIRE guidelines for CRIS managers 1.1) as DSpace-CRIS writes it."""
    item = f"Publications/{record['bitstream']}"
    lines = [_e("oai_cerif:Type", f"http://purl.org/coar/resource_type/{record['coar']}")
             .replace("<oai_cerif:Type>", '<oai_cerif:Type xmlns:oai_cerif='
                      '"https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">'),
             _e("oai_cerif:Language", record["language"])]
    lines += [_e("oai_cerif:Title", text, xml_lang=lang) for lang, text in record["title"]]
    if record.get("journal"):
        lines.append(f'<oai_cerif:PublishedIn><oai_cerif:Publication id="Publications/{record["issn"]}">'
                     + _e("oai_cerif:Title", record["journal"], xml_lang="en")
                     + _e("oai_cerif:ISSN", record["issn"], medium="http://issn.org/vocabularies/Medium#Online")
                     + "</oai_cerif:Publication></oai_cerif:PublishedIn>")
    lines.append(_e("oai_cerif:PublicationDate", record["issued"]))
    if record.get("journal"):
        lines += [_e("oai_cerif:Volume", record["volume"]), _e("oai_cerif:Issue", record["issue"]),
                  _e("oai_cerif:StartPage", record["start"]), _e("oai_cerif:EndPage", record["end"])]
    if record.get("doi"):
        lines.append(_e("oai_cerif:DOI", record["doi"]))
    lines += [_e("oai_cerif:Handle", record["handle"]), _e("oai_cerif:URL", _handle_url(record))]
    authors = []
    for author in record["authors"]:
        family, _, given = author.partition(", ")
        authors.append(f"<oai_cerif:Author>{_e('oai_cerif:DisplayName', author)}<oai_cerif:Person>"
                       f"<oai_cerif:PersonName>{_e('oai_cerif:FamilyNames', family)}"
                       f"{_e('oai_cerif:FirstNames', given)}</oai_cerif:PersonName></oai_cerif:Person>"
                       "</oai_cerif:Author>")
    lines.append(f"<oai_cerif:Authors>{''.join(authors)}</oai_cerif:Authors>")
    lines.append(f"<oai_cerif:Publishers><oai_cerif:Publisher>{_e('oai_cerif:DisplayName', record['publisher'])}"
                 "</oai_cerif:Publisher></oai_cerif:Publishers>")
    if record.get("licence"):
        lines.append(_e("oai_cerif:License", record["licence"]).replace(
            "<oai_cerif:License>",
            '<oai_cerif:License xmlns:oai_cerif="https://www.openaire.eu/cerif-profile/vocab/LicenseTypes">'))
    lines += [_e("oai_cerif:Keyword", subject) for subject in record["subjects"]]
    lines.append(_e("oai_cerif:Abstract", record["abstract"]))
    return (f'<oai_cerif:Publication xmlns:oai_cerif="https://www.openaire.eu/cerif-profile/1.1/" id="{item}">\n\t'
            + "\n\t".join(lines) + "\n</oai_cerif:Publication>")


def _sets(flavour: str, record: dict) -> list[str]:
    if flavour == "ojs":
        return [f"{ORIGINAL['ojs']['journal']['path']}:{record['section']}", "driver"]
    return record["sets"]


def _deleted(flavour: str, record: dict) -> bool:
    return record.get("deleted", False) or record["id"] in DELETED[flavour]


def _header(flavour: str, record: dict) -> str:
    status = ' status="deleted"' if _deleted(flavour, record) else ""
    sets = "".join(f"\n\t\t\t\t{_e('setSpec', s)}" for s in _sets(flavour, record))
    return (f"\t\t\t<header{status}>\n\t\t\t\t{_e('identifier', record['id'])}\n"
            f"\t\t\t\t{_e('datestamp', record['datestamp'])}{sets}\n\t\t\t</header>")


def _record(flavour: str, record: dict, prefix: str) -> str:
    if _deleted(flavour, record):
        return f"\t\t<record>\n{_header(flavour, record)}\n\t\t</record>"
    render = {"ojs": {"oai_dc": _ojs_dc},
              "dspace": {"oai_dc": _dspace_dc, "oai_openaire": _dspace_openaire, "oai_cerif_openaire": _dspace_cerif}}
    metadata = render[flavour][prefix](record)
    return f"\t\t<record>\n{_header(flavour, record)}\n\t\t\t<metadata>\n{metadata}\n\t\t\t</metadata>\n\t\t</record>"


# ---------------------------------------------------------------- verbs


def _granularity(flavour: str, scenario: str) -> str:
    return DAY if scenario == "daily" else ORIGINAL[flavour]["repository"]["granularity"]


def _identify(flavour: str, scenario: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    repo = ORIGINAL[flavour]["repository"]
    sample = RECORDS[flavour][0]["id"]
    body = (
        "\t<Identify>\n"
        f"\t\t{_e('repositoryName', repo['name'])}\n\t\t{_e('baseURL', repo['base_url'])}\n"
        "\t\t<protocolVersion>2.0</protocolVersion>\n"
        f"\t\t{_e('adminEmail', repo['admin_email'])}\n\t\t{_e('earliestDatestamp', repo['earliest'])}\n"
        f"\t\t{_e('deletedRecord', 'transient' if scenario == 'transient' else 'persistent')}\n"
        f"\t\t{_e('granularity', _granularity(flavour, scenario))}\n"
        + ("\t\t<compression>gzip</compression>\n\t\t<compression>deflate</compression>\n"
           if flavour == "dspace" else "")
        + "\t\t<description>\n"
        '\t\t\t<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
        'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">\n'
        f"\t\t\t\t<scheme>oai</scheme>\n\t\t\t\t{_e('repositoryIdentifier', repo['repository_id'])}\n"
        f"\t\t\t\t<delimiter>:</delimiter>\n\t\t\t\t{_e('sampleIdentifier', sample)}\n"
        "\t\t\t</oai-identifier>\n\t\t</description>\n\t</Identify>"
    )
    return _ok(flavour, query, body)


def _formats(flavour: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    if "identifier" in query and _find(flavour, query["identifier"]) is None:
        return _error(flavour, query, "idDoesNotExist", f"No matching identifier: {query['identifier']}")
    items = []
    for prefix in ORIGINAL[flavour]["repository"]["formats"]:
        schema, namespace = SCHEMAS[prefix]
        items.append(f"\t\t<metadataFormat>\n\t\t\t{_e('metadataPrefix', prefix)}\n\t\t\t{_e('schema', schema)}\n"
                     f"\t\t\t{_e('metadataNamespace', namespace)}\n\t\t</metadataFormat>")
    return _ok(flavour, query, "\t<ListMetadataFormats>\n" + "\n".join(items) + "\n\t</ListMetadataFormats>")


def _list_sets(flavour: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    if flavour == "ojs":
        journal = ORIGINAL["ojs"]["journal"]
        sets = {journal["path"]: journal["title"]["vi-VN"],
                **{f"{journal['path']}:{k}": v for k, v in journal["sections"].items()},
                "driver": "Open Access DRIVERset"}
    else:
        sets = ORIGINAL["dspace"]["repository"]["sets"]
    items = [f"\t\t<set>{_e('setSpec', spec)}{_e('setName', name)}</set>" for spec, name in sets.items()]
    return _ok(flavour, query, "\t<ListSets>\n" + "\n".join(items) + "\n\t</ListSets>")


def _find(flavour: str, identifier: str) -> dict | None:
    return next((r for r in RECORDS[flavour] if r["id"] == identifier), None)


def _check_date(value: str, granularity: str) -> str | None:
    """The granularity of ``value``, or None when the repository cannot accept it."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return DAY
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", value) and granularity == SECOND:
        return SECOND
    return None


def _in_range(datestamp: str, start: str | None, end: str | None) -> bool:
    if start and datestamp[:len(start)] < start:
        return False
    return not (end and datestamp[:len(end)] > end)


def _in_set(flavour: str, record: dict, spec: str | None) -> bool:
    return not spec or any(s == spec or s.startswith(spec + ":") for s in _sets(flavour, record))


def _new_token(flavour: str, state: dict) -> str:
    if flavour == "ojs":
        token = hashlib.md5(json.dumps(state, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
        _OJS_TOKENS[token] = state
        return token
    fields = [str(state["offset"]), state["prefix"], state.get("from") or "", state.get("until") or "",
              state.get("set") or ""]
    return base64.b64encode("|".join(f"{i + 1}:{v}" for i, v in enumerate(fields)).encode()).decode()


def _read_token(flavour: str, token: str) -> dict | None:
    if flavour == "ojs":
        return _OJS_TOKENS.get(token)
    try:
        parts = base64.b64decode(token, validate=True).decode().split("|")
        values = [part.split(":", 1)[1] for part in parts]
        return {"offset": int(values[0]), "prefix": values[1], "from": values[2] or None,
                "until": values[3] or None, "set": values[4] or None}
    except (ValueError, IndexError):
        return None


def _listing(flavour: str, scenario: str, verb: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    token = query.get("resumptionToken")
    if token is not None:
        if set(query) - {"verb", "resumptionToken"}:
            return _error(flavour, query, "badArgument", "resumptionToken is an exclusive argument")
        state = _read_token(flavour, token)
        if state is None or (scenario == "bad-token-page-2"):
            return _error(flavour, query, "badResumptionToken", "The value of the resumptionToken argument is invalid "
                                                                "or expired.")
    else:
        if set(query) - {"verb", "metadataPrefix", "from", "until", "set"}:
            return _error(flavour, query, "badArgument", "Illegal argument in the request")
        if "metadataPrefix" not in query:
            return _error(flavour, query, "badArgument", "Missing metadataPrefix argument")
        state = {"offset": 0, "prefix": query["metadataPrefix"], "from": query.get("from"),
                 "until": query.get("until"), "set": query.get("set")}
        granularity = _granularity(flavour, scenario)
        kinds = {k: _check_date(query[k], granularity) for k in ("from", "until") if k in query}
        if None in kinds.values():
            return _error(flavour, query, "badArgument", "Bad date format or granularity in from or until")
        if len(set(kinds.values())) > 1:
            return _error(flavour, query, "badArgument", "from and until must have the same granularity")
        if state["from"] and state["until"] and state["from"] > state["until"]:
            return _error(flavour, query, "badArgument", "from is after until")
    prefix = state["prefix"]
    if prefix not in ORIGINAL[flavour]["repository"]["formats"] or prefix not in RENDERED:
        return _error(flavour, query, "cannotDisseminateFormat", f"Cannot disseminate format '{prefix}'")
    if scenario == "empty":
        return _error(flavour, query, "noRecordsMatch", "No matching records in this repository")
    records = [r for r in RECORDS[flavour]
               if _in_range(r["datestamp"], state["from"], state["until"]) and _in_set(flavour, r, state["set"])]
    if not records:
        return _error(flavour, query, "noRecordsMatch", "No matching records in this repository")
    offset = state["offset"]
    chunk = records[offset:offset + PAGE_SIZE]
    if verb == "ListRecords":
        items = [_record(flavour, r, prefix) for r in chunk]
    else:
        items = [_header(flavour, r).replace("\t\t\t", "\t\t", 1) for r in chunk]
    more = offset + PAGE_SIZE < len(records)
    token_xml = ""
    if more or token is not None:
        next_token = _new_token(flavour, {**state, "offset": offset + PAGE_SIZE}) if more else ""
        if scenario == "same-token" and more:
            next_token = _new_token(flavour, {**state, "offset": PAGE_SIZE})
        expiry = ' expirationDate="2099-12-31T23:59:59Z"' if flavour == "ojs" and more else ""
        token_xml = (f'\n\t\t<resumptionToken{expiry} completeListSize="{len(records)}" cursor="{offset}">'
                     f"{escape(next_token)}</resumptionToken>")
    return _ok(flavour, query, f"\t<{verb}>\n" + "\n".join(items) + f"{token_xml}\n\t</{verb}>")


def _get_record(flavour: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    if "identifier" not in query or "metadataPrefix" not in query:
        return _error(flavour, query, "badArgument", "GetRecord needs identifier and metadataPrefix")
    record = _find(flavour, query["identifier"])
    if record is None:
        return _error(flavour, query, "idDoesNotExist", f"No matching identifier: {query['identifier']}")
    prefix = query["metadataPrefix"]
    if prefix not in ORIGINAL[flavour]["repository"]["formats"] or prefix not in RENDERED:
        return _error(flavour, query, "cannotDisseminateFormat", f"Cannot disseminate format '{prefix}'")
    return _ok(flavour, query, f"\t<GetRecord>\n{_record(flavour, record, prefix)}\n\t</GetRecord>")


def _broken(scenario: str, query: dict[str, str], answer: tuple[int, str, bytes]) -> tuple[int, str, bytes]:
    """The answer as a broken repository gives it."""
    listing = query.get("verb") in ("ListRecords", "ListIdentifiers")
    later_page = listing and "resumptionToken" in query
    first_page = listing and "resumptionToken" not in query
    if scenario == "error-page-2" and later_page:
        return 500, "text/html", b"<html><body><h1>500 Internal Server Error</h1></body></html>"
    if scenario == "malformed-page-2" and later_page:
        return answer[0], answer[1], answer[2][: len(answer[2]) // 2]
    if scenario == "latin1-page-2" and later_page:
        return answer[0], answer[1], answer[2].decode("utf-8").encode("cp1258", errors="replace")
    if scenario == "xxe" and first_page:
        return 200, "text/xml;charset=utf-8", (FOLDER / "xxe.xml").read_bytes()
    if scenario == "billion-laughs" and first_page:
        return 200, "text/xml;charset=utf-8", (FOLDER / "billion_laughs.xml").read_bytes()
    return answer


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if len(parts) != 2 or parts[0] not in FLAVOURS:
        return 404, "text/plain; charset=utf-8", "Không tìm thấy kho OAI-PMH".encode()
    flavour, scenario = parts[0], SCENARIO or parts[1]
    REQUESTS.append({"flavour": flavour, "scenario": scenario, **query})
    verb = query.get("verb")
    if verb == "Identify":
        answer = _identify(flavour, scenario, query)
    elif verb == "ListMetadataFormats":
        answer = _formats(flavour, query)
    elif verb == "ListSets":
        answer = _list_sets(flavour, query)
    elif verb in ("ListRecords", "ListIdentifiers"):
        answer = _listing(flavour, scenario, verb, query)
    elif verb == "GetRecord":
        answer = _get_record(flavour, query)
    else:
        answer = _error(flavour, query, "badVerb", "Illegal OAI verb" if verb else "No verb given")
    return _broken(scenario, query, answer)
