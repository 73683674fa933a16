"""The portal as a person uses it, in a real headless Chromium: search, facets, languages, record
pages, files, statistics, the developer page, publishing, and a phone-sized screen."""
from __future__ import annotations

import csv
import io
import re

import pytest

from .conftest import CSV_TEXT, TXT_TEXT, log_in


def _count(tab) -> int:
    return int(tab.locator(".stinfo-result-count").get_attribute("data-count"))


def _result_names(tab) -> list[str]:
    return sorted(href.rsplit("/", 1)[-1] for href in tab.locator(".dataset-heading a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))


def _facet(tab, title: str):
    return tab.locator("section.module", has=tab.locator("h2.module-heading", has_text=title))


def _unlabelled_fields(tab) -> list[str]:
    return tab.evaluate("""() => Array.from(document.querySelectorAll(
          '#dataset-edit input, #dataset-edit select, #dataset-edit textarea, #resource-edit input, '
          + '#resource-edit select, #resource-edit textarea'))
        .filter(el => !['hidden', 'submit', 'button', 'reset'].includes(el.type))
        .filter(el => el.offsetParent !== null)
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.name || el.id)""")


def _overflow(tab) -> int:
    return tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


# ---------------------------------------------------------------- search

def test_search_finds_the_same_records_with_and_without_accents(portal, page, shot):
    page.goto(portal("/"))
    page.fill("#stinfo-home-q", "vật liệu nano")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dataset/\?q="))
    with_accents = _result_names(page)
    assert "nghien-cuu-vat-lieu-nano-dhqghn" in with_accents
    assert page.locator(".stinfo-result-count").inner_text().startswith("Tìm thấy")
    shot(page, "search-with-accents")

    page.fill("#field-giant-search", "vat lieu nano")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=vat(\+|%20)lieu(\+|%20)nano"))
    page.wait_for_function("() => document.querySelector('#field-giant-search').value === 'vat lieu nano'")
    assert _result_names(page) == with_accents
    shot(page, "search-without-accents")


def test_facet_click_filters_and_shows_labels(portal, page, shot):
    page.goto(portal("/dataset/"))
    total = _count(page)
    fields = _facet(page, "Lĩnh vực nghiên cứu")
    nano = fields.locator("li.nav-item a", has_text="Công nghệ nano")
    expected = int(nano.locator(".item-count").inner_text())
    nano.click()
    page.wait_for_url(re.compile(r"vocab_stinfo_field=2\.10"))
    page.wait_for_function(f"() => document.querySelector('.stinfo-result-count').dataset.count === '{expected}'")
    assert 0 < _count(page) < total
    assert "Công nghệ nano" in page.locator(".filter-list .filtered").first.inner_text()

    _facet(page, "Loại hồ sơ").locator("li.nav-item a", has_text="Công bố khoa học").click()
    page.wait_for_url(re.compile(r"dataset_type=publication"))
    page.wait_for_function("() => document.querySelector('.stinfo-result-count').dataset.count === '2'")
    assert _result_names(page) == ["giao-trinh-vat-lieu-nano-y-sinh-2024", "hat-nano-oxit-sat-phu-chitosan-mri-2023"]
    assert page.locator("#field-order-by option").all_inner_texts()[:2] == ["Phù hợp nhất", "Tên từ A đến Z"]
    shot(page, "search-facets")


# ---------------------------------------------------------------- languages

def test_language_switch_keeps_the_page(portal, page, shot):
    page.goto(portal("/thong-ke"))
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").first.inner_text() == "Thống kê danh mục"
    page.locator(".stinfo-lang-switch").click()
    page.wait_for_url(portal("/en/thong-ke"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Statistics of the catalogue"
    assert page.locator("#chart-field_of_science").get_by_text("Nano-technology").count() == 1
    shot(page, "statistics-en")
    page.locator(".stinfo-lang-switch").click()
    page.wait_for_url(portal("/thong-ke"))
    assert page.locator("h1").first.inner_text() == "Thống kê danh mục"


# ---------------------------------------------------------------- record pages

def test_record_page_links_relations_and_shows_provenance(portal, page, shot):
    page.goto(portal("/st_task/nhiem-vu-tu-nen-tang-so"))
    assert "Nhiệm vụ khoa học và công nghệ" in page.locator(".stinfo-type-badge").first.inner_text()
    identifiers = page.locator(".stinfo-identifiers")
    assert "ĐTĐL.CN-07/23" in identifiers.inner_text()

    relations = page.locator(".stinfo-relations")
    lead = relations.locator("[data-field=lead_organization] a")
    assert lead.inner_text() == "Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Hà Nội"
    assert relations.locator("[data-field=principal_investigator] a").inner_text() == "Trần Thị Minh Nguyệt"
    assert relations.locator(".stinfo-relation-unresolved").inner_text() == "cong-bo-chua-co-tren-he-thong"

    provenance = page.locator(".stinfo-provenance")
    text = provenance.inner_text()
    for expected in ("Nền tảng số quản lý KHCN&ĐMST quốc gia", "NV-2023-0107", "Thời điểm thu thập", "9f2c4e1ab07d"):
        assert expected in text
    assert "nhiem-vu-tu-nen-tang-so" in provenance.locator("a.stinfo-source-link").get_attribute("href")
    shot(page, "record-task-provenance")

    lead.click()
    page.wait_for_url(portal("/st_organization/truong-dai-hoc-khoa-hoc-tu-nhien-dhqghn"))
    assert "Tổ chức khoa học và công nghệ" in page.locator(".stinfo-type-badge").first.inner_text()
    page.locator(".stinfo-relations [data-field=related_tasks] a").first.click()
    page.wait_for_url(portal("/st_task/nghien-cuu-vat-lieu-nano-dhqghn"))
    assert page.locator(".stinfo-provenance").inner_text().startswith("Nguồn gốc dữ liệu")


def test_record_page_in_english_uses_english_titles(portal, page):
    page.goto(portal("/en/st_task/nhiem-vu-tu-nen-tang-so"))
    title = page.locator(".stinfo-record-title").inner_text()
    assert title == "Magnetic nanomaterials for industrial wastewater treatment"
    assert "Provenance" in page.locator(".stinfo-provenance h2").inner_text()
    assert page.locator(".stinfo-relations [data-field=principal_investigator] a").get_attribute("href") == \
        "/en/researcher/tran-thi-minh-nguyet"


def test_files_preview_and_download(portal, page, shot):
    page.goto(portal("/statistics/so-to-chuc-khcn-theo-tinh-2024"))
    items = page.locator(".resource-item")
    assert items.count() == 2
    shot(page, "record-with-files")

    page.locator(".resource-item", has_text="Ghi chú phương pháp").locator("a.heading").click()
    page.wait_for_url(re.compile(r"/resource/"))
    page.wait_for_load_state("networkidle")
    shot(page, "resource-preview")
    frame = page.frame_locator("iframe").first
    frame.get_by_text("Ghi chú phương pháp").wait_for()
    assert TXT_TEXT.strip() in frame.locator("body").inner_text()
    shot(page, "resource-preview")

    page.goto(portal("/statistics/so-to-chuc-khcn-theo-tinh-2024"))
    csv_item = page.locator(".resource-item", has_text="Số tổ chức theo tỉnh (CSV)")
    csv_item.locator(".dropdown-toggle").click()
    with page.expect_download() as download:
        csv_item.locator("a.resource-url-analytics").click()
    assert download.value.suggested_filename == "so-to-chuc-theo-tinh-2024.csv"
    assert open(download.value.path(), encoding="utf-8").read() == CSV_TEXT


# ---------------------------------------------------------------- statistics and developer pages

def test_statistics_dashboard_charts_and_csv(portal, page, shot):
    page.goto(portal("/thong-ke"))
    charts = page.locator(".stinfo-chart")
    assert charts.count() == 5
    shot(page, "statistics-vi")
    chart = page.locator("#chart-province")
    shown = [[row.locator("th").inner_text().strip(), row.locator(".stinfo-bar-value").inner_text().strip()]
             for row in chart.locator("tbody tr").all()]
    assert shown[0][0] == "Hà Nội" and int(shown[0][1]) > 0
    with page.expect_download() as download:
        chart.locator("a.stinfo-csv").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["code", "label", "count"]
    assert [[label, count] for _code, label, count in rows[1:]] == shown

    chart.locator("tbody tr").first.locator("a").click()
    page.wait_for_url(re.compile(r"/dataset/\?province=01"))
    assert _count(page) == int(shown[0][1])


def test_developer_page_shows_api_dcat_and_harvest_sources(portal, page, shot):
    page.goto(portal("/nha-phat-trien"))
    text = page.locator("main, #content, body").first.inner_text()
    for expected in (f"curl '{portal.url}/api/3/action/package_search", "ckanapi action package_search",
                     "RemoteCKAN", "/catalog.ttl", "/catalog.jsonld", "Nguồn thu thập"):
        assert expected in text, expected
    shot(page, "developers")
    with page.expect_response(lambda response: "/catalog.ttl" in response.url) as answer:
        page.locator("#dcat a", has_text="/catalog.ttl").click()
    assert answer.value.status == 200


# ---------------------------------------------------------------- publishing

def test_publishing_form_guides_the_editor(portal, page, shot):
    log_in(page, portal)
    page.goto(portal("/dataset/"))
    page.locator(".stinfo-add-record button").click()
    page.locator(".stinfo-add-record .dropdown-item", has_text="Công bố khoa học").click()
    page.wait_for_url(portal("/publication/new"))
    assert "Bản ghi mới: Công bố khoa học" in page.locator(".stages").inner_text()
    assert _unlabelled_fields(page) == []
    assert page.get_by_text("Theo bảng phân loại lĩnh vực nghiên cứu khoa học và công nghệ (OECD FORD).").count() == 1
    shot(page, "publish-form-vi")

    page.fill("#field-title", "Ảnh hưởng của hạt nano bạc lên vi khuẩn kháng thuốc")
    page.locator(".slug-preview button").click()
    page.fill("#field-name", "anh-huong-hat-nano-bac-vi-khuan")
    page.select_option("select[name=owner_org]", label="Đại học Quốc gia Hà Nội")
    page.select_option("select[name=publication_kind]", index=1)
    page.fill("input[name=authors]", "Nguyễn Văn An")
    page.fill("input[name=venue]", "Tạp chí Khoa học và Công nghệ Việt Nam")
    page.fill("input[name=publication_year]", "2024")
    page.fill("input[name=doi]", "11.1/sai")
    page.select_option("select[name=field_of_science]", "2.10")
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state()
    assert "DOI phải viết dạng 10.NNNN/hậu tố" in page.locator(".error-explanation, .error-block").first.inner_text()
    shot(page, "publish-form-error")

    page.fill("input[name=doi]", "10.15625/2525-2518/18001")
    page.locator("button[name=save]").last.click()
    page.wait_for_load_state()
    shot(page, "publish-form-second-save")
    page.wait_for_url(re.compile(r"/publication/anh-huong-hat-nano-bac-vi-khuan/resource/new"))
    assert _unlabelled_fields(page) == []
    page.locator("#resource-link-button").click()
    page.fill("#field-resource-url", f"{portal.url}/thong-ke/year.csv")
    page.fill("input[name=name]", "Bảng số liệu")
    page.select_option("select[name=format]", "CSV")
    shot(page, "publish-resource-form")
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_url(portal("/publication/anh-huong-hat-nano-bac-vi-khuan"))
    assert page.locator(".stinfo-record-title").inner_text() == "Ảnh hưởng của hạt nano bạc lên vi khuẩn kháng thuốc"
    assert page.locator(".resource-item", has_text="Bảng số liệu").count() == 1
    assert "10.15625/2525-2518/18001" in page.locator(".stinfo-identifiers").inner_text()
    shot(page, "published-record")


@pytest.mark.parametrize("record_type", ["st_task", "researcher", "patent", "standard_tcvn"])
def test_every_form_field_has_a_label(portal, page, record_type):
    log_in(page, portal)
    page.goto(portal(f"/{record_type}/new"))
    assert page.locator("#dataset-edit").count() == 1
    assert _unlabelled_fields(page) == []


# ---------------------------------------------------------------- phones

@pytest.mark.parametrize("path", ["/", "/dataset/", "/st_task/nhiem-vu-tu-nen-tang-so", "/thong-ke", "/nha-phat-trien"])
def test_pages_fit_a_phone_screen(portal, phone, shot, path):
    phone.goto(portal(path))
    assert _overflow(phone) <= 0, f"{path} scrolls sideways by {_overflow(phone)} px"
    name = path.strip("/").replace("/", "-") or "home"
    shot(phone, f"phone-{name}")


def test_phone_menu_and_search_work(portal, phone, shot):
    phone.goto(portal("/"))
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    statistics = phone.locator("#main-navigation-toggle a", has_text="Thống kê")
    statistics.wait_for(state="visible")
    shot(phone, "phone-menu")
    statistics.click()
    phone.wait_for_url(portal("/thong-ke"))
    phone.goto(portal("/"))
    phone.fill("#stinfo-home-q", "nghien cuu")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/dataset/\?q="))
    assert _count(phone) > 0
    assert phone.locator(".show-filters").is_visible()
