"""The ledger's sweep run by ``gonghui tick`` (``gonghui.oversight.tasks_ledger.ledger_tick``).

Set-based over all open measures (a few UPDATEs, no loop over measures): red when overdue, yellow when an open
dispatch round over it has no report from its owner, blue when due within the "measure" kind's ``blue_within``
working days, else no color. Reminders are sent once per deadline (``reminded_before`` / ``reminded_overdue`` hold
the deadline they were sent for) to the owner's unit, one text per unit and sweep; a measure that turns overdue is
raised once to the parent unit's supervision list; measures no longer red have their items resolved. Once a week
the snail list (蜗牛榜) of every city and county federation with measures is published. A concurrent sweep waits
for the first one's lock on PostgreSQL."""

import datetime
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, notify, supervision
from gonghui.core.access import SYSTEM
from gonghui.core.workdays import add_workdays
from gonghui.orgs.models import Org

from .models import URGENCY, DispatchReport, EventKind, Measure, MeasureEvent, MeasureState, RoundState
from .supervision_ledger import KIND

_ADVISORY_KEY = 0x67680013  # "gh" + 19: the ledger sweep's lock id
CHUNK = 2000

TEMPLATES = {
    "oversight.measure_reminder": _("%(org)s: %(n)s rectification measures need attention (%(red)s overdue, "
                                    "%(blue)s due soon). See the rectification ledger."),
}
for _name, _text in TEMPLATES.items():
    notify.TEMPLATES.setdefault(_name, _text)


def _plain(d) -> datetime.date:
    return datetime.date(d.year, d.month, d.day)


def _stalled():
    return Exists(DispatchReport.objects.filter(measure=OuterRef("pk"), reported_at__isnull=True,
                                                round__state=RoundState.OPEN))


