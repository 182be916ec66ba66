"""The returns inbox in a browser: a receipt is recorded, the return goes red after the sweep, is escalated to the
city's supervision list, and is paid late."""

import datetime

import pytest

from gonghui.browser import log_in
from gonghui.casework.testing import Clock
from gonghui.core.access import actor_for
from gonghui.funds import returns
from gonghui.funds.models import FundReturn
from gonghui.funds.tasks_income import returns_tick
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_return_goes_red_and_is_paid_late(page, monkeypatch):
    clock = Clock(monkeypatch, datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(
        hours=8))))
    cast = build_cast()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/funds/returns/")
    page.click("#record-receipt")
    page.fill("#id_union", "GA")
    page.fill("#id_receipt_no", "JF-2026-031")
    page.fill("#id_receipt_on", "2026-03-02")
    page.fill("#id_amount", "1200")
    page.click("form.gh-form button[type=submit]")
    page.wait_for_selector("#return-list tr[data-receipt='JF-2026-031']")
    ret = FundReturn.objects.get()
    assert ret.due_on == datetime.date(2026, 3, 9)
    assert page.locator("#return-list tr[data-receipt='JF-2026-031'] [data-color]").count() == 0

    clock.set(2026, 3, 10)  # a working day past the due date: the sweep turns it red
    returns_tick(now=clock.now)
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/funds/returns/?tab=overdue")
    row = page.locator("#return-list tr[data-receipt='JF-2026-031']")
    assert row.locator("[data-color=red]").count() == 1
    assert page.locator("#return-tabs a[data-tab=overdue] .badge").inner_text() == "1"
    page.click("form[action='/logout/'] button")

    log_in(page, "city_staff", PASSWORD)
    page.goto(page.base + "/funds/returns/supervision/")
    assert page.locator("#supervision-list tr[data-receipt='JF-2026-031']").count() == 1
    page.fill("#supervision-list input[name=note]", "已督促东湖区总工会当日拨付")
    page.click("#supervision-list button[type=submit]")
    page.wait_for_selector("#supervision-tabs")
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/funds/returns/?tab=overdue")
    page.click("#return-list tr[data-receipt='JF-2026-031'] a")
    page.fill("#id_paid_on", "2026-03-10")
    page.click("form.gh-form button[type=submit]")
    page.wait_for_selector("#return-list tr[data-receipt='JF-2026-031'] [data-late]")
    ret.refresh_from_db()
    assert (ret.state, ret.late) == ("paid", True)
    assert actor_for(cast.officer_a).covers(ret.payer_path)
    assert returns.color_for(state=ret.state, due_on=ret.due_on, today=clock.today) == ""
