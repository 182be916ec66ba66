"""Rate limits on the public forms (django-ratelimit): the page a visitor sees over a limit, a counter for the
limits that are not per request (wrong answers per lookup code), and the check that the counts live in a cache
every worker process shares."""

from django.conf import settings
from django.core import checks
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

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
