"""Every built-in rule fires on a case built for it and stays silent on its near miss; re-scans never duplicate;
a reversal closes; custom rules compile and preview."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.access import actor_for
from gonghui.funds import books
from gonghui.funds.models import (
    Alert,
    AlertLine,
    AlertState,
    Budget,
    BudgetLine,
    CustomRule,
    FundReturn,
    HolidayGiftCap,
    RuleSettings,
    Supplier,
    VoucherLine,
)
from gonghui.funds.rules import scan, scan_incremental
from gonghui.funds.rules.custom import compile_rule
from gonghui.funds.rules.engine import custom_rule_lines
from gonghui.funds.testing import expense
from gonghui.members.tests.factories import add_member

pytestmark = pytest.mark.django_db
D = datetime.date


def run(cast, rule, org=None, year=2026):
    scan(actor=actor_for(cast.city_staff), org=org or cast.city, year=year, rules=[rule])
    return Alert.objects.filter(rule=rule).exclude(state=AlertState.CLOSED)


def flagged(rule) -> set[str]:
    return set(AlertLine.objects.filter(alert__rule=rule).exclude(alert__state=AlertState.CLOSED)
               .values_list("line__summary", flat=True))


def test_duplicate_invoice_same_code_and_number_and_e_invoice(cast):
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, 300, summary="甲", invoice_code="033001", invoice_number="123")
    expense(cast.officer_b, cast.grassroots_b, 300, summary="乙", invoice_code="033001", invoice_number="123")
    expense(u, cast.grassroots_a, 300, summary="丙 另一代码", invoice_code="033002", invoice_number="555")
    expense(u, cast.grassroots_a, 300, summary="丁 另一代码", invoice_code="033003", invoice_number="555")
    e = "12345678901234567890"
    expense(u, cast.grassroots_a, 80, summary="戊 电子", invoice_number=e)
    expense(u, cast.grassroots_a, 80, summary="己 电子", invoice_number=e, date=D(2026, 5, 1))
    alerts = run(cast, "duplicate_invoice")
    assert flagged("duplicate_invoice") == {"甲", "乙", "戊 电子", "己 电子"}
    assert alerts.count() == 3  # one per union and invoice
    assert "033001" in alerts.get(union=cast.grassroots_b).message


def test_split_purchase_within_seven_days_and_not_eight(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "9000", summary="A1", counterparty="文具店", date=D(2026, 4, 1))
    expense(u, g, "6000", summary="A2", counterparty="文具店", date=D(2026, 4, 4))
    expense(u, g, "5000", summary="A3", counterparty="文具店", date=D(2026, 4, 7))  # 20,000 within 7 days
    expense(u, g, "15000", summary="B1", counterparty="印刷厂", date=D(2026, 6, 1))
    expense(u, g, "5000", summary="B2", counterparty="印刷厂", date=D(2026, 6, 9))  # 8 days apart: near miss
    expense(u, g, "12000", summary="C1", counterparty="礼品店", date=D(2026, 7, 1))
    expense(u, g, "7999.99", summary="C2", counterparty="礼品店", date=D(2026, 7, 2))  # 19,999.99
    expense(u, g, "20000", summary="D1", counterparty="车队", date=D(2026, 8, 1))  # not below T
    expense(u, g, "1", summary="D2", counterparty="车队", date=D(2026, 8, 2))
    alerts = run(cast, "split_purchase")
    assert flagged("split_purchase") == {"A1", "A2", "A3"}
    assert alerts.count() == 1 and "20,000.00" in alerts.get().message


def test_large_without_decision_boundary_and_unverified_reference(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "20000", summary="大额无决策")
    expense(u, g, "19999.99", summary="差一分")
    expense(u, g, "50000", summary="有文号未登记", decision_ref="党组会〔2026〕9号")
    run(cast, "large_without_decision")
    assert flagged("large_without_decision") == {"大额无决策"}
    line = VoucherLine.objects.get(summary="有文号未登记", debit__gt=0)
    assert line.decision_id is None  # unverified, shown as such, not flagged


def test_banned_item_in_expense_not_income(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, 500, summary="购买购物卡发放")
    expense(u, g, 500, summary="团队ktv活动")
    from gonghui.funds.testing import post
    post(u, g, lines=[("102", "收到红包退款", 100, 0), ("408", "收到红包退款", 0, 100)])
    run(cast, "banned_item")
    assert flagged("banned_item") == {"购买购物卡发放", "团队ktv活动"}


def test_cash_limit_above_not_at(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "1000.01", summary="现金超限", paid_from="101")
    expense(u, g, "1000", summary="现金正好", paid_from="101")
    expense(u, g, "5000", summary="银行付款")
    run(cast, "cash_limit")
    assert flagged("cash_limit") == {"现金超限"}


def test_holiday_gift_cap_passes_not_at(cast):
    u, g, gb = cast.grassroots_officer, cast.grassroots_a, cast.grassroots_b
    add_member(u, g)
    add_member(u, cast.branch_a)  # the subtree's members count: 2 members → cap 4,000
    expense(u, g, "3000", summary="春节慰问", account="50105", date=D(2026, 2, 1))
    expense(u, g, "1000", summary="端午慰问", account="50105", date=D(2026, 6, 1))  # exactly 4,000
    add_member(cast.officer_b, gb)
    expense(cast.officer_b, gb, "1500", summary="中秋慰问", account="50105", date=D(2026, 9, 1))
    expense(cast.officer_b, gb, "600", summary="国庆慰问", account="50105", date=D(2026, 10, 1))
    expense(cast.officer_b, gb, "10", summary="元旦慰问", account="50105", date=D(2026, 12, 30))
    assert not run(cast, "holiday_gift_cap").filter(union=g).exists()
    assert flagged("holiday_gift_cap") == {"国庆慰问", "元旦慰问"}
    # A county's cap of 1,500 applies to county A's unions: 4,000 now passes 3,000 at the second line.
    HolidayGiftCap.objects.create(org=cast.county_a, org_path=cast.county_a.path, effective_from=D(2025, 1, 1),
                                  amount=Decimal("1500"))
    run(cast, "holiday_gift_cap")
    assert flagged("holiday_gift_cap") == {"国庆慰问", "元旦慰问", "端午慰问"}


def _budget(cast, union, lines):
    b = Budget.objects.create(org=union, org_path=union.path, year=2026, state="approved")
    book = books.book_open(org=union, year=2026)
    for path, amount in lines:
        BudgetLine.objects.create(budget=b, account=books.account_find(book, path), amount=Decimal(amount))
    return b


def test_over_budget_and_unbudgeted_most_specific_line(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    _budget(cast, g, [("职工活动支出", "10000"), ("职工活动支出-节日慰问", "3000")])
    expense(u, g, "6000", summary="教育一", account="50101", date=D(2026, 3, 1))
    expense(u, g, "4000", summary="教育二 正好", account="50101", date=D(2026, 3, 5))  # exactly 10,000
    expense(u, g, "3000", summary="慰问正好", account="50105", date=D(2026, 3, 6))  # its own line: at 3,000
    expense(u, g, "0.01", summary="文体超出", account="50102", date=D(2026, 3, 7))  # passes 10,000
    expense(u, g, "100", summary="之后一笔", account="50101", date=D(2026, 3, 8))
    expense(u, g, "200", summary="会议无预算", account="50302", date=D(2026, 3, 9))
    expense(cast.officer_b, cast.grassroots_b, "200", summary="无预算单位")  # no budget: silent
    run(cast, "over_budget")
    run(cast, "unbudgeted")
    assert flagged("over_budget") == {"文体超出", "之后一笔"}
    assert flagged("unbudgeted") == {"会议无预算"}


def test_budget_prefix_is_by_whole_names(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    _budget(cast, g, [("职工活动支出-职工教育", "100")])
    book = books.book_open(org=g, year=2026)
    parent = books.account_find(book, "职工活动支出")
    books.account_add(actor=actor_for(u), org=g, parent=parent, name="职工教育X")
    expense(u, g, "50", summary="相似名称", account="职工活动支出-职工教育X")
    run(cast, "unbudgeted")
    assert flagged("unbudgeted") == {"相似名称"}


def test_central_purchase_only_with_a_list(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "300", summary="买打印纸", account="50401", counterparty="街边店")
    assert not run(cast, "central_purchase").exists()  # no list: inactive
    Supplier.objects.create(org=cast.county_a, org_path=cast.county_a.path, name="定点文具公司")
    expense(u, g, "300", summary="定点采购", account="50401", counterparty="定点文具公司")
    expense(cast.officer_b, cast.grassroots_b, "300", summary="县乙无名单", account="50401", counterparty="街边店")
    run(cast, "central_purchase")
    assert flagged("central_purchase") == {"买打印纸"}


def test_late_return_paid_late_unpaid_and_on_time(cast):
    def ret(no, receipt, due, paid):
        return FundReturn.objects.create(payer=cast.county_a, payer_path=cast.county_a.path, union=cast.grassroots_a,
                                         union_path=cast.grassroots_a.path, amount=Decimal("5000"), receipt_no=no,
                                         receipt_on=receipt, due_on=due, paid_on=paid,
                                         state="paid" if paid else "pending")
    ret("R1", D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 9))  # on the due day
    ret("R2", D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 10))  # a day late
    ret("R3", D(2026, 4, 1), D(2026, 4, 9), None)  # unpaid, past due
    ret("R4", D(2026, 5, 6), D(2026, 5, 13), None)  # unpaid, not yet due
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026, rules=["late_return"], today=D(2026, 5, 12))
    assert set(Alert.objects.filter(rule="late_return").values_list("fund_return__receipt_no", flat=True)) == {
        "R2", "R3"}


def test_rescan_is_idempotent_and_reversal_closes(cast, django_capture_on_commit_callbacks):
    u, g = cast.grassroots_officer, cast.grassroots_a
    v = expense(u, g, "25000", summary="大额")
    run(cast, "large_without_decision")
    run(cast, "large_without_decision")
    assert Alert.objects.count() == 1 and AlertLine.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        books.voucher_reverse(actor=actor_for(u), voucher=v, reason="录错")
    assert Alert.objects.get().state == AlertState.CLOSED


def test_settings_of_the_nearest_federation(cast):
    RuleSettings.objects.create(org=cast.county_a, org_path=cast.county_a.path, cash_limit=Decimal("500"),
                                disabled=["banned_item"])
    expense(cast.grassroots_officer, cast.grassroots_a, "600", summary="现金 红包", paid_from="101")
    expense(cast.officer_b, cast.grassroots_b, "600", summary="现金 红包 乙", paid_from="101")
    run(cast, "cash_limit")
    run(cast, "banned_item")
    assert flagged("cash_limit") == {"现金 红包"}
    assert flagged("banned_item") == {"现金 红包 乙"}


def test_incremental_scan_picks_up_new_lines_only_once(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "30000", summary="新大额")
    first = scan_incremental()
    assert first.by_rule.get("large_without_decision") == 1
    assert scan_incremental().found == 0  # nothing new since
    assert Alert.objects.filter(rule="large_without_decision").count() == 1


def test_custom_rule_compiles_previews_and_refuses_unknown_fields(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "800", summary="周末聚餐", date=D(2026, 3, 7), counterparty="饭店")  # a Saturday
    expense(u, g, "800", summary="工作日", date=D(2026, 3, 9), counterparty="饭店")
    spec = {"match": "all", "conditions": [{"field": "amount", "op": "between", "value": ["500", "1000"]},
                                           {"any": [{"field": "weekday", "op": "in", "value": [6, 7]},
                                                    {"field": "summary", "op": "contains", "value": "聚餐"}]}]}
    rule = CustomRule.objects.create(org=cast.city, org_path=cast.city.path, name="周末", conditions=spec,
                                     enabled=True)
    assert list(custom_rule_lines(rule, root=cast.city.path, year=2026).values_list("summary", flat=True)) == [
        "周末聚餐"]
    run(cast, "custom")
    assert flagged("custom") == {"周末聚餐"}
    with pytest.raises(ValidationError, match="salary"):
        compile_rule({"conditions": [{"field": "salary", "op": "gt", "value": 1}]})
    with pytest.raises(ValidationError):
        compile_rule({"conditions": [{"field": "amount", "op": "gt", "value": "abc"}]})


def test_incremental_duplicate_flags_the_older_line_of_an_untouched_union(cast):
    expense(cast.officer_b, cast.grassroots_b, 300, summary="乙先报", invoice_code="1", invoice_number="77")
    scan_incremental()
    assert not Alert.objects.exists()
    expense(cast.grassroots_officer, cast.grassroots_a, 300, summary="甲再报", invoice_code="1", invoice_number="77")
    scan_incremental()
    assert flagged("duplicate_invoice") == {"乙先报", "甲再报"}


def test_a_growing_split_group_keeps_its_alert(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "9000", summary="S2", counterparty="家具店", date=D(2026, 4, 5))
    expense(u, g, "11000", summary="S3", counterparty="家具店", date=D(2026, 4, 8))
    run(cast, "split_purchase")
    first = Alert.objects.get(rule="split_purchase")
    expense(u, g, "500", summary="S1", counterparty="家具店", date=D(2026, 4, 3))
    run(cast, "split_purchase")
    assert list(Alert.objects.filter(rule="split_purchase").exclude(state=AlertState.CLOSED)) == [first]
    assert flagged("split_purchase") == {"S1", "S2", "S3"}


def test_draft_budget_is_not_a_budget_and_a_raised_budget_clears_the_open_alert(cast):
    u, g = cast.grassroots_officer, cast.grassroots_a
    b = _budget(cast, g, [("职工活动支出", "100")])
    expense(u, g, "150", summary="超支", account="50101")
    run(cast, "over_budget")
    assert flagged("over_budget") == {"超支"}
    BudgetLine.objects.filter(budget=b).update(amount=Decimal("1000"))
    run(cast, "over_budget")
    assert Alert.objects.get(rule="over_budget").state == AlertState.CLOSED
    Budget.objects.filter(pk=b.pk).update(state="draft")
    expense(u, g, "10", summary="会议", account="50302")
    run(cast, "unbudgeted")
    assert not flagged("unbudgeted")


def test_custom_rule_far_from_the_statutory_holidays(cast):
    from gonghui.core.models import HolidayDay

    for day in (D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18)):
        HolidayDay.objects.update_or_create(date=day, defaults={"is_workday": False, "name": "春节"})
    u, g = cast.grassroots_officer, cast.grassroots_a
    expense(u, g, "300", summary="春节慰问品", account="50105", date=D(2026, 2, 10))
    expense(u, g, "300", summary="八月慰问品", account="50105", date=D(2026, 8, 10))
    rule = CustomRule.objects.create(org=cast.city, org_path=cast.city.path, name="远离节日的慰问", enabled=True,
                                     conditions={"conditions": [
                                         {"field": "account", "op": "prefix", "value": "职工活动支出-节日慰问"},
                                         {"field": "holiday", "op": "far", "value": 10}]})
    assert list(custom_rule_lines(rule, root=cast.city.path, year=2026).values_list("summary", flat=True)) == [
        "八月慰问品"]


def test_alert_messages_carry_the_numbers_in_chinese(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "1500", summary="现金采购", paid_from="101")
    alert = run(cast, "cash_limit").get()
    assert alert.message == "1,500.00 元（现金采购）以现金支付，超过现金支付限额 1,000.00 元。"
    assert alert.amount == Decimal("1500.00") and alert.first_date == D(2026, 3, 2)


def test_a_line_no_longer_flagged_leaves_its_alert(cast, django_capture_on_commit_callbacks):
    u, g = cast.grassroots_officer, cast.grassroots_a
    _budget(cast, g, [("职工活动支出", "1000")])
    first = expense(u, g, "900", summary="先", account="50101", date=D(2026, 3, 1))
    expense(u, g, "200", summary="超", account="50101", date=D(2026, 3, 2))
    expense(u, g, "50", summary="后", account="50101", date=D(2026, 3, 3))
    run(cast, "over_budget")
    alert = Alert.objects.get(rule="over_budget")
    assert flagged("over_budget") == {"超", "后"}
    BudgetLine.objects.update(amount=Decimal("1120"))  # now only the last line passes 1,120
    run(cast, "over_budget")
    assert flagged("over_budget") == {"后"} and Alert.objects.get(rule="over_budget") == alert
    with django_capture_on_commit_callbacks(execute=True):
        books.voucher_reverse(actor=actor_for(u), voucher=first, reason="重复入账")
    run(cast, "over_budget")  # 250 spent: nothing passes any more, the untouched alert is closed
    assert Alert.objects.get(rule="over_budget").state == AlertState.CLOSED


def test_a_summary_with_tabs_backslashes_and_line_breaks_reaches_the_alert_as_it_is(cast):
    """The alerts are written through COPY's text format on PostgreSQL: its special characters stay themselves."""
    expense(cast.grassroots_officer, cast.grassroots_a, 100, summary="购物卡\t反斜杠\\N 换行\n回车\r完")
    run(cast, "banned_item")
    summary = VoucherLine.objects.get(summary__startswith="购物卡", debit__gt=0).summary
    assert "\t" in summary and "\\N" in summary
    alert = Alert.objects.get(rule="banned_item")
    assert summary in alert.message and alert.amount == Decimal("100.00")
    assert list(alert.alert_lines.values_list("line__summary", flat=True)) == [summary]
