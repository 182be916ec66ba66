"""Writes to the organization tree. Each is one transaction with an audit event."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, identity

from .models import ALLOWED_PARENTS, ROOT_LEVELS, Level, Org, Status
from .signals import subtree_moved

# Fields a create or an edit may set. Level, path and status change only through their own services.
EDITABLE = (
    "name", "kind", "ownership", "uscc", "region_code", "employee_count", "founded_on", "term_ends_on",
    "legal_person_registered", "legal_person_registered_on", "legal_person_cert_no", "has_women_committee",
    "has_audit_committee", "contact_name", "contact_phone",
)
_NORMALIZERS = {
    "uscc": identity.normalize_uscc,
    "region_code": identity.normalize_region_code,
    "contact_phone": identity.normalize_phone,
}


def normalize_fields(fields: dict) -> dict:
    errors, out = {}, {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise TypeError(f"{name} is not an editable org field")
        if isinstance(value, str):
            value = value.strip()
        if name in _NORMALIZERS and value:
            try:
                value = _NORMALIZERS[name](value)
            except ValidationError as exc:
                errors[name] = exc.messages
                continue
        out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def check_registration(org: Org) -> None:
    if not org.legal_person_registered and (org.legal_person_registered_on or org.legal_person_cert_no):
        raise ValidationError({"legal_person_registered": _(
            "A registration date or certificate number is given, but the union is not marked as registered.")})
    if org.founded_on and org.founded_on > datetime.date.today():
        raise ValidationError({"founded_on": _("The founding date cannot be in the future.")})


def check_level(level: str, parent: Org | None) -> None:
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown level: %(value)s") % {"value": level}})
    if parent is None:
        if level not in ROOT_LEVELS:
            raise ValidationError({"level": _("Only a federation can be the top of the tree.")})
        return
    if parent.level not in ALLOWED_PARENTS[Level(level)]:
        raise ValidationError({"level": _("A %(level)s cannot be placed under a %(parent)s.") % {
            "level": Level(level).label, "parent": Level(parent.level).label}})


def new_code() -> str:
    while True:
        code = "U" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(7))
        if not Org.objects.filter(code=code).exists():
            return code


def audit_details(org: Org) -> dict:
    return {"name": org.name, "level": org.level, "path": org.path}


@transaction.atomic
def org_create(*, actor, parent: Org, name: str, level: str, kind: str, code: str = "", **fields) -> Org:
    actor.require("org.write")
    actor.require_covers(parent.path)
    # Lock the parent row only: siblings are numbered one at a time, the rest of the tree is not locked.
    parent = Org.objects.select_for_update().get(pk=parent.pk)
    if parent.status != Status.ACTIVE:
        raise ValidationError({"parent": _("A dissolved union cannot receive new units.")})
    check_level(level, parent)
    values = normalize_fields({"name": name, **fields})
    org = Org(code=(code or "").strip().upper() or new_code(), level=level, kind=kind, **values)
    org.full_clean(exclude=["path", "depth", "numchild"])
    check_registration(org)
    org = Org.objects.add_child(parent, instance=org)
    audit.record(actor=actor, action="org.create", object_type="org", object_id=org.code, scope_path=org.path,
                 details={**audit_details(org), "parent": parent.code})
    return org


@transaction.atomic
def org_create_root(*, actor, name: str, level: str, kind: str, code: str = "", **fields) -> Org:
    """The top of a deployment's tree; only done at installation (by the seed or the import command)."""
    check_level(level, None)
    values = normalize_fields({"name": name, **fields})
    org = Org(code=(code or "").strip().upper() or new_code(), level=level, kind=kind, **values)
    org.full_clean(exclude=["path", "depth", "numchild"])
    org = Org.objects.add_root(instance=org)
    audit.record(actor=actor, action="org.create", object_type="org", object_id=org.code, scope_path=org.path,
                 details=audit_details(org))
    return org


@transaction.atomic
def org_update(*, actor, org: Org, **fields) -> Org:
    actor.require("org.write")
    actor.require_covers(org.path)
    org = Org.objects.select_for_update().get(pk=org.pk)
    if org.status != Status.ACTIVE:
        raise ValidationError(_("A dissolved union cannot be edited."))
    values = normalize_fields(fields)
    changed = [name for name, value in values.items() if getattr(org, name) != value]
    if not changed:
        return org
    for name in changed:
        setattr(org, name, values[name])
    org.full_clean(exclude=["path", "depth", "numchild"])
    check_registration(org)
    org.save(update_fields=[*changed, "updated_at"])
    # Personal data is named, never copied, into the audit trail.
    audit.record(actor=actor, action="org.update", object_type="org", object_id=org.code, scope_path=org.path,
                 details={"changed": sorted(changed)})
    return org


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org) -> Org:
    """Move a union and its whole subtree under another parent; every path is rewritten in this transaction."""
    actor.require("org.move")
    actor.require_covers(org.path)
    actor.require_covers(new_parent.path)
    if org.pk == actor.org.pk:
        raise PermissionDenied("cannot move the top of one's own scope")
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.select_for_update().get(pk=new_parent.pk)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"new_parent": _("A union cannot be moved under itself or its own branches.")})
    if new_parent.status != Status.ACTIVE:
        raise ValidationError({"new_parent": _("A dissolved union cannot receive new units.")})
    check_level(org.level, new_parent)
    old_parent_code = org.get_parent().code
    if new_parent.path == org.path[: -Org.steplen]:
        raise ValidationError({"new_parent": _("The union is already under this parent.")})
    old_path = org.path
    Org.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    subtree_moved.send(sender=Org, old_path=old_path, new_path=org.path)
    audit.record(actor=actor, action="org.move", object_type="org", object_id=org.code, scope_path=org.path,
                 details={"from": old_parent_code, "to": new_parent.code, "old_path": old_path,
                          "new_path": org.path})
    return org


@transaction.atomic
def org_dissolve(*, actor, org: Org, dissolved_on: datetime.date, reason: str) -> int:
    """Dissolve a union and every active unit below it. Rows stay, so history and past figures stay true."""
    actor.require("org.dissolve")
    actor.require_covers(org.path)
    if org.pk == actor.org.pk:
        raise PermissionDenied("cannot dissolve the top of one's own scope")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for dissolving the union.")})
    if dissolved_on > datetime.date.today():
        raise ValidationError({"dissolved_on": _("The dissolution date cannot be in the future.")})
    if org.status != Status.ACTIVE:
        raise ValidationError(_("The union is already dissolved."))
    if org.founded_on and dissolved_on < org.founded_on:
        raise ValidationError({"dissolved_on": _("The dissolution date is before the founding date.")})
    count = Org.objects.filter(path__startswith=org.path, status=Status.ACTIVE).update(
        status=Status.DISSOLVED, dissolved_on=dissolved_on, dissolved_reason=reason[:200])
    audit.record(actor=actor, action="org.dissolve", object_type="org", object_id=org.code, scope_path=org.path,
                 details={"units": count, "dissolved_on": dissolved_on, "reason": reason[:200]})
    return count
