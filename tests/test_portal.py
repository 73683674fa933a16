"""The public portal served by CKAN: facets, record pages, statistics, developer page, in vi and en."""
import csv
import io
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from ckan.lib.i18n import get_ckan_i18n_dir
from ckan.tests import factories, helpers
from ckanext.stinfo import demo, facets

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\([a-z_]+\)s")


@pytest.fixture
def catalogue(clean_db, clean_index, demo_catalogue_path):
    """The demo catalogue loaded into the test database; returns its datasets as written in YAML."""
    demo.load(str(demo_catalogue_path))
    with open(demo_catalogue_path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)["datasets"]


@pytest.fixture
def sysadmin_headers():
    user = factories.Sysadmin()
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def _counts(items):
    return {item["code"]: item["count"] for item in items}


# ---------------------------------------------------------------- stinfo_statistics

def test_statistics_count_every_dimension(catalogue):
    stats = helpers.call_action("stinfo_statistics", lang="vi")
    assert stats["total"] == len(catalogue)
    dims = stats["dimensions"]
    assert list(dims) == ["record_type", "field_of_science", "province", "year", "organization"]

    assert _counts(dims["record_type"]["items"]) == Counter(record["type"] for record in catalogue)
    fields = Counter()
    for record in catalogue:
        codes = record.get("fields_of_science") or [record.get("field_of_science")]
        fields.update(code for code in set(codes) if code)
    assert _counts(dims["field_of_science"]["items"]) == fields
    assert _counts(dims["province"]["items"]) == Counter(r["province"] for r in catalogue if r.get("province"))
    years = Counter(facets.record_year(record) for record in catalogue)
    years.pop(None, None)
    assert _counts(dims["year"]["items"]) == years
    assert _counts(dims["organization"]["items"]) == Counter(record["owner_org"] for record in catalogue)


def test_statistics_labels_follow_the_language(catalogue):
    vi = helpers.call_action("stinfo_statistics", lang="vi")["dimensions"]
    en = helpers.call_action("stinfo_statistics", lang="en")["dimensions"]
    assert {"code": "2.10", "label": "Công nghệ nano", "count": 7} in vi["field_of_science"]["items"]
    assert {"code": "2.10", "label": "Nano-technology", "count": 7} in en["field_of_science"]["items"]
    assert {"code": "01", "label": "Hà Nội"}.items() <= vi["province"]["items"][0].items()
    assert en["province"]["items"][0]["label"] == "Hanoi"
    assert en["record_type"]["title"] == "Records by type"
    record_types = {item["code"]: item["label"] for item in en["record_type"]["items"]}
    assert record_types["st_task"] == "S&T task"
    publishers = {item["code"]: item["label"] for item in vi["organization"]["items"]}
    assert publishers["dai-hoc-quoc-gia-ha-noi"] == "Đại học Quốc gia Hà Nội"
    years = [item["code"] for item in vi["year"]["items"]]
    assert years == sorted(years)


def test_statistics_are_public_and_check_the_language(app, catalogue):
    assert helpers.call_auth("stinfo_statistics", {"user": ""})
    answer = app.get("/api/3/action/stinfo_statistics?lang=en").json
    assert answer["success"] and answer["result"]["lang"] == "en"
    refused = app.get("/api/3/action/stinfo_statistics?lang=fr", status=409).json
    assert "lang" in refused["error"]


def test_statistics_leave_out_private_records(catalogue):
    org = helpers.call_action("organization_show", id="cuc-thong-tin-thong-ke")
    factories.Dataset(name="ban-ghi-rieng-tu", owner_org=org["id"], private=True)
    assert helpers.call_action("stinfo_statistics")["total"] == len(catalogue)


# ---------------------------------------------------------------- search index and facets

