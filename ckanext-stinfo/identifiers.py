"""Normalisers for the identifiers and codes found in STInfo records.

Each ``normalize_<kind>(value)`` returns the canonical form of ``value`` or raises
:class:`IdentifierError`, whose message names the rule that failed. Messages are
marked with ``N_`` so Babel extracts them; callers translate ``error.template`` and
then fill in ``error.params``. Nothing here imports CKAN, so harvesters and scripts
can use the module as is.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal
from urllib.parse import unquote

from ckanext.stinfo.vocabularies import vocabulary
from stdnum import ean
from stdnum import exceptions as stdnum_errors
from stdnum import issn as stdnum_issn
from stdnum.iso7064 import mod_11_2
from stdnum.vn import mst


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it."""
    return message


NOT_TEXT = N_("The value must be text.")
TAX_CODE_LENGTH = N_("Tax code must have 10 digits, or 13 digits written as NNNNNNNNNN-NNN.")
TAX_CODE_DIGITS = N_("Tax code may contain only digits, with a hyphen before the branch number.")
TAX_CODE_SERIAL = N_("Tax code serial number (digits 3 to 9) must not be all zeros.")
TAX_CODE_BRANCH = N_("Tax code branch number must be between 001 and 999.")
TAX_CODE_CHECK_DIGIT = N_("Tax code check digit is wrong: expected {expected}.")
TAX_CODE_NO_CHECK_DIGIT = N_("Tax code digits 1 to 9 admit no check digit, so no such tax code exists.")
PERSONAL_ID_FORMAT = N_("Personal identification number must have exactly 12 digits.")
PERSONAL_ID_PROVINCE = N_(
    "Personal identification number must start with a birth-registration province code "
    "(001 to 096); {code} is not one."
)
PERSONAL_ID_FUTURE = N_("Personal identification number gives birth year {year}, which is in the future.")
ORCID_FORMAT = N_("ORCID iD must have 16 characters written as 0000-0000-0000-000X.")
ORCID_CHECK = N_("ORCID iD check character is wrong: expected {expected}.")
DOI_FORMAT = N_("DOI must be written as 10.NNNN/suffix: '10.', at least four digits, a slash and a suffix.")
ISSN_FORMAT = N_("ISSN must have 8 characters written as NNNN-NNNC, where C is a digit or X.")
ISSN_CHECK = N_("ISSN check character is wrong: expected {expected}.")
ISBN_FORMAT = N_("ISBN must have 10 or 13 digits; only an ISBN-10 may end in X.")
ISBN_PREFIX = N_("ISBN-13 must start with 978 or 979.")
ISBN_CHECK = N_("ISBN check digit is wrong: expected {expected}.")
ROR_FORMAT = N_(
    "ROR ID must be 0, six characters (digits and lowercase letters except i, l, o, u) and "
    "two check digits, as in https://ror.org/05dxps055."
)
ROR_CHECK = N_("ROR ID check digits are wrong: expected {expected}.")
IPC_FORMAT = N_(
    "IPC symbol '{value}' must look like A61K 31/00: section A to H, two-digit class, "
    "subclass letter, main group, slash and a subgroup of at least two digits."
)
ICS_FORMAT = N_("ICS code '{value}' must be written as NN, NN.NNN or NN.NNN.NN.")
TCVN_FORMAT = N_(
    "TCVN number must look like TCVN 7870-1:2010 or TCVN ISO 9001:2015: TCVN, the number "
    "with any part numbers, a colon and the year."
)
QCVN_FORMAT = N_(
    "QCVN number must look like QCVN 06:2022/BXD: QCVN, the number with any part numbers, "
    "a colon, the year, a slash and the issuing body's abbreviation."
)
STANDARD_YEAR = N_("Year {year} of the standard or regulation must be between {low} and {high}.")
PATENT_APPLICATION_FORMAT = N_(
    "Patent application number must look like 1-2019-01234: type digit 1 to 4, year and "
    "five-digit serial number."
)
PATENT_APPLICATION_SERIAL = N_("Patent application serial number must not be 00000.")
PATENT_APPLICATION_YEAR = N_("Patent application year {year} must be between {low} and {high}.")
RESULT_REGISTRATION_FORMAT = N_(
    "Result registration number must look like 2019-02-566/KQNC: year, two-digit code, "
    "serial number and /KQNC."
)
RESULT_REGISTRATION_YEAR = N_("Result registration year {year} is in the future.")
DATE_FORMAT = N_("Date must be written as YYYY-MM-DD or DD/MM/YYYY.")
PARTIAL_DATE_FORMAT = N_("Date must be written as YYYY, YYYY-MM or YYYY-MM-DD.")
DATE_INVALID = N_("Date {value} does not exist in the calendar.")
PERIOD_ORDER = N_("End date {end} is before start date {start}.")
YEAR_FORMAT = N_("Year must be written with four digits.")
YEAR_RANGE = N_("Year must be between {low} and {high}.")
SLUG_TOO_SHORT = N_("A name needs at least two Latin letters or digits; '{value}' has fewer.")
GAZETTE_NUMBER_FORMAT = N_(
    "Industrial property gazette issue must be the issue number and its volume, as in 426A or "
    "Số 426 tập A: volume A publishes applications, volume B grants."
)
GAZETTE_NUMBER_ZERO = N_("Industrial property gazette issue number must not be 0.")
LATITUDE_FORMAT = N_(
    "Latitude must be a number of decimal degrees (WGS 84) such as 21.0285; degrees, minutes "
    "and seconds are not accepted."
)
LATITUDE_RANGE = N_("Latitude {value} is outside the range -90 to 90.")
LONGITUDE_FORMAT = N_(
    "Longitude must be a number of decimal degrees (WGS 84) such as 105.8542; degrees, minutes "
    "and seconds are not accepted."
)
LONGITUDE_RANGE = N_("Longitude {value} is outside the range -180 to 180.")
TBT_SYMBOL_FORMAT = N_(
    "WTO document symbol must look like G/TBT/N/VNM/312 or G/TBT/N/VNM/312/Add.1: G/TBT/N, "
    "the member's code, the notification number and any /Add.n, /Corr.n or /Rev.n."
)
HS_CODE_FORMAT = N_(
    "HS code '{value}' must have 2, 4 or 6 digits, or 8 for a national tariff line, written "
    "as 8703, 8703.23 or 8703.23.10."
)
HS_CODE_CHAPTER = N_(
    "HS code '{value}' names chapter {chapter}, which the Harmonized System does not have: chapters "
    "run from 01 to 97 without 77, and 98 is used only in national 8-digit lines."
)

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
IPC_VERSION = r"(?:\s*\(\d{4}\.\d{2}\))?"
STANDARD_FIRST_YEAR = 1950
PATENT_FIRST_YEAR = 1981
YEAR_FIRST = 1900


