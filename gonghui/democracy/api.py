"""Evaluation polls under /api/v1/democracy/: list, read, set up, hand out codes, close, publish, read the tally
and the published ballots. Scoped like the pages (outside the actor's subtree: 404). No endpoint reads a ballot
with anything that identifies its voter: there is nothing of the kind to read."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import polls, selectors
from .models import Ballot, CriteriaSet, Electorate, PollKind, PollState

router = Router(tags=["democracy"])


class PollOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    kind: PollKind
    title: str
    scale: str
    criteria: list[str]
    subjects: list[dict]
    electorate: Electorate
    electorate_size: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    state: PollState
    codes_issued: int
    ballots: int
    turnout_rule: str
    flag_rule: str

    @staticmethod
    def resolve_subjects(obj):
        return [{"position": s.position, "name": s.name, "role": s.role} for s in polls.subjects_of(obj)]

    @staticmethod
    def resolve_turnout_rule(obj):
        return f"{obj.turnout_num}/{obj.turnout_den}"

    @staticmethod
    def resolve_flag_rule(obj):
        return f"{obj.flag_num}/{obj.flag_den}"


class PollIn(Schema):
    org: str
    kind: PollKind
    title: str
    criteria_set_id: int
    subjects: list[str]
    electorate: Electorate
    electorate_org: str = ""
    electorate_size: int = 0
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    allow_comment: bool = False


class CountIn(Schema):
    count: int = 0  # a default, so the poll's scope is checked (404) before the number (422)


class SentOut(Schema):
    sent: int
    no_phone: int
    already: int


class PublishIn(Schema):
    board: bool = False
    days: int = 30


class BallotOut(Schema):
    tracking: str
    answers: list[dict]
    comment: str


class _BallotRows:
    """A lazy sequence for the paginator: only the page's ballots are read and decoded."""

    def __init__(self, poll, qs):
        self.poll, self.qs, self.subjects = poll, qs, polls.subjects_of(poll)

    def __len__(self):
        return self.qs.count()

    def __getitem__(self, sl):
        return [{"tracking": polls.format_tracking(b.tracking), "comment": b.comment,
                 "answers": [{"subject": name, "grades": grades}
                             for name, grades in polls.decode(self.poll, b.answers, self.subjects)]}
                for b in self.qs[sl]]


@router.get("/polls", response=list[PollOut])
@paginate(PageNumberPagination)
def poll_list(request, state: str = "", kind: str = ""):
    return selectors.poll_list(actor=request.auth, filters={"state": state, "kind": kind}).order_by("-id")


@router.get("/polls/{pk}", response=PollOut)
def poll_get(request, pk: int):
    return selectors.poll_get(actor=request.auth, pk=pk)


@router.post("/polls", response={201: PollOut})
def poll_create(request, payload: PollIn):
    actor = request.auth
    if not actor.can("democracy.write"):
        raise PermissionDenied("democracy.write")
    org = org_get(actor=actor, code=payload.org.upper())
    cs = CriteriaSet.objects.filter(pk=payload.criteria_set_id).first()
    if cs is None:
        raise ValidationError({"criteria_set_id": _("No criteria set has this id.")})
    eorg = org_get(actor=actor, code=payload.electorate_org.upper()) if payload.electorate_org else None
    poll = polls.poll_create(actor=actor, org=org, kind=payload.kind, title=payload.title, criteria_set=cs,
                             subjects=payload.subjects, electorate=payload.electorate, electorate_org=eorg,
                             electorate_size=payload.electorate_size, opens_at=payload.opens_at,
                             closes_at=payload.closes_at, allow_comment=payload.allow_comment)
    return 201, selectors.poll_get(actor=actor, pk=poll.pk)


@router.post("/polls/{pk}/codes", response=list[str])
def codes_print(request, pk: int, payload: CountIn):
    """New codes for printed slips, returned once (only their hashes are kept)."""
    actor = request.auth
    return polls.codes_print(actor=actor, poll=selectors.poll_get(actor=actor, pk=pk), count=payload.count)


@router.post("/polls/{pk}/send", response=SentOut)
def codes_send(request, pk: int):
    actor = request.auth
    return polls.codes_send(actor=actor, poll=selectors.poll_get(actor=actor, pk=pk))


@router.post("/polls/{pk}/close", response=PollOut)
def poll_close(request, pk: int):
    actor = request.auth
    polls.poll_close(actor=actor, poll=selectors.poll_get(actor=actor, pk=pk))
    return selectors.poll_get(actor=actor, pk=pk)


@router.post("/polls/{pk}/publish", response=PollOut)
def poll_publish(request, pk: int, payload: PublishIn):
    actor = request.auth
    polls.poll_publish(actor=actor, poll=selectors.poll_get(actor=actor, pk=pk), board=payload.board,
                       days=payload.days)
    return selectors.poll_get(actor=actor, pk=pk)


@router.get("/polls/{pk}/result", response=dict)
def poll_result(request, pk: int):
    """The tally, once the poll is closed (per subject and criterion: counts and rates of each grade)."""
    poll = selectors.poll_get(actor=request.auth, pk=pk)
    if poll.state not in (PollState.CLOSED, PollState.PUBLISHED):
        raise ValidationError(_("The poll is not closed yet: there is no tally."))
    return poll.result


@router.get("/polls/{pk}/ballots", response=list[BallotOut])
@paginate(PageNumberPagination)
def poll_ballots(request, pk: int):
    """Every ballot of a published poll by its tracking code, as the electorate sees them."""
    poll = selectors.poll_get(actor=request.auth, pk=pk)
    if poll.state != PollState.PUBLISHED:
        raise ValidationError(_("The ballots are shown once the result is published."))
    return _BallotRows(poll, Ballot.objects.filter(poll=poll).order_by("tracking"))


# Surveys (微调查) under the same prefix: /api/v1/democracy/surveys...
from .api_surveys import router as surveys_router  # noqa: E402

router.add_router("", surveys_router)
# Workers' congresses and proposals under the same prefix: /api/v1/democracy/congresses..., /proposals...
from .api_congress import router as congress_router  # noqa: E402

router.add_router("", congress_router)
