"""The audit screen in a real browser: the county auditor reads Chinese labels and names (no raw action code),
filters by action group, and exports what the filter shows."""

import re

import pytest

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.core.spreadsheets import read_rows
from gonghui.orgs.services import org_update
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAW_CODE = re.compile(r"\b(auth|org|case|member|user|grant|export)\.[a-z_]+\b")


def test_auditor_reads_filters_and_exports(page, tmp_path):
    cast = build_cast()
    org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_name="张三")
    log_in(page, "auditor_a", PASSWORD)
    page.goto(page.base + "/audit/")
    table = page.locator("#audit-events").inner_text()
    assert "修改工会信息" in table and "东湖机械厂工会" in table and "登录" in table
    assert not RAW_CODE.search(page.locator("main").inner_text())
    page.select_option("#id_group", "orgs")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(re.compile(r"group=orgs"))
    rows = page.locator("#audit-events tbody tr")
    assert rows.count() == 1 and "修改的项目：联系人" in rows.first.inner_text()
    page.click("#audit-events a:text('东湖机械厂工会')")
    page.wait_for_url(re.compile(r"/orgs/GA/$"))
    page.go_back()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = tmp_path / "audit.xlsx"
    download.value.save_as(path)
    rows = list(read_rows(path.read_bytes(), "audit.xlsx"))
    assert rows[1][4] == "修改工会信息" and len(rows) == 2
