import pytest

from gonghui.browser import log_in
from gonghui.core import audit_anchors
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audit_admin_sees_the_anchors_on_the_audit_screen(page, settings, tmp_path):
    settings.GONGHUI_AUDIT_ANCHOR_DIR = str(tmp_path)
    build_cast()
    log_in(page, "auditadmin", PASSWORD)
    audit_anchors.write(kind="manual")
    page.goto(page.base + "/audit/")
    section = page.locator("#audit-anchors")
    assert "审计链锚点" in section.inner_text()
    row = section.locator("tbody tr").first
    assert "手动" in row.inner_text() and "与数据库一致" in row.inner_text()
