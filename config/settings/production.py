"""Production: every secret from the environment, HTTPS only, no demo users."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
GONGHUI_DATA_KEYS = _required("GONGHUI_DATA_KEYS")
GONGHUI_BLIND_INDEX_KEY = _required("GONGHUI_BLIND_INDEX_KEY")
GONGHUI_AUDIT_KEYS = _required("GONGHUI_AUDIT_KEYS")
GONGHUI_DEMO_ALLOWED = False
DEBUG = False

SECURE_SSL_REDIRECT = os.environ.get("GONGHUI_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,  # noqa: F405  (base's default and attachments stores)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
