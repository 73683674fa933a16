"""Vietnamese search in the shipped Solr schema: accent-insensitive, exact accents first."""
import unicodedata

import pytest
from ckan.tests import factories, helpers

TITLES = {
    "exact": "Nghiên cứu vật liệu nano",
    "other-accents": "Nghiền quặng titan cứu hộ",
    "power": "Điện hạt nhân và an toàn bức xạ",
}


@pytest.fixture
def records():
    org = factories.Organization()
    for name, title in TITLES.items():
        factories.Dataset(name=name, title=title, owner_org=org["id"])


def _names(q):
    return [d["name"] for d in helpers.call_action("package_search", q=q, sort="score desc")["results"]]


@pytest.mark.usefixtures("clean_db", "clean_index", "records")
class TestVietnameseSearch:
    def test_query_without_accents_finds_accented_titles(self):
        assert set(_names("nghien cuu")) == {"exact", "other-accents"}

    def test_query_with_accents_ranks_exact_accents_first(self):
        assert _names("nghiên cứu")[0] == "exact"

    def test_d_finds_d_with_stroke(self):
        assert _names("dien hat nhan") == ["power"]

    def test_decomposed_input_matches_precomposed_text(self):
        assert _names(unicodedata.normalize("NFD", "điện hạt nhân")) == ["power"]

    def test_no_english_stemming(self):
        factories.Dataset(name="stations", title="Monitoring stations", owner_org=factories.Organization()["id"])
        assert _names("station") == []
        assert _names("stations") == ["stations"]

    def test_codes_are_found_by_their_parts_joined_or_in_phrases(self):
        """Word delimiting: a code's parts, the parts joined and phrases across them match at
        the right positions."""
        factories.Dataset(name="codes", title="Quy chuẩn QCVN 01:2021/BKHCN về thiết bị Wi-Fi",
                          notes="Theo Thông tư 22/2025/TT-BKHCN", owner_org=factories.Organization()["id"])
        for q in ('"TT-BKHCN"', "ttbkhcn", '"2025/TT-BKHCN"', '"01:2021/BKHCN về thiết bị"', '"thiết bị wifi"',
                  '"thiet bi Wi-Fi"', '"QCVN 01:2021"', "qcvn 2021"):
            assert _names(q) == ["codes"], q
        assert _names('"BKHCN thiết bị"') == [] and _names('"wifi thiết bị"') == []

    def test_autocomplete_completes_word_beginnings_with_or_without_accents(self):
        def completed(q):
            return [d["name"] for d in helpers.call_action("package_autocomplete", q=q)]

        assert set(completed("nghien")) == {"exact", "other-accents"}
        assert "exact" in completed("nghiên") and "exact" in completed("NGHIÊN")
        assert completed("đie") == ["power"] and completed("die") == ["power"]
        assert completed("nhân") == ["power"] and completed("hạt") == ["power"]
        assert completed("quặn") == ["other-accents"]
        assert completed("xyzw") == []


def test_machine_values_and_quality_issue_codes_are_not_full_text(clean_db, clean_index):
    """A content hash, a harvest time and the quality issue codes do not make a record match a
    search for their fragments ("12", "2031", "licence"); each is still found by its field."""
    org = factories.Organization()
    digest = "a12b" * 16
    record = factories.Dataset(name="bang-bam", title="Quan trắc môi trường", owner_org=org["id"], license_id="",
                               content_hash=digest, harvested_at="2031-05-17T08:09:10")
    shown = helpers.call_action("package_show", id=record["id"])
    assert shown["content_hash"] == digest and shown["harvested_at"].startswith("2031-05-17")

    for fragment in ("12", "a", "b", "2031", "17", "licence", "no", "recommended"):
        assert _names(fragment) == [], fragment
    assert _names("quan trắc") == ["bang-bam"]

    def filtered(fq):
        return [d["name"] for d in helpers.call_action("package_search", fq=fq)["results"]]

    assert filtered(f"content_hash:{digest}") == ["bang-bam"]
    assert filtered("stinfo_quality_issues:no_licence") == ["bang-bam"]


def test_values_of_a_field_of_several_values_are_searchable_text(clean_db, clean_index):
    """A field of several values is stored as a JSON list with its accents escaped; its values are
    indexed as the words they are, not as "u0103n" fragments."""
    org = factories.Organization()
    factories.Dataset(name="tuan-thu", title="Bộ dữ liệu quan trắc", owner_org=org["id"],
                      conforms_to=["Thông tư 22/2025/TT-BKHCN", "Quy chuẩn đo lường"])

    assert _names("thông tư") == ["tuan-thu"]
    assert _names("quy chuan do luong") == ["tuan-thu"]
    assert _names("u00f4ng") == [] and _names("u0111o") == []
    phrase = helpers.call_action("package_search", fq='extras_conforms_to:"Thông tư 22/2025/TT-BKHCN"')
    assert [d["name"] for d in phrase["results"]] == ["tuan-thu"]


def test_index_text_of_extras_keeps_what_is_not_a_list_of_values():
    from ckanext.stinfo import full_text

    doc = full_text.prepare({"extras_codes": '["3923", null, "", 8711]', "extras_broken": "[không phải JSON",
                             "extras_nested": '[{"a": 1}]', "extras_title": "[Bản thảo] Báo cáo",
                             "extras_deep": "[" * 100_000 + "]" * 100_000,
                             "extras_content_hash": "ab12", "content_hash": "ab12", "budget": "[1]"})
    assert doc == {"extras_codes": "3923; 8711", "extras_broken": "[không phải JSON", "extras_nested": '[{"a": 1}]',
                   "extras_title": "[Bản thảo] Báo cáo", "extras_deep": "[" * 100_000 + "]" * 100_000,
                   "content_hash": "ab12", "budget": "[1]"}
