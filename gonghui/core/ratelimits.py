"""Rate limits on the public forms (django-ratelimit): the page a visitor sees over a limit, a counter for the
limits that are not per request (wrong answers per lookup code, attempts per ID number), and the check that the
counts live in a cache every worker process shares."""

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from . import audit, crypto, identity
from .access import Actor
from .models import Outcome

PORTAL = Actor(user=None, grant=None, label="portal")

# Caches that do not share counts between processes (or do not keep them at all).
NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


def too_many(request, exception=None):
    """RATELIMIT_VIEW: a 429 with a plain Chinese message, never cached, echoing nothing that was posted."""
    response = render(request, "core/429.html", {"title": _("Too many attempts")}, status=429)
    add_never_cache_headers(response)
    return response


def count(request, *, group: str, value: str, rate: tuple[int, int]) -> bool:
    """Count one attempt of ``value`` (an address, a hashed lookup code) in ``group``; True once over the rate."""
    usage = get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=True)
    return usage is not None and usage["should_limit"]


def used_up(request, *, group: str, value: str, rate: tuple[int, int]) -> bool:
    """True when ``value`` has already used all its attempts in ``group`` (counts nothing)."""
    usage = get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=False)
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


def number_key(raw: object) -> str:
    """What a per-ID-number limit counts under: the keyed blind index of the number as the registry normalises it.
    The shared cache never holds the number, nor a plain hash that the 10^8 plausible numbers could reverse."""
    value = identity.clean_token(raw)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", value):
        try:
            value = identity.parse_resident_id(value).number
        except ValidationError:
            pass
    return crypto.blind_index(value, kind="id_number") if value else "-"


def number_count(request, *, group: str, key: str, rate: tuple[int, int]) -> bool:
    """Count one attempt for an ID number (``key`` from ``number_key``) in ``group``; True once over the rate.

    The attempt that uses up the number's allowance leaves one installation-wide audit event (no unit: the
    security and audit administrators see it, like failed logins): repeated probing of one person's number from
    any number of addresses. It names the form and a prefix of the keyed index, never the number."""
    usage = get_usage(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)
    if usage is None:
        return False
    if usage["count"] == usage["limit"]:
        audit.record(actor=PORTAL, action="portal.probe", object_type="form", object_id=group, scope_path="",
                     outcome=Outcome.DENIED, details={"number_key": key[:12], "attempts": usage["count"],
                                                      "window_seconds": rate[1]})
    return usage["should_limit"]


@checks.register(checks.Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs=None, **kwargs):
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in NOT_SHARED:
        return [checks.Warning(
            f"The rate-limit cache {alias!r} ({backend}) is not shared by the worker processes.",
            hint="Use the database cache (config/settings/base.py) or Redis (REDIS_URL).",
            id="gonghui.W101")]
    return []
