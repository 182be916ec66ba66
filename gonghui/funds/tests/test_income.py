"""Income services: dues by unit and month, the 2% allocation and its split, the shares table, fund returns,
the figures (hand-counted), bad input, and who may do what."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.core.models import AuditEvent
from gonghui.demo.data import resident_id
from gonghui.funds import figures_income, income, returns
from gonghui.funds.models import Allocation, DuesMonth, FundReturn, ShareTable, Voucher, VoucherLine
from gonghui.members.services import member_add

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _source_language():
    """The messages are matched in their English source, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


def _lines(voucher):
    return sorted((ln.account.code, ln.debit, ln.credit) for ln in voucher.lines.select_related("account"))


def _add_members(cast, n):
    rng = random.Random(7)
    actor = actor_for(cast.officer_a)
    for i in range(n):
        number = resident_id(rng, "330102", datetime.date(1980 + i, 1, 2), female=bool(i % 2))
        member_add(actor=actor, union=cast.grassroots_a if i else cast.branch_a, joined_on=datetime.date(2020, 1, 1),
                   person={"id_number": number, "name": f"会员{i}"})


def test_dues_counts_the_roster_and_collection_posts_a_voucher(cast, clock):
    _add_members(cast, 3)  # two in the union, one in its branch: all three counted
    actor = actor_for(cast.grassroots_officer)
    row = income.dues_set(actor=actor, union=cast.grassroots_a, year=2026, month=2, wage_base="123456.78")
    assert (row.members, row.due) == (3, D("617.28"))  # 0.5% of 123,456.78 = 617.2839
    row = income.dues_collect(actor=actor, row=row, amount="600", on=datetime.date(2026, 3, 2))
    row = income.dues_collect(actor=actor, row=row, amount="17.28", on=datetime.date(2026, 3, 2))
    assert (row.collected, row.collected_on) == (D("617.28"), datetime.date(2026, 3, 2))
    vouchers = Voucher.objects.filter(org=cast.grassroots_a).order_by("number")
    assert [_lines(v) for v in vouchers] == [[("102", D("600"), 0), ("401", 0, D("600"))],
                                            [("102", D("17.28"), 0), ("401", 0, D("17.28"))]]
    # Correcting the wage base keeps what was collected and recomputes what is due.
    row = income.dues_set(actor=actor, union=cast.grassroots_a, year=2026, month=2, wage_base="100000")
    assert (row.due, row.collected) == (D("500.00"), D("617.28"))
    assert AuditEvent.objects.filter(action="funds.dues_collect").count() == 2
    assert AuditEvent.objects.filter(action="funds.voucher_post").count() == 0  # one event per write: ours


def test_dues_rates_per_unit_and_subtree(cast, clock):
    from gonghui.funds import selectors_income as sel

    actor = actor_for(cast.officer_a)
    a = income.dues_set(actor=actor, union=cast.grassroots_a, year=2026, month=1, wage_base="20000", members=5)
    income.dues_set(actor=actor, union=cast.branch_a, year=2026, month=1, wage_base="20000", members=5)
    income.dues_collect(actor=actor, row=a, amount="100", on=datetime.date(2026, 2, 1))
    assert sel.dues_grid(actor=actor, union=cast.grassroots_a, year=2026)["rate"] == D("100.0")
    # Subtree: 100 collected of 200 due.
    assert sel.dues_rate(actor=actor, under=cast.county_a, year=2026)["rate"] == D("50.0")
    with pytest.raises(Http404):
        sel.dues_rate(actor=actor_for(cast.officer_b), under=cast.county_a, year=2026)


def _shares(cast, **kw):
    values = {"grassroots": 60, "county": 20, "city": 15, "province": 0, "national": 5} | kw
    return income.shares_add(actor=actor_for(cast.city_staff), org=cast.city, effective_on=datetime.date(2026, 1, 1),
                             **values)


def test_direct_allocation_is_split_by_the_shares_in_force(cast, clock):
    _shares(cast)
    actor = actor_for(cast.officer_a)
    row = income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="quarter",
                                    period_no=1, payroll="1000000")
    assert (row.due, row.period_start) == (D("20000.00"), datetime.date(2026, 1, 1))
    row = income.allocation_receive(actor=actor, allocation=row, amount="20000", on=datetime.date(2026, 3, 2),
                                    channel="direct")
    assert (row.grassroots_share, row.grassroots_amount) == (D("60.00"), D("12000.00"))
    assert row.split["county"] == {"pct": "20.00", "amount": "4000.00", "org": "CA"}
    assert row.split["province"]["org"] == "" and row.split["national"]["amount"] == "1000.00"
    voucher = Voucher.objects.get(org=cast.grassroots_a)
    assert _lines(voucher) == [("102", D("20000"), 0), ("201", 0, D("8000")), ("402", 0, D("12000"))]


