"""The alert inbox and an alert's dismissal in a browser."""

import pytest

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.funds.models import Alert, AlertState
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_lists_the_alert_and_a_reviewer_dismisses_it(page):
    cast = build_cast()
    expense(cast.grassroots_officer, cast.grassroots_a, "25000", summary="购置设备")
    expense(cast.officer_b, cast.grassroots_b, "30000", summary="县乙大额")
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026)
    alert = Alert.objects.get(union=cast.grassroots_a)
    log_in(page, "auditor_a", PASSWORD)
    page.goto(page.base + "/funds/alerts/?year=2026")
    page.wait_for_selector("#alert-list")
    assert page.locator(f"#alert-list tr[data-alert='{alert.pk}']").count() == 1
    assert "县乙大额" not in page.content()
    assert page.locator("#alert-tabs a[data-tab=open] .badge").inner_text() == "1"
    assert page.locator("[data-chart='alerts-by-rule'][data-drawn='1']").count() == 1
    page.click(f"#alert-list tr[data-alert='{alert.pk}'] a")
    page.wait_for_selector("#alert-message")
    assert "未填写集体决策文号" in page.locator("#alert-message").inner_text()
    page.click("#action-dismiss button[type=submit]")  # no reason: refused
    page.wait_for_selector("#action-dismiss .invalid-feedback")
    page.fill("#action-dismiss textarea", "已补开党组会，说明属实")
    page.click("#action-dismiss button[type=submit]")
    page.wait_for_selector("#alert-state[data-state=dismissed]")
    assert Alert.objects.get(pk=alert.pk).state == AlertState.DISMISSED
    assert page.locator("#alert-history li[data-state=dismissed]").count() == 1
