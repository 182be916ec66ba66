"""Workers' congresses and proposals under /api/v1/democracy/: congresses (with sessions, agenda votes, the
delegates' composition and the managers' warning), delegates, sessions and agenda items; proposals (list by state
or tab, read with the timeline, submit, and each step to the rating); the 厂务公开 records. Scoped like the pages
(outside the actor's subtree: 404). Every body's fields have defaults, so the object's scope is checked (404)
before the values (422, in Chinese)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import congress as services
from . import proposals
from . import selectors_congress as selectors
from .models import Delegate

router = Router(tags=["democracy"])

ADOPTION_RULE = "表决事项须经全体职工代表过半数同意方为通过（赞成票超过全体代表人数的一半）。"


class CongressRow(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    title: str
    kind: str
    term: int
    term_start: datetime.date
    term_end: datetime.date
    cosigners_required: int
    reply_days: int
    proposals: int = Field(..., alias="proposal_seq")


class CongressOut(CongressRow):
    composition: dict
    sessions: list[dict]
    adoption_rule: str = ADOPTION_RULE

    @staticmethod
    def resolve_composition(obj):
        return services.composition(obj)

    @staticmethod
    def resolve_sessions(obj):
        return [{"id": s.pk, "number": s.number, "held_on": s.held_on, "place": s.place, "present": s.present,
                 "delegates_total": s.delegates_total, "quorum": s.quorum,
                 "items": [{"id": i.pk, "position": i.position, "title": i.title, "kind": i.kind,
                            "votes_for": i.votes_for, "votes_against": i.votes_against,
                            "votes_abstain": i.votes_abstain, "adopted": i.adopted} for i in s.agenda]}
                for s in selectors.sessions_of(obj)]


class CongressIn(Schema):
    org: str = ""
    kind: str = ""
    term: int = 0
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    cosigners_required: int = 2
    reply_days: int = 15


class DelegateOut(Schema):
    id: int
    name: str
    election_unit: str
    front_line: bool
    woman: bool
    manager: bool
    in_registry: bool

    @staticmethod
    def resolve_in_registry(obj):
        return obj.person_id is not None


class DelegateIn(Schema):
    name: str = ""
    election_unit: str = ""
    id_number: str = ""
    front_line: bool = False
    woman: bool = False
    manager: bool = False


class SessionIn(Schema):
    number: int | None = None
    held_on: datetime.date | None = None
    place: str = ""
    present: int = 0


class AgendaIn(Schema):
    title: str = ""
    kind: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None


class Person(Schema):
    id: int
    name: str
    election_unit: str


class ProposalOut(Schema):
    id: int
    number: str
    congress_id: int
    title: str
    reason: str
    suggestion: str
    proposer: Person
    cosigners: list[Person]
    state: str
    submitted_on: datetime.date
    decided_on: datetime.date | None
    decision_note: str
    department: str
    handler: str
    assigned_on: datetime.date | None
    due_on: datetime.date | None
    reply: str
    answered_on: datetime.date | None
    rating: str
    rating_note: str
    rated_on: datetime.date | None
    reopened: bool
    color: str

    @staticmethod
    def resolve_cosigners(obj):
        return list(obj.cosigners.order_by("election_unit", "name"))


class ProposalDetail(ProposalOut):
    timeline: list[dict]

    @staticmethod
    def resolve_timeline(obj):
        return [{"kind": e.kind, "at": e.at, "by": getattr(e.by, "display_name", "") or "", "note": e.note}
                for e in selectors.timeline(obj)]


class ProposalIn(Schema):
    proposer_id: int = 0
    cosigner_ids: list[int] = []
    title: str = ""
    reason: str = ""
    suggestion: str = ""
    submitted_on: datetime.date | None = None


class NoteIn(Schema):
    note: str = ""
    on: datetime.date | None = None


class AssignIn(Schema):
    department: str = ""
    handler: str = ""
    on: datetime.date | None = None


class AnswerIn(Schema):
    reply: str = ""
    on: datetime.date | None = None


class RateIn(Schema):
    rating: str = ""
    note: str = ""
    on: datetime.date | None = None


class DisclosureOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    kind: str
    disclosed_on: datetime.date
    subject: str
    summary: str
    channel: str
    audience: str


class DisclosureIn(Schema):
    org: str = ""
    kind: str = ""
    disclosed_on: datetime.date | None = None
    subject: str = ""
    summary: str = ""
    channel: str = ""
    audience: str = ""


def _writer(actor):
    if not actor.can("democracy.write"):
        raise PermissionDenied("democracy.write")


# --- congresses ---------------------------------------------------------------------------------------------------

@router.get("/congresses", response=list[CongressRow])
@paginate(PageNumberPagination)
def congress_list(request, kind: str = ""):
    return selectors.congress_list(actor=request.auth, filters={"kind": kind}).order_by("-id")


@router.get("/congresses/{pk}", response=CongressOut)
def congress_get(request, pk: int):
    return selectors.congress_get(actor=request.auth, pk=pk)


@router.post("/congresses", response={201: CongressOut})
def congress_create(request, payload: CongressIn):
    actor = request.auth
    _writer(actor)
    if not payload.org:
        raise ValidationError({"org": _("Enter the code of the unit holding the congress.")})
    org = org_get(actor=actor, code=payload.org.upper())
    congress = services.congress_create(actor=actor, org=org, kind=payload.kind, term=payload.term,
                                        term_start=payload.term_start, term_end=payload.term_end,
                                        cosigners_required=payload.cosigners_required, reply_days=payload.reply_days)
    return 201, selectors.congress_get(actor=actor, pk=congress.pk)


@router.get("/congresses/{pk}/delegates", response=list[DelegateOut])
@paginate(PageNumberPagination)
def delegate_list(request, pk: int):
    return selectors.delegates_of(selectors.congress_get(actor=request.auth, pk=pk))


@router.post("/congresses/{pk}/delegates", response={201: DelegateOut})
def delegate_add(request, pk: int, payload: DelegateIn):
    actor = request.auth
    congress = selectors.congress_get(actor=actor, pk=pk)
    return 201, services.delegate_add(actor=actor, congress=congress, **payload.dict())


@router.post("/congresses/{pk}/sessions", response={201: CongressOut})
def session_create(request, pk: int, payload: SessionIn):
    actor = request.auth
    congress = selectors.congress_get(actor=actor, pk=pk)
    services.session_create(actor=actor, congress=congress, number=payload.number, held_on=payload.held_on,
                            place=payload.place, present=payload.present)
    return 201, congress


@router.post("/sessions/{pk}/items", response={201: CongressOut})
def agenda_add(request, pk: int, payload: AgendaIn):
    actor = request.auth
    session = selectors.session_get(actor=actor, pk=pk)
    votes = (payload.votes_for, payload.votes_against, payload.votes_abstain)
    if all(v is None for v in votes):
        votes = None
    elif any(v is None for v in votes):
        raise ValidationError({"votes_for": _("Enter the votes for, against and the abstentions, or none of them.")})
    services.agenda_item_add(actor=actor, session=session, title=payload.title, kind=payload.kind, votes=votes)
    return 201, session.congress


@router.post("/congresses/{pk}/proposals", response={201: ProposalDetail})
def proposal_submit(request, pk: int, payload: ProposalIn):
    actor = request.auth
    congress = selectors.congress_get(actor=actor, pk=pk)
    delegates = {d.pk: d for d in Delegate.objects.filter(congress=congress,
                                                           pk__in=[payload.proposer_id, *payload.cosigner_ids])}
    missing = [i for i in payload.cosigner_ids if i not in delegates]
    if missing:
        raise ValidationError({"cosigner_ids": _("Not delegates of this congress: %(ids)s") % {
            "ids": "、".join(str(i) for i in missing[:10])}})
    p = proposals.proposal_submit(actor=actor, congress=congress, proposer=delegates.get(payload.proposer_id),
                                  cosigners=[delegates[i] for i in payload.cosigner_ids], title=payload.title,
                                  reason=payload.reason, suggestion=payload.suggestion,
                                  submitted_on=payload.submitted_on)
    return 201, selectors.proposal_get(actor=actor, pk=p.pk)


# --- proposals ----------------------------------------------------------------------------------------------------

@router.get("/proposals", response=list[ProposalOut])
@paginate(PageNumberPagination)
def proposal_list(request, tab: str = "all", state: str = "", congress: int = 0, q: str = ""):
    actor = request.auth
    c = selectors.congress_get(actor=actor, pk=congress) if congress else None
    if tab not in selectors.TABS:
        raise ValidationError({"tab": _("Not one of the allowed values: %(values)s.") % {
            "values": "、".join(selectors.TABS)}})
    return selectors.proposal_list(actor=actor, tab=tab, filters={"state": state, "q": q}, congress=c) \
        .prefetch_related("cosigners").order_by("-id")


@router.get("/proposals/{pk}", response=ProposalDetail)
def proposal_get(request, pk: int):
    return selectors.proposal_get(actor=request.auth, pk=pk)


def _step(request, pk: int, fn, **kwargs):
    actor = request.auth
    p = selectors.proposal_get(actor=actor, pk=pk)
    fn(actor=actor, proposal=p, **kwargs)
    return selectors.proposal_get(actor=actor, pk=pk)


@router.post("/proposals/{pk}/accept", response=ProposalDetail)
def proposal_accept(request, pk: int, payload: NoteIn):
    return _step(request, pk, proposals.proposal_accept, note=payload.note, on=payload.on)


@router.post("/proposals/{pk}/convert", response=ProposalDetail)
def proposal_convert(request, pk: int, payload: NoteIn):
    return _step(request, pk, proposals.proposal_convert, note=payload.note, on=payload.on)


@router.post("/proposals/{pk}/decline", response=ProposalDetail)
def proposal_decline(request, pk: int, payload: NoteIn):
    """Decline (不予立案): ``note`` is the reason, required."""
    return _step(request, pk, proposals.proposal_decline, reason=payload.note, on=payload.on)


@router.post("/proposals/{pk}/assign", response=ProposalDetail)
def proposal_assign(request, pk: int, payload: AssignIn):
    return _step(request, pk, proposals.proposal_assign, department=payload.department, handler=payload.handler,
                 on=payload.on)


@router.post("/proposals/{pk}/answer", response=ProposalDetail)
def proposal_answer(request, pk: int, payload: AnswerIn):
    return _step(request, pk, proposals.proposal_answer, reply=payload.reply, on=payload.on)


@router.post("/proposals/{pk}/rate", response=ProposalDetail)
def proposal_rate(request, pk: int, payload: RateIn):
    return _step(request, pk, proposals.proposal_rate, rating=payload.rating, note=payload.note, on=payload.on)


@router.post("/proposals/{pk}/reopen", response=ProposalDetail)
def proposal_reopen(request, pk: int, payload: AssignIn):
    return _step(request, pk, proposals.proposal_reopen, department=payload.department, handler=payload.handler,
                 on=payload.on)


# --- 厂务公开 / 校务公开 -------------------------------------------------------------------------------------------

@router.get("/disclosures", response=list[DisclosureOut])
@paginate(PageNumberPagination)
def disclosure_list(request, kind: str = "", channel: str = ""):
    return selectors.disclosure_list(actor=request.auth, filters={"kind": kind, "channel": channel}) \
        .order_by("-disclosed_on", "-id")


@router.post("/disclosures", response={201: DisclosureOut})
def disclosure_create(request, payload: DisclosureIn):
    actor = request.auth
    _writer(actor)
    if not payload.org:
        raise ValidationError({"org": _("Enter the code of the unit.")})
    org = org_get(actor=actor, code=payload.org.upper())
    return 201, services.disclosure_create(actor=actor, org=org, kind=payload.kind,
                                           disclosed_on=payload.disclosed_on, subject=payload.subject,
                                           summary=payload.summary, channel=payload.channel,
                                           audience=payload.audience)
