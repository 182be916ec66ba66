"""The voting pages (no login): enter a code (from the slip's QR, which carries it after '#', or typed), rate on a
phone, get a receipt; and a published poll's result page, where a voter finds their ballot by its tracking code.

The code travels only in POST bodies (never in a URL, a session or a log line; Django's error reports hide it), and
the receipt is shown in the response of the vote itself, not kept anywhere for a later page. Limits per client
address (django-ratelimit) slow down anyone trying codes.
"""

import functools

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.decorators import ratelimit

from gonghui.democracy import polls, selectors
from gonghui.democracy.forms import CodeForm, TrackingForm, ballot_answers, ballot_fields
from gonghui.democracy.models import Ballot, Poll

CODE_LIMIT = (30, 600)  # (attempts, seconds) per client address: code checks and votes
RESULT_LIMIT = (60, 600)


def _code_rate(group, request):
    return CODE_LIMIT


def _result_rate(group, request):
    return RESULT_LIMIT


@functools.lru_cache(maxsize=64)
def _questions_html(poll_pk: int, token: str, language: str) -> str:
    """A poll's questions as HTML, the same for every voter (subjects and criteria never change once the poll is
    made), rendered once per process and poll: a poll's voters come all at once."""
    poll = Poll.objects.get(pk=poll_pk, public_token=token)
    questions = ballot_fields(poll, polls.subjects_of(poll))
    return render_to_string("portal/_ballot_questions.html", {"questions": questions})


def _ballot_page(request, poll, code, *, error="", status=200, posted=None):
    context = {"title": poll.title, "poll": poll, "code": code, "error": error}
    if posted:  # back with an error: the choices made are kept
        context["questions"] = ballot_fields(poll, polls.subjects_of(poll), posted)
    else:
        context["questions_html"] = _questions_html(poll.pk, poll.public_token, get_language())
    return render(request, "portal/vote_ballot.html", context, status=status)


@never_cache
@sensitive_post_parameters("code")
@ratelimit(key="ip", rate=_code_rate, method="POST", block=True)
def vote(request):
    """GET: the code form. POST: check the code (nothing is used up) and show the ballot."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = polls.clean_code(form.cleaned_data["code"])
        poll = polls.poll_for_code(code)
        if poll is not None:
            return _ballot_page(request, poll, code)
        form.add_error("code", _("This code is not valid, was used already, or its poll is not open."))
    return render(request, "portal/vote_code.html", {"title": _("Vote"), "form": form},
                  status=422 if request.method == "POST" else 200)


@never_cache
@sensitive_post_parameters("code")
@ratelimit(key="ip", rate=_code_rate, method="POST", block=True)
def vote_cast(request):
    """POST the code with every answer: one small request. The receipt is this response."""
    if request.method != "POST":
        return render(request, "portal/vote_code.html", {"title": _("Vote"), "form": CodeForm()})
    code = polls.clean_code(request.POST.get("code", ""))
    try:
        tracking = polls.vote_cast(code=code, comment=request.POST.get("comment", ""),
                                   answers=lambda poll, subjects: ballot_answers(poll, subjects, request.POST))
    except ValidationError as exc:
        poll = None if exc.code == "refused" else polls.poll_for_code(code)
        if poll is None:
            form = CodeForm()
            form.errors["code"] = form.error_class([_("This code is not valid, was used already, or its poll is not "
                                                      "open.")])
            return render(request, "portal/vote_code.html", {"title": _("Vote"), "form": form}, status=422)
        answers = ballot_answers(poll, polls.subjects_of(poll), request.POST)
        posted = {f"a{p}_{c}": v for (p, c), v in answers.items()}
        return _ballot_page(request, poll, code, error="；".join(exc.messages), status=422, posted=posted)
    return render(request, "portal/vote_done.html", {
        "title": _("Your ballot is cast"), "tracking": polls.format_tracking(tracking)})


@never_cache
@ratelimit(key="ip", rate=_result_rate, method="GET", block=True)
def vote_result(request, token: str):
    """A published poll's tally and every ballot by tracking code; ?tracking= finds one ballot."""
    poll = selectors.published_poll(token)
    subjects = polls.subjects_of(poll)
    form = TrackingForm(request.GET or None)
    found, looked = None, False
    if form.is_bound and form.is_valid():
        looked = True
        ballot = polls.ballot_find(poll, form.cleaned_data["tracking"])
        if ballot is not None:
            found = {"tracking": polls.format_tracking(ballot.tracking), "comment": ballot.comment,
                     "answers": polls.decode(poll, ballot.answers, subjects)}
    pager = Paginator(Ballot.objects.filter(poll=poll).order_by("tracking"), 100)
    page = pager.get_page(request.GET.get("page"))
    rows = [{"tracking": polls.format_tracking(b.tracking), "answers": polls.decode(poll, b.answers, subjects),
             "comment": b.comment} for b in page.object_list]
    return render(request, "portal/vote_result.html", {
        "title": poll.title, "poll": poll, "r": poll.result, "form": form, "found": found, "looked": looked,
        "page": page, "rows": rows, "tally": polls.tally_view(poll.result), "grades": poll.grades()})


urlpatterns = [
    path("vote/", vote, name="vote"),
    path("vote/cast/", vote_cast, name="vote_cast"),
    path("vote/results/<str:token>/", vote_result, name="vote_result"),
]
