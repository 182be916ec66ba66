"""The snail list (蜗牛榜): units and owners ranked by overdue working days and missed dispatch reports over a
period, inside a federation's subtree.

Computed from indexes, not by walking measures one by one: overdue measures of the period come grouped by (unit,
owner, deadline, closing day) — few distinct groups even at 300,000 measures — and each group's overdue working days
are counted once from the working-day calendar; missed reports are counted per (unit, owner) from the dispatch
reports' (org_path, due_on) index. Published weekly by the ledger tick (and on demand by the office), frozen in a
``SnailPublication``."""

import datetime
from collections import defaultdict
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.workdays import workdays_between
from gonghui.orgs.models import Level, Org

from .models import DispatchReport, Measure, SnailPublication

TOP = 50
MAX_DAYS = 400


@lru_cache(maxsize=4096)
def _late_days(due_on: datetime.date, stop: datetime.date, start: datetime.date) -> int:
    lower = max(due_on, start - datetime.timedelta(days=1))
    return max(0, int(workdays_between(lower, stop))) if stop > lower else 0


def _period(start, end) -> tuple[datetime.date, datetime.date]:
    if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
        raise ValidationError(_("Enter a valid period."))
    if end < start:
        raise ValidationError(_("The end of the period is before its start."))
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("A period of at most %(n)s days.") % {"n": MAX_DAYS})
    return start, end


def snail_board(actor, *, org, start, end, top: int = TOP) -> dict:
    """{"units": [...], "owners": [...]}: rows {id, name, overdue_days, missed, measures}, worst first."""
    actor.require("oversight.view")
    actor.require_covers(org.path)
    start, end = _period(start, end)
    return _board(org, start, end, top=top, today=timezone.localdate())


def _late_python(org, start, stop_all) -> list[tuple[str, int, int, int]]:
    """("unit" or "owner", its id, overdue working days, late measures), grouping the measures by deadline and
    closing day and counting each group's days once from the calendar."""
    late = (Measure.objects.filter(org_path__startswith=org.path, due_on__lt=stop_all)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=start))
            .annotate(closed_on=TruncDate("closed_at")).values("org_id", "owner_id", "due_on", "closed_on")
            .annotate(n=Count("id")).order_by())
    out: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in late:
        stop = min(stop_all, row["closed_on"]) if row["closed_on"] else stop_all
        days = _late_days(row["due_on"], stop, start)
        if days > 0:
            for key in (("unit", row["org_id"]), ("owner", row["owner_id"])):
                out[key][0] += days * row["n"]
                out[key][1] += row["n"]
    return [(kind, pk, days, n) for (kind, pk), (days, n) in out.items()]


def _late_sql(org, start, stop_all) -> list[tuple[int, int, int, int]]:
    """The same in one aggregate on PostgreSQL: a measure's overdue working days in the period are W(upper) -
    W(lower), where W is the running count of working days from the day before the period (passed as an array, one
    entry per calendar day: the period is at most MAX_DAYS long), lower the later of its deadline and that day, upper
    the earlier of its closing day and the period's last day so far. Grouping sets give the units' and the owners'
totals in the same pass; the (closed_at, org_path, due_on, org, owner) index serves the open measures and those
closed since the period began without reading the table. No measure goes through Python."""
    base = start - datetime.timedelta(days=1)
    span = (stop_all - base).days
    if span <= 0:
        return []
    running = [int(workdays_between(base, base + datetime.timedelta(days=k))) for k in range(span + 1)]
    table = connection.ops.quote_name(Measure._meta.db_table)
    closed_on = "(m.closed_at AT TIME ZONE %(tz)s)::date"
    upper = f"(LEAST(COALESCE({closed_on}, %(stop)s::date), %(stop)s::date) - %(base)s::date + 1)"
    lower = "(GREATEST(m.due_on, %(base)s::date) - %(base)s::date + 1)"
    late = f"(%(w)s::int[])[{upper}] - (%(w)s::int[])[{lower}]"
    # The table name comes from the model and is quoted; every value is a parameter.
    # Open measures and those closed since the period began: two ranges of the index's leading column.
    rows = " UNION ALL ".join(
        f"SELECT closed_at, due_on, org_id, owner_id FROM {table} "  # noqa: S608
        f"WHERE {closed} AND org_path LIKE %(prefix)s AND due_on < %(stop)s"
        for closed in ("closed_at IS NULL", "closed_at >= %(since)s"))
    sql = (f"SELECT GROUPING(m.org_id), COALESCE(m.org_id, m.owner_id), SUM({late}), COUNT(*) "  # noqa: S608
           f"FROM ({rows}) m WHERE {upper} > {lower} AND {late} > 0 "
           f"GROUP BY GROUPING SETS ((m.org_id), (m.owner_id))")
    since = datetime.datetime.combine(start, datetime.time(), tzinfo=timezone.get_current_timezone())
    params = {"tz": timezone.get_current_timezone_name(), "stop": stop_all, "base": base, "since": since,
              "w": running, "prefix": org.path + "%"}  # a path is letters and digits
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [("owner" if grouping else "unit", pk, int(days), n) for grouping, pk, days, n in cur.fetchall()]


