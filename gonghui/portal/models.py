"""What a union publishes on its public board (公开栏): one generic row per publication, so every app (aid, funds,
democracy, honors) publishes the same way: what (a kind and the object it is about), by which union, by whom, when,
until when, and its withdrawal. The text published carries no personal data beyond masked names (张*三)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """One item on a union's public board. ``kind`` is registered by the publishing app (e.g. "aid.notice", the
    hardship archive's 公示); ``object_id`` is the object it is about in that app. ``rows`` holds the published
    table (a list of dicts of display strings), already masked by the publishing service."""

    kind = models.CharField(_("kind"), max_length=30)
    object_id = models.BigIntegerField(_("object"), null=True, blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name=_("publishing union"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True)
    rows = models.JSONField(_("published rows"), default=list, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    until = models.DateTimeField(_("shown until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("withdrawn by"))
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gt=models.F("published_at")),
                                   name="portal_publication_until"),
            models.CheckConstraint(condition=Q(withdrawn_at__isnull=True) | ~Q(withdraw_reason=""),
                                   name="portal_publication_withdraw_reason"),
        ]
        indexes = [
            # A union's board: its current publications by kind, newest first.
            models.Index(fields=["org", "kind", "-published_at"], name="portal_publication_board"),
            models.Index(fields=["kind", "object_id"], name="portal_publication_object"),
            models.Index(fields=["org_path", "-published_at"], name="portal_publication_path"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return self.withdrawn_at is None and self.published_at <= now and (self.until is None or self.until > now)
