"""The fund-return sweep run by ``gonghui tick`` (``gonghui.funds.tasks_income.returns_tick``).

Every pending return gets its color (blue: due within 2 working days; red: overdue). A return that turns a color
gets one reminder to the paying federation, and a red one is escalated once to the paying federation's parent
(its supervision list). Each is a ``ReturnAlert`` whose unique key names the due date, so running the sweep twice
sends nothing twice; a concurrent sweep waits for the first one's lock on PostgreSQL.
"""

import datetime
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from gonghui.core import audit, notify
from gonghui.core.access import SYSTEM
from gonghui.orgs.models import Org

from .models import AlertKind, FundReturn, ReturnAlert, ReturnColor, ReturnState
from .returns import color_for

_ADVISORY_KEY = 0x6768000C  # "gh" + 12: the funds returns sweep's lock id

TEMPLATES = {
    "funds.return_reminder": _("%(org)s: %(n)s fund returns need paying (%(red)s overdue, %(blue)s due within 2 "
                               "working days). See the returns inbox."),
    "funds.return_escalated": _("%(org)s: %(n)s fund returns owed by the federations under you are overdue and now "
                                "on your supervision list."),
}
for _name, _text in TEMPLATES.items():
    notify.TEMPLATES.setdefault(_name, _text)


def returns_tick(now: datetime.datetime | None = None) -> dict:
    """Color every pending return and send the reminders and escalations not sent before. Returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        counts = _sweep(now, today)
        audit.record(actor=SYSTEM, action="funds.returns_tick", object_type="funds.return", details=counts)
    return counts


def _parent(path: str, orgs: dict[str, Org]) -> Org:
    return orgs[path[:-Org.steplen] or path]


def _sweep(now: datetime.datetime, today: datetime.date) -> dict:
    rows = list(FundReturn.objects.filter(state=ReturnState.PENDING)
                .values_list("pk", "due_on", "color", "payer_id", "payer_path").order_by())
    recolor: dict[str, list[int]] = defaultdict(list)
    wanted = []
    counts = {"checked": len(rows), "blue": 0, "red": 0}
    for pk, due_on, color, payer_id, payer_path in rows:
        new = color_for(state=ReturnState.PENDING, due_on=due_on, today=today)
        if new != color:
            recolor[new].append(pk)
        if new:
            counts[new] += 1
            key = f"due:{due_on.isoformat()}"
            wanted.append((pk, AlertKind.REMINDER, key, payer_id, payer_path, new))
            if new == ReturnColor.RED:
                wanted.append((pk, AlertKind.ESCALATION, key, None, payer_path, new))
    for color, ids in recolor.items():
        FundReturn.objects.filter(pk__in=ids).update(color=color)
    existing = set(ReturnAlert.objects.filter(fund_return__state=ReturnState.PENDING)
                   .values_list("fund_return_id", "kind", "key"))
    missing = [w for w in wanted if (w[0], w[1], w[2]) not in existing]
    # A red return reminded while it was blue keeps that one reminder: "reminded once".
    reminded = {pk for pk, kind, _key in existing if kind == AlertKind.REMINDER}
    missing = [w for w in missing if w[1] == AlertKind.ESCALATION or w[0] not in reminded]
    parents = {o.path: o for o in Org.objects.filter(
        path__in={w[4][:-Org.steplen] or w[4] for w in missing if w[1] == AlertKind.ESCALATION})}
    alerts = []
    for pk, kind, key, payer_id, payer_path, color in missing:
        if kind == AlertKind.ESCALATION:
            parent = _parent(payer_path, parents)
            alerts.append(ReturnAlert(fund_return_id=pk, kind=kind, key=key, org_id=parent.pk, org_path=parent.path,
                                      color=color, created_at=now))
        else:
            alerts.append(ReturnAlert(fund_return_id=pk, kind=kind, key=key, org_id=payer_id, org_path=payer_path,
                                      color=color, created_at=now))
    ReturnAlert.objects.bulk_create(alerts, batch_size=1000)
    _notify(alerts)
    counts["recolored"] = sum(len(v) for v in recolor.values())
    counts["reminders"] = sum(1 for a in alerts if a.kind == AlertKind.REMINDER)
    counts["escalations"] = sum(1 for a in alerts if a.kind == AlertKind.ESCALATION)
    return counts


def _notify(alerts: list[ReturnAlert]) -> None:
    """One text per told federation and sweep, to its contact phone, with the counts (after commit)."""
    told: dict[int, Counter] = defaultdict(Counter)
    for alert in alerts:
        told[alert.org_id][alert.kind] += 1
        if alert.kind == AlertKind.REMINDER:
            told[alert.org_id][alert.color] += 1
    for org in Org.objects.filter(pk__in=told).exclude(contact_phone=""):
        kinds = told[org.pk]
        if kinds[AlertKind.ESCALATION]:
            notify.send_on_commit(to_phone=org.contact_phone, template="funds.return_escalated",
                                  context={"org": org.name, "n": kinds[AlertKind.ESCALATION]})
        if kinds[AlertKind.REMINDER]:
            notify.send_on_commit(to_phone=org.contact_phone, template="funds.return_reminder",
                                  context={"org": org.name, "n": kinds[AlertKind.REMINDER],
                                           "red": kinds[ReturnColor.RED], "blue": kinds[ReturnColor.BLUE]})


@task()
def returns_tick_task() -> dict:
    """The queued form of ``returns_tick`` (for a task worker's periodic schedule)."""
    return returns_tick()