def _board(org, start, end, *, top: int, today: datetime.date) -> dict:
    stop_all = min(end, today)
    units: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # overdue days, missed reports, late measures
    owners: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    late = _late_sql(org, start, stop_all) if connection.vendor == "postgresql" else _late_python(org, start, stop_all)
    for kind, pk, days, n in late:
        bucket = units if kind == "unit" else owners
        bucket[pk][0] += days
        bucket[pk][2] += n
    missed = (DispatchReport.objects.filter(org_path__startswith=org.path, due_on__gte=start,
                                            due_on__lte=end, due_on__lt=today, reported_at__isnull=True)
              .values("org_id", "owner_id").annotate(n=Count("id")).order_by())
    for row in missed:
        units[row["org_id"]][1] += row["n"]
        owners[row["owner_id"]][1] += row["n"]

    def ranked(bucket: dict, names: dict) -> list[dict]:
        rows = sorted(bucket.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:top]
        return [{"id": pk, "name": names.get(pk, ""), "overdue_days": v[0], "missed": v[1], "measures": v[2]}
                for pk, v in rows]

    unit_ids = sorted(units, key=lambda k: (-units[k][0], -units[k][1], k))[:top]
    owner_ids = sorted(owners, key=lambda k: (-owners[k][0], -owners[k][1], k))[:top]
    unit_names = dict(Org.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    owner_names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=owner_ids)}
    return {"org": org, "start": start, "end": end, "units": ranked(units, unit_names),
            "owners": ranked(owners, owner_names)}


def snail_publish(actor, *, org, start, end) -> SnailPublication:
    """The office publishes the list of the period inside its federation."""
    actor.require("oversight.write")
    actor.require_covers(org.path)
    if not org.is_federation:
        raise ValidationError(_("Only a federation publishes a snail list."))
    board = snail_board(actor, org=org, start=start, end=end)
    with transaction.atomic():
        pub = SnailPublication.objects.create(org=org, org_path=org.path, start=start, end=end,
                                              published_by=actor.user, published_at=timezone.now(),
                                              units=_frozen(board["units"]),
                                              owners=_frozen(board["owners"]))
        audit.record(actor=actor, action="oversight.snail_publish", object_type="oversight.snail",
                     object_id=str(pub.pk), scope_path=org.path, details={"start": start, "end": end})
    return pub


def _frozen(rows: list[dict]) -> list[dict]:
    return [{k: r[k] for k in ("name", "overdue_days", "missed", "measures")} for r in rows]


def quarter_start(d: datetime.date) -> datetime.date:
    return datetime.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def weekly_publish(now: datetime.datetime) -> int:
    """Once per ISO week, each city and county federation with measures in its subtree publishes the list of the
    quarter so far (called by the ledger tick)."""
    today = timezone.localdate(now)
    year, week, _day = today.isocalendar()
    key = f"{year}-W{week:02d}"
    done = set(SnailPublication.objects.filter(week=key).values_list("org_id", flat=True))
    made = 0
    for org in Org.objects.filter(level__in=(Level.CITY, Level.COUNTY), status="active").exclude(pk__in=done):
        if not Measure.objects.filter(org_path__startswith=org.path).exists():
            continue
        board = _board(org, quarter_start(today), today, top=TOP, today=today)
        try:
            with transaction.atomic():
                SnailPublication.objects.create(org=org, org_path=org.path, start=board["start"], end=board["end"],
                                                week=key, published_at=now, units=_frozen(board["units"]),
                                                owners=_frozen(board["owners"]))
        except IntegrityError:
            continue
        made += 1
    return made


def publications(actor, *, org):
    actor.require("oversight.view")
    actor.require_covers(org.path)
    return SnailPublication.objects.filter(org=org).order_by("-published_at")
