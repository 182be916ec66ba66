"""The shared supervision tables (app ``core``): per-kind thresholds and the items raised to a parent unit's
supervision list when something its units hold is overdue."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupervisionSetting(models.Model):
    """The thresholds of one kind, as set locally (without a row, the kind's registered defaults apply)."""

    kind = models.CharField(_("kind"), max_length=20, unique=True)
    blue_within = models.PositiveSmallIntegerField(_("blue when due within (working days)"))
    remind_before = models.PositiveSmallIntegerField(_("remind before the deadline (working days)"))
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("changed by"))

    class Meta:
        app_label = "core"
        verbose_name = _("supervision threshold")
        verbose_name_plural = _("supervision thresholds")

    def __str__(self):
        return self.kind


class SupervisionItem(models.Model):
    """Something overdue (red) in a unit, put on its parent unit's supervision list once per (kind, object, key):
    ``key`` names what it is about (the due date it missed), so a new deadline missed is a new item."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=60)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    holder_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("holding unit"))
    holder_path = models.CharField(max_length=255, editable=False)
    told_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("supervising unit"))
    told_path = models.CharField(max_length=255, editable=False)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    raised_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    handled_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("supervised by"))
    handled_note = models.CharField(_("supervision note"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("no longer overdue since"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "key"], name="core_supervision_once")]
        indexes = [
            # The told unit's subtree (a range of paths under COLLATE "C"), newest first.
            models.Index(fields=["told_path", "-raised_at"], name="core_supervision_told"),
            # A few dozen open items per kind: the sweeps resolve them by kind.
            models.Index(fields=["kind", "object_id"], condition=models.Q(resolved_at__isnull=True),
                         name="core_supervision_open"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.key}"

    @property
    def color(self) -> str:
        return "" if self.resolved_at else "red"
