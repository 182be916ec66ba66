"""Problems under /api/v1/oversight/: list, get, create, submit, the review actions (first review, joint group,
joint opinion, finalise). Scoped like the pages: a problem or unit outside the actor's subtree is a 404; the cadre a
problem concerns is masked."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import problems, selectors_problems
from .models import Category, ConcernKind, Decision, Department, ProblemState, Source, Stage

router = Router(tags=["oversight"])


class ProblemOut(Schema):
    id: int
    number: str
    year: int
    org: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")
    source: str = Field(..., alias="source.name")
    source_key: str = Field(..., alias="source.key")
    category: str = Field(..., alias="category.name")
    title: str
    description: str
    concerns: ConcernKind
    cadre: str = Field("", description="the cadre concerned, masked")
    concerns_org: str | None = None
    stage: Stage
    review_state: str = ""
    state: ProblemState
    rounds: int
    returns: int
    returned: bool
    meeting_name: str
    meeting_on: datetime.date | None
    link_kind: str
    link_id: int | None
    link_label: str
    created_at: datetime.datetime
    finalized_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_cadre(obj):
        return problems.cadre_masked(obj)

    @staticmethod
    def resolve_concerns_org(obj):
        return obj.concerns_org.code if obj.concerns_org_id else None

    @staticmethod
    def resolve_review_state(obj):
        return problems.review_state(obj)


class ReviewOut(Schema):
    stage: Stage
    round: int
    reviewer: str = Field(..., alias="reviewer_label")
    department: str | None = None
    decision: Decision
    opinion: str
    at: datetime.datetime

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None


class ProblemDetailOut(ProblemOut):
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_reviews(obj):
        return selectors_problems.problem_reviews(problem=obj)

    joint_group: list[dict]
    joint_ready: bool


class ProblemFilters(Schema):
    org: str | None = None
    stage: Stage | None = None
    state: ProblemState | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    source: str | None = Field(None, description="source key")
    category: str | None = Field(None, description="category key")


class ProblemIn(Schema):
    org: str | None = Field(None, description="unit code; default: the actor's own")
    source: str = Field("", description="source key (monitoring, self_check, ...) or name")
    category: str | None = Field(None, description="category key or name; default 其他")
    title: str = ""
    description: str = ""
    concerns: str = Field(ConcernKind.UNIT, description="unit, leadership or cadre")
    cadre_name: str = ""
    concerns_org: str | None = None


# The bodies' fields are optional in the schema so that a problem out of scope is a 404 before the body is judged;
# the services refuse what is missing, in Chinese.
class DecisionIn(Schema):
    decision: str = Field("", description="pass or return")
    opinion: str = ""


class SeatIn(Schema):
    user: str = Field(..., description="username")
    department: int = Field(..., description="department id")


class GroupIn(Schema):
    members: list[SeatIn] = []


class FinalizeIn(Schema):
    meeting_name: str = ""
    meeting_on: datetime.date | None = None


def _detail(problem):
    joint = problems.joint_state(problem)
    problem.joint_group = [{"user": m.user.username, "department": m.department.name,
                            "passed": m.user_id in joint["passed"]} for m in joint["members"]]
    problem.joint_ready = joint["ready"]
    return problem


def _entry(model, value):
    if not value:
        return None
    found = model.objects.filter(key=value).first() or model.objects.filter(name=value).first()
    if found is None:
        raise ValidationError({model.__name__.lower(): _("No list entry has the key %(key)s.") % {"key": value}})
    return found


@router.get("/problems", response=list[ProblemOut])
@paginate(PageNumberPagination)
def problem_list(request, filters: Query[ProblemFilters]):
    actor = request.auth
    f = filters.dict(exclude_none=True)
    if f.get("org"):
        f["org"] = org_get(actor=actor, code=f["org"].upper())
    if f.get("source"):
        f["source"] = _entry(Source, f["source"])
    if f.get("category"):
        f["category"] = _entry(Category, f["category"])
    return selectors_problems.problem_list(actor=actor, filters=f)


@router.get("/problems/{pk}", response=ProblemDetailOut)
def problem_get(request, pk: int):
    return _detail(selectors_problems.problem_get(actor=request.auth, pk=pk))


@router.post("/problems", response={201: ProblemDetailOut})
def problem_create(request, payload: ProblemIn):
    actor = request.auth
    if not actor.can("oversight.write"):
        raise PermissionDenied("oversight.write")
    org = org_get(actor=actor, code=payload.org.upper()) if payload.org else actor.org
    concerns_org = org_get(actor=actor, code=payload.concerns_org.upper()) if payload.concerns_org else None
    p = problems.problem_create(actor, org=org, source=_entry(Source, payload.source),
                                category=_entry(Category, payload.category), title=payload.title,
                                description=payload.description, concerns=payload.concerns,
                                cadre_name=payload.cadre_name, concerns_org=concerns_org)
    return 201, _detail(selectors_problems.problem_get(actor=actor, pk=p.pk))


def _act(request, pk: int, fn, **kwargs):
    actor = request.auth
    p = selectors_problems.problem_get(actor=actor, pk=pk)
    fn(actor, problem=p, **kwargs)
    return _detail(selectors_problems.problem_get(actor=actor, pk=pk))


@router.post("/problems/{pk}/submit", response=ProblemDetailOut)
def problem_submit(request, pk: int):
    return _act(request, pk, problems.problem_submit)


@router.post("/problems/{pk}/first-review", response=ProblemDetailOut)
def problem_first_review(request, pk: int, payload: DecisionIn):
    return _act(request, pk, problems.problem_first_review, decision=payload.decision,
                opinion=payload.opinion)


@router.post("/problems/{pk}/group", response=ProblemDetailOut)
def problem_group(request, pk: int, payload: GroupIn):
    actor = request.auth
    p = selectors_problems.problem_get(actor=actor, pk=pk)
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[s.user for s in payload.members])}
    deps = {d.pk: d for d in Department.objects.filter(pk__in=[s.department for s in payload.members],
                                                       org_path__startswith=actor.org.path)}
    members = []
    for seat in payload.members:
        if seat.user not in users or seat.department not in deps:
            raise ValidationError({"members": problems.unknown_seat_message(seat.user, seat.department)})
        members.append((users[seat.user], deps[seat.department]))
    problems.problem_group_set(actor, problem=p, members=members)
    return _detail(selectors_problems.problem_get(actor=actor, pk=pk))


@router.post("/problems/{pk}/joint-review", response=ProblemDetailOut)
def problem_joint_review(request, pk: int, payload: DecisionIn):
    return _act(request, pk, problems.problem_joint_review, decision=payload.decision,
                opinion=payload.opinion)


@router.post("/problems/{pk}/finalize", response=ProblemDetailOut)
def problem_finalize(request, pk: int, payload: FinalizeIn):
    return _act(request, pk, problems.problem_finalize, meeting_name=payload.meeting_name,
                meeting_on=payload.meeting_on)
