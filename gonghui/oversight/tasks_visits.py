"""The inspections' sweep (run by ``gonghui tick``): an unanswered item past its date rises once to the supervision
list of the parent of the unit holding it; answered items leave the list. Repeatable: nothing is raised twice."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.core import supervision

from .inspections import KIND
from .models import InspectionItem, ItemState


def inspections_tick(now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (InspectionItem.objects.filter(state=ItemState.OPEN, due_on__lt=today, escalated=False)
               .values_list("pk", "unit_id", "org_path", "due_on", "number", "title").order_by("due_on", "pk"))
    rows = [supervision.Raise(object_id=pk, key="overdue", holder_org_id=unit_id, holder_path=path, due_on=due,
                              title=f"{number} {title}", url=reverse("oversight:inspection_item", args=[pk]))
            for pk, unit_id, path, due, number, title in overdue.iterator(chunk_size=2000)]
    with transaction.atomic():
        created = supervision.raise_many(kind=KIND, rows=rows, now=now)
        if rows:
            InspectionItem.objects.filter(pk__in=[r.object_id for r in rows]).update(escalated=True)
    open_ids = supervision.open_object_ids(kind=KIND)
    done = set(InspectionItem.objects.filter(pk__in=open_ids, state=ItemState.ANSWERED).values_list("pk", flat=True))
    resolved = supervision.resolve_items(kind=KIND, object_ids=done, now=now) if done else 0
    return {"raised": len(created), "resolved": resolved}
