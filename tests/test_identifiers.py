"""Identifier normalisers: real valid examples, real-looking invalid ones, rule-naming messages."""
import datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from ckanext.stinfo import identifiers as ids
from ckanext.stinfo.identifiers import IdentifierError

NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture(autouse=True)
def _plugins():
    """These tests call the functions directly: no CKAN plugins to load."""


def _error(normalize, value):
    with pytest.raises(IdentifierError) as caught:
        normalize(value)
    return caught.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0100047516", "0100047516"),  # the reference example: 010004751 -> check digit 6
        ("0100112437", "0100112437"),  # Vietcombank
        ("0100109106", "0100109106"),  # Viettel Group
        ("0300588569", "0300588569"),  # Vinamilk
        ("0101248141", "0101248141"),  # FPT Corporation
        (" 0314409058-002 ", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("0312687878 001", "0312687878-001"),
    ],
)
def test_tax_code_valid(value, expected):
    assert ids.normalize_tax_code(value) == expected


@pytest.mark.parametrize(
    ("value", "template", "params"),
    [
        ("0100047517", ids.TAX_CODE_CHECK_DIGIT, {"expected": "6"}),
        ("0100112430", ids.TAX_CODE_CHECK_DIGIT, {"expected": "7"}),
        ("0100000051", ids.TAX_CODE_NO_CHECK_DIGIT, {}),  # weighted sum of 010000005 is 0 mod 11
        ("0100000000", ids.TAX_CODE_SERIAL, {}),
        ("0100047516-000", ids.TAX_CODE_BRANCH, {}),
        ("01000475161", ids.TAX_CODE_LENGTH, {}),
        ("010004751", ids.TAX_CODE_LENGTH, {}),
        ("01000475A6", ids.TAX_CODE_DIGITS, {}),
    ],
)
def test_tax_code_invalid(value, template, params):
    error = _error(ids.normalize_tax_code, value)
    assert (error.template, error.params) == (template, params)


def test_tax_code_message_names_rule():
    assert str(_error(ids.normalize_tax_code, "0100047517")) == "Tax code check digit is wrong: expected 6."


def test_non_text_is_refused():
    assert _error(ids.normalize_tax_code, 100047516).template == ids.NOT_TEXT


@pytest.mark.parametrize(
    "value",
    ["001090123456", "079203001234", "096185000001", "001 0 90 123456", "030300000001"],
)
def test_personal_id_valid(value):
    assert ids.normalize_personal_id(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "template"),
    [
        ("00109012345", ids.PERSONAL_ID_FORMAT),
        ("0010901234567", ids.PERSONAL_ID_FORMAT),
        ("00109012345a", ids.PERSONAL_ID_FORMAT),
        ("003090123456", ids.PERSONAL_ID_PROVINCE),  # 03 was never a province code
        ("097090123456", ids.PERSONAL_ID_PROVINCE),
        ("000090123456", ids.PERSONAL_ID_PROVINCE),
        ("101090123456", ids.PERSONAL_ID_PROVINCE),
        ("001490123456", ids.PERSONAL_ID_FUTURE),  # G=4: born in the 2100s
        ("001299123456", ids.PERSONAL_ID_FUTURE),  # G=2, YY=99: born in 2099
    ],
)
def test_personal_id_invalid(value, template):
    assert _error(ids.normalize_personal_id, value).template == template


def test_personal_id_messages():
    assert "003" in str(_error(ids.normalize_personal_id, "003090123456"))
    assert "2190" in str(_error(ids.normalize_personal_id, "001490123456"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("000000021694233x", "0000-0002-1694-233X"),
    ],
)
def test_orcid_valid(value, expected):
    assert ids.normalize_orcid(value) == expected


def test_orcid_invalid():
    error = _error(ids.normalize_orcid, "0000-0002-1825-0098")
    assert (error.template, error.params) == (ids.ORCID_CHECK, {"expected": "7"})
    assert _error(ids.normalize_orcid, "0000-0002-1825-009").template == ids.ORCID_FORMAT
    assert _error(ids.normalize_orcid, "https://example.org/0000-0002-1825-0097").template == ids.ORCID_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1000/182", "10.1000/182"),
        ("doi:10.1038/NPHYS1170", "10.1038/nphys1170"),
        ("DOI: 10.1038/nphys1170", "10.1038/nphys1170"),
        ("https://doi.org/10.1016/j.heares.2011.01.001", "10.1016/j.heares.2011.01.001"),
        ("http://dx.doi.org/10.1002/%28SICI%291097-4571", "10.1002/(sici)1097-4571"),
    ],
)
def test_doi_valid(value, expected):
    assert ids.normalize_doi(value) == expected


