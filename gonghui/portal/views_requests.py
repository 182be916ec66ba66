"""Workers' requests, the public side: file a request from a phone, track it, rate the reply.

As for joining: no personal data travels in a URL (the forms post), pages that show it are not cached, the
tracking lookup answers the same for an unknown code and for wrong digits, and rate limits per client address
(django-ratelimit, counted in the shared cache) slow down anyone sweeping the pages. After a successful lookup
the case is remembered in the session for a while, so the worker can rate it and come back to it without typing
the code again.
"""

import hashlib
import time

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.casework import intake, selectors
from gonghui.casework.forms import RateForm, RequestForm, TrackForm
from gonghui.casework.models import Action, Case
from gonghui.core import ratelimits
from gonghui.core.forms import apply_validation_error
from gonghui.core.middleware import client_ip

SESSION_DONE = "gonghui_request_done"
SESSION_TRACKED = "gonghui_request_tracked"
TRACKED_SECONDS = 30 * 60
# (attempts, seconds) per client address, and wrong answers per tracking code. Read when a request comes.
SUBMIT_LIMIT = (20, 3600)
TRACK_LIMIT = (30, 600)
TRACK_CODE_FAILURES = (10, 3600)
RATE_LIMIT = (20, 3600)


def _submit_rate(group, request):
    return SUBMIT_LIMIT


def _track_rate(group, request):
    return TRACK_LIMIT


def _rate_rate(group, request):
    return RATE_LIMIT


def _is_mobile(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return any(word in agent for word in ("Mobi", "Android", "iPhone", "MicroMessenger"))


@never_cache
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=True)
def request_new(request):
    """File a request. ``?to=CODE`` (a union's own link or QR code) sends it to that unit; otherwise the worker
    picks the federation of their city or county."""
    fixed = None
    if to := request.GET.get("to"):
        fixed = intake.public_target_get(to)
        if fixed is None:
            raise Http404
    targets = [] if fixed is not None else intake.public_targets()
    form = RequestForm(request.POST or None, targets=targets, fixed=fixed,
                       initial={"notice_version": intake.REQUEST_NOTICE_VERSION})
    title = _("Ask the union for help")
    if request.method == "POST":
        if form.is_valid():
            org = fixed or intake.public_target_get(form.cleaned_data["org"])
            try:
                if org is None:
                    raise ValidationError({"org": _("Choose the federation of the place where you work.")})
                result = intake.case_file_public(
                    org=org, data=form.request_data(), consent_version=form.cleaned_data["notice_version"],
                    ip=client_ip(request), mobile=_is_mobile(request))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                # Always the new request's own code: a public submission never joins or names another case.
                request.session[SESSION_DONE] = {"code": result.case.code, "org": org.name}
                return redirect("portal:request_done")
    return render(request, "portal/request_new.html", {
        "title": title, "form": form, "fixed": fixed, "notice_version": intake.REQUEST_NOTICE_VERSION})


@never_cache
def request_done(request):
    done = request.session.get(SESSION_DONE)
    if not isinstance(done, dict) or not done.get("code"):
        return redirect("portal:request_track")
    return render(request, "portal/request_done.html", {
        "title": _("Request received"), "code": done["code"], "org_name": done.get("org", "")})


def _remember(request, case: Case) -> None:
    request.session[SESSION_TRACKED] = {"pk": case.pk, "until": int(time.time()) + TRACKED_SECONDS}


def _remembered(request) -> Case | None:
    tracked = request.session.get(SESSION_TRACKED)
    if not isinstance(tracked, dict) or tracked.get("until", 0) < time.time():
        return None
    return Case.objects.select_related("holder_org").filter(pk=tracked.get("pk")).first()


def _track_page(request, *, form=None, case=None, not_found=False, rate_form=None, status=200):
    context = {"title": _("Track your request"), "form": form or TrackForm(), "case": case, "not_found": not_found}
    if case is not None:
        key, label = intake.public_status(case)
        if case.linked_at is not None:  # older linked repeats kept a reply naming "your earlier request"
            case.reply = str(intake.LINKED_REPLY)
        pause = case.pauses.filter(resumed_on__isnull=True).first()
        # Older linked repeats kept a public "linked to the earlier request" step: not for whoever typed the phone.
        events = [e for e in selectors.timeline(case=case, public=True) if e.action != Action.REPEAT_LINKED]
        context.update({
            "status_key": key, "status_label": label, "events": events,
            "missing": pause.missing if pause else [], "can_rate": intake.can_rate(case),
            "rate_form": rate_form or RateForm(),
        })
    return render(request, "portal/request_track.html", context, status=status)


@never_cache
@ratelimit(key="ip", rate=_track_rate, method="POST", block=True)
def request_track(request):
    """Look a request up with its code and the last 4 digits of the phone (POST only), or show the one just
    looked up in this browser."""
    if request.method != "POST":
        if request.GET.get("forget"):
            request.session.pop(SESSION_TRACKED, None)
            return redirect("portal:request_track")
        return _track_page(request, case=_remembered(request))
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=form, status=422)
    code = intake.normalize_code(form.cleaned_data["code"])
    code_key = hashlib.sha256(code.encode()).hexdigest()[:24]
    # Every code counts its wrong answers, existing or not, so the lock itself reveals nothing.
    if ratelimits.used_up(request, group="portal:track-code", value=code_key, rate=TRACK_CODE_FAILURES):
        raise Ratelimited
    case = intake.case_track(code=code, phone_last4=form.cleaned_data["last4"])
    if case is None:
        ratelimits.count(request, group="portal:track-code", value=code_key, rate=TRACK_CODE_FAILURES)
        return _track_page(request, form=form, not_found=True)
    _remember(request, case)
    return _track_page(request, form=TrackForm(), case=case)


@never_cache
@require_POST
@ratelimit(key="ip", rate=_rate_rate, method="POST", block=True)
def request_rate(request):
    """The worker rates the reply of the request looked up in this browser."""
    case = _remembered(request)
    if case is None:
        return redirect("portal:request_track")
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            intake.case_rate(case=case, satisfaction=form.cleaned_data["satisfaction"],
                             comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("portal:request_track")
    case.refresh_from_db()
    return _track_page(request, case=case, rate_form=form, status=422)


urlpatterns = [
    path("requests/new/", request_new, name="request_new"),
    path("requests/done/", request_done, name="request_done"),
    path("requests/track/", request_track, name="request_track"),
    path("requests/track/rate/", request_rate, name="request_rate"),
]
