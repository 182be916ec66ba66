"""Reads of the surveys, scoped to the actor's subtree (outside it: 404, as if missing)."""

from django.http import Http404

from .models import Question, Survey


def survey_list(*, actor, filters: dict | None = None):
    actor.require("democracy.view")
    qs = Survey.objects.filter(org_path__startswith=actor.org.path).select_related("org")
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs


def survey_get(*, actor, pk) -> Survey:
    actor.require("democracy.view")
    survey = Survey.objects.select_related("org").filter(pk=pk).first()
    if survey is None or not actor.covers(survey.org_path):
        raise Http404
    return survey


def question_get(*, actor, pk) -> Question:
    actor.require("democracy.view")
    question = Question.objects.select_related("survey", "survey__org").filter(pk=pk).first()
    if question is None or not actor.covers(question.survey.org_path):
        raise Http404
    return question


def public_survey(token: str) -> Survey:
    """A survey by its link's token (the portal says when it takes no answers), else 404."""
    survey = Survey.objects.select_related("org").filter(public_token=token or "").first()
    if survey is None:
        raise Http404
    return survey
