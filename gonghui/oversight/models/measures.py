"""The rectification ledger (整改台账): a final problem's measures, each with an owner, a deadline and an expected
result, closed (销号) only with evidence by someone other than its owner."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .problems import Problem


class MeasureState(models.TextChoices):
    OPEN = "open", _("Being carried out")
    CLOSED = "closed", _("Closed (销号)")


class Measure(models.Model):
    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE,
                                related_name="measures")
    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    steps = models.TextField(_("steps"))
    indicator = models.CharField(_("indicator"), max_length=200)
    expected = models.CharField(_("expected result"), max_length=200)
    due_on = models.DateField(_("deadline"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    leader = models.CharField(_("leader in charge"), max_length=40)
    state = models.CharField(_("state"), max_length=8, choices=MeasureState.choices, default=MeasureState.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.indicator
