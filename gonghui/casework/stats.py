"""Pre-aggregated casework counts: a figure for any subtree and whole months reads the rows of one unit.

Every case adds to one ``CaseStat`` row per unit on its path (its own unit and each ancestor), keyed by the
month it was received, its topic, the month it closed (0 while open) and its state: received, closed, closed on
time, rated, satisfied, working days to close, solved. Every intake adds to one ``IntakeStat`` row per unit on its path,
by month and channel. A service takes a snapshot of the case's contribution when it locks the row and applies
the difference when it saves, in the same transaction; the counters are added with INSERT ... ON CONFLICT DO
UPDATE, so concurrent writers never lose an update. ``rebuild`` recomputes rows from the cases themselves
(after a subtree moves, or to check the counts).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Length, Substr

from gonghui.orgs.models import Org

from .models import SATISFIED, Case, CaseStat, Intake, IntakeStat, State

CASE_KEYS = ("org_path", "month", "topic", "closed_month", "state")
CASE_FIELDS = ("received", "closed", "closed_on_time", "rated", "satisfied", "days_sum", "solved")
INTAKE_KEYS = ("org_path", "month", "channel")
INTAKE_FIELDS = ("intakes", "people", "collective")


def month_key(d: datetime.date | None) -> int:
    return d.year * 100 + d.month if d is not None else 0


def ancestors(path: str) -> list[str]:
    """The unit's own path and every ancestor's (a subtree's counts live on its top unit's path)."""
    step = Org.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def case_row(case: Case) -> tuple[str, tuple, tuple]:
    closed = case.state == State.CLOSED
    if case.linked_at is not None:  # a repeat linked to the earlier case counts there, as one of its intakes
        return case.org_path, (month_key(case.received_on), case.topic, 0, case.state), (0, 0, 0, 0, 0, 0, 0)
    key = (month_key(case.received_on), case.topic, month_key(case.closed_on) if closed else 0, case.state)
    values = (1, int(closed), int(closed and case.replied_on_time is True), int(bool(case.satisfaction)),
              int(case.satisfaction in SATISFIED), (case.days_to_close or 0) if closed else 0,
              int(closed and case.solved))
    return case.org_path, key, values


def remember(case: Case) -> None:
    """Snapshot the case's contribution before a service changes it."""
    case._stat_before = case_row(case)


def case_added(case: Case) -> None:
    _apply(None, case_row(case))
    remember(case)


def case_changed(case: Case) -> None:
    """Apply the change since ``remember`` (nothing when the counted fields did not change)."""
    before = case.__dict__.get("_stat_before")
    if before is None:
        raise RuntimeError("casework stats: case_changed() without remember()")
    after = case_row(case)
    if after != before:
        _apply(before, after)
    case._stat_before = after


def _apply(before, after) -> None:
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CASE_FIELDS))
    for sign, row in ((-1, before), (1, after)):
        if row is None:
            continue
        path, key, values = row
        for unit in ancestors(path):
            d = deltas[(unit, *key)]
            for i, v in enumerate(values):
                d[i] += sign * v
    rows = [(*k, *v) for k, v in sorted(deltas.items()) if any(v)]
    _upsert(CaseStat, CASE_KEYS, CASE_FIELDS, rows)


def intake_added(intake: Intake) -> None:
    collective = int(intake.is_collective)
    rows = [(unit, month_key(intake.received_on), intake.channel, 1, intake.people, collective)
            for unit in ancestors(intake.org_path)]
    _upsert(IntakeStat, INTAKE_KEYS, INTAKE_FIELDS, rows)


def _upsert(model, keys: tuple, fields: tuple, rows: list[tuple]) -> None:
    """Add the values to the counters of each key, creating the row when it is the first (sorted keys: writers
    take the row locks in one order)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*keys, *fields))
    marks = ", ".join(["%s"] * (len(keys) + len(fields)))
    add = ", ".join(f"{qn(f)} = {qn(model._meta.db_table)}.{qn(f)} + excluded.{qn(f)}" for f in fields)
    # Identifiers come from the model and are quoted; every value is a parameter.
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
           f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {add}")
    with connection.cursor() as cur:
        cur.executemany(sql, rows)


def _month(field: str):
    return ExtractYear(field) * 100 + ExtractMonth(field)


def _case_groups(qs, unit):
    closed = Q(state=State.CLOSED)
    return (qs.order_by().annotate(
        unit=unit, m=_month("received_on"),
        cm=SqlCase(When(closed, then=_month("closed_on")), default=Value(0), output_field=IntegerField()))
        .values_list("unit", "m", "topic", "cm", "state")
        .annotate(received=Count("pk"), closed=Count("pk", filter=closed),
                  on_time=Count("pk", filter=closed & Q(replied_on_time=True)),
                  rated=Count("pk", filter=~Q(satisfaction="")),
                  satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
                  days=Coalesce(Sum("days_to_close", filter=closed), 0),
                  solved=Count("pk", filter=closed & Q(solved=True))))


def _intake_groups(qs, unit):
    return (qs.order_by().annotate(unit=unit, m=_month("received_on")).values_list("unit", "m", "channel")
            .annotate(n=Count("pk"), people=Coalesce(Sum("people"), 0),
                      collective=Count("pk", filter=Q(is_collective=True))))


def _store(model, keys, fields, rows) -> int:
    objs = [model(**dict(zip((*keys, *fields), row, strict=True))) for row in rows]
    model.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def rebuild(paths: Iterable[str] | None = None) -> int:
    """Recompute from the cases the rows of these units (each over its whole subtree), or every row."""
    if paths is None:
        CaseStat.objects.all().delete()
        IntakeStat.objects.all().delete()
        depths = {len(p) // Org.steplen for p in Case.objects.values_list("org_path", flat=True).distinct()}
        depths |= {len(p) // Org.steplen for p in Intake.objects.values_list("org_path", flat=True).distinct()}
        n = 0
        for depth in range(1, max(depths, default=0) + 1):
            width = depth * Org.steplen
            unit = Substr("org_path", 1, width)
            cases = Case.objects.filter(linked_at__isnull=True).annotate(length=Length("org_path")).filter(
                length__gte=width)
            intakes = Intake.objects.annotate(length=Length("org_path")).filter(length__gte=width)
            n += _store(CaseStat, CASE_KEYS, CASE_FIELDS, _case_groups(cases, unit))
            n += _store(IntakeStat, INTAKE_KEYS, INTAKE_FIELDS, _intake_groups(intakes, unit))
        return n
    n = 0
    for path in sorted(set(paths)):
        CaseStat.objects.filter(org_path=path).delete()
        IntakeStat.objects.filter(org_path=path).delete()
        unit = Value(path)
        n += _store(CaseStat, CASE_KEYS, CASE_FIELDS, _case_groups(
            Case.objects.filter(org_path__startswith=path, linked_at__isnull=True), unit))
        n += _store(IntakeStat, INTAKE_KEYS, INTAKE_FIELDS,
                    _intake_groups(Intake.objects.filter(org_path__startswith=path), unit))
    return n


def subtree_moved(old_path: str, new_path: str) -> None:
    """The moved subtree's own rows follow it; the units above it, before and after, are recomputed."""
    from gonghui.members.signals import rewrite_prefix

    rewrite_prefix(CaseStat, "org_path", old_path, new_path)
    rewrite_prefix(IntakeStat, "org_path", old_path, new_path)
    rebuild({*ancestors(old_path)[:-1], *ancestors(new_path)[:-1]})
