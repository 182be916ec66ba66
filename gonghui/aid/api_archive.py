"""The hardship archive under /api/v1/aid/: households list (keyset pages: ``after`` the last id), detail, create,
and transitions (apply, approve, return, reject, exit). Names and ID numbers are masked; incomes are not returned.
Scoped like the pages: a household outside the actor's subtree is a 404."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.core.reveal import masked
from gonghui.orgs.selectors import org_get

from . import archive, selectors_archive
from .models import Category, Cause, HouseholdState, Relationship

router = Router(tags=["aid"])


class HouseholdOut(Schema):
    id: int
    name: str = Field(..., alias="name_masked")
    org: str = Field(..., alias="org.code")
    category: Category
    state: HouseholdState
    causes: list[str]
    notice_until: datetime.date | None
    filed_on: datetime.date | None
    review_due: datetime.date | None
    exited_on: datetime.date | None

    @staticmethod
    def resolve_causes(obj):
        return obj.cause_list()


class MemberOut(Schema):
    relationship: Relationship


class HouseholdDetailOut(HouseholdOut):
    id_number: str
    members: list[MemberOut]
    standard_monthly: Decimal | None
    standard_year: int | None
    open_objections: int
    return_reason: str
    exit_reason: str

    @staticmethod
    def resolve_id_number(obj):
        return masked(obj, "id_number")

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_after: int | None


class HouseholdFilters(Schema):
    state: HouseholdState | None = None
    category: Category | None = None
    cause: Cause | None = None
    overdue: bool = False
    after: int | None = None


class MemberIn(Schema):
    name: str
    relationship: Relationship
    monthly_income: str = "0"
    note: str = ""


class HouseholdIn(Schema):
    org: str
    name: str
    id_number: str
    worker_income: str
    causes: list[Cause]
    cause_note: str = ""
    illness_cost: str = "0"
    disability_cost: str = "0"
    schooling_cost: str = "0"
    accident_loss: str = "0"
    compensation: str = "0"
    members: list[MemberIn] = Field(default_factory=list)


class TransitionIn(Schema):
    action: str = Field("", description="apply | approve | return | reject | exit")
    reason: str = ""
    on: datetime.date | None = None


@router.get("/households", response=HouseholdPage)
def household_list(request, filters: Query[HouseholdFilters]):
    actor = request.auth
    f = {k: v for k, v in filters.dict().items() if v and k != "after"}
    rows, next_after = selectors_archive.household_page(actor=actor, filters=f, after=filters.after,
                                                        today=timezone.localdate())
    return {"items": rows, "next_after": next_after}


@router.get("/households/{pk}", response=HouseholdDetailOut)
def household_get(request, pk: int):
    return selectors_archive.household_get(actor=request.auth, pk=pk)


@router.post("/households", response={201: HouseholdDetailOut})
def household_create(request, payload: HouseholdIn):
    actor = request.auth
    actor.require("aid.write")
    org = org_get(actor=actor, code=payload.org.upper())
    h = archive.household_create(
        actor=actor, org=org, name=payload.name, id_number=payload.id_number, worker_income=payload.worker_income,
        causes=[str(c) for c in payload.causes], cause_note=payload.cause_note, illness_cost=payload.illness_cost,
        disability_cost=payload.disability_cost, schooling_cost=payload.schooling_cost,
        accident_loss=payload.accident_loss, compensation=payload.compensation,
        members=[archive.MemberInput(name=m.name, relationship=str(m.relationship), monthly_income=m.monthly_income,
                                     note=m.note) for m in payload.members])
    return 201, selectors_archive.household_get(actor=actor, pk=h.pk)


@router.post("/households/{pk}/transition", response=HouseholdDetailOut)
def household_transition(request, pk: int, payload: TransitionIn):
    actor = request.auth
    h = selectors_archive.household_get(actor=actor, pk=pk)
    if payload.action == "apply":
        archive.household_apply(actor=actor, household=h)
    elif payload.action in ("approve", "return", "reject"):
        archive.household_review(actor=actor, household=h, approve=payload.action == "approve",
                                 reject=payload.action == "reject", reason=payload.reason)
    elif payload.action == "exit":
        archive.household_exit(actor=actor, household=h, reason=payload.reason, on=payload.on)
    else:
        raise ValidationError({"action": _("Unknown action: use apply, approve, return, reject or exit.")})
    return selectors_archive.household_get(actor=actor, pk=pk)