def ledger_tick(now: datetime.datetime | None = None) -> dict:
    """Color every open measure, send the reminders and escalations not sent before. Returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        counts = _recolor(today)
        counts.update(_remind(now, today))
        from .snail import weekly_publish
        counts["published"] = weekly_publish(now)
        audit.record(actor=SYSTEM, action="oversight.ledger_tick", object_type="oversight.measure", details=counts)
    return counts


def _recolor(today: datetime.date) -> dict:
    blue_within, _remind_before = supervision.thresholds(KIND)
    blue_end = _plain(add_workdays(today, blue_within + 1))  # due before this: within blue_within working days
    base = Measure.objects.filter(state=MeasureState.OPEN)
    stalled = _stalled()
    wanted = {
        "red": Q(due_on__lt=today),
        "yellow": Q(due_on__gte=today) & Q(stalled),
        "blue": Q(due_on__gte=today, due_on__lt=blue_end) & ~Q(stalled),
        "": Q(due_on__gte=blue_end) & ~Q(stalled),
    }
    changed = 0
    for color, cond in wanted.items():
        changed += base.filter(cond).exclude(color=color).update(color=color, urgency=URGENCY[color])
    return {"recolored": changed}


def _remind(now: datetime.datetime, today: datetime.date) -> dict:
    _blue_within, remind_before = supervision.thresholds(KIND)
    before_end = _plain(add_workdays(today, remind_before + 1))
    open_ = Measure.objects.filter(state=MeasureState.OPEN)
    before = open_.filter(due_on__gte=today, due_on__lt=before_end).exclude(reminded_before=F("due_on"))
    overdue = open_.filter(due_on__lt=today).exclude(reminded_overdue=F("due_on"))
    soon_rows = list(before.values_list("pk", "org_id").order_by())
    late_rows = list(overdue.values_list("pk", "org_id", "org_path", "due_on", "indicator", "problem__title")
                     .order_by())
    told: dict[int, Counter] = defaultdict(Counter)
    for _pk, org_id in soon_rows:
        told[org_id]["blue"] += 1
    for _pk, org_id, *_rest in late_rows:
        told[org_id]["red"] += 1
    soon_ids, late_ids = [r[0] for r in soon_rows], [r[0] for r in late_rows]
    _mark("reminded_before", soon_ids)
    _mark("reminded_overdue", late_ids)
    # Overdue measures rise to the parent unit's supervision list, once per deadline.
    raised = supervision.raise_many(
        kind=KIND, now=now, describe=_describer(late_rows),
        rows=[supervision.Raise(object_id=pk, key=f"due:{due.isoformat()}", holder_org_id=org_id, holder_path=path,
                                due_on=due) for pk, org_id, path, due, *_text in late_rows])
    _events(now, EventKind.REMINDED, "before", soon_ids)
    _events(now, EventKind.REMINDED, "overdue", late_ids)
    _events(now, EventKind.ESCALATED, "", [item.object_id for item in raised])
    # Items of measures no longer red (closed, or a new deadline) leave the list.
    still_open = supervision.open_object_ids(kind=KIND)
    gone = set()
    ids = sorted(still_open)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        red = set(Measure.objects.filter(pk__in=chunk, state=MeasureState.OPEN, color="red")
                  .values_list("pk", flat=True))
        gone |= set(chunk) - red
    resolved = supervision.resolve_items(kind=KIND, object_ids=gone, now=now) if gone else 0
    notify_units(told)
    return {"reminders": len(soon_rows) + len(late_rows), "escalations": len(raised), "resolved": resolved}


def _mark(column: str, ids: list[int]) -> None:
    """Record on the measures the deadline a reminder was sent for: one statement on PostgreSQL."""
    if not ids:
        return
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        with connection.cursor() as cur:  # the names come from the model, quoted; the ids are a parameter
            cur.execute(f"UPDATE {qn(Measure._meta.db_table)} SET {qn(column)} = {qn('due_on')} "  # noqa: S608
                        f"WHERE {qn('id')} = ANY(%s)", [ids])
        return
    for i in range(0, len(ids), CHUNK):
        Measure.objects.filter(pk__in=ids[i:i + CHUNK]).update(**{column: F("due_on")})


def _events(now: datetime.datetime, kind: str, text: str, ids: list[int]) -> None:
    """One timeline event per measure: on PostgreSQL one INSERT ... SELECT over the ids, not a model per row."""
    if not ids:
        return
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        with connection.cursor() as cur:  # the names come from the model, quoted; every value is a parameter
            cur.execute(f"INSERT INTO {qn(MeasureEvent._meta.db_table)} (measure_id, kind, at, text) "
                        "SELECT unnest(%s::bigint[]), %s, %s, %s", [ids, kind, now, text])
        return
    MeasureEvent.objects.bulk_create([MeasureEvent(measure_id=pk, kind=kind, at=now, text=text) for pk in ids],
                                     batch_size=1000)


def _describer(late_rows):
    """The supervision items' titles and links, from the overdue rows already read (no query, one reverse)."""
    from django.urls import reverse

    head, _zero, tail = reverse("oversight:measure", args=[0]).rpartition("0")
    known = {pk: (f"{title}：{indicator}", f"{head}{pk}{tail}")
             for pk, _org, _path, _due, indicator, title in late_rows}
    return lambda ids: {pk: known[pk] for pk in ids if pk in known}


def notify_units(told: dict[int, Counter], template: str = "oversight.measure_reminder") -> None:
    """One text per unit and sweep, to its contact phone (the owners' unit), after commit: how many items are
    overdue (``red``) and due soon (``blue``). The inspections' sweep sends its own template the same way."""
    for org in Org.objects.filter(pk__in=list(told)).exclude(contact_phone=""):
        c = told[org.pk]
        notify.send_on_commit(to_phone=org.contact_phone, template=template,
                              context={"org": org.name, "n": c["red"] + c["blue"], "red": c["red"],
                                       "blue": c["blue"]})
