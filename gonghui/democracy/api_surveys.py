"""Surveys under /api/v1/democracy/surveys: list, read, create (with its questions), open, close, the results and a
text question's answers (masked). Scoped like the pages (outside the actor's subtree: 404). No endpoint returns a
response with anything that could identify an anonymous respondent: the API reads counts and masked texts only."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination
from gonghui.orgs.selectors import org_get

from . import selectors_surveys as selectors
from . import surveys
from .models import QuestionKind, SurveyState

router = Router(tags=["democracy"])


class QuestionOut(Schema):
    id: int
    position: int
    kind: QuestionKind
    text: str
    required: bool
    options: list[str]
    max_choices: int
    scale_min: int
    scale_max: int
    max_length: int


class SurveyOut(Schema):
    id: int
    org: str = Field(..., alias="org.code")
    title: str
    intro: str
    anonymous: bool
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    response_limit: int
    state: SurveyState
    responses: int
    public_token: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return surveys.questions_of(obj)


class QuestionIn(Schema):
    kind: QuestionKind
    text: str
    required: bool = True
    options: list[str] = []
    max_choices: int = 0
    scale_min: int = 1
    scale_max: int = 5
    max_length: int = 500


class SurveyIn(Schema):
    org: str
    title: str
    intro: str = ""
    anonymous: bool = True
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    response_limit: int = 0
    questions: list[QuestionIn] = []


@router.get("/surveys", response=list[SurveyOut])
@paginate(PageNumberPagination)
def survey_list(request, state: str = ""):
    return selectors.survey_list(actor=request.auth, filters={"state": state}).order_by("-id")


@router.get("/surveys/{pk}", response=SurveyOut)
def survey_get(request, pk: int):
    return selectors.survey_get(actor=request.auth, pk=pk)


@router.post("/surveys", response={201: SurveyOut})
def survey_create(request, payload: SurveyIn):
    """A draft survey with its questions, all or nothing (an error names the question by its number)."""
    actor = request.auth
    if not actor.can("democracy.write"):
        raise PermissionDenied("democracy.write")
    org = org_get(actor=actor, code=payload.org.upper())
    with transaction.atomic():
        survey = surveys.survey_create(actor=actor, org=org, title=payload.title, intro=payload.intro,
                                       anonymous=payload.anonymous, opens_at=payload.opens_at,
                                       closes_at=payload.closes_at, response_limit=payload.response_limit)
        for i, q in enumerate(payload.questions, start=1):
            try:
                surveys.question_add(actor=actor, survey=survey, **q.dict())
            except ValidationError as exc:
                raise ValidationError({f"questions.{i}": [_("Question %(n)s: %(m)s") % {"n": i, "m": m}
                                                          for m in exc.messages]}) from None
    return 201, selectors.survey_get(actor=actor, pk=survey.pk)


@router.post("/surveys/{pk}/open", response=SurveyOut)
def survey_open(request, pk: int):
    actor = request.auth
    surveys.survey_open(actor=actor, survey=selectors.survey_get(actor=actor, pk=pk))
    return selectors.survey_get(actor=actor, pk=pk)


@router.post("/surveys/{pk}/close", response=SurveyOut)
def survey_close(request, pk: int):
    actor = request.auth
    surveys.survey_close(actor=actor, survey=selectors.survey_get(actor=actor, pk=pk))
    return selectors.survey_get(actor=actor, pk=pk)


@router.get("/surveys/{pk}/results", response=dict)
def survey_results(request, pk: int):
    """Per question: counts and rates of each option, the scale's distribution and mean, answered and skipped."""
    return surveys.results(selectors.survey_get(actor=request.auth, pk=pk))


@router.get("/surveys/questions/{pk}/texts", response=list[str])
@paginate(PageNumberPagination)
def survey_texts(request, pk: int):
    """A free-text question's answers, masked, in an order unrelated to their arrival."""
    question = selectors.question_get(actor=request.auth, pk=pk)
    if question.kind != QuestionKind.TEXT:
        raise ValidationError(_("This question is not a free-text question."))
    return _Masked(surveys.text_answers(question))


class _Masked:
    """A lazy sequence for the paginator: only the page's texts are read and masked."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self):
        return self.qs.count()

    def __getitem__(self, sl):
        return [surveys.masked_text(t) for t in self.qs[sl]]
