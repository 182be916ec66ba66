import time

from django.contrib.auth import logout

from .access import ANONYMOUS, actor_for
from .audit import current_ip
from .models import SecurityPolicy

SESSION_GRANT = "gonghui_grant"
SESSION_SEEN = "gonghui_seen"


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
                idle = SecurityPolicy.current().session_idle_minutes * 60
                if now - seen > idle:
                    logout(request)
                else:
                    request.session[SESSION_SEEN] = now
                    request.actor = actor_for(user, request.session.get(SESSION_GRANT))
            return self.get_response(request)
        finally:
            current_ip.reset(token)
