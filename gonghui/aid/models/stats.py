"""Pre-aggregated assistance figures (``AidStat``): a figure of any subtree and whole months reads the rows of one
unit, whatever the subtree's size (gonghui.aid.stats keeps them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AidStat(models.Model):
    """What happened in a unit's subtree in a month, under a key ("grant:warmth", "files_in:deep", …): a count and
    an amount. One row per unit on the path of each thing counted (its own unit and every ancestor)."""

    unit = models.CharField(_("unit path"), max_length=255)
    month = models.PositiveIntegerField(_("month (yyyymm)"))
    key = models.CharField(_("key"), max_length=60)
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("assistance figure row")
        verbose_name_plural = _("assistance figure rows")
        constraints = [models.UniqueConstraint(fields=["unit", "month", "key"], name="aid_stat_unit_month_key")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month} {self.key}"
