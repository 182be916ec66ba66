"""Handling a case: dispatch down the tree, accept or return, progress, pause for missing papers, co-handling,
reply, follow-up, closing and reopening. Each is one transaction with a timeline line and an audit event.

首问负责: whoever first took the case (the front-desk officer, or the first to act on a web request) owns it until
the hand-over is on record: a dispatch does not change the owner, the receiving unit's acceptance does.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.workdays import workdays_between
from gonghui.orgs.models import Org, Status

from . import deadlines, notices, stats
from .common import add_event, local_today, record, set_color, set_due, user_of
from .models import (
    ANSWERED,
    RUNNING,
    Action,
    Case,
    CasePause,
    Category,
    CoHandler,
    Complexity,
    Satisfaction,
    State,
    Topic,
)

MAX_MISSING_ITEMS = 30


def _lock(actor, case: Case, *, perm: str = "case.write") -> Case:
    """The case, locked, when the actor may act on it (its handling unit is in the actor's subtree); else 404."""
    actor.require(perm)
    locked = (Case.objects.select_for_update(of=("self",)).select_related("holder_org", "dispatcher_org")
              .filter(pk=case.pk).first())
    if locked is None or not actor.covers(locked.org_path):
        raise Http404
    stats.remember(locked)
    return locked


def _require_state(case: Case, states, message: str) -> None:
    if case.state not in states:
        raise ValidationError(message, code="state")


def _words(value: str, *, field: str, required: str, limit: int) -> str:
    value = re.sub(r"[ \t]+", " ", (value or "")).strip()
    if len(value) < 2:
        raise ValidationError({field: ValidationError(required, code="required")})
    if len(value) > limit:
        raise ValidationError({field: ValidationError(_("At most %(n)s characters.") % {"n": limit},
                                                      code="too_long")})
    return value


def _move(case: Case, state: str, now: datetime.datetime) -> str:
    before = case.state
    case.state, case.state_at, case.progress_at = state, now, now
    return before


def _save(case: Case, *fields: str, today: datetime.date | None = None) -> None:
    set_color(case, today)
    case.full_clean(exclude=["phone_bidx", "intake_org", "holder_org", "received_by", "owner", "consent", "policy",
                             "dispatcher_org"], validate_unique=False, validate_constraints=False)
    case.save(update_fields=[*fields, "color", "updated_at"])
    stats.case_changed(case)


STATE_FIELDS = ("state", "state_at", "progress_at")


def _take_ownership(case: Case, actor) -> bool:
    """A web request has no first responder until someone acts on it: that person becomes it."""
    if case.owner_id is None and user_of(actor) is not None:
        case.owner = user_of(actor)
        return True
    return False


@transaction.atomic
def case_dispatch(*, actor, case: Case, to: Org, note: str = "", department: str = "") -> Case:
    """Send the case down the tree to the unit responsible; it stays the dispatcher's until accepted there."""
    case = _lock(actor, case)
    _require_state(case, (State.RECEIVED, State.RETURNED, State.REOPENED, State.ACCEPTED),
                   _("Only a case that is not yet being handled can be dispatched."))
    holder = case.holder_org
    if not to.path.startswith(holder.path) or to.path == holder.path:
        raise ValidationError({"to": _("Dispatch to a unit under %(org)s.") % {"org": holder.name}})
    if to.status != Status.ACTIVE:
        raise ValidationError({"to": _("%(name)s is dissolved.") % {"name": to.name}})
    note = (note or "").strip()[:500]
    department = (department or "").strip()
    if len(department) > 50:
        raise ValidationError({"department": _("At most %(n)s characters.") % {"n": 50}})
    now = timezone.now()
    owned = _take_ownership(case, actor)
    before = _move(case, State.DISPATCHED, now)
    case.dispatcher_org, case.holder_org, case.org_path, case.department = holder, to, to.path, department
    _save(case, *STATE_FIELDS, "dispatcher_org", "holder_org", "org_path", "department", *(["owner"] if owned else []))
    add_event(case, actor=actor, action=Action.DISPATCHED, note=note, org=to, from_state=before, public=True, at=now)
    record(actor, case, "dispatch", to=to.code, by=holder.code)
    return case


def _require_receiver(actor, case: Case) -> None:
    if actor.org is None or actor.org.pk != case.holder_org_id:
        raise PermissionDenied(_("Only %(org)s, the unit holding the case, can accept or return it.")
                               % {"org": case.holder_org.name})


def _reclassify(case: Case, *, category: str, topic: str, complexity: str) -> bool:
    if (category, topic, complexity) == (case.category, case.topic, case.complexity):
        return False
    errors = {}
    if category not in Category.values:
        errors["category"] = [_("Choose the kind of request.")]
    if topic not in Topic.values:
        errors["topic"] = [_("Choose what the request is about.")]
    if complexity not in Complexity.values:
        errors["complexity"] = [_("Choose the complexity.")]
    if errors:
        raise ValidationError(errors)
    case.category, case.topic, case.complexity = category, topic, complexity
    case.policy, case.limit_days = deadlines.limit_for(category=category, topic=topic, complexity=complexity)
    set_due(case)
    return True


CLASS_FIELDS = ("category", "topic", "complexity", "policy", "limit_days", "due_on", "due_provisional")


@transaction.atomic
def case_accept(*, actor, case: Case, complexity: str | None = None) -> Case:
    """The unit holding the case takes it on; the accepting officer becomes its lead handler (the hand-over from
    the first responder is on record). Judging it difficult or especially complex lengthens the time limit."""
    case = _lock(actor, case)
    _require_state(case, (State.RECEIVED, State.DISPATCHED, State.RETURNED, State.REOPENED),
                   _("This case has already been accepted."))
    _require_receiver(actor, case)
    now = timezone.now()
    previous = case.owner
    new_owner = user_of(actor)
    changed = _reclassify(case, category=case.category, topic=case.topic, complexity=complexity or case.complexity)
    before = _move(case, State.ACCEPTED, now)
    case.owner = new_owner or previous
    _save(case, *STATE_FIELDS, "owner", *(CLASS_FIELDS if changed else ()))
    if previous is not None and new_owner is not None and previous.pk != new_owner.pk:
        add_event(case, actor=actor, action=Action.HANDED_OVER, note=_("from %(a)s to %(b)s") % {
            "a": previous, "b": new_owner}, org=case.holder_org, at=now)
    add_event(case, actor=actor, action=Action.ACCEPTED, org=case.holder_org, from_state=before, public=True, at=now)
    record(actor, case, "accept", at_org=case.holder_org.code, complexity=case.complexity, limit=case.limit_days)
    return case


@transaction.atomic
def case_return(*, actor, case: Case, reason: str) -> Case:
    """The receiving unit sends the case back to the dispatcher (退回), saying why."""
    case = _lock(actor, case)
    _require_state(case, (State.DISPATCHED,), _("Only a dispatched case that is not yet accepted can be returned."))
    _require_receiver(actor, case)
    reason = _words(reason, field="reason", required=_("Say why the case is returned."), limit=500)
    now = timezone.now()
    returned_by = case.holder_org
    back_to = case.dispatcher_org
    before = _move(case, State.RETURNED, now)
    case.holder_org, case.org_path, case.department = back_to, back_to.path, ""
    _save(case, *STATE_FIELDS, "holder_org", "org_path", "department")
    add_event(case, actor=actor, action=Action.RETURNED, note=reason, org=back_to, from_state=before, at=now)
    record(actor, case, "return", by=returned_by.code, to=back_to.code)
    return case


@transaction.atomic
def case_progress(*, actor, case: Case, note: str) -> Case:
    """A note on what was done; the first one starts the handling (accepted → in progress)."""
    case = _lock(actor, case)
    _require_state(case, RUNNING, _("Progress is recorded on a case that has not been answered yet."))
    note = _words(note, field="note", required=_("Write what was done."), limit=2000)
    now = timezone.now()
    before = case.state
    if case.state in (State.ACCEPTED, State.REOPENED):
        _move(case, State.IN_PROGRESS, now)
        fields = STATE_FIELDS
    else:
        case.progress_at = now
        fields = ("progress_at",)
    _save(case, *fields)
    add_event(case, actor=actor, action=Action.PROGRESS, note=note, from_state=before if before != case.state else "",
              public=before != case.state, at=now)
    record(actor, case, "progress")
    return case


@transaction.atomic
def case_reclassify(*, actor, case: Case, category: str, topic: str, complexity: str) -> Case:
    """Correct the kind, topic or complexity; the time limit follows the policy table again."""
    case = _lock(actor, case)
    _require_state(case, RUNNING, _("Only a case that has not been answered yet can be reclassified."))
    if not _reclassify(case, category=category, topic=topic, complexity=complexity):
        return case
    clash = Case.objects.filter(phone_bidx=case.phone_bidx, topic=topic).exclude(state=State.CLOSED).exclude(pk=case.pk)
    if case.phone_bidx and clash.exists():
        raise ValidationError({"topic": _("The worker already has another open case on this topic.")})
    case.progress_at = timezone.now()
    _save(case, *CLASS_FIELDS, "progress_at")
    add_event(case, actor=actor, action=Action.RECLASSIFIED, note=_("%(days)s working days, due %(due)s") % {
        "days": case.limit_days, "due": case.due_on.isoformat()})
    record(actor, case, "reclassify", category=category, topic=topic, complexity=complexity, limit=case.limit_days)
    return case


def clean_missing(missing) -> list[str]:
    """The list of missing papers: one item per line (or a list), each named, all at once (一次性告知)."""
    if isinstance(missing, str):
        missing = missing.splitlines()
    items = [re.sub(r"\s+", " ", str(m)).strip(" ;；,，、") for m in (missing or [])]
    items = [m for m in items if m]
    if not items:
        raise ValidationError({"missing": _("List every missing paper, one per line, so the worker is told all of "
                                            "them at once.")})
    if len(items) > MAX_MISSING_ITEMS:
        raise ValidationError({"missing": _("At most %(n)s items.") % {"n": MAX_MISSING_ITEMS}})
    if any(len(m) > 100 for m in items):
        raise ValidationError({"missing": _("Each item has at most %(n)s characters.") % {"n": 100}})
    return items


@transaction.atomic
def case_pause(*, actor, case: Case, missing) -> Case:
    """Stop the clock while the worker brings missing papers, telling them the whole list at once."""
    case = _lock(actor, case)
    _require_state(case, (State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS, State.RETURNED, State.REOPENED),
                   _("Only a case being handled can wait for papers."))
    if case.is_paused:
        raise ValidationError(_("The case is already waiting for papers."), code="paused")
    items = clean_missing(missing)
    now = timezone.now()
    today = local_today(now)
    CasePause.objects.create(case=case, missing=items, started_on=today, started_at=now, started_by=user_of(actor))
    owned = _take_ownership(case, actor)
    case.paused_since, case.progress_at = today, now
    _save(case, "paused_since", "progress_at", *(["owner"] if owned else []), today=today)
    add_event(case, actor=actor, action=Action.PAUSED, note="\n".join(items), public=True, at=now)
    record(actor, case, "pause", items=len(items))
    notices.tell(phone=case.phone, template="case.papers", code=case.code, items="；".join(items))
    return case


def _end_pause(case: Case, *, actor, now: datetime.datetime) -> int:
    pause = CasePause.objects.select_for_update().get(case=case, resumed_on__isnull=True)
    today = local_today(now)
    paused = workdays_between(pause.started_on, today)
    pause.resumed_on, pause.resumed_at, pause.resumed_by = today, now, user_of(actor)
    pause.workdays, pause.provisional = int(paused), paused.provisional
    pause.save(update_fields=["resumed_on", "resumed_at", "resumed_by", "workdays", "provisional"])
    case.paused_days += int(paused)
    case.paused_since = None
    set_due(case)
    if paused.provisional:
        case.due_provisional = True
    return int(paused)


@transaction.atomic
def case_resume(*, actor, case: Case) -> Case:
    """The papers are complete: the clock runs again and the due date moves by the working days paused."""
    case = _lock(actor, case)
    if not case.is_paused:
        raise ValidationError(_("The case is not waiting for papers."), code="not_paused")
    now = timezone.now()
    days = _end_pause(case, actor=actor, now=now)
    case.progress_at = now
    _save(case, "paused_since", "paused_days", "due_on", "due_provisional", "progress_at")
    add_event(case, actor=actor, action=Action.RESUMED, public=True, at=now,
              note=_("The due date moved by %(n)s working days to %(due)s.") % {"n": days,
                                                                                 "due": case.due_on.isoformat()})
    record(actor, case, "resume", paused_days=days, due=case.due_on)
    return case


@transaction.atomic
def cohandler_add(*, actor, case: Case, org: Org, task: str) -> CoHandler:
    """Ask another unit to help (协办) with a named task."""
    case = _lock(actor, case)
    _require_state(case, RUNNING, _("Co-handling units are added while the case is being handled."))
    if org.pk == case.holder_org_id:
        raise ValidationError({"org": _("%(org)s is already the handling unit.") % {"org": org.name}})
    if not actor.covers(org.path) or org.status != Status.ACTIVE:
        raise ValidationError({"org": _("Choose an active unit in your scope.")})
    task = _words(task, field="task", required=_("Say what the co-handling unit is asked to do."), limit=200)
    if case.cohandlers.filter(org=org).exists():
        raise ValidationError({"org": _("%(org)s is already co-handling this case.") % {"org": org.name}})
    now = timezone.now()
    row = CoHandler.objects.create(case=case, org=org, org_path=org.path, task=task, added_at=now,
                                   added_by=user_of(actor))
    case.progress_at = now
    _save(case, "progress_at")
    add_event(case, actor=actor, action=Action.COHANDLER, note=task, org=org, at=now)
    record(actor, case, "cohandler.add", org=org.code)
    return row


@transaction.atomic
def cohandler_report(*, actor, case: Case, report: str) -> CoHandler:
    """The co-handling unit gives its opinion to the lead handler."""
    actor.require("case.write")
    row = (CoHandler.objects.select_for_update().select_related("org")
           .filter(case=case, org=actor.org).first() if actor.org is not None else None)
    if row is None:
        raise Http404
    case = Case.objects.select_for_update().get(pk=case.pk)
    stats.remember(case)
    if case.state not in RUNNING:
        raise ValidationError(_("The case has already been answered."), code="state")
    row.report = _words(report, field="report", required=_("Write the unit's opinion."), limit=2000)
    now = timezone.now()
    row.reported_at = now
    row.save(update_fields=["report", "reported_at"])
    case.progress_at = now
    _save(case, "progress_at")
    add_event(case, actor=actor, action=Action.COHANDLER_REPORT, note=row.report, org=row.org, at=now)
    audit_case = Case(code=case.code, org_path=row.org_path, state=case.state)
    record(actor, audit_case, "cohandler.report", org=row.org.code)
    return row


@transaction.atomic
def case_reply(*, actor, case: Case, reply: str) -> Case:
    """Answer the worker (答复). On time when answered by the due date. A pause still open ends here."""
    case = _lock(actor, case)
    _require_state(case, (State.RECEIVED, State.ACCEPTED, State.IN_PROGRESS, State.RETURNED, State.REOPENED),
                   _("Only a case being handled can be answered; a dispatched case is first accepted."))
    reply = _words(reply, field="reply", required=_("Write the reply to the worker."), limit=4000)
    now = timezone.now()
    today = local_today(now)
    fields = [*STATE_FIELDS, "reply", "replied_at", "replied_on_time"]
    if case.is_paused:
        _end_pause(case, actor=actor, now=now)
        fields += ["paused_since", "paused_days", "due_on", "due_provisional"]
    if _take_ownership(case, actor):
        fields.append("owner")
    before = _move(case, State.REPLIED, now)
    case.reply, case.replied_at, case.replied_on_time = reply, now, today <= case.due_on
    _save(case, *fields, today=today)
    add_event(case, actor=actor, action=Action.REPLIED, note=reply, from_state=before, public=True, at=now)
    record(actor, case, "reply", on_time=case.replied_on_time)
    notices.tell(phone=case.phone, template="case.replied", code=case.code, org=case.holder_org.name)
    return case


@transaction.atomic
def case_follow_up(*, actor, case: Case, satisfaction: str = "", note: str = "") -> Case:
    """Record the follow-up call (回访): how satisfied the worker is, or that they could not be reached. A rating
    the worker gave online is kept."""
    case = _lock(actor, case)
    _require_state(case, (State.REPLIED, State.FOLLOWED_UP), _("Follow up after the reply."))
    if satisfaction and satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Not one of the listed choices.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": 500}})
    if not satisfaction and not note:
        raise ValidationError({"note": _("Record how satisfied the worker is, or why they could not be asked.")})
    now = timezone.now()
    before = _move(case, State.FOLLOWED_UP, now)
    fields = [*STATE_FIELDS, "follow_up_note"]
    case.follow_up_note = note
    if satisfaction and case.rated_via != "worker":
        case.satisfaction, case.rated_via, case.rated_at = satisfaction, "staff", now
        fields += ["satisfaction", "rated_via", "rated_at"]
    _save(case, *fields)
    add_event(case, actor=actor, action=Action.FOLLOWED_UP, note=note,
              from_state=before if before != case.state else "", at=now)
    record(actor, case, "follow_up", satisfaction=case.satisfaction)
    return case


@transaction.atomic
def case_close(*, actor, case: Case, solved: bool = True) -> Case:
    """Close (办结 and file) a case that was answered and followed up; ``solved`` says whether the worker's problem
    was actually solved (counted in casework.problems_solved) or only answered and explained."""
    case = _lock(actor, case)
    _require_state(case, (State.FOLLOWED_UP,), _("Follow up with the worker before closing the case."))
    now = timezone.now()
    today = local_today(now)
    before = _move(case, State.CLOSED, now)
    paused = case.pauses.aggregate(n=Sum("workdays"))["n"] or 0
    case.closed_at, case.closed_on, case.solved = now, today, bool(solved)
    case.days_to_close = deadlines.working_days_open(received_on=case.received_on, closed_on=today, paused_days=paused)
    _save(case, *STATE_FIELDS, "closed_at", "closed_on", "days_to_close", "solved", today=today)
    add_event(case, actor=actor, action=Action.CLOSED, from_state=before, public=True, at=now)
    record(actor, case, "close", on_time=case.replied_on_time, days=case.days_to_close, solved=case.solved)
    return case


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Handle the case again (重新办理), e.g. when the worker is not satisfied: a new time limit from today."""
    case = _lock(actor, case)
    _require_state(case, ANSWERED, _("Only an answered or closed case can be reopened."))
    reason = _words(reason, field="reason", required=_("Say why the case is handled again."), limit=500)
    if case.state == State.CLOSED and case.phone_bidx and Case.objects.filter(
            phone_bidx=case.phone_bidx, topic=case.topic).exclude(state=State.CLOSED).exists():
        raise ValidationError(_("The worker has another open case on this topic; continue with that one."),
                              code="open_exists")
    now = timezone.now()
    today = local_today(now)
    before = _move(case, State.REOPENED, now)
    case.clock_start, case.paused_days, case.paused_since = today, 0, None
    set_due(case)
    case.reply, case.replied_at, case.replied_on_time = "", None, None
    case.satisfaction, case.rated_via, case.rated_at, case.rating_comment = "", "", None, ""
    case.follow_up_note, case.closed_at, case.closed_on, case.days_to_close = "", None, None, None
    case.reopened_count += 1
    _save(case, *STATE_FIELDS, "clock_start", "paused_days", "paused_since", "due_on", "due_provisional", "reply",
          "replied_at", "replied_on_time", "satisfaction", "rated_via", "rated_at", "rating_comment",
          "follow_up_note", "closed_at", "closed_on", "days_to_close", "reopened_count", today=today)
    add_event(case, actor=actor, action=Action.REOPENED, note=reason, from_state=before, public=True, at=now)
    record(actor, case, "reopen", times=case.reopened_count, due=case.due_on)
    return case
