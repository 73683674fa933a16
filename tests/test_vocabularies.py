"""The shared category lists: contents of the shipped files and the loader's checks."""
import textwrap
import unicodedata

import pytest
from ckanext.stinfo import vocabularies
from ckanext.stinfo.vocabularies import VocabularyError, names, parse, successor_province, vocabulary

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(autouse=True)
def _plugins():
    """These tests call the functions directly: no CKAN plugins to load."""
NEW_PROVINCES = (
    "01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96"
).split()
MERGED = {
    "02": "08", "10": "15", "06": "19", "17": "25", "26": "25", "27": "24", "30": "31", "34": "33",
    "35": "37", "36": "37", "45": "44", "49": "48", "62": "51", "64": "52", "58": "56", "54": "66",
    "60": "68", "67": "68", "70": "75", "72": "80", "74": "79", "77": "79", "83": "86", "84": "86",
    "87": "82", "89": "91", "93": "92", "94": "92", "95": "96",
}
RECORD_TYPES = {
    "st_task", "publication", "st_organization", "researcher", "supported_enterprise", "patent",
    "ip_representative", "standard_tcvn", "regulation_qcvn", "tbt_notification",
    "radiation_monitoring", "statistics", "dataset",
}


def _yaml(items, **header):
    fields = {
        "name": "sample", "title": "{vi: Mẫu, en: Sample}", "version": '"1"', "issued": "2025-01-01",
        "source": "test", "licence": "test", "uri_base": "sample/",
    }
    fields.update(header)
    head = "".join(f"{key}: {value}\n" for key, value in fields.items() if value is not None)
    return head + "items:\n" + textwrap.indent(textwrap.dedent(items), "  ")


def test_names_lists_every_file():
    assert set(names()) >= {
        "data_themes", "fields_of_science", "formats", "former_provinces", "frequencies", "licenses",
        "management_fields", "organization_kinds", "patent_statuses", "provinces", "record_types",
        "standard_statuses", "support_statuses", "task_forms", "task_levels", "task_statuses",
    }


@pytest.mark.parametrize("name", names())
def test_shipped_file_is_complete(name):
    vocab = vocabulary(name)
    assert vocab.name == name and vocab.version and vocab.source and vocab.licence
    assert vocab.title["vi"] and vocab.title["en"]
    for item in vocab.items:
        assert item.label.get("vi") and item.label.get("en"), item.code
        assert unicodedata.is_normalized("NFC", item.label["vi"]), item.code
        assert item.uri.startswith(("https://stinfo.gov.vn/vocab/", EU)), item.uri


def test_vocabulary_is_cached():
    assert vocabulary("provinces") is vocabulary("provinces")


def test_unknown_vocabulary():
    with pytest.raises(VocabularyError, match="No vocabulary named 'nope'"):
        vocabulary("nope")


def test_fields_of_science_structure():
    fos = vocabulary("fields_of_science")
    top = [item for item in fos.items if item.parent is None]
    second = [item for item in fos.items if item.parent is not None]
    assert [item.code for item in top] == ["1", "2", "3", "4", "5", "6"]
    assert len(second) == 42
    assert all(item.code.startswith(item.parent + ".") for item in second)
    assert [fos.label(code, "vi") for code in "123456"] == [
        "Khoa học tự nhiên", "Khoa học kỹ thuật và công nghệ", "Khoa học y, dược",
        "Khoa học nông nghiệp", "Khoa học xã hội", "Khoa học nhân văn",
    ]
    assert fos.label("2.10", "en") == "Nano-technology"
    assert fos.label("6", "en") == "Humanities and the arts"
    assert fos.uri("1.1") == "https://stinfo.gov.vn/vocab/fos/1.1"


def test_fields_of_science_map_every_national_code_once():
    fos = vocabulary("fields_of_science")
    national = [code for item in fos.items if item.parent for code in item.extra["vn_codes"]]
    assert len(national) == len(set(national)) == 46
    assert fos.get("1.1").extra["vn_codes"] == ["101"]
    assert fos.get("1.7").extra["vn_codes"] == ["199"]
    for item in fos.items:
        if item.parent:
            assert all(code[0] == item.parent and len(code) == 3 for code in item.extra["vn_codes"])


def test_provinces():
    provinces = vocabulary("provinces")
    assert provinces.codes() == NEW_PROVINCES
    assert provinces.label("79", "vi") == "Thành phố Hồ Chí Minh"
    assert provinces.label("48", "en") == "Da Nang"
    assert sum(item.extra["kind"] == "city" for item in provinces.items) == 6


def test_former_provinces_map_onto_new_ones():
    former = vocabulary("former_provinces")
    assert len(former.items) == 63
    successors = {item.code: item.extra["successor"] for item in former.items}
    assert set(successors.values()) == set(NEW_PROVINCES)
    expected = {code: MERGED.get(code, code) for code in successors}
    assert successors == expected
    assert former.label("46", "vi") == "Thừa Thiên Huế"
    assert "80" in former.get("82").extra["note"]


@pytest.mark.parametrize(
    ("former", "new"), [("02", "08"), ("77", "79"), ("82", "82"), ("87", "82"), ("01", "01")]
)
def test_successor_province(former, new):
    assert successor_province(former) == new


def test_successor_province_unknown():
    with pytest.raises(KeyError):
        successor_province("03")


