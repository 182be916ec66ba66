"""Settings the security administrator keeps, read by django-axes at each login attempt."""

import datetime

from .models import SecurityPolicy


def failure_limit(request=None, credentials=None) -> int:
    return SecurityPolicy.current().lockout_failures


def cooloff(request=None) -> datetime.timedelta:
    return datetime.timedelta(minutes=SecurityPolicy.current().lockout_cooloff_minutes)
