"""Medical mutual aid under /api/v1/aid/mutual/: plans, their enrolments (one, or a spreadsheet all or nothing),
claims (file, approve by a second person, refuse). Scoped like the pages: an object outside the actor's subtree is a
404. Names are masked (张*三), ID numbers masked, bank accounts and illnesses never returned in lists."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.identity import mask
from gonghui.core.pagination import PageNumberPagination
from gonghui.members.models import Person
from gonghui.orgs.selectors import org_get

from . import import_mutual, mutual, selectors_mutual
from .archive import mask_name
from .models import ClaimState, PlanState
from .views_mutual import IMPORT_MAX_BYTES

router = Router(tags=["aid"])


class PlanOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    year: int
    name: str
    state: PlanState
    contribution: Decimal
    deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal
    special_rules: list[dict]
    program_id: int
    fund: Decimal = Field(..., alias="program.budget")


class EnrolmentOut(Schema):
    id: int
    plan_id: int
    unit: str = Field(..., alias="unit.code")
    worker: str
    id_number: str
    enrolled_on: datetime.date
    contribution: Decimal

    @staticmethod
    def resolve_worker(obj):
        return mask_name(obj.person.name)

    @staticmethod
    def resolve_id_number(obj):
        return mask(obj.person.id_number, kind="id_number")


class EnrolIn(Schema):
    unit: str = ""  # checked after the plan's scope: another county's plan is a 404 whatever the body
    member_uid: str = ""
    contribution: Decimal | None = None


class ClaimOut(Schema):
    id: int
    plan_id: int
    unit: str = Field(..., alias="org.code")
    worker: str
    admitted_on: datetime.date
    discharged_on: datetime.date
    total_bill: Decimal
    insurance_paid: Decimal
    self_paid: Decimal
    subsidy: Decimal
    capped: bool
    state: ClaimState
    refused_reason: str
    grant_id: int | None = None

    @staticmethod
    def resolve_worker(obj):
        return mask_name(obj.enrolment.person.name)

    @staticmethod
    def resolve_state(obj):
        return obj.status


class ClaimIn(Schema):
    plan_id: int
    member_uid: str
    admitted_on: datetime.date
    discharged_on: datetime.date
    illness: str
    special_illness: str = ""
    total_bill: Decimal
    insurance_paid: Decimal
    self_paid: Decimal
    bank_account: str = ""


class RefuseIn(Schema):
    reason: str


@router.get("/mutual/plans", response=list[PlanOut])
@paginate(PageNumberPagination)
def plan_list(request, year: int | None = None, state: str = ""):
    return selectors_mutual.plan_list(actor=request.auth, filters={"year": year, "state": state})


@router.get("/mutual/plans/{pk}", response=PlanOut)
def plan_get(request, pk: int):
    return selectors_mutual.plan_get(actor=request.auth, pk=pk)


@router.get("/mutual/plans/{pk}/enrolments", response=list[EnrolmentOut])
@paginate(PageNumberPagination)
def enrolment_list(request, pk: int, unit: str = ""):
    actor = request.auth
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    filters = {"unit": org_get(actor=actor, code=unit.upper())} if unit else {}
    return selectors_mutual.enrolment_list(actor=actor, plan=plan, filters=filters).order_by("pk")


@router.post("/mutual/plans/{pk}/enrolments", response={201: EnrolmentOut})
def enrol(request, pk: int, payload: EnrolIn):
    actor = request.auth
    if not actor.can("aid.write"):
        raise PermissionDenied("aid.write")
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)
    if not payload.unit:
        raise ValidationError({"unit": _("Give the unit's code.")})
    unit = org_get(actor=actor, code=payload.unit.upper())
    person = Person.objects.filter(uid=payload.member_uid).first()
    if person is None:
        raise ValidationError({"member_uid": _("No member of the registry has this id.")})
    row = mutual.enrol(actor=actor, plan=plan, unit=unit, person=person, contribution=payload.contribution)
    return 201, selectors_mutual.enrolment_get(actor=actor, pk=row.pk)


@router.post("/mutual/plans/{pk}/enrolments/import", response={200: dict, 201: dict, 422: dict})
def enrol_import(request, pk: int, file: File[UploadedFile] = None, dry_run: Form[bool] = False):
    actor = request.auth
    if not actor.can("aid.write"):
        raise PermissionDenied("aid.write")
    plan = selectors_mutual.plan_get(actor=actor, pk=pk)  # the scope first: another county's is a 404
    if file is None:
        return 422, {"problems": [_("Upload the spreadsheet (xlsx, xls, ods or csv).")]}
    if file.size > IMPORT_MAX_BYTES:
        return 422, {"problems": [_("The file is larger than 2 MB: split it.")]}
    data = file.read()
    if dry_run:
        read = import_mutual.enrol_rows(actor=actor, plan=plan, data=data, filename=file.name or "")
        if read.problems:
            return 422, {"problems": read.problems}
        return 200, {"workers": len(read.rows), "total": str(read.total)}
    try:
        n = import_mutual.enrol_import(actor=actor, plan=plan, data=data, filename=file.name or "")
    except ValidationError as exc:
        return 422, {"problems": exc.messages}
    return 201, {"created": n}


@router.get("/mutual/claims", response=list[ClaimOut])
@paginate(PageNumberPagination)
def claim_list(request, state: str = "", unit: str = "", month: str = "", plan: int | None = None):
    actor = request.auth
    filters = {"state": state, "month": month}
    if unit:
        filters["unit"] = org_get(actor=actor, code=unit.upper())
    if plan:
        filters["plan"] = selectors_mutual.plan_get(actor=actor, pk=plan)
    return selectors_mutual.claim_list(actor=actor, filters=filters).order_by("-pk")


@router.get("/mutual/claims/{pk}", response=ClaimOut)
def claim_get(request, pk: int):
    return selectors_mutual.claim_get(actor=request.auth, pk=pk)


@router.post("/mutual/claims", response={201: ClaimOut})
def claim_file(request, payload: ClaimIn):
    actor = request.auth
    if not actor.can("aid.write"):
        raise PermissionDenied("aid.write")
    plan = selectors_mutual.plan_get(actor=actor, pk=payload.plan_id)
    enrolment = selectors_mutual.enrolment_scope(actor=actor).filter(
        plan=plan, person__uid=payload.member_uid).select_related("plan", "unit").first()
    if enrolment is None:
        raise ValidationError({"member_uid": _("No worker of your area with this id is enrolled in %(p)s.") % {
            "p": plan.name}})
    claim = mutual.claim_file(actor=actor, enrolment=enrolment, **payload.dict(exclude={"plan_id", "member_uid"}))
    return 201, selectors_mutual.claim_get(actor=actor, pk=claim.pk)


@router.post("/mutual/claims/{pk}/approve", response=ClaimOut)
def claim_approve(request, pk: int):
    actor = request.auth
    claim = mutual.claim_approve(actor=actor, claim=selectors_mutual.claim_get(actor=actor, pk=pk))
    return selectors_mutual.claim_get(actor=actor, pk=claim.pk)


@router.post("/mutual/claims/{pk}/refuse", response=ClaimOut)
def claim_refuse(request, pk: int, payload: RefuseIn):
    actor = request.auth
    claim = mutual.claim_refuse(actor=actor, claim=selectors_mutual.claim_get(actor=actor, pk=pk),
                                reason=payload.reason)
    return selectors_mutual.claim_get(actor=actor, pk=claim.pk)
