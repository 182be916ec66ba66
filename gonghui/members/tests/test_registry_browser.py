"""The member registry's main screens in a real browser: add, find, reveal, and bring in a roster."""

import datetime

import pytest

from gonghui.browser import log_in
from gonghui.core.identity import id_check_char
from gonghui.core.spreadsheets import write_xlsx
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _id(body17: str) -> str:
    return body17 + id_check_char(body17)


def test_add_find_and_reveal_a_member(page):
    build_cast()
    number = _id("33010219880315002")
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/members/new/")
    page.fill("#id_union", "GA")  # the union picker takes an exact code as typed
    page.fill("#id_name", "张秀英")
    page.fill("#id_id_number", number[:-1] + ("1" if number[-1] != "1" else "2"))
    page.fill("#id_joined_on", "2024-03-05")
    page.fill("#id_phone", "13612345678")
    page.click("form.gh-form button[type=submit]")
    assert page.locator("#field-id_number .invalid-feedback").count() == 1  # wrong check digit, said in place
    page.fill("#id_id_number", number)
    page.click("form.gh-form button[type=submit]")
    page.wait_for_selector("#person-record")
    assert page.locator("#reveal-id_number").inner_text() == number[:3] + "*" * 11 + number[-4:]
    page.fill("#reveal-form-phone input[name=reason]", "通知领取会员卡")
    page.click("#reveal-form-phone button")
    page.wait_for_selector("#reveal-phone .gh-revealed")
    assert page.locator("#reveal-phone").inner_text() == "13612345678"
    # Find her again by the full ID number (exact match through the blind index).
    page.goto(page.base + "/members/")
    page.fill("#find-number input[name=number]", number)
    page.click("#find-number button[type=submit]")
    assert page.locator("table.gh-list tbody tr").count() == 1
    assert "张秀英" in page.locator("table.gh-list").inner_text()


def test_bring_in_a_roster_from_a_spreadsheet(page, tmp_path):
    build_cast()
    rows = [["东湖机械厂2026年会员花名册", "", "", ""], ["姓名", "身份证号码", "入会时间", "手机"],
            ["李强", _id("33010219900517101"), "2021.3.5", "13712345678"],
            ["王芳", _id("33010219920101102"), "2022年1月8日", "13812340000"]]
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(write_xlsx(rows[0], rows[1:]))
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/members/import/")
    page.fill("#id_union", "GA")  # the union picker takes an exact code as typed
    page.set_input_files("#id_file", str(roster))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-confirm")
    assert page.locator("#import-header-row").get_attribute("data-row") == "2"
    assert page.locator("#import-created").inner_text() == "2"
    page.click("#import-confirm button")
    page.wait_for_selector("#import-done")
    page.goto(page.base + "/members/")
    assert page.locator("table.gh-list tbody tr").count() == 2
    assert str(datetime.date(2021, 3, 5)) in page.locator("table.gh-list").inner_text()
