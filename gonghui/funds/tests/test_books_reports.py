"""The books' services beyond posting: opening balances, the year-end carry-forward, the reports (hand-counted),
the figures and the union page section."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.figures import Period, get
from gonghui.core.models import AuditEvent
from gonghui.funds import books, closing, reports_books
from gonghui.funds.models import Book, OpeningBalance
from gonghui.funds.profile_sections import union_funds
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db
D = Decimal


def acc(org, ref, year=2026):
    return books.account_find(books.book_open(org=org, year=year), ref)


def openings(cast, org=None, year=2026, rows=(("102", "10000", "0"), ("304", "0", "10000"))):
    org = org or cast.grassroots_a
    return closing.openings_set(actor=actor_for(cast.grassroots_officer if org == cast.grassroots_a
                                                else cast.officer_b), org=org, year=year,
                                rows=[closing.OpeningIn(acc(org, code, year), D(d), D(c)) for code, d, c in rows])


@pytest.fixture
def year_2026(cast):
    """GA's 2026: openings 10,000 in the bank; dues 5,000 and allocation 8,000 in; training 1,200 out; a meeting
    of 800 paid and reversed."""
    user, ga = cast.grassroots_officer, cast.grassroots_a
    openings(cast)
    post(user, ga, date=datetime.date(2026, 1, 10),
         lines=[("102", "1月会费", "5000", "0"), ("401", "1月会费", "0", "5000")])
    post(user, ga, date=datetime.date(2026, 2, 5),
         lines=[("102", "拨缴经费", "8000", "0"), ("402", "拨缴经费", "0", "8000")])
    expense(user, ga, "1200", date=datetime.date(2026, 3, 2))
    meeting = expense(user, ga, "800", account="50302", summary="会议费", date=datetime.date(2026, 4, 1))
    books.voucher_reverse(actor=actor_for(user), voucher=meeting, reason="重复入账", date=datetime.date(2026, 4, 2))
    return Book.objects.get(org=ga, year=2026)


def test_trial_balance_is_hand_counted_and_agrees(year_2026):
    tb = reports_books.trial_balance(year_2026)
    rows = {r.account.path: r for r in tb.rows}
    assert set(rows) == {"银行存款", "工会资金结余", "会费收入", "拨缴经费收入", "职工活动支出",
                         "职工活动支出-职工教育"}
    bank = rows["银行存款"]
    assert (bank.opening_debit, bank.debit, bank.credit, bank.closing_debit) == (D(10000), D(13000), D(1200),
                                                                                D(21800))
    assert rows["工会资金结余"].closing_credit == D(10000) and rows["会费收入"].closing_credit == D(5000)
    assert rows["职工活动支出"].debit == rows["职工活动支出-职工教育"].debit == D(1200)
    t = tb.totals
    assert (t.opening_debit, t.opening_credit) == (D(10000), D(10000))
    assert (t.debit, t.credit) == (D(14200), D(14200))
    assert (t.closing_debit, t.closing_credit) == (D(23000), D(23000))
    assert tb.balanced


def test_trial_balance_of_a_period_starts_from_the_lines_before_it(year_2026):
    tb = reports_books.trial_balance(year_2026, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 2, 28))
    bank = {r.account.path: r for r in tb.rows}["银行存款"]
    assert (bank.opening_debit, bank.debit, bank.credit, bank.closing_debit) == (D(15000), D(8000), 0, D(23000))
    assert tb.balanced


def test_statement_by_category(year_2026):
    st = reports_books.statement(year_2026)
    income = {a.path: amount for a, amount in st.income}
    expense_ = {a.path: amount for a, amount in st.expense}
    assert income["会费收入"] == D(5000) and income["拨缴经费收入"] == D(8000) and income["其他收入"] == 0
    assert len([a for a, _x in st.income if a.depth == 1]) == 8  # every first-level income account, zero or not
    assert expense_["职工活动支出"] == expense_["职工活动支出-职工教育"] == D(1200)
    assert expense_["业务支出"] == 0 and "业务支出-会议" not in expense_  # the reversed meeting nets to nothing
    assert (st.income_total, st.expense_total, st.surplus) == (D(13000), D(1200), D(11800))
    q1 = reports_books.statement(year_2026, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 31))
    assert (q1.income_total, q1.expense_total) == (D(5000), 0)


def test_ledger_runs_the_balance_line_by_line(year_2026):
    bank = acc(year_2026.org, "102")
    led = reports_books.ledger(year_2026, bank)
    assert led.opening == D(10000)
    assert [ln.balance for ln in led.lines] == [D(15000), D(23000), D(21800), D(21000), D(21800)]
    assert [ln.voucher for ln in led.lines] == ["记-0001", "记-0002", "记-0003", "记-0004", "记-0005"]
    assert (led.debit, led.credit, led.closing) == (D(13000), D(1200), D(21800))
    assert led.side(led.closing)[1] == D(21800) and led.side(D(-5))[1] == D(5)
    general = reports_books.ledger(year_2026, acc(year_2026.org, "501"))
    assert general.general and [ln.account for ln in general.lines] == ["职工活动支出-职工教育"]
    later = reports_books.ledger(year_2026, bank, start=datetime.date(2026, 3, 1))
    assert later.opening == D(23000) and len(later.lines) == 3
    assert reports_books.account_balance(year_2026, "102") == D(21800)
    shown = [(r["kind"], r["debit"], r["credit"], r["balance"]) for r in reports_books.ledger_display(led)]
    assert shown[:4] == [("opening", None, None, D(10000)), ("line", D(5000), 0, D(15000)),
                         ("month", D(5000), 0, D(15000)), ("cumulative", D(5000), 0, D(15000))]
    april = [s for s in shown if s[0] in ("month", "cumulative")][-2:]  # the meeting and its reversal net out
    assert april == [("month", 0, 0, D(21800)), ("cumulative", D(13000), D(1200), D(21800))]
    assert shown[-1] == ("closing", D(13000), D(1200), D(21800))


def test_opening_balances_must_balance_and_are_for_the_first_year_only(cast):
    with pytest.raises(ValidationError, match="借贷不平衡"):
        openings(cast, rows=(("102", "10000", "0"), ("304", "0", "9999.99")))
    with pytest.raises(ValidationError, match="没有期初余额"):
        openings(cast, rows=(("401", "10", "0"), ("304", "0", "10")))
    with pytest.raises(ValidationError, match="只填借方或贷方一方"):
        openings(cast, rows=(("102", "10", "10"), ("304", "0", "0")))
    assert not OpeningBalance.objects.exists()
    openings(cast)
    openings(cast, rows=(("101", "300", "0"), ("102", "700", "0"), ("304", "0", "1000")))  # replaces
    assert OpeningBalance.objects.count() == 3
    assert AuditEvent.objects.filter(action="funds.openings_set").count() == 2
    with pytest.raises(ValidationError, match="结账时结转"):
        openings(cast, year=2027)  # 2026 exists before it
    with pytest.raises(Http404):
        closing.openings_set(actor=actor_for(cast.officer_b), org=cast.grassroots_a, year=2026, rows=[])
    with pytest.raises(PermissionDenied):
        closing.openings_set(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2026, rows=[])


def test_year_close_carries_the_balance_sheet_and_the_surplus(cast, year_2026):
    actor = actor_for(cast.grassroots_officer)
    book = closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)
    assert book.state == Book.State.CLOSED and book.closed_at is not None
    nxt = Book.objects.get(org=cast.grassroots_a, year=2027)
    carried = {ob.account.path: (ob.debit, ob.credit) for ob in OpeningBalance.objects.filter(book=nxt)}
    assert carried == {"银行存款": (D(21800), 0), "工会资金结余": (0, D(21800))}
    event = AuditEvent.objects.get(action="funds.year_close")
    assert event.details["surplus"] == "11800.00"
    tb = reports_books.trial_balance(nxt)
    assert tb.balanced and tb.totals.opening_debit == D(21800)
    with pytest.raises(ValidationError, match="已结账"):
        expense(cast.grassroots_officer, cast.grassroots_a, "10", date=datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError, match="已经结账"):
        closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)
    # 2027 already has openings: closing 2026 again (were it open) or another year into it is refused.
    Book.objects.filter(pk=book.pk).update(state=Book.State.OPEN)
    with pytest.raises(ValidationError, match="已有期初余额"):
        closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)


def test_year_close_refusals(cast):
    actor = actor_for(cast.grassroots_officer)
    with pytest.raises(ValidationError, match="没有 2026 年度的账簿"):
        closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)
    expense(cast.grassroots_officer, cast.grassroots_a, "10", date=datetime.date(2025, 6, 1))
    expense(cast.grassroots_officer, cast.grassroots_a, "10", date=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="尚未结账"):
        closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)  # 2025 is still open
    with pytest.raises(Http404):
        closing.year_close(actor=actor_for(cast.officer_b), org=cast.grassroots_a, year=2026)
    with pytest.raises(PermissionDenied):
        closing.year_close(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2026)
    assert not Book.objects.filter(state=Book.State.CLOSED).exists()


def test_a_union_sub_account_is_carried_into_the_next_year(cast):
    actor = actor_for(cast.grassroots_officer)
    deposit = books.account_add(actor=actor, org=cast.grassroots_a, parent=acc(cast.grassroots_a, "102"),
                                name="工商银行")
    post(cast.grassroots_officer, cast.grassroots_a,
         lines=[{"account": deposit.path, "summary": "会费", "debit": "600"}, ("401", "会费", "0", "600")])
    closing.year_close(actor=actor, org=cast.grassroots_a, year=2026)
    nxt = Book.objects.get(org=cast.grassroots_a, year=2027)
    carried = {ob.account.path: ob.debit - ob.credit for ob in OpeningBalance.objects.filter(book=nxt)}
    assert carried == {"银行存款-工商银行": D(600), "工会资金结余": D(-600)}


def test_figures_income_expense_and_bookkeeping_rate(cast, year_2026):
    p = Period.parse("2026")
    assert get("funds.income").compute(cast.county_a, p) == [("会费收入", D(5000)), ("拨缴经费收入", D(8000))]
    assert get("funds.expense").compute(cast.county_a, p) == [("职工活动支出", D(1200))]
    assert get("funds.income").compute(cast.county_b, p) == []
    assert get("funds.bookkeeping_rate").compute(cast.city, p) == D("50.0")  # GA of GA and GB
    assert get("funds.bookkeeping_rate").compute(cast.county_a, p) == D("100.0")
    assert get("funds.bookkeeping_rate").compute(cast.city, Period.parse("2025")) == D("0.0")
    post(cast.officer_b, cast.grassroots_b, lines=[("102", "其他收入", "1000", "0"), ("408", "其他收入", "0", "1000")])
    assert get("funds.income").compute(cast.city, p) == [("会费收入", D(5000)), ("拨缴经费收入", D(8000)),
                                                           ("其他收入", D(1000))]
    assert get("funds.bookkeeping_rate").compute(cast.city, p) == D("100.0")
    assert get("funds.income").compute(cast.city, Period.parse("2026-01")) == [("会费收入", D(5000))]
    # Whole yuan in the breakdowns (the dashboard's and the figures API's integer pairs), rounded half up.
    expense(cast.officer_b, cast.grassroots_b, "0.50", date=datetime.date(2026, 5, 1))
    expense(cast.officer_b, cast.grassroots_b, "1200", date=datetime.date(2026, 5, 2))
    assert get("funds.expense").compute(cast.county_b, p) == [("职工活动支出", 1201)]
    # A book opened without a voucher does not count as keeping books.
    assert get("funds.bookkeeping_rate").compute(cast.county_b, Period.parse("2027")) == D("0.0")


def test_union_page_section(cast, year_2026, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 6, 1))
    section = union_funds(actor=actor_for(cast.officer_a), org=cast.grassroots_a)
    assert (section["income"], section["expense"], section["bank"]) == (D(13000), D(1200), D(21800))
    assert section["url"] == "/funds/books/GA/2026/"
    assert union_funds(actor=actor_for(cast.system_admin), org=cast.grassroots_a) is None


def test_accounts_are_listed_in_chart_order_children_after_their_parent(cast):
    actor = actor_for(cast.grassroots_officer)
    parent = acc(cast.grassroots_a, "职工活动支出-节日慰问")
    books.account_add(actor=actor, org=cast.grassroots_a, parent=parent, name="春节")
    book = books.book_open(org=cast.grassroots_a, year=2026)
    paths = [a.path for a in reports_books.chart_sorted(books.accounts_of(book))]
    assert paths[:2] == ["库存现金", "银行存款"]
    i = paths.index("职工活动支出")
    assert paths[i:i + 7] == ["职工活动支出", "职工活动支出-职工教育", "职工活动支出-文体活动", "职工活动支出-宣传活动",
                              "职工活动支出-职工集体福利", "职工活动支出-节日慰问", "职工活动支出-节日慰问-春节"]
    assert paths.index("维权支出") == i + 8  # after 职工活动支出-其他活动
