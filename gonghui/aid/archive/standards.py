"""低保 standards and the archive's thresholds (settings per unit, inherited from the units above)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.orgs.models import Org

from ..models import ArchiveSettings, LivingStandard
from .common import money


def _ancestor_paths(path: str) -> list[str]:
    step = Org.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def settings_for(org) -> ArchiveSettings:
    """The thresholds for a unit: the nearest federation above it that set them, else the defaults."""
    row = (ArchiveSettings.objects.filter(org__path__in=_ancestor_paths(org.path)).select_related("org")
           .order_by("-org__depth").first())
    return row or ArchiveSettings()


def _region_chain(code: str) -> list[str]:
    """330102 → [330102, 330100, 330000]: a district uses its city's standard, then its province's."""
    if not (code and len(code) == 6 and code.isdigit()):
        return []
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def standard_for(org, year: int) -> LivingStandard | None:
    """The 低保 standard a unit's households use in ``year``: the nearest org above (or the unit) that has one; else
    the unit's region code (or the nearest ancestor's), widened to its city and province."""
    paths = _ancestor_paths(org.path)
    row = (LivingStandard.objects.filter(org__path__in=paths, year=year).select_related("org")
           .order_by("-org__depth").first())
    if row is not None:
        return row
    codes = [o.region_code for o in Org.objects.filter(path__in=paths).order_by("-depth") if o.region_code]
    for code in codes:
        found = {s.region_code: s for s in LivingStandard.objects.filter(org__isnull=True, year=year,
                                                                         region_code__in=_region_chain(code))}
        for c in _region_chain(code):
            if c in found:
                return found[c]
    return None


@transaction.atomic
def standard_set(*, actor, year: int, monthly, org=None, region_code: str = "") -> LivingStandard:
    """Set (or change) the monthly 低保 of a unit's subtree or of a region code for a year."""
    actor.require("aid.settings")
    monthly = money(monthly, "monthly")
    if monthly <= 0:
        raise ValidationError({"monthly": _("The 低保 amount must be more than 0.")})
    if not (2000 <= int(year) <= 2100):
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    region_code = (region_code or "").strip()
    if (org is None) == (not region_code):
        raise ValidationError({"org": _("Choose a unit or type a region code (one of the two).")})
    if org is not None:
        actor.require_covers(org.path)
        row = LivingStandard.objects.select_for_update().filter(org=org, year=year).first()
    else:
        if not (len(region_code) == 6 and region_code.isdigit()):
            raise ValidationError({"region_code": _("A region code has 6 digits.")})
        row = LivingStandard.objects.select_for_update().filter(org__isnull=True, region_code=region_code,
                                                                  year=year).first()
    before = str(row.monthly) if row else ""
    row = row or LivingStandard(org=org, region_code=region_code, year=year)
    row.monthly, row.updated_at, row.updated_by = monthly, timezone.now(), actor.user
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="aid.standard_set", object_type="aid.standard", object_id=row.pk,
                 scope_path=org.path if org else actor.org.path,
                 details={"where": org.name if org else region_code, "year": year, "before": before,
                          "monthly": str(monthly)})
    return row


@transaction.atomic
def settings_update(*, actor, deep_ratio, relative_ratio, notice_days) -> ArchiveSettings:
    """Set the thresholds of the actor's federation subtree."""
    actor.require("aid.settings")
    try:
        deep, rel = Decimal(str(deep_ratio)), Decimal(str(relative_ratio))
    except InvalidOperation:
        raise ValidationError({"deep_ratio": _("Type a number such as 1 or 1.5.")}) from None
    if not (Decimal("0") < deep <= Decimal("10")):
        raise ValidationError({"deep_ratio": _("The ratio must be more than 0 and at most 10.")})
    if not (deep < rel <= Decimal("10")):
        raise ValidationError({"relative_ratio": _("The 相对困难 ratio must be above the 深度困难 ratio.")})
    try:
        days = int(notice_days)
    except (TypeError, ValueError):
        raise ValidationError({"notice_days": _("Type a whole number of working days.")}) from None
    if not (1 <= days <= 60):
        raise ValidationError({"notice_days": _("The notice lasts 1 to 60 working days.")})
    row = ArchiveSettings.objects.select_for_update().filter(org=actor.org).first() or ArchiveSettings(org=actor.org)
    row.deep_ratio, row.relative_ratio, row.notice_days = deep, rel, days
    row.updated_at, row.updated_by = timezone.now(), actor.user
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="aid.settings_update", object_type="aid.settings", object_id=row.pk,
                 details={"deep_ratio": str(deep), "relative_ratio": str(rel), "notice_days": days})
    return row