def test_eu_lists_use_eu_uris():
    assert len(vocabulary("data_themes").items) == 13
    assert vocabulary("data_themes").uri("TECH") == EU + "data-theme/TECH"
    assert vocabulary("frequencies").uri("ANNUAL") == EU + "frequency/ANNUAL"
    assert vocabulary("formats").uri("CSV") == EU + "file-type/CSV"
    assert vocabulary("formats").get("CSV").extra["media_type"] == "text/csv"
    assert vocabulary("formats").uri("API") == "https://stinfo.gov.vn/vocab/format/API"


def test_licenses():
    licenses = vocabulary("licenses")
    assert licenses.uri("CC-BY-4.0") == EU + "licence/CC_BY_4_0"
    assert licenses.by_uri(EU + "licence/ODC_BL").code == "ODbL-1.0"
    ckan_ids = {item.extra["ckan_id"] for item in licenses.items}
    assert ckan_ids >= {"cc-by", "cc-zero", "other-open", "other-closed"}
    assert all(item.extra.get("spdx", item.code) == item.code for item in licenses.items)


def test_management_fields_point_at_data_themes():
    themes = vocabulary("data_themes")
    fields = vocabulary("management_fields")
    assert len(fields.items) == 6
    assert all(item.extra["data_theme"] in themes for item in fields.items)
    assert fields.get("atomic_energy").extra["data_theme"] == "ENER"


def test_record_types():
    types = vocabulary("record_types")
    assert set(types.codes()) == RECORD_TYPES
    assert all(item.extra["description"]["vi"] and item.extra["description"]["en"] for item in types.items)


def test_lookups():
    levels = vocabulary("task_levels")
    assert levels.codes() == ["national", "ministry", "province", "institution"]
    assert "national" in levels and "nope" not in levels
    assert levels.get("nope") is None and levels.uri("nope") is None and levels.by_uri("x") is None
    assert levels.by_uri(levels.uri("province")).code == "province"
    assert levels.label("national") == "Cấp quốc gia"
    assert levels.label("national", "en_GB") == "National level"
    assert levels.label("nope", "en") == "nope"
    assert levels.choices("en")[0] == {"value": "national", "label": "National level"}
    assert levels.choices()[0] == {"value": "national", "label": "Cấp quốc gia"}


def test_support_statuses_in_the_order_a_support_goes_through():
    statuses = vocabulary("support_statuses")
    assert statuses.codes() == ["proposed", "approved", "in_progress", "completed", "terminated"]
    assert statuses.label("in_progress") == "Đang thực hiện"
    assert statuses.label("terminated", "en") == "Terminated"
    assert statuses.uri("completed") == "https://stinfo.gov.vn/vocab/support-status/completed"
    assert statuses.version == "1.0"


def test_label_falls_back_to_other_language():
    items = '- {code: a, label: {vi: "Chỉ tiếng Việt"}}\n- {code: b, label: {en: Only English}}'
    vocab = parse(_yaml(items), "sample")
    assert vocab.label("a", "en") == "Chỉ tiếng Việt"
    assert vocab.label("b", "vi") == "Only English"
    assert vocab.uri("a") == vocabularies.NAMESPACE + "sample/a"


def test_item_uri_overrides_base():
    items = "- {code: a, uri: 'http://example.org/a', label: {vi: A}}\n- {code: b, uri: x/b, label: {vi: B}}"
    vocab = parse(_yaml(items), "sample")
    assert vocab.uri("a") == "http://example.org/a"
    assert vocab.uri("b") == vocabularies.NAMESPACE + "x/b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_yaml("- {code: a, label: {vi: A}}\n- {code: a, label: {vi: B}}"), "duplicate code 'a'"),
        (_yaml("- {code: a, label: {vi: A}}\n- {code: b, uri: sample/a, label: {vi: B}}"), "duplicate uri"),
        (_yaml("- {code: a}"), "item 'a' has no label"),
        (_yaml("- {code: a, label: {fr: A}}"), "must have a label in vi or en"),
        (_yaml("- {code: a, label: {vi: ''}}"), "must have a label in vi or en"),
        (_yaml("- {code: a, label: {vi: A, en: ''}}"), "empty or non-text label"),
        (_yaml("- {code: 1.10, label: {vi: A}}"), "item 1 needs a code written as a quoted string"),
        (_yaml("- {label: {vi: A}}"), "item 1 needs a code"),
        (_yaml("- {code: a, parent: b, label: {vi: A}}"), "unknown parent 'b'"),
        (_yaml("- {code: a, label: {vi: A}}", uri_base=None), "needs a uri, or the file needs a uri_base"),
        (_yaml("- {code: a, label: {vi: A}}", uri_base="sample"), "uri_base must be a string ending in '/'"),
        (_yaml("- {code: a, label: {vi: A}}", name="other"), "name is 'other'"),
        (_yaml("- {code: a, label: {vi: A}}", version="1.0"), "version must be a non-empty quoted string"),
        (_yaml("- {code: a, label: {vi: A}}", issued="soon"), "issued must be a date"),
        (_yaml("- {code: a, label: {vi: A}}", licence=None), "missing header keys licence"),
        (_yaml("- {code: a, label: {vi: A}}", license="CC0"), "unknown header keys license"),
        (_yaml("- {code: a, label: {vi: A}}", title="Sample"), "title must have a label in vi or en"),
        (_yaml("[]"), "items must be a non-empty list"),
        (_yaml("- just text"), "item 1 must be a mapping"),
        ("- a\n- b\n", "the file must be a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_malformed_file_fails_loudly(text, message):
    with pytest.raises(VocabularyError, match="^sample.yaml: ") as caught:
        parse(text, "sample")
    assert message in str(caught.value)
