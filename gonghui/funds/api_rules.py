"""Funds API under /api/v1/funds/: the alerts (list, detail, explain, dismiss, confirm, rectify) and the scan.
Scoped like the pages: an alert or union outside the actor's subtree is a 404."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import alerts, selectors_rules
from .models import AlertState, RuleKey
from .rules import scan

router = Router(tags=["funds"])


class AlertOut(Schema):
    id: int
    rule: RuleKey
    union: str = Field(..., alias="union.code")
    union_name: str = Field(..., alias="union.name")
    year: int
    date: datetime.date = Field(..., alias="first_date")
    amount: Decimal
    message: str
    state: AlertState
    explanation: str
    review_reason: str
    rectify_note: str
    created_at: datetime.datetime


class LineOut(Schema):
    id: int
    voucher: str = Field(..., alias="voucher.display_number")
    date: datetime.date
    account: str = Field(..., alias="account.path")
    summary: str
    counterparty: str
    decision_ref: str
    decision_verified: bool
    amount: Decimal = Field(..., alias="debit")
    voided: bool

    @staticmethod
    def resolve_decision_verified(obj):
        return obj.decision_id is not None


class AlertDetailOut(AlertOut):
    lines: list[LineOut]


class AlertFilters(Schema):
    org: str | None = None
    rule: RuleKey | None = None
    state: AlertState | None = None
    year: int | None = None


class ReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    # Optional in the schema so that an alert out of scope is a 404 before the body is judged; the service refuses
    # an empty note.
    note: str = ""


class ScanIn(Schema):
    org: str | None = Field(None, description="union or federation code; default: the actor's own")
    year: int


class ScanOut(Schema):
    rules: list[str]
    found: int
    created: int
    reopened: int
    cleared: int
    lines: int
    by_rule: dict[str, int]
    seconds: float


def _detail(actor, alert):
    alert.lines = list(selectors_rules.alert_lines(alert=alert))
    return alert


@router.get("/alerts", response=list[AlertOut])
@paginate(PageNumberPagination)
def alert_list(request, filters: Query[AlertFilters]):
    actor = request.auth
    if not actor.can("funds.view"):
        raise PermissionDenied("funds.view")
    f = filters.dict(exclude_none=True)
    if f.get("org"):
        f["org"] = org_get(actor=actor, code=f["org"].upper())
    return selectors_rules.alert_list(actor=actor, filters=f).order_by("-created_at", "-pk")


@router.post("/alerts/scan", response=ScanOut)
def alert_scan(request, payload: ScanIn):
    actor = request.auth
    org = org_get(actor=actor, code=payload.org.upper()) if payload.org else actor.org
    return scan(actor=actor, org=org, year=payload.year).as_dict()


@router.get("/alerts/{alert_id}", response=AlertDetailOut)
def alert_detail(request, alert_id: int):
    actor = request.auth
    if not actor.can("funds.view"):
        raise PermissionDenied("funds.view")
    return _detail(actor, selectors_rules.alert_get(actor=actor, pk=alert_id))


def _act(request, alert_id: int, fn, **kwargs):
    actor = request.auth
    alert = selectors_rules.alert_get(actor=actor, pk=alert_id)
    return _detail(actor, fn(actor=actor, alert=alert, **kwargs))


@router.post("/alerts/{alert_id}/explain", response=AlertDetailOut)
def alert_explain(request, alert_id: int, payload: ReasonIn):
    return _act(request, alert_id, alerts.alert_explain, reason=payload.reason)


@router.post("/alerts/{alert_id}/dismiss", response=AlertDetailOut)
def alert_dismiss(request, alert_id: int, payload: ReasonIn):
    return _act(request, alert_id, alerts.alert_dismiss, reason=payload.reason)


@router.post("/alerts/{alert_id}/confirm", response=AlertDetailOut)
def alert_confirm(request, alert_id: int, payload: ReasonIn):
    return _act(request, alert_id, alerts.alert_confirm, reason=payload.reason)


@router.post("/alerts/{alert_id}/rectify", response=AlertDetailOut)
def alert_rectify(request, alert_id: int, payload: NoteIn):
    return _act(request, alert_id, alerts.alert_rectify, note=payload.note)
