"""The worker's privacy pages (public, mobile-first) and the union officers' screen of deletion requests.

The worker signs in with their full ID number, full mobile number and a code they hold (POST only, rate-limited);
the session then keeps keyed hashes of the numbers for a short while, never the numbers.
"""

import copy
import datetime
import json
import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from gonghui.core import ratelimits
from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.identity import mask
from gonghui.core.listing import Column, ListPage
from gonghui.core.middleware import client_ip
from gonghui.core.spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response
from gonghui.core.views import requires

from . import services
from .forms import DecideForm, RequestFilterForm, SignInForm
from .models import DeletionStatus

app_name = "privacy"
SESSION_KEY = "gonghui_privacy_subject"
SESSION_SECONDS = 15 * 60
SIGN_IN_RATE = "20/h"  # per client address
# Wrong answers per ID number, from any address: with a person's two numbers, a card number (serial within a region)
# must not be guessable from many addresses.
SIGN_IN_ID_FAILURES = (5, 3600)


def _subject(request) -> services.Subject | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        return None
    return services.Subject.from_session(data)


@ratelimit(key="ip", rate=SIGN_IN_RATE, method="POST", block=True)
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ratelimits.number_key(form.cleaned_data["id_number"])
        if ratelimits.used_up(request, group="privacy:id", value=key, rate=SIGN_IN_ID_FAILURES):
            raise Ratelimited
        try:
            subject = services.subject_sign_in(**form.service_data(), consent_version=form.cleaned_data[
                "notice_version"], ip=client_ip(request))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the one refusal for a mismatch (not a changed notice)
                ratelimits.number_count(request, group="privacy:id", key=key, rate=SIGN_IN_ID_FAILURES)
            apply_validation_error(form, exc)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = {**subject.as_session(), "until": int(time.time()) + SESSION_SECONDS}
            return redirect("privacy:mine")
    return render(request, "privacy/privacy_sign_in.html", {"title": _("My personal information"), "form": form})


def _masked(data: dict) -> dict:
    """The page's copy: ID and phone numbers masked (the download holds them in full)."""
    out = copy.deepcopy(data)
    for section in ("people", "applications", "cases"):
        for row in out[section]:
            if row.get("id_number"):
                row["id_number"] = mask(row["id_number"], kind="id_number")
            if row.get("phone"):
                row["phone"] = mask(row["phone"], kind="phone")
    return out


def mine(request):
    subject = _subject(request)
    if subject is None:
        return redirect("privacy:sign_in")
    data = services.subject_data(subject)
    return render(request, "privacy/privacy_mine.html", {
        "title": _("What the union holds about you"), "data": _masked(data), "raw": data,
        "has_records": any(data[k] for k in ("people", "applications", "cases")), "scoped": subject.items is not None})


def export(request, fmt: str):
    subject = _subject(request)
    if subject is None:
        return redirect("privacy:sign_in")
    data = services.subject_data(subject)
    services.subject_export_logged(subject, fmt)
    if fmt == "json":
        response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="my-personal-information.json"'
        return response
    rows = []
    for section, items in data.items():
        for n, item in enumerate(items, start=1):
            for key, value in item.items():
                rows.append([section, n, key, _cell(value)])
    content = write_xlsx([_("Section"), _("Record"), _("Field"), _("Value")], rows,
                         sheet=sheet_name(_("My personal information")))
    return xlsx_response(content, export_filename(_("My personal information")))


def _cell(value):
    if isinstance(value, list | dict):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@require_POST
def delete(request):
    subject = _subject(request)
    if subject is None:
        return redirect("privacy:sign_in")
    created = services.deletion_request_create(subject=subject)
    if created:
        messages.success(request, _("Your request has gone to %(units)s. You see the decision here, with the same "
                                    "three entries.") % {"units": "、".join(r.org.name for r in created)})
    else:
        messages.info(request, _("Nothing new to ask: every record is already in a request waiting for a decision, "
                                 "or anonymised."))
    return redirect("privacy:mine")


@require_POST
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("privacy:sign_in")


# --- the union officers' side ---------------------------------------------------------------------------------

def _crumbs(*items):
    return [{"label": _("Deletion requests"), "url": reverse("privacy:requests")}, *({"label": i} for i in items)]


@requires("privacy.handle")
def request_list(request):
    form = RequestFilterForm(request.GET or {"status": DeletionStatus.PENDING})
    status = form.cleaned_data["status"] if form.is_valid() else DeletionStatus.PENDING
    qs = services.request_list(actor=request.actor, status=status)
    columns = [
        Column(_("Request code"), lambda r: r.code, url=lambda r: reverse("privacy:request", args=[r.code])),
        Column(_("Unit"), lambda r: r.org.name, sort="org_path"),
        Column(_("Asked at"), lambda r: r.requested_at.strftime("%Y-%m-%d %H:%M"), sort="requested_at"),
        Column(_("Status"), lambda r: r.get_status_display(), sort="status"),
        Column(_("Decided by"), lambda r: str(r.decided_by or "")),
    ]
    page = ListPage(request, qs, columns, filter_form=form, default_sort="-requested_at")
    return page.response("core/list.html", {"title": _("Deletion requests")})


@requires("privacy.handle")
def request_detail(request, code: str):
    actor = request.actor
    r = services.request_get(actor=actor, code=code)
    form = DecideForm(request.POST or None)
    if request.method == "POST":
        actor.require("privacy.handle")
        if run_form(request, form, lambda d: services.request_decide(
                actor=actor, request=r, decision=d["decision"], reason=d["reason"]),
                success=_("Decided; the worker sees the outcome with their own details.")):
            return redirect("privacy:request", code=r.code)
    return render(request, "privacy/request_detail.html", {
        "title": _("Deletion request %(code)s") % {"code": r.code}, "r": r, "items": services.request_items(r),
        "form": form, "can_decide": r.status == DeletionStatus.PENDING, "breadcrumbs": _crumbs(r.code)})


urlpatterns = [
    path("privacy/", sign_in, name="sign_in"),
    path("privacy/mine/", mine, name="mine"),
    path("privacy/mine/export.json", export, {"fmt": "json"}, name="export_json"),
    path("privacy/mine/export.xlsx", export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("privacy/mine/delete/", delete, name="delete"),
    path("privacy/mine/sign-out/", sign_out, name="sign_out"),
    path("privacy/requests/", request_list, name="requests"),
    path("privacy/requests/<str:code>/", request_detail, name="request"),
]
