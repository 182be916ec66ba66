"""Funds figures: audits (经审 coverage, vouchers checked) and 三公 spending.

- ``funds.audit_coverage``: grassroots unions in the subtree audited for the period's year (the year of the
  period's end) over the active grassroots unions in the subtree, %.
- ``funds.vouchers_checked``: vouchers checked by the audits in the subtree that ended within the period.
- ``funds.three_public``: expenditure (debits minus credits) in the subtree and period on the accounts of official
  reception, official cars and official trips abroad (paths ending with one of ``chart.THREE_PUBLIC``, or below one).
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate
from gonghui.orgs.models import Level, Org, Status

from .budgets import three_public_q
from .models import AccountKind, Audit, VoucherLine

GROUP = _("Funds")


@figure("funds.audit_coverage", label=_("Unions audited (one audit a year)"), unit="%", group=GROUP)
def audit_coverage(org, period):
    unions = Org.objects.filter(path__startswith=org.path, level=Level.GRASSROOTS, status=Status.ACTIVE)
    total = unions.count()
    audited = (Audit.objects.filter(org_path__startswith=org.path, year=period.end.year,
                                    org__level=Level.GRASSROOTS, org__status=Status.ACTIVE)
               .values("org_id").distinct().count())
    return rate(audited, total)


@figure("funds.vouchers_checked", label=_("Vouchers checked in audits"), unit=_("vouchers"), group=GROUP)
def vouchers_checked(org, period):
    total = (Audit.objects.filter(org_path__startswith=org.path, ended_on__gte=period.start,
                                  ended_on__lte=period.end).aggregate(n=Sum("vouchers_checked"))["n"])
    return total or 0


@figure("funds.three_public", label=_("Reception, official cars and trips abroad"), unit=_("yuan"),
        group=GROUP)
def three_public(org, period):
    sums = (VoucherLine.objects.filter(org_path__startswith=org.path, kind=AccountKind.EXPENSE,
                                       date__gte=period.start, date__lte=period.end)
            .filter(three_public_q()).aggregate(d=Sum("debit"), c=Sum("credit")))
    return ((sums["d"] or Decimal(0)) - (sums["c"] or Decimal(0))).quantize(Decimal("0.01"))
