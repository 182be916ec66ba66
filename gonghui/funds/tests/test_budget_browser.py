"""The budget page and the public board in a browser: draft, review, approve, adjust; a member reads the board on a
phone."""

import datetime

import pytest

from gonghui.browser import log_in, pick_union
from gonghui.core.access import actor_for
from gonghui.funds import budgets, decisions
from gonghui.funds.models import Budget, BudgetLine
from gonghui.funds.testing import expense, post
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
PHONE = {"width": 390, "height": 844}


def test_a_budget_drafted_reviewed_approved_and_adjusted(page):
    cast = build_cast()
    year = datetime.date.today().year
    decisions.decision_record(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, kind="committee",
                              date=D(year, 1, 8), reference="工发1号", title="审议年度预算", items=[])
    expense(cast.grassroots_officer, cast.grassroots_a, "1200", account="50101", date=D(year, 1, 2))

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/funds/budgets/")
    page.click("#budget-new summary")
    pick_union(page, "id_new-union", "GA")
    page.fill("#id_new-year", str(year))
    page.click("#budget-new button[type=submit]")
    page.wait_for_selector("#budget-state[data-state=draft]")
    page.fill("#id_line-account", "会费收入")  # an income account: refused, named
    page.fill("#id_line-amount", "5000")
    page.click("#action-line button[type=submit]")
    page.wait_for_selector("#action-line .invalid-feedback")
    assert "会费收入不是支出科目" in page.locator("#action-line").inner_text()
    page.fill("#id_line-account", "职工活动支出-职工教育")
    page.fill("#id_line-amount", "5000")
    page.click("#action-line button[type=submit]")
    page.wait_for_selector("#budget-lines tr[data-account='职工活动支出-职工教育']")
    row = page.locator("#budget-lines tr[data-account='职工活动支出-职工教育']")
    assert row.locator("[data-col=budget]").inner_text() == "5000.00"
    assert row.locator("[data-col=actual]").inner_text() == "1200.00"
    assert page.locator("#action-review").count() == 0  # a union officer does not review
    page.click("form[action='/logout/'] button")

    log_in(page, "auditor_a", PASSWORD)
    page.goto(page.base + f"/funds/budgets/GA/{year}/")
    page.fill("#id_review-opinion", "同意报批")
    page.click("#action-review button[type=submit]")
    page.wait_for_selector("#budget-state[data-state=reviewed]")
    page.click("form[action='/logout/'] button")

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + f"/funds/budgets/GA/{year}/")
    page.select_option("#id_approve-decision", "工发1号")
    page.click("#action-approve button[type=submit]")
    page.wait_for_selector("#budget-state[data-state=approved]")
    assert page.locator("#budget-decision").inner_text() == "工发1号"
    page.fill("#id_adjust-account", "50101")
    page.fill("#id_adjust-change", "800")
    page.select_option("#id_adjust-decision", "工发1号")
    page.click("#action-adjust button[type=submit]")  # no reason: refused
    page.wait_for_selector("#action-adjust .invalid-feedback")
    assert "请填写调整原因" in page.locator("#action-adjust").inner_text()
    page.fill("#id_adjust-reason", "增加技能培训")
    page.select_option("#id_adjust-decision", "工发1号")
    page.click("#action-adjust button[type=submit]")
    page.wait_for_selector("#budget-adjustments")
    assert row.locator("[data-col=budget]").inner_text() == "5800.00"
    assert BudgetLine.objects.get().amount == 5800
    assert Budget.objects.get().state == "approved"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=3)
    pg = context.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()


def test_a_member_reads_the_public_board_on_a_phone(phone):
    cast = build_cast()
    last = datetime.date.today().year - 1
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=D(last, 3, 1), lines=[("102", "会费", "9000", "0"), ("401", "会费", "0", "9000")])
    expense(u, cast.grassroots_a, "1500", account="行政支出-公务接待费", date=D(last, 4, 1))
    budgets.disclosure_publish(actor=actor_for(u), org=cast.grassroots_a, year=last)
    expense(u, cast.grassroots_a, "700", account="50101", date=D(last + 1, 1, 3))  # this year: not published

    phone.goto(phone.base + "/disclosure/")
    phone.fill("#id_q", "东湖机械")
    phone.click("#disclosure-search button[type=submit]")
    phone.click("#disclosure-results a")
    phone.wait_for_selector("#board-funds")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cards = phone.locator("#board-funds .card")
    assert cards.count() == 1 and cards.first.get_attribute("data-year") == str(last)
    assert phone.locator("[data-total=income]").inner_text() == "9000.00"
    assert phone.locator("[data-total=three_public]").inner_text() == "1500.00"
    assert "公务接待费" in phone.locator("#board-funds").inner_text()


