import logging
import secrets
import sys
import time
from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from . import audit, otp
from .access import ANONYMOUS, actor_for
from .admin_forms import SecondFactorForm
from .middleware import SESSION_GRANT
from .models import Outcome, User

# The sign-in waiting for its second step: who passed the password, when, and where they were going.
SESSION_PENDING = "gonghui_2fa_pending"
PENDING_SECONDS = 300
CODE_TRIES = 5


def _login_rate(group, request) -> str:
    return settings.GONGHUI_LOGIN_RATE


# Per client address, shared by the password and the code forms; over it, RatelimitMiddleware answers with the
# Chinese 429 page. The per-username lockout (django-axes) is separate.
login_ratelimit = ratelimit(group="core:login", key="ip", rate=_login_rate, method="POST", block=True)


@method_decorator(never_cache, name="dispatch")
@method_decorator(login_ratelimit, name="dispatch")
class LoginView(auth_views.LoginView):
    """Step one: the password (django-axes counts the failures). An account with an authenticator goes on to
    step two; the user is signed in only after it."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not otp.has_authenticator(user):
            return super().form_valid(form)
        # A fresh session key for the half-signed-in state too, so nothing planted before carries over.
        self.request.session.cycle_key()
        self.request.session[SESSION_PENDING] = {
            "user": user.pk, "backend": user.backend, "at": int(time.time()), "tries": 0,
            "next": self.get_success_url()}
        return redirect("core:login_verify")


def _pending_user(request):
    pending = request.session.get(SESSION_PENDING)
    if not pending or int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_ratelimit
def login_verify(request):
    """Step two: a code from the authenticator app, or one of the recovery codes. Also asked of a signed-in
    session that has not shown a code (one started before the account had an authenticator)."""
    signed_in = request.user.is_authenticated
    if signed_in:
        if request.user.is_verified() or not otp.has_authenticator(request.user):
            return redirect(_safe_next(request, request.GET.get("next")))
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request)
        if user is None:
            messages.info(request, _("Sign in again: the sign-in was not finished in time."))
            return redirect("login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not signed_in and AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
            request.session.pop(SESSION_PENDING, None)
            return render(request, "core/locked_out.html", status=429)
        device = otp.second_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            next_url = pending["next"] if pending else request.GET.get("next")
            if not signed_in:
                request.session.pop(SESSION_PENDING, None)
                auth_login(request, user, backend=pending["backend"])
            else:
                request.session.cycle_key()
            otp_login(request, device)
            audit.record(actor=actor_for(user), action="auth.second_factor", object_type="user",
                         object_id=user.username, details={"kind": "recovery" if "static" in
                                                           device.persistent_id else "totp"})
            return redirect(_safe_next(request, next_url))
        audit.record(actor=actor_for(user) if signed_in else ANONYMOUS, action="auth.second_factor",
                     object_type="user", object_id=user.username, outcome=Outcome.FAILED)
        if not signed_in:
            # A wrong code counts towards the account's lockout like a wrong password.
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                   request=request)
            pending["tries"] += 1
            if pending["tries"] >= CODE_TRIES:
                request.session.pop(SESSION_PENDING, None)
                messages.error(request, _("Too many wrong codes. Sign in again."))
                return redirect("login")
            request.session[SESSION_PENDING] = pending
        form.add_error("code", _("The code is wrong or has already been used."))
    return render(request, "core/login_verify.html", {"title": _("Two-step verification"), "form": form,
                                                      "signed_in": signed_in})


def requires(*perms: str):
    """View decorator: logged in, holding one of ``perms`` through the current grant; else 403 (recorded)."""
    def wrap(view):
        @login_required
        def inner(request, *args, **kwargs):
            if not any(request.actor.can(p) for p in perms):
                audit.record(actor=request.actor, action="access.denied", object_type="url",
                             object_id=request.path[:64], outcome=Outcome.DENIED, details={"perm": "|".join(perms)})
                raise PermissionDenied(perms[0])
            return view(request, *args, **kwargs)
        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        inner.required_perms = perms
        return inner
    return wrap


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    actor = request.actor
    if actor.grant is None:
        return render(request, "core/no_grant.html", {"title": _("No role assigned")}, status=403)
    for perm, target in (("dashboard.view", "orgs:dashboard_home"), ("user.manage", "core:users"),
                         ("security.manage", "core:security"), ("audit.view", "core:audit")):
        if actor.can(perm):
            return redirect(target)
    raise PermissionDenied


@login_required
@require_POST
def switch_grant(request):
    try:
        grant_id = int(request.POST.get("grant", ""))
    except ValueError:
        raise Http404 from None
    if not any(g.id == grant_id for g in request.actor.grants):
        raise Http404
    request.session[SESSION_GRANT] = grant_id
    return redirect("home")


# Error pages: Chinese, in the portal layout on the public paths and in the back-office layout elsewhere, each
# saying what happened and where to go next (config/urls.py names them as Django's handlers).

PUBLIC_PREFIXES = ("/join/", "/requests/", "/member/", "/privacy/")
error_log = logging.getLogger("gonghui.errors")


def _public_path(path: str) -> bool:
    """For the 500 page, which does not look up who is asking: the start page counts as the portal's."""
    return path == "/" or path.startswith(PUBLIC_PREFIXES)


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _error_layout(request) -> str:
    # The start page is the portal's for a visitor and the back office's for staff.
    signed_in = _signed_in(request)
    if request.path.startswith(PUBLIC_PREFIXES) or (request.path == "/" and not signed_in):
        return "core/base_public.html"
    if signed_in and getattr(request, "actor", None) is not None:
        return "core/base.html"
    return "core/base_plain.html"


