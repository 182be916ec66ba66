"""Casework figures for a subtree and a period (诉求/信访 statistics, as the federations report them upward).

Cases are counted where they are handled (the unit holding them) by the day they were received: 办结率 is the
share of the period's cases closed by the period's end, 按期办结率 the share of those closed cases answered by
their due date, 满意率 the share of rated cases whose worker was satisfied or basically satisfied. Visits (in
batches and people), letters, calls and online requests are counted where they came in, each time the worker
came, including a contact linked to an open case.

For whole months (a year, a half, a quarter, a month) the counts come from the pre-aggregated rows of the org
itself (``stats``): a handful of rows whatever the subtree's size. Any other range counts the cases; the two
always agree (a test checks it).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate
from gonghui.orgs.models import Org

from . import stats
from .common import local_today
from .models import (
    ONLINE_CHANNELS,
    RUNNING,
    SATISFIED,
    Case,
    CaseStat,
    Channel,
    Intake,
    IntakeStat,
    OpenStat,
    State,
    Topic,
)

GROUP = _("Serving workers")


def whole_months(period) -> tuple[int, int] | None:
    """(first, last) yyyymm when the period is made of whole months, else None."""
    after = period.end + datetime.timedelta(days=1)
    if period.start.day != 1 or after.day != 1:
        return None
    return stats.month_key(period.start), stats.month_key(period.end)


def _memo(period, key, compute):
    """Remembered on the Period object: the dashboard computes every figure with one Period, so the rows are
    read once per page (a new Period, as every request parses its own, reads them again)."""
    memo = period.__dict__.get("_casework_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_casework_memo", memo)  # Period is a frozen dataclass
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def cases_received(org, period):
    return Case.objects.filter(org_path__startswith=org.path, received_on__gte=period.start,
                               received_on__lte=period.end)


def intakes(org, period):
    return Intake.objects.filter(org_path__startswith=org.path, received_on__gte=period.start,
                                 received_on__lte=period.end)


def _case_rows(org, period, months) -> list[tuple]:
    """(month, topic, closed month, received, closed, on time, rated, satisfied, days, solved) of the org's
    subtree."""
    return _memo(period, ("cases", org.path), lambda: list(
        CaseStat.objects.filter(org_path=org.path, month__gte=months[0], month__lte=months[1]).values_list(
            "month", "topic", "closed_month", *stats.CASE_FIELDS)))


def _intake_rows(org, period, months) -> list[tuple]:
    """(month, channel, intakes, people, collective) of the org's subtree."""
    return _memo(period, ("intakes", org.path), lambda: list(
        IntakeStat.objects.filter(org_path=org.path, month__gte=months[0], month__lte=months[1]).values_list(
            "month", "channel", *stats.INTAKE_FIELDS)))


def case_totals(org, period) -> dict:
    months = whole_months(period)
    if months is None:
        return _memo(period, ("raw_cases", org.path), lambda: raw_case_totals(org, period))
    t = dict.fromkeys(("received", "closed", "closed_on_time", "rated", "satisfied", "days_sum", "solved"), 0)
    for _m, _topic, closed_month, received, closed, on_time, rated, satisfied, days, solved in _case_rows(
            org, period, months):
        t["received"] += received
        t["rated"] += rated
        t["satisfied"] += satisfied
        if 0 < closed_month <= months[1]:
            t["closed"] += closed
            t["closed_on_time"] += on_time
            t["days_sum"] += days
            t["solved"] += solved
    t["avg_days"] = t["days_sum"] / t["closed"] if t["closed"] else None
    return t


def raw_case_totals(org, period) -> dict:
    """The same totals counted from the cases (any range; the naive path of the benchmark)."""
    closed = Q(state=State.CLOSED, closed_on__lte=period.end)
    return cases_received(org, period).order_by().aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=closed),
        closed_on_time=Count("pk", filter=closed & Q(replied_on_time=True)),
        rated=Count("pk", filter=~Q(satisfaction="")),
        satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
        avg_days=Avg("days_to_close", filter=closed),
        solved=Count("pk", filter=closed & Q(solved=True)),
    )