class IdentifierError(ValueError):
    """A value that breaks an identifier rule.

    ``template`` is the untranslated message and ``params`` fill its placeholders.
    """

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template.format(**params))
        self.template = template
        self.params = params


def _text(value: object) -> str:
    """Return ``value`` NFC-normalised and stripped, or fail if it is not text."""
    if not isinstance(value, str):
        raise IdentifierError(NOT_TEXT)
    return unicodedata.normalize("NFC", value).strip()


def _this_year() -> int:
    return datetime.date.today().year


def normalize_tax_code(value: str) -> str:
    """Return a tax code (MST) as ``NNNNNNNNNN`` or ``NNNNNNNNNN-NNN``."""
    text = _text(value)
    try:
        number = mst.validate(text)
    except stdnum_errors.InvalidLength:
        raise IdentifierError(TAX_CODE_LENGTH) from None
    except stdnum_errors.InvalidFormat:
        raise IdentifierError(TAX_CODE_DIGITS) from None
    except stdnum_errors.InvalidComponent:
        serial_zero = mst.compact(text)[2:9] == "0000000"
        raise IdentifierError(TAX_CODE_SERIAL if serial_zero else TAX_CODE_BRANCH) from None
    except stdnum_errors.InvalidChecksum:
        expected = mst.calc_check_digit(mst.compact(text)[:9])
        if len(expected) > 1:
            raise IdentifierError(TAX_CODE_NO_CHECK_DIGIT) from None
        raise IdentifierError(TAX_CODE_CHECK_DIGIT, expected=expected) from None
    return mst.format(number)


