"""Donation drives and recuperation / check-up schemes under /api/v1/aid/drives/... and /api/v1/aid/schemes/...
Scoped like the pages: an object outside the actor's reach is a 404. Donor and member names are masked (张*三)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.members.models import Person
from gonghui.orgs.selectors import org_get

from . import drives, schemes, selectors_drives, selectors_schemes
from .archive import mask_name
from .models import DriveState, NominationGroup, NominationState, SchemeKind

router = Router(tags=["aid"])


class DriveOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    name: str
    day: datetime.date
    period_key: str
    state: DriveState
    units: int
    donors: int
    total: Decimal


# Every input field has a default: the object in the path is looked up (a 404 outside the actor's reach) before
# the services name what is missing or wrong, in Chinese.
class DriveIn(Schema):
    org: str
    name: str
    day: datetime.date
    period_key: str = ""
    note: str = ""


class UnitOut(Schema):
    org: str = Field(..., alias="org.code")
    unit: str = Field(..., alias="org.name")
    donors: int
    amount: Decimal
    lump_donors: int
    lump_amount: Decimal
    receipt_no: str


class UnitIn(Schema):
    org: str = ""
    donors: int | str = 0
    amount: Decimal | str = "0"
    receipt_no: str = ""


class DonationIn(Schema):
    org: str = ""
    amount: Decimal | str = "0"
    member_uid: str = ""
    donor_name: str = ""


class DonationOut(Schema):
    id: int
    org: str
    donor: str
    amount: Decimal


def _unit(actor, code: str):
    if not (code or "").strip():
        raise ValidationError({"org": _("Give the union's code.")})
    return org_get(actor=actor, code=code.strip().upper())


def _donation_out(gift) -> dict:
    name = gift.person.name if gift.person_id else gift.donor_name
    return {"id": gift.pk, "org": gift.unit.org.code, "donor": mask_name(name), "amount": gift.amount}


@router.get("/drives", response=list[DriveOut])
@paginate(PageNumberPagination)
def drive_list(request, state: str = "", period: str = ""):
    return selectors_drives.drive_list(actor=request.auth, filters={"state": state, "period": period})


@router.get("/drives/{pk}", response=DriveOut)
def drive_get(request, pk: int):
    return selectors_drives.drive_get(actor=request.auth, pk=pk)


@router.post("/drives", response={201: DriveOut})
def drive_create(request, payload: DriveIn):
    actor = request.auth
    actor.require("aid.write")
    org = org_get(actor=actor, code=payload.org.upper())
    d = drives.drive_create(actor=actor, org=org, name=payload.name, day=payload.day, period_key=payload.period_key,
                            note=payload.note)
    return 201, selectors_drives.drive_get(actor=actor, pk=d.pk)


@router.get("/drives/{pk}/units", response=list[UnitOut])
def drive_units(request, pk: int):
    actor = request.auth
    return list(selectors_drives.unit_list(actor=actor, drive=selectors_drives.drive_get(actor=actor, pk=pk))[:5000])


@router.post("/drives/{pk}/units", response=UnitOut)
def drive_unit_record(request, pk: int, payload: UnitIn):
    actor = request.auth
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    org = _unit(actor, payload.org)
    return drives.unit_record(actor=actor, drive=drive, org=org, donors=payload.donors, amount=payload.amount,
                              receipt_no=payload.receipt_no)


@router.get("/drives/{pk}/donations", response=list[DonationOut])
def drive_donations(request, pk: int):
    actor = request.auth
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    return [_donation_out(g) for g in selectors_drives.donation_list(actor=actor, drive=drive)[:5000]]


@router.post("/drives/{pk}/donations", response={201: DonationOut})
def drive_donation_add(request, pk: int, payload: DonationIn):
    actor = request.auth
    drive = selectors_drives.drive_get(actor=actor, pk=pk)
    org = _unit(actor, payload.org)
    person = None
    if payload.member_uid:
        person = Person.objects.filter(uid=payload.member_uid).first()
        if person is None:
            raise ValidationError({"member_uid": _("No member of the registry has this id.")})
    gift = drives.donation_add(actor=actor, drive=drive, org=org, amount=payload.amount, person=person,
                               donor_name=payload.donor_name)
    return 201, _donation_out(gift)


@router.post("/drives/{pk}/close", response=DriveOut)
def drive_close(request, pk: int):
    actor = request.auth
    drives.drive_close(actor=actor, drive=selectors_drives.drive_get(actor=actor, pk=pk))
    return selectors_drives.drive_get(actor=actor, pk=pk)


# --- schemes ---------------------------------------------------------------------------------------------------

class SchemeOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    kind: SchemeKind
    year: int
    name: str
    subsidy: Decimal
    places: int


class QuotaOut(Schema):
    org: str = Field(..., alias="org.code")
    places: int
    allocated: int
    nominated: int
    left: int


class QuotaIn(Schema):
    org: str = ""
    places: int | str = 0


class NominationOut(Schema):
    id: int
    scheme_id: int
    org: str = Field(..., alias="org.code")
    member: str
    group: NominationGroup
    state: NominationState
    trip_id: int | None = None
    attended_on: datetime.date | None = None

    @staticmethod
    def resolve_member(obj):
        return mask_name(obj.person.name)


class NominationIn(Schema):
    org: str = ""
    member_uid: str = ""
    group: str = ""


class RefuseIn(Schema):
    reason: str = ""


@router.get("/schemes", response=list[SchemeOut])
@paginate(PageNumberPagination)
def scheme_list(request, kind: str = ""):
    return selectors_schemes.scheme_list(actor=request.auth, filters={"kind": kind})


@router.get("/schemes/{pk}", response=SchemeOut)
def scheme_get(request, pk: int):
    return selectors_schemes.scheme_get(actor=request.auth, pk=pk)


@router.get("/schemes/{pk}/quotas", response=list[QuotaOut])
def scheme_quotas(request, pk: int):
    actor = request.auth
    return list(selectors_schemes.quota_list(actor=actor, scheme=selectors_schemes.scheme_get(actor=actor, pk=pk))
                [:5000])


@router.post("/schemes/{pk}/quotas", response=QuotaOut)
def scheme_quota_allocate(request, pk: int, payload: QuotaIn):
    actor = request.auth
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    org = _unit(actor, payload.org)
    return schemes.quota_allocate(actor=actor, scheme=scheme, org=org, places=payload.places)


@router.get("/schemes/{pk}/nominations", response=list[NominationOut])
@paginate(PageNumberPagination)
def scheme_nominations(request, pk: int, group: str = "", state: str = ""):
    actor = request.auth
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    return selectors_schemes.nomination_list(actor=actor, filters={"scheme": scheme.pk, "group": group,
                                                                   "state": state})


@router.post("/schemes/{pk}/nominations", response={201: NominationOut})
def scheme_nominate(request, pk: int, payload: NominationIn):
    actor = request.auth
    actor.require("aid.write")
    scheme = selectors_schemes.scheme_get(actor=actor, pk=pk)
    org = _unit(actor, payload.org)
    person = Person.objects.filter(uid=payload.member_uid).first()
    if person is None:
        raise ValidationError({"member_uid": _("No member of the registry has this id.")})
    n = schemes.nomination_create(actor=actor, scheme=scheme, org=org, person=person, group=payload.group)
    return 201, selectors_schemes.nomination_get(actor=actor, pk=n.pk)


@router.post("/schemes/nominations/{pk}/approve", response=NominationOut)
def scheme_nomination_approve(request, pk: int):
    actor = request.auth
    schemes.nomination_approve(actor=actor, nomination=selectors_schemes.nomination_get(actor=actor, pk=pk))
    return selectors_schemes.nomination_get(actor=actor, pk=pk)


@router.post("/schemes/nominations/{pk}/refuse", response=NominationOut)
def scheme_nomination_refuse(request, pk: int, payload: RefuseIn):
    actor = request.auth
    schemes.nomination_refuse(actor=actor, nomination=selectors_schemes.nomination_get(actor=actor, pk=pk),
                              reason=payload.reason)
    return selectors_schemes.nomination_get(actor=actor, pk=pk)
