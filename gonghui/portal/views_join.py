"""Online joining, the public side: pick a union, apply, check the application's status.

No personal data ever travels in a URL (the forms post), responses that echo it are not cached, and the
status lookup answers the same for an unknown code and for wrong digits. Counters in the cache slow down
anyone sweeping the pages (a shared cache such as Redis makes them hold across processes).
"""

import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gonghui.core.forms import apply_validation_error
from gonghui.core.middleware import client_ip
from gonghui.members import applications
from gonghui.members.models import ApplicationStatus

from .forms import JoinForm, StatusForm, UnionSearchForm

SESSION_DONE = "gonghui_join_done"
# (attempts, seconds) per client address, and wrong answers per application code.
SEARCH_LIMIT = (120, 600)
SUBMIT_LIMIT = (20, 3600)
STATUS_LIMIT = (30, 600)
STATUS_CODE_FAILURES = (10, 3600)


def _hit(key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt; True once the key is over its limit for the window."""
    allowed, window = limit
    key = "gh:join:" + key
    cache.add(key, 0, window)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        n = 1
    return n > allowed


def _over(key: str, limit: tuple[int, int]) -> bool:
    return (cache.get("gh:join:" + key) or 0) >= limit[0]


def _ip(request) -> str:
    return client_ip(request) or "-"


def _too_many(request, title: str):
    return render(request, "portal/join_busy.html", {"title": title}, status=429)


def join(request):
    """Find your union by name, when you did not come through the union's own link or QR code."""
    form = UnionSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        if _hit("search:" + _ip(request), SEARCH_LIMIT):
            return _too_many(request, _("Join the union"))
        results = applications.public_union_search(q=form.cleaned_data["q"])
    return render(request, "portal/join_pick.html", {"title": _("Join the union"), "form": form,
                                                      "results": results})


@never_cache
def join_union(request, code: str):
    union = applications.public_union_get(code=code)
    form = JoinForm(request.POST or None, initial={"notice_version": applications.JOIN_NOTICE_VERSION})
    if request.method == "POST":
        if _hit("submit:" + _ip(request), SUBMIT_LIMIT):
            return _too_many(request, _("Apply to join %(union)s") % {"union": union.name})
        if form.is_valid():
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
def join_status(request):
    form = StatusForm(request.POST or None)
    result, not_found = None, False
    if request.method == "POST":
        if _hit("status:" + _ip(request), STATUS_LIMIT):
            return _too_many(request, _("Check your application"))
        if form.is_valid():
            code = applications.normalize_code(form.cleaned_data["code"])
            code_key = "status-code:" + hashlib.sha256(code.encode()).hexdigest()[:24]
            # Every code counts its wrong answers, existing or not, so the lock itself reveals nothing.
            if _over(code_key, STATUS_CODE_FAILURES):
                return _too_many(request, _("Check your application"))
            result = applications.application_status(code=code, phone_last4=form.cleaned_data["last4"])
            if result is None:
                _hit(code_key, STATUS_CODE_FAILURES)
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
