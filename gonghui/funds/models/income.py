"""Income: members' dues (会费, 0.5% of wages), the employer's allocation (拨缴经费, 2% of payroll) and its split
between the grassroots union and the levels above, and fund returns (返拨) from the federation, due 5 working days
after the union's receipt, colored, reminded and escalated like a casework case."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .books import MONEY

# Working days from the receipt (经费划拨收据) to the return being paid (seed 002).
RETURN_DAYS = 5
# Blue: due within this many working days.
BLUE_WITHIN = 2
DUES_RATE = Decimal("0.005")  # 0.5% of wages (union constitution)
ALLOCATION_RATE = Decimal("0.02")  # 2% of payroll
PERCENT = {"max_digits": 5, "decimal_places": 2}


class ReturnState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")


class ReturnColor(models.TextChoices):
    NONE = "", _("None")
    BLUE = "blue", _("Due soon")
    RED = "red", _("Overdue")


class DuesMonth(models.Model):
    """A unit's dues for one month: the active members counted when the wage base was entered, the wage base,
    0.5% of it due, and what has been collected (each collection posts a voucher in the union's books)."""

    union = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    members = models.PositiveIntegerField(_("members on the roster"), default=0)
    wage_base = models.DecimalField(_("wage base"), **MONEY)
    due = models.DecimalField(_("dues owed"), **MONEY)
    collected = models.DecimalField(_("dues collected"), **MONEY, default=0)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly dues")
        verbose_name_plural = _("monthly dues")
        constraints = [
            models.UniqueConstraint(fields=["union", "year", "month"], name="funds_dues_union_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="funds_dues_month_range"),
            models.CheckConstraint(condition=Q(wage_base__gte=0, due__gte=0, collected__gte=0),
                                   name="funds_dues_not_negative"),
        ]
        indexes = [models.Index(fields=["union_path", "year", "month"], name="funds_dues_path_year")]

    def __str__(self) -> str:
        return f"{self.union} {self.year}-{self.month:02d}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Paid directly to the union")
    TAX = "tax", _("Collected by the tax office")


class Allocation(models.Model):
    """The employer's 2% allocation for one period: the payroll it declared, 2% due, what was received, how, and
    the split of what was received (the shares in force on the period's first day, kept as they were)."""

    union = models.ForeignKey("orgs.Org", verbose_name=_("grassroots union"), on_delete=models.PROTECT,
                              related_name="+")
    union_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_no = models.PositiveSmallIntegerField(_("month or quarter"))
    period_start = models.DateField(_("period starts"))
    payroll = models.DecimalField(_("declared payroll"), **MONEY)
    due = models.DecimalField(_("allocation due"), **MONEY)
    received = models.DecimalField(_("allocation received"), **MONEY, default=0)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    collector = models.ForeignKey("orgs.Org", verbose_name=_("collecting federation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    grassroots_share = models.DecimalField(_("grassroots share (%)"), **PERCENT, null=True, blank=True)
    grassroots_amount = models.DecimalField(_("grassroots union's part"), **MONEY, default=0)
    split = models.JSONField(_("split"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["union", "year", "period_kind", "period_no"],
                                    name="funds_allocation_period"),
            models.CheckConstraint(condition=Q(payroll__gte=0, due__gte=0, received__gte=0),
                                   name="funds_allocation_not_negative"),
            models.CheckConstraint(condition=Q(period_no__gte=1, period_no__lte=12), name="funds_allocation_no"),
            models.CheckConstraint(condition=Q(received=0) | Q(received_on__isnull=False),
                                   name="funds_allocation_received_dated"),
        ]
        indexes = [models.Index(fields=["union_path", "period_start"], name="funds_alloc_path_start"),
                   models.Index(fields=["period_start", "id"], name="funds_alloc_start")]

    def __str__(self) -> str:
        return f"{self.union} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.period_no}"
        return f"{self.year}-{self.period_no:02d}"


class ShareTable(models.Model):
    """The split of the 2% allocation a province (or another federation for its subtree) sets, in force from
    ``effective_on``: percentages for the grassroots union and each level above, summing to 100."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    effective_on = models.DateField(_("in force from"))
    grassroots = models.DecimalField(_("grassroots union (%)"), **PERCENT)
    county = models.DecimalField(_("county federation (%)"), **PERCENT, default=0)
    city = models.DecimalField(_("city federation (%)"), **PERCENT, default=0)
    province = models.DecimalField(_("provincial federation (%)"), **PERCENT, default=0)
    national = models.DecimalField(_("national federation (%)"), **PERCENT, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation shares")
        verbose_name_plural = _("allocation shares")
        constraints = [
            models.UniqueConstraint(fields=["org", "effective_on"], name="funds_shares_org_date"),
            models.CheckConstraint(condition=Q(grassroots__gte=0, county__gte=0, city__gte=0, province__gte=0,
                                               national__gte=0), name="funds_shares_not_negative"),
            models.CheckConstraint(
                condition=Q(grassroots=100 - F("county") - F("city") - F("province") - F("national")),
                name="funds_shares_sum_100"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.effective_on}"


class FundReturn(models.Model):
    """A return of tax-collected allocation: the federation ``payer`` owes ``union`` ``amount`` once the union's
    receipt has arrived (``receipt_on``); it is due ``RETURN_DAYS`` working days later."""

    payer = models.ForeignKey("orgs.Org", verbose_name=_("paying federation"), on_delete=models.PROTECT,
                              related_name="+")
    payer_path = models.CharField(max_length=255, db_index=True, editable=False)
    union = models.ForeignKey("orgs.Org", verbose_name=_("union owed"), on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255, db_index=True, editable=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    receipt_no = models.CharField(_("receipt number"), max_length=40)
    receipt_on = models.DateField(_("receipt received on"))
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ReturnState.choices, default=ReturnState.PENDING)
    voucher = models.ForeignKey("funds.Voucher", verbose_name=_("payment voucher"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="returns")
    union_voucher = models.ForeignKey("funds.Voucher", verbose_name=_("receiving voucher"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    color = models.CharField(_("color"), max_length=4, choices=ReturnColor.choices, blank=True, default="")
    late = models.BooleanField(_("paid late"), default=False)

    class Meta:
        verbose_name = _("fund return")
        verbose_name_plural = _("fund returns")
        constraints = [
            models.UniqueConstraint(fields=["payer", "receipt_no"], name="funds_return_receipt"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_return_positive"),
            models.CheckConstraint(condition=Q(state="pending", paid_on__isnull=True)
                                   | Q(state="paid", paid_on__isnull=False), name="funds_return_paid_dated"),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="funds_return_open_due"),
                   models.Index(fields=["payer_path", "due_on"], name="funds_return_payer_due")]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.amount}"


class AlertKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalated to the parent federation")


class ReturnAlert(models.Model):
    """A reminder to the paying federation, or an escalation to its parent when the return is red. The unique key
    makes the sweep send each once; an escalation is supervised (督办) on the parent's list."""

    fund_return = models.ForeignKey(FundReturn, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    key = models.CharField(max_length=40)
    org = models.ForeignKey("orgs.Org", verbose_name=_("told unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    color = models.CharField(_("color"), max_length=4, choices=ReturnColor.choices, blank=True, default="")
    created_at = models.DateTimeField(_("sent at"))
    handled_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_note = models.CharField(_("supervision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("return reminder")
        verbose_name_plural = _("return reminders")
        constraints = [models.UniqueConstraint(fields=["fund_return", "kind", "key"], name="funds_return_alert_once")]
        indexes = [models.Index(fields=["org_path", "kind", "created_at"], name="funds_ralert_path_kind")]

    def __str__(self) -> str:
        return f"{self.fund_return} {self.kind}"
