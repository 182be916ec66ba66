"""The demo's books (gonghui/demo/funds_books.py): whole balanced vouchers for the previous and the current year
up to today, every column filled as voucher_post fills it, and the handful of cases the rules are to flag."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum

from gonghui.demo.funds_books import seed_books
from gonghui.funds.models import Book, Decision, Voucher, VoucherLine
from gonghui.testing import _org

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def federation(cast):
    for i in range(1, 6):
        _org(cast.township_a, f"GX{i}", f"测试{i}厂工会", "grassroots", "enterprise", employee_count=40 * i)
    return cast


def test_every_union_gets_two_years_of_balanced_books(federation):
    counts = seed_books(today=TODAY, rng=random.Random(7))
    unions = 11  # the city, two counties, a township, seven grassroots unions (not the branch)
    assert counts["books"] == 2 * unions == Book.objects.count()
    assert set(Book.objects.values_list("year", flat=True)) == {2025, 2026}
    assert not Book.objects.filter(org__code="GA-B").exists()
    assert counts["lines"] == VoucherLine.objects.count() and counts["vouchers"] == Voucher.objects.count()
    assert not Voucher.objects.annotate(d=Sum("lines__debit"), c=Sum("lines__credit")).exclude(d=F("c")).exists()
    assert not Voucher.objects.annotate(d=Sum("lines__debit")).exclude(d=F("total")).exists()
    assert VoucherLine.objects.order_by("-date").values_list("date", flat=True).first() <= TODAY
    assert not VoucherLine.objects.exclude(org_path=F("voucher__org_path")).exists()
    assert not VoucherLine.objects.exclude(date=F("voucher__date")).exists()
    assert not VoucherLine.objects.exclude(kind=F("account__kind")).exists()
    for book in Book.objects.all():
        numbers = sorted(book.vouchers.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)) and book.next_number == len(numbers) + 1
    ga = VoucherLine.objects.filter(org_path=federation.grassroots_a.path, date__year=2025)
    summaries = set(ga.values_list("summary", flat=True))
    assert {"春节送温暖慰问困难职工", "春节节日慰问品", "端午节日慰问品", "中秋节日慰问品"} <= summaries
    assert ga.filter(account__path="会费收入").count() == 12


def test_the_cases_the_rules_flag_are_there_and_nothing_else_looks_like_them(federation):
    seed_books(today=TODAY, rng=random.Random(7))
    expense = VoucherLine.objects.filter(kind="expense", voided=False)
    assert expense.filter(summary__contains="购物卡").count() == 1
    cash = expense.filter(pay_method="cash", debit__gt=1000)
    assert list(cash.values_list("debit", flat=True)) == [Decimal("1500.00")]
    twice = (expense.exclude(invoice_number="").values("invoice_code", "invoice_number")
             .annotate(n=Count("id"), unions=Count("org_path", distinct=True)).filter(n__gt=1))
    assert [(r["n"], r["unions"]) for r in twice] == [(2, 2)]
    bare = expense.filter(debit__gte=20000, decision_ref="")
    assert list(bare.values_list("debit", flat=True)) == [Decimal("30000.00")]
    # Every other large expense references a recorded decision of its union.
    large = expense.filter(debit__gte=20000).exclude(decision_ref="")
    assert large.exists() and not large.filter(decision__isnull=True).exists()
    assert not large.exclude(decision__org_path=F("org_path")).exists()
    split = expense.filter(counterparty="临江办公设备有限公司")
    amounts = sorted(split.values_list("debit", flat=True))
    assert amounts == [Decimal("6900.00"), Decimal("7800.00"), Decimal("8500.00")]
    dates = sorted(split.values_list("date", flat=True))
    assert (dates[-1] - dates[0]).days <= 6 and len(set(split.values_list("org_path", flat=True))) == 1
    assert expense.filter(summary__contains="高档礼盒").count() == 1
    assert Decision.objects.exists()


def test_the_seed_is_deterministic(federation):
    a = seed_books(today=TODAY, rng=random.Random(3))
    first = list(VoucherLine.objects.order_by("id").values_list("summary", "debit", "credit", "date")[:500])
    VoucherLine.objects.all().delete()
    Voucher.objects.all().delete()
    Book.objects.all().delete()
    Decision.objects.all().delete()
    b = seed_books(today=TODAY, rng=random.Random(3))
    assert a["lines"] == b["lines"]
    assert first == list(VoucherLine.objects.order_by("id").values_list("summary", "debit", "credit", "date")[:500])
