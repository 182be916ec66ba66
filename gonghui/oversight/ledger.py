"""The rectification ledger's services: a final problem's measures, progress reports by their owners, and closure
(销号): the owner (or the unit) asks for it with evidence attached, someone other than the owner closes it or rejects
the request with a reason, a closed measure may be reopened. A problem is closed when all its measures are; reopening
a measure reopens it. Every step is an event on the measure's timeline and in the audit trail."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.models import Grant
from gonghui.core.workdays import add_workdays

from . import stats_measures
from .models import (
    URGENCY,
    DispatchReport,
    DispatchRound,
    EventKind,
    Measure,
    MeasureEvent,
    MeasureState,
    Problem,
    ProblemState,
    Progress,
    RoundState,
    Stage,
)

KIND = "measure"  # the supervision kind of measures (gonghui.core.supervision)
MAX_DUE_DAYS = 250  # a deadline further than a year of working days is a typo


def _text(value, *, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Enter the %(label)s.") % {"label": label}})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def owner_candidates(org):
    """The users who may own a measure of ``org``: those with a grant in its subtree."""
    ids = Grant.objects.filter(org__path__startswith=org.path).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def initial_color(due_on: datetime.date, today: datetime.date) -> str:
    from gonghui.core import supervision

    return supervision.color_for(due_on=due_on, today=today, stalled=False,
                                 blue_within=supervision.thresholds(KIND).blue_within)


def _event(measure: Measure, kind: str, *, actor, text: str = "", percent: int | None = None, at=None) -> None:
    MeasureEvent.objects.create(measure=measure, kind=kind, by=actor.user if getattr(actor, "user", None) else None,
                                text=text, percent=percent, at=at or timezone.now())


def _audit(actor, action: str, measure: Measure, **details) -> None:
    audit.record(actor=actor, action=action, object_type="oversight.measure", object_id=str(measure.pk),
                 scope_path=measure.org_path, details=details)


def _due(due_on, due_days, today: datetime.date) -> datetime.date:
    if due_on and due_days:
        raise ValidationError({"due_on": _("Give either a date or a number of working days, not both.")})
    if due_days not in (None, ""):
        try:
            n = int(due_days)
        except (TypeError, ValueError):
            raise ValidationError({"due_days": _("Enter a whole number of working days.")}) from None
        if not 1 <= n <= MAX_DUE_DAYS:
            raise ValidationError({"due_days": _("Between 1 and %(n)s working days.") % {"n": MAX_DUE_DAYS}})
        d = add_workdays(today, n)
        return datetime.date(d.year, d.month, d.day)
    if not due_on:
        raise ValidationError({"due_on": _("Give the deadline: a date or a number of working days.")})
    if isinstance(due_on, str):
        try:
            due_on = datetime.date.fromisoformat(due_on)
        except ValueError:
            raise ValidationError({"due_on": _("Enter a valid date.")}) from None
    if due_on < today:
        raise ValidationError({"due_on": _("The deadline cannot be in the past.")})
    if (due_on - today).days > 366:
        raise ValidationError({"due_on": _("The deadline must be within a year.")})
    return due_on


def measure_add(actor, *, problem: Problem, steps, indicator, expected, due_on=None, due_days=None, owner,
                leader) -> Measure:
    """Add a measure to a final problem of the actor's subtree."""
    actor.require("oversight.write")
    actor.require_covers(problem.org_path)
    if problem.stage != Stage.FINAL:
        raise ValidationError(_("Only a finalised problem takes rectification measures."))
    today = timezone.localdate()
    errors = {}
    values = {}
    for field, label, limit, value in (("steps", _("steps"), 4000, steps),
                                       ("indicator", _("indicator"), 200, indicator),
                                       ("expected", _("expected result"), 200, expected),
                                       ("leader", _("leader in charge"), 40, leader)):
        try:
            values[field] = _text(value, field=field, label=label, limit=limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        values["due_on"] = _due(due_on, due_days, today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if owner is None or not owner_candidates(problem.org).filter(pk=owner.pk).exists():
        errors["owner"] = [_("The owner must be a user of the unit or a unit under it.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        color = initial_color(values["due_on"], today)
        measure = Measure.objects.create(problem=problem, org_id=problem.org_id, org_path=problem.org_path,
                                         owner=owner, color=color, urgency=URGENCY[color], created_at=timezone.now(),
                                         **values)
        stats_measures.apply(None, stats_measures.contribution(measure))
        if problem.state == ProblemState.CLOSED:
            problem.state, problem.closed_at = ProblemState.OPEN, None
            problem.save(update_fields=["state", "closed_at"])
        # An open dispatch round over the unit expects a report on the new measure too.
        for rnd in DispatchRound.objects.filter(state=RoundState.OPEN):
            if measure.org_path.startswith(rnd.org_path):
                DispatchReport.objects.create(round=rnd, measure=measure, org_id=measure.org_id,
                                              org_path=measure.org_path, owner=owner, due_on=rnd.due_on)
                DispatchRound.objects.filter(pk=rnd.pk).update(expected=F("expected") + 1)
        _event(measure, EventKind.ADDED, actor=actor, text=values["indicator"])
        _audit(actor, "oversight.measure_add", measure, problem=problem.number, due_on=measure.due_on,
               owner=owner.username)
    return measure


def measure_get(actor, *, pk) -> Measure:
    """A measure of the actor's subtree, or 404."""
    actor.require("oversight.view")
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    measure = (Measure.objects.select_related("problem", "org", "owner", "closure_requested_by", "closed_by")
               .filter(pk=pk, org_path__startswith=actor.org.path).first())
    if measure is None:
        raise Http404
    return measure


def _locked(actor, measure: Measure) -> Measure:
    actor.require_covers(measure.org_path)
    return Measure.objects.select_for_update().get(pk=measure.pk)


def is_owner(actor, measure: Measure) -> bool:
    return actor.user is not None and actor.user.pk == measure.owner_id


def progress_add(actor, *, measure: Measure, text, percent) -> Progress:
    """The owner reports progress (0–100 %); it counts in the open dispatch rounds over the measure."""
    actor.require("oversight.write")
    actor.require_covers(measure.org_path)
    if not is_owner(actor, measure):
        raise PermissionDenied("owner")
    errors = {}
    try:
        text = _text(text, field="text", label=_("progress"), limit=4000)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        percent = int(percent)
        if not 0 <= percent <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["percent"] = [_("A percentage from 0 to 100.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.OPEN:
            raise ValidationError(_("The measure is closed."))
        progress = Progress.objects.create(measure=measure, org_path=measure.org_path, text=text, percent=percent,
                                           by=actor.user, at=now)
        owed = list(DispatchReport.objects.filter(measure=measure, reported_at__isnull=True,
                                                  round__state=RoundState.OPEN).values_list("pk", "round_id"))
        if owed:
            DispatchReport.objects.filter(pk__in=[pk for pk, _r in owed]).update(reported_at=now, progress=progress)
            DispatchRound.objects.filter(pk__in=[r for _pk, r in owed]).update(reported=F("reported") + 1)
            progress.round_id = owed[-1][1]
            progress.save(update_fields=["round"])
        measure.percent, measure.last_progress_at = percent, now
        fields = ["percent", "last_progress_at"]
        if measure.color == "yellow":  # the report lifts the "no progress" color; the tick recomputes the rest
            color = initial_color(measure.due_on, timezone.localdate(now))
            measure.color, measure.urgency = color, URGENCY[color]
            fields += ["color", "urgency"]
        measure.save(update_fields=fields)
        _event(measure, EventKind.PROGRESS, actor=actor, text=text, percent=percent, at=now)
        _audit(actor, "oversight.progress_add", measure, percent=percent, rounds=len(owed))
    return progress


def may_request_closure(actor, measure: Measure) -> bool:
    return (actor.can("oversight.write") and actor.covers(measure.org_path) and measure.state == MeasureState.OPEN
            and measure.closure_requested_at is None)


def may_decide_closure(actor, measure: Measure) -> bool:
    return (actor.can("oversight.write") and actor.covers(measure.org_path) and not is_owner(actor, measure)
            and measure.state == MeasureState.OPEN and measure.closure_requested_at is not None)


def closure_request(actor, *, measure: Measure, note="") -> Measure:
    """The owner or the unit asks for closure; the evidence must be attached first."""
    actor.require("oversight.write")
    actor.require_covers(measure.org_path)
    note = _text(note, field="note", label=_("note"), limit=1000, required=False)
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.OPEN:
            raise ValidationError(_("The measure is closed."))
        if measure.closure_requested_at is not None:
            raise ValidationError(_("Closure has already been requested."))
        if measure.evidence_count <= 0:
            raise ValidationError(_("Attach the evidence of the rectification before asking for closure."))
        measure.closure_requested_at, measure.closure_requested_by = timezone.now(), actor.user
        measure.save(update_fields=["closure_requested_at", "closure_requested_by"])
        _event(measure, EventKind.REQUESTED, actor=actor, text=note)
        _audit(actor, "oversight.closure_request", measure, evidence=measure.evidence_count)
    return measure


def closure_close(actor, *, measure: Measure, note="") -> Measure:
    """Someone other than the owner closes (销号) a measure whose closure was asked for, with evidence."""
    actor.require("oversight.write")
    actor.require_covers(measure.org_path)
    if is_owner(actor, measure):
        raise ValidationError(_("The owner of a measure cannot close it: someone else must check the evidence."))
    note = _text(note, field="note", label=_("note"), limit=1000, required=False)
    now = timezone.now()
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.OPEN:
            raise ValidationError(_("The measure is closed."))
        if measure.closure_requested_at is None:
            raise ValidationError(_("Closure has not been requested."))
        if measure.evidence_count <= 0:
            raise ValidationError(_("A measure without evidence cannot be closed."))
        before = stats_measures.contribution(measure)
        measure.state, measure.closed_at, measure.closed_by = MeasureState.CLOSED, now, actor.user
        measure.color, measure.urgency, measure.percent = "", URGENCY[""], 100
        measure.save(update_fields=["state", "closed_at", "closed_by", "color", "urgency", "percent"])
        stats_measures.apply(before, stats_measures.contribution(measure))
        _event(measure, EventKind.CLOSED, actor=actor, text=note, at=now)
        problem_closed = _follow_problem(measure, now)
        from gonghui.core import supervision
        supervision.resolve_items(kind=KIND, object_ids=[measure.pk], now=now)
        _audit(actor, "oversight.closure_close", measure, problem_closed=problem_closed)
    return measure


def closure_reject(actor, *, measure: Measure, reason) -> Measure:
    """Someone other than the owner sends the request back, with the reason."""
    actor.require("oversight.write")
    actor.require_covers(measure.org_path)
    if is_owner(actor, measure):
        raise ValidationError(_("The owner of a measure cannot decide on its closure."))
    reason = _text(reason, field="reason", label=_("reason"), limit=1000)
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.OPEN or measure.closure_requested_at is None:
            raise ValidationError(_("Closure has not been requested."))
        measure.closure_requested_at, measure.closure_requested_by = None, None
        measure.save(update_fields=["closure_requested_at", "closure_requested_by"])
        _event(measure, EventKind.REJECTED, actor=actor, text=reason)
        _audit(actor, "oversight.closure_reject", measure)
    return measure


def measure_reopen(actor, *, measure: Measure, reason) -> Measure:
    """A closed measure is opened again (the rectification did not hold); its problem is reopened too."""
    actor.require("oversight.write")
    actor.require_covers(measure.org_path)
    reason = _text(reason, field="reason", label=_("reason"), limit=1000)
    with transaction.atomic():
        measure = _locked(actor, measure)
        if measure.state != MeasureState.CLOSED:
            raise ValidationError(_("Only a closed measure can be reopened."))
        today = timezone.localdate()
        color = initial_color(measure.due_on, today)
        before = stats_measures.contribution(measure)
        measure.state, measure.closed_at, measure.closed_by = MeasureState.OPEN, None, None
        measure.closure_requested_at, measure.closure_requested_by = None, None
        measure.color, measure.urgency = color, URGENCY[color]
        measure.save(update_fields=["state", "closed_at", "closed_by", "closure_requested_at",
                                    "closure_requested_by", "color", "urgency"])
        stats_measures.apply(before, stats_measures.contribution(measure))
        Problem.objects.filter(pk=measure.problem_id, state=ProblemState.CLOSED).update(
            state=ProblemState.OPEN, closed_at=None)
        _event(measure, EventKind.REOPENED, actor=actor, text=reason)
        _audit(actor, "oversight.measure_reopen", measure)
    return measure


def _follow_problem(measure: Measure, now) -> bool:
    """销号: the problem is closed when none of its measures is open."""
    if Measure.objects.filter(problem_id=measure.problem_id, state=MeasureState.OPEN).exists():
        return False
    return bool(Problem.objects.filter(pk=measure.problem_id, state=ProblemState.OPEN).update(
        state=ProblemState.CLOSED, closed_at=now))


def evidence_added(measure: Measure, delta: int) -> None:
    """Attachments' count hook: keeps ``evidence_count`` (read by closure)."""
    Measure.objects.filter(pk=measure.pk).update(evidence_count=F("evidence_count") + delta)
