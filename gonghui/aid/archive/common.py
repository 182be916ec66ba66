"""Constants and small helpers of the archive's services: amounts, masked names, timeline and audit lines."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from ..models import Household, HouseholdEvent, HouseholdState

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")
MAX_MEMBERS = 20
NOTICE_KIND = "aid.notice"
EDITABLE = (HouseholdState.DRAFT, HouseholdState.RETURNED)


def today() -> datetime.date:
    return timezone.localdate()


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, 欧阳小明 → 欧**明: the public notice never shows a full name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def money(value, field: str, *, label: str = "") -> Decimal:
    """A non-negative amount in yuan with at most 2 decimals (blank is 0)."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: _("Type an amount in yuan, e.g. 1200.50.")}) from None
    if not d.is_finite() or d < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if d >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    if d != d.quantize(CENT):
        raise ValidationError({field: _("An amount has at most 2 decimals.")})
    return d.quantize(CENT)


def amount_of(text: str) -> Decimal:
    """A stored (decrypted) amount, 0 when empty."""
    return Decimal(text).quantize(CENT) if text else Decimal("0.00")


def _event(household: Household, kind: str, *, actor, note: str = "") -> None:
    HouseholdEvent.objects.create(household=household, kind=kind, note=note[:300],
                                  by=actor.user if getattr(actor, "user", None) is not None else None)


def _audit(actor, action: str, household: Household, **details) -> None:
    audit.record(actor=actor, action=action, object_type="aid.household", object_id=household.pk,
                 scope_path=household.org_path, details={"name": household.name_masked, **details})


def _locked(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)
