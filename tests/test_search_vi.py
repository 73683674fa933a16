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

    def test_autocomplete_completes_word_beginnings_with_or_without_accents(self):
        def completed(q):
            return [d["name"] for d in helpers.call_action("package_autocomplete", q=q)]

        assert set(completed("nghien")) == {"exact", "other-accents"}
        assert "exact" in completed("nghiên") and "exact" in completed("NGHIÊN")
        assert completed("đie") == ["power"] and completed("die") == ["power"]
        assert completed("nhân") == ["power"] and completed("hạt") == ["power"]
        assert completed("quặn") == ["other-accents"]
        assert completed("xyzw") == []
