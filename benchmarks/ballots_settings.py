"""Settings of the ballot benchmark's server: production's, with three changes a test bench needs (each said in
RESULTS.md): plain HTTP on 127.0.0.1, the static files served from the app folders (no collectstatic; the voters
fetch no static file in the benchmark), and the client address taken from ``X-Forwarded-For`` (as behind the
reverse proxy a county runs), so that each simulated phone is its own address for the per-address vote limit,
which stays on and is measured."""

from config.settings.production import *  # noqa: F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
