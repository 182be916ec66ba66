"""The survey pages (no login): the questionnaire a union's link or QR code opens, answered on a phone in one small
POST, and a thank-you page.

An anonymous survey stores nothing that says who answered (models/surveys.py); this page only leaves a signed
cookie in the browser saying the survey was answered from it, so the same browser is not offered the form again.
That cannot stop someone answering from another browser or device, and the page says so: an anonymous survey
cannot strictly refuse a repeat answer without identifying people. An identified survey asks the member to prove
who they are as the member pages do (ID number and the last four digits of the mobile number on file) in the same
POST; each member answers once (a unique constraint). Both are rate-limited per client address (django-ratelimit),
and an identified survey also per ID number, so a member's phone digits cannot be guessed from many addresses.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.forms import apply_validation_error
from gonghui.democracy import surveys
from gonghui.democracy.forms_surveys import RespondentForm
from gonghui.democracy.models import QuestionKind
from gonghui.democracy.selectors_surveys import public_survey

# (answers, seconds) per client address: generous, since a workplace's phones may share one address on its Wi-Fi.
ANSWER_LIMIT = (100, 600)
# (wrong proofs, seconds) per ID number, from any address (identified surveys).
ID_FAILURES = (5, 3600)
COOKIE_SALT = "democracy.survey.answered"
_FIELD = re.compile(r"q(\d{1,9})")


def _answer_rate(group, request):
    return ANSWER_LIMIT


def _cookie(survey) -> str:
    return f"gh_survey_{survey.pk}"


def answered_here(request, survey) -> bool:
    return request.get_signed_cookie(_cookie(survey), default="", salt=COOKIE_SALT) == survey.public_token


def posted_answers(data) -> dict:
    """The answers of a POST: every field named q<number>, with all its values."""
    return {int(m.group(1)): data.getlist(key) for key in data if (m := _FIELD.fullmatch(key))}


def _fields(survey, posted: dict) -> list[dict]:
    """The questions as the form shows them, with what was posted (kept when the form comes back refused)."""
    out = []
    for q in surveys.questions_of(survey):
        chosen = [str(v) for v in posted.get(q.pk, [])]
        item = {"q": q, "name": f"q{q.pk}", "error": "", "text": chosen[0] if chosen else ""}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            item["choices"] = [{"value": str(i), "label": label, "checked": str(i) in chosen}
                               for i, label in enumerate(q.options)]
        elif q.kind == QuestionKind.SCALE:
            item["choices"] = [{"value": str(v), "label": str(v), "checked": str(v) in chosen}
                               for v in range(q.scale_min, q.scale_max + 1)]
            item["ends"] = q.options if len(q.options) == 2 else []
        out.append(item)
    return out


def _page(request, survey, *, posted=None, errors=None, message="", form=None, status=200):
    fields = _fields(survey, posted or {})
    for item in fields:
        item["error"] = "；".join((errors or {}).get(item["name"], []))
    return render(request, "portal/survey_answer.html", {
        "title": survey.title, "survey": survey, "fields": fields, "error": message,
        "form": form if form is not None else (RespondentForm() if not survey.anonymous else None)}, status=status)


def _refused(request, survey, reason: str, *, status=200):
    return render(request, "portal/survey_closed.html", {"title": survey.title, "survey": survey, "reason": reason},
                  status=status)


@never_cache
@csrf_protect
@sensitive_post_parameters("id_number", "phone_last4")
@ratelimit(key="ip", rate=_answer_rate, method="POST", block=True)
def survey_answer(request, token: str):
    survey = public_survey(token)
    reason = surveys.refusal(survey)
    if reason:
        return _refused(request, survey, reason, status=200 if request.method == "GET" else 409)
    if survey.anonymous and answered_here(request, survey):
        return _refused(request, survey, _("You have answered this survey from this browser already. Thank you."),
                        status=200 if request.method == "GET" else 409)
    if request.method != "POST":
        return _page(request, survey)
    answers = posted_answers(request.POST)
    person, form = None, None
    if not survey.anonymous:
        form = RespondentForm(request.POST)
        if not form.is_valid():
            return _page(request, survey, posted=answers, form=form, status=422)
        key = ratelimits.number_key(form.cleaned_data["id_number"])
        if ratelimits.used_up(request, group="portal:survey-id", value=key, rate=ID_FAILURES):
            raise Ratelimited
        try:
            person = surveys.respondent_find(survey=survey, id_number=form.cleaned_data["id_number"],
                                             phone_last4=form.cleaned_data["phone_last4"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return _page(request, survey, posted=answers, form=form, status=422)
        if person is None:
            ratelimits.number_count(request, group="portal:survey-id", key=key, rate=ID_FAILURES)
            form.add_error(None, _("No member of %(org)s matches this ID number and these digits.")
                           % {"org": survey.org.name})
            return _page(request, survey, posted=answers, form=form, status=422)
    try:
        surveys.response_submit(survey=survey, answers=answers, person=person)
    except surveys.SurveyRefused as exc:
        return _refused(request, survey, "；".join(exc.messages), status=409)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "" if errors else "；".join(exc.messages)
        if errors:
            message = _("Some answers need another look: see the questions marked below.")
        return _page(request, survey, posted=answers, errors=errors, message=message, form=form, status=422)
    response = redirect("portal:survey_thanks", token=survey.public_token)
    if survey.anonymous:
        days = max((survey.closes_at - timezone.now()).days + 30, 30)
        response.set_signed_cookie(_cookie(survey), survey.public_token, salt=COOKIE_SALT, max_age=days * 86400,
                                   httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
                                   path=reverse("portal:survey", args=[survey.public_token]))
    return response


@never_cache
def survey_thanks(request, token: str):
    survey = public_survey(token)
    return render(request, "portal/survey_thanks.html", {"title": _("Thank you"), "survey": survey})


urlpatterns = [
    path("survey/<str:token>/", survey_answer, name="survey"),
    path("survey/<str:token>/thanks/", survey_thanks, name="survey_thanks"),
]