@pytest.mark.parametrize("value", ["10.10/abc", "11.1000/abc", "10.1000/", "10.1000 /abc", "doi.org/x"])
def test_doi_invalid(value):
    assert _error(ids.normalize_doi, value).template == ids.DOI_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0378-5955", "0378-5955"),
        ("0317-8471", "0317-8471"),
        ("ISSN 2049-3630", "2049-3630"),
        ("03785955", "0378-5955"),
    ],
)
def test_issn_valid(value, expected):
    assert ids.normalize_issn(value) == expected


def test_issn_invalid():
    error = _error(ids.normalize_issn, "0378-5954")
    assert (error.template, error.params) == (ids.ISSN_CHECK, {"expected": "5"})
    assert _error(ids.normalize_issn, "0378-595").template == ids.ISSN_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        ("0-306-40615-2", "9780306406157"),
        ("ISBN 0 306 40615 2", "9780306406157"),
        ("ISBN-13: 978-0-306-40615-7", "9780306406157"),
        ("0-8044-2957-X", "9780804429573"),
    ],
)
def test_isbn_valid(value, expected):
    assert ids.normalize_isbn(value) == expected


@pytest.mark.parametrize(
    ("value", "template", "params"),
    [
        ("978-0-306-40615-8", ids.ISBN_CHECK, {"expected": "7"}),
        ("0-306-40615-3", ids.ISBN_CHECK, {"expected": "2"}),
        ("977-0-306-40615-7", ids.ISBN_PREFIX, {}),
        ("978-0-306-4061", ids.ISBN_FORMAT, {}),
        ("978-0-306-40615-X", ids.ISBN_FORMAT, {}),
    ],
)
def test_isbn_invalid(value, template, params):
    error = _error(ids.normalize_isbn, value)
    assert (error.template, error.params) == (template, params)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://ror.org/05dxps055", "https://ror.org/05dxps055"),  # California Institute of Technology
        ("03yrm5c26", "https://ror.org/03yrm5c26"),
        ("ror.org/042nb2s44", "https://ror.org/042nb2s44"),  # Massachusetts Institute of Technology
        ("HTTPS://ROR.ORG/052GG0110", "https://ror.org/052gg0110"),  # University of Oxford
    ],
)
def test_ror_valid(value, expected):
    assert ids.normalize_ror(value) == expected


def test_ror_invalid():
    error = _error(ids.normalize_ror, "05dxps056")
    assert (error.template, error.params) == (ids.ROR_CHECK, {"expected": "55"})
    assert _error(ids.normalize_ror, "15dxps055").template == ids.ROR_FORMAT  # must start with 0
    assert _error(ids.normalize_ror, "05dxpu055").template == ids.ROR_FORMAT  # u is not Crockford
    assert _error(ids.normalize_ror, "05dxps05").template == ids.ROR_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A61K 31/00", "A61K 31/00"),
        ("h01l21/02", "H01L 21/02"),
        ("C07D  487/04", "C07D 487/04"),
        ("G06F 3/0481", "G06F 3/0481"),
        ("A61K 31/4439 (2006.01)", "A61K 31/4439"),
    ],
)
def test_ipc_valid(value, expected):
    assert ids.normalize_ipc(value) == expected


@pytest.mark.parametrize("value", ["I01L 21/02", "A61K", "A61K 31", "A61K 31/0", "A6K 31/00"])
def test_ipc_invalid(value):
    error = _error(ids.normalize_ipc, value)
    assert error.template == ids.IPC_FORMAT
    assert value.upper() in str(error)


@pytest.mark.parametrize("value", ["13", "13.020", "13.020.01", "91.140.90"])
def test_ics_valid(value):
    assert ids.normalize_ics(value) == value


@pytest.mark.parametrize("value", ["1", "13.02", "13.020.1", "13,020"])
def test_ics_invalid(value):
    assert _error(ids.normalize_ics, value).template == ids.ICS_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TCVN 7870-1:2010", "TCVN 7870-1:2010"),
        ("TCVN ISO 9001:2015", "TCVN ISO 9001:2015"),
        ("tcvn  iso/iec 17025 : 2017", "TCVN ISO/IEC 17025:2017"),
        ("TCVN 5699-2-1:2012", "TCVN 5699-2-1:2012"),
        ("TCVN 5945-1995", "TCVN 5945:1995"),
    ],
)
def test_tcvn_valid(value, expected):
    assert ids.normalize_tcvn_number(value) == expected


