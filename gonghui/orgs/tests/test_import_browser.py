"""Importing unions in a real browser: a bad file shows its problems, the fixed one goes in."""

import pytest

from gonghui.browser import log_in
from gonghui.core.spreadsheets import write_xlsx
from gonghui.orgs.models import Org
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEADER = ["编码", "上级编码", "名称", "层级", "类型"]


def test_problems_then_a_clean_import(page, tmp_path):
    build_cast()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(write_xlsx(HEADER, [["CA1-9", "CA1", "东湖印染厂工会", "基层工会", "企业"],
                                        ["CA1-9-1", "CA1-9", "印染车间分会", "分会", "企业"],
                                        ["GB-X", "GB", "越权单位", "分会", "企业"]]))
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/orgs/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-refused")
    assert "GB" in page.locator("#import-problems").inner_text()  # county B's union is "not found"
    assert page.locator("#import-confirm").count() == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(write_xlsx(HEADER, [["CA1-9-1", "CA1-9", "印染车间分会", "分会", "企业"],
                                         ["CA1-9", "CA1", "东湖印染厂工会", "基层工会", "企业"]]))
    page.click("#import-cancel button")
    page.set_input_files("#id_file", str(good))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-ok")
    page.click("#import-confirm button")
    page.wait_for_load_state()
    assert Org.objects.get(code="CA1-9-1").path.startswith(Org.objects.get(code="CA1-9").path)
