"""Filing (建档) by the daily tick: notices that ended without an open objection."""

import datetime

from django.db import transaction
from django.utils import timezone

from gonghui.core import audit

from .. import stats
from ..models import EventKind, Household, HouseholdState
from .common import _audit, _event, today


def _next_year(d: datetime.date) -> datetime.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def _file_if_due(household: Household, *, day: datetime.date) -> bool:
    from gonghui.core.access import SYSTEM

    if (household.state != HouseholdState.NOTICE or household.open_objections > 0
            or household.notice_until is None or household.notice_until >= day):
        return False
    before = stats.household_rows(household)
    household.state, household.filed_on = HouseholdState.FILED, day
    household.review_due = _next_year(day)
    household.save(update_fields=["state", "filed_on", "review_due", "updated_at"])
    stats.household_saved(household, before)
    _event(household, EventKind.FILED, actor=SYSTEM)
    _audit(SYSTEM, "aid.household_file", household, category=household.category)
    return True


def archive_tick(now: datetime.datetime | None = None, *, day: datetime.date | None = None) -> dict:
    """The daily tick: file every household whose notice ended (the day after ``notice_until``) without an open
    objection, and put overdue annual reviews on the parent units' supervision lists."""
    from gonghui.core.access import SYSTEM

    from ..supervision_archive import raise_overdue

    day = day or (timezone.localdate(now) if now else today())
    filed = 0
    ids = list(Household.objects.filter(state=HouseholdState.NOTICE, notice_until__lt=day, open_objections=0)
               .values_list("pk", flat=True)[:10000])
    for pk in ids:
        with transaction.atomic():
            household = Household.objects.select_for_update().select_related("org").get(pk=pk)
            filed += _file_if_due(household, day=day)
    escalated = raise_overdue(day=day)
    counts = {"filed": filed, "escalated": escalated}
    audit.record(actor=SYSTEM, action="aid.archive_tick", object_type="aid.household", details=counts)
    return counts
