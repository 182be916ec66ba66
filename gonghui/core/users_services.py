"""Accounts and grants, kept by the system administrator (who never sees personal data or the audit log)."""

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import ADMIN_ROLES, ApiToken, Grant, Role, User


def _require_user_in_scope(actor, user: User) -> None:
    """A system admin manages accounts whose every grant lies inside their subtree."""
    actor.require("user.manage")
    paths = list(user.grants.values_list("org__path", flat=True))
    if any(not actor.covers(p) for p in paths):
        raise PermissionDenied("user has grants outside the actor's scope")


@transaction.atomic
def user_create(*, actor, username: str, display_name: str, password: str, role: str, org) -> User:
    actor.require("user.manage")
    actor.require_covers(org.path)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, display_name=display_name.strip(), must_change_password=True)
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record(actor=actor, action="user.create", object_type="user", object_id=user.username,
                 scope_path=org.path)
    grant_add(actor=actor, user=user, role=role, org=org)
    return user


@transaction.atomic
def grant_add(*, actor, user: User, role: str, org) -> Grant:
    actor.require("user.manage")
    actor.require_covers(org.path)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    existing = set(user.grants.values_list("role", flat=True))
    if role in ADMIN_ROLES and existing:
        raise ValidationError({"role": _(
            "An administrator account holds no other role (separation of the three administrators).")})
    if existing & set(ADMIN_ROLES):
        raise ValidationError({"role": _("This account is an administrator and cannot hold another role.")})
    try:
        with transaction.atomic():
            grant = Grant.objects.create(user=user, role=role, org=org)
    except IntegrityError:
        raise ValidationError({"role": _("The user already holds this role for this unit.")}) from None
    audit.record(actor=actor, action="grant.add", object_type="user", object_id=user.username,
                 scope_path=org.path, details={"role": role, "org": org.code})
    return grant


@transaction.atomic
def grant_remove(*, actor, grant: Grant) -> None:
    actor.require("user.manage")
    actor.require_covers(grant.org.path)
    if grant.user_id == actor.user.pk and grant.role == Role.SYSTEM_ADMIN:
        raise ValidationError(_("You cannot remove your own administrator role."))
    details = {"role": grant.role, "org": grant.org.code}
    username, path = grant.user.username, grant.org.path
    grant.delete()
    audit.record(actor=actor, action="grant.remove", object_type="user", object_id=username, scope_path=path,
                 details=details)


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    _require_user_in_scope(actor, user)
    if user.pk == actor.user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor=actor, action="user.activate" if active else "user.deactivate", object_type="user",
                 object_id=user.username)
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User, password: str) -> User:
    _require_user_in_scope(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(actor=actor, action="user.reset_password", object_type="user", object_id=user.username)
    return user


@transaction.atomic
def password_change(*, actor, old_password: str, new_password: str) -> None:
    user = actor.user
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("The new password must differ from the current one.")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(actor=actor, action="user.change_password", object_type="user", object_id=user.username)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A token acting through the actor's current grant. The secret is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name saying what uses it.")})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor.user, grant=actor.grant, name=name[:80], prefix=prefix,
                                    secret_hash=_hash(secret))
    audit.record(actor=actor, action="api_token.create", object_type="api_token", object_id=prefix)
    return token, f"gh_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    if token.user_id != actor.user.pk:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", object_type="api_token", object_id=token.prefix)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a presented bearer string, or None. Compares hashes in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "gh":
        return None
    token = (ApiToken.objects.select_related("user", "grant__org")
             .filter(prefix=parts[1], revoked_at__isnull=True).first())
    if token is None or not secrets.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.user.is_active or token.grant.org.status != "active":
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
