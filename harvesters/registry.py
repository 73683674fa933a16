"""R&D organisations and researchers from the registries' export files (JSON, CSV or XLSX).

The R&D organisation database (CSDL tổ chức nghiên cứu và phát triển) and the S&T human
resources database (CSDL nhân lực KH&CN) publish complete exports at a URL. Every run reads the
whole file, so the listing is full: a record missing from a complete export is withdrawn, and an
export that cannot be read to the end withdraws nothing (the base's rule).

Configuration keys (a JSON object; ``mapping`` as in ``mapping.py``):

``format``
    ``auto`` (default: the Content-Type, else the URL's extension, else the content), ``json``,
    ``csv`` or ``xlsx``.
``id_field``
    Column (or dotted path in JSON) of the record identifier; default ``id``.
``records_path``
    JSON: dotted path to the array of records; empty (default) when the file is the array.
``sheet``
    XLSX: name of the sheet to read; default the first sheet.
``header_row``
    XLSX: number of the row holding the column names (rows above it are skipped); default 1.
``delimiter``
    CSV: ``auto`` (default: ``,`` or ``;``, whichever splits the header line more), ``,``,
    ``;`` or a tab.
``encoding``
    CSV: the text encoding; default ``utf-8`` (a byte-order mark is accepted). JSON is always
    UTF-8.
``max_expanded_bytes``
    XLSX: largest total uncompressed size of the workbook's members, read from the zip
    directory before the workbook is opened; default five times
    ``ckanext.stinfo.harvest.max_bytes``.
``record_url``
    Link to one record at the source, with ``{url}`` and ``{id}``; default ``{url}#{id}``.
``normalize``
    Dataset field -> normaliser applied after the mapping: ``list`` (text split on ``,``, ``;``
    or new lines), ``province`` (current codes, unpadded codes and names to the code of one of
    the 34 provincial units), ``province_former`` (the same, and pre-July-2025 codes and names
    to their successor unit), ``fields_of_science`` (a list; national codes of Decision
    12/2008/QĐ-BKHCN to OECD FORD codes through the vocabulary's ``vn_codes``), ``tax_code``
    (a leading zero lost by a spreadsheet that took the code for a number put back),
    ``organization_by_tax_code`` (a tax code to the name of the S&T organisation record that
    carries it; left out while there is none).

Personal identification numbers (the fields a harvester lists in ``personal_fields``) are
replaced by their keyed fingerprint as soon as a row is read, so the raw number is never stored
in a harvest object, hashed into the published content hash or sent to ``package_create``; a
number that breaks a rule is replaced by the name of the rule, reported as that record's error.
No message of this module shows a number that looks like one, and a source whose record id is
the personal number is refused.
"""
from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import json
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import ParseError

from ckan.plugins import implements, toolkit
from ckanext.harvest.interfaces import IHarvester
from ckanext.stinfo import identifiers, personal_data
from ckanext.stinfo.harvesters import helpers, http, mapping
from ckanext.stinfo.harvesters.base import MappingError, SourceRecord, StinfoHarvester

log = logging.getLogger(__name__)