def test_tcvn_invalid():
    assert _error(ids.normalize_tcvn_number, "7870-1:2010").template == ids.TCVN_FORMAT
    assert _error(ids.normalize_tcvn_number, "TCVN 7870-1").template == ids.TCVN_FORMAT
    assert _error(ids.normalize_tcvn_number, f"TCVN 7870:{NEXT_YEAR + 1}").template == ids.STANDARD_YEAR


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("QCVN 06:2022/BXD", "QCVN 06:2022/BXD"),
        ("qcvn 01-1:2018/byt", "QCVN 01-1:2018/BYT"),
        ("QCVN 18:2014/BLĐTBXH", "QCVN 18:2014/BLĐTBXH"),
        ("QCVN 05:2023 / BTNMT", "QCVN 05:2023/BTNMT"),
    ],
)
def test_qcvn_valid(value, expected):
    assert ids.normalize_qcvn_number(value) == expected


@pytest.mark.parametrize("value", ["QCVN 06:2022", "QCVN 06/BXD", "TCVN 06:2022/BXD", "QCVN 06:22/BXD"])
def test_qcvn_invalid(value):
    assert _error(ids.normalize_qcvn_number, value).template == ids.QCVN_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1-2019-01234", "1-2019-01234"), ("2 - 2020 - 00001", "2-2020-00001")],
)
def test_patent_application_valid(value, expected):
    assert ids.normalize_patent_application_number(value) == expected


@pytest.mark.parametrize(
    ("value", "template"),
    [
        ("5-2019-01234", ids.PATENT_APPLICATION_FORMAT),
        ("1-2019-1234", ids.PATENT_APPLICATION_FORMAT),
        ("1-19-01234", ids.PATENT_APPLICATION_FORMAT),
        ("1-2019-00000", ids.PATENT_APPLICATION_SERIAL),
        ("1-1975-01234", ids.PATENT_APPLICATION_YEAR),
        (f"1-{NEXT_YEAR}-01234", ids.PATENT_APPLICATION_YEAR),
    ],
)
def test_patent_application_invalid(value, template):
    assert _error(ids.normalize_patent_application_number, value).template == template


def test_result_registration_number():
    assert ids.normalize_result_registration_number("2019-02-566/KQNC") == "2019-02-566/KQNC"
    assert ids.normalize_result_registration_number("2019-02-566/kqnc") == "2019-02-566/KQNC"
    assert _error(ids.normalize_result_registration_number, "2019-566/KQNC").template == (
        ids.RESULT_REGISTRATION_FORMAT
    )
    assert _error(ids.normalize_result_registration_number, f"{NEXT_YEAR}-02-566/KQNC").template == (
        ids.RESULT_REGISTRATION_YEAR
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-17", "2025-10-17"),
        ("17/10/2025", "2025-10-17"),
        ("1/7/2025", "2025-07-01"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_date_valid(value, expected):
    assert ids.normalize_date(value) == expected


@pytest.mark.parametrize(
    ("value", "template"),
    [
        ("2023-02-29", ids.DATE_INVALID),
        ("2025-13-01", ids.DATE_INVALID),
        ("2025", ids.DATE_FORMAT),
        ("2025/10/17", ids.DATE_FORMAT),
    ],
)
def test_date_invalid(value, template):
    assert _error(ids.normalize_date, value).template == template


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019", "2019"),
        ("2019-05", "2019-05"),
        ("5/2019", "2019-05"),
        ("2019-05-31", "2019-05-31"),
        ("31/5/2019", "2019-05-31"),
    ],
)
def test_partial_date_valid(value, expected):
    assert ids.normalize_partial_date(value) == expected


@pytest.mark.parametrize(
    ("value", "template"),
    [
        ("2019-13", ids.DATE_INVALID),
        ("13/2019", ids.DATE_INVALID),
        ("2019-02-30", ids.DATE_INVALID),
        ("19", ids.PARTIAL_DATE_FORMAT),
    ],
)
def test_partial_date_invalid(value, template):
    assert _error(ids.normalize_partial_date, value).template == template


@pytest.mark.parametrize(
    ("start", "end"),
    [("2019-01-01", "2019-01-01"), ("2019-05", "2019"), ("2019-05-10", "2019-05"), ("2019", "2020-01-01")],
)
def test_period_valid(start, end):
    normalized = (ids.normalize_partial_date(start), ids.normalize_partial_date(end))
    assert ids.check_period(start, end) == normalized


