"""CKAN's JavaScript widgets in Vietnamese: /api/i18n/<lang> serves the translations built from
CKAN's catalogues and STInfo's when the portal starts (ckanext.stinfo.js_i18n)."""
from __future__ import annotations

import json
import logging
import os

import polib
import pytest
from ckan.lib.i18n import get_ckan_i18n_dir, get_js_translations_dir
from ckanext.stinfo import js_i18n

# What the upload, confirm, autocomplete, form and reorder widgets show, in Vietnamese.
WIDGETS_VI = {
    "Upload": "Tải lên",
    "Link": "Liên kết",
    "Remove": "Bỏ",
    "Upload a file on your computer": "Tải lên một tệp từ máy tính của bạn",
    "Please select the file to upload again": "Vui lòng chọn lại tệp cần tải lên",
    "Are you sure you want to perform this action?": "Bạn có chắc chắn muốn thực hiện thao tác này?",
    "Please Confirm": "Xin xác nhận",
    "Confirm": "Xác nhận",
    "Cancel": "Hủy",
    "Searching...": "Đang tìm...",
    "No matches found": "Không tìm thấy",
    "There are unsaved modifications to this form": "Biểu mẫu có thay đổi chưa được lưu",
    "Save order": "Lưu thứ tự",
    "Edit": "Sửa",
}


@pytest.fixture
def storage(ckan_config, monkeypatch, tmp_path):
    """An empty storage folder: whatever /api/i18n serves is built by this portal's start."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


def _js_messages() -> set[str]:
    """The messages CKAN's JavaScript modules translate (those its template finds in *.js files)."""
    template = polib.pofile(os.path.join(get_ckan_i18n_dir(), "ckan.pot"))
    return {entry.msgid for entry in template
            if not entry.obsolete and any(path.endswith(".js") for path, _line in entry.occurrences)}


def test_widgets_get_vietnamese_from_a_fresh_start(storage, app):
    answer = app.get("/api/i18n/vi")
    assert answer.status_code == 200
    translations = answer.json
    assert translations[""]["lang"] == "vi"
    for message, vietnamese in WIDGETS_VI.items():
        assert translations.get(message) == [None, vietnamese], message
    plural = translations["Input is too short, must be at least one character"]
    assert plural == ["Input is too short, must be at least %(num)d characters", "Cần nhập ít nhất %(num)d ký tự"]
    assert (storage / "i18n" / "js" / "vi.js").is_file()


def test_every_message_of_ckans_javascript_is_in_vietnamese(storage, app):
    translations = app.get("/api/i18n/vi").json
    missing = sorted(message for message in _js_messages()
                     if not (translations.get(message) and all(translations[message][1:])))
    assert missing == [], f"translate these in i18n/vi (ckanext-stinfo/core_messages.py): {missing}"


def test_english_is_served_too(storage, app):
    translations = app.get("/api/i18n/en").json
    assert translations[""]["lang"] == "en"
    # English is the messages' own language: only the messages STInfo's catalogue words are listed
    assert translations["Please Confirm"] == [None, "Please Confirm"]
    assert translations["Remove"] == [None, "Remove"]
    assert all(value[1:] == [message] or value[0] for message, value in translations.items() if message)


def test_vietnamese_pages_ask_for_the_vietnamese_translations(app):
    page = app.get("/dataset/").body
    assert '<html lang="vi"' in page  # CKAN's main.js loads /api/i18n/<html lang>
    assert '<html lang="en"' in app.get("/en/dataset/").body


@pytest.mark.ckan_config("ckanext.stinfo.js_translations.build", "false")
def test_without_the_start_up_build_ckan_serves_nothing(storage, app):
    # What gunicorn and uWSGI portals get from CKAN 2.12 alone: the widgets stay in English.
    assert json.loads(app.get("/api/i18n/vi").body) == {}
    assert not (storage / "i18n" / "js" / "vi.js").exists()


def test_a_second_start_rewrites_nothing(storage, app):
    built = {path.name: path.stat().st_mtime_ns for path in (storage / "i18n" / "js").glob("*.js")}
    assert {"vi.js", "en.js"} <= set(built)
    assert js_i18n.build()
    assert {path.name: path.stat().st_mtime_ns for path in (storage / "i18n" / "js").glob("*.js")} == built
    assert get_js_translations_dir() == str(storage / "i18n" / "js")


def test_an_unwritable_storage_is_logged_not_fatal(ckan_config, monkeypatch, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(blocker))
    monkeypatch.setattr(js_i18n.log, "disabled", False)  # a CLI test reading the ini's logging disables it
    js_i18n.log.addHandler(caplog.handler)  # CKAN's logging set-up does not reach the root logger
    try:
        assert js_i18n.build() is False
    finally:
        js_i18n.log.removeHandler(caplog.handler)
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    assert "Cannot write the JavaScript translations" in caplog.text
