"""Key tasks and targets under /api/v1/oversight/: the year's tasks, a task with its milestones and reports, new
tasks, milestones, progress and completion; target cards and their five steps. Scoped like the pages: an object
outside the actor's subtree is a 404."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination

from . import keytasks, selectors_tasks, targets
from .models import Department, TargetState, TaskKind

router = Router(tags=["oversight"])


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None
    color: str = ""

    @staticmethod
    def resolve_color(obj):
        return keytasks.milestone_color(obj)


class ReportOut(Schema):
    text: str
    percent: int
    on: datetime.date
    by: str = Field(..., alias="by.username")


class TaskOut(Schema):
    id: int
    year: int
    kind: TaskKind
    org: str = Field(..., alias="org.code")
    title: str
    content: str
    lead: str = Field(..., alias="lead.name")
    owner: str = Field(..., alias="owner.username")
    percent: int
    done_on: datetime.date | None
    result: str


class TaskDetailOut(TaskOut):
    cooperating: list[str]
    milestones: list[MilestoneOut]
    reports: list[ReportOut]

    @staticmethod
    def resolve_cooperating(obj):
        return [d.name for d in obj.cooperating.all()]

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())

    @staticmethod
    def resolve_reports(obj):
        return list(obj.reports.select_related("by"))


class TaskFilters(Schema):
    year: int | None = None
    kind: TaskKind | None = None
    lead: int | None = Field(None, description="id of the lead department (a department of the actor's subtree)")


class MilestoneIn(Schema):
    title: str = ""
    due_on: datetime.date | None = None


class TaskIn(Schema):
    year: int
    kind: TaskKind
    title: str
    content: str = ""
    lead: int = Field(..., description="department id of the actor's unit")
    owner: str = Field(..., description="username")
    cooperating: list[int] = []
    milestones: list[MilestoneIn] = []


# The bodies of the actions on a task or card are optional in the schema so that an object out of scope is a 404
# before the body is judged; the services refuse what is missing, in Chinese.
class ReportIn(Schema):
    text: str = ""
    percent: int | None = None
    on: datetime.date | None = None


class DoneIn(Schema):
    result: str = ""
    done_on: datetime.date | None = None


def _dept(org, pk: int, field: str) -> Department:
    dept = Department.objects.filter(org=org, pk=pk).first()
    if dept is None:
        raise ValidationError({field: _("Choose a department of the unit.")})
    return dept


def _task(request, pk: int):
    return selectors_tasks.task_get(actor=request.auth, pk=pk)


@router.get("/tasks", response=list[TaskOut])
@paginate(PageNumberPagination)
def task_list(request, filters: Query[TaskFilters]):
    lead = None
    if filters.lead is not None:
        lead = selectors_tasks.lead_departments(actor=request.auth).filter(pk=filters.lead).first()
        if lead is None:
            from django.http import Http404

            raise Http404
    return selectors_tasks.task_list(actor=request.auth, year=filters.year, kind=filters.kind or "",
                                     lead=lead).order_by("year", "kind", "pk")


@router.get("/tasks/{pk}", response=TaskDetailOut)
def task_get(request, pk: int):
    return _task(request, pk)


@router.post("/tasks", response={201: TaskDetailOut})
def task_create(request, payload: TaskIn):
    actor = request.auth
    actor.require("oversight.write")
    org = actor.org
    owner = get_user_model().objects.filter(username=payload.owner).first()
    task = keytasks.task_create(actor, org=org, year=payload.year, kind=payload.kind, title=payload.title,
                                content=payload.content, lead=_dept(org, payload.lead, "lead"), owner=owner,
                                cooperating=[_dept(org, pk, "cooperating") for pk in payload.cooperating],
                                milestones=[(m.title, m.due_on) for m in payload.milestones])
    return 201, _task(request, task.pk)


@router.post("/tasks/{pk}/milestones", response={201: TaskDetailOut})
def milestone_add(request, pk: int, payload: MilestoneIn):
    task = _task(request, pk)
    keytasks.milestone_add(request.auth, task=task, title=payload.title, due_on=payload.due_on)
    return 201, _task(request, pk)


@router.post("/milestones/{pk}/done", response=TaskDetailOut)
def milestone_done(request, pk: int):
    m = selectors_tasks.milestone_get(actor=request.auth, pk=pk)
    keytasks.milestone_done(request.auth, milestone=m)
    return _task(request, m.task_id)


@router.post("/tasks/{pk}/progress", response={201: TaskDetailOut})
def progress_add(request, pk: int, payload: ReportIn):
    keytasks.report_add(request.auth, task=_task(request, pk), text=payload.text, percent=payload.percent,
                        on=payload.on)
    return 201, _task(request, pk)


@router.post("/tasks/{pk}/done", response=TaskDetailOut)
def task_done(request, pk: int, payload: DoneIn):
    keytasks.task_done(request.auth, task=_task(request, pk), result=payload.result, done_on=payload.done_on)
    return _task(request, pk)


# --- targets ---

class TargetItemOut(Schema):
    id: int
    title: str
    weight: Decimal
    indicator: str
    summary: str
    completion: str
    score: Decimal | None


class TargetOut(Schema):
    id: int
    year: int
    org: str = Field(..., alias="org.code")
    department: str = Field(..., alias="department.name")
    state: TargetState
    approved_on: datetime.date | None
    total_score: Decimal | None
    grade: str
    evaluation: str
    items: list[TargetItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class TargetItemIn(Schema):
    title: str
    weight: Decimal
    indicator: str


class DeclareIn(Schema):
    department: int = Field(..., description="department id of the actor's unit")
    year: int
    items: list[TargetItemIn]


class SummaryIn(Schema):
    item: int
    summary: str


class ReviewIn(Schema):
    item: int
    completion: str
    score: Decimal


class EvaluateIn(Schema):
    evaluation: str = ""


class SummariesIn(Schema):
    items: list[SummaryIn] = []


class ReviewsIn(Schema):
    items: list[ReviewIn] = []


class TargetFilters(Schema):
    year: int | None = None
    state: TargetState | None = None


def _plan(request, pk: int):
    return selectors_tasks.target_get(actor=request.auth, pk=pk)


@router.get("/targets", response=list[TargetOut])
@paginate(PageNumberPagination)
def target_list(request, filters: Query[TargetFilters]):
    return selectors_tasks.target_list(actor=request.auth, year=filters.year, state=filters.state or "").order_by(
        "year", "pk").prefetch_related("items")


@router.get("/targets/{pk}", response=TargetOut)
def target_get(request, pk: int):
    return _plan(request, pk)


@router.post("/targets", response={201: TargetOut})
def target_declare(request, payload: DeclareIn):
    actor = request.auth
    actor.require("oversight.write")
    dept = _dept(actor.org, payload.department, "department")
    plan = targets.target_declare(actor, department=dept, year=payload.year,
                                  items=[i.dict() for i in payload.items])
    return 201, _plan(request, plan.pk)


@router.post("/targets/{pk}/approve", response=TargetOut)
def target_approve(request, pk: int):
    targets.target_approve(request.auth, plan=_plan(request, pk))
    return _plan(request, pk)


@router.post("/targets/{pk}/summary", response=TargetOut)
def target_summarise(request, pk: int, payload: SummariesIn):
    targets.target_summarise(request.auth, plan=_plan(request, pk),
                             summaries={s.item: s.summary for s in payload.items})
    return _plan(request, pk)


@router.post("/targets/{pk}/review", response=TargetOut)
def target_review(request, pk: int, payload: ReviewsIn):
    targets.target_review(request.auth, plan=_plan(request, pk),
                          results={r.item: (r.completion, r.score) for r in payload.items})
    return _plan(request, pk)


@router.post("/targets/{pk}/evaluate", response=TargetOut)
def target_evaluate(request, pk: int, payload: EvaluateIn):
    targets.target_evaluate(request.auth, plan=_plan(request, pk), evaluation=payload.evaluation)
    return _plan(request, pk)


@router.post("/task-imports", response={200: dict, 201: dict, 422: dict})
def task_import(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import a key-task list (xlsx, xls, ods or csv): all or nothing. With ``dry_run`` the file is only checked.
    A refused file answers 422 with every problem naming its row and column."""
    from . import import_tasks

    actor = request.auth
    if not actor.can("oversight.write"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("oversight.write")
    if file.size > 2 * 1024 * 1024:
        return 422, {"problems": [_("The file is larger than 2 MB: a key-task list is not that long; split it.")]}
    data = file.read()
    if dry_run:
        read = import_tasks.task_rows(actor=actor, data=data, filename=file.name or "")
        if read.problems:
            return 422, {"problems": read.problems}
        return 200, {"tasks": len(read.rows)}
    try:
        added = import_tasks.task_import(actor=actor, data=data, filename=file.name or "")
    except ValidationError as exc:
        return 422, {"problems": exc.messages}
    return 201, {"ids": [t.pk for t in added]}