FORMATS = ("json", "csv", "xlsx")
CONTENT_TYPES = {
    "application/json": "json",
    "text/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
EXTENSIONS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
ACCEPT = ("application/json, text/csv, "
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.9, */*;q=0.1")
DELIMITERS = (",", ";", "\t")
#: Most zip members an XLSX workbook may have (a real one has a few dozen).
MAX_ZIP_MEMBERS = 1000
#: How many row problems a gather error spells out.
PROBLEMS_SHOWN = 5

DEFAULTS: dict[str, Any] = {
    "format": "auto",
    "id_field": "id",
    "records_path": "",
    "sheet": None,
    "header_row": 1,
    "delimiter": "auto",
    "encoding": "utf-8",
    "max_expanded_bytes": None,
    "record_url": "{url}#{id}",
    "normalize": {},
}

# Twelve digits, possibly grouped by spaces or dots (001 085 004217), not inside a longer number.
_PERSONAL_NUMBER = re.compile(r"(?<![\d])(?:\d[ .]?){11}\d(?![\d])")


def mask_personal_ids(text: str) -> str:
    """``text`` with every run of twelve digits shown as ``**********NN`` (the last two kept)."""
    return _PERSONAL_NUMBER.sub(lambda m: "*" * 10 + re.sub(r"\D", "", m.group())[-2:], text)


# ---------------------------------------------------------------- normalisers
def _restore_zeros(value: Any, length: int, lost: int) -> Any:
    """A number that lost up to ``lost`` leading zeros (a spreadsheet cell typed as a number)
    padded back to ``length`` digits; any other value unchanged."""
    text = re.sub(r"\s", "", str(value))
    if text.isdigit() and length - lost <= len(text) < length:
        return text.zfill(length)
    return value


def _tax_code(value: Any) -> Any:
    """A ten-digit tax code whose leading zero was lost (0100110207 read as 100110207) restored."""
    return _restore_zeros(value, 10, 1)


def seal_personal_id(value: Any) -> Any:
    """What a harvester keeps of a personal identification number: its keyed fingerprint (the
    stored form, see ``personal_data``), or ``{"invalid": rule, "params": ...}`` naming the rule it
    breaks. Leading zeros lost by a spreadsheet are put back first: the province part (001 to
    096) always starts with 0, so ten or eleven digits can only be a shortened number. Empty
    values, fingerprints and earlier verdicts are returned unchanged."""
    if value in (None, "") or isinstance(value, dict):
        return value
    text = str(value).strip()
    if personal_data.FINGERPRINT.match(text):
        return text
    try:
        number = identifiers.normalize_personal_id(str(_restore_zeros(text, 12, 2)))
    except identifiers.IdentifierError as error:
        return {"invalid": error.template, "params": {key: str(v) for key, v in error.params.items()}}
    return personal_data.fingerprint(number)


NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    "list": helpers.as_list,
    "province": functools.partial(helpers.province_code, former=False),
    "province_former": helpers.province_code,
    "fields_of_science": helpers.fields_of_science,
    "tax_code": _tax_code,
    "organization_by_tax_code": lambda value: helpers.organization_by_tax_code(_tax_code(value)),
}


# ---------------------------------------------------------------- reading the files
Rows = Iterator[tuple[str, dict[str, Any]]]


def detect_format(setting: str, response: http.Response) -> str:
    """The file's format: the configured one, else from Content-Type, extension or content."""
    if setting != "auto":
        return setting
    content_type = response.content_type.split(";")[0].strip().lower()
    if content_type in CONTENT_TYPES:
        return CONTENT_TYPES[content_type]
    suffix = PurePosixPath(urlsplit(response.url).path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    head = response.body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if response.body.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head in (b"[", b"{"):
        return "json"
    if content_type == "text/html" or head == b"<":
        raise http.SourceError(f"{response.url}: the server sent a web page, not an export file")
    return "csv"


def _nfc(value: Any) -> Any:
    """``value`` with every string in Unicode NFC (Vietnamese letters precomposed) and stripped."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    return value


def _header(cells: list[str], where: str) -> list[str]:
    names = [unicodedata.normalize("NFC", cell).strip() for cell in cells]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise http.SourceError(f"{where}: the column '{name}' appears twice in the header row")
        seen.add(name)
    if not any(names):
        raise http.SourceError(f"{where}: the header row is empty")
    return names


def _row(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: cell for name, cell in zip(header, cells, strict=False) if name and cell}


def _json_rows(response: http.Response, cfg: dict[str, Any], problems: list[str]) -> Rows:
    try:
        document = json.loads(response.text())
    except ValueError as err:
        raise http.SourceError(f"{response.url}: the file is not valid JSON ({err})") from None
    path = cfg["records_path"]
    items = mapping.resolve(document, path) if path else document
    if not isinstance(items, list):
        where = f"at '{path}'" if path else "at the top level"
        raise MappingError(f"{response.url}: the JSON file has no list of records {where}")
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            yield f"record {number}", _nfc(item)
        else:
            problems.append(f"record {number} is not an object; it is skipped")


def _decode(response: http.Response, encoding: str) -> str:
    utf8 = codecs.lookup(encoding).name == "utf-8"
    try:
        text = response.body.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as err:
        raise http.SourceError(
            f"{response.url}: the file is not valid {encoding.upper()} text (byte {err.start}); export it as "
            "UTF-8 or set 'encoding' in the source configuration") from None
    return unicodedata.normalize("NFC", text)


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    widths = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (widths[d], d == ","))


def _csv_rows(response: http.Response, cfg: dict[str, Any], problems: list[str]) -> Rows:
    text = _decode(response, cfg["encoding"])
    delimiter = _sniff_delimiter(text) if cfg["delimiter"] == "auto" else cfg["delimiter"]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _header(cells, f"{response.url}: line {reader.line_num}")
                continue
            surplus = cells[len(header):]
            if len(cells) < len(header) or any(cell.strip() for cell in surplus):
                problems.append(f"line {reader.line_num} has {len(cells)} values where the header has "
                                f"{len(header)}; the row is skipped")
                continue
            yield f"line {reader.line_num}", _row(header, [cell.strip() for cell in cells])
    except csv.Error as err:
        raise http.SourceError(f"{response.url}: the CSV file breaks at line {reader.line_num} ({err})") from None


def _cell(value: Any) -> str:
    """An XLSX cell's value as text (whole numbers without '.0', dates as ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def check_archive(response: http.Response, limit: int) -> None:
    """Refuse a workbook whose zip directory announces more than ``limit`` uncompressed bytes.

    Python's zipfile never inflates a member past the size its directory entry declares, so
    checking the declared sizes bounds what opening the workbook can cost.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise http.SourceError(f"{response.url}: the file is not a valid XLSX workbook ({err})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise http.SourceError(f"{response.url}: the workbook has {len(members)} parts, over the limit of "
                               f"{MAX_ZIP_MEMBERS}; it was refused without being opened")
    expanded = sum(member.file_size for member in members)
    if expanded > limit:
        raise http.SourceError(
            f"{response.url}: the workbook would expand from {len(response.body)} to {expanded} bytes, over the "
            f"limit of {limit}; it was refused without being opened")


def _sheet(workbook: Any, name: str | None, url: str) -> Any:
    if not name:
        return workbook.worksheets[0]
    wanted = unicodedata.normalize("NFC", name).strip().casefold()
    for title in workbook.sheetnames:
        if unicodedata.normalize("NFC", title).strip().casefold() == wanted:
            return workbook[title]
    raise http.SourceError(f"{url}: the workbook has no sheet '{name}' (its sheets: {', '.join(workbook.sheetnames)})")


XLSX_ERRORS = (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError, ParseError)


def _xlsx_rows(response: http.Response, cfg: dict[str, Any], problems: list[str]) -> Rows:
    limit = cfg["max_expanded_bytes"] or 5 * toolkit.config.get("ckanext.stinfo.harvest.max_bytes")
    check_archive(response, limit)
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:
        raise http.SourceError("reading XLSX exports needs the Python package openpyxl, which is not installed") \
            from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(response.body), read_only=True, data_only=True)
    except (*XLSX_ERRORS, InvalidFileException) as err:
        raise http.SourceError(f"{response.url}: the file is not a readable XLSX workbook "
                               f"({type(err).__name__})") from None
    try:
        sheet = _sheet(workbook, cfg["sheet"], response.url)
        sheet.reset_dimensions()
        header: list[str] | None = None
        first = cfg["header_row"]
        for number, values in enumerate(sheet.iter_rows(min_row=first, values_only=True), first):
            cells = [_cell(value) for value in values]
            if header is None:
                if number == first:
                    header = _header(cells, f"{response.url}: sheet '{sheet.title}', row {number}")
                continue
            if any(cells):
                yield f"row {number}", _row(header, cells)
    except XLSX_ERRORS as err:
        raise http.SourceError(f"{response.url}: the workbook cannot be read ({type(err).__name__})") from None
    finally:
        workbook.close()


READERS: dict[str, Callable[[http.Response, dict[str, Any], list[str]], Rows]] = {
    "json": _json_rows, "csv": _csv_rows, "xlsx": _xlsx_rows,
}


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


def _personal_path(rule: Any) -> str | None:
    """The column a personal field is read from, when its rule is a plain path (else None)."""
    if isinstance(rule, dict) and set(rule) == {"path"}:
        rule = rule["path"]
    if isinstance(rule, str) and rule.strip() and "[]" not in rule:
        return rule.strip()
    return None


# ---------------------------------------------------------------- harvesters
class RegistryHarvester(StinfoHarvester):
    """Shared base of the registry-export harvesters (not a plugin itself)."""

    incremental = False
    #: Dataset type (record schema) of the harvested records.
    dataset_type = ""
    #: Dataset fields holding a personal identification number: sealed as soon as a row is read
    #: (see :func:`seal_personal_id`); their source column may not be the record id.
    personal_fields: tuple[str, ...] = ()

    @staticmethod
    def settings(config: dict[str, Any]) -> dict[str, Any]:
        """The source's configuration over the defaults."""
        return {**DEFAULTS, **config}

    def config_errors(self, config: dict[str, Any]) -> list[str]:
        problems = mapping.errors(config.get("mapping"))
        cfg = self.settings(config)
        if cfg["format"] not in ("auto", *FORMATS):
            problems.append("'format' must be auto, json, csv or xlsx")
        if not isinstance(cfg["id_field"], str) or not cfg["id_field"].strip():
            problems.append("'id_field' must name the column of the record identifier")
        if not isinstance(cfg["records_path"], str):
            problems.append("'records_path' must be a dotted path (empty when the JSON file is the list)")
        if cfg["sheet"] is not None and (not isinstance(cfg["sheet"], str) or not cfg["sheet"].strip()):
            problems.append("'sheet' must be the name of a sheet")
        header_row = cfg["header_row"]
        if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= 1000:
            problems.append("'header_row' must be a whole number from 1 to 1000")
        if cfg["delimiter"] not in ("auto", *DELIMITERS):
            problems.append("'delimiter' must be auto, a comma, a semicolon or a tab")
        try:
            codecs.lookup(cfg["encoding"])
        except (LookupError, TypeError):
            problems.append(f"'encoding' {cfg['encoding']!r} is not a known text encoding")
        limit = cfg["max_expanded_bytes"]
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            problems.append("'max_expanded_bytes' must be a positive whole number")
        try:
            str(cfg["record_url"]).format(url="", id="")
        except (KeyError, IndexError, ValueError):
            problems.append("'record_url' may use only the placeholders {url} and {id}")
        normalize = cfg["normalize"]
        if not isinstance(normalize, dict):
            problems.append("'normalize' must be an object from dataset field to normaliser")
        else:
            problems.extend(f"'normalize' of '{field}': unknown normaliser {name!r} (known: {', '.join(NORMALIZERS)})"
                            for field, name in normalize.items() if name not in NORMALIZERS)
        rules = config.get("mapping") if isinstance(config.get("mapping"), dict) else {}
        for field in self.personal_fields:
            if field not in rules:
                continue
            path = _personal_path(rules[field])
            if path is None:
                problems.append(f"the mapping of '{field}' must be a plain path to one column (no table, "
                                "default, constant, join or list)")
            elif path == cfg["id_field"]:
                problems.append(f"'id_field' must not be the column mapped to '{field}': record identifiers "
                                "are published, personal data is not")
        return problems

    def _seal(self, record: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
        """``record``, changed in place: the value of every personal field's column sealed."""
        for field in self.personal_fields:
            path = _personal_path((rules or {}).get(field))
            if path is None:
                continue
            *parents, last = path.split(".")
            holder = record
            for step in parents:
                holder = holder.get(step) if isinstance(holder, dict) else None
            if isinstance(holder, dict) and holder.get(last) not in (None, ""):
                holder[last] = seal_personal_id(holder[last])
        return record

    def gather_records(self, url: str, config: dict[str, Any],
                       since: datetime.datetime | None) -> Iterator[SourceRecord]:
        cfg = self.settings(config)
        response = http.get(url, accept=ACCEPT)
        if not response.body.strip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").strip():
            raise http.SourceError(f"{response.url}: the export file is empty ({len(response.body)} bytes)")
        fmt = detect_format(cfg["format"], response)
        problems: list[str] = []
        try:
            for where, row in READERS[fmt](response, cfg, problems):
                guid = mapping.resolve(row, cfg["id_field"])
                if isinstance(guid, float) and guid.is_integer():
                    guid = int(guid)
                if guid in (None, "") or isinstance(guid, (dict, list)):
                    problems.append(f"{where} has no '{cfg['id_field']}'; it is skipped")
                    continue
                yield SourceRecord(str(guid).strip(), self._seal(row, cfg.get("mapping")))
        except (http.SourceError, MappingError) as err:
            raise type(err)(mask_personal_ids(str(err))) from None
        if problems:
            raise MappingError(mask_personal_ids(
                f"{response.url} ({fmt.upper()}): {len(problems)} row{'s' if len(problems) > 1 else ''} could not be "
                f"read: {_summary(problems)}"))

    def record_url(self, url: str, config: dict[str, Any], guid: str) -> str:
        return str(self.settings(config)["record_url"]).format(url=url, id=quote(guid, safe=""))

    def map_record(self, record: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        cfg = self.settings(config)
        try:
            package = mapping.apply(self._seal(record, cfg["mapping"]), cfg["mapping"])
        except MappingError as err:
            raise MappingError(mask_personal_ids(str(err))) from None
        for field in self.personal_fields:
            verdict = package.get(field)
            if isinstance(verdict, dict):
                rule = str(verdict.get("invalid", identifiers.PERSONAL_ID_FORMAT))
                raise MappingError(mask_personal_ids(f"{field}: {rule.format(**verdict.get('params', {}))}"))
        for field, name in cfg["normalize"].items():
            if field in package:
                value = NORMALIZERS[name](package[field])
                if value in (None, "", []):
                    del package[field]
                else:
                    package[field] = value
        return {"type": self.dataset_type, **package}


class OrganizationRegistryHarvester(RegistryHarvester):
    """Harvester ``stinfo_rd_organizations``."""

    implements(IHarvester)
    source_system = "CSDL tổ chức nghiên cứu và phát triển"
    dataset_type = "st_organization"

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_rd_organizations",
            "title": "Tổ chức KH&CN (CSDL tổ chức nghiên cứu và phát triển)",
            "description": "R&D organisations from the registry's export file (JSON, CSV or XLSX)",
        }


class ResearcherRegistryHarvester(RegistryHarvester):
    """Harvester ``stinfo_researchers``."""

    implements(IHarvester)
    source_system = "CSDL nhân lực KH&CN"
    dataset_type = "researcher"
    personal_fields = ("personal_id",)

    def info(self) -> dict[str, str]:
        return {
            "name": "stinfo_researchers",
            "title": "Nhân lực KH&CN (CSDL nhân lực KH&CN)",
            "description": "Researchers from the S&T human-resources registry's export file (JSON, CSV or XLSX)",
        }
