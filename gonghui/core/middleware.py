import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import otp
from .access import ANONYMOUS, actor_for
from .audit import current_ip
from .models import SecurityPolicy

SESSION_GRANT = "gonghui_grant"
SESSION_SEEN = "gonghui_seen"
SESSION_STARTED = "gonghui_started"
# The last-seen time is written again only once it is this old (at most a tenth of the idle limit): a page does not
# rewrite its session row on every request. The limit stays strict: "seen" is never later than the last request,
# so no session outlives its idle minutes; one may end up to this many seconds before them.
SEEN_STEP = 60
# Pages a user who must change their password (or set up a second factor) may still open.
_PASSWORD_CHANGE_ALLOWED = ("/account/", "/logout/", "/static/", "/healthz")
# Pages a signed-in session that still owes its second-factor code may open.
_VERIFY_ALLOWED = ("/login/verify/", "/logout/", "/static/", "/healthz")


def client_ip(request) -> str | None:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (or use a trusted-proxy middleware).
    return request.META.get("REMOTE_ADDR") or None


class ActorMiddleware:
    """Attaches ``request.actor`` and ends sessions idle for longer than the security policy allows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            request.actor = ANONYMOUS
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                now = int(time.time())
                seen = request.session.get(SESSION_SEEN)
                started = request.session.setdefault(SESSION_STARTED, now)
                idle = SecurityPolicy.current().session_idle_minutes * 60
                # Idle too long, or past the absolute limit (the cookie's age slides with every save).
                if (seen is not None and now - seen > idle) or now - started > settings.SESSION_COOKIE_AGE:
                    logout(request)
                else:
                    if seen is None or now - seen >= min(SEEN_STEP, idle // 10):
                        request.session[SESSION_SEEN] = now
                    request.actor = actor_for(user, request.session.get(SESSION_GRANT))
                    if (refused := self._gate(request, user)) is not None:
                        return refused
            return self.get_response(request)
        finally:
            current_ip.reset(token)

    @staticmethod
    def _gate(request, user):
        """Where a signed-in user must go first: the second-factor code (an account with an authenticator whose
        session has not shown one), setting one up (the policy requires it), a new password (first login or
        expired). None when the request may go on."""
        policy = SecurityPolicy.current()
        path = request.path
        if not user.is_verified():
            if otp.has_authenticator(user):
                if not path.startswith(_VERIFY_ALLOWED):
                    return _refuse(request, reverse("core:login_verify") + "?" + urlencode({"next": path}))
            elif policy.require_second_factor and not path.startswith(_PASSWORD_CHANGE_ALLOWED):
                return _refuse(request, reverse("core:two_factor"))
        if user.must_change_password and not path.startswith(_PASSWORD_CHANGE_ALLOWED):
            return _refuse(request, reverse("core:account") + "?must_change=1")
        if user.password_expired(policy.password_max_age_days) and not path.startswith(_PASSWORD_CHANGE_ALLOWED):
            return _refuse(request, reverse("core:account") + "?expired=1")
        return None


def _refuse(request, url: str):
    """A page redirects to where the user must go; an API call through the session gets a 403 saying so."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Finish signing in on the website first.")}, status=403)
    return redirect(url)