def test_tax_collected_allocation_then_the_return_of_the_grassroots_part(cast, clock):
    _shares(cast)
    actor = actor_for(cast.officer_a)
    row = income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month",
                                    period_no=1, payroll="100000")
    row = income.allocation_receive(actor=actor, allocation=row, amount="2000", on=datetime.date(2026, 2, 10),
                                    channel="tax", collector=cast.county_a)
    # The county keeps its 20%, owes 60% down (the union) and 20% up (city 15%, national 5%).
    assert _lines(Voucher.objects.get(org=cast.county_a)) == [
        ("102", D("2000"), 0), ("201", 0, D("400")), ("202", 0, D("1200")), ("402", 0, D("400"))]
    ret = returns.return_receipt_record(actor=actor, payer=cast.county_a, union=cast.grassroots_a,
                                        receipt_no="JF-2026-001", receipt_on=datetime.date(2026, 3, 2),
                                        allocation=row)
    assert (ret.amount, ret.due_on, ret.state) == (D("1200.00"), datetime.date(2026, 3, 9), "pending")
    assert (ret.union_path, ret.payer_path) == (cast.grassroots_a.path, cast.county_a.path)
    with pytest.raises(ValidationError, match="still owed"):
        returns.return_receipt_record(actor=actor, payer=cast.county_a, union=cast.grassroots_a,
                                      receipt_no="JF-2026-002", receipt_on=datetime.date(2026, 3, 2), allocation=row,
                                      amount="1")
    ret = returns.return_pay(actor=actor, fund_return=ret, paid_on=datetime.date(2026, 3, 2))
    assert (ret.state, ret.paid_on, ret.late) == ("paid", datetime.date(2026, 3, 2), False)
    assert _lines(ret.voucher) == [("102", 0, D("1200")), ("202", D("1200"), 0)]
    assert _lines(ret.union_voucher) == [("102", D("1200"), 0), ("402", 0, D("1200"))]
    with pytest.raises(ValidationError, match="already paid"):
        returns.return_pay(actor=actor, fund_return=ret)


def test_a_return_without_an_allocation_is_a_subsidy_and_paid_late_is_flagged(cast, clock):
    actor = actor_for(cast.officer_a)
    ret = returns.return_receipt_record(actor=actor, payer=cast.county_a, union=cast.grassroots_a, amount="500",
                                        receipt_no="R-9", receipt_on=datetime.date(2026, 2, 16))
    assert ret.due_on > datetime.date(2026, 2, 23)  # the Spring Festival holiday is not counted
    ret = returns.return_pay(actor=actor, fund_return=ret, paid_on=datetime.date(2026, 3, 2))
    assert ret.late is True
    assert _lines(ret.voucher) == [("102", 0, D("500")), ("506", D("500"), 0)]


def test_the_shares_table_picks_the_nearest_federation_and_date(cast, clock):
    _shares(cast)
    income.shares_add(actor=actor_for(cast.officer_a), org=cast.county_a, effective_on=datetime.date(2026, 3, 1),
                      grassroots="70", county="20", city="5", national="5")
    assert income.shares_for(cast.grassroots_a, datetime.date(2026, 2, 28))["grassroots"] == D("60")
    assert income.shares_for(cast.grassroots_a, datetime.date(2026, 3, 1))["grassroots"] == D("70")
    assert income.shares_for(cast.grassroots_b, datetime.date(2026, 3, 1))["grassroots"] == D("60")
    assert income.shares_for(cast.grassroots_a, datetime.date(2025, 12, 31)) == income.DEFAULT_SHARES


@pytest.mark.parametrize("call, message", [
    (lambda c, a: _shares(c, county=25), "sum to 100"),
    (lambda c, a: _shares(c, grassroots=-5, county=85), "0 to 100"),
    (lambda c, a: income.allocation_declare(actor=a, union=c.grassroots_a, year=2026, period_kind="month",
                                            period_no=1, payroll="-1"), "may not be negative"),
    (lambda c, a: income.allocation_declare(actor=a, union=c.grassroots_a, year=2026, period_kind="quarter",
                                            period_no=5, payroll="1"), "quarter is 1 to 4"),
    (lambda c, a: income.allocation_declare(actor=a, union=c.county_a, year=2026, period_kind="month",
                                            period_no=1, payroll="1"), "not an active grassroots union"),
    (lambda c, a: income.dues_set(actor=a, union=c.grassroots_a, year=2026, month=13, wage_base="1"), "1 to 12"),
    (lambda c, a: income.dues_set(actor=a, union=c.grassroots_a, year=2026, month=1, wage_base="-3"), "negative"),
    (lambda c, a: income.dues_set(actor=a, union=c.grassroots_a, year=2026, month=1, wage_base="abc"),
     "not an amount"),
    (lambda c, a: returns.return_receipt_record(actor=a, payer=c.county_a, union=c.grassroots_a, amount="5",
                                                receipt_no="R1", receipt_on=datetime.date(2026, 3, 3)), "future"),
    (lambda c, a: returns.return_receipt_record(actor=a, payer=c.county_a, union=c.grassroots_a, amount="0",
                                                receipt_no="R1", receipt_on=datetime.date(2026, 3, 2)), "positive"),
    (lambda c, a: returns.return_receipt_record(actor=a, payer=c.county_a, union=c.grassroots_a, amount="5",
                                                receipt_no=" ", receipt_on=datetime.date(2026, 3, 2)), "receipt"),
    (lambda c, a: returns.return_receipt_record(actor=a, payer=c.grassroots_a, union=c.branch_a, amount="5",
                                                receipt_no="R1", receipt_on=datetime.date(2026, 3, 2)),
     "not a federation"),
])
def test_bad_input_is_refused_and_writes_nothing(cast, clock, call, message):
    with pytest.raises(ValidationError, match=message):
        call(cast, actor_for(cast.officer_a))
    assert not (ShareTable.objects.exists() or Allocation.objects.exists() or DuesMonth.objects.exists()
                or FundReturn.objects.exists() or VoucherLine.objects.exists())


