"""Funds figures: income (工会经费收缴率) and returns (经费返拨 within 5 working days of the receipt)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate

from . import selectors_income

GROUP = _("Funds")


@figure("funds.collection_rate", label=_("Union funds collection rate"), unit="%", group=GROUP)
def collection_rate(org, period):
    """The employers' 2% allocation received / due, for the periods starting in the period, in the subtree."""
    totals = selectors_income.allocation_totals(under=org, start=period.start, end=period.end)
    return rate(totals["received"], totals["due"])


@figure("funds.returns_on_time_rate", label=_("Fund returns within 5 working days"), unit="%", group=GROUP)
def returns_on_time_rate(org, period):
    """Returns paid within 5 working days of the receipt / returns due in the period, paid by the subtree."""
    on_time, due = selectors_income.return_on_time(under=org, start=period.start, end=period.end)
    return rate(on_time, due)