@pytest.mark.parametrize(
    ("start", "end"), [("2019-01-02", "2019-01-01"), ("2020", "2019-12-31"), ("2019-06", "2019-05")]
)
def test_period_invalid(start, end):
    error = _error(lambda pair: ids.check_period(*pair), (start, end))
    assert error.template == ids.PERIOD_ORDER
    assert start in str(error)


@pytest.mark.parametrize(("value", "expected"), [("2019", "2019"), (2019, "2019"), (" 1900 ", "1900")])
def test_year_valid(value, expected):
    assert ids.normalize_year(value) == expected


@pytest.mark.parametrize(
    ("value", "template"),
    [
        ("19", ids.YEAR_FORMAT),
        ("1899", ids.YEAR_RANGE),
        (str(NEXT_YEAR + 5), ids.YEAR_RANGE),
        (True, ids.NOT_TEXT),
    ],
)
def test_year_invalid(value, template):
    assert _error(ids.normalize_year, value).template == template


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trường học", "Truong hoc"),
        ("Đà Nẵng", "Da Nang"),
        ("đổi mới sáng tạo", "doi moi sang tao"),
        ("Khoa học y, dược", "Khoa hoc y, duoc"),
        ("Tru\u031bo\u031b\u0300ng", "Truong"),  # decomposed (NFD) input
    ],
)
def test_fold_vietnamese(text, expected):
    assert ids.fold_vietnamese(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trường học", "truong-hoc"),
        ("Cơ sở dữ liệu nhiệm vụ KH&CN năm 2024", "co-so-du-lieu-nhiem-vu-kh-cn-nam-2024"),
        ("  Đề án: Phát triển — Đổi mới!  ", "de-an-phat-trien-doi-moi"),
    ],
)
def test_slugify_vi(text, expected):
    assert ids.slugify_vi(text) == expected


def test_slugify_vi_cuts_at_hyphen():
    slug = ids.slugify_vi("Nghiên cứu ứng dụng công nghệ sinh học", max_len=20)
    assert slug == "nghien-cuu-ung-dung"
    long_word = ids.slugify_vi("a" * 150)
    assert long_word == "a" * 100


def test_slugify_vi_refuses_too_short():
    assert _error(ids.slugify_vi, "Ư").template == ids.SLUG_TOO_SHORT
    assert _error(ids.slugify_vi, "中文").template == ids.SLUG_TOO_SHORT
    with pytest.raises(ValueError, match="max_len"):
        ids.slugify_vi("Trường học", max_len=101)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("426A", "426A"),
        ("443 B", "443B"),
        ("Số 426 tập A", "426A"),
        ("số 437 - Tập B", "437B"),
        ("418/a", "418A"),
        ("0393A", "393A"),
    ],
)
def test_gazette_number_valid(value, expected):
    assert ids.normalize_gazette_number(value) == expected


@pytest.mark.parametrize("value", ["426", "426C", "A426", "Số 426", "426AB", "12345A", "426 tập"])
def test_gazette_number_invalid(value):
    assert _error(ids.normalize_gazette_number, value).template == ids.GAZETTE_NUMBER_FORMAT


def test_gazette_number_zero():
    assert _error(ids.normalize_gazette_number, "0A").template == ids.GAZETTE_NUMBER_ZERO


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21.0136", "21.0136"),  # Hà Nội station
        ("10,7601", "10.7601"),  # decimal comma
        (" +8.5625 ", "8.5625"),  # Trường Sa, written with a sign
        (11.9565, "11.9565"),  # a number from a JSON client
        (0, "0"),
        ("-90", "-90"),
        ("90.000", "90.000"),
    ],
)
def test_latitude_valid(value, expected):
    assert ids.normalize_latitude(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("105.7998", "105.7998"), ("108,4503", "108.4503"), (-180, "-180"), ("180", "180"), (1e-05, "0.00001")],
)
def test_longitude_valid(value, expected):
    assert ids.normalize_longitude(value) == expected


