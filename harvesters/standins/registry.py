"""Stand-in for the export files of the R&D organisation and S&T human-resources registries.

``/registry/<scenario>/to-chuc.<ext>`` serves the organisation registry's export and
``/registry/<scenario>/nhan-luc.<ext>`` the researcher registry's, as ``json``, ``csv`` or
``xlsx``; without an extension (``/registry/ok/to-chuc?dinh_dang=xlsx``) only the Content-Type
tells the format. All three formats are rendered from the same rows (``payloads/registry/``);
the XLSX workbook is built at request time with openpyxl, so no binary file is shipped.

The exports differ the way real ones do: the organisation JSON nests its array under
``du_lieu.to_chuc``, the researcher JSON is a bare array; the organisation CSV is UTF-8 with a
byte-order mark and ``;`` (Excel in a Vietnamese locale), the researcher CSV plain UTF-8 with
``,``; the organisation workbook has an instructions sheet first and a title above the header
row of its data sheet; both workbooks hold tax codes and personal identification numbers as
numbers, their leading zeros lost, as when typed into a spreadsheet. Organisations cite
provinces by current code, former (pre-July-2025) code or name.

Scenarios reproduce what real exports do wrong: ``ok``; ``bad-json`` (truncated JSON);
``broken-row`` (a CSV row with one value too many); ``cp1258`` (CSV or JSON in the Vietnamese
Windows code page); ``duplicate`` (one id listed twice, the second copy renamed);
``invalid-ids`` (a wrong tax-code check digit, a wrong ORCID check character, a personal
identification number with no such province); ``oversized`` (far over any sane size);
``error-500``; ``zip-bomb`` (a small XLSX whose members expand to 256 MiB); ``empty`` (0 bytes);
``no-records`` (a valid file without rows). Tests edit ``RECORDS`` to simulate changes at the
source, or set ``OVERRIDE`` to make every URL behave as one scenario.

Identifiers are synthetic: tax codes and the 12-digit personal identification numbers are
structurally valid (check digit, province code, century digit) but made up; ORCID iDs are in
0000-0000-xxxx-xxxx, outside the blocks ORCID issues, so none names a real person; ROR IDs are
the organisations' real ones; people's names are invented.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

PREFIX = "/registry"
FOLDER = Path(__file__).parent / "payloads" / "registry"
EXPORTS = {"to-chuc": "to_chuc.json", "nhan-luc": "nhan_luc.json"}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Only in some formats; any other scenario applies to all three.
ONLY = {"bad-json": {"json"}, "broken-row": {"csv"}, "cp1258": {"csv", "json"}, "zip-bomb": {"xlsx"},
        "oversized": {"csv", "json"}}
NAME_COLUMN = {"to-chuc": "ten_to_chuc", "nhan-luc": "ho_ten"}
DATA_SHEET = {"to-chuc": "Danh sách tổ chức", "nhan-luc": "Nhân lực KH&CN"}
TITLE = {"to-chuc": "DANH SÁCH TỔ CHỨC NGHIÊN CỨU VÀ PHÁT TRIỂN", "nhan-luc": "DANH SÁCH NHÂN LỰC KH&CN"}
#: Typed as numbers in the workbooks, as spreadsheets do with digit-only codes.
NUMERIC_COLUMNS = {"ma_so_thue", "mst_co_quan", "so_dinh_danh_ca_nhan"}
BOMB_BYTES = 256 * 1024 * 1024
PADDING_BYTES = 24 * 1024 * 1024

_DOCUMENTS = {kind: json.loads((FOLDER / name).read_text(encoding="utf-8")) for kind, name in EXPORTS.items()}


def _rows(document: object) -> list[dict]:
    return document["du_lieu"]["to_chuc"] if isinstance(document, dict) else document


ORIGINAL: dict[str, list[dict]] = {kind: _rows(doc) for kind, doc in _DOCUMENTS.items()}
RECORDS: dict[str, list[dict]] = copy.deepcopy(ORIGINAL)
ORGANIZATIONS = RECORDS["to-chuc"]
RESEARCHERS = RECORDS["nhan-luc"]
#: A scenario that replaces the one in every URL (None: the URL's own).
OVERRIDE: str | None = None
_BOMBS: dict[str, bytes] = {}


def reset() -> None:
    """Back to the shipped payloads, every URL its own scenario."""
    global OVERRIDE
    for kind, rows in ORIGINAL.items():
        RECORDS[kind][:] = copy.deepcopy(rows)
    OVERRIDE = None


# ---------------------------------------------------------------- scenarios on the rows
def _scenario_rows(kind: str, scenario: str) -> list[dict]:
    rows = copy.deepcopy(RECORDS[kind])
    if scenario in ("no-records", "empty"):
        return []
    if scenario == "duplicate" and rows:
        rows.append({**rows[0], NAME_COLUMN[kind]: rows[0][NAME_COLUMN[kind]] + " (bản ghi lặp)"})
    if scenario == "invalid-ids":
        for row in rows:
            if row.get("ma_so_thue") == "0100234587":
                row["ma_so_thue"] = "0100234588"
            if row.get("orcid") == "0000-0000-3451-2785":
                row["orcid"] = "0000-0000-3451-2786"
            if row.get("so_dinh_danh_ca_nhan") == "079188012944":
                row["so_dinh_danh_ca_nhan"] = "099188012944"
    if scenario == "oversized" and rows:
        rows[0]["ghi_chu"] = "Dữ liệu đính kèm quá lớn. " * (PADDING_BYTES // 32)
    return rows


def _columns(kind: str, rows: list[dict]) -> list[str]:
    """The columns in order of first appearance (the shipped ones when there are no rows)."""
    columns: list[str] = []
    for row in rows or ORIGINAL[kind]:
        columns.extend(key for key in row if key not in columns)
    return columns


def _cell(value: object) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


# ---------------------------------------------------------------- rendering
def render_json(kind: str, rows: list[dict]) -> bytes:
    document = copy.deepcopy(_DOCUMENTS[kind])
    if isinstance(document, dict):
        document["so_ban_ghi"] = len(rows)
        document["du_lieu"]["to_chuc"] = rows
    else:
        document = rows
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def render_csv(kind: str, rows: list[dict], extra_value_in_row: int | None = None) -> bytes:
    columns = _columns(kind, rows)
    organisations = kind == "to-chuc"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if organisations else ",",
                        lineterminator="\r\n" if organisations else "\n")
    writer.writerow(columns)
    for index, row in enumerate(rows):
        values = [_cell(row.get(column, "")) for column in columns]
        if index == extra_value_in_row:
            values.insert(8, "thừa")
        writer.writerow(values)
    return ("\ufeff" if organisations else "").encode("utf-8") + out.getvalue().encode("utf-8")


def _xlsx_value(column: str, value: object) -> object:
    """What a clerk's workbook holds: codes typed as numbers lose their leading zeros."""
    if value in (None, "", []):
        return None
    if column in NUMERIC_COLUMNS and str(value).isdigit():
        return int(str(value))
    return _cell(value)