def normalize_personal_id(value: str) -> str:
    """Return a 12-digit personal identification number (PPP G YY RRRRRR)."""
    number = re.sub(r"\s", "", _text(value))
    if not re.fullmatch(r"\d{12}", number):
        raise IdentifierError(PERSONAL_ID_FORMAT)
    province = number[:3]
    if province[0] != "0" or province[1:] not in vocabulary("former_provinces"):
        raise IdentifierError(PERSONAL_ID_PROVINCE, code=province)
    year = 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])
    if year > _this_year():
        raise IdentifierError(PERSONAL_ID_FUTURE, year=year)
    return number


def normalize_orcid(value: str) -> str:
    """Return an ORCID iD as ``0000-0000-0000-000X``; accepts the orcid.org URL form."""
    text = re.sub(r"^(?:https?://)?(?:www\.)?orcid\.org/", "", _text(value), flags=re.IGNORECASE)
    digits = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"\d{15}[\dX]", digits):
        raise IdentifierError(ORCID_FORMAT)
    expected = mod_11_2.calc_check_digit(digits[:15])
    if digits[15] != expected:
        raise IdentifierError(ORCID_CHECK, expected=expected)
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def normalize_doi(value: str) -> str:
    """Return a DOI as lowercase ``10.xxxx/yyy``; accepts ``doi:`` and doi.org URLs."""
    text = _text(value)
    resolver = re.match(r"(?:https?://)?(?:dx\.)?doi\.org/", text, flags=re.IGNORECASE)
    if resolver:
        text = unquote(text[resolver.end():])
    else:
        text = re.sub(r"^doi:\s*", "", text, flags=re.IGNORECASE)
    if not re.fullmatch(r"10\.\d{4,9}(?:\.\d+)*/\S+", text):
        raise IdentifierError(DOI_FORMAT)
    return text.lower()


def normalize_issn(value: str) -> str:
    """Return an ISSN as ``NNNN-NNNC``."""
    text = re.sub(r"^ISSN:?", "", _text(value), flags=re.IGNORECASE)
    number = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"\d{7}[\dX]", number):
        raise IdentifierError(ISSN_FORMAT)
    expected = stdnum_issn.calc_check_digit(number[:7])
    if number[7] != expected:
        raise IdentifierError(ISSN_CHECK, expected=expected)
    return f"{number[:4]}-{number[4:]}"


def _isbn10_check_digit(body: str) -> str:
    check = sum((i + 1) * int(digit) for i, digit in enumerate(body)) % 11
    return "X" if check == 10 else str(check)


def normalize_isbn(value: str) -> str:
    """Return an ISBN-10 or ISBN-13 as 13 digits without hyphens."""
    text = re.sub(r"^ISBN(?:-1[03])?:?", "", _text(value), flags=re.IGNORECASE)
    number = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", number):
        expected = _isbn10_check_digit(number[:9])
        if number[9] != expected:
            raise IdentifierError(ISBN_CHECK, expected=expected)
        body = "978" + number[:9]
        return body + ean.calc_check_digit(body)
    if not re.fullmatch(r"\d{13}", number):
        raise IdentifierError(ISBN_FORMAT)
    if number[:3] not in ("978", "979"):
        raise IdentifierError(ISBN_PREFIX)
    expected = ean.calc_check_digit(number[:12])
    if number[12] != expected:
        raise IdentifierError(ISBN_CHECK, expected=expected)
    return number