@pytest.mark.parametrize(
    ("normalize", "value", "template", "params"),
    [
        (ids.normalize_latitude, "90.0001", ids.LATITUDE_RANGE, {"value": "90.0001"}),
        (ids.normalize_latitude, "-91", ids.LATITUDE_RANGE, {"value": "-91"}),
        (ids.normalize_latitude, 105.7998, ids.LATITUDE_RANGE, {"value": "105.7998"}),  # longitude as latitude
        (ids.normalize_longitude, "181", ids.LONGITUDE_RANGE, {"value": "181"}),
        (ids.normalize_longitude, "-180.5", ids.LONGITUDE_RANGE, {"value": "-180.5"}),
        (ids.normalize_latitude, "21°00′49″N", ids.LATITUDE_FORMAT, {}),
        (ids.normalize_latitude, "21.01.36", ids.LATITUDE_FORMAT, {}),
        (ids.normalize_latitude, "1e1", ids.LATITUDE_FORMAT, {}),
        (ids.normalize_latitude, True, ids.LATITUDE_FORMAT, {}),
        (ids.normalize_latitude, float("nan"), ids.LATITUDE_FORMAT, {}),
        (ids.normalize_longitude, "105°48′E", ids.LONGITUDE_FORMAT, {}),
        (ids.normalize_longitude, "kinh độ", ids.LONGITUDE_FORMAT, {}),
    ],
)
def test_coordinates_invalid(normalize, value, template, params):
    error = _error(normalize, value)
    assert (error.template, error.params) == (template, params)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("G/TBT/N/VNM/312", "G/TBT/N/VNM/312"),
        ("G/TBT/N/VNM/312/Add.1", "G/TBT/N/VNM/312/Add.1"),
        ("g/tbt/n/vnm/312/add.1", "G/TBT/N/VNM/312/Add.1"),
        ("G/TBT/N/VNM/305/Corr.1", "G/TBT/N/VNM/305/Corr.1"),
        ("G/TBT/N/VNM/250/Rev.1", "G/TBT/N/VNM/250/Rev.1"),
        ("G/TBT/N/USA/1987/Rev.1/Add.2/Corr.1", "G/TBT/N/USA/1987/Rev.1/Add.2/Corr.1"),
        ("G/TBT/N/EU/1102", "G/TBT/N/EU/1102"),
        ("G/TBT/N/TPKM/512", "G/TBT/N/TPKM/512"),
        (" G/TBT/N/CHN/1890 / Add. 1 ", "G/TBT/N/CHN/1890/Add.1"),
    ],
)
def test_tbt_symbol_valid(value, expected):
    assert ids.normalize_tbt_symbol(value) == expected


@pytest.mark.parametrize(
    "value",
    ["TBT/VNM/312", "G/SPS/N/VNM/140", "G/TBT/N/VNM", "G/TBT/N/VNM/0", "G/TBT/N/V/312", "G/TBT/N/VNM/312/Add1",
     "G/TBT/N/VNM/312/Suppl.1", "G/TBT/N/VNM/312/Add.", "G/TBT/N/VNM/312A"],
)
def test_tbt_symbol_invalid(value):
    assert _error(ids.normalize_tbt_symbol, value).template == ids.TBT_SYMBOL_FORMAT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("87", "87"),
        ("8703", "8703"),
        ("87.03", "8703"),
        ("8703.23", "870323"),
        ("870323", "870323"),
        ("8711.60", "871160"),
        ("8504.40.11", "85044011"),  # national tariff line (AHTN)
        ("03061711", "03061711"),
        ("9801.00.10", "98010010"),  # chapter 98 of the national tariff
    ],
)
def test_hs_code_valid(value, expected):
    assert ids.normalize_hs_code(value) == expected


@pytest.mark.parametrize("value", ["8", "870", "87032", "8703.2", "8.703", "8703231000", "8703-23", "HS 8703"])
def test_hs_code_invalid(value):
    error = _error(ids.normalize_hs_code, value)
    assert (error.template, error.params) == (ids.HS_CODE_FORMAT, {"value": value})


@pytest.mark.parametrize(("value", "chapter"), [("00", "00"), ("7701", "77"), ("9801", "98"), ("99.01", "99")])
def test_hs_code_chapter(value, chapter):
    error = _error(ids.normalize_hs_code, value)
    assert (error.template, error.params) == (ids.HS_CODE_CHAPTER, {"value": value, "chapter": chapter})


def test_messages_are_extractable():
    source = Path(ids.__file__)
    extracted = {message for _, message, *_ in extract_from_file("python", source, keywords={"N_": None})}
    assert ids.TAX_CODE_CHECK_DIGIT in extracted
    assert ids.PERIOD_ORDER in extracted
    assert ids.IPC_FORMAT in extracted
    for message in (ids.GAZETTE_NUMBER_FORMAT, ids.LATITUDE_RANGE, ids.LONGITUDE_RANGE, ids.TBT_SYMBOL_FORMAT,
                    ids.HS_CODE_FORMAT, ids.HS_CODE_CHAPTER):
        assert message in extracted
