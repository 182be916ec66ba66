"""Logins and failed logins go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .access import ANONYMOUS, actor_for
from .models import Outcome


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(actor=actor_for(user), action="auth.login", object_type="user", object_id=user.username)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=actor_for(user), action="auth.logout", object_type="user", object_id=user.username)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username typed is recorded (it is not personal data in clear: it is an account name).
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=ANONYMOUS, action="auth.login", object_type="user", object_id=username,
                 outcome=Outcome.FAILED)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(actor=ANONYMOUS, action="auth.lockout", object_type="user", object_id=str(username or "")[:150],
                 outcome=Outcome.DENIED)
