"""A worker's requests about their personal information (PIPL arts. 44-47), and the consents given on public forms
that have no record of their own to hang on (a transfer asked for, a card activated, a look at one's data).

The worker is known here only by keyed hashes of the numbers they typed (the same blind index the registry uses),
so these tables never hold an ID or phone number.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentLink(models.Model):
    """Ties a consent to the worker who gave it and to what it was given for."""

    consent = models.OneToOneField("members.Consent", on_delete=models.PROTECT, related_name="privacy_link",
                                   verbose_name=_("consent"))
    subject_id_bidx = models.CharField(max_length=32, blank=True, db_index=True)
    subject_phone_bidx = models.CharField(max_length=32, blank=True, db_index=True)
    object_type = models.CharField(_("given for"), max_length=32)
    object_id = models.CharField(_("record"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("consent link")
        verbose_name_plural = _("consent links")

    def __str__(self):
        return f"{self.object_type} {self.object_id}"


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the union's decision")
    DONE = "done", _("Anonymised")
    REFUSED = "refused", _("Refused")


class DeletionRequest(models.Model):
    """A worker's request to delete what one unit holds about them. One request per unit holding data, decided
    by that unit's officers: anonymise what no law requires to keep, or refuse with a reason."""

    code = models.CharField(_("request code"), max_length=12, unique=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    subject_id_bidx = models.CharField(max_length=32, blank=True)
    subject_phone_bidx = models.CharField(max_length=32, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=DeletionStatus.choices,
                              default=DeletionStatus.PENDING)
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    reason = models.CharField(_("reason given to the worker"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "status"], name="privacy_request_path_status"),
            # The menu badge counts only the pending requests of a subtree: this index holds nothing else.
            models.Index(fields=["org_path"], condition=models.Q(status="pending"), name="privacy_request_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status="pending", decided_at__isnull=True)
                                   | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                                   name="privacy_request_decided_has_time"),
        ]

    def __str__(self):
        return self.code


class ItemKind(models.TextChoices):
    PERSON = "person", _("Member record")
    APPLICATION = "application", _("Join application")
    CASE = "case", _("Request for help")
    CARD = "card", _("Service card")


class ItemOutcome(models.TextChoices):
    PENDING = "", _("Not decided yet")
    ANONYMISED = "anonymised", _("Anonymised")
    KEPT = "kept", _("Kept")


class DeletionItem(models.Model):
    """One record a deletion request covers, named by its public code (never by personal data)."""

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    ref = models.CharField(_("record"), max_length=20, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ItemOutcome.choices, blank=True)
    why_kept = models.CharField(_("why it is kept"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deletion request item")
        verbose_name_plural = _("deletion request items")
        constraints = [models.UniqueConstraint(fields=["request", "kind", "ref"], name="privacy_item_once")]

    def __str__(self):
        return f"{self.kind} {self.ref}"
