"""Casework under /api/v1/casework/: log, dispatch, accept, return, reply, follow up, close, reopen; lists by state
and due date; the figures. Scoped like the pages: a case outside the actor's subtree is a 404."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core import figures as figure_registry
from gonghui.core.api import PERIOD_HELP, FiguresOut, figures_out
from gonghui.core.identity import mask
from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import intake, selectors, services
from .models import STAFF_CHANNELS, Category, Complexity, Satisfaction, State, Topic

router = Router(tags=["casework"])


class CaseOut(Schema):
    code: str
    state: State
    channel: str
    category: str
    topic: str
    complexity: str
    subject: str
    worker_name: str
    phone_masked: str
    people: int
    is_collective: bool
    intake_org: str = Field(..., alias="intake_org.code")
    holder_org: str = Field(..., alias="holder_org.code")
    holder_name: str = Field(..., alias="holder_org.name")
    owner: str | None
    received_on: datetime.date
    limit_days: int
    due_on: datetime.date
    due_provisional: bool
    paused_since: datetime.date | None
    paused_days: int
    color: str
    replied_at: datetime.datetime | None
    replied_on_time: bool | None
    satisfaction: str
    closed_on: datetime.date | None
    solved: bool
    possible_repeat: bool = Field(..., alias="is_possible_repeat",
                                  description="filed online while the same phone had an open case on the topic; "
                                              "staff link it with POST .../link-repeat")
    linked_at: datetime.datetime | None

    @staticmethod
    def resolve_phone_masked(c):
        return mask(c.phone, kind="phone")

    @staticmethod
    def resolve_owner(c):
        return c.owner.username if c.owner_id else None


class EventOut(Schema):
    at: datetime.datetime
    action: str
    actor_name: str
    actor_org_name: str
    from_state: str
    to_state: str
    org: str | None
    note: str

    @staticmethod
    def resolve_org(e):
        return e.org.code if e.org_id else None


class CaseDetailOut(CaseOut):
    description: str
    workplace: str
    reply: str
    follow_up_note: str
    timeline: list[EventOut]
    missing: list[str]

    @staticmethod
    def resolve_timeline(c):
        return selectors.timeline(case=c)

    @staticmethod
    def resolve_missing(c):
        pause = c.pauses.filter(resumed_on__isnull=True).first()
        return pause.missing if pause else []


class CaseIn(Schema):
    channel: str = Field(..., description="visit, phone, letter, grid or referral")
    people: int = Field(1, ge=1, le=10000)
    category: Category
    topic: Topic
    complexity: Complexity = Complexity.GENERAL
    subject: str = Field(..., max_length=100)
    description: str = Field("", max_length=4000)
    worker_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    workplace: str = Field("", max_length=100)
    source_note: str = Field("", max_length=100)
    received_on: datetime.date | None = None


class CaseCreated(Schema):
    linked: bool
    case: CaseOut | None = None
    detail: str = ""


class CaseFilters(Schema):
    tab: str = Field("open", pattern="^(open|accept|progress|followup|overdue|closed|cohandling)$")
    state: State | None = Field(None, description="one state instead of a tab")
    org: str | None = Field(None, description="code of a unit: only its subtree (default: yours)")
    topic: Topic | None = None
    channel: str | None = None
    color: str | None = Field(None, pattern="^(blue|yellow|red)$")
    due_before: datetime.date | None = None
    q: str = ""


# Bodies of the case actions default to empty: the case is looked up first (404 outside the scope), then the
# service says what is missing (422 naming the field).
class DispatchIn(Schema):
    to: str = Field("", description="code of a unit under the one holding the case")
    note: str = Field("", max_length=500)
    department: str = Field("", max_length=50)


class AcceptIn(Schema):
    complexity: Complexity | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReplyIn(Schema):
    reply: str = Field("", max_length=4000)


class PauseIn(Schema):
    missing: list[str] = Field([], description="every missing paper, told to the worker at once")


class FollowUpIn(Schema):
    satisfaction: Satisfaction | None = None
    note: str = Field("", max_length=500)


def _case(request, case_code: str):
    request.auth.require("case.view")
    return selectors.case_get(actor=request.auth, code=case_code)


@router.get("", response=list[CaseOut], summary="Cases of a subtree by tab or state, the most urgent first")
@paginate(PageNumberPagination, page_size=50)
def case_list(request, filters: Query[CaseFilters]):
    actor = request.auth
    actor.require("case.view")
    data = filters.dict()
    org = org_get(actor=actor, code=data.pop("org")) if data.get("org") else actor.org
    return selectors.inbox(actor=actor, org=org, tab=data.pop("tab"), filters=data).select_related("intake_org")


@router.post("", response={201: CaseCreated, 200: CaseCreated}, summary="Log a visit, call, letter or referral")
def case_create(request, payload: CaseIn):
    actor = request.auth
    actor.require("case.write")
    if payload.channel not in STAFF_CHANNELS:
        raise ValidationError({"channel": _("Choose how the request came in.")})
    result = intake.case_log(actor=actor, data=payload.dict())
    if result.linked:
        if not actor.covers(result.case.org_path):
            return 200, {"linked": True, "case": None, "detail": _(
                "This worker already has an open request on this topic, handled by another unit; this contact was "
                "added to it.")}
        return 200, {"linked": True, "case": result.case, "detail": _(
            "This worker already has an open request on this topic: this contact was added to it.")}
    return 201, {"linked": False, "case": result.case}


@router.get("/counts", response=dict[str, int], summary="How many cases each inbox tab holds")
def case_counts(request, org: str | None = None):
    actor = request.auth
    actor.require("case.view")
    target = org_get(actor=actor, code=org) if org else actor.org
    return selectors.inbox_counts(actor=actor, org=target)


@router.get("/figures", response=FiguresOut, summary="Casework figures for a unit's subtree and a period")
def case_figures(request, org: str | None = None, period: str | None = Query(None, description=PERIOD_HELP)):
    keys = [f.key for f in figure_registry.all_figures() if f.key.startswith("casework.")]
    return figures_out(request.auth, org=org, period=period, keys=keys)


@router.get("/{case_code}", response=CaseDetailOut, summary="A case with its timeline")
def case_detail(request, case_code: str):
    return _case(request, case_code)


@router.post("/{case_code}/dispatch", response=CaseOut, summary="Dispatch down the tree")
def case_dispatch(request, case_code: str, payload: DispatchIn):
    case = _case(request, case_code)
    if not payload.to:
        raise ValidationError({"to": _("Choose the unit to dispatch to.")})
    to = org_get(actor=request.auth, code=payload.to)
    return services.case_dispatch(actor=request.auth, case=case, to=to, note=payload.note,
                                  department=payload.department)


@router.post("/{case_code}/accept", response=CaseOut, summary="Accept (the unit holding it)")
def case_accept(request, case_code: str, payload: AcceptIn | None = None):
    complexity = payload.complexity if payload else None
    return services.case_accept(actor=request.auth, case=_case(request, case_code), complexity=complexity)


@router.post("/{case_code}/return", response=CaseOut, summary="Return to the dispatcher, with a reason")
def case_return(request, case_code: str, payload: ReasonIn):
    return services.case_return(actor=request.auth, case=_case(request, case_code), reason=payload.reason)


@router.post("/{case_code}/progress", response=CaseOut, summary="Record progress")
def case_progress(request, case_code: str, payload: NoteIn):
    return services.case_progress(actor=request.auth, case=_case(request, case_code), note=payload.note)


@router.post("/{case_code}/pause", response=CaseOut, summary="Stop the clock for missing papers")
def case_pause(request, case_code: str, payload: PauseIn):
    return services.case_pause(actor=request.auth, case=_case(request, case_code), missing=payload.missing)


@router.post("/{case_code}/resume", response=CaseOut, summary="The papers are complete: the clock runs again")
def case_resume(request, case_code: str):
    return services.case_resume(actor=request.auth, case=_case(request, case_code))


@router.post("/{case_code}/reply", response=CaseOut, summary="Answer the worker")
def case_reply(request, case_code: str, payload: ReplyIn):
    return services.case_reply(actor=request.auth, case=_case(request, case_code), reply=payload.reply)


@router.post("/{case_code}/follow-up", response=CaseOut, summary="Record the follow-up (回访)")
def case_follow_up(request, case_code: str, payload: FollowUpIn):
    return services.case_follow_up(actor=request.auth, case=_case(request, case_code),
                                   satisfaction=payload.satisfaction or "", note=payload.note)


@router.post("/{case_code}/close", response=CaseOut,
             summary="Close a followed-up case (solved=false when the problem was only answered and explained)")
def case_close(request, case_code: str, solved: bool = True):
    return services.case_close(actor=request.auth, case=_case(request, case_code), solved=solved)


@router.post("/{case_code}/reopen", response=CaseOut, summary="Handle it again, with a new time limit")
def case_reopen(request, case_code: str, payload: ReasonIn):
    return services.case_reopen(actor=request.auth, case=_case(request, case_code), reason=payload.reason)


@router.post("/{case_code}/link-repeat", response=CaseOut,
             summary="Link a possible repeat filed online to the earlier open case of the same person and topic")
def case_link_repeat(request, case_code: str):
    return intake.case_link_repeat(actor=request.auth, case=_case(request, case_code))