def normalize_ror(value: str) -> str:
    """Return a ROR ID as ``https://ror.org/0xxxxxxNN``; accepts the bare ID.

    The two check digits are ISO 7064 MOD 97-10 of the number the six Crockford
    base-32 characters encode, written as ``98 - (n * 100 mod 97)``.
    """
    text = re.sub(r"^(?:https?://)?(?:www\.)?ror\.org/", "", _text(value), flags=re.IGNORECASE).lower()
    if not re.fullmatch(rf"0[{CROCKFORD}]{{6}}\d{{2}}", text):
        raise IdentifierError(ROR_FORMAT)
    number = 0
    for char in text[1:7]:
        number = number * 32 + CROCKFORD.index(char)
    expected = f"{98 - (number * 100) % 97:02d}"
    if text[7:] != expected:
        raise IdentifierError(ROR_CHECK, expected=expected)
    return f"https://ror.org/{text}"


def normalize_ipc(value: str) -> str:
    """Return an IPC symbol as ``A61K 31/00``; a trailing version such as ``(2006.01)`` is dropped."""
    text = _text(value).upper()
    match = re.fullmatch(rf"([A-H]\d{{2}}[A-Z])\s*(\d{{1,4}})\s*/\s*(\d{{2,6}}){IPC_VERSION}", text)
    if not match:
        raise IdentifierError(IPC_FORMAT, value=text)
    subclass, group, subgroup = match.groups()
    return f"{subclass} {int(group)}/{subgroup}"


def normalize_ics(value: str) -> str:
    """Return an ICS code (``NN``, ``NN.NNN`` or ``NN.NNN.NN``)."""
    text = _text(value)
    if not re.fullmatch(r"\d{2}(?:\.\d{3}(?:\.\d{2})?)?", text):
        raise IdentifierError(ICS_FORMAT, value=text)
    return text


def _standard_year(year: str) -> str:
    low, high = STANDARD_FIRST_YEAR, _this_year() + 1
    if not low <= int(year) <= high:
        raise IdentifierError(STANDARD_YEAR, year=year, low=low, high=high)
    return year


def normalize_tcvn_number(value: str) -> str:
    """Return a national standard number as ``TCVN [ISO ...] nnnn[-p]:yyyy``.

    The pre-2000 notation ``TCVN 5945-1995`` (no colon) becomes ``TCVN 5945:1995``.
    """
    text = re.sub(r"\s+", " ", _text(value).upper())
    match = re.fullmatch(r"TCVN ((?:[A-Z]+(?:/[A-Z]+)* )*)(\d+(?:-\d+)*) ?: ?(\d{4})", text)
    if not match:
        match = re.fullmatch(r"TCVN ((?:[A-Z]+(?:/[A-Z]+)* )*)(\d+(?:-\d+)*)-((?:19|20)\d{2})", text)
    if not match:
        raise IdentifierError(TCVN_FORMAT)
    adopted, number, year = match.groups()
    return f"TCVN {adopted}{number}:{_standard_year(year)}"


def normalize_qcvn_number(value: str) -> str:
    """Return a national technical regulation number as ``QCVN nn[-p]:yyyy/BODY``."""
    text = re.sub(r"\s+", " ", _text(value).upper())
    match = re.fullmatch(r"QCVN (\d+(?:-\d+)*) ?: ?(\d{4}) ?/ ?([A-ZĐ]+(?:-[A-ZĐ]+)*)", text)
    if not match:
        raise IdentifierError(QCVN_FORMAT)
    number, year, body = match.groups()
    return f"QCVN {number}:{_standard_year(year)}/{body}"


def normalize_patent_application_number(value: str) -> str:
    """Return a Vietnamese industrial-property application number as ``T-YYYY-NNNNN``."""
    match = re.fullmatch(r"([1-4]) ?- ?(\d{4}) ?- ?(\d{5})", _text(value))
    if not match:
        raise IdentifierError(PATENT_APPLICATION_FORMAT)
    kind, year, serial = match.groups()
    low, high = PATENT_FIRST_YEAR, _this_year()
    if not low <= int(year) <= high:
        raise IdentifierError(PATENT_APPLICATION_YEAR, year=year, low=low, high=high)
    if serial == "00000":
        raise IdentifierError(PATENT_APPLICATION_SERIAL)
    return f"{kind}-{year}-{serial}"