def intake_totals(org, period) -> dict:
    months = whole_months(period)
    if months is None:
        return _memo(period, ("raw_intakes", org.path), lambda: {
            k: v or 0 for k, v in raw_intake_totals(org, period).items()})
    t = dict.fromkeys(("visits", "visit_people", "collective", "letters", "calls", "online", "grid"), 0)
    for _m, channel, n, people, collective in _intake_rows(org, period, months):
        t["collective"] += collective
        if channel == Channel.VISIT:
            t["visits"] += n
            t["visit_people"] += people
        elif channel == Channel.LETTER:
            t["letters"] += n
        elif channel == Channel.PHONE:
            t["calls"] += n
        elif channel in ONLINE_CHANNELS:
            t["online"] += n
        elif channel == Channel.GRID:
            t["grid"] += n
    return t


def raw_intake_totals(org, period) -> dict:
    visit = Q(channel=Channel.VISIT)
    return intakes(org, period).order_by().aggregate(
        visits=Count("pk", filter=visit),
        visit_people=Sum("people", filter=visit),
        collective=Count("pk", filter=Q(is_collective=True)),
        letters=Count("pk", filter=Q(channel=Channel.LETTER)),
        calls=Count("pk", filter=Q(channel=Channel.PHONE)),
        online=Count("pk", filter=Q(channel__in=ONLINE_CHANNELS)),
        grid=Count("pk", filter=Q(channel=Channel.GRID)),
    )


@figure("casework.received", label=_("Requests received"), unit=_("cases"), group=GROUP)
def received(org, period):
    return case_totals(org, period)["received"]


@figure("casework.visits", label=_("Visits"), unit=_("batches"), group=GROUP)
def visits(org, period):
    return intake_totals(org, period)["visits"]


@figure("casework.visit_people", label=_("Visitors"), unit=_("person-times"), group=GROUP)
def visit_people(org, period):
    return intake_totals(org, period)["visit_people"] or 0


@figure("casework.collective_visits", label=_("Collective visits"), unit=_("batches"), group=GROUP)
def collective_visits(org, period):
    return intake_totals(org, period)["collective"]


@figure("casework.letters", label=_("Letters"), unit=_("letters"), group=GROUP)
def letters(org, period):
    return intake_totals(org, period)["letters"]


@figure("casework.calls", label=_("Calls"), unit=_("calls"), group=GROUP)
def calls(org, period):
    return intake_totals(org, period)["calls"]


@figure("casework.online", label=_("Online requests"), unit=_("cases"), group=GROUP)
def online(org, period):
    return intake_totals(org, period)["online"]


@figure("casework.grid", label=_("Reported by grid officers"), unit=_("cases"), group=GROUP)
def grid(org, period):
    return intake_totals(org, period)["grid"]


@figure("casework.closed", label=_("Requests closed"), unit=_("cases"), group=GROUP)
def closed(org, period):
    return case_totals(org, period)["closed"]


@figure("casework.problems_solved", label=_("Problems solved for workers"), unit=_("cases"), group=GROUP)
def problems_solved(org, period):
    """为基层/职工解决实际问题: requests of the period closed by its end with the problem marked solved."""
    return case_totals(org, period)["solved"]


@figure("casework.closing_rate", label=_("Closing rate"), unit="%", group=GROUP)
def closing_rate(org, period):
    """办结率: closed / received (the target is 100%)."""
    t = case_totals(org, period)
    return rate(t["closed"], t["received"])


@figure("casework.on_time_rate", label=_("On-time closing rate"), unit="%", group=GROUP)
def on_time_rate(org, period):
    """按期办结率: closed cases answered by their due date / closed cases."""
    t = case_totals(org, period)
    return rate(t["closed_on_time"], t["closed"])


@figure("casework.satisfaction_rate", label=_("Satisfaction rate"), unit="%", group=GROUP)
def satisfaction_rate(org, period):
    """满意率: satisfied or basically satisfied / rated."""
    t = case_totals(org, period)
    return rate(t["satisfied"], t["rated"])


