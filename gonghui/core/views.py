import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
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


def requires(perm: str):
    """View decorator: logged in, holding ``perm`` through the current grant; else 403 (recorded)."""
    def wrap(view):
        @login_required
        def inner(request, *args, **kwargs):
            if not request.actor.can(perm):
                audit.record(actor=request.actor, action="access.denied", object_type="url",
                             object_id=request.path[:64], outcome=Outcome.DENIED, details={"perm": perm})
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)
        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        inner.required_perm = perm
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
