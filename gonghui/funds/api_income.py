"""Funds API under /api/v1/funds/: dues, allocations and fund returns (list, record a receipt, pay). Scoped like
the pages: a union outside the actor's subtree is a 404."""

import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import income, returns
from . import selectors_income as sel
from .models import Channel, PeriodKind, ReturnState

router = Router(tags=["funds"])


class DuesOut(Schema):
    id: int
    union: str = Field(..., alias="union.code")
    union_name: str = Field(..., alias="union.name")
    year: int
    month: int
    members: int
    wage_base: Decimal
    due: Decimal
    collected: Decimal
    collected_on: datetime.date | None


class DuesIn(Schema):
    union: str
    year: int
    month: int
    wage_base: Decimal


class DuesCollectIn(Schema):
    id: int
    amount: Decimal
    on: datetime.date | None = None


class AllocationOut(Schema):
    id: int
    union: str = Field(..., alias="union.code")
    union_name: str = Field(..., alias="union.name")
    year: int
    period_kind: PeriodKind
    period_no: int
    period: str = Field(..., alias="period_label")
    payroll: Decimal
    due: Decimal
    received: Decimal
    received_on: datetime.date | None
    channel: str
    collector: str | None
    grassroots_share: Decimal | None
    grassroots_amount: Decimal
    split: dict

    @staticmethod
    def resolve_collector(a):
        return a.collector.code if a.collector else None


class AllocationIn(Schema):
    union: str
    year: int
    period_kind: PeriodKind = PeriodKind.MONTH
    period_no: int
    payroll: Decimal


class AllocationReceiveIn(Schema):
    id: int
    amount: Decimal
    on: datetime.date
    channel: Channel
    collector: str | None = None


class ReturnOut(Schema):
    id: int
    payer: str = Field(..., alias="payer.code")
    union: str = Field(..., alias="union.code")
    union_name: str = Field(..., alias="union.name")
    amount: Decimal
    receipt_no: str
    receipt_on: datetime.date
    due_on: datetime.date
    paid_on: datetime.date | None
    state: ReturnState
    color: str
    late: bool
    allocation: int | None = Field(None, alias="allocation_id")


class ReceiptIn(Schema):
    payer: str | None = Field(None, description="the paying federation's code; default: the actor's unit")
    union: str
    receipt_no: str
    receipt_on: datetime.date
    amount: Decimal | None = Field(None, description="default with an allocation: its grassroots part")
    allocation: int | None = None


class PayIn(Schema):
    id: int
    paid_on: datetime.date | None = None


class ListFilters(Schema):
    union: str | None = Field(None, description="a unit's code: its subtree; default: the actor's unit")
    year: int | None = None


def _under(actor, code: str | None):
    return org_get(actor=actor, code=code.upper()) if code else actor.org


@router.get("/dues", response=list[DuesOut], summary="Monthly dues of the units in a subtree")
@paginate(PageNumberPagination, page_size=50)
def dues_list(request, filters: Query[ListFilters]):
    actor = request.auth
    actor.require("funds.view")
    return sel.dues_list(actor=actor, under=_under(actor, filters.union), year=filters.year).order_by(
        "-year", "union_path", "month")


@router.post("/dues", response={201: DuesOut}, summary="Enter a unit's wage base for a month (0.5% is due)")
def dues_set(request, payload: DuesIn):
    actor = request.auth
    union = org_get(actor=actor, code=payload.union.upper())
    return 201, income.dues_set(actor=actor, union=union, year=payload.year, month=payload.month,
                                wage_base=payload.wage_base)


@router.post("/dues/collect", response=DuesOut, summary="Record dues collected (posted in the union's books)")
def dues_collect(request, payload: DuesCollectIn):
    actor = request.auth
    actor.require("funds.write")
    row = sel.dues_get(actor=actor, pk=payload.id)
    return income.dues_collect(actor=actor, row=row, amount=payload.amount, on=payload.on or timezone.localdate())


@router.get("/allocations", response=list[AllocationOut], summary="Allocations (2% of payroll) in a subtree")
@paginate(PageNumberPagination, page_size=50)
def allocation_list(request, filters: Query[ListFilters]):
    actor = request.auth
    actor.require("funds.view")
    return sel.allocation_list(actor=actor, under=_under(actor, filters.union), year=filters.year).order_by(
        "-period_start", "pk")


@router.post("/allocations", response={201: AllocationOut}, summary="Declare an employer's payroll for a period")
def allocation_declare(request, payload: AllocationIn):
    actor = request.auth
    union = org_get(actor=actor, code=payload.union.upper())
    return 201, income.allocation_declare(actor=actor, union=union, year=payload.year,
                                          period_kind=payload.period_kind, period_no=payload.period_no,
                                          payroll=payload.payroll)


@router.post("/allocations/receive", response=AllocationOut, summary="Record an allocation received and post it")
def allocation_receive(request, payload: AllocationReceiveIn):
    actor = request.auth
    actor.require("funds.write")
    row = sel.allocation_get(actor=actor, pk=payload.id)
    collector = org_get(actor=actor, code=payload.collector.upper()) if payload.collector else None
    return income.allocation_receive(actor=actor, allocation=row, amount=payload.amount, on=payload.on,
                                     channel=payload.channel, collector=collector)


@router.get("/returns", response=list[ReturnOut], summary="Fund returns paid or owed in scope, by tab")
@paginate(PageNumberPagination, page_size=50)
def return_list(request, tab: str = Query("pending", description="pending, overdue or paid")):
    actor = request.auth
    actor.require("funds.view")
    tab = tab if tab in sel.RETURN_TABS else "pending"
    return sel.return_list(actor=actor, tab=tab, today=timezone.localdate())


@router.post("/returns", response={201: ReturnOut}, summary="Record the union's receipt: the return is due in 5 "
                                                             "working days")
def return_receipt(request, payload: ReceiptIn):
    actor = request.auth
    actor.require("funds.write")
    payer = org_get(actor=actor, code=payload.payer.upper()) if payload.payer else actor.org
    union = org_get(actor=actor, code=payload.union.upper())
    allocation = sel.allocation_get(actor=actor, pk=payload.allocation) if payload.allocation else None
    return 201, returns.return_receipt_record(actor=actor, payer=payer, union=union, amount=payload.amount,
                                              receipt_no=payload.receipt_no, receipt_on=payload.receipt_on,
                                              allocation=allocation)


@router.post("/returns/pay", response=ReturnOut, summary="Pay a return (posted in the payer's and the union's books)")
def return_pay(request, payload: PayIn):
    actor = request.auth
    actor.require("funds.write")
    row = sel.return_get(actor=actor, pk=payload.id)
    actor.require_covers(row.payer_path)
    return returns.return_pay(actor=actor, fund_return=row, paid_on=payload.paid_on)