def _public_next_steps() -> list[tuple[str, str]]:
    return [(reverse("portal:join"), _("Join the union")), (reverse("portal:request_new"), _("File a request")),
            (reverse("portal:request_track"), _("Track a request"))]


def _staff_next_steps(request) -> list[tuple[str, str]]:
    if _signed_in(request):
        return [(reverse("home"), _("Back to the start page"))]
    return [(reverse("login"), _("Log in"))]


def _error_page(request, *, status: int, title: str, message: str, hint: str = "", next_steps=None,
                reason_id: str = ""):
    layout = _error_layout(request)
    if next_steps is None:
        next_steps = _public_next_steps() if layout == "core/base_public.html" else _staff_next_steps(request)
    context = {"title": title, "message": message, "hint": hint, "status": status, "layout": layout,
               "reason_id": reason_id, "next_steps": next_steps}
    response = render(request, "core/error.html", context, status=status)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception=None):
    return _error_page(request, status=400, title=_("Bad request"),
                       message=_("The request could not be understood: a link or form may be incomplete or "
                                 "out of date."),
                       hint=_("Go back, reload the page and try again."))


def permission_denied(request, exception=None):
    hint = _("If your work needs it, ask your system administrator for the role.")
    actor = getattr(request, "actor", None)
    if actor is not None and len(getattr(actor, "grants", ()) or ()) > 1:
        hint = _("You act for several units: the unit selected at the top decides what you may do here.")
    return _error_page(request, status=403, title=_("Not allowed"),
                       message=_("Your role does not allow this page or action."), hint=hint)


def page_not_found(request, exception=None):
    if _error_layout(request) == "core/base_public.html":
        message = _("This page does not exist. Check the address, or start again from one of the links below.")
    else:
        message = _("This page does not exist, or what it shows is outside the units you cover.")
    return _error_page(request, status=404, title=_("Page not found"), message=message,
                       hint=_("If you followed a link from this site, the item may have been moved or removed."))


def _form_page(request) -> str | None:
    """The page the refused form was on (this site's only, path and query): the posted address itself may answer
    only POST, so it is no way back."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return None
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path.startswith("/") else None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid security token (an old page, or cookies turned off)."""
    back = _form_page(request)
    return _error_page(request, status=403, title=_("The form has expired"),
                       message=_("The form could not be accepted: it was opened too long ago, or the browser "
                                 "does not keep this site's cookies."),
                       hint=_("Reload the page (allow cookies for this site) and send the form again."),
                       next_steps=[(back, _("Back to the form"))] if back else None, reason_id="csrf-failure")


def server_error(request):
    """handler500: logs the exception with a short incident number and shows that number. Uses neither the
    database nor the session (the failure may be the database), so it renders without the request's context."""
    incident = secrets.token_hex(4).upper()
    error_log.error("incident %s: unhandled error on %s %s", incident, request.method, request.path,
                    exc_info=sys.exc_info()[0] is not None)
    public = _public_path(request.path)
    context = {"title": _("System error"), "status": 500, "incident": incident,
               "layout": "core/base_public.html" if public else "core/base_plain.html",
               "message": _("Something went wrong on our side; it has been logged."),
               "hint": _("Try again in a few minutes. If it keeps happening, tell the administrator the incident "
                         "number below."),
               "next_steps": _public_next_steps() if public else [(reverse("home"), _("Back to the start page"))]}
    try:
        html = loader.render_to_string("core/error.html", context)
    except Exception:  # the page itself failed (a static file missing from the manifest, a broken template)
        error_log.exception("incident %s: the error page could not be rendered", incident)
        html = (f'<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>系统错误</title><h1>系统错误</h1>'
                f"<p>系统出现错误，已记录。请稍后再试；如仍出错，请将事件编号告知管理员。</p><p>事件编号：{incident}</p></html>")
    response = HttpResponseServerError(html)
    add_never_cache_headers(response)
    return response
