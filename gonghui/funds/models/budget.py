"""Budgets by expenditure account, collective decisions (集体决策) and the central purchasing supplier list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .books import MONEY


class MeetingKind(models.TextChoices):
    PARTY_GROUP = "party_group", _("Party group meeting (党组会)")
    COMMITTEE = "committee", _("Union committee (工会委员会)")
    STANDING = "standing", _("Standing committee (常委会)")
    AUDIT = "audit", _("Funds review committee (经审委)")
    COLLECTIVE = "collective", _("Collective study (集体研究)")
    OTHER = "other", _("Other")


class Decision(models.Model):
    """A collective decision: the meeting, its date and reference number (决策文号), the items and amounts."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("meeting"), max_length=16, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference number"), max_length=60)
    title = models.CharField(_("subject"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collective decision")
        verbose_name_plural = _("collective decisions")
        constraints = [models.UniqueConstraint(fields=["org", "reference"], name="funds_decision_reference")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class DecisionItem(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    subject = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount approved"), **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = _("decided item")
        verbose_name_plural = _("decided items")

    def __str__(self) -> str:
        return self.subject


class BudgetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed by the funds review committee")
    APPROVED = "approved", _("Approved")


class Budget(models.Model):
    """A union's budget for a year, by expenditure account (with sub-account lines)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=BudgetState.choices, default=BudgetState.DRAFT)
    decision = models.ForeignKey(Decision, verbose_name=_("approved by decision"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="funds_budget_org_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class BudgetLine(models.Model):
    """The amount budgeted on an account (and, through its path, on every sub-account no finer line covers)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey("funds.Account", verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.UniqueConstraint(fields=["budget", "account"], name="funds_budget_line_account")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class Supplier(models.Model):
    """A supplier on a federation's central purchasing list (集中采购): office supplies must come from one."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("supplier"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    active = models.BooleanField(_("on the list"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("central purchasing supplier")
        verbose_name_plural = _("central purchasing suppliers")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="funds_supplier_name")]

    def __str__(self) -> str:
        return self.name
