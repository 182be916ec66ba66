"""The demo: `make run`. SQLite under var/, generated secrets, demo users allowed."""

import os

from ._secrets import local_secrets
from .base import *  # noqa: F403
from .base import VAR_DIR

_secrets = local_secrets(VAR_DIR)
# Off, so the demo shows the real Chinese error pages (DJANGO_DEBUG=1 brings back Django's debug pages).
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
# Static files straight from the apps' static/ folders through WhiteNoise (no collectstatic for the demo),
# picked up again when they change.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _secrets["DJANGO_SECRET_KEY"]
GONGHUI_DATA_KEYS = os.environ.get("GONGHUI_DATA_KEYS") or _secrets["GONGHUI_DATA_KEYS"]
GONGHUI_BLIND_INDEX_KEY = os.environ.get("GONGHUI_BLIND_INDEX_KEY") or _secrets["GONGHUI_BLIND_INDEX_KEY"]
GONGHUI_AUDIT_KEYS = os.environ.get("GONGHUI_AUDIT_KEYS") or _secrets["GONGHUI_AUDIT_KEYS"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
GONGHUI_DEMO_ALLOWED = True
