"""Safe XML parsing for documents that come from outside: no DTDs, no entities, no network.

:func:`parse` refuses any document that declares a document type (``<!DOCTYPE ...>``), which is
where external entities (XXE: reading local files or internal URLs) and entity-expansion bombs
("billion laughs") live; a well-formed harvest response never needs one. The document must be
UTF-8 (as OAI-PMH requires). Behind that check, the parser itself resolves no entities, loads no
DTD, opens no network connection and keeps libxml2's limits on depth and text size, so nothing
is expanded or fetched even if a document type got past the check.
"""
from __future__ import annotations

import re

from lxml import etree

#: XML declaration at the very start: ``<?xml version="1.0" encoding="..."?>``.
_DECLARATION = re.compile(r"<\?xml\s[^>]*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: What may come before the root element besides a document type: space, comments and
#: processing instructions (such as DSpace's ``<?xml-stylesheet ...?>``).
_PROLOG_ITEM = re.compile(r"\s+|<!--.*?-->|<\?.*?\?>", re.DOTALL)
_UTF8 = {"utf-8", "utf8"}


class XmlError(ValueError):
    """A document that is not well-formed UTF-8 XML; the message says what is wrong."""


class UnsafeXmlError(XmlError):
    """A document that declares a document type or entities, refused before any expansion."""


def _parser() -> etree.XMLParser:
    """A new parser (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _text(data: bytes) -> str:
    """``data`` decoded as UTF-8, or an error saying where it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise XmlError(
            f"the document is not valid UTF-8 (byte {err.start}); the source sends another encoding "
            "than the UTF-8 it must use") from None
    if "\x00" in text:
        raise XmlError("the document contains NUL characters: it is not UTF-8 (UTF-16 or binary?)")
    return text


def _check_prolog(text: str) -> None:
    """Refuse a document type declaration and any encoding other than UTF-8."""
    position = 0
    declaration = _DECLARATION.match(text)
    if declaration:
        encoding = _DECLARED_ENCODING.search(declaration.group())
        if encoding and encoding.group(1).lower() not in _UTF8:
            raise XmlError(f"the document declares the encoding {encoding.group(1)}; only UTF-8 is accepted")
        position = declaration.end()
    while True:
        item = _PROLOG_ITEM.match(text, position)
        if not item:
            break
        position = item.end()
    if text[position:position + 9].upper() == "<!DOCTYPE":
        raise UnsafeXmlError(
            "the document declares a document type (<!DOCTYPE ...>); DTDs and entity declarations are "
            "refused to protect against external entities (XXE) and entity expansion")


def parse(data: bytes) -> etree._Element:
    """The root element of the UTF-8 XML document ``data``; :class:`XmlError` when it is refused."""
    if not isinstance(data, bytes):
        raise TypeError("parse() takes the raw bytes of the document")
    if not data.strip():
        raise XmlError("the document is empty")
    _check_prolog(_text(data))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise XmlError(f"the document is not well-formed XML ({err})") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or next(root.iter(etree.Entity), None) is not None:
        raise UnsafeXmlError("the document declares a document type or uses entities; refused")
    return root
