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
        # The decisions list shows the newest first within a subtree: walked from this index.
        indexes = [models.Index(fields=["date", "org_path"], name="funds_decision_date_path")]

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
    DRAFT = "draft", _("Being drafted")
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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="funds_budget_org_year")]
        indexes = [models.Index(fields=["year", "org_path"], name="funds_budget_year_path")]

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
        constraints = [
            models.UniqueConstraint(fields=["budget", "account"], name="funds_budget_line_account"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="funds_budget_line_amount"),
        ]

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


class BudgetAdjustment(models.Model):
    """A change to an approved budget line (预算调整), approved by a collective decision: the line's amount is
    updated and this row keeps the history (before, change, after, reason)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="adjustments")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="adjustments")
    before = models.DecimalField(_("amount before"), **MONEY)
    change = models.DecimalField(_("adjustment amount"), **MONEY)
    after = models.DecimalField(_("amount after"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    decision = models.ForeignKey(Decision, verbose_name=_("approved by decision"), on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget adjustment")
        verbose_name_plural = _("budget adjustments")
        constraints = [
            models.CheckConstraint(condition=~models.Q(change=0), name="funds_adjustment_nonzero"),
            models.CheckConstraint(condition=models.Q(after__gte=0), name="funds_adjustment_after_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.change}"


class BudgetReview(models.Model):
    """The funds review committee's opinion on a budget (经审委审查意见); the budget keeps only its state."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="reviews")
    opinion = models.TextField(_("review opinion"), max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget review")
        verbose_name_plural = _("budget reviews")

    def __str__(self) -> str:
        return self.opinion[:40]


class FinalAccountState(models.TextChoices):
    DRAFT = "draft", _("Not approved yet")
    APPROVED = "approved", _("Approved")


class FinalAccount(models.Model):
    """A union's final account (决算) for a year, built from the books; frozen in ``rows`` once approved.

    ``rows`` is a list of {"path", "kind", "budget", "actual"} (amounts as strings), income then expenditure."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=FinalAccountState.choices,
                             default=FinalAccountState.DRAFT)
    rows = models.JSONField(_("lines"), default=list)
    income = models.DecimalField(_("total income"), **MONEY, default=0)
    expense = models.DecimalField(_("total expenditure"), **MONEY, default=0)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    decision = models.ForeignKey(Decision, verbose_name=_("approved by decision"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("final account")
        verbose_name_plural = _("final accounts")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="funds_final_org_year"),
            models.CheckConstraint(condition=models.Q(state="draft") | models.Q(approved_at__isnull=False),
                                   name="funds_final_approved_at"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class Audit(models.Model):
    """An annual audit (经审, 一年一审) of a union's funds for a year, by an auditing organization."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("audited union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year audited"))
    auditor = models.CharField(_("auditing organization"), max_length=100)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"))
    vouchers_checked = models.PositiveIntegerField(_("vouchers checked"), default=0)
    conclusion = models.TextField(_("audit conclusion"), max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual audit")
        verbose_name_plural = _("annual audits")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="funds_audit_org_year"),
            models.CheckConstraint(condition=models.Q(ended_on__gte=models.F("started_on")),
                                   name="funds_audit_dates"),
        ]
        indexes = [models.Index(fields=["org_path", "ended_on"], name="funds_audit_path_end"),
                   models.Index(fields=["ended_on", "org_path"], name="funds_audit_end_path")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class FindingState(models.TextChoices):
    OPEN = "open", _("Not rectified")
    RECTIFYING = "rectifying", _("Being rectified")
    RECTIFIED = "rectified", _("Rectified")


class AuditFinding(models.Model):
    """A problem an audit found, tracked until it is rectified (open → rectifying → rectified)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    text = models.CharField(_("finding"), max_length=500)
    due_on = models.DateField(_("rectify by"))
    state = models.CharField(_("state"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN)
    note = models.CharField(_("rectification note"), max_length=500, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="rectified") | (models.Q(rectified_on__isnull=False) & ~models.Q(note="")),
                name="funds_finding_rectified"),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="funds_finding_state_due")]

    def __str__(self) -> str:
        return self.text[:40]


class Disclosure(models.Model):
    """A union's yearly funds summary published on the public board (公开栏): income and expenditure by category
    and 三公 spending, frozen at publication. ``income`` and ``expense`` are lists of [category, amount]."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    income = models.JSONField(_("income by category"), default=list)
    expense = models.JSONField(_("expenditure by category"), default=list)
    income_total = models.DecimalField(_("total income"), **MONEY, default=0)
    expense_total = models.DecimalField(_("total expenditure"), **MONEY, default=0)
    three_public = models.JSONField(_("reception, official cars and trips abroad"), default=list)
    three_public_total = models.DecimalField(_("total of reception, official cars and trips abroad"), **MONEY,
                                             default=0)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("funds disclosure")
        verbose_name_plural = _("funds disclosures")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="funds_disclosure_org_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"
