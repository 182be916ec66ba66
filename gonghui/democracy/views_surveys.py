"""Back-office pages of the surveys: list, new, the builder (settings, questions, link and QR code, open and
close), the results with their charts, the responses' spreadsheet."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error
from gonghui.core.listing import Column, ListPage
from gonghui.core.spreadsheets import write_xlsx, xlsx_response
from gonghui.core.views import requires

from . import selectors_surveys as selectors
from . import surveys
from .forms import default_window
from .forms_surveys import QuestionForm, SurveyFilterForm, SurveyForm
from .models import QuestionKind, SurveyState


def _crumbs(*items):
    return [{"label": _("Surveys"), "url": reverse("democracy:surveys")}, *items]


def _survey_crumbs(survey, *more):
    return _crumbs({"label": survey.title, "url": reverse("democracy:survey_detail", args=[survey.pk])},
                   *({"label": m} for m in more))


@never_cache
@requires("democracy.view")
def survey_list(request):
    actor = request.actor
    form = SurveyFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    qs = selectors.survey_list(actor=actor, filters=filters)
    cols = [Column(_("Title"), lambda s: s.title, url=lambda s: reverse("democracy:survey_detail", args=[s.pk])),
            Column(_("Union running it"), lambda s: s.org.name),
            Column(_("Anonymous"), lambda s: s.anonymous),
            Column(_("Answers close"), lambda s: timezone.localtime(s.closes_at).strftime("%Y-%m-%d %H:%M")),
            Column(_("State"), lambda s: s.get_state_display()),
            Column(_("Responses"), lambda s: s.responses, sort="responses")]
    page = ListPage(request, qs, cols, filter_form=form, default_sort="-id", export_name="surveys",
                    object_type="democracy.survey", export_title=_("Surveys"))
    actions = [{"label": _("New survey"), "url": reverse("democracy:survey_new")}] \
        if actor.can("democracy.write") else []
    return page.response("core/list.html", {"title": _("Surveys"), "page_actions": actions})


def _settings_data(form) -> dict:
    d = form.cleaned_data
    return {"title": d["title"], "intro": d["intro"], "anonymous": d["anonymous"], "opens_at": d["opens_at"],
            "closes_at": d["closes_at"], "response_limit": d["response_limit"] or 0}


@never_cache
@requires("democracy.write")
def survey_new(request):
    actor = request.actor
    opens, closes = default_window()
    form = SurveyForm(request.POST or None, initial={"opens_at": opens, "closes_at": closes, "anonymous": True,
                                                     "response_limit": 0})
    if request.method == "POST" and form.is_valid():
        try:
            survey = surveys.survey_create(actor=actor, org=actor.org, **_settings_data(form))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Survey created. Now add its questions."))
            return redirect("democracy:survey_detail", pk=survey.pk)
    return render(request, "democracy/form.html", {
        "title": _("New survey"), "form": form, "cancel": reverse("democracy:surveys"),
        "breadcrumbs": _crumbs({"label": _("New survey")})}, status=422 if request.method == "POST" else 200)


@never_cache
@requires("democracy.write")
def survey_edit(request, pk: int):
    actor = request.actor
    survey = selectors.survey_get(actor=actor, pk=pk)
    actor.require_covers(survey.org_path)
    initial = {"title": survey.title, "intro": survey.intro, "anonymous": survey.anonymous,
               "opens_at": timezone.localtime(survey.opens_at), "closes_at": timezone.localtime(survey.closes_at),
               "response_limit": survey.response_limit}
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_update(actor=actor, survey=survey, **_settings_data(form))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("democracy:survey_detail", pk=survey.pk)
    return render(request, "democracy/form.html", {
        "title": _("Survey settings"), "form": form, "cancel": reverse("democracy:survey_detail", args=[pk]),
        "breadcrumbs": _survey_crumbs(survey, _("Survey settings"))},
        status=422 if request.method == "POST" else 200)


def _qr_svg(text: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgclass="gh-qr",
                                     lineclass=None)
    return out.getvalue().decode()


def _public_url(request, survey) -> str:
    return request.build_absolute_uri(reverse("portal:survey", args=[survey.public_token]))


def _survey_page(request, survey, *, question_form=None, status=200):
    actor = request.actor
    can_write = actor.can("democracy.write") and actor.covers(survey.org_path)
    draft = survey.state == SurveyState.DRAFT
    url = _public_url(request, survey)
    from django.utils.safestring import mark_safe

    return render(request, "democracy/survey.html", {
        "title": survey.title, "s": survey, "questions": surveys.questions_of(survey), "kinds": QuestionKind,
        "can_build": can_write and draft, "can_open": can_write and draft,
        "can_close": can_write and survey.state == SurveyState.OPEN,
        "question_form": question_form or QuestionForm(initial={"kind": QuestionKind.SINGLE, "required": True,
                                                                "scale_min": 1, "scale_max": 5,
                                                                "max_length": 500}),
        "public_url": url, "qr": mark_safe(_qr_svg(url)),  # noqa: S308 (segno's SVG of our own address)
        "refusal": surveys.refusal(survey),
        "breadcrumbs": _crumbs({"label": survey.title})}, status=status)


@never_cache
@requires("democracy.view")
def survey_detail(request, pk: int):
    return _survey_page(request, selectors.survey_get(actor=request.actor, pk=pk))


@never_cache
@requires("democracy.view")
def survey_qr(request, pk: int):
    """The link's QR code as a PNG to put on a poster or in a notice."""
    import segno

    survey = selectors.survey_get(actor=request.actor, pk=pk)
    out = io.BytesIO()
    segno.make(_public_url(request, survey), error="m").save(out, kind="png", scale=10, border=4)
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.png"'
    return response


