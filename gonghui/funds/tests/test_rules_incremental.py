"""The incremental scan reads the new lines and looks their neighbours up (on PostgreSQL by index): a new line that
completes a finding with older lines is flagged together with them, a near miss stays silent, and the alerts are
the ones a full scan raises."""

import datetime
from decimal import Decimal

import pytest

from gonghui.core.access import actor_for
from gonghui.funds import books
from gonghui.funds.models import Alert, AlertLine, AlertState, Budget, BudgetLine
from gonghui.funds.rules import scan, scan_incremental
from gonghui.funds.testing import expense
from gonghui.members.tests.factories import add_member

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True, params=["lookup", "bulk"])
def new_lines_read(request, monkeypatch):
    """On PostgreSQL each test runs twice: the new lines' neighbours looked up one by one, and read whole as after
    an import (a bulk of new lines)."""
    if request.param == "bulk":
        monkeypatch.setattr("gonghui.funds.rules.fast.BULK", 0)
    return request.param


def flagged(rule) -> set[str]:
    return set(AlertLine.objects.filter(alert__rule=rule).exclude(alert__state=AlertState.CLOSED)
               .values_list("line__summary", flat=True))


def alerts(rule) -> list[tuple]:
    return sorted(Alert.objects.filter(rule=rule).values_list("key", "message", "amount", "first_date"))


def same_as_full_scan(cast, rule) -> None:
    """A full scan of the same year finds exactly what the incremental scans left (no new alert, same numbers)."""
    before = alerts(rule)
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026, rules=[rule])
    assert alerts(rule) == before


def test_a_new_line_with_an_old_invoice(cast):
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, 300, summary="旧发票", invoice_code="044001", invoice_number="9001")
    expense(u, cast.grassroots_a, 300, summary="同号不同代码", invoice_code="044002", invoice_number="9002")
    scan_incremental()
    assert not flagged("duplicate_invoice")
    expense(cast.officer_b, cast.grassroots_b, 300, summary="新重复", invoice_code="044001", invoice_number="9001")
    expense(cast.officer_b, cast.grassroots_b, 300, summary="近似", invoice_code="044003", invoice_number="9002")
    result = scan_incremental()
    assert flagged("duplicate_invoice") == {"旧发票", "新重复"}
    assert result.by_rule.get("duplicate_invoice") == 2  # one alert per union and invoice
    same_as_full_scan(cast, "duplicate_invoice")


def test_a_new_line_that_splits_with_an_old_purchase(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "12000", summary="旧采购", counterparty="文具店", date=D(2026, 4, 1))
    expense(u, g, "12000", summary="旧印刷", counterparty="印刷厂", date=D(2026, 6, 1))
    expense(u, g, "12000", summary="旧礼品", counterparty="礼品店", date=D(2026, 7, 1))
    scan_incremental()
    assert not flagged("split_purchase")
    expense(u, g, "8000", summary="新拆分", counterparty="文具店", date=D(2026, 4, 7))  # 20,000 within 7 days
    expense(u, g, "8000", summary="第八天", counterparty="印刷厂", date=D(2026, 6, 9))  # 8 days apart
    expense(u, g, "7999.99", summary="差一分", counterparty="礼品店", date=D(2026, 7, 2))  # 19,999.99
    scan_incremental()
    assert flagged("split_purchase") == {"旧采购", "新拆分"}
    first = Alert.objects.get(rule="split_purchase")
    assert "20,000.00" in first.message
    # A third line in the same days grows the group: the same alert, now with three lines.
    expense(u, g, "500", summary="再一笔", counterparty="文具店", date=D(2026, 4, 3))
    scan_incremental()
    assert list(Alert.objects.filter(rule="split_purchase")) == [first]
    assert flagged("split_purchase") == {"旧采购", "新拆分", "再一笔"}
    same_as_full_scan(cast, "split_purchase")


def _budget(union, lines):
    b = Budget.objects.create(org=union, org_path=union.path, year=2026, state="approved")
    book = books.book_open(org=union, year=2026)
    for path, amount in lines:
        BudgetLine.objects.create(budget=b, account=books.account_find(book, path), amount=Decimal(amount))


def test_a_new_line_that_pushes_an_account_over_budget(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    _budget(g, [("职工活动支出-职工教育", "1000"), ("职工活动支出-节日慰问", "500")])
    expense(u, g, "900", summary="旧教育", account="50101", date=D(2026, 3, 1))
    expense(u, g, "300", summary="旧慰问", account="50105", date=D(2026, 3, 1))
    scan_incremental()
    assert not flagged("over_budget")
    expense(u, g, "200", summary="新超支", account="50101", date=D(2026, 3, 2))  # 1,100 > 1,000
    expense(u, g, "200", summary="正好", account="50105", date=D(2026, 3, 2))  # exactly 500
    scan_incremental()
    assert flagged("over_budget") == {"新超支"}
    alert = Alert.objects.get(rule="over_budget")
    assert "1,100.00" in alert.message and alert.amount == Decimal("200.00")
    # Another line later in the year on the same budget line: the same alert, its total moved.
    expense(u, g, "50", summary="又一笔", account="50101", date=D(2026, 5, 2))
    scan_incremental()
    again = Alert.objects.get(rule="over_budget")
    assert again.pk == alert.pk and "1,150.00" in again.message
    assert flagged("over_budget") == {"新超支", "又一笔"}
    same_as_full_scan(cast, "over_budget")


def test_a_new_line_that_crosses_the_holiday_cap(cast):
    u, g, gb = cast.grassroots_officer, cast.grassroots_a, cast.grassroots_b
    add_member(u, g)  # 1 member: cap 2,000
    add_member(cast.officer_b, gb)
    expense(u, g, "1500", summary="春节慰问甲", account="50105", date=D(2026, 2, 1))
    expense(cast.officer_b, gb, "1500", summary="春节慰问乙", account="50105", date=D(2026, 2, 1))
    scan_incremental()
    assert not flagged("holiday_gift_cap")
    expense(u, g, "600", summary="中秋慰问甲", account="50105", date=D(2026, 9, 1))  # 2,100 > 2,000
    expense(cast.officer_b, gb, "500", summary="中秋慰问乙", account="50105", date=D(2026, 9, 1))  # exactly 2,000
    scan_incremental()
    assert flagged("holiday_gift_cap") == {"中秋慰问甲"}
    assert Alert.objects.get(rule="holiday_gift_cap").union_id == g.pk
    same_as_full_scan(cast, "holiday_gift_cap")


def test_new_lines_break_the_per_line_rules_once(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "30000", summary="大额")
    scan_incremental()
    expense(u, g, "1500", summary="现金 购物卡", paid_from="101")
    expense(u, g, "1000", summary="现金正好", paid_from="101")
    result = scan_incremental()
    assert result.by_rule.get("cash_limit") == 1 and result.by_rule.get("banned_item") == 1
    assert "large_without_decision" not in result.by_rule  # the old line is not read again
    assert flagged("cash_limit") == {"现金 购物卡"} and flagged("large_without_decision") == {"大额"}
