"""Donation drive services (捐款日/一日捐, issue §4).

- A drive is opened by a union (aid.write over it) for a day; the units taking part are unions of its subtree.
- A unit's lump (donors counted, not named, and their amount, with the receipt number) is recorded by the unit
  itself or any union above it inside the drive (aid.write covering the unit). Recording again replaces the lump.
- A named donation (a member of the unit's subtree, or an outsider by name) adds one donor and its amount to its
  unit (the unit row is made when it is the first thing recorded for that unit).
- The drive's and the units' totals move by the difference with ``F()`` in the same transaction, so concurrent
  entries never lose an update; receipts are unique per drive (index ``aid_driveunit_receipt``).
- Closing freezes the drive: nothing more is recorded.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.members.models import Membership, MembershipStatus

from .models import Donation, Drive, DriveState, DriveUnit

MAX_AMOUNT = Decimal("100000000")
MAX_DONORS = 1000000


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def money(value, field: str, *, positive=False, limit=MAX_AMOUNT) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0) or d > limit:
        raise ValidationError({field: _("Enter an amount between 0 and %(n)s yuan.") % {"n": limit}})
    return d


def count(value, field: str) -> int:
    try:
        n = int(str(value).strip())
    except (ValueError, TypeError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if not 0 <= n <= MAX_DONORS:
        raise ValidationError({field: _("Enter a number between 0 and %(n)s.") % {"n": MAX_DONORS}})
    return n


@transaction.atomic
def drive_create(*, actor, org, name: str, day: datetime.date, period_key: str = "", note: str = "") -> Drive:
    actor.require("aid.write")
    actor.require_covers(org.path)
    name = (name or "").strip()
    if len(name) < 2:
        raise ValidationError({"name": _("Name the drive.")})
    if not isinstance(day, datetime.date):
        raise ValidationError({"day": _("Enter the donation day.")})
    drive = Drive(org=org, org_path=org.path, name=name[:100], day=day,
                  period_key=(period_key or "").strip()[:10] or str(day.year), note=(note or "").strip()[:200],
                  created_by=_user(actor))
    drive.full_clean()
    drive.save()
    audit.record(actor=actor, action="aid.drive_create", object_type="aid.drive", object_id=drive.pk,
                 scope_path=org.path, details={"name": drive.name, "day": str(day)})
    return drive


def _lock_open(drive: Drive) -> Drive:
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    if drive.state != DriveState.OPEN:
        raise ValidationError(_("The drive %(d)s is closed: nothing more can be recorded.") % {"d": drive.name})
    return drive


def _check_unit(actor, drive: Drive, org) -> None:
    actor.require("aid.write")
    actor.require_covers(org.path)
    if not org.path.startswith(drive.org_path):
        raise ValidationError({"org": _("%(org)s is not a unit under the organiser of this drive.") % {
            "org": org.name}})


def _unit_row(drive: Drive, org, actor) -> tuple[DriveUnit, bool]:
    """The unit's row, locked; made (and counted in the drive's units) when it is the first entry."""
    row = DriveUnit.objects.select_for_update().filter(drive=drive, org=org).first()
    if row is not None:
        return row, False
    row = DriveUnit(drive=drive, org=org, org_path=org.path, day=drive.day, recorded_by=_user(actor))
    row.save(force_insert=True)
    Drive.objects.filter(pk=drive.pk).update(units=F("units") + 1)
    return row, True


def _move(drive: Drive, row: DriveUnit, donors: int, amount: Decimal) -> None:
    if donors or amount:
        DriveUnit.objects.filter(pk=row.pk).update(donors=F("donors") + donors, amount=F("amount") + amount)
        Drive.objects.filter(pk=drive.pk).update(donors=F("donors") + donors, total=F("total") + amount)


def _receipt_taken(drive: Drive, receipt_no: str, org) -> bool:
    return bool(receipt_no) and DriveUnit.objects.filter(drive=drive, receipt_no=receipt_no).exclude(org=org) \
        .exists()


def record_unit(*, actor, drive: Drive, org, donors, amount, receipt_no: str = "", audited: bool = True) \
        -> DriveUnit:
    """Set the unit's lump (inside the caller's transaction, the drive row locked)."""
    donors, amount = count(donors, "donors"), money(amount, "amount")
    receipt_no = (receipt_no or "").strip()[:40]
    if donors == 0 and amount > 0:
        raise ValidationError({"donors": _("An amount was given by no donor: count the donors.")})
    if donors > 0 and amount == 0:
        raise ValidationError({"amount": _("Enter the amount the donors gave.")})
    if _receipt_taken(drive, receipt_no, org):
        raise ValidationError({"receipt_no": _("Receipt %(r)s is already recorded for another unit of this "
                                               "drive.") % {"r": receipt_no}})
    row, _new = _unit_row(drive, org, actor)
    d_donors, d_amount = donors - row.lump_donors, amount - row.lump_amount
    row.lump_donors, row.lump_amount, row.receipt_no = donors, amount, receipt_no
    row.recorded_by, row.recorded_at = _user(actor), timezone.now()
    # The lump and the unit's totals in one UPDATE (the check constraint holds them together).
    row.donors, row.amount = F("donors") + d_donors, F("amount") + d_amount
    try:
        with transaction.atomic():
            row.save(update_fields=["lump_donors", "lump_amount", "receipt_no", "recorded_by", "recorded_at",
                                    "donors", "amount"])
    except IntegrityError:
        raise ValidationError({"receipt_no": _("Receipt %(r)s is already recorded for another unit of this "
                                               "drive.") % {"r": receipt_no}}) from None
    if d_donors or d_amount:
        Drive.objects.filter(pk=drive.pk).update(donors=F("donors") + d_donors, total=F("total") + d_amount)
    if audited:
        audit.record(actor=actor, action="aid.drive_unit", object_type="aid.drive", object_id=drive.pk,
                     scope_path=org.path, details={"unit": org.name, "donors": donors, "amount": str(amount),
                                                   "receipt": receipt_no})
    row.refresh_from_db()
    return row


@transaction.atomic
def unit_record(*, actor, drive: Drive, org, donors, amount, receipt_no: str = "") -> DriveUnit:
    """Record (or correct) what a unit gave: the donors not named one by one, their amount, the receipt."""
    _check_unit(actor, drive, org)
    drive = _lock_open(drive)
    return record_unit(actor=actor, drive=drive, org=org, donors=donors, amount=amount, receipt_no=receipt_no)


@transaction.atomic
def donation_add(*, actor, drive: Drive, org, amount, person=None, donor_name: str = "") -> Donation:
    """A named donation to the drive through unit ``org``: a member of the unit (``person``) or an outsider by name."""
    _check_unit(actor, drive, org)
    amount = money(amount, "amount", positive=True)
    donor_name = (donor_name or "").strip()[:40]
    if person is None and len(donor_name) < 2:
        raise ValidationError({"donor_name": _("Name the donor, or choose a member.")})
    if person is not None:
        donor_name = ""
        if not Membership.objects.filter(person=person, org_path__startswith=org.path,
                                         status=MembershipStatus.ACTIVE).exists():
            raise ValidationError({"person": _("This person is not an active member of %(org)s.") % {
                "org": org.name}})
    drive = _lock_open(drive)
    row, _new = _unit_row(drive, org, actor)
    gift = Donation(drive=drive, unit=row, org_path=org.path, person=person, donor_name=donor_name, amount=amount,
                    created_by=_user(actor))
    gift.save(force_insert=True)
    _move(drive, row, 1, amount)
    audit.record(actor=actor, action="aid.donation_add", object_type="aid.drive", object_id=drive.pk,
                 scope_path=org.path, details={"unit": org.name, "amount": str(amount),
                                               "member": person is not None})
    return gift


@transaction.atomic
def drive_close(*, actor, drive: Drive) -> Drive:
    actor.require("aid.write")
    actor.require_covers(drive.org_path)
    drive = _lock_open(drive)
    drive.state, drive.closed_at = DriveState.CLOSED, timezone.now()
    drive.save(update_fields=["state", "closed_at"])
    audit.record(actor=actor, action="aid.drive_close", object_type="aid.drive", object_id=drive.pk,
                 scope_path=drive.org_path, details={"units": drive.units, "donors": drive.donors,
                                                     "total": str(drive.total)})
    return drive


def entry_orgs(actor, drive: Drive):
    """The unions the actor may record for in this drive: its subtree inside the organiser's (none when apart)."""
    from gonghui.orgs.models import Org

    deepest = max(actor.org.path, drive.org_path, key=len)
    if not (deepest.startswith(actor.org.path) and deepest.startswith(drive.org_path)):
        return Org.objects.none()
    return Org.objects.filter(path__startswith=deepest, status="active")