@require_POST
@requires("democracy.write")
def question_add(request, pk: int):
    survey = selectors.survey_get(actor=request.actor, pk=pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            surveys.question_add(actor=request.actor, survey=survey, **form.service_data())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect(reverse("democracy:survey_detail", args=[pk]) + "#questions")
    return _survey_page(request, survey, question_form=form, status=422)


@never_cache
@requires("democracy.write")
def question_edit(request, pk: int):
    question = selectors.question_get(actor=request.actor, pk=pk)
    survey = question.survey
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            surveys.question_edit(actor=request.actor, question=question, **form.service_data())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect(reverse("democracy:survey_detail", args=[survey.pk]) + "#questions")
    return render(request, "democracy/form.html", {
        "title": _("Edit question %(n)s") % {"n": question.position}, "form": form,
        "cancel": reverse("democracy:survey_detail", args=[survey.pk]),
        "breadcrumbs": _survey_crumbs(survey, _("Edit question %(n)s") % {"n": question.position})},
        status=422 if request.method == "POST" else 200)


def _step(request, service, **kwargs):
    try:
        service(actor=request.actor, **kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    return True


@require_POST
@requires("democracy.write")
def question_move(request, pk: int):
    question = selectors.question_get(actor=request.actor, pk=pk)
    _step(request, surveys.question_move, question=question, direction=request.POST.get("direction", ""))
    return redirect(reverse("democracy:survey_detail", args=[question.survey_id]) + "#questions")


@require_POST
@requires("democracy.write")
def question_delete(request, pk: int):
    question = selectors.question_get(actor=request.actor, pk=pk)
    if _step(request, surveys.question_delete, question=question):
        messages.success(request, _("Question removed."))
    return redirect(reverse("democracy:survey_detail", args=[question.survey_id]) + "#questions")


@require_POST
@requires("democracy.write")
def survey_open(request, pk: int):
    survey = selectors.survey_get(actor=request.actor, pk=pk)
    if _step(request, surveys.survey_open, survey=survey):
        messages.success(request, _("The survey is open: share its link or QR code."))
    return redirect("democracy:survey_detail", pk=pk)


@require_POST
@requires("democracy.write")
def survey_close(request, pk: int):
    survey = selectors.survey_get(actor=request.actor, pk=pk)
    if _step(request, surveys.survey_close, survey=survey):
        messages.success(request, _("The survey is closed."))
    return redirect("democracy:survey_detail", pk=pk)


@never_cache
@requires("democracy.view")
def survey_results(request, pk: int):
    """The counts and charts of every question; a text question's answers (masked) a page at a time."""
    survey = selectors.survey_get(actor=request.actor, pk=pk)
    r = surveys.results(survey)
    questions = {q.pk: q for q in surveys.questions_of(survey)}
    for item in r["questions"]:
        item["chart_key"] = f"survey-chart-{item['id']}"
        if item["kind"] == QuestionKind.TEXT:
            pager = Paginator(surveys.text_answers(questions[item["id"]]), 20)
            page = pager.get_page(request.GET.get(f"p{item['id']}"))
            item["texts"] = [surveys.masked_text(t) for t in page.object_list]
            item["page"] = page
    return render(request, "democracy/survey_results.html", {
        "title": _("Results: %(t)s") % {"t": survey.title}, "s": survey, "r": r,
        "breadcrumbs": _survey_crumbs(survey, _("Results"))})


@never_cache
@requires("democracy.view")
def survey_export(request, pk: int):
    """One row per response, one column per question; free text masked where it holds numbers that look like an
    ID or a mobile number."""
    survey = selectors.survey_get(actor=request.actor, pk=pk)
    surveys.record_export(actor=request.actor, survey=survey)
    headers, rows = surveys.export_rows(survey)
    notes = [survey.title, _("%(n)s responses; %(a)s. Numbers that look like ID or mobile numbers in the answers "
                             "are masked.") % {"n": survey.responses,
                                               "a": _("anonymous") if survey.anonymous else _("identified")}]
    return xlsx_response(write_xlsx(headers, rows, sheet=_("Responses"), notes=notes),
                         f"调查答卷-{survey.pk}-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("democracy/surveys/", survey_list, name="surveys"),
    path("democracy/surveys/new/", survey_new, name="survey_new"),
    path("democracy/surveys/questions/<int:pk>/", question_edit, name="question_edit"),
    path("democracy/surveys/questions/<int:pk>/move/", question_move, name="question_move"),
    path("democracy/surveys/questions/<int:pk>/delete/", question_delete, name="question_delete"),
    path("democracy/surveys/<int:pk>/", survey_detail, name="survey_detail"),
    path("democracy/surveys/<int:pk>/edit/", survey_edit, name="survey_edit"),
    path("democracy/surveys/<int:pk>/qr.png", survey_qr, name="survey_qr"),
    path("democracy/surveys/<int:pk>/questions/", question_add, name="question_add"),
    path("democracy/surveys/<int:pk>/open/", survey_open, name="survey_open"),
    path("democracy/surveys/<int:pk>/close/", survey_close, name="survey_close"),
    path("democracy/surveys/<int:pk>/results/", survey_results, name="survey_results"),
    path("democracy/surveys/<int:pk>/export/", survey_export, name="survey_export"),
]
