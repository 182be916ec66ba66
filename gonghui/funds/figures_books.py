"""Funds figures of the books: income and expenditure by category (first-level accounts), and the share of
grassroots unions keeping their own books (基层工会单独建账率).

Income is credits minus debits on income accounts, expenditure debits minus credits on expenditure accounts, over
the vouchers of every union in the subtree dated in the period: one grouped SUM on the lines' path-and-date index.
A reversed voucher and its reversal (negative amounts) net to zero.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate
from gonghui.orgs.figures import grassroots

from . import chart as charts
from .models import AccountKind, Book, Voucher, VoucherLine

GROUP = _("Funds")
ZERO = Decimal("0.00")
YUAN = Decimal("1")


def _order() -> dict[str, int]:
    """The shipped chart's first-level accounts in code order (a revision's new ones follow)."""
    return {path: i for i, (code, path, _kind) in enumerate(charts.STANDARD_ACCOUNTS) if "-" not in path}


def by_category(org, period, kind: str) -> list[tuple[str, int]]:
    """(first-level account name, amount in whole yuan) with a non-zero amount, in chart order. Whole yuan: a
    breakdown is a list of (label, integer) pairs for the dashboard and the figures API (the books themselves keep
    the cents)."""
    rows = (VoucherLine.objects.filter(org_path__startswith=org.path, date__gte=period.start,
                                       date__lte=period.end, kind=kind)
            .order_by().values("account__path").annotate(d=Sum("debit"), c=Sum("credit")))
    totals: dict[str, Decimal] = {}
    for r in rows:
        root = r["account__path"].split("-")[0]
        net = (r["c"] or ZERO) - (r["d"] or ZERO)
        totals[root] = totals.get(root, ZERO) + (net if kind == AccountKind.INCOME else -net)
    order = _order()
    return [(name, int(amount.quantize(YUAN, rounding=ROUND_HALF_UP)))
            for name, amount in sorted(totals.items(), key=lambda t: (order.get(t[0], 99), t[0])) if amount]


@figure("funds.income", label=_("Income by category"), unit=_("yuan"), group=GROUP, breakdown=True, chart="bar")
def income(org, period):
    return by_category(org, period, AccountKind.INCOME)


@figure("funds.expense", label=_("Expenditure by category"), unit=_("yuan"), group=GROUP, breakdown=True,
        chart="bar")
def expense(org, period):
    return by_category(org, period, AccountKind.EXPENSE)


@figure("funds.bookkeeping_rate", label=_("Grassroots unions keeping their own books"), unit="%", group=GROUP)
def bookkeeping_rate(org, period):
    """基层工会单独建账率: grassroots unions of the subtree with a book of the period's year holding at least one
    voucher / the grassroots unions existing at the period's end."""
    unions = grassroots(org, period)
    keeping = Book.objects.filter(org=OuterRef("pk"), year__gte=period.start.year, year__lte=period.end.year).filter(
        Exists(Voucher.objects.filter(book=OuterRef("pk"))))
    return rate(unions.filter(Exists(keeping)).count(), unions.count())
