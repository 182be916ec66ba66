"""Assistance programs (送温暖, 金秋助学 …), their grants to members, payment batches and visits (走访慰问).

A program is paid by one union from one expenditure account of its books (``budget_account``, a name path such as
维权支出-送温暖) within ``budget``. Its eligibility and amount rules are data (``rules``, validated and evaluated by
gonghui.aid.rules). One grant per person per program per period is a partial unique index (not a check in code).
The facts a grant is judged on (relationship, school, days in hospital) may be health data: encrypted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField

_RET = "Ten years after payment (accounting records), then anonymised"


class ProgramKind(models.TextChoices):
    WARMTH = "warmth", _("Winter warmth (送温暖)")
    SCHOLARSHIP = "scholarship", _("Golden autumn scholarship (金秋助学)")
    COOLING = "cooling", _("Summer cooling (送清凉/高温慰问)")
    MODEL_WORKER = "model_worker", _("Model workers in hardship (困难劳模慰问)")
    HOSPITAL = "hospital", _("Hospital stay (生病住院慰问)")
    BEREAVEMENT = "bereavement", _("Bereavement (白事慰问)")
    VILLAGE_TEAM = "village_team", _("Village work team members (驻村工作队员慰问)")
    HARDSHIP = "hardship", _("Relief for workers in hardship (困难职工救助)")
    MUTUAL = "mutual", _("Medical mutual aid (医疗互助)")
    CUSTOM = "custom", _("Other program")


class Program(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("paying union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ProgramKind.choices)
    name = models.CharField(_("program name"), max_length=100)
    period_key = models.CharField(_("period"), max_length=10, help_text=_("e.g. 2026 or 2026-H1"))
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    budget_account = models.CharField(_("budget account"), max_length=240,
                                      help_text=_("An expenditure account of the paying union, e.g. 维权支出-送温暖"))
    one_per_person = models.BooleanField(_("one grant per person per period"), default=True)
    rules = models.JSONField(_("eligibility and amount rules"), default=dict, blank=True)
    approved_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assistance program")
        verbose_name_plural = _("assistance programs")
        indexes = [models.Index(fields=["org_path", "-start_on"], name="aid_program_path_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="aid_program_dates"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="aid_program_budget"),
            models.CheckConstraint(condition=Q(approved_total__lte=models.F("budget")), name="aid_program_within"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_key})"


class GrantState(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")


LIVE_STATES = [GrantState.APPLIED, GrantState.APPROVED, GrantState.PAID]


class Grant(models.Model):
    """A grant of a program to a member (a person of the registry), applied for by the member's union."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="grants")
    kind = models.CharField(max_length=16, choices=ProgramKind.choices, editable=False)
    period_key = models.CharField(max_length=10, editable=False)
    one_per_person = models.BooleanField(editable=False, default=True)
    org = models.ForeignKey("orgs.Org", verbose_name=_("applying union"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="+")
    facts = EncryptedTextField(_("facts of the application"), kind="aid_facts",
                               purpose="Judging an assistance grant against the program's rules",
                               retention=_RET)
    bank_account = EncryptedTextField(_("bank account"), kind="bank_account",
                                      purpose="Paying an assistance grant by bank transfer", retention=_RET)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=GrantState.choices, default=GrantState.APPLIED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    refused_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey("aid.PaymentBatch", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="grants")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        verbose_name = _("assistance grant")
        verbose_name_plural = _("assistance grants")
        indexes = [
            models.Index(fields=["org_path", "-id"], name="aid_grant_path_id"),
            models.Index(fields=["org_path", "paid_on", "kind"], name="aid_grant_path_paid",
                         condition=Q(state="paid")),
            models.Index(fields=["program", "state"], name="aid_grant_program_state"),
        ]
        constraints = [
            # One grant per person per program per period, when the program says so; a refused one frees the slot.
            models.UniqueConstraint(fields=["program", "person", "period_key"], name="aid_grant_one_per_period",
                                    condition=Q(one_per_person=True) & Q(state__in=LIVE_STATES)),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_grant_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} #{self.pk}"


class BatchState(models.TextChoices):
    OPEN = "open", _("Awaiting payment")
    PAID = "paid", _("Paid")


class PaymentBatch(models.Model):
    """Approved grants of one program (so one paying union and one expense account) paid by one bank transfer."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("orgs.Org", verbose_name=_("paying union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    state = models.CharField(_("state"), max_length=6, choices=BatchState.choices, default=BatchState.OPEN)
    count = models.PositiveIntegerField(_("grants"), default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    voucher_id = models.BigIntegerField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        indexes = [models.Index(fields=["org_path", "-id"], name="aid_batch_path_id")]
        constraints = [
            models.CheckConstraint(condition=Q(state="open") | ~Q(bank_reference=""), name="aid_batch_paid_ref"),
        ]

    def __str__(self) -> str:
        return _("Payment batch %(n)s") % {"n": self.pk}


class VisitTarget(models.TextChoices):
    HOUSEHOLD = "household", _("Household in hardship")
    MODEL_WORKER = "model_worker", _("Model worker")
    ENTERPRISE = "enterprise", _("Enterprise in difficulty")
    FRONTLINE = "frontline", _("Frontline post")
    VILLAGE_TEAM = "village_team", _("Village work team member (驻村工作队员)")


class AidVisit(models.Model):
    """A visit (走访慰问) with cash and goods given: counted in 人次 (people), 户 (households) and 家 (enterprises)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("visiting union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    program = models.ForeignKey(Program, verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="visits")
    target = models.CharField(_("visited"), max_length=14, choices=VisitTarget.choices)
    visited_on = models.DateField(_("visited on"))
    place = models.CharField(_("household, enterprise or post"), max_length=100)
    people = models.PositiveIntegerField(_("people visited (人次)"), default=0)
    households = models.PositiveIntegerField(_("households (户)"), default=0)
    enterprises = models.PositiveIntegerField(_("enterprises (家)"), default=0)
    cash = models.DecimalField(_("cash given"), max_digits=12, decimal_places=2, default=0)
    goods = models.CharField(_("goods given"), max_length=200, blank=True)
    goods_value = models.DecimalField(_("value of the goods"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assistance visit")
        verbose_name_plural = _("assistance visits")
        indexes = [models.Index(fields=["org_path", "visited_on", "target"], name="aid_visit_path_day")]
        constraints = [models.CheckConstraint(condition=Q(cash__gte=0) & Q(goods_value__gte=0),
                                              name="aid_visit_amounts")]

    def __str__(self) -> str:
        return self.place
