"""The ledger's ``oversight.*`` figures, by subtree and period, each read from an index range of the subtree
(org_path + the period's column) rather than by walking its rows: measures set, owners named, measures closed (销号),
the closing rate, measures overdue and not closed at the period's end, dispatch rounds, units on the snail list."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate

from .models import DispatchRound, Measure, MeasureState, SnailPublication

GROUP = _("Oversight")


def _bounds(period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return start, end


def _measures(org):
    return Measure.objects.filter(org_path__startswith=org.path)


@figure("oversight.measures", label=_("Rectification measures"), unit=_("items"), group=GROUP)
def measures(org, period):
    """Measures set in the period in the subtree."""
    start, end = _bounds(period)
    return _measures(org).filter(created_at__gte=start, created_at__lt=end).count()


@figure("oversight.owners", label=_("Owners named"), unit=_("people"), group=GROUP)
def owners(org, period):
    """Distinct owners of the measures set in the period."""
    start, end = _bounds(period)
    return (_measures(org).filter(created_at__gte=start, created_at__lt=end).values("owner_id").distinct()
            .order_by().count())


@figure("oversight.closed", label=_("Measures closed (销号)"), unit=_("items"), group=GROUP)
def closed(org, period):
    """Measures closed in the period (a reopened measure no longer counts)."""
    start, end = _bounds(period)
    return _measures(org).filter(closed_at__gte=start, closed_at__lt=end).count()


@figure("oversight.closing_rate", label=_("Closing rate"), unit="%", group=GROUP)
def closing_rate(org, period):
    """Measures closed by the period's end / measures set by then."""
    _start, end = _bounds(period)
    total = _measures(org).filter(created_at__lt=end).count()
    done = _measures(org).filter(closed_at__lt=end).count()
    return rate(done, total)


@figure("oversight.overdue", label=_("Overdue and not closed"), unit=_("items"), group=GROUP)
def overdue(org, period):
    """Measures past their deadline at the period's end (or today) and not closed by then."""
    _start, end = _bounds(period)
    on = min(period.end, timezone.localdate())
    return (_measures(org).filter(due_on__lt=on, created_at__lt=end)
            .filter(Q(state=MeasureState.OPEN) | Q(closed_at__gte=end)).count())


@figure("oversight.dispatches", label=_("Dispatch rounds"), unit=_("times"), group=GROUP)
def dispatches(org, period):
    start, end = _bounds(period)
    return DispatchRound.objects.filter(org_path__startswith=org.path, opened_at__gte=start,
                                        opened_at__lt=end).count()


@figure("oversight.snail_list", label=_("Units on the snail list"), unit=_("units"), group=GROUP)
def snail_list(org, period):
    """Distinct units named on the snail lists the unit published in the period."""
    start, end = _bounds(period)
    names = set()
    for units in SnailPublication.objects.filter(org=org, published_at__gte=start, published_at__lt=end
                                                 ).values_list("units", flat=True):
        names |= {u["name"] for u in units if u.get("overdue_days") or u.get("missed")}
    return len(names)
