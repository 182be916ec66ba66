"""Deploy checks (``gonghui check --deploy``): no default, shared or all-powerful accounts in production."""

import os

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection


def _database_missing() -> bool:
    # Do not create an empty SQLite file just to look into it.
    name = str(connection.settings_dict.get("NAME") or "")
    return connection.vendor == "sqlite" and name not in ("", ":memory:") and not name.startswith("file:") \
        and not os.path.exists(name)


@checks.register(checks.Tags.security, deploy=True)
def check_accounts(app_configs=None, **kwargs):
    """An active superuser bypasses every role and the separation of the three administrators; demo users have
    passwords printed in the README. Neither belongs in a production database. Settings that allow the demo
    (the demo and the tests) are not production and are not checked."""
    if getattr(settings, "GONGHUI_DEMO_ALLOWED", False) or _database_missing():
        return []
    from .models import User

    try:
        superusers = sorted(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True))
        demo = sorted(User.objects.filter(is_demo=True).values_list("username", flat=True))
    except DatabaseError:  # not migrated yet, or not reachable: nothing to check
        return []
    errors = []
    if superusers:
        errors.append(checks.Error(
            f"Active superuser accounts: {', '.join(superusers[:10])}.",
            hint="Work through the three administrator roles; deactivate superusers or clear their "
                 "is_superuser flag.",
            id="gonghui.E201"))
    if demo:
        errors.append(checks.Error(
            f"Demo accounts exist: {', '.join(demo[:10])}.",
            hint="The demo seed is not for production: use a database that never held the demo.",
            id="gonghui.E202"))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_secrets(app_configs=None, **kwargs):
    """The audit chain is keyed (without a key anyone who can write the table can rewrite its history), its head
    anchored outside the database, and backups encrypted. The key settings are checked whatever the settings;
    the recommendations (anchors, backup key) only outside the demo."""
    from django.core.exceptions import ImproperlyConfigured

    from . import audit, crypto

    errors = []
    try:
        audit.audit_keys()
    except (ImproperlyConfigured, ValueError) as exc:
        errors.append(checks.Error(f"GONGHUI_AUDIT_KEYS: {exc}", hint="Set GONGHUI_AUDIT_KEYS to 'kid:<base64 of 32 "
                                   "random bytes>' and keep it off the database host.", id="gonghui.E203"))
    try:
        backup_key = crypto.backup_key()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="gonghui.E204"))
        backup_key = b""
    if getattr(settings, "GONGHUI_DEMO_ALLOWED", False):
        return errors
    if not getattr(settings, "GONGHUI_AUDIT_ANCHOR_DIR", None):
        errors.append(checks.Warning(
            "GONGHUI_AUDIT_ANCHOR_DIR is not set: events cut from the end of the audit chain go unnoticed.",
            hint="Point it at a directory the database administrator cannot write; run `gonghui tick` daily.",
            id="gonghui.W205"))
    if backup_key is None:
        errors.append(checks.Warning(
            "GONGHUI_BACKUP_KEY is not set: backups are written unencrypted.",
            hint="Set it to base64 of 32 random bytes, kept apart from the backups.", id="gonghui.W206"))
    return errors
