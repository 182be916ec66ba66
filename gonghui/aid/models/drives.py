"""Donation drives (捐款日/一日捐): the organising union, the units taking part under it, their donors and amounts,
receipts, and the named donations of members or outsiders.

A drive's totals (units, donors, amount) and each unit's (donors, amount) are kept on the rows with ``F()``
updates as units and donations are recorded, so a list or the board reads them without summing. A receipt number
is unique per drive (a partial unique index: units may be recorded before their receipt). A closed drive is frozen.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField


class DriveState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Drive(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("organising union"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("drive name"), max_length=100)
    day = models.DateField(_("donation day"))
    period_key = models.CharField(_("period"), max_length=10, help_text=_("e.g. 2026"))
    state = models.CharField(_("state"), max_length=6, choices=DriveState.choices, default=DriveState.OPEN)
    units = models.PositiveIntegerField(_("units taking part"), default=0, editable=False)
    donors = models.PositiveIntegerField(_("donors"), default=0, editable=False)
    total = models.DecimalField(_("total donated"), max_digits=14, decimal_places=2, default=0, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("donation drive")
        verbose_name_plural = _("donation drives")
        indexes = [models.Index(fields=["org_path", "-day"], name="aid_drive_path_day")]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="aid_drive_total")]

    def __str__(self) -> str:
        return self.name


class DriveUnit(models.Model):
    """A unit taking part in a drive (the organiser's subtree): its donors and amount, with the receipt given."""

    drive = models.ForeignKey(Drive, verbose_name=_("donation drive"), on_delete=models.PROTECT,
                              related_name="unit_rows")
    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(editable=False)  # the drive's day, kept for the figures' index
    # What the unit reports as a lump (donors not named one by one) ...
    lump_donors = models.PositiveIntegerField(_("donors (not named)"), default=0)
    lump_amount = models.DecimalField(_("amount (not named)"), max_digits=14, decimal_places=2, default=0)
    # ... and the unit's totals: the lump plus its named donations (kept with F()).
    donors = models.PositiveIntegerField(_("donors"), default=0, editable=False)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0, editable=False)
    receipt_no = models.CharField(_("receipt number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("unit of a donation drive")
        verbose_name_plural = _("units of donation drives")
        indexes = [models.Index(fields=["org_path", "day"], name="aid_driveunit_path_day")]
        constraints = [
            models.UniqueConstraint(fields=["drive", "org"], name="aid_driveunit_once"),
            models.UniqueConstraint(fields=["drive", "receipt_no"], name="aid_driveunit_receipt",
                                    condition=~Q(receipt_no="")),
            models.CheckConstraint(condition=Q(lump_amount__gte=0) & Q(amount__gte=F("lump_amount"))
                                   & Q(donors__gte=F("lump_donors")), name="aid_driveunit_amounts"),
        ]

    def __str__(self) -> str:
        return f"{self.drive.name} · {self.org.name}"


class Donation(models.Model):
    """A named donation: a member of the registry, or an outsider by name (kept encrypted), and the amount."""

    drive = models.ForeignKey(Drive, verbose_name=_("donation drive"), on_delete=models.PROTECT,
                              related_name="donations")
    unit = models.ForeignKey(DriveUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="donations")
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    donor_name = EncryptedTextField(_("donor's name"), kind="name", blank=True,
                                    purpose="Thanking a donor who is not a member and tracing the donation",
                                    retention="Ten years after the drive (accounting records), then anonymised")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [models.Index(fields=["org_path", "-id"], name="aid_donation_path_id")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="aid_donation_amount")]

    def __str__(self) -> str:
        return f"#{self.pk}"
