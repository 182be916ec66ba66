"""Annual reviews are a supervision kind ("aid.review"): a filed household's review is blue when due within 20
working days, red when overdue; red reviews rise to the parent unit's supervision list (once per due date).
Imported at start-up (through audit_archive)."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core import supervision

KIND = "aid.review"
BLUE_WITHIN = 20
CHUNK = 5000

supervision.register_kind(KIND, label=_("Hardship file annual review"), perm="aid.view", write_perm="aid.write",
                          settings_perm="aid.settings", blue_within=BLUE_WITHIN, remind_before=BLUE_WITHIN,
                          url_name="aid:household")


def blue_within() -> int:
    """The kind's blue threshold as set now (one read: a list passes it to ``color`` for every row)."""
    return supervision.thresholds(KIND).blue_within


def color(household, *, today: datetime.date, blue: int | None = None) -> str:
    """The review's color on the list and the household page ("" when not filed or not due soon); ``blue`` the
    threshold when the caller read it already."""
    if household.state != "filed" or household.review_due is None:
        return ""
    if blue is None:
        blue = blue_within()
    return supervision.color_for(due_on=household.review_due, today=today, stalled=False, blue_within=blue)


def _describe(ids: set[int]) -> dict[int, tuple[str, str]]:
    from .models import Household

    rows = Household.objects.filter(pk__in=ids).values_list("pk", "name_masked")
    return {pk: (_("Annual review of %(name)s") % {"name": name}, reverse("aid:household", args=[pk]))
            for pk, name in rows}


def raise_overdue(*, day: datetime.date) -> int:
    """Put every overdue review on its parent unit's list (new ones only) and resolve the ones reviewed."""
    from .models import Household, HouseholdState

    late = list(Household.objects.filter(state=HouseholdState.FILED, review_due__lt=day)
                .values_list("pk", "org_id", "org_path", "review_due")[:100000])
    raised = supervision.raise_many(
        kind=KIND, describe=_describe,
        rows=[supervision.Raise(object_id=pk, key=f"due:{due.isoformat()}", holder_org_id=org_id, holder_path=path,
                                due_on=due) for pk, org_id, path, due in late])
    late_ids = {r[0] for r in late}
    gone = supervision.open_object_ids(kind=KIND) - late_ids
    if gone:
        supervision.resolve_items(kind=KIND, object_ids=gone)
    return len(raised)


def resolve(ids) -> None:
    supervision.resolve_items(kind=KIND, object_ids=list(ids))
