import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.funds import books, chart
from gonghui.funds.models import Account, Book, Voucher, VoucherLine
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _source_language():
    """These tests match the services' messages in their source language (the suite's default is Chinese)."""
    with translation.override("en"):
        yield


def test_standard_chart_has_every_first_level_account_and_sub_items(cast):
    std = chart.standard_chart()
    assert chart.standard_chart() == std  # created once
    codes = set(Account.objects.filter(chart=std, depth=1).values_list("code", flat=True))
    assert {f"40{i}" for i in range(1, 9)} | {f"50{i}" for i in range(1, 9)} <= codes
    sub = Account.objects.get(chart=std, path="职工活动支出-节日慰问")
    assert sub.parent.code == "501" and sub.kind == "expense"


def test_a_voucher_is_posted_whole_numbered_and_audited(cast):
    v1 = expense(cast.grassroots_officer, cast.grassroots_a, "1200.50")
    v2 = expense(cast.grassroots_officer, cast.grassroots_a, "300")
    assert (v1.display_number, v2.display_number) == ("记-0001", "记-0002")
    assert v1.total == Decimal("1200.50")
    lines = list(v1.lines.order_by("line_no"))
    assert [(ln.debit, ln.credit) for ln in lines] == [(Decimal("1200.50"), 0), (0, Decimal("1200.50"))]
    assert lines[0].kind == "expense" and lines[0].pay_method == "bank" and lines[0].org_path == cast.grassroots_a.path
    assert AuditEvent.objects.filter(action="funds.voucher_post", object_id=str(v1.pk)).exists()


def test_cash_credit_makes_the_voucher_a_cash_payment(cast):
    v = expense(cast.grassroots_officer, cast.grassroots_a, "800", paid_from="101")
    assert set(v.lines.values_list("pay_method", flat=True)) == {"cash"}


@pytest.mark.parametrize("lines, message", [
    ([("50101", "培训", "100", "0"), ("102", "培训", "0", "99.99")], "does not balance"),
    ([("50101", "培训", "100", "100"), ("102", "培训", "0", "0")], "not both"),
    ([("50101", "培训", "100.001", "0"), ("102", "培训", "0", "100.001")], "two decimals"),
    ([("50101", "", "100", "0"), ("102", "培训", "0", "100")], "summary"),
    ([("50101", "培训", "100", "0")], "at least two lines"),
])
def test_a_bad_voucher_writes_nothing(cast, lines, message):
    with pytest.raises(ValidationError, match=message):
        post(cast.grassroots_officer, cast.grassroots_a, lines=lines)
    assert not Voucher.objects.exists() and not VoucherLine.objects.exists()


def test_a_date_outside_the_book_year_and_a_duplicate_number_are_refused(cast):
    actor = actor_for(cast.grassroots_officer)
    book = books.book_open(org=cast.grassroots_a, year=2026)
    lines = [books.LineIn(account=books.account_find(book, "50101"), summary="x", debit=Decimal(5)),
             books.LineIn(account=books.account_find(book, "102"), summary="x", credit=Decimal(5))]
    books.voucher_post(actor=actor, org=cast.grassroots_a, date=datetime.date(2026, 1, 5), lines=lines, number=7)
    with pytest.raises(ValidationError, match="already exists"):
        books.voucher_post(actor=actor, org=cast.grassroots_a, date=datetime.date(2026, 1, 6), lines=lines, number=7)
    assert Book.objects.get(pk=book.pk).next_number == 8


def test_posting_outside_the_actors_subtree_is_a_404(cast):
    with pytest.raises(Http404):
        expense(cast.officer_b, cast.grassroots_a, "10")
    with pytest.raises(Http404):
        expense(cast.grassroots_officer, cast.township_a, "10")


def test_reversal_cancels_with_red_ink_and_voids_both(cast):
    v = expense(cast.grassroots_officer, cast.grassroots_a, "500")
    actor = actor_for(cast.grassroots_officer)
    with pytest.raises(ValidationError):
        books.voucher_reverse(actor=actor, voucher=v, reason=" ")
    r = books.voucher_reverse(actor=actor, voucher=v, reason="重复报销")
    assert r.reverses == v and r.total == Decimal("-500.00") and r.number == 2
    assert list(r.lines.values_list("debit", "credit").order_by("line_no")) == [(Decimal("-500"), 0),
                                                                              (0, Decimal("-500"))]
    assert not VoucherLine.objects.filter(voided=False).exists()
    with pytest.raises(ValidationError, match="already been reversed"):
        books.voucher_reverse(actor=actor, voucher=v, reason="again")
    with pytest.raises(ValidationError):
        books.voucher_reverse(actor=actor, voucher=r, reason="again")
    with pytest.raises(Http404):
        books.voucher_reverse(actor=actor_for(cast.officer_b), voucher=v, reason="x")


def test_a_union_adds_a_sub_account_matched_by_path(cast):
    actor = actor_for(cast.grassroots_officer)
    book = books.book_open(org=cast.grassroots_a, year=2026)
    parent = books.account_find(book, "职工活动支出-节日慰问")
    acc = books.account_add(actor=actor, org=cast.grassroots_a, parent=parent, name="春节")
    assert books.account_find(book, "职工活动支出-节日慰问-春节") == acc
    other = books.book_open(org=cast.grassroots_b, year=2026)
    assert books.account_find(other, "职工活动支出-节日慰问-春节") is None
    with pytest.raises(ValidationError):
        books.account_add(actor=actor, org=cast.grassroots_a, parent=parent, name="春节")
    with pytest.raises(Http404):
        books.account_add(actor=actor_for(cast.officer_b), org=cast.grassroots_a, parent=parent, name="中秋")


def test_payment_service_debits_the_expense_and_credits_the_bank(cast):
    v = books.payment_post(actor=actor_for(cast.officer_a), payer=cast.county_a, payee="李明", amount="2000",
                           expense_account="维权支出-困难职工帮扶", reference="aid.grant:17",
                           date=datetime.date(2026, 2, 1))
    assert v.source == "payment" and v.source_ref == "aid.grant:17"
    (debit, credit) = v.lines.select_related("account").order_by("line_no")
    assert debit.account.path == "维权支出-困难职工帮扶" and debit.debit == Decimal("2000")
    assert credit.account.code == "102" and credit.counterparty == "李明"
    with pytest.raises(ValidationError):
        books.payment_post(actor=actor_for(cast.officer_a), payer=cast.county_a, payee="x", amount="5",
                           expense_account="银行存款", reference="r")


def test_a_federation_revision_applies_to_its_subtree_only(cast):
    chart.load_chart(code="2021-CA", name="修订", effective_year=2022, loaded_by=cast.county_a,
                     accounts=[*chart.STANDARD_ACCOUNTS, ("509", "职工服务支出", "expense")])
    assert chart.chart_for(cast.grassroots_a, 2026).code == "2021-CA"
    assert chart.chart_for(cast.grassroots_a, 2021).code == chart.STANDARD_CODE
    assert chart.chart_for(cast.grassroots_b, 2026).code == chart.STANDARD_CODE
