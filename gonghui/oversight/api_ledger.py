"""The ledger under /api/v1/oversight/: measures (list in the ledger's order, get, add), progress reports, closure
(request, close, reject, reopen), dispatch rounds (list, open, get with the missing reports). Scoped like the pages:
an object outside the actor's subtree is a 404."""

import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from gonghui.core.models import User

from . import dispatch, ledger
from . import selectors_ledger as sel
from .models import Problem

router = Router(tags=["oversight"])


class MeasureOut(Schema):
    id: int
    problem: int = Field(..., alias="problem_id")
    problem_number: str = Field(..., alias="problem.number")
    problem_title: str = Field(..., alias="problem.title")
    unit: str = Field(..., alias="org.code")
    steps: str
    indicator: str
    expected: str
    due_on: datetime.date
    owner: str = Field(..., alias="owner.username")
    leader: str
    state: str
    color: str
    percent: int
    closure_requested_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    evidence_count: int


class MeasureIn(Schema):
    problem: int
    steps: str
    indicator: str
    expected: str
    due_on: datetime.date | None = None
    due_days: int | None = None
    owner: str  # a username
    leader: str


class LedgerFilters(Schema):
    color: str = ""
    state: str = "open"
    unit: str = ""
    owner: str = ""
    source: str = ""
    category: str = ""
    overdue: bool = False
    offset: int = 0


class ProgressIn(Schema):
    text: str = ""
    percent: int | None = None  # checked by the service (0–100), after the measure's scope


class ProgressOut(Schema):
    id: int
    measure: int = Field(..., alias="measure_id")
    text: str
    percent: int
    at: datetime.datetime


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class RoundIn(Schema):
    title: str
    due_on: datetime.date


class RoundOut(Schema):
    id: int
    unit: str = Field(..., alias="org.code")
    title: str
    due_on: datetime.date
    state: str
    expected: int
    reported: int
    reminded_at: datetime.datetime | None


class RoundDetailOut(RoundOut):
    missing: list[int]


@router.get("/measures", response=list[MeasureOut], summary="The rectification ledger: 50 measures, most urgent first")
def measure_list(request, filters: Query[LedgerFilters]):
    f = filters.dict()
    offset = max(0, min(f.pop("offset"), 50000))
    f["overdue"] = "1" if f["overdue"] else ""
    return sel.ledger_page(request.auth, filters=f, limit=50, offset=offset)


@router.get("/measures/{pk}", response=MeasureOut, summary="One measure")
def measure_get(request, pk: int):
    return ledger.measure_get(request.auth, pk=pk)


@router.post("/measures", response={201: MeasureOut}, summary="Add a measure to a final problem")
def measure_add(request, payload: MeasureIn):
    actor = request.auth
    actor.require("oversight.write")
    problem = Problem.objects.filter(pk=payload.problem, org_path__startswith=actor.org.path).first()
    if problem is None:
        raise Http404
    owner = User.objects.filter(username=payload.owner).first()
    m = ledger.measure_add(actor, problem=problem, steps=payload.steps, indicator=payload.indicator,
                           expected=payload.expected, due_on=payload.due_on, due_days=payload.due_days, owner=owner,
                           leader=payload.leader)
    return 201, ledger.measure_get(actor, pk=m.pk)


@router.post("/measures/{pk}/progress", response={201: ProgressOut}, summary="The owner reports progress")
def progress_add(request, pk: int, payload: ProgressIn):
    actor = request.auth
    return 201, ledger.progress_add(actor, measure=ledger.measure_get(actor, pk=pk), text=payload.text,
                                    percent=payload.percent)


@router.post("/measures/{pk}/closure/request", response=MeasureOut, summary="Ask for closure (evidence attached)")
def closure_request(request, pk: int, payload: NoteIn):
    actor = request.auth
    ledger.closure_request(actor, measure=ledger.measure_get(actor, pk=pk), note=payload.note)
    return ledger.measure_get(actor, pk=pk)


@router.post("/measures/{pk}/closure/close", response=MeasureOut, summary="Close (销号): not by the owner")
def closure_close(request, pk: int, payload: NoteIn):
    actor = request.auth
    ledger.closure_close(actor, measure=ledger.measure_get(actor, pk=pk), note=payload.note)
    return ledger.measure_get(actor, pk=pk)


@router.post("/measures/{pk}/closure/reject", response=MeasureOut, summary="Send a closure request back")
def closure_reject(request, pk: int, payload: ReasonIn):
    actor = request.auth
    ledger.closure_reject(actor, measure=ledger.measure_get(actor, pk=pk), reason=payload.reason)
    return ledger.measure_get(actor, pk=pk)


@router.post("/measures/{pk}/reopen", response=MeasureOut, summary="Reopen a closed measure (and its problem)")
def measure_reopen(request, pk: int, payload: ReasonIn):
    actor = request.auth
    ledger.measure_reopen(actor, measure=ledger.measure_get(actor, pk=pk), reason=payload.reason)
    return ledger.measure_get(actor, pk=pk)


@router.get("/dispatch", response=list[RoundOut], summary="Dispatch rounds of the subtree, newest first")
def round_list(request):
    return list(dispatch.round_list(request.auth)[:50])


@router.post("/dispatch", response={201: RoundOut}, summary="Open a dispatch round for the actor's subtree")
def round_open(request, payload: RoundIn):
    rnd = dispatch.round_open(request.auth, title=payload.title, due_on=payload.due_on)
    return 201, dispatch.round_get(request.auth, pk=rnd.pk)


@router.get("/dispatch/{pk}", response=RoundDetailOut, summary="A round with the measures not reported yet")
def round_get(request, pk: int):
    actor = request.auth
    rnd = dispatch.round_get(actor, pk=pk)
    rnd.missing = list(dispatch.round_reports(actor, rnd=rnd, reported=False).values_list("measure_id", flat=True)
                       [:1000])
    return rnd