def test_the_shares_constraint_holds_in_the_database(cast):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ShareTable.objects.create(org=cast.city, org_path=cast.city.path, effective_on=datetime.date(2026, 1, 1),
                                  grassroots=60, county=30)


def test_duplicate_receipt_and_allocation_period_are_refused(cast, clock):
    actor = actor_for(cast.officer_a)
    kw = {"payer": cast.county_a, "union": cast.grassroots_a, "amount": "5", "receipt_no": "R1",
          "receipt_on": datetime.date(2026, 3, 2)}
    returns.return_receipt_record(actor=actor, **kw)
    with pytest.raises(ValidationError, match="already recorded"):
        returns.return_receipt_record(actor=actor, **kw)
    income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month", period_no=1,
                              payroll="10")
    with pytest.raises(ValidationError, match="already declared"):
        income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month",
                                  period_no=1, payroll="10")
    with pytest.raises(ValidationError, match="by Month"):
        income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="quarter",
                                  period_no=2, payroll="10")


def test_who_may_write(cast, clock):
    with pytest.raises(Http404):  # another county
        income.dues_set(actor=actor_for(cast.officer_b), union=cast.grassroots_a, year=2026, month=1, wage_base=1)
    with pytest.raises(PermissionDenied):  # the auditor reads only
        income.dues_set(actor=actor_for(cast.auditor_a), union=cast.grassroots_a, year=2026, month=1, wage_base=1)
    with pytest.raises(PermissionDenied):  # shares are federation settings
        _shares_as = income.shares_add
        _shares_as(actor=actor_for(cast.grassroots_officer), org=cast.city, effective_on=datetime.date(2026, 1, 1),
                   grassroots=100)
    with pytest.raises(Http404):  # the grassroots officer cannot record its own federation's receipt
        returns.return_receipt_record(actor=actor_for(cast.grassroots_officer), payer=cast.county_a,
                                      union=cast.grassroots_a, amount="5", receipt_no="R1",
                                      receipt_on=datetime.date(2026, 3, 2))
    ret = returns.return_receipt_record(actor=actor_for(cast.officer_a), payer=cast.county_a,
                                        union=cast.grassroots_a, amount="5", receipt_no="R1",
                                        receipt_on=datetime.date(2026, 3, 2))
    for user in (cast.officer_b, cast.grassroots_officer):
        with pytest.raises(Http404):
            returns.return_pay(actor=actor_for(user), fund_return=ret)
    assert FundReturn.objects.get().state == "pending"


def test_figures_are_hand_counted(cast, clock):
    actor = actor_for(cast.officer_a)
    a1 = income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month", period_no=1,
                                   payroll="100000")  # 2,000 due
    income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month", period_no=2,
                              payroll="50000")  # 1,000 due, nothing received
    income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2025, period_kind="month", period_no=12,
                              payroll="50000")  # outside 2026
    income.allocation_receive(actor=actor, allocation=a1, amount="2000", on=datetime.date(2026, 2, 1),
                              channel="direct")
    year = Period.parse("2026")
    assert figures_income.collection_rate(cast.county_a, year) == D("66.7")  # 2,000 / 3,000
    assert figures_income.collection_rate(cast.county_b, year) is None
    # Returns due in March 2026 paid by county A: on time, late, unpaid → 1 of 3.
    make = dict(actor=actor, payer=cast.county_a, union=cast.grassroots_a, amount="10")
    r1 = returns.return_receipt_record(receipt_no="A", receipt_on=datetime.date(2026, 2, 27), **make)
    r2 = returns.return_receipt_record(receipt_no="B", receipt_on=datetime.date(2026, 2, 24), **make)
    returns.return_receipt_record(receipt_no="C", receipt_on=datetime.date(2026, 3, 2), **make)
    returns.return_pay(actor=actor, fund_return=r1, paid_on=datetime.date(2026, 3, 2))
    clock.set(2026, 3, 4)
    returns.return_pay(actor=actor, fund_return=r2, paid_on=datetime.date(2026, 3, 4))  # due 3-2 (Feb 28 worked)
    assert [r.due_on.month for r in FundReturn.objects.order_by("receipt_no")] == [3, 3, 3]
    assert FundReturn.objects.get(receipt_no="B").late is True
    assert figures_income.returns_on_time_rate(cast.county_a, Period.parse("2026-03")) == D("33.3")
    assert figures_income.returns_on_time_rate(cast.city, Period.parse("2026-03")) == D("33.3")
    assert figures_income.returns_on_time_rate(cast.county_a, Period.parse("2026-04")) is None
