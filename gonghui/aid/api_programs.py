"""Programs, grants and payment batches under /api/v1/aid/: list and read programs; list, read, apply for, approve
and refuse grants; read a batch. Scoped like the pages: an object outside the actor's subtree is a 404. Names are
masked (张*三); bank accounts are never returned."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.members.models import Person
from gonghui.orgs.selectors import org_get

from . import programs, rules, selectors_programs
from .models import BatchState, GrantState, ProgramKind
from .views_programs import mask_name

router = Router(tags=["aid"])


class ProgramOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    kind: ProgramKind
    name: str
    period_key: str
    start_on: datetime.date
    end_on: datetime.date
    budget: Decimal
    approved_total: Decimal
    budget_account: str
    one_per_person: bool
    rules: dict
    rules_text: list[str]

    @staticmethod
    def resolve_rules_text(obj):
        return rules.describe(obj.rules)


class GrantOut(Schema):
    id: int
    program_id: int
    org: str = Field(..., alias="org.code")
    member: str
    amount: Decimal
    state: GrantState
    refused_reason: str
    batch_id: int | None = None
    paid_on: datetime.date | None = None

    @staticmethod
    def resolve_member(obj):
        return mask_name(obj.person.name)


class GrantIn(Schema):
    program_id: int
    org: str
    member_uid: str
    facts: dict = {}
    bank_account: str = ""
    note: str = ""


class RefuseIn(Schema):
    reason: str


class BatchOut(Schema):
    id: int
    program_id: int
    state: BatchState
    count: int
    total: Decimal
    bank_reference: str
    paid_on: datetime.date | None = None


@router.get("/programs", response=list[ProgramOut])
@paginate(PageNumberPagination)
def program_list(request):
    return selectors_programs.program_list(actor=request.auth)


@router.get("/programs/{pk}", response=ProgramOut)
def program_get(request, pk: int):
    return selectors_programs.program_get(actor=request.auth, pk=pk)


@router.get("/grants", response=list[GrantOut])
@paginate(PageNumberPagination)
def grant_list(request, state: str = "", kind: str = ""):
    return selectors_programs.grant_list(actor=request.auth, filters={"state": state, "kind": kind})


@router.get("/grants/{pk}", response=GrantOut)
def grant_get(request, pk: int):
    return selectors_programs.grant_get(actor=request.auth, pk=pk)


@router.post("/grants", response={201: GrantOut})
def grant_create(request, payload: GrantIn):
    actor = request.auth
    if not actor.can("aid.write"):
        raise PermissionDenied("aid.write")
    program = selectors_programs.program_get(actor=actor, pk=payload.program_id)
    org = org_get(actor=actor, code=payload.org.upper())
    person = Person.objects.filter(uid=payload.member_uid).first()
    if person is None:
        raise ValidationError({"member_uid": _("No member of the registry has this id.")})
    g = programs.grant_apply(actor=actor, program=program, person=person, org=org, facts=payload.facts,
                             bank_account=payload.bank_account, note=payload.note)
    return 201, selectors_programs.grant_get(actor=actor, pk=g.pk)


@router.post("/grants/{pk}/approve", response=GrantOut)
def grant_approve(request, pk: int):
    actor = request.auth
    g = programs.grant_approve(actor=actor, grant=selectors_programs.grant_get(actor=actor, pk=pk))
    return selectors_programs.grant_get(actor=actor, pk=g.pk)


@router.post("/grants/{pk}/refuse", response=GrantOut)
def grant_refuse(request, pk: int, payload: RefuseIn):
    actor = request.auth
    g = programs.grant_refuse(actor=actor, grant=selectors_programs.grant_get(actor=actor, pk=pk),
                              reason=payload.reason)
    return selectors_programs.grant_get(actor=actor, pk=g.pk)


@router.get("/batches/{pk}", response=BatchOut)
def batch_get(request, pk: int):
    return selectors_programs.batch_get(actor=request.auth, pk=pk)