def normalize_result_registration_number(value: str) -> str:
    """Return an S&T result registration number as ``YYYY-NN-N/KQNC``."""
    match = re.fullmatch(r"(\d{4}) ?- ?(\d{2}) ?- ?(\d{1,6}) ?/ ?KQNC", _text(value).upper())
    if not match:
        raise IdentifierError(RESULT_REGISTRATION_FORMAT)
    year, code, serial = match.groups()
    if int(year) > _this_year():
        raise IdentifierError(RESULT_REGISTRATION_YEAR, year=year)
    return f"{year}-{code}-{serial}/KQNC"


def _checked_date(text: str, year: str, month: str, day: str) -> str:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise IdentifierError(DATE_INVALID, value=text) from None


def _checked_month(text: str, year: str, month: str) -> str:
    if not 1 <= int(month) <= 12:
        raise IdentifierError(DATE_INVALID, value=text)
    return f"{year}-{month}"


def _full_date(text: str) -> str | None:
    """Return ``text`` as ``YYYY-MM-DD`` if it is written YYYY-MM-DD or DD/MM/YYYY, else None."""
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        return _checked_date(text, *iso.groups())
    local = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if local:
        day, month, year = local.groups()
        return _checked_date(text, year, month, day)
    return None


def normalize_date(value: str) -> str:
    """Return a full date as ``YYYY-MM-DD``; also accepts ``DD/MM/YYYY``."""
    date = _full_date(_text(value))
    if date is None:
        raise IdentifierError(DATE_FORMAT)
    return date


def normalize_partial_date(value: str) -> str:
    """Return a date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; also accepts MM/YYYY and DD/MM/YYYY."""
    text = _text(value)
    if re.fullmatch(r"\d{4}", text):
        return text
    iso_month = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if iso_month:
        return _checked_month(text, *iso_month.groups())
    local_month = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if local_month:
        month, year = local_month.groups()
        return _checked_month(text, year, f"{int(month):02d}")
    date = _full_date(text)
    if date is None:
        raise IdentifierError(PARTIAL_DATE_FORMAT)
    return date


def _first_day(date: str) -> datetime.date:
    parts = [int(part) for part in date.split("-")] + [1, 1]
    return datetime.date(*parts[:3])


