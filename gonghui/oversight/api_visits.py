"""Field visits and inspections under /api/v1/oversight/: list, get and record visits; put a problem found on the
problem list; inspection rounds, their items, issue an item and answer it. Scoped like the pages: an object outside
the actor's subtree is a 404."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import casework_links, inspections, selectors_visits, visits
from .models import FindingFate, ItemKind, ItemState

router = Router(tags=["oversight"])


def _name(user) -> str:
    return (user.display_name or user.get_username()) if user else ""


class UnitOut(Schema):
    name: str
    uscc: str
    org: str | None = None

    @staticmethod
    def resolve_org(obj):
        return obj.unit.code if obj.unit_id else None


class FindingOut(Schema):
    id: int
    text: str
    fate: FindingFate
    problem_id: int | None = None

    @staticmethod
    def resolve_problem_id(obj):
        return obj.link_id if obj.fate == FindingFate.PROBLEM else None


class VisitOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    title: str
    started_on: datetime.date
    ended_on: datetime.date
    leader: str = ""
    forums: int
    forum_people: int
    interviews: int
    questionnaires: int
    solved: int
    solved_text: str

    @staticmethod
    def resolve_leader(obj):
        return _name(obj.leader)


class VisitDetailOut(VisitOut):
    summary: str
    team: list[str]
    units: list[UnitOut]
    findings: list[FindingOut]

    @staticmethod
    def resolve_team(obj):
        return [_name(u) for u in obj.team.order_by("pk")]

    @staticmethod
    def resolve_units(obj):
        return list(obj.units.select_related("unit"))

    @staticmethod
    def resolve_findings(obj):
        return list(obj.findings.all())


class VisitFilters(Schema):
    start: datetime.date | None = None
    end: datetime.date | None = None
    org: str | None = None


class UnitIn(Schema):
    org: str | None = Field(None, description="unit code of the tree")
    name: str = ""
    uscc: str = Field("", description="unified social credit code, for an enterprise not yet unionized")


class VisitIn(Schema):
    title: str = ""
    started_on: datetime.date
    ended_on: datetime.date | None = None
    leader: str = Field(..., description="username")
    team: list[str] = Field(default_factory=list, description="usernames")
    units: list[UnitIn]
    forums: int = Field(0, ge=0)
    forum_people: int = Field(0, ge=0)
    interviews: int = Field(0, ge=0)
    questionnaires: int = Field(0, ge=0)
    solved: int = Field(0, ge=0)
    solved_text: str = ""
    summary: str = ""
    findings: list[str] = Field(default_factory=list)


class FindingProblemIn(Schema):
    org: str | None = Field(None, description="unit code; default: the organising unit")


def _users(actor, names: list[str]):
    found = {u.username: u for u in visits.team_candidates(actor=actor).filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError({"team": _("Choose the team among the staff of the unit.")})
    return [found[n] for n in names]


@router.get("/visits", response=list[VisitOut])
@paginate(PageNumberPagination)
def visit_list(request, filters: Query[VisitFilters]):
    actor = request.auth
    f = filters.dict(exclude_none=True)
    if f.get("org"):
        f["org"] = org_get(actor=actor, code=f["org"].upper())
    return selectors_visits.visit_list(actor=actor, filters=f)


@router.get("/visits/{pk}", response=VisitDetailOut)
def visit_get(request, pk: int):
    return selectors_visits.visit_get(actor=request.auth, pk=pk)


@router.post("/visits", response={201: VisitDetailOut})
def visit_create(request, payload: VisitIn):
    actor = request.auth
    if not actor.can("oversight.write"):
        raise PermissionDenied("oversight.write")
    leader = _users(actor, [payload.leader])[0] if payload.leader else None
    units = [(org_get(actor=actor, code=u.org.upper()), "", "") if u.org else (None, u.name, u.uscc)
             for u in payload.units]
    v = visits.visit_create(actor, title=payload.title, started_on=payload.started_on, ended_on=payload.ended_on,
                            leader=leader, team=_users(actor, payload.team), units=units, forums=payload.forums,
                            forum_people=payload.forum_people, interviews=payload.interviews,
                            questionnaires=payload.questionnaires, solved=payload.solved,
                            solved_text=payload.solved_text, summary=payload.summary, findings=payload.findings)
    return 201, selectors_visits.visit_get(actor=actor, pk=v.pk)


@router.post("/visits/findings/{pk}/problem", response={201: dict})
def visit_finding_problem(request, pk: int, payload: FindingProblemIn):
    actor = request.auth
    f = selectors_visits.finding_get(actor=actor, pk=pk)
    org = org_get(actor=actor, code=payload.org.upper()) if payload.org else None
    p = visits.finding_to_problem(actor, finding=f, org=org)
    return 201, {"problem_id": p.pk, "number": p.number}


class CaseReferIn(Schema):
    category: str = Field("", description="casework category: consultation, solution, complaint, ...")
    topic: str = Field("", description="casework topic: wages, contract, social_insurance, ...")
    subject: str = ""


@router.post("/visits/findings/{pk}/case", response={201: dict})
def visit_finding_case(request, pk: int, payload: CaseReferIn):
    """File a problem found on a visit as a request case (诉求) at the actor's unit."""
    actor = request.auth
    f = selectors_visits.finding_get(actor=actor, pk=pk)
    case = casework_links.finding_to_case(actor, finding=f, category=payload.category, topic=payload.topic,
                                          subject=payload.subject)
    return 201, {"case_code": case.code}


