"""Settings shared by every environment. Secrets and databases come from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs page then uses ninja's local Swagger files, not a CDN (CSP allows only 'self')
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.casework",
    "gonghui.funds",
    "gonghui.oversight",
    "gonghui.aid",
    "gonghui.democracy",
    "gonghui.privacy",
    "gonghui.portal",
    "gonghui.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.ActorMiddleware",
    "gonghui.privacy.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.shell",
            ],
        },
    },
]


# SQLite, whichever way it is named: a writer takes the lock at BEGIN (IMMEDIATE), so the audit chain's
# read-then-append is safe and concurrent writers wait (timeout) instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_env(default_sqlite: Path) -> dict:
    """DATABASE_URL (PostgreSQL, or SQLite with the same options as the default), else the embedded SQLite."""
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        db.setdefault("OPTIONS", {})
        if db["ENGINE"] == "django.db.backends.sqlite3":
            # Options given in the URL's query string win over the defaults.
            db["OPTIONS"] = {**SQLITE_OPTIONS, **db["OPTIONS"]}
            # One SQLite connection per request, as on the default path (a kept connection would hold the file).
            db["CONN_MAX_AGE"] = 0
            db["CONN_HEALTH_CHECKS"] = False
        return db
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite, "OPTIONS": dict(SQLITE_OPTIONS)}


DATABASES = {"default": database_from_env(VAR_DIR / "gonghui.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gonghui.core.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gonghui.core.password_validation.UsernameNotInPasswordValidator"},
]
CSRF_FAILURE_VIEW = "gonghui.core.views.csrf_failure"  # in Chinese, in the site's layout
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username (from any address) after repeated failures, for a cool-off.
AXES_FAILURE_LIMIT = "gonghui.core.security.failure_limit"
AXES_COOLOFF_TIME = "gonghui.core.security.cooloff"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# Per client address, on top of the per-username lockout: POSTs to the password and the code forms together.
GONGHUI_LOGIN_RATE = "30/10m"
# Second factor (django-otp): TOTP apps show this name; each failed code doubles the wait before the next.
OTP_TOTP_ISSUER = "工会工作平台"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): this site's own files only, and no inline script or style anywhere:
# templates keep behaviour in static/gonghui/*.js and looks in app.css (htmx is told not to add its own styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap's form controls draw their icons from data: SVGs
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"


def attachments_storage(env, var_dir: Path) -> dict:
    """Where attachments (gonghui.core.attachments) keep their bytes: private files under var/attachments, or an
    S3-compatible bucket when GONGHUI_ATTACHMENTS_S3_BUCKET is set (needs the optional extra ``gonghui[s3]``).
    Never served by the static file server: every download goes through the scoped, audited view."""
    bucket = env.get("GONGHUI_ATTACHMENTS_S3_BUCKET", "")
    if bucket:
        options = {
            "bucket_name": bucket,
            "endpoint_url": env.get("GONGHUI_ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": env.get("GONGHUI_ATTACHMENTS_S3_REGION") or None,
            "access_key": env.get("GONGHUI_ATTACHMENTS_S3_ACCESS_KEY") or None,
            "secret_key": env.get("GONGHUI_ATTACHMENTS_S3_SECRET_KEY") or None,
            "location": env.get("GONGHUI_ATTACHMENTS_S3_PREFIX", "attachments"),
            "addressing_style": env.get("GONGHUI_ATTACHMENTS_S3_ADDRESSING", "") or None,
            "default_acl": "private",  # nothing public: the bucket is read only through the application
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ContentDisposition": "attachment"},
        }
        if env.get("GONGHUI_ATTACHMENTS_S3_SSE"):  # e.g. AES256: encrypted at rest by the store
            options["object_parameters"]["ServerSideEncryption"] = env["GONGHUI_ATTACHMENTS_S3_SSE"]
        return {"BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {k: v for k, v in options.items() if v is not None}}
    return {"BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var_dir / "attachments"), "base_url": None,
                        "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": attachments_storage(os.environ, VAR_DIR),
}
MEDIA_ROOT = VAR_DIR / "media"
# Attachments: the largest file (bytes, 20 MB by default) and how many files one object may hold.
GONGHUI_ATTACHMENT_MAX_BYTES = int(os.environ.get("GONGHUI_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
GONGHUI_ATTACHMENT_MAX_PER_OWNER = int(os.environ.get("GONGHUI_ATTACHMENT_MAX_PER_OWNER", 50))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Spreadsheet imports (gonghui.core.tabular_guard): per kind, the largest upload (MB) and the rows a sheet may have
# (0: no limit but the format's); for every file, the bounds that refuse a zip bomb before it is parsed.
IMPORT_LIMITS = {
    "members.roster": {"max_upload_mb": 100, "max_rows": 0},
    "orgs": {"max_upload_mb": 5, "max_rows": 20_000},
    "funds_journal": {"max_upload_mb": 200, "max_rows": 0},  # a year of a county's books: up to a million lines
    "default": {"max_upload_mb": 10, "max_rows": 100_000},
}
IMPORT_MAX_UNCOMPRESSED_MB = 1024  # the sum of an xlsx/ods zip's entries
IMPORT_MAX_COMPRESSION_RATIO = 100  # per entry of 1 MB or more; spreadsheets deflate about 5-30 times
IMPORT_MAX_SHARED_STRINGS_MB = 256
IMPORT_MAX_CELL_CHARS = 32_767  # Excel's own limit
IMPORT_MAX_IN_MEMORY_MB = 64  # xls, ods and xlsb are read whole (by calamine)
IMPORT_XLS_MEMORY_MB = 768  # the address-space ceiling of the child reading an xls (65,536 rows x 13 columns: ~320 MB)
IMPORT_XLS_CPU_SECONDS = 60
IMPORT_INLINE_MAX_BYTES = 1024 * 1024  # a web upload above this (or with more rows) runs on the task worker
IMPORT_INLINE_MAX_ROWS = 5000
IMPORT_JOB_STALE_MINUTES = 15  # a running import job with no heartbeat for this long is marked failed

# The database cache, so every worker process shares the rate-limit counts (its table comes with the portal's
# migration 0001); production uses Redis when REDIS_URL is set. Room for one count per address and form: past
# MAX_ENTRIES the cache drops a third of its entries, and with them counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gonghui_cache",
                      "OPTIONS": {"MAX_ENTRIES": 200_000}}}
# django-ratelimit on the public forms (gonghui/portal) counts per client address in the default cache; a
# request over the limit gets the Chinese 429 page. Its own check knows only memcached and django-redis and
# calls the database cache's increment non-atomic (a burst may slip one or two extra attempts through, which
# is fine for slowing down sweeps): gonghui.core.ratelimits checks the cache instead.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "gonghui.core.ratelimits.too_many"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": "gonghui.privacy.logmask.MaskingFormatter",
                             "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}
if os.environ.get("GONGHUI_LOG_FILE"):  # a log file, when wanted, is created 0600 (gonghui/core/notify.py)
    LOGGING["handlers"]["file"] = {"class": "gonghui.core.notify.PrivateFileHandler", "formatter": "plain",
                                   "filename": os.environ["GONGHUI_LOG_FILE"], "encoding": "utf-8"}
    LOGGING["root"]["handlers"].append("file")

# Personal-data encryption. GONGHUI_DATA_KEYS: "kid:base64key,kid2:base64key"; the first encrypts,
# all decrypt (so keys rotate). GONGHUI_BLIND_INDEX_KEY: base64 HMAC key for exact lookups.
GONGHUI_DATA_KEYS = os.environ.get("GONGHUI_DATA_KEYS", "")
GONGHUI_BLIND_INDEX_KEY = os.environ.get("GONGHUI_BLIND_INDEX_KEY", "")
GONGHUI_DEMO_ALLOWED = False
# The audit chain's HMAC keys, "kid:base64key,..." like the data keys: the first signs new events, all verify.
# Anchors of the chain's head go to an append-only file in GONGHUI_AUDIT_ANCHOR_DIR (keep it off the database
# host's reach, e.g. a mounted log volume); GONGHUI_BACKUP_KEY (base64 of 32 bytes) encrypts backups when set.
GONGHUI_AUDIT_KEYS = os.environ.get("GONGHUI_AUDIT_KEYS", "")
GONGHUI_AUDIT_ANCHOR_DIR = os.environ.get("GONGHUI_AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit-anchors"))
GONGHUI_BACKUP_KEY = os.environ.get("GONGHUI_BACKUP_KEY", "")

# Notifications to workers (SMS, WeChat...): dotted paths, comma-separated; see gonghui/core/notify.py.
GONGHUI_NOTIFY_BACKEND = [p for p in os.environ.get(
    "GONGHUI_NOTIFY_BACKEND", "gonghui.core.notify.ConsoleBackend,gonghui.core.notify.FileBackend").split(",") if p]
GONGHUI_NOTIFY_DIR = os.environ.get("GONGHUI_NOTIFY_DIR", str(VAR_DIR / "notify"))
NINJA_PAGINATION_PER_PAGE = 50

# axes.W006 asks to lock by IP too. We lock by username from any address on purpose (an attacker rotating
# addresses must not get more guesses); per-address throttling of the login form is a separate limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]  # see RATELIMIT_USE_CACHE above
