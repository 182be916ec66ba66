"""The approvals screen in a real browser: a union officer asks to export the members with full numbers, the
county's officer approves it, the officer downloads the file once."""

import datetime

import pytest

from gonghui.browser import log_in
from gonghui.core.spreadsheets import read_rows
from gonghui.members.tests.factories import add_member
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_maker_asks_checker_approves_maker_downloads_once(page, tmp_path):
    cast = build_cast()
    m = add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678",
                   joined_on=datetime.date(2022, 4, 1))
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/members/")
    page.fill("#export-reveal input[name=reason]", "报送市总会员实名库")
    page.click("#export-reveal button[type=submit]")
    page.wait_for_selector("#approval-record")
    assert page.locator("#approval-state").get_attribute("data-state") == "requested"
    assert page.locator("#approve-form").count() == 0  # not for the maker
    uid = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.context.clear_cookies()

    log_in(page, "officer_a", PASSWORD)
    badge = page.locator("#menu a[href='/approvals/'] [data-badge]")
    assert badge.inner_text() == "1"
    page.click("#menu a[href='/approvals/']")
    page.click(f"table.gh-list a:text('{uid}')")
    assert "东湖机械厂工会" in page.locator("#approval-description").inner_text()
    page.click("#reject-form button[type=submit]")  # no reason: said in place
    assert page.locator("#reject-form .invalid-feedback").count() == 1
    page.fill("#approve-form input[name=note]", "同意报送")
    page.click("#approve-form button[type=submit]")
    page.wait_for_selector("#approval-state[data-state=approved]")
    assert page.locator("#execute-form").count() == 0  # the checker does not get the file
    page.context.clear_cookies()

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + f"/approvals/{uid}/")
    with page.expect_download() as download:
        page.click("#execute-form button[type=submit]")
    path = tmp_path / "members.xlsx"
    download.value.save_as(path)
    rows = list(read_rows(path.read_bytes(), "members.xlsx"))
    assert [rows[1][0], *rows[1][2:4]] == ["张秀英", m.person.id_number, "13612345678"]
    page.goto(page.base + f"/approvals/{uid}/")
    assert page.locator("#approval-state").get_attribute("data-state") == "executed"
    assert page.locator("#execute-form").count() == 0
