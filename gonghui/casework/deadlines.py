"""Time limits in working days: the policy table, due dates that move with pauses, and supervision colors.

A case received on ``d`` with a limit of n working days is due ``add_workdays(d, n)``; a limit of 0 means the
same working day (the next one when it came in on a day off). Waiting for the worker's missing papers stops the
clock: the due date moves by the working days paused. A deadline that touches a year without a published
holiday arrangement is provisional; the case carries the flag and the screens show it.
"""

import datetime
import math

from django.db.models import Q

from gonghui.core.supervision.services import color_for as shared_color_for
from gonghui.core.workdays import WorkDate, add_workdays, day_info, is_workday, workdays_between

from .models import Color, Complexity, State, TimeLimitPolicy

# When no rule in the table matches (an administrator deleted it), these limits apply.
FALLBACK_DAYS = {Complexity.GENERAL: 15, Complexity.DIFFICULT: 30, Complexity.COMPLEX: 45}
# Blue: due within this many working days: the default of the "case" kind's threshold (set on /supervision/thresholds/).
BLUE_WITHIN = 2
# Yellow: a stage without progress for this share of the time limit (at least one working day).
STAGE_SHARE = {
    State.RECEIVED: 0.2, State.DISPATCHED: 0.2, State.RETURNED: 0.2,
    State.ACCEPTED: 0.5, State.IN_PROGRESS: 0.5, State.REOPENED: 0.5,
}


def policy_for(*, category: str, topic: str, complexity: str) -> TimeLimitPolicy | None:
    """The most specific rule: one naming the topic wins over one naming only the category, then a catch-all."""
    rows = list(TimeLimitPolicy.objects.filter(Q(category=category) | Q(category=""), Q(topic=topic) | Q(topic=""),
                                               complexity=complexity))
    if not rows:
        return None
    return max(rows, key=lambda r: (bool(r.topic), bool(r.category)))


def limit_for(*, category: str, topic: str, complexity: str) -> tuple[TimeLimitPolicy | None, int]:
    policy = policy_for(category=category, topic=topic, complexity=complexity)
    if policy is None:
        return None, FALLBACK_DAYS[Complexity(complexity)]
    return policy, policy.working_days


def due_date(*, start: datetime.date, limit_days: int, paused_days: int = 0) -> WorkDate:
    """The due date of a case whose clock started on ``start``, moved by the working days paused."""
    if limit_days > 0:
        return add_workdays(start, limit_days + paused_days)
    # Same day: the day itself when it is a working day, else the next one.
    if is_workday(start):
        first = WorkDate.of(start, day_info(start)[2])
    else:
        first = add_workdays(start, 1)
    if not paused_days:
        return first
    moved = add_workdays(first, paused_days)
    return WorkDate.of(moved, moved.provisional or first.provisional)


def stage_allowance(state: str, limit_days: int) -> int:
    """Working days a stage may go without progress before the case turns yellow."""
    share = STAGE_SHARE.get(state, 0.5)
    return max(1, math.ceil(limit_days * share))


def stalled(*, state: str, limit_days: int, progress_on: datetime.date, today: datetime.date) -> bool:
    """The stage had no progress for its share of the time limit (casework's "stalled" for the shared colors)."""
    return workdays_between(progress_on, today) >= stage_allowance(state, limit_days)


def color_for(*, state: str, paused: bool, due_on: datetime.date, limit_days: int,
              progress_on: datetime.date, today: datetime.date, blue_within: int = BLUE_WITHIN) -> str:
    """The shared supervision colors (``gonghui.core.supervision.color_for``): red when overdue, yellow when the
    stage has stalled, blue when due within ``blue_within`` working days (the "case" threshold, 2 unless set); none
    when the clock does not run (answered, or paused for papers)."""
    if paused or state not in STAGE_SHARE:
        return Color.NONE
    return shared_color_for(due_on=due_on, today=today, blue_within=blue_within,
                            stalled=stalled(state=state, limit_days=limit_days, progress_on=progress_on, today=today))


def working_days_open(*, received_on: datetime.date, closed_on: datetime.date, paused_days: int) -> int:
    """Working days from receipt to closing, without the days spent waiting for the worker's papers."""
    return max(0, int(workdays_between(received_on, closed_on)) - paused_days)
