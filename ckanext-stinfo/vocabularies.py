"""The shared category lists (danh mục dùng chung) shipped as YAML files.

Each file in ``ckanext/stinfo/schemas/vocabularies/`` holds one list: a header
(``name``, ``title``, ``version``, ``issued``, ``source``, ``licence``, optional
``uri_base`` and ``description``) and ``items``, each with a quoted ``code``, a
``label`` in ``vi`` and/or ``en``, an optional ``uri`` and ``parent``, and any
extra keys. An item without ``uri`` gets ``uri_base + code``. A relative
``uri_base`` or ``uri`` is resolved against :data:`NAMESPACE`, the project's own
URI space for concepts that have no official URI (no official URI set exists for
the OECD fields of research, the provinces or the project's own lists).
"""
from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

NAMESPACE = "https://stinfo.gov.vn/vocab/"
PACKAGE = "ckanext.stinfo.schemas"
FOLDER = "vocabularies"
LANGUAGES = ("vi", "en")
HEADER_REQUIRED = ("name", "title", "version", "issued", "source", "licence", "items")
HEADER_OPTIONAL = ("uri_base", "description")
ITEM_KEYS = ("code", "uri", "label", "parent")


class VocabularyError(ValueError):
    """A vocabulary that does not exist or whose file is malformed."""


@dataclass(frozen=True)
class Concept:
    """One entry of a list: ``extra`` holds the keys beyond code, uri, label and parent."""

    code: str
    uri: str
    label: Mapping[str, str]
    parent: str | None
    extra: Mapping[str, Any]


class Vocabulary:
    """A loaded list with look-ups by code and by URI."""

    def __init__(self, header: Mapping[str, Any], items: tuple[Concept, ...]) -> None:
        self.name: str = header["name"]
        self.title: Mapping[str, str] = header["title"]
        self.version: str = header["version"]
        self.issued: datetime.date = header["issued"]
        self.source: str = header["source"]
        self.licence: str = header["licence"]
        self.description: str | None = header.get("description")
        self.items = items
        self._by_code = {item.code: item for item in items}
        self._by_uri = {item.uri: item for item in items}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"<Vocabulary {self.name} {self.version}: {len(self.items)} items>"

    def get(self, code: str) -> Concept | None:
        """Return the concept with ``code``, or None."""
        return self._by_code.get(code)

    def label(self, code: str, lang: str = "vi") -> str:
        """Return the label of ``code`` in ``lang``, else in the other language, else ``code``."""
        concept = self.get(code)
        if concept is None:
            return code
        return _pick(concept.label, lang) or code

    def uri(self, code: str) -> str | None:
        """Return the URI of ``code``, or None for an unknown code."""
        concept = self.get(code)
        return concept.uri if concept else None

    def codes(self) -> list[str]:
        """Return the codes in file order."""
        return [item.code for item in self.items]

    def choices(self, lang: str = "vi") -> list[dict[str, str]]:
        """Return ``[{'value': code, 'label': label}]`` in file order, as ckanext-scheming expects."""
        return [{"value": item.code, "label": self.label(item.code, lang)} for item in self.items]

    def by_uri(self, uri: str) -> Concept | None:
        """Return the concept whose URI is ``uri``, or None."""
        return self._by_uri.get(uri)


def _pick(labels: Mapping[str, str], lang: str) -> str | None:
    """Return the label in ``lang`` (``en_GB`` counts as ``en``), else the first other one."""
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    for key in (base, *LANGUAGES, *labels):
        if labels.get(key):
            return labels[key]
    return None


def _folder():
    return resources.files(PACKAGE) / FOLDER


@functools.cache
def _names() -> tuple[str, ...]:
    return tuple(sorted(entry.name[:-5] for entry in _folder().iterdir() if entry.name.endswith(".yaml")))


def names() -> list[str]:
    """Return the names of all shipped lists."""
    return list(_names())


@functools.cache
def vocabulary(name: str) -> Vocabulary:
    """Return the shipped list called ``name``, loaded once."""
    if name not in _names():
        raise VocabularyError(f"No vocabulary named {name!r}; known: {', '.join(_names())}.")
    return parse((_folder() / f"{name}.yaml").read_text(encoding="utf-8"), name)


