"""CKAN's JavaScript widgets (upload buttons, confirm dialog) speak the page's language."""
from __future__ import annotations

from .conftest import SCREENSHOTS, log_in


def _upload_buttons(tab) -> list[str]:
    """The labels of the image-upload widget's buttons, once CKAN's JavaScript has drawn them."""
    buttons = tab.locator(".image-upload a.btn:not(.btn-remove-url)")
    buttons.first.wait_for()
    return [text.strip() for text in buttons.all_inner_texts()]


def test_upload_widget_and_confirm_dialog_are_in_vietnamese(portal, page, shot):
    log_in(page, portal)
    page.goto(portal("/organization/new"))
    assert _upload_buttons(page) == ["Tải lên", "Liên kết"]
    assert page.locator(".image-upload a.btn", has_text="Liên kết").get_attribute("title") == \
        "Liên kết tới một địa chỉ trên Internet (có thể là một API)"
    assert page.locator(".slug-preview button").inner_text().strip() == "Sửa"
    shot(page, "js-i18n-upload-vi")

    page.locator(".image-upload a.btn", has_text="Liên kết").click()
    assert page.locator(".image-upload .btn-remove-url").inner_text().strip() == "Bỏ"

    page.goto(portal("/st_task/edit/nhiem-vu-tu-nen-tang-so"))
    page.locator("a.btn-danger[data-module=confirm-action]").click()
    dialog = page.locator(".modal.show")
    dialog.wait_for()
    assert dialog.locator(".modal-title").inner_text().strip() == "Xin xác nhận"
    assert dialog.locator(".modal-footer").inner_text().split() == ["Hủy", "Xác", "nhận"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialog.locator(".modal-content").screenshot(path=str(SCREENSHOTS / "js-i18n-confirm-vi.png"))
    dialog.locator(".btn-cancel").click()
    dialog.wait_for(state="detached")
    assert page.url == portal("/st_task/edit/nhiem-vu-tu-nen-tang-so")


def test_upload_widget_is_in_english_on_english_pages(portal, page):
    log_in(page, portal)
    page.goto(portal("/en/organization/new"))
    assert _upload_buttons(page) == ["Upload", "Link"]