def test_records_are_indexed_with_year_field_and_status(catalogue):
    def names(fq):
        return sorted(r["name"] for r in helpers.call_action("package_search", fq=fq, rows=100)["results"])

    assert names('stinfo_year:"2022"') == ["nghien-cuu-vat-lieu-nano-dhqghn"]
    assert names('vocab_stinfo_field:"1.3"') == ["tran-thi-minh-nguyet", "truong-dai-hoc-khoa-hoc-tu-nhien-dhqghn"]
    assert names('stinfo_status:"task_status:in_progress"') == ["co-so-du-lieu-da-dang-sinh-hoc-bien"]
    assert names('stinfo_status:"standard_status:in_force"') == ["qcvn-4-2009-bkhcn", "tcvn-12850-2019"]


def test_search_page_shows_translated_facets_and_sorting(app, catalogue):
    page = app.get("/dataset/").body
    for text in ("Loại hồ sơ", "Lĩnh vực nghiên cứu", "Tỉnh, thành phố", "Cấp quản lý", "Tình trạng", "Năm",
                 "Cơ quan công bố", "Giấy phép", "Công nghệ nano", "Nhiệm vụ khoa học và công nghệ",
                 "Phù hợp nhất", "Tên từ A đến Z", "Sắp xếp theo", f"Tìm thấy {len(catalogue)} bản ghi"):
        assert text in page, text
    page = app.get("/en/dataset/").body
    for text in ("Record type", "Field of science", "Province or city", "Management level", "Status", "Year",
                 "Publisher", "Nano-technology", "S&amp;T task", "Most relevant", "Title A to Z",
                 f"{len(catalogue)} records found"):
        assert text in page, text


def test_a_phrase_query_is_shown_in_one_pair_of_quotes(app, catalogue):
    page = app.get("/dataset/", query_string={"q": '"nghiên cứu"'}).body
    assert "cho &#34;nghiên cứu&#34;</span>" in page


def test_facet_filter_keeps_the_label(app, catalogue):
    page = app.get("/dataset/", query_string={"vocab_stinfo_field": "2.10"}).body
    assert "Tìm thấy 7 bản ghi" in page
    assert 'class="filtered pill">Công nghệ nano' in page
    page = app.get("/en/dataset/", query_string={"stinfo_status": "task_status:in_progress"}).body
    assert "1 record found" in page and "In progress" in page


def test_harvest_sources_stay_out_of_search(app, catalogue):
    org = helpers.call_action("organization_show", id="cuc-thong-tin-thong-ke")
    helpers.call_action("harvest_source_create", context={"user": factories.Sysadmin()["name"]},
                        name="nguon-thu", title="Nguồn thu thập thử", url="http://127.0.0.1:9/tasks",
                        source_type="stinfo_st_tasks", owner_org=org["id"])
    assert "Nguồn thu thập thử" not in app.get("/dataset/").body
    assert helpers.call_action("stinfo_statistics")["total"] == len(catalogue)


# ---------------------------------------------------------------- pages

def test_home_page_counts_types_and_links_the_dashboards(app, catalogue):
    page = app.get("/").body
    assert "Hệ thống thông tin quốc gia về khoa học, công nghệ và đổi mới sáng tạo" in page
    assert 'data-type="st_task"' in page and 'href="/dataset/?dataset_type=st_task"' in page
    assert 'href="/thong-ke"' in page and 'href="/nha-phat-trien"' in page
    assert 'name="q"' in page
    page = app.get("/en/").body
    assert "National information system on science, technology and innovation" in page
    assert 'href="/en/thong-ke"' in page and "S&amp;T task" in page


def test_language_switch_links_to_the_same_page(app, catalogue):
    assert 'href="/en/thong-ke"' in app.get("/thong-ke").body
    assert 'href="/thong-ke"' in app.get("/en/thong-ke").body