def render_xlsx(kind: str, rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    columns = _columns(kind, rows)
    workbook = Workbook()
    sheet = workbook.active
    if kind == "to-chuc":
        sheet.title = "Hướng dẫn"
        sheet.append(["Tệp xuất từ CSDL tổ chức nghiên cứu và phát triển."])
        sheet.append(["Dữ liệu ở trang «Danh sách tổ chức», dòng tiêu đề cột là dòng 3."])
        sheet = workbook.create_sheet(DATA_SHEET[kind])
        sheet.append([TITLE[kind]])
        sheet.append(["Ngày xuất: 06/10/2025"])
    else:
        sheet.title = DATA_SHEET[kind]
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_value(column, row.get(column)) for column in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cp1258(text: str) -> bytes:
    """``text`` in Windows-1258: base letters precomposed, tone marks as combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out, cluster = [], ""

    def flush(part: str) -> None:
        if part:
            out.append(unicodedata.normalize("NFC", "".join(c for c in part if c not in tones)))
            out.extend(c for c in part if c in tones)

    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            cluster += char
        else:
            flush(cluster)
            cluster = char
    flush(cluster)
    return "".join(out).encode("cp1258", errors="replace")


def _zip_bomb(kind: str) -> bytes:
    """The ok workbook with its data sheet padded by 256 MiB of spaces: about 250 KB on the wire."""
    if kind not in _BOMBS:
        plain = zipfile.ZipFile(io.BytesIO(render_xlsx(kind, RECORDS[kind])))
        data_sheet = "xl/worksheets/sheet2.xml" if kind == "to-chuc" else "xl/worksheets/sheet1.xml"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
            for info in plain.infolist():
                if info.filename != data_sheet:
                    bomb.writestr(info.filename, plain.read(info.filename))
                    continue
                with bomb.open(data_sheet, "w") as member:
                    member.write(plain.read(data_sheet))
                    chunk = b" " * (1024 * 1024)
                    for _ in range(BOMB_BYTES // len(chunk)):
                        member.write(chunk)
        _BOMBS[kind] = out.getvalue()
    return _BOMBS[kind]


def _export(kind: str, fmt: str, scenario: str) -> tuple[int, str, bytes]:
    if scenario == "error-500":
        return 500, "text/plain; charset=utf-8", "Lỗi máy chủ nội bộ".encode()
    if scenario in ONLY and fmt not in ONLY[scenario]:
        return 404, "text/plain; charset=utf-8", f"scenario {scenario} has no {fmt} form".encode()
    content_type = CONTENT_TYPES[fmt]
    if scenario == "empty":
        return 200, content_type, b""
    if scenario == "zip-bomb":
        return 200, content_type, _zip_bomb(kind)
    rows = _scenario_rows(kind, scenario)
    if fmt == "json":
        body = render_json(kind, rows)
        if scenario == "bad-json":
            body = body[: len(body) // 2]
    elif fmt == "csv":
        body = render_csv(kind, rows, extra_value_in_row=2 if scenario == "broken-row" else None)
    else:
        try:
            body = render_xlsx(kind, rows)
        except ImportError:
            return 501, "text/plain; charset=utf-8", b"openpyxl is not installed"
    if scenario == "cp1258":
        body = _cp1258(body.decode("utf-8").lstrip("\ufeff"))
        content_type = content_type.replace("utf-8", "windows-1258")
    return 200, content_type, body


def handle(path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2:
        name, _, ext = parts[1].partition(".")
        fmt = ext or query.get("dinh_dang", "json")
        if name in EXPORTS and fmt in CONTENT_TYPES:
            return _export(name, fmt, OVERRIDE or parts[0])
    return 404, "application/json; charset=utf-8", json.dumps({"loi": "không có tệp này"}).encode()
