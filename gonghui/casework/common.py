"""Helpers shared by the intake and handling services: the timeline, the audit trail, deadlines on the row."""

import datetime
import secrets

from django.utils import timezone

from gonghui.core import audit, supervision

from . import deadlines
from .models import Case, CaseEvent

# No 0/O, 1/I: the code is read off a phone screen or a slip of paper and typed again.
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    code = "".join(secrets.choice(CODE_CHARS) for _ in range(CODE_LENGTH))
    while Case.objects.filter(code=code).exists():
        code = "".join(secrets.choice(CODE_CHARS) for _ in range(CODE_LENGTH))
    return code


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


def user_of(actor):
    user = actor.user
    return user if user is not None and user.is_authenticated else None


def add_event(case: Case, *, actor, action: str, note: str = "", org=None, from_state: str = "",
              to_state: str = "", public: bool = False, at: datetime.datetime | None = None) -> CaseEvent:
    """One line on the case's timeline (staff see all of them; the worker sees the ``public`` ones)."""
    return CaseEvent.objects.create(
        case=case, at=at or timezone.now(), action=action, actor=user_of(actor),
        actor_name=str(user_of(actor) or "") or actor.label,
        actor_org_name=actor.org.name if actor.org is not None else "",
        from_state=from_state, to_state=to_state or (case.state if from_state else ""), org=org, note=note,
        public=public)


def record(actor, case: Case, action: str, **details) -> None:
    """The audit event for a write. Only codes and states: never names, phones, or free text (which may name
    people)."""
    audit.record(actor=actor, action=f"case.{action}", object_type="case", object_id=case.code,
                 scope_path=case.org_path, details={"state": case.state, **details})


def set_due(case: Case) -> None:
    """Recompute the due date from the clock start, the limit and the working days paused."""
    due = deadlines.due_date(start=case.clock_start, limit_days=case.limit_days, paused_days=case.paused_days)
    case.due_on = datetime.date(due.year, due.month, due.day)
    case.due_provisional = due.provisional


def set_color(case: Case, today: datetime.date | None = None) -> None:
    today = today or local_today()
    case.color = deadlines.color_for(state=case.state, paused=case.is_paused, due_on=case.due_on,
                                     limit_days=case.limit_days, progress_on=timezone.localdate(case.progress_at),
                                     today=today, blue_within=supervision.thresholds("case").blue_within)
