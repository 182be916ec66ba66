"""Key tasks as services: the year's list of a unit (重点工作, 办实事, 重点民生事项), each task's milestones, its
progress reports and its completion. Every write is checked (oversight.write, the unit inside the actor's subtree),
validated with Chinese messages and audited."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.models import Grant
from gonghui.core.supervision import color_for

from .models import Department, KeyTask, Milestone, TaskKind, TaskReport

BLUE_WITHIN = 5  # working days before a milestone's date when it turns blue (the shared colour scheme)


def _check_org(actor, org) -> None:
    actor.require("oversight.write")
    actor.require_covers(org.path)


def _department(org, dept, field: str) -> Department:
    if not isinstance(dept, Department) or dept.org_id != org.pk:
        raise ValidationError({field: _("Choose a department of the unit.")})
    return dept


def _owner(org, owner):
    if owner is None or not Grant.objects.filter(user=owner, org__path__startswith=org.path).exists():
        raise ValidationError({"owner": _("The owner must be a user of the unit.")})
    return owner


def _year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    return year


def _text(value, field: str, limit: int = 200, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it within %(n)s characters.") % {"n": limit}})
    return value


def _milestones(items) -> list[tuple[str, datetime.date]]:
    out = []
    for title, due_on in items or ():
        title = (title or "").strip()
        if not title and not due_on:
            continue
        if not title or not isinstance(due_on, datetime.date):
            raise ValidationError({"milestones": _("Each milestone needs a name and a date.")})
        out.append((title[:200], due_on))
    return out


def task_create(actor, *, org, year, kind, title, content="", lead, owner, cooperating=(), milestones=()) -> KeyTask:
    _check_org(actor, org)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("Choose a kind of task.")})
    task = KeyTask(org=org, org_path=org.path, year=_year(year), kind=kind, title=_text(title, "title"),
                   content=_text(content, "content", 4000, required=False), lead=_department(org, lead, "lead"),
                   owner=_owner(org, owner), created_by=actor.user)
    coop = [_department(org, d, "cooperating") for d in cooperating if d != lead]
    stones = _milestones(milestones)
    with transaction.atomic():
        task.save()
        task.cooperating.set(coop)
        Milestone.objects.bulk_create(Milestone(task=task, title=t, due_on=d) for t, d in stones)
        audit.record(actor=actor, action="oversight.task_create", object_type="oversight.task", object_id=task.pk,
                     scope_path=task.org_path, details={"kind": kind, "year": task.year, "title": task.title,
                                                         "milestones": len(stones)})
    return task


def task_update(actor, *, task, year, kind, title, content="", lead, owner, cooperating=()) -> KeyTask:
    _check_org(actor, task.org)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("Choose a kind of task.")})
    task.year, task.kind = _year(year), kind
    task.title, task.content = _text(title, "title"), _text(content, "content", 4000, required=False)
    task.lead, task.owner = _department(task.org, lead, "lead"), _owner(task.org, owner)
    coop = [_department(task.org, d, "cooperating") for d in cooperating if d != lead]
    with transaction.atomic():
        task.save()
        task.cooperating.set(coop)
        audit.record(actor=actor, action="oversight.task_update", object_type="oversight.task", object_id=task.pk,
                     scope_path=task.org_path, details={"kind": kind, "year": task.year, "title": task.title})
    return task


def milestone_add(actor, *, task, title, due_on) -> Milestone:
    _check_org(actor, task.org)
    (title, due_on), = _milestones([(title, due_on)]) or [(None, None)]
    if not title:
        raise ValidationError({"milestones": _("Each milestone needs a name and a date.")})
    with transaction.atomic():
        m = Milestone.objects.create(task=task, title=title, due_on=due_on)
        audit.record(actor=actor, action="oversight.milestone_add", object_type="oversight.task", object_id=task.pk,
                     scope_path=task.org_path, details={"milestone": title, "due_on": due_on})
    return m


def milestone_done(actor, *, milestone, done_on=None) -> Milestone:
    task = milestone.task
    _check_org(actor, task.org)
    done_on = done_on or timezone.localdate()
    if milestone.done_on:
        raise ValidationError(_("This milestone is already done."))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        audit.record(actor=actor, action="oversight.milestone_done", object_type="oversight.task",
                     object_id=task.pk, scope_path=task.org_path,
                     details={"milestone": milestone.title, "done_on": done_on})
    return milestone


def report_add(actor, *, task, text, percent, on=None) -> TaskReport:
    _check_org(actor, task.org)
    text = _text(text, "text", 4000)
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Enter a percentage from 0 to 100.")})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if task.done_on:
        raise ValidationError(_("The task is done; no more progress reports."))
    with transaction.atomic():
        report = TaskReport.objects.create(task=task, text=text, percent=percent, on=on, by=actor.user)
        task.percent = percent
        task.save(update_fields=["percent"])
        audit.record(actor=actor, action="oversight.task_report", object_type="oversight.task", object_id=task.pk,
                     scope_path=task.org_path, details={"percent": percent, "on": on})
    return report


def task_done(actor, *, task, done_on=None, result) -> KeyTask:
    _check_org(actor, task.org)
    result = _text(result, "result", 4000)
    done_on = done_on or timezone.localdate()
    if task.done_on:
        raise ValidationError(_("The task is already done."))
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if task.milestones.filter(done_on__isnull=True).exists():
        raise ValidationError(_("Every milestone must be done before the task is."))
    with transaction.atomic():
        task.done_on, task.result, task.percent = done_on, result, 100
        task.save(update_fields=["done_on", "result", "percent"])
        audit.record(actor=actor, action="oversight.task_done", object_type="oversight.task", object_id=task.pk,
                     scope_path=task.org_path, details={"done_on": done_on})
    return task


def milestone_color(milestone, today: datetime.date | None = None) -> str:
    """The shared colour of a milestone not yet done: red past its date, blue within BLUE_WITHIN working days."""
    if milestone.done_on:
        return ""
    return color_for(due_on=milestone.due_on, today=today or timezone.localdate(), stalled=False,
                     blue_within=BLUE_WITHIN)
