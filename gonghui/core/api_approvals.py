"""Maker-checker requests under /api/v1/approvals: the ones in the actor's subtree, approve, reject. Asking and
using a request happen where the action lives (an export: the members' list page)."""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from . import approvals
from .pagination import PageNumberPagination

router = Router(tags=["approvals"])


class ApprovalOut(Schema):
    uid: str
    kind: str
    kind_label: str
    description: str
    org: str = Field(..., alias="org.code")
    reason: str
    state: str
    maker: str = Field(..., alias="maker.username")
    checker: str | None
    decision_note: str
    requested_at: datetime.datetime
    expires_at: datetime.datetime
    decided_at: datetime.datetime | None
    execute_by: datetime.datetime | None
    executed_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(a):
        return str(approvals.kind_of(a).label)

    @staticmethod
    def resolve_description(a):
        return approvals.describe(a)

    @staticmethod
    def resolve_state(a):
        return approvals.current_state(a)

    @staticmethod
    def resolve_checker(a):
        return a.checker.username if a.checker_id else None


class ApprovalFilters(Schema):
    show: str = Field("waiting", pattern="^(waiting|mine|all)$",
                      description="waiting: for me to decide; mine: my requests; all")


class ApproveIn(Schema):
    note: str = Field("", max_length=200)


class RejectIn(Schema):
    note: str = Field("", max_length=200, description="the reason, shown to the requester (required)")


def _get(request, uid: str):
    request.auth.require("approval.decide")
    return approvals.approval_get(actor=request.auth, uid=uid)


@router.get("", response=list[ApprovalOut], summary="Maker-checker requests in scope")
@paginate(PageNumberPagination, page_size=50)
def approval_list(request, filters: Query[ApprovalFilters]):
    actor = request.auth
    actor.require("approval.decide")
    return approvals.approval_list(actor=actor, show=filters.show).order_by("-requested_at", "-pk")


@router.get("/{uid}", response=ApprovalOut, summary="One request")
def approval_detail(request, uid: str):
    return _get(request, uid)


@router.post("/{uid}/approve", response=ApprovalOut, summary="Approve (a second person covering the unit)")
def approval_approve(request, uid: str, payload: ApproveIn):
    return approvals.approval_approve(actor=request.auth, approval=_get(request, uid), note=payload.note)


@router.post("/{uid}/reject", response=ApprovalOut, summary="Reject, with the reason")
def approval_reject(request, uid: str, payload: RejectIn):
    return approvals.approval_reject(actor=request.auth, approval=_get(request, uid), note=payload.note)
