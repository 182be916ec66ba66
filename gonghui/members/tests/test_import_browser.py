"""The roster import screen in a real browser: confirming more members than employees, and importing only the
valid rows of a checked file without uploading it again."""

import pytest

from gonghui.browser import log_in, pick_union
from gonghui.core.identity import id_check_char
from gonghui.core.spreadsheets import write_xlsx
from gonghui.members.models import Membership
from gonghui.orgs.models import Org
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _id(body17: str) -> str:
    return body17 + id_check_char(body17)


def _upload(page, tmp_path, rows) -> None:
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(write_xlsx(["姓名", "身份证号码", "入会时间"], rows))
    page.goto(page.base + "/members/import/")
    pick_union(page, "id_union", "GA")
    page.set_input_files("#id_file", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-confirm")


def test_more_members_than_employees_must_be_confirmed(page, tmp_path):
    build_cast()
    Org.objects.filter(code="GA").update(employee_count=2)
    log_in(page, "grassroots_a", PASSWORD)
    _upload(page, tmp_path, [["李强", _id("33010219900517101"), "2021-03-05"],
                             ["王芳", _id("33010219920101102"), "2022-01-08"],
                             ["赵伟", _id("33010219930202103"), "2022-01-08"]])
    warning = page.locator("#import-over-employees")
    assert "3" in warning.inner_text() and "2" in warning.inner_text()
    page.click("#import-confirm-button")  # the box is required: the browser keeps the form
    assert page.locator("#import-over-employees").count() == 1 and Membership.objects.count() == 0
    page.check("#accept-over-employees")
    page.click("#import-confirm-button")
    page.wait_for_selector("#import-done")
    assert Membership.objects.count() == 3


def test_only_the_valid_rows_are_imported_without_uploading_again(page, tmp_path):
    build_cast()
    log_in(page, "grassroots_a", PASSWORD)
    _upload(page, tmp_path, [["李强", _id("33010219900517101"), "2021-03-05"], ["王芳", "1234", "2022-01-08"]])
    assert page.locator("#import-refused").count() == 1
    assert page.locator("#import-confirm-button").inner_text() == "只导入无误的行"
    page.click("#import-confirm-button")
    page.wait_for_selector("#import-done")
    assert Membership.objects.count() == 1
