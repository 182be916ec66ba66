"""The rule engine (智能监控): each federation's rule settings, the holiday-gift caps by province and date, custom
rules built on screen, and the alerts the scans raise with the lines they flag."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .books import MONEY

DEFAULT_THRESHOLD = Decimal("20000.00")  # collective-decision threshold T
DEFAULT_WINDOW_DAYS = 7
DEFAULT_CASH_LIMIT = Decimal("1000.00")
DEFAULT_GIFT_CAP = Decimal("2000.00")  # yuan a member a year when no cap row applies
DEFAULT_BANNED_WORDS = ("购物卡", "消费卡", "礼品卡", "加油卡", "礼金", "红包", "宴请", "请客", "烟酒", "高尔夫", "KTV",
                        "会所", "洗浴", "足浴")


class RuleKey(models.TextChoices):
    DUPLICATE_INVOICE = "duplicate_invoice", _("Duplicate invoice")
    SPLIT_PURCHASE = "split_purchase", _("Split purchase")
    LARGE_WITHOUT_DECISION = "large_without_decision", _("Large expense without a collective decision")
    BANNED_ITEM = "banned_item", _("Banned item")
    CASH_LIMIT = "cash_limit", _("Cash payment over the limit")
    HOLIDAY_GIFT_CAP = "holiday_gift_cap", _("Holiday gifts over the cap")
    OVER_BUDGET = "over_budget", _("Over budget")
    UNBUDGETED = "unbudgeted", _("Spending without a budget line")
    CENTRAL_PURCHASE = "central_purchase", _("Office supplies outside central purchasing")
    LATE_RETURN = "late_return", _("Late fund return")
    CUSTOM = "custom", _("Custom rule")


BUILT_IN = [k for k in RuleKey.values if k != RuleKey.CUSTOM]


class RuleSettings(models.Model):
    """A federation's settings of the built-in rules. A union uses those of its nearest federation that has a row,
    else the defaults."""

    org = models.OneToOneField("orgs.Org", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    disabled = models.JSONField(_("rules switched off"), default=list, blank=True)
    threshold = models.DecimalField(_("collective-decision threshold (yuan)"), **MONEY, default=DEFAULT_THRESHOLD)
    window_days = models.PositiveSmallIntegerField(_("split-purchase window (days)"), default=DEFAULT_WINDOW_DAYS)
    cash_limit = models.DecimalField(_("cash payment limit (yuan)"), **MONEY, default=DEFAULT_CASH_LIMIT)
    banned_words = models.TextField(_("banned words (one a line)"), default="\n".join(DEFAULT_BANNED_WORDS))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule settings")
        verbose_name_plural = _("rule settings")
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0) & Q(cash_limit__gt=0) & Q(window_days__gte=1),
                                   name="funds_rulesettings_positive"),
        ]

    def __str__(self) -> str:
        return str(self.org)

    @property
    def words(self) -> list[str]:
        return [w.strip() for w in self.banned_words.splitlines() if w.strip()]

    def enabled(self, rule: str) -> bool:
        return rule not in (self.disabled or [])


class HolidayGiftCap(models.Model):
    """The holiday-gift cap (yuan a member a year) a province or federation sets from a date on."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    effective_from = models.DateField(_("in force from"))
    amount = models.DecimalField(_("cap a member a year (yuan)"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("holiday-gift cap")
        verbose_name_plural = _("holiday-gift caps")
        constraints = [
            models.UniqueConstraint(fields=["org", "effective_from"], name="funds_giftcap_org_from"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_giftcap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.effective_from} {self.amount}"


class CustomRule(models.Model):
    """A rule an administrator builds on screen: conditions on the expense lines, compiled to a database filter."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("federation"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("rule name"), max_length=80)
    conditions = models.JSONField(_("conditions"), default=dict)
    enabled = models.BooleanField(_("switched on"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("custom rule")
        verbose_name_plural = _("custom rules")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="funds_customrule_name")]

    def __str__(self) -> str:
        return self.name


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    DISMISSED = "dismissed", _("Dismissed")
    CONFIRMED = "confirmed", _("Confirmed as a problem")
    RECTIFIED = "rectified", _("Rectified")
    CLOSED = "closed", _("Closed by reversal")


class Alert(models.Model):
    """What a rule found: the union, the year, the lines (or the fund return), the numbers in Chinese. ``key`` is
    stable for what was found, so a re-scan adds to the alert instead of raising another."""

    rule = models.CharField(_("rule"), max_length=24, choices=RuleKey.choices)
    custom_rule = models.ForeignKey(CustomRule, verbose_name=_("custom rule"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=160, editable=False)
    union = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    first_date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, default=0)
    message = models.TextField(_("finding"))
    fund_return = models.ForeignKey("funds.FundReturn", verbose_name=_("fund return"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=AlertState.choices, default=AlertState.OPEN)
    explanation = models.TextField(_("explanation"), blank=True)
    review_reason = models.TextField(_("reviewer's reason"), blank=True)
    rectify_note = models.TextField(_("rectification"), blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="funds_alert_rule_key"),
            # A custom rule's alert names its rule; a built-in rule's does not.
            models.CheckConstraint(condition=Q(rule="custom", custom_rule__isnull=False)
                                   | (~Q(rule="custom") & Q(custom_rule__isnull=True)), name="funds_alert_custom_rule"),
            # A late return's alert names the return; every other alert flags lines.
            models.CheckConstraint(condition=Q(rule="late_return", fund_return__isnull=False)
                                   | (~Q(rule="late_return") & Q(fund_return__isnull=True)),
                                   name="funds_alert_fund_return"),
            # A review and a rectification always carry their reason or note.
            models.CheckConstraint(condition=~Q(state__in=["dismissed", "confirmed", "rectified"])
                                   | ~Q(review_reason=""), name="funds_alert_reviewed_with_reason"),
            models.CheckConstraint(condition=~Q(state="rectified") | ~Q(rectify_note=""),
                                   name="funds_alert_rectified_with_note"),
        ]
        indexes = [
            models.Index(fields=["org_path", "state", "created_at"], name="funds_alert_path_state"),
            models.Index(fields=["org_path", "year", "rule"], name="funds_alert_path_year"),
            models.Index(fields=["org_path"], condition=Q(state="open"), name="funds_alert_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.union_id} {self.first_date}"


class AlertLine(models.Model):
    # No index of their own: (alert, line) is the unique constraint's and ``funds_alertline_line`` is line's; a scan
    # that raises 300,000 alerts writes every index of this table once per flagged line.
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="alert_lines", db_index=False)
    line = models.ForeignKey("funds.VoucherLine", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("flagged line")
        verbose_name_plural = _("flagged lines")
        constraints = [models.UniqueConstraint(fields=["alert", "line"], name="funds_alertline_unique")]
        indexes = [models.Index(fields=["line"], name="funds_alertline_line")]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.line_id}"


class AlertEvent(models.Model):
    """The alert's history as the screens show it (the audit trail keeps the signed record)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    to_state = models.CharField(_("state"), max_length=10, choices=AlertState.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.to_state}"


class ScanMark(models.Model):
    """How far the incremental scan has read the lines table (the highest line id it has scanned)."""

    name = models.CharField(max_length=20, unique=True)
    last_line_id = models.BigIntegerField(default=0)
    scanned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} {self.last_line_id}"