@figure("casework.avg_days", label=_("Average time to close"), unit=_("working days"), group=GROUP)
def avg_days(org, period):
    value = case_totals(org, period)["avg_days"]
    if value is None:
        return None
    return Decimal(str(round(value, 6))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The sweep counts the overdue cases of every unit; older counts than this are not trusted.
SWEEP_FRESH = datetime.timedelta(hours=1)


@figure("casework.overdue_open", label=_("Overdue open requests"), unit=_("cases"), group=GROUP)
def overdue_open(org, period, *, today=None):
    """Cases being handled past their due date now (not those waiting for papers), whatever the period: from
    the last supervision sweep when it ran within the hour, else counted from the cases."""
    fresh = timezone.now() - SWEEP_FRESH
    row = OpenStat.objects.filter(org_path=org.path).values_list("red", "swept_at").first()
    if row is not None and row[1] >= fresh:
        return row[0]
    last = OpenStat.objects.order_by("-swept_at").values_list("swept_at", flat=True).first()
    if row is None and last is not None and last >= fresh:
        return 0  # swept, and nothing is running in this subtree
    return raw_overdue_open(org, today=today)


def raw_overdue_open(org, *, today=None) -> int:
    return Case.objects.filter(org_path__startswith=org.path, state__in=RUNNING, paused_since__isnull=True,
                               due_on__lt=today or local_today()).count()


@figure("casework.by_channel", label=_("Requests by channel"), unit=_("times"), group=GROUP, breakdown=True,
        chart="pie")
def by_channel(org, period):
    counts: dict[str, int] = {}
    if months := whole_months(period):
        for _m, channel, n, _people, _collective in _intake_rows(org, period, months):
            counts[channel] = counts.get(channel, 0) + n
    else:
        counts = dict(intakes(org, period).order_by().values_list("channel").annotate(n=Count("pk")))
    return [(str(label), counts[value]) for value, label in Channel.choices if counts.get(value)]


@figure("casework.by_topic", label=_("Requests by topic"), unit=_("cases"), group=GROUP, breakdown=True,
        chart="bar")
def by_topic(org, period):
    counts: dict[str, int] = {}
    if months := whole_months(period):
        for _m, topic, _cm, received, *_rest in _case_rows(org, period, months):
            counts[topic] = counts.get(topic, 0) + received
    else:
        counts = dict(cases_received(org, period).order_by().values_list("topic").annotate(n=Count("pk")))
    return [(str(label), counts[value]) for value, label in Topic.choices if counts.get(value)]


def _months(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@figure("casework.trend", label=_("Requests received by month"), unit=_("cases"), group=GROUP, breakdown=True,
        chart="line")
def trend(org, period):
    counts: dict[tuple[int, int], int] = {}
    if months := whole_months(period):
        for month, _topic, _cm, received, *_rest in _case_rows(org, period, months):
            key = divmod(month, 100)
            counts[key] = counts.get(key, 0) + received
    else:
        rows = (cases_received(org, period).order_by()
                .annotate(y=ExtractYear("received_on"), m=ExtractMonth("received_on"))
                .values_list("y", "m").annotate(n=Count("pk")))
        counts = {(y, m): n for y, m, n in rows}
    return [(f"{y}-{m:02d}", counts.get((y, m), 0)) for y, m in _months(period.start, period.end)]


@figure("casework.by_unit", label=_("Requests by unit"), unit=_("cases"), group=GROUP, breakdown=True, chart="bar")
def by_unit(org, period):
    """Cases of each unit directly under ``org`` (with its subtree), and of ``org`` itself."""
    if months := whole_months(period):
        children = dict(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).values_list("path", "name"))
        counts = dict(CaseStat.objects.filter(org_path__in=[org.path, *children], month__gte=months[0],
                                              month__lte=months[1]).order_by().values_list("org_path")
                      .annotate(n=Sum("received")))
        own = counts.pop(org.path, 0) - sum(counts.values())
        out = [(org.name, own)] if own else []
        return out + [(children[p], n) for p, n in sorted(counts.items()) if n]
    width = len(org.path) + Org.steplen
    rows = (cases_received(org, period).order_by().annotate(prefix=Substr("org_path", 1, width))
            .values_list("prefix").annotate(n=Count("pk")))
    counts = dict(rows)
    names = dict(Org.objects.filter(path__in=[p for p in counts if p != org.path]).values_list("path", "name"))
    out = [(org.name, counts[org.path])] if counts.get(org.path) else []
    out += [(names.get(p, p), n) for p, n in sorted(counts.items()) if p != org.path]
    return out
