"""Budgets, adjustments, execution, the final account, decisions and the public board: the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute
from gonghui.core.models import AuditEvent
from gonghui.funds import budgets, decisions
from gonghui.funds.models import BudgetAdjustment, BudgetLine, Decision, Disclosure, VoucherLine
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db

D = datetime.date


def _decision(cast, ref="工发〔2026〕3号", org=None, user=None):
    org = org or cast.grassroots_a
    return decisions.decision_record(actor=actor_for(user or cast.grassroots_officer), org=org, kind="committee",
                                     date=D(2026, 1, 10), reference=ref, title="2026年预算",
                                     items=[("年度预算", "100000")])


def _approved(cast, lines=(("50101", "10000"), ("职工活动支出", "5000"), ("维权支出-送温暖", "8000"))):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    for acc, amount in lines:
        budgets.budget_line_set(actor=officer, budget=budget, account=acc, amount=amount)
    budgets.budget_review(actor=actor_for(cast.auditor_a), budget=budget, opinion="同意报批")
    return budgets.budget_approve(actor=officer, budget=budget, decision=_decision(cast))


def test_a_budget_is_drafted_reviewed_and_approved_by_a_decision(cast):
    budget = _approved(cast)
    assert budget.state == "approved" and budget.decision.reference == "工发〔2026〕3号"
    assert budget.reviews.get().opinion == "同意报批"
    assert set(budget.lines.values_list("account__path", "amount")) == {
        ("职工活动支出-职工教育", Decimal("10000.00")), ("职工活动支出", Decimal("5000.00")),
        ("维权支出-送温暖", Decimal("8000.00"))}
    actions = set(AuditEvent.objects.filter(object_type="funds.budget").values_list("action", flat=True))
    assert {"funds.budget_create", "funds.budget_line_set", "funds.budget_review", "funds.budget_approve"} <= actions
    # An approved budget is never edited in place.
    with pytest.raises(ValidationError, match="预算调整"):
        budgets.budget_line_set(actor=actor_for(cast.grassroots_officer), budget=budget, account="50102", amount="1")


def test_approval_needs_a_review_and_a_decision_of_the_same_union(cast):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    budgets.budget_line_set(actor=officer, budget=budget, account="50101", amount="100")
    with pytest.raises(ValidationError, match="经审委审查"):
        budgets.budget_approve(actor=officer, budget=budget, decision=_decision(cast))
    with pytest.raises(PermissionDenied):  # the union officer is not on the review committee
        budgets.budget_review(actor=officer, budget=budget, opinion="自审")
    budgets.budget_review(actor=actor_for(cast.auditor_a), budget=budget, opinion="同意")
    other = _decision(cast, ref="西发〔2026〕1号", org=cast.grassroots_b, user=cast.officer_b)
    with pytest.raises(ValidationError, match="其他工会"):
        budgets.budget_approve(actor=officer, budget=budget, decision=other)
    with pytest.raises(ValidationError):
        budgets.budget_approve(actor=officer, budget=budget, decision=None)


def test_the_review_committee_sends_a_budget_back(cast):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    budgets.budget_line_set(actor=officer, budget=budget, account="50101", amount="100")
    budgets.budget_review(actor=actor_for(cast.auditor_a), budget=budget, opinion="同意")
    budgets.budget_return(actor=actor_for(cast.auditor_a), budget=budget, opinion="培训费偏高，请压减")
    budget.refresh_from_db()
    assert budget.state == "draft" and budget.reviews.count() == 2
    budgets.budget_line_set(actor=officer, budget=budget, account="50101", amount="80")
    assert budget.lines.get().amount == Decimal("80.00")


@pytest.mark.parametrize("account, message", [
    ("401", "不是支出科目"),  # 会费收入: an income account
    ("银行存款", "不是支出科目"),
    ("599", "没有科目"),
])
def test_a_budget_line_must_be_on_an_expenditure_account(cast, account, message):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    with pytest.raises(ValidationError, match=message):
        budgets.budget_line_set(actor=officer, budget=budget, account=account, amount="100")
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "12.345", "abc"])
def test_a_bad_budget_amount_is_refused(cast, amount):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    with pytest.raises(ValidationError):
        budgets.budget_line_set(actor=officer, budget=budget, account="50101", amount=amount)
    assert not BudgetLine.objects.exists()


def test_one_budget_per_union_and_year(cast):
    officer = actor_for(cast.grassroots_officer)
    budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    with pytest.raises(ValidationError, match="已有2026年预算"):
        budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)


def test_an_adjustment_updates_the_line_and_keeps_the_history(cast):
    budget = _approved(cast)
    officer = actor_for(cast.grassroots_officer)
    adj_decision = _decision(cast, ref="工发〔2026〕9号")
    adj = budgets.budget_adjust(actor=officer, budget=budget, account="50101", change="2500.50",
                                reason="增加技能培训", decision=adj_decision)
    line = BudgetLine.objects.get(budget=budget, account__code="50101")
    assert line.amount == Decimal("12500.50")
    assert (adj.before, adj.change, adj.after) == (Decimal("10000.00"), Decimal("2500.50"), Decimal("12500.50"))
    budgets.budget_adjust(actor=officer, budget=budget, account="50101", change="-500.50", reason="压减",
                          decision=adj_decision)
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("12000.00")
    assert list(BudgetAdjustment.objects.order_by("pk").values_list("after", flat=True)) == [
        Decimal("12500.50"), Decimal("12000.00")]
    # A new account gets a new line through an adjustment.
    budgets.budget_adjust(actor=officer, budget=budget, account="业务支出-会议", change="3000", reason="新增会议",
                          decision=adj_decision)
    assert BudgetLine.objects.get(budget=budget, account__path="业务支出-会议").amount == Decimal("3000.00")


@pytest.mark.parametrize("change, reason, message", [
    ("100", "  ", "调整原因"),
    ("0", "调整", "不能为零"),
    ("-10000.01", "压减", "小于零"),
])
def test_a_bad_adjustment_changes_nothing(cast, change, reason, message):
    budget = _approved(cast)
    with pytest.raises(ValidationError, match=message):
        budgets.budget_adjust(actor=actor_for(cast.grassroots_officer), budget=budget, account="50101",
                              change=change, reason=reason, decision=budget.decision)
    assert BudgetLine.objects.get(budget=budget, account__code="50101").amount == Decimal("10000.00")
    assert not BudgetAdjustment.objects.exists()


def test_a_draft_is_not_adjusted(cast):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    with pytest.raises(ValidationError, match="已批准"):
        budgets.budget_adjust(actor=officer, budget=budget, account="50101", change="1", reason="x",
                              decision=_decision(cast))


def test_execution_at_a_date_counts_the_account_and_its_uncovered_sub_accounts(cast):
    budget = _approved(cast)
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, "1200", account="50101", date=D(2026, 2, 1))  # 职工教育: its own line
    expense(u, cast.grassroots_a, "300", account="50102", date=D(2026, 3, 1))  # 文体活动: under 职工活动支出
    expense(u, cast.grassroots_a, "700", account="501", date=D(2026, 4, 1))  # 职工活动支出 itself
    expense(u, cast.grassroots_a, "999", account="50302", date=D(2026, 3, 1))  # 业务支出-会议: no line covers it
    v = expense(u, cast.grassroots_a, "5000", account="50205", date=D(2026, 3, 5))  # 送温暖, then reversed
    from gonghui.funds.books import voucher_reverse
    voucher_reverse(actor=actor_for(u), voucher=v, reason="重复", date=D(2026, 3, 6))
    expense(cast.officer_b, cast.grassroots_b, "888", account="50101", date=D(2026, 2, 1))  # another union
    rows, unbudgeted = budgets.budget_execution(budget, on=D(2026, 3, 31))
    actual = {r.path: r.actual for r in rows}
    assert actual == {"职工活动支出": Decimal("300.00"), "职工活动支出-职工教育": Decimal("1200.00"),
                      "维权支出-送温暖": Decimal("0.00")}
    assert unbudgeted == Decimal("999.00")
    rows, _ = budgets.budget_execution(budget, on=D(2026, 12, 31))
    assert {r.path: r.actual for r in rows}["职工活动支出"] == Decimal("1000.00")
    headers, body = budgets.budget_sheet(budget, on=D(2026, 12, 31))
    assert headers[0] == "科目" and body[0][0] == "职工活动支出"


def test_final_account_is_built_from_the_books_and_frozen_when_approved(cast):
    _approved(cast)
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=D(2026, 1, 20),
         lines=[("102", "收会费", "6000", "0"), ("401", "收会费", "0", "6000")])
    expense(u, cast.grassroots_a, "1200", account="50101", date=D(2026, 2, 1))
    expense(u, cast.grassroots_a, "800", account="行政支出-公务接待费", date=D(2026, 2, 2))
    officer = actor_for(u)
    final = budgets.final_account_build(actor=officer, org=cast.grassroots_a, year=2026)
    rows = {r["path"]: r for r in final.rows}
    assert rows["会费收入"]["actual"] == "6000.00" and rows["会费收入"]["kind"] == "income"
    assert rows["职工活动支出-职工教育"] == {"path": "职工活动支出-职工教育", "kind": "expense", "budget": "10000.00",
                                       "actual": "1200.00"}
    assert rows["维权支出-送温暖"]["actual"] == "0.00"  # budgeted, nothing spent
    assert (final.income, final.expense) == (Decimal("6000.00"), Decimal("2000.00"))
    assert final.rows[0]["kind"] == "income"
    approved = budgets.final_account_approve(actor=officer, final=final, decision=_decision(cast, ref="决算1号"))
    assert approved.state == "approved"
    expense(u, cast.grassroots_a, "50", account="50101", date=D(2026, 5, 1))
    with pytest.raises(ValidationError, match="锁定"):
        budgets.final_account_build(actor=officer, org=cast.grassroots_a, year=2026)
    approved.refresh_from_db()
    assert approved.expense == Decimal("2000.00")


def test_a_decision_links_the_voucher_lines_carrying_its_reference(cast):
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, "30000", decision_ref="工发〔2026〕5号")
    expense(u, cast.grassroots_a, "25000", decision_ref="工发〔2026〕8号")
    expense(u, cast.grassroots_a, "21000")
    # Another union's line with the same reference is not linked.
    expense(cast.officer_b, cast.grassroots_b, "40000", decision_ref="工发〔2026〕5号")
    decision = _decision(cast, ref="工发〔2026〕5号")
    assert list(decision.lines.values_list("debit", flat=True)) == [Decimal("30000.00")]
    assert AuditEvent.objects.get(action="funds.decision_record").details["linked"] == 1
    # A voucher posted after the decision is linked on posting (the books' service).
    expense(u, cast.grassroots_a, "22000", decision_ref="工发〔2026〕5号")
    assert decision.lines.count() == 2
    lines = {ln.debit: decisions.large_state(ln) for ln in VoucherLine.objects.filter(
        org_path=cast.grassroots_a.path, debit__gte=20000)}
    assert lines == {Decimal("30000.00"): "linked", Decimal("25000.00"): "unverified",
                     Decimal("21000.00"): "none", Decimal("22000.00"): "linked"}


@pytest.mark.parametrize("kwargs, message", [
    ({"reference": "工发〔2026〕3号"}, "已有文号"),
    ({"reference": " "}, "决策文号"),
    ({"kind": "picnic"}, "会议类型"),
    ({"items": [("", "100")]}, "第1项"),
    ({"items": [("慰问", "-5")]}, "第1项"),
])
def test_a_bad_decision_is_refused(cast, kwargs, message):
    _decision(cast)
    data = {"kind": "committee", "date": D(2026, 2, 1), "reference": "工发〔2026〕4号", "title": "t", "items": [],
            **kwargs}
    with pytest.raises(ValidationError, match=message):
        decisions.decision_record(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, **data)
    assert Decision.objects.count() == 1


def test_the_same_reference_in_two_unions_is_two_decisions(cast):
    _decision(cast)
    _decision(cast, org=cast.grassroots_b, user=cast.officer_b)
    assert Decision.objects.count() == 2


def test_items_typed_one_a_line(cast):
    assert decisions.parse_items("春节慰问 30,000\n\n购置电脑 12000.50\n其他事项") == [
        ("春节慰问", "30000"), ("购置电脑", "12000.50"), ("其他事项", "")]


def test_publishing_the_year_on_the_public_board(cast):
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=D(2025, 3, 1), lines=[("102", "会费", "9000", "0"), ("401", "会费", "0", "9000")])
    post(u, cast.grassroots_a, date=D(2025, 3, 2), lines=[("102", "拨缴", "20000", "0"),
                                                          ("402", "拨缴", "0", "20000")])
    expense(u, cast.grassroots_a, "1500", account="行政支出-公务接待费", date=D(2025, 4, 1))
    expense(u, cast.grassroots_a, "600", account="行政支出-公务用车运行维护费", date=D(2025, 4, 2))
    expense(u, cast.grassroots_a, "3000", account="50105", date=D(2025, 9, 1))
    board = budgets.disclosure_publish(actor=actor_for(u), org=cast.grassroots_a, year=2025)
    assert board.income == [["会费收入", "9000.00"], ["拨缴经费收入", "20000.00"]]
    assert board.expense == [["职工活动支出", "3000.00"], ["行政支出", "2100.00"]]
    assert board.three_public_total == Decimal("2100.00")
    assert dict(board.three_public) == {"公务接待费": "1500.00", "公务用车运行维护费": "600.00",
                                        "因公出国（境）费": "0.00"}
    assert (board.income_total, board.expense_total) == (Decimal("29000.00"), Decimal("5100.00"))
    assert AuditEvent.objects.filter(action="funds.disclosure_publish").count() == 1
    # Publishing again replaces the figures; withdrawing takes the year off.
    expense(u, cast.grassroots_a, "400", account="行政支出-公务接待费", date=D(2025, 12, 1))
    board = budgets.disclosure_publish(actor=actor_for(u), org=cast.grassroots_a, year=2025)
    assert board.three_public_total == Decimal("2500.00") and Disclosure.objects.count() == 1
    budgets.disclosure_withdraw(actor=actor_for(u), org=cast.grassroots_a, year=2025)
    assert not Disclosure.objects.exists()


def test_nothing_to_publish_and_other_scopes(cast):
    with pytest.raises(ValidationError, match="没有可公布"):
        budgets.disclosure_publish(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, year=2025)
    with pytest.raises(Http404):
        budgets.disclosure_publish(actor=actor_for(cast.officer_b), org=cast.grassroots_a, year=2025)
    with pytest.raises(PermissionDenied):
        budgets.disclosure_publish(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2025)


def test_other_scopes_cannot_touch_a_budget(cast):
    budget = budgets.budget_create(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, year=2026)
    with pytest.raises(Http404):
        budgets.budget_line_set(actor=actor_for(cast.officer_b), budget=budget, account="50101", amount="1")
    with pytest.raises(Http404):
        budgets.budget_create(actor=actor_for(cast.grassroots_officer), org=cast.township_a, year=2026)
    with pytest.raises(Http404):
        _decision(cast, user=cast.officer_b)


def test_three_public_figure_counts_the_subtree_and_period(cast):
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, "1500", account="行政支出-公务接待费", date=D(2026, 4, 1))
    expense(u, cast.grassroots_a, "250.50", account="行政支出-因公出国（境）费", date=D(2026, 5, 1))
    expense(u, cast.grassroots_a, "999", account="行政支出-差旅费", date=D(2026, 5, 1))  # not 三公
    expense(u, cast.grassroots_a, "700", account="行政支出-公务用车运行维护费", date=D(2025, 12, 31))  # last year
    expense(cast.officer_b, cast.grassroots_b, "3000", account="行政支出-公务接待费", date=D(2026, 4, 1))
    actor = actor_for(cast.city_staff)

    def value(org, key="2026"):
        (fv,) = compute(org, Period.parse(key), actor=actor, keys=["funds.three_public"])
        return fv.value

    assert value(cast.county_a) == Decimal("1750.50")
    assert value(cast.city) == Decimal("4750.50")
    assert value(cast.county_a, "2025") == Decimal("700.00")
    assert value(cast.county_b, "2026Q2") == Decimal("3000.00")
