"""Showing personal data in clear: a deliberate act with a reason, recorded in the audit trail."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import audit
from .fields import EncryptedTextField
from .identity import mask


def masked(obj, field_name: str) -> str:
    field = obj._meta.get_field(field_name)
    return mask(getattr(obj, field_name), kind=field.kind)


def reveal(*, actor, obj, field_name: str, reason: str, object_type: str, object_id: str, scope_path: str) -> str:
    """The clear value, after checking the permission and recording who looked and why."""
    actor.require("personal.reveal")
    actor.require_covers(scope_path)
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedTextField):
        raise ValueError(f"{field_name} is not a personal-data field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need to see this information.")})
    audit.record(actor=actor, action="personal.reveal", object_type=object_type, object_id=object_id,
                 scope_path=scope_path, details={"field": field_name, "reason": reason[:200]})
    return getattr(obj, field_name)
