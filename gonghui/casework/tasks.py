"""The supervision sweep run by ``gonghui tick`` (every few minutes, from a timer or the task worker).

Every running case gets its color by the shared scheme of ``gonghui.core.supervision`` and the "case" kind's
thresholds (blue: due within 2 working days unless set otherwise; yellow: its stage had no progress for its share
of the time limit; red: overdue). A case gets one reminder to its handling unit and lead handler before the
deadline (within the kind's ``remind_before`` working days), one when it stalls and one when overdue; a red one is
also raised once to the parent unit's supervision list (a ``SupervisionItem`` of kind "case"), and resolved there
when it is no longer red. Each reminder is a ``CaseAlert`` row whose unique key names what it is about (the due
date, or the stalled stage), so running the sweep twice sends nothing twice, and a concurrent sweep waits for the
first one's lock.
"""

import datetime
from collections import Counter, defaultdict
from typing import NamedTuple

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from gonghui.core import audit, supervision
from gonghui.core.access import SYSTEM
from gonghui.orgs.models import Org

from . import deadlines, notices, stats
from .models import RUNNING, AlertKind, Case, CaseAlert, CaseStat, Color, OpenStat
from .supervision_casework import KIND

_ADVISORY_KEY = 0x67680004  # "gh" + 4: the casework sweep's lock id
CHUNK = 2000


