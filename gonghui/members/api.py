import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.identity import mask
from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import selectors, services
from .models import EmploymentForm, MembershipStatus

router = Router(tags=["members"])


class MemberOut(Schema):
    uid: str
    membership_id: int
    name: str
    sex: str
    birth_date: datetime.date | None
    id_number_masked: str
    phone_masked: str
    union_code: str
    union_name: str
    joined_on: datetime.date
    left_on: datetime.date | None
    status: MembershipStatus
    is_migrant_worker: bool
    is_new_employment: bool
    is_dispatched: bool
    is_female: bool
    job_title: str
    employment_form: str

    @staticmethod
    def resolve_uid(m):
        return m.person.uid

    @staticmethod
    def resolve_membership_id(m):
        return m.pk

    @staticmethod
    def resolve_name(m):
        return m.person.name

    @staticmethod
    def resolve_sex(m):
        return m.person.sex

    @staticmethod
    def resolve_birth_date(m):
        return m.person.birth_date

    @staticmethod
    def resolve_id_number_masked(m):
        return mask(m.person.id_number, kind="id_number")

    @staticmethod
    def resolve_phone_masked(m):
        return mask(m.person.phone, kind="phone")

    @staticmethod
    def resolve_union_code(m):
        return m.union.code

    @staticmethod
    def resolve_union_name(m):
        return m.union.name


class MemberFilters(Schema):
    q: str = Field("", description="part of a name (full ID or mobile numbers: POST /members/find, never in a URL)")
    status: MembershipStatus | None = MembershipStatus.ACTIVE
    category: str | None = Field(None, pattern="^(migrant|new_employment|dispatched|female)$")
    joined_from: datetime.date | None = None
    joined_to: datetime.date | None = None
    union: str | None = Field(None, description="code of a unit: only its subtree")


class PersonIn(Schema):
    doc_type: str = "resident_id"
    id_number: str = Field(..., max_length=30)
    name: str = Field(..., max_length=50)
    sex: str = ""
    birth_date: datetime.date | None = None
    ethnicity: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    education: str = ""
    political_status: str = ""


class MemberIn(Schema):
    union: str
    person: PersonIn
    joined_on: datetime.date
    is_migrant_worker: bool = False
    is_new_employment: bool = False
    is_dispatched: bool = False
    job_title: str = Field("", max_length=50)
    employment_form: EmploymentForm | str = ""


class LeaveIn(Schema):
    left_on: datetime.date
    reason: str = Field(..., max_length=200)


@router.get("", response=list[MemberOut], summary="Members in scope")
@paginate(PageNumberPagination, page_size=50)
def member_list(request, filters: Query[MemberFilters]):
    actor = request.auth
    actor.require("member.view")
    data = filters.dict()
    if selectors.is_number_search(data.get("q") or ""):
        raise ValidationError(_("Full ID or mobile numbers never go in a URL: send them to POST /members/find."))
    if code := data.pop("union", None):
        data["under"] = org_get(actor=actor, code=code)
    return selectors.member_list(actor=actor, filters=data).order_by("-joined_on", "pk")


class FindIn(Schema):
    number: str = Field(..., max_length=30, description="a full ID number or mobile number, matched exactly")


@router.post("/find", response=list[MemberOut], summary="Members in scope holding a full ID or mobile number")
def member_find(request, payload: FindIn):
    actor = request.auth
    actor.require("member.view")
    if not selectors.is_number_search(payload.number):
        raise ValidationError(_("Type a full ID number (18 characters) or a mobile number (11 digits)."))
    return list(selectors.member_list(actor=actor, filters={"q": payload.number, "status": ""})
                .order_by("-joined_on", "pk")[:50])


@router.get("/{uid}", response=MemberOut, summary="A member's current (or latest) membership in scope")
def member_detail(request, uid: str):
    actor = request.auth
    actor.require("member.view")
    person = selectors.person_get(actor=actor, uid=uid)
    return selectors.membership_scope(actor=actor).filter(person=person).select_related(
        "person", "union").order_by("-joined_on", "-pk").first()


@router.post("", response={201: MemberOut}, summary="Add a member to a union")
def member_add(request, payload: MemberIn):
    actor = request.auth
    actor.require("member.write")
    union = org_get(actor=actor, code=payload.union)
    data = payload.dict()
    data.pop("union")
    person = {k: v for k, v in data.pop("person").items() if v not in ("", None)}
    try:
        m = services.member_add(actor=actor, union=union, person=person, **data)
    except services.ActiveElsewhere as exc:
        where = exc.membership.union.name if actor.covers(exc.membership.org_path) else _("another union")
        raise ValidationError(_("Already an active member of %(where)s: ask for a transfer.") % {
            "where": where}) from None
    return 201, m


@router.post("/{uid}/leave", response=MemberOut, summary="Record that a member left their union")
def member_leave(request, uid: str, payload: LeaveIn):
    actor = request.auth
    actor.require("member.write")
    person = selectors.person_get(actor=actor, uid=uid)
    m = selectors.membership_scope(actor=actor).filter(person=person, status=MembershipStatus.ACTIVE).first()
    if m is None:
        raise ValidationError(_("No active membership of this person in your scope."))
    return services.member_leave(actor=actor, membership=m, left_on=payload.left_on, reason=payload.reason)