@router.post("/tips/{pk}/case", response={201: dict})
def tip_case(request, pk: int, payload: CaseReferIn):
    """File a conduct-mailbox tip as a request case (诉求) at the actor's unit; the contact stays with the tip."""
    actor = request.auth
    tip = selectors_visits.tip_get(actor=actor, pk=pk)
    case = casework_links.tip_to_case(actor, tip=tip, category=payload.category, topic=payload.topic,
                                      subject=payload.subject)
    return 201, {"case_code": case.code}


class RoundOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    title: str
    started_on: datetime.date
    ended_on: datetime.date
    leader: str = ""
    methods: str
    units: list[str]

    @staticmethod
    def resolve_leader(obj):
        return _name(obj.leader)

    @staticmethod
    def resolve_units(obj):
        return list(obj.units.order_by("path").values_list("code", flat=True))


class RoundIn(Schema):
    title: str = ""
    started_on: datetime.date
    ended_on: datetime.date | None = None
    leader: str
    team: list[str] = Field(default_factory=list)
    units: list[str]
    methods: str = ""


class ItemOut(Schema):
    id: int
    pk: int
    kind: ItemKind
    unit: str = Field(..., alias="unit.code")
    number: str
    title: str
    content: str
    issued_on: datetime.date
    due_on: datetime.date
    state: ItemState
    color: str = ""
    answer: str
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_color(obj):
        return inspections.item_color(obj)


class ItemFilters(Schema):
    kind: ItemKind | None = None
    state: ItemState | None = None


class ItemIn(Schema):
    # Defaults everywhere: the round is looked up (404 outside the actor's area) before the service names what is
    # missing.
    kind: str = ""
    unit: str = ""
    title: str = ""
    content: str = ""
    due_on: datetime.date | None = None


class AnswerIn(Schema):
    answer: str = ""


@router.get("/inspections", response=list[RoundOut])
@paginate(PageNumberPagination)
def round_list(request):
    return selectors_visits.round_list(actor=request.auth)


@router.get("/inspections/items", response=list[ItemOut])
@paginate(PageNumberPagination)
def item_list(request, filters: Query[ItemFilters]):
    return selectors_visits.item_list(actor=request.auth, filters=filters.dict(exclude_none=True))


@router.get("/inspections/items/{pk}", response=ItemOut)
def item_get(request, pk: int):
    return selectors_visits.item_get(actor=request.auth, pk=pk)


@router.post("/inspections/items/{pk}/answer", response=ItemOut)
def item_answer(request, pk: int, payload: AnswerIn):
    actor = request.auth
    item = selectors_visits.item_get(actor=actor, pk=pk)
    inspections.item_answer(actor, item=item, answer=payload.answer)
    return selectors_visits.item_get(actor=actor, pk=pk)


@router.get("/inspections/{pk}", response=RoundOut)
def round_get(request, pk: int):
    return selectors_visits.round_get(actor=request.auth, pk=pk)


@router.post("/inspections", response={201: RoundOut})
def round_create(request, payload: RoundIn):
    actor = request.auth
    if not actor.can("oversight.write"):
        raise PermissionDenied("oversight.write")
    users = _users(actor, [payload.leader, *payload.team])
    rnd = inspections.round_create(actor, title=payload.title, started_on=payload.started_on,
                                   ended_on=payload.ended_on, leader=users[0], team=users[1:],
                                   units="\n".join(payload.units), methods=payload.methods)
    return 201, selectors_visits.round_get(actor=actor, pk=rnd.pk)


@router.post("/inspections/{pk}/items", response={201: ItemOut})
def item_issue(request, pk: int, payload: ItemIn):
    actor = request.auth
    rnd = selectors_visits.round_get(actor=actor, pk=pk)
    unit = rnd.units.filter(code=payload.unit.upper()).first()
    item = inspections.item_issue(actor, round=rnd, kind=payload.kind, unit=unit, title=payload.title,
                                  content=payload.content, due_on=payload.due_on)
    return 201, item