def test_record_page_links_relations_and_identifiers(app, catalogue):
    page = app.get("/publication/hat-nano-oxit-sat-phu-chitosan-mri-2023").body
    assert 'href="https://doi.org/10.15625/2525-2518/17823"' in page
    assert 'href="/st_task/nghien-cuu-vat-lieu-nano-dhqghn"' in page
    assert 'href="/researcher/tran-thi-minh-nguyet"' in page
    assert 'href="/st_organization/truong-dai-hoc-khoa-hoc-tu-nhien-dhqghn"' in page
    assert "Bản ghi liên quan" in page and "Mã định danh" in page
    page = app.get("/en/st_task/co-so-du-lieu-da-dang-sinh-hoc-bien").body
    assert 'href="/en/organization/vien-han-lam-khcn-viet-nam"' in page
    assert "A database of Vietnam&#39;s marine biodiversity" in page
    assert "Entered directly in the portal by" in page


def test_relation_written_as_an_identifier_is_resolved(app, catalogue):
    org = helpers.call_action("organization_show", id="dai-hoc-quoc-gia-ha-noi")
    helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, type="st_task",
        name="nhiem-vu-dinh-danh", title="Nhiệm vụ liên kết bằng mã", task_code="ĐT.01/25", owner_org=org["id"],
        task_level="national", task_form="research_topic", lead_organization="0101110457",
        principal_investigator="0000-0002-1457-3980", field_of_science="2.10", task_status="approved",
        related_publications=["khong-co-ban-ghi-nay"])
    page = app.get("/st_task/nhiem-vu-dinh-danh").body
    assert 'href="/st_organization/truong-dai-hoc-khoa-hoc-tu-nhien-dhqghn"' in page
    assert 'href="/researcher/tran-thi-minh-nguyet"' in page
    assert 'stinfo-relation-unresolved" title="Không tìm thấy trong danh mục">khong-co-ban-ghi-nay' in page


def test_record_page_shows_provenance(app, catalogue):
    org = helpers.call_action("organization_show", id="cuc-thong-tin-thong-ke")
    helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, type="statistics",
        name="so-lieu-thu-thap", title="Số liệu thu thập", owner_org=org["id"], indicator="Số đề tài",
        unit="Đề tài", temporal_start="2024", frequency="ANNUAL",
        source_system="Nền tảng số quản lý KHCN&ĐMST quốc gia", source_url="https://nentang.example.vn/nv/42",
        source_record_id="NV-42", harvested_at="2025-03-01T08:30:00+07:00", content_hash="ab12cd34")
    page = app.get("/statistics/so-lieu-thu-thap").body
    assert "Nguồn gốc dữ liệu" in page and "Nền tảng số quản lý KHCN&amp;ĐMST quốc gia" in page
    assert 'href="https://nentang.example.vn/nv/42"' in page and "NV-42" in page and "ab12cd34" in page
    assert "Thời điểm thu thập" in page