def successor_province(former_code: str) -> str:
    """Return the code of the province that took over the former (pre-2025) province ``former_code``."""
    concept = vocabulary("former_provinces").get(former_code)
    if concept is None:
        raise KeyError(f"{former_code!r} is not a former province code")
    return concept.extra["successor"]


def parse(text: str, name: str) -> Vocabulary:
    """Build a :class:`Vocabulary` from the YAML ``text`` of the file ``<name>.yaml``.

    Raises :class:`VocabularyError` naming the file and the fault.
    """
    where = f"{name}.yaml"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise VocabularyError(f"{where}: not valid YAML ({error}).") from error
    header = _header(data, name, where)
    base = _uri_base(header.get("uri_base"), where)
    items = tuple(_concept(raw, index, base, where) for index, raw in enumerate(data["items"], 1))
    _check_unique(items, where)
    return Vocabulary(header, items)


def _header(data: object, name: str, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise VocabularyError(f"{where}: the file must be a mapping with {', '.join(HEADER_REQUIRED)}.")
    missing = [key for key in HEADER_REQUIRED if key not in data]
    if missing:
        raise VocabularyError(f"{where}: missing header keys {', '.join(missing)}.")
    unknown = sorted(set(data) - set(HEADER_REQUIRED) - set(HEADER_OPTIONAL))
    if unknown:
        raise VocabularyError(f"{where}: unknown header keys {', '.join(unknown)}.")
    if data["name"] != name:
        raise VocabularyError(f"{where}: name is {data['name']!r}, but the file is called {name!r}.")
    for key in ("version", "source", "licence"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise VocabularyError(f"{where}: {key} must be a non-empty quoted string.")
    if not isinstance(data["items"], list) or not data["items"]:
        raise VocabularyError(f"{where}: items must be a non-empty list.")
    header = {key: value for key, value in data.items() if key != "items"}
    header["title"] = _labels(data["title"], f"{where}: title")
    header["issued"] = _issued(data["issued"], where)
    return header


def _issued(value: object, where: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise VocabularyError(f"{where}: issued must be a date written YYYY-MM-DD.") from None


def _uri_base(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.endswith(("/", "#")):
        raise VocabularyError(f"{where}: uri_base must be a string ending in '/' or '#'.")
    return _resolve(value)


def _resolve(uri: str) -> str:
    """Return ``uri`` unchanged if absolute, else appended to :data:`NAMESPACE`."""
    return uri if uri.startswith(("http://", "https://")) else NAMESPACE + uri


def _labels(value: object, what: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or not any(value.get(lang) for lang in LANGUAGES):
        raise VocabularyError(f"{what} must have a label in vi or en.")
    if not all(isinstance(text, str) and text.strip() for text in value.values()):
        raise VocabularyError(f"{what} has an empty or non-text label.")
    return MappingProxyType(dict(value))


def _concept(raw: object, index: int, base: str | None, where: str) -> Concept:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: item {index} must be a mapping.")
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        raise VocabularyError(f"{where}: item {index} needs a code written as a quoted string.")
    what = f"{where}: item {code!r}"
    if "label" not in raw:
        raise VocabularyError(f"{what} has no label.")
    uri = raw.get("uri") or (base + code if base else None)
    if not isinstance(uri, str) or not uri.strip():
        raise VocabularyError(f"{what} needs a uri, or the file needs a uri_base.")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise VocabularyError(f"{what}: parent must be a quoted string.")
    extra = {key: value for key, value in raw.items() if key not in ITEM_KEYS}
    return Concept(code, _resolve(uri), _labels(raw["label"], what), parent, MappingProxyType(extra))


def _check_unique(items: tuple[Concept, ...], where: str) -> None:
    codes: set[str] = set()
    uris: set[str] = set()
    for item in items:
        if item.code in codes:
            raise VocabularyError(f"{where}: duplicate code {item.code!r}.")
        if item.uri in uris:
            raise VocabularyError(f"{where}: duplicate uri {item.uri!r}.")
        codes.add(item.code)
        uris.add(item.uri)
    for item in items:
        if item.parent is not None and (item.parent not in codes or item.parent == item.code):
            raise VocabularyError(f"{where}: item {item.code!r} has unknown parent {item.parent!r}.")
