"""Shared set-up of the survey tests: a county A survey with one question of each kind."""

import datetime

from django.utils import timezone

from gonghui.core.access import actor_for

from . import surveys
from .models import QuestionKind, Survey

QUESTIONS = [
    {"kind": QuestionKind.SINGLE, "text": "您对食堂是否满意", "options": ["满意", "基本满意", "不满意"]},
    {"kind": QuestionKind.MULTIPLE, "text": "您希望工会开展哪些活动", "options": ["文体活动", "技能培训", "法律讲座",
                                                                         "健康体检"], "max_choices": 2},
    {"kind": QuestionKind.SCALE, "text": "为工会工作打分", "options": ["很差", "很好"], "scale_min": 1,
     "scale_max": 5},
    {"kind": QuestionKind.TEXT, "text": "其他意见和建议", "required": False, "max_length": 50},
]


def make_survey(cast, *, user=None, org=None, questions=QUESTIONS, open_it=True, **extra) -> Survey:
    actor = actor_for(user or cast.officer_a)
    now = timezone.now()
    survey = surveys.survey_create(
        actor=actor, org=org or cast.county_a, title=extra.pop("title", "2026年职工满意度微调查"),
        intro=extra.pop("intro", "请如实填写。"), opens_at=extra.pop("opens_at", now - datetime.timedelta(minutes=5)),
        closes_at=extra.pop("closes_at", now + datetime.timedelta(days=7)), **extra)
    for q in questions:
        surveys.question_add(actor=actor, survey=survey, **q)
    if open_it:
        survey = surveys.survey_open(actor=actor, survey=survey)
    return survey


def answers_for(survey, single=0, multiple=(0,), scale=4, text="") -> dict:
    """Answers keyed by question id: option indexes, a scale value, a text."""
    qs = surveys.questions_of(survey)
    out = {qs[0].pk: [str(single)], qs[1].pk: [str(i) for i in multiple], qs[2].pk: [str(scale)]}
    if text:
        out[qs[3].pk] = [text]
    return out