def test_an_audit_with_a_finding_rectified(page):
    build_cast()
    last = datetime.date.today().year - 1
    log_in(page, "auditor_a", PASSWORD)
    page.goto(page.base + "/funds/audits/")
    page.click("#audit-new summary")
    pick_union(page, "id_new-union", "GA")
    page.fill("#id_new-year", str(last))
    page.fill("#id_new-auditor", "东湖区总工会经审会")
    page.fill("#id_new-started_on", f"{last}-12-01")
    page.fill("#id_new-ended_on", f"{last}-11-20")  # before it starts: refused, named
    page.fill("#id_new-vouchers_checked", "150")
    page.fill("#id_new-conclusion", "账目基本清楚")
    page.click("#audit-new button[type=submit]")
    page.wait_for_selector("#audit-new .invalid-feedback")
    assert "早于开始日期" in page.locator("#audit-new").inner_text()
    page.fill("#id_new-ended_on", f"{last}-12-10")
    page.click("#audit-new button[type=submit]")
    page.wait_for_selector("#audit-record")
    assert page.locator("#audit-vouchers").inner_text() == "150"
    page.fill("#id_finding-text", "部分报销缺少发票")
    page.fill("#id_finding-due_on", f"{last}-12-31")
    page.click("#finding-new button[type=submit]")
    page.wait_for_selector("#audit-findings tr[data-state=open]")
    assert page.locator("#audit-findings tr.table-danger").count() == 1  # past its date: overdue
    page.click("form[action='/logout/'] button")

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + f"/funds/audits/GA/{last}/")
    row = page.locator("#audit-findings tr[data-state=open]")
    row.locator("select[name=state]").select_option("rectified")
    row.locator("button[type=submit]").click()  # no note: refused
    page.wait_for_selector("#audit-findings .invalid-feedback")
    row = page.locator("#audit-findings tr[data-state=open]")
    row.locator("select[name=state]").select_option("rectified")
    row.locator("input[name=note]").fill("已补齐发票")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#audit-findings tr[data-state=rectified]")
    page.goto(page.base + "/funds/audits/overdue/")
    assert "部分报销缺少发票" not in page.content()


def test_the_final_account_built_approved_and_published(page):
    cast = build_cast()
    last = datetime.date.today().year - 1
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=D(last, 3, 1), lines=[("102", "会费", "9000", "0"), ("401", "会费", "0", "9000")])
    expense(u, cast.grassroots_a, "2000", account="50101", date=D(last, 4, 1))
    decisions.decision_record(actor=actor_for(u), org=cast.grassroots_a, kind="committee", date=D(last, 12, 30),
                              reference="工发决算1号", title="审议决算", items=[])
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/funds/final/")
    pick_union(page, "id_union", "GA")
    page.fill("#id_year", str(last))
    page.click("#final-pick button[type=submit]")
    page.wait_for_selector("#final-account[data-state=none]")
    page.click("#final-build button[type=submit]")
    page.wait_for_selector("#final-account[data-state=draft]")
    assert page.locator("#final-income").inner_text() == "9000.00"
    assert page.locator("#final-expense").inner_text() == "2000.00"
    page.select_option("#id_approve-decision", "工发决算1号")
    page.click("#final-approve button[type=submit]")
    page.wait_for_selector("#final-account[data-state=approved]")
    assert page.locator("#final-build").count() == 0  # frozen
    page.click("#board-publish button[type=submit]")
    page.wait_for_selector("#board-state[data-published='1']")
    page.goto(page.base + "/disclosure/GA/")
    assert page.locator(f"#board-funds .card[data-year='{last}'] [data-total=expense]").inner_text() == "2000.00"