def _alert_key(color: str, state: str, due_on: datetime.date, progress_on: datetime.date) -> str:
    if color == Color.YELLOW:
        return f"stall:{state}:{progress_on.isoformat()}"
    return f"due:{due_on.isoformat()}"


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def casework_tick(now: datetime.datetime | None = None) -> dict:
    """Color every running case and send the reminders and escalations not sent before. Returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        result, new_alerts, raised = _sweep(now, today)
        _notify(new_alerts, raised)
        audit.record(actor=SYSTEM, action="case.tick", object_type="case", details=result)
    return result


def _sweep(now: datetime.datetime, today: datetime.date) -> tuple[dict, list["NewAlert"], list]:
    blue_within, remind_before = supervision.thresholds(KIND)
    rows = Case.objects.filter(state__in=RUNNING).values_list(
        "pk", "state", "paused_since", "due_on", "limit_days", "progress_at", "color", "holder_org_id", "org_path",
        "owner_id").order_by()
    recolor: dict[str, list[int]] = defaultdict(list)
    wanted: list[tuple] = []  # (case id, kind, key, holder id, path, owner id, due)
    red: list[supervision.Raise] = []
    counts = {"checked": 0, Color.BLUE: 0, Color.YELLOW: 0, Color.RED: 0}
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # running, paused, red, yellow, blue
    slot = {Color.RED: 2, Color.YELLOW: 3, Color.BLUE: 4}
    tz = timezone.get_current_timezone()
    for pk, state, paused_since, due_on, limit, progress_at, color, holder_id, path, owner_id in rows.iterator(
            chunk_size=CHUNK):
        counts["checked"] += 1
        progress_on = progress_at.astimezone(tz).date()
        paused = paused_since is not None
        new = deadlines.color_for(state=state, paused=paused, due_on=due_on, limit_days=limit,
                                  progress_on=progress_on, today=today, blue_within=blue_within)
        if new != color:
            recolor[new].append(pk)
        tally = by_path[path]
        tally[0] += 1
        tally[1] += paused
        if new:
            tally[slot[new]] += 1
            counts[new] += 1
        # The reminder before the deadline (the "blue" one) goes out within ``remind_before`` working days of it.
        remind = new
        if new in (Color.NONE, Color.BLUE):
            clock_runs = not paused and state in deadlines.STAGE_SHARE
            soon = clock_runs and supervision.reminder_due(due_on=due_on, today=today,
                                                           remind_before=remind_before) == "before"
            remind = Color.BLUE if soon else Color.NONE
        if remind:
            key = _alert_key(remind, state, due_on, progress_on)
            wanted.append((pk, remind, key, holder_id, path, owner_id, due_on))
            if remind == Color.RED:
                red.append(supervision.Raise(pk, key, holder_id, path, due_on))
    _recolor(recolor)
    new_alerts = _new_alerts(wanted, now)
    raised = supervision.raise_many(kind=KIND, rows=red, now=now, describe=_describe)
    # Items of cases no longer red (answered, closed, paused, a new deadline) leave the "to supervise" tab.
    still_red = {r.object_id for r in red}
    supervision.resolve_items(kind=KIND, object_ids=supervision.open_object_ids(kind=KIND) - still_red, now=now)
    _open_counts(by_path, now)
    # Counts left at zero by cases that changed state or moved; the next change recreates its row.
    CaseStat.objects.filter(received=0).delete()
    counts = {str(k): v for k, v in counts.items()}
    counts["recolored"] = sum(len(v) for v in recolor.values())
    counts["reminders"] = len(new_alerts)
    counts["escalations"] = len(raised)
    return counts, new_alerts, raised


def _describe(ids: set[int]) -> dict[int, tuple[str, str]]:
    """The title (code and subject) and page of the cases raised now."""
    out = {}
    for pk, code, subject in Case.objects.filter(pk__in=ids).values_list("pk", "code", "subject").order_by():
        out[pk] = (f"{code}　{subject}", reverse("casework:detail", args=[code]))
    return out


def _recolor(recolor: dict[str, list[int]]) -> None:
    if connection.vendor == "postgresql":
        # One statement for every change: the ids and their colors as two arrays.
        ids = [pk for ids in recolor.values() for pk in ids]
        colors = [color for color, ids in recolor.items() for _pk in ids]
        if ids:
            with connection.cursor() as cur:
                cur.execute("UPDATE casework_case SET color = v.color FROM unnest(%s::bigint[], %s::text[]) "
                            "AS v(id, color) WHERE casework_case.id = v.id", [ids, colors])
        return
    for color, ids in recolor.items():
        for chunk in _chunks(ids):
            Case.objects.filter(pk__in=chunk).update(color=color)


def _open_counts(by_path: dict[str, list[int]], now: datetime.datetime) -> None:
    """Rewrite the per-unit counts of running cases (each unit with its whole subtree)."""
    rolled: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for path, tally in by_path.items():
        for unit in stats.ancestors(path):
            into = rolled[unit]
            for i, n in enumerate(tally):
                into[i] += n
    OpenStat.objects.all().delete()
    OpenStat.objects.bulk_create([
        OpenStat(org_path=p, running=t[0], paused=t[1], red=t[2], yellow=t[3], blue=t[4], swept_at=now)
        for p, t in sorted(rolled.items())], batch_size=1000)


class NewAlert(NamedTuple):
    case_id: int
    kind: str
    key: str
    org_id: int
    org_path: str
    user_id: int | None
    due_on: datetime.date


def _new_alerts(wanted: list[tuple], now: datetime.datetime) -> list[NewAlert]:
    """The reminders not sent before, created (escalations are supervision items: see ``_sweep``)."""
    if not wanted:
        return []
    # The alerts of the cases still running, in one read (the older ones of answered cases are not needed).
    existing = set(CaseAlert.objects.filter(case__state__in=RUNNING).values_list("case_id", "kind", "key")
                   .order_by().iterator(chunk_size=CHUNK))
    alerts = [NewAlert(pk, kind, key, holder_id, path, owner_id, due_on)
              for pk, kind, key, holder_id, path, owner_id, due_on in wanted if (pk, kind, key) not in existing]
    if alerts:
        _insert_alerts(alerts, now)
    return alerts


def _insert_alerts(alerts: list[NewAlert], now: datetime.datetime) -> None:
    if connection.vendor == "postgresql" and len(alerts) > CHUNK:
        # COPY, inside the sweep's transaction: a backlog's first sweep creates an alert per colored case.
        columns = ("case_id", "kind", "key", "org_id", "org_path", "user_id", "due_on", "created_at", "handled_note")
        # Every value is a number, a date, a code or a path (no tab, newline or backslash to escape): the text
        # format is written directly, in blocks.
        stamp, null = now.isoformat(), "\\N"
        with connection.cursor() as cur, cur.cursor.copy(
                f"COPY casework_casealert ({', '.join(columns)}) FROM STDIN") as copy:
            for chunk in _chunks(alerts, 20000):
                copy.write("".join(
                    f"{a.case_id}\t{a.kind}\t{a.key}\t{a.org_id}\t{a.org_path}\t"
                    f"{null if a.user_id is None else a.user_id}\t{a.due_on.isoformat()}\t{stamp}\t\n"
                    for a in chunk))
        return
    for chunk in _chunks(alerts):
        CaseAlert.objects.bulk_create([CaseAlert(**a._asdict(), created_at=now) for a in chunk])


def _notify(alerts: list[NewAlert], raised: list) -> None:
    """One text per told unit and sweep, to its contact phone, with the counts (after commit): a township with
    forty overdue cases gets one message, not forty. The handlers see each reminder in the inbox and on the case;
    the parent unit sees the escalations on its supervision list."""
    told: dict[int, Counter] = defaultdict(Counter)
    for alert in alerts:
        told[alert.org_id][alert.kind] += 1
    for item in raised:
        told[item.told_org_id][AlertKind.ESCALATION] += 1
    phones = {o.pk: (o.name, o.contact_phone) for o in Org.objects.filter(pk__in=told).exclude(contact_phone="")}
    for org_id, kinds in told.items():
        if org_id not in phones:
            continue
        name, phone = phones[org_id]
        if kinds[AlertKind.ESCALATION]:
            notices.tell(phone=phone, template="case.escalated", org=name, n=kinds[AlertKind.ESCALATION])
        reminders = sum(n for kind, n in kinds.items() if kind != AlertKind.ESCALATION)
        if reminders:
            notices.tell(phone=phone, template="case.reminder", org=name, n=reminders, red=kinds[AlertKind.RED],
                         yellow=kinds[AlertKind.YELLOW], blue=kinds[AlertKind.BLUE])


@task()
def casework_tick_task() -> dict:
    """The queued form of ``casework_tick`` (for a task worker's periodic schedule)."""
    return casework_tick()
