"""The inspections' sweep (run by ``gonghui tick``): the unit holding an unanswered item is reminded once before its
date (within the "inspection" kind's ``remind_before`` working days: ``reminded_on`` records it) and once when it
is overdue, one text per unit and sweep to the unit's contact phone; an overdue item rises once to the supervision
list of the parent of the unit holding it; answered items leave the list. Repeatable: nothing is raised or sent
twice."""

import datetime
from collections import Counter, defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import notify, supervision
from gonghui.core.workdays import add_workdays

from .inspections import KIND
from .models import InspectionItem, ItemState
from .tasks_ledger import notify_units

TEMPLATES = {
    "oversight.inspection_reminder": _("%(org)s: %(n)s inspection items await your answer (%(red)s overdue, "
                                       "%(blue)s due soon). See 督导 in the work platform."),
}
for _name, _text in TEMPLATES.items():
    notify.TEMPLATES.setdefault(_name, _text)


def inspections_tick(now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    _blue_within, remind_before = supervision.thresholds(KIND)
    end = add_workdays(today, remind_before + 1)
    before_end = datetime.date(end.year, end.month, end.day)
    told: dict[int, Counter] = defaultdict(Counter)
    overdue = (InspectionItem.objects.filter(state=ItemState.OPEN, due_on__lt=today, escalated=False)
               .values_list("pk", "unit_id", "org_path", "due_on", "number", "title").order_by("due_on", "pk"))
    rows = [supervision.Raise(object_id=pk, key="overdue", holder_org_id=unit_id, holder_path=path, due_on=due,
                              title=f"{number} {title}", url=reverse("oversight:inspection_item", args=[pk]))
            for pk, unit_id, path, due, number, title in overdue.iterator(chunk_size=2000)]
    soon = InspectionItem.objects.filter(state=ItemState.OPEN, due_on__gte=today, due_on__lt=before_end,
                                         reminded_on__isnull=True)
    soon_rows = list(soon.values_list("pk", "unit_id"))
    with transaction.atomic():
        created = supervision.raise_many(kind=KIND, rows=rows, now=now)
        if rows:
            InspectionItem.objects.filter(pk__in=[r.object_id for r in rows]).update(escalated=True)
        if soon_rows:
            InspectionItem.objects.filter(pk__in=[pk for pk, _unit in soon_rows]).update(reminded_on=today)
        for r in rows:
            told[r.holder_org_id]["red"] += 1
        for _pk, unit_id in soon_rows:
            told[unit_id]["blue"] += 1
        notify_units(told, "oversight.inspection_reminder")
    open_ids = supervision.open_object_ids(kind=KIND)
    done = set(InspectionItem.objects.filter(pk__in=open_ids, state=ItemState.ANSWERED).values_list("pk", flat=True))
    resolved = supervision.resolve_items(kind=KIND, object_ids=done, now=now) if done else 0
    return {"raised": len(created), "resolved": resolved, "reminders": len(rows) + len(soon_rows)}

