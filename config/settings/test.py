"""The test suite: fixed throwaway keys, fast hashing, SQLite in memory unless DATABASE_URL is set.

Nothing here points at the demo's var/: every directory the app writes to (static root, media, notifications,
backups, the default SQLite file) lives in a temporary directory of the test run, so `make test` works beside a
running `make run` and never reads its database (gonghui/conftest.py fails a test that touches var/)."""

import atexit
import base64
import os
import shutil
import tempfile
from pathlib import Path

# Before base: VAR_DIR and everything derived from it, always a fresh directory (never a GONGHUI_VAR_DIR from
# the shell, which may be real data); exported so the run's subprocesses (the deploy check) use it too.
os.environ["GONGHUI_VAR_DIR"] = tempfile.mkdtemp(prefix="gonghui-test-var-")
atexit.register(shutil.rmtree, os.environ["GONGHUI_VAR_DIR"], ignore_errors=True)

from .base import *  # noqa: E402, F403
from .base import VAR_DIR  # noqa: E402

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
# WhiteNoise looks at STATIC_ROOT when it starts; an empty one (the tests serve static files from the apps).
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405
PROJECT_VAR_DIR = BASE_DIR / "var"  # noqa: F405  (the demo's; conftest.py guards it)
assert not Path(VAR_DIR).resolve().is_relative_to(PROJECT_VAR_DIR.resolve()), "tests must not use the demo's var/"
