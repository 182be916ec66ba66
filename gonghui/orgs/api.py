import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.identity import mask
from gonghui.core.pagination import PageNumberPagination

from . import selectors, services
from .models import Kind, Level, Org, Ownership, Status

router = Router(tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    level: Level
    kind: Kind
    ownership: str
    parent_code: str | None
    path: str
    depth: int
    uscc: str
    region_code: str
    employee_count: int
    founded_on: datetime.date | None
    term_ends_on: datetime.date | None
    legal_person_registered: bool
    legal_person_registered_on: datetime.date | None
    legal_person_cert_no: str
    has_women_committee: bool
    has_audit_committee: bool
    contact_name: str
    contact_phone_masked: str
    status: Status
    dissolved_on: datetime.date | None

    @staticmethod
    def resolve_parent_code(obj: Org) -> str | None:
        return getattr(obj, "parent_code", None)

    @staticmethod
    def resolve_contact_phone_masked(obj: Org) -> str:
        return mask(obj.contact_phone, kind="phone")


class OrgFilters(Schema):
    q: str = ""
    level: Level | None = None
    kind: Kind | None = None
    ownership: Ownership | None = None
    status: Status | None = None
    registered: bool | None = None
    under: str | None = Field(None, description="code of a unit: only its subtree")


class OrgFieldsIn(Schema):
    """Every field is optional on edit; fields not named here (level, path, status) cannot be posted."""

    name: str | None = Field(None, max_length=120)
    kind: Kind | None = None
    ownership: Ownership | None = None
    uscc: str | None = None
    region_code: str | None = None
    employee_count: int | None = Field(None, ge=0)
    founded_on: datetime.date | None = None
    term_ends_on: datetime.date | None = None
    legal_person_registered: bool | None = None
    legal_person_registered_on: datetime.date | None = None
    legal_person_cert_no: str | None = Field(None, max_length=40)
    has_women_committee: bool | None = None
    has_audit_committee: bool | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = None


class OrgCreateIn(OrgFieldsIn):
    parent: str
    code: str = Field("", max_length=32)
    name: str = Field(..., max_length=120)
    level: Level
    kind: Kind


class MoveIn(Schema):
    new_parent: str


class DissolveIn(Schema):
    dissolved_on: datetime.date
    reason: str = Field(..., max_length=200)


def _with_parent(org: Org) -> Org:
    org.parent_code = org.get_parent().code if org.depth > 1 else None
    return org


def _fields(payload: OrgFieldsIn) -> dict:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None and k in services.EDITABLE}


@router.get("", response=list[OrgOut], summary="List units in scope")
@paginate(PageNumberPagination, page_size=50)
def org_list(request, filters: Query[OrgFilters]):
    actor = request.auth
    actor.require("org.view")
    data = filters.dict()
    if data.get("under"):
        data["under"] = selectors.org_get(actor=actor, code=data["under"])
    return selectors.org_list(actor=actor, filters=data).order_by("path")


@router.get("/{code}", response=OrgOut, summary="One unit")
def org_detail(request, code: str):
    actor = request.auth
    actor.require("org.view")
    return _with_parent(selectors.org_get(actor=actor, code=code))


@router.get("/{code}/children", response=list[OrgOut], summary="Units directly below")
def org_children(request, code: str):
    actor = request.auth
    actor.require("org.view")
    org = selectors.org_get(actor=actor, code=code)
    children = selectors.org_children(actor=actor, org=org)
    for c in children:
        c.parent_code = org.code
    return children


@router.post("", response={201: OrgOut}, summary="Create a unit under a parent")
def org_create(request, payload: OrgCreateIn):
    actor = request.auth
    actor.require("org.write")
    parent = selectors.org_get(actor=actor, code=payload.parent)
    org = services.org_create(actor=actor, parent=parent, code=payload.code, level=payload.level,
                              **_fields(payload))
    return 201, _with_parent(org)


@router.patch("/{code}", response=OrgOut, summary="Edit a unit")
def org_update(request, code: str, payload: OrgFieldsIn):
    actor = request.auth
    actor.require("org.write")
    org = selectors.org_get(actor=actor, code=code)
    return _with_parent(services.org_update(actor=actor, org=org, **_fields(payload)))


@router.post("/{code}/move", response=OrgOut, summary="Move a unit and its subtree")
def org_move(request, code: str, payload: MoveIn):
    actor = request.auth
    actor.require("org.move")
    org = selectors.org_get(actor=actor, code=code)
    new_parent = selectors.org_get(actor=actor, code=payload.new_parent)
    if org.pk == actor.org.pk:
        raise ValidationError(_("You cannot move the top of your own scope."))
    return _with_parent(services.org_move(actor=actor, org=org, new_parent=new_parent))


@router.post("/{code}/dissolve", response=OrgOut, summary="Dissolve a unit and everything below it")
def org_dissolve(request, code: str, payload: DissolveIn):
    actor = request.auth
    actor.require("org.dissolve")
    org = selectors.org_get(actor=actor, code=code)
    if org.pk == actor.org.pk:
        raise ValidationError(_("You cannot dissolve the top of your own scope."))
    services.org_dissolve(actor=actor, org=org, dissolved_on=payload.dissolved_on, reason=payload.reason)
    org.refresh_from_db()
    return _with_parent(org)
