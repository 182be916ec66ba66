import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .access import ANONYMOUS, actor_for
from .audit import current_ip
from .models import SecurityPolicy

SESSION_GRANT = "gonghui_grant"
SESSION_SEEN = "gonghui_seen"
SESSION_STARTED = "gonghui_started"
# Pages a user who must change their password may still open.
_PASSWORD_CHANGE_ALLOWED = ("/account/", "/logout/", "/static/", "/healthz")


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
                seen = request.session.get(SESSION_SEEN, now)
                started = request.session.setdefault(SESSION_STARTED, now)
                idle = SecurityPolicy.current().session_idle_minutes * 60
                # Idle too long, or past the absolute limit (the cookie's age slides with every save).
                if now - seen > idle or now - started > settings.SESSION_COOKIE_AGE:
                    logout(request)
                else:
                    request.session[SESSION_SEEN] = now
                    request.actor = actor_for(user, request.session.get(SESSION_GRANT))
                    if user.must_change_password and not request.path.startswith(_PASSWORD_CHANGE_ALLOWED):
                        return redirect(reverse("core:account") + "?must_change=1")
            return self.get_response(request)
        finally:
            current_ip.reset(token)
