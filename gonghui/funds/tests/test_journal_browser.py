"""The journal import screen in a real browser: check a 用友 export, see the sub-account it would create, import
it; a refused file shows its problems and the error report."""

import pytest

from gonghui.browser import log_in, pick_union
from gonghui.funds.models import Voucher
from gonghui.testing import PASSWORD, build_cast

from .journal_files import YONYOU_HEADER, xlsx, yonyou_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, tmp_path, data: bytes, name="序时账.xlsx") -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(page.base + "/funds/journal/import/")
    pick_union(page, "id_union", "GA")
    page.fill("#id_year", "2026")
    page.set_input_files("#id_file", str(path))
    page.click("#journal-form button[type=submit]")
    page.wait_for_selector("#journal-status")


def test_check_then_import_a_journal(page, tmp_path):
    build_cast()
    log_in(page, "grassroots_a", PASSWORD)
    _upload(page, tmp_path, yonyou_xlsx())
    assert page.locator("#journal-vouchers").inner_text() == "3"
    assert "职工活动支出-节日慰问-春节慰问" in page.locator("#journal-accounts").inner_text()
    assert Voucher.objects.count() == 0
    page.click("#journal-confirm-button")
    page.wait_for_selector("#journal-ok")
    assert "已导入" in page.locator("#journal-ok").inner_text()
    assert Voucher.objects.filter(org__code="GA").count() == 3


def test_a_refused_journal_shows_its_problems(page, tmp_path):
    build_cast()
    log_in(page, "grassroots_a", PASSWORD)
    rows = [YONYOU_HEADER, ["2026-04-01", "记-1", "培训", "", "业务支出-培训", 10, "", "", "", "", "", ""],
            ["2026-04-01", "记-1", "培训", "", "银行存款", "", 9, "", "", "", "", ""]]
    _upload(page, tmp_path, xlsx({"凭证": rows}))
    problem = page.locator("#journal-problems tr[data-code=unbalanced]")
    assert "借贷不平" in problem.inner_text() and "记-0001" in problem.inner_text()
    assert page.locator("#journal-confirm-button").count() == 0
    with page.expect_download() as download:
        page.click("#journal-report")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Voucher.objects.count() == 0
