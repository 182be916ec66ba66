"""Online joining, the public side: pick a union, apply, check the application's status.

No personal data ever travels in a URL (the forms post), responses that echo it are not cached, and the
status lookup answers the same for an unknown code and for wrong digits. Rate limits per client address
(django-ratelimit, counted in the shared cache) slow down anyone sweeping the pages; over a limit the visitor
gets the 429 page of gonghui.core.ratelimits.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.forms import apply_validation_error
from gonghui.core.middleware import client_ip
from gonghui.members import applications
from gonghui.members.models import ApplicationStatus

from .forms import JoinForm, StatusForm, UnionSearchForm

SESSION_DONE = "gonghui_join_done"
# (attempts, seconds) per client address, and wrong answers per application code. Read when a request comes.
SEARCH_LIMIT = (120, 600)
SUBMIT_LIMIT = (20, 3600)
STATUS_LIMIT = (30, 600)
STATUS_CODE_FAILURES = (10, 3600)
# Applications per ID number, from any address: the form tells a member to ask for a transfer instead, so every
# submission counts (a member's number or not) and the number's allowance used up is logged for the security admin.
JOIN_ID_LIMIT = (5, 86400)


def _submit_rate(group, request):
    return SUBMIT_LIMIT


def _status_rate(group, request):
    return STATUS_LIMIT


def join(request):
    """Find your union by name, when you did not come through the union's own link or QR code."""
    form = UnionSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        # Only searches count (the page itself is a GET too).
        if ratelimits.count(request, group="portal:join-search", value=client_ip(request) or "-",
                            rate=SEARCH_LIMIT):
            raise Ratelimited
        results = applications.public_union_search(q=form.cleaned_data["q"])
    return render(request, "portal/join_pick.html", {"title": _("Join the union"), "form": form,
                                                      "results": results})


@never_cache
@ratelimit(key="ip", rate=_submit_rate, method="POST", block=True)
def join_union(request, code: str):
    union = applications.public_union_get(code=code)
    form = JoinForm(request.POST or None, initial={"notice_version": applications.JOIN_NOTICE_VERSION})
    if request.method == "POST":
        if form.is_valid():
            key = ratelimits.number_key(form.cleaned_data["id_number"])
            if ratelimits.number_count(request, group="portal:join-id", key=key, rate=JOIN_ID_LIMIT):
                raise Ratelimited
            try:
                application = applications.application_submit(
                    union=union, data=form.application_data(),
                    consent_version=form.cleaned_data["notice_version"], ip=client_ip(request))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                request.session[SESSION_DONE] = {"code": application.code, "union": union.name}
                return redirect("portal:join_done")
    return render(request, "portal/join_form.html", {
        "title": _("Apply to join %(union)s") % {"union": union.name}, "union": union, "form": form,
        "notice_version": applications.JOIN_NOTICE_VERSION})


@never_cache
def join_done(request):
    done = request.session.get(SESSION_DONE)
    if not isinstance(done, dict) or not done.get("code"):
        return redirect("portal:join_status")
    return render(request, "portal/join_done.html", {"title": _("Application received"), "code": done["code"],
                                                      "union_name": done.get("union", "")})


@never_cache
@ratelimit(key="ip", rate=_status_rate, method="POST", block=True)
def join_status(request):
    form = StatusForm(request.POST or None)
    result, not_found = None, False
    if request.method == "POST":
        if form.is_valid():
            code = applications.normalize_code(form.cleaned_data["code"])
            code_key = hashlib.sha256(code.encode()).hexdigest()[:24]
            # Every code counts its wrong answers, existing or not, so the lock itself reveals nothing.
            if ratelimits.used_up(request, group="portal:join-status-code", value=code_key,
                                  rate=STATUS_CODE_FAILURES):
                raise Ratelimited
            result = applications.application_status(code=code, phone_last4=form.cleaned_data["last4"])
            if result is None:
                ratelimits.count(request, group="portal:join-status-code", value=code_key, rate=STATUS_CODE_FAILURES)
                not_found = True
    return render(request, "portal/join_status.html", {
        "title": _("Check your application"), "form": form, "result": result, "not_found": not_found,
        "statuses": ApplicationStatus})


urlpatterns = [
    path("join/", join, name="join"),
    # Declared before join/<code>/ so these words are never taken for a union code.
    path("join/status/", join_status, name="join_status"),
    path("join/done/", join_done, name="join_done"),
    path("join/<str:code>/", join_union, name="join_union"),
]