def test_statistics_dashboard_and_csv(app, catalogue):
    page = app.get("/thong-ke").body
    for title in ("Bản ghi theo loại hồ sơ", "Bản ghi theo lĩnh vực nghiên cứu", "Bản ghi theo tỉnh, thành phố",
                  "Bản ghi theo năm", "Bản ghi theo cơ quan công bố"):
        assert title in page
    assert f"Danh mục có {len(catalogue)} bản ghi công khai." in page
    assert 'href="/thong-ke/province.csv"' in page
    assert "Records by field of science" in app.get("/en/thong-ke").body

    response = app.get("/en/thong-ke/field_of_science.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["code", "label", "count"]
    assert ["2.10", "Nano-technology", "7"] in rows
    api = helpers.call_action("stinfo_statistics", lang="en")["dimensions"]["field_of_science"]["items"]
    assert rows[1:] == [[item["code"], item["label"], str(item["count"])] for item in api]
    app.get("/thong-ke/nothing.csv", status=404)


def test_developer_page_lists_api_dcat_and_harvest_sources(app, catalogue):
    org = helpers.call_action("organization_show", id="cuc-thong-tin-thong-ke")
    source = helpers.call_action(
        "harvest_source_create", context={"user": factories.Sysadmin()["name"]}, name="nguon-nhiem-vu",
        title="Nhiệm vụ KH&CN từ nền tảng số", url="http://127.0.0.1:9/tasks", source_type="stinfo_st_tasks",
        owner_org=org["id"], frequency="DAILY", config=(ROOT / "config" / "harvest" / "st_tasks.json").read_text())
    page = app.get("/nha-phat-trien").body
    assert "Nhiệm vụ KH&amp;CN từ nền tảng số" in page and f'href="/harvest/{source["id"]}"' in page
    assert "Hằng ngày" in page
    for text in ("/api/3/action/package_search", "stinfo_statistics", "ckanapi action package_search",
                 "RemoteCKAN", "/catalog.ttl", "/catalog.rdf", "/catalog.jsonld", "/catalog.xml",
                 "harvest_source_list"):
        assert text in page, text
    assert "For developers" in app.get("/en/nha-phat-trien").body


def test_publishing_form_names_the_record_type_and_helps_in_each_language(app, catalogue, sysadmin_headers):
    page = app.get("/st_task/new", headers=sysadmin_headers).body
    assert "Bản ghi mới: Nhiệm vụ khoa học và công nghệ" in page
    assert "Mã số ghi trong quyết định phê duyệt hoặc hợp đồng thực hiện nhiệm vụ." in page
    assert "Các trường có dấu * là bắt buộc." in page
    assert '<option value="2.10"' in page and "Công nghệ nano" in page
    page = app.get("/en/st_task/new", headers=sysadmin_headers).body
    assert "New record: S&amp;T task" in page
    assert "The code given in the approval decision or the task contract." in page
    assert "Nano-technology" in page


def test_validation_messages_are_translated(app, catalogue, sysadmin_headers):
    org = helpers.call_action("organization_show", id="dai-hoc-quoc-gia-ha-noi")
    form = {"name": "cong-bo-sai-doi", "title": "Công bố có DOI sai", "owner_org": org["id"],
            "publication_kind": "journal_article", "publication_year": "2024", "doi": "11.1/x",
            "field_of_science": "2.10", "save": "continue", "_ckan_phase": "dataset_new_1", "pkg_name": ""}
    page = app.post("/publication/new", data=form, headers=sysadmin_headers).body
    assert "DOI phải viết dạng 10.NNNN/hậu tố" in page
    page = app.post("/en/publication/new", data=form, headers=sysadmin_headers).body
    assert "DOI must be written as 10.NNNN/suffix" in page


# ---------------------------------------------------------------- catalogues

def _catalog(path):
    with open(path, "rb") as stream:
        return read_po(stream)


def _ids(catalog):
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalog if message.id}


def test_template_lists_every_message_of_the_code_and_templates(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "setup.py", "-q", "extract_messages", "-o", str(fresh)], cwd=ROOT, check=True,
                   capture_output=True)
    assert _ids(_catalog(fresh)) == _ids(_catalog(I18N / "ckanext-stinfo.pot")), \
        "i18n/ckanext-stinfo.pot is out of date: run python setup.py extract_messages, then update_catalog"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_translates_every_message_keeping_placeholders(lang):
    template = _ids(_catalog(I18N / "ckanext-stinfo.pot"))
    catalog = _catalog(I18N / lang / "LC_MESSAGES" / "ckanext-stinfo.po")
    assert _ids(catalog) == template
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings) and not message.fuzzy, f"{lang}: {ids[0]!r} is not translated"
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(ids[0])), (lang, ids[0])
    write_mo(io.BytesIO(), catalog)


def test_vietnamese_text_is_precomposed_and_ckan_ships_vietnamese():
    catalog = _catalog(I18N / "vi" / "LC_MESSAGES" / "ckanext-stinfo.po")
    for message in catalog:
        for text in [message.string] if isinstance(message.string, str) else message.string:
            assert unicodedata.normalize("NFC", text) == text
    assert (Path(get_ckan_i18n_dir()) / "vi" / "LC_MESSAGES" / "ckan.mo").exists()


def test_core_strings_appear_in_vietnamese(app, catalogue):
    page = app.get("/dataset/").body
    assert "Đăng nhập" in page and "Lọc kết quả" in page and "Sắp xếp theo" in page