def _last_day(date: str) -> datetime.date:
    parts = [int(part) for part in date.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        next_month = datetime.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return next_month - datetime.timedelta(days=1)
    return datetime.date(*parts)


def check_period(start: str, end: str) -> tuple[str, str]:
    """Return ``(start, end)`` normalised as partial dates; fail if ``end`` ends before ``start`` begins."""
    start, end = normalize_partial_date(start), normalize_partial_date(end)
    if _last_day(end) < _first_day(start):
        raise IdentifierError(PERIOD_ORDER, start=start, end=end)
    return start, end


def normalize_year(value: str | int, ahead: int = 5) -> str:
    """Return a four-digit year between 1900 and this year plus ``ahead``."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else _text(value)
    if not re.fullmatch(r"\d{4}", text):
        raise IdentifierError(YEAR_FORMAT)
    low, high = YEAR_FIRST, _this_year() + ahead
    if not low <= int(text) <= high:
        raise IdentifierError(YEAR_RANGE, low=low, high=high)
    return text


def normalize_gazette_number(value: str) -> str:
    """Return an industrial property gazette issue as the IP Office names it: number and volume, ``426A``.

    Accepts ``426A``, ``426 A``, ``426/A`` and the written form ``Số 426 tập A``.
    """
    match = re.fullmatch(r"(?:số\s*)?(\d{1,4})\s*[-/,]?\s*(?:tập\s*)?([AB])", _text(value), flags=re.IGNORECASE)
    if not match:
        raise IdentifierError(GAZETTE_NUMBER_FORMAT)
    number, volume = match.groups()
    if int(number) == 0:
        raise IdentifierError(GAZETTE_NUMBER_ZERO)
    return f"{int(number)}{volume.upper()}"


def _degrees(value: object, limit: int, form: str, out_of_range: str) -> str:
    """Return decimal degrees as text (``21.0285``) within ``-limit`` to ``limit``."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = format(Decimal(str(value)), "f")
    elif isinstance(value, str):
        text = _text(value)
        if "," in text and "." not in text:
            text = text.replace(",", ".", 1)  # decimal comma, as Vietnamese writes numbers
    else:
        raise IdentifierError(form)
    if not re.fullmatch(r"[+-]?\d{1,3}(?:\.\d+)?", text):
        raise IdentifierError(form)
    degrees = Decimal(text)
    if abs(degrees) > limit:
        raise IdentifierError(out_of_range, value=text)
    return format(degrees, "f")


def normalize_latitude(value: object) -> str:
    """Return a latitude in decimal degrees (WGS 84), -90 to 90; accepts numbers and a decimal comma."""
    return _degrees(value, 90, LATITUDE_FORMAT, LATITUDE_RANGE)


def normalize_longitude(value: object) -> str:
    """Return a longitude in decimal degrees (WGS 84), -180 to 180; accepts numbers and a decimal comma."""
    return _degrees(value, 180, LONGITUDE_FORMAT, LONGITUDE_RANGE)


def normalize_tbt_symbol(value: str) -> str:
    """Return a WTO TBT notification symbol as the WTO writes it: ``G/TBT/N/VNM/312/Add.1``.

    The member is its WTO code (``VNM``, ``EU``, ``TPKM``); addenda, corrigenda and revisions
    follow as ``/Add.n``, ``/Corr.n``, ``/Rev.n``, in any number and order.
    """
    text = re.sub(r"\s+", "", _text(value)).upper()
    match = re.fullmatch(r"G/TBT/N/([A-Z]{2,4})/(\d{1,5})((?:/(?:ADD|CORR|REV)\.\d{1,3})*)", text)
    if not match or int(match.group(2)) == 0:
        raise IdentifierError(TBT_SYMBOL_FORMAT)
    member, number, suffixes = match.groups()
    parts = [f"{kind.capitalize()}.{int(n)}" for kind, n in re.findall(r"/(ADD|CORR|REV)\.(\d+)", suffixes)]
    return "/".join(["G/TBT/N", member, str(int(number)), *parts])


def normalize_hs_code(value: str) -> str:
    """Return a Harmonized System code as digits only (``8703.23`` -> ``870323``).

    Chapter (2 digits), heading (4), subheading (6) or national tariff line (8 digits, AHTN),
    with or without the dots of the usual written forms (``87.03``, ``8703.23.10``).
    """
    text = _text(value)
    if not re.fullmatch(r"\d{2}(?:\.?\d{2}){0,3}", text):
        raise IdentifierError(HS_CODE_FORMAT, value=text)
    digits = text.replace(".", "")
    chapter = digits[:2]
    if not ("01" <= chapter <= "97" and chapter != "77" or chapter == "98" and len(digits) == 8):
        raise IdentifierError(HS_CODE_CHAPTER, value=text, chapter=chapter)
    return digits


def fold_vietnamese(text: str) -> str:
    """Return ``text`` without diacritics, with đ/Đ as d/D ("Trường học" -> "Truong hoc")."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def slugify_vi(text: str, max_len: int = 100) -> str:
    """Return a CKAN dataset name (a-z, 0-9 and hyphens, 2 to ``max_len`` characters) for ``text``.

    A name longer than ``max_len`` is cut at the last hyphen that fits.
    """
    if not 2 <= max_len <= 100:
        raise ValueError("max_len must be between 2 and 100")
    slug = re.sub(r"[^a-z0-9]+", "-", fold_vietnamese(text).lower()).strip("-")
    if len(slug) > max_len:
        head, hyphen, _ = slug[:max_len + 1].rpartition("-")
        slug = head if hyphen and len(head) >= 2 else slug[:max_len].rstrip("-")
    if len(slug) < 2:
        raise IdentifierError(SLUG_TOO_SHORT, value=text)
    return slug
