"""The test suite: fixed throwaway keys, fast hashing, SQLite in memory unless DATABASE_URL is set."""

import base64

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
GONGHUI_DATA_KEYS = "t1:" + base64.b64encode(b"t" * 32).decode() + ",t0:" + base64.b64encode(b"o" * 32).decode()
GONGHUI_BLIND_INDEX_KEY = base64.b64encode(b"b" * 32).decode()
GONGHUI_AUDIT_KEYS = "at1:" + base64.b64encode(b"a" * 32).decode() + ",at0:" + base64.b64encode(b"z" * 32).decode()
GONGHUI_AUDIT_ANCHOR_DIR = None  # tests that anchor point it at their own temporary directory
GONGHUI_BACKUP_KEY = ""
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGHUI_DEMO_ALLOWED = True
GONGHUI_NOTIFY_DIR = None
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# One process: the rate-limit counts stay in memory, and tests reset them with cache.clear() without a database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
