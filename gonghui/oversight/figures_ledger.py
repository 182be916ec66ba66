"""The ledger's ``oversight.*`` figures, by subtree and period: measures set, owners named, measures closed (销号),
the closing rate, measures overdue and not closed at the period's end, dispatch rounds, units on the snail list.

Whole months (a year, a half, a quarter, a month) read the pre-aggregated rows of the org itself
(``stats_measures``: a few hundred rows, one read per page); any other range counts the measures of the subtree (the
naive path). The two always agree (tests and the benchmark check it). The overdue figure's deadline bound is a day
(the period's end or today): whole deadline months come from the rows, the days of its month before it from the
(due_on, org_path) index."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.casework.stats import month_key
from gonghui.core.figures import figure, rate
from gonghui.orgs.signals import subtree_moved

from . import stats_measures
from .figures_problems import whole_months as _whole_months
from .models import DispatchRound, Measure, MeasureStat, MeasureState, SnailPublication

GROUP = _("Oversight")


def _bounds(period) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return start, end


def _measures(org):
    return Measure.objects.filter(org_path__startswith=org.path)


def whole_months(period) -> tuple[int, int] | None:
    return _whole_months(period)


def _stat(org, period) -> dict | None:
    """The org's pre-aggregated rows for a whole-month period (None otherwise): {"all": [(created, closed, due, n)],
    "owners": distinct owners of the measures created in the period}. Read once per org and period."""
    months = whole_months(period)
    if not months:
        return None
    memo = period.__dict__.get("_measures_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_measures_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        rows = list(MeasureStat.objects.filter(unit=org.path, owner=0, n__gt=0)
                    .values_list("created", "closed", "due", "n"))
        lo, hi = months
        if lo % 100 == 1 and hi % 100 == 12:  # whole years: the owners' year rows (yyyy00), one per owner and year
            created = {"created__in": [y * 100 for y in range(lo // 100, hi // 100 + 1)]}
        else:
            created = {"created__gte": lo, "created__lte": hi}
        owners = (MeasureStat.objects.filter(unit=org.path, owner__gt=0, n__gt=0, **created)
                  .values("owner").distinct().order_by().count())
        memo[org.path] = {"all": rows, "owners": owners, "months": months}
    return memo[org.path]


@figure("oversight.measures", label=_("Rectification measures"), unit=_("items"), group=GROUP)
def measures(org, period):
    """Measures set in the period in the subtree."""
    if (st := _stat(org, period)) is not None:
        lo, hi = st["months"]
        return sum(n for c, _x, _d, n in st["all"] if lo <= c <= hi)
    start, end = _bounds(period)
    return _measures(org).filter(created_at__gte=start, created_at__lt=end).count()


@figure("oversight.owners", label=_("Owners named"), unit=_("people"), group=GROUP)
def owners(org, period):
    """Distinct owners of the measures set in the period."""
    if (st := _stat(org, period)) is not None:
        return st["owners"]
    start, end = _bounds(period)
    return (_measures(org).filter(created_at__gte=start, created_at__lt=end).values("owner_id").distinct()
            .order_by().count())


@figure("oversight.closed", label=_("Measures closed (销号)"), unit=_("items"), group=GROUP)
def closed(org, period):
    """Measures closed in the period (a reopened measure no longer counts)."""
    if (st := _stat(org, period)) is not None:
        lo, hi = st["months"]
        return sum(n for _c, x, _d, n in st["all"] if lo <= x <= hi)
    start, end = _bounds(period)
    return _measures(org).filter(closed_at__gte=start, closed_at__lt=end).count()


def _months_of(period) -> list[tuple[int, int]]:
    out, y, m = [], period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@figure("oversight.closed_by_month", label=_("Measures closed (销号) by month"), unit=_("items"), group=GROUP,
        breakdown=True, chart="line")
def closed_by_month(org, period):
    """The closure chart of the dashboard: measures closed in each month of the period (as ``oversight.closed``)."""
    if (st := _stat(org, period)) is not None:
        lo, hi = st["months"]
        counts: dict[int, int] = {}
        for _c, x, _d, n in st["all"]:
            if lo <= x <= hi:
                counts[x] = counts.get(x, 0) + n
    else:
        start, end = _bounds(period)
        tz = timezone.get_current_timezone()
        rows = (_measures(org).filter(closed_at__gte=start, closed_at__lt=end).order_by()
                .annotate(y=ExtractYear("closed_at", tzinfo=tz), m=ExtractMonth("closed_at", tzinfo=tz))
                .values_list("y", "m").annotate(n=Count("pk")))
        counts = {y * 100 + m: n for y, m, n in rows}
    return [(f"{y}-{m:02d}", counts.get(y * 100 + m, 0)) for y, m in _months_of(period)]


@figure("oversight.closing_rate", label=_("Closing rate"), unit="%", group=GROUP)
def closing_rate(org, period):
    """Measures closed by the period's end / measures set by then."""
    if (st := _stat(org, period)) is not None:
        hi = st["months"][1]
        return rate(sum(n for _c, x, _d, n in st["all"] if x and x <= hi),
                    sum(n for c, _x, _d, n in st["all"] if c <= hi))
    _start, end = _bounds(period)
    total = _measures(org).filter(created_at__lt=end).count()
    done = _measures(org).filter(closed_at__lt=end).count()
    return rate(done, total)


@figure("oversight.overdue", label=_("Overdue and not closed"), unit=_("items"), group=GROUP)
def overdue(org, period):
    """Measures past their deadline at the period's end (or today) and not closed by then."""
    _start, end = _bounds(period)
    on = min(period.end, timezone.localdate())
    if (st := _stat(org, period)) is not None:
        hi, on_month = st["months"][1], month_key(on)
        # Set by the period's end (created in its last month or before), not closed by then (open, or closed
        # after its last month), due in a month before the bound's ...
        whole = sum(n for c, x, d, n in st["all"] if c <= hi and (not x or x > hi) and d < on_month)
        # ... or in the bound's month before the bound: counted from the index over the fewer days, those before the
        # bound, or (the month's row minus) those from the bound to the month's end — one day for a period's end.
        next_month = (on.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        late = _measures(org).filter(created_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        if on.day - 1 <= (next_month - on).days:
            part = late.filter(due_on__gte=on.replace(day=1), due_on__lt=on).count() if on.day > 1 else 0
        else:
            month = sum(n for c, x, d, n in st["all"] if c <= hi and (not x or x > hi) and d == on_month)
            part = month - late.filter(due_on__gte=on, due_on__lt=next_month).count()
        return whole + part
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


@receiver(subtree_moved)
def _moved(sender, old_path: str, new_path: str, **kwargs):
    stats_measures.subtree_moved(old_path, new_path)
