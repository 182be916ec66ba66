"""Funds API under /api/v1/funds/: budgets with their execution, adjustments, collective decisions, large expenses
and their decisions, annual audits. Scoped like the pages: a union outside the actor's subtree is a 404."""

import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import budgets, decisions, selectors_budget
from .models import BudgetState, MeetingKind

router = Router(tags=["funds"])


class BudgetOut(Schema):
    union: str = Field(..., alias="org.code")
    union_name: str = Field(..., alias="org.name")
    year: int
    state: BudgetState
    decision: str | None
    approved_at: datetime.datetime | None

    @staticmethod
    def resolve_decision(b):
        return b.decision.reference if b.decision_id else None


class ExecutionLineOut(Schema):
    account: str
    budget: Decimal
    actual: Decimal
    remaining: Decimal
    percent: Decimal | None


class BudgetDetailOut(BudgetOut):
    on: datetime.date
    lines: list[ExecutionLineOut]
    unbudgeted: Decimal


class BudgetFilters(Schema):
    org: str | None = Field(None, description="a unit's code: its subtree (default: the actor's)")
    year: int | None = None
    state: BudgetState | None = None


@router.get("/budgets", response=list[BudgetOut], summary="Budgets of a subtree")
@paginate(PageNumberPagination, page_size=50)
def budget_list(request, filters: Query[BudgetFilters]):
    actor = request.auth
    under = org_get(actor=actor, code=filters.org) if filters.org else None
    return selectors_budget.budget_list(actor=actor, year=filters.year, state=filters.state or "",
                                        under=under).order_by("-year", "pk")


def _detail(budget, on: datetime.date) -> dict:
    rows, unbudgeted = budgets.budget_execution(budget, on=on)
    return {"org": budget.org, "year": budget.year, "state": budget.state, "decision_id": budget.decision_id,
            "decision": budget.decision, "approved_at": budget.approved_at, "on": on, "unbudgeted": unbudgeted,
            "lines": [{"account": r.path, "budget": r.budget, "actual": r.actual, "remaining": r.remaining,
                       "percent": r.percent} for r in rows]}


class _Detail:
    def __init__(self, data):
        self.__dict__.update(data)


@router.get("/budgets/{code}/{year}", response=BudgetDetailOut,
            summary="A union's budget of a year with its execution (budget against actual) at a date")
def budget_detail(request, code: str, year: int, on: datetime.date | None = None):
    budget = selectors_budget.budget_get(actor=request.auth, code=code, year=year)
    on = on or min(timezone.localdate(), datetime.date(year, 12, 31))
    return _Detail(_detail(budget, on))


class AdjustIn(Schema):
    # Every field is checked by the service (with messages naming it), after the budget is found in scope.
    account: str = Field("", description="expenditure account code or name path")
    change: str = Field("", description="yuan, negative to reduce")
    reason: str = ""
    decision: str = Field("", description="the reference number of the union's collective decision")


@router.post("/budgets/{code}/{year}/adjustments", response=BudgetDetailOut,
             summary="Adjust an approved budget (approved by a collective decision)")
def budget_adjust(request, code: str, year: int, payload: AdjustIn):
    actor = request.auth
    budget = selectors_budget.budget_get(actor=actor, code=code, year=year)
    decision = selectors_budget.decision_by_ref(actor=actor, org=budget.org, reference=payload.decision)
    budgets.budget_adjust(actor=actor, budget=budget, account=payload.account, change=payload.change,
                          reason=payload.reason, decision=decision)
    budget.refresh_from_db()
    return _Detail(_detail(budget, min(timezone.localdate(), datetime.date(year, 12, 31))))


class DecisionItemOut(Schema):
    subject: str
    amount: Decimal | None


class DecisionOut(Schema):
    union: str = Field(..., alias="org.code")
    kind: MeetingKind
    date: datetime.date
    reference: str
    title: str
    items: list[DecisionItemOut]

    @staticmethod
    def resolve_items(d):
        return list(d.items.all())


class DecisionItemIn(Schema):
    subject: str
    amount: Decimal | None = None


class DecisionIn(Schema):
    union: str
    kind: MeetingKind
    date: datetime.date
    reference: str
    title: str
    items: list[DecisionItemIn] = []


@router.get("/decisions", response=list[DecisionOut], summary="Collective decisions of a subtree")
@paginate(PageNumberPagination, page_size=50)
def decision_list(request, org: str | None = None, q: str = ""):
    actor = request.auth
    under = org_get(actor=actor, code=org) if org else None
    return selectors_budget.decision_list(actor=actor, under=under, q=q).prefetch_related("items").order_by(
        "-date", "-pk")


@router.post("/decisions", response={201: DecisionOut}, summary="Record a collective decision (links the union's "
             "voucher lines carrying its reference)")
def decision_create(request, payload: DecisionIn):
    actor = request.auth
    org = org_get(actor=actor, code=payload.union)
    decision = decisions.decision_record(actor=actor, org=org, kind=payload.kind, date=payload.date,
                                         reference=payload.reference, title=payload.title,
                                         items=[(i.subject, i.amount) for i in payload.items])
    return Status(201, decision)


class LargeExpenseOut(Schema):
    union: str = Field(..., alias="voucher.org.code")
    voucher: str = Field(..., alias="voucher.display_number")
    date: datetime.date
    account: str = Field(..., alias="account.path")
    summary: str
    counterparty: str
    amount: Decimal = Field(..., alias="debit")
    decision_ref: str
    decision: str = Field(..., description="linked, unverified (a reference matching no decision) or none")

    @staticmethod
    def resolve_decision(line):
        return decisions.large_state(line)


@router.get("/large-expenses", response=list[LargeExpenseOut],
            summary="Expenses at or above the collective-decision threshold, with their decision")
@paginate(PageNumberPagination, page_size=50)
def large_expense_list(request, org: str | None = None, year: int | None = None,
                       threshold: Decimal = decisions.LARGE_EXPENSE):
    actor = request.auth
    target = org_get(actor=actor, code=org) if org else actor.org
    return selectors_budget.large_expenses(actor=actor, org=target, year=year or timezone.localdate().year,
                                           threshold=threshold).order_by("-debit", "pk")


class AuditOut(Schema):
    union: str = Field(..., alias="org.code")
    year: int
    auditor: str
    started_on: datetime.date
    ended_on: datetime.date
    vouchers_checked: int
    conclusion: str
    findings_open: int

    @staticmethod
    def resolve_findings_open(a):
        return a.findings.exclude(state="rectified").count()


@router.get("/audits", response=list[AuditOut], summary="Annual audits of a subtree")
@paginate(PageNumberPagination, page_size=50)
def audit_list(request, org: str | None = None, year: int | None = None):
    actor = request.auth
    under = org_get(actor=actor, code=org) if org else None
    return selectors_budget.audit_list(actor=actor, under=under, year=year).order_by("-year", "pk")
