"""Medical mutual aid (职工医疗互助, issue 14 §3): a federation's plan for a year, the workers its units enrol, and the
claims of those in hospital.

A plan carries its benefit rules (deductible per stay, reimbursement ratio, annual cap per person, and special
illnesses each with their own ratio and cap) and pays through an assistance ``Program`` of kind MUTUAL whose budget
is the plan's fund: an approved claim is an approved grant of that program, paid by the program's payment batches.
One enrolment per person per plan is a unique constraint; the amounts of a claim are check constraints. The illness
and the special illness of a claim are health data: encrypted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField

_RET = "Ten years after payment (accounting records), then anonymised"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for enrolment and claims")
    CLOSED = "closed", _("Closed")


class MutualPlan(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("running union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("plan name"), max_length=100)
    contribution = models.DecimalField(_("contribution per person"), max_digits=10, decimal_places=2)
    deductible = models.DecimalField(_("deductible per stay"), max_digits=10, decimal_places=2)
    ratio = models.DecimalField(_("reimbursement ratio"), max_digits=4, decimal_places=3,
                                help_text=_("Between 0 and 1, e.g. 0.5"))
    annual_cap = models.DecimalField(_("annual cap per person"), max_digits=12, decimal_places=2)
    special_rules = models.JSONField(_("special illnesses"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=6, choices=PlanState.choices, default=PlanState.DRAFT)
    program = models.OneToOneField("aid.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                   related_name="mutual_plan")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("medical mutual aid plan")
        verbose_name_plural = _("medical mutual aid plans")
        indexes = [models.Index(fields=["org_path", "-year"], name="aid_mplan_path_year")]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "name"], name="aid_mplan_unique_name"),
            models.CheckConstraint(condition=Q(ratio__gte=0) & Q(ratio__lte=1), name="aid_mplan_ratio"),
            models.CheckConstraint(condition=Q(contribution__gte=0) & Q(deductible__gte=0) & Q(annual_cap__gt=0),
                                   name="aid_mplan_amounts"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class MutualEnrolment(models.Model):
    """A worker enrolled by their unit for the plan's year (the person must be an active member of the unit's
    subtree)."""

    plan = models.ForeignKey(MutualPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="enrolments")
    year = models.PositiveSmallIntegerField(editable=False)
    unit = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="+")
    enrolled_on = models.DateField(_("enrolled on"))
    contribution = models.DecimalField(_("contribution paid"), max_digits=10, decimal_places=2)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("medical mutual aid enrolment")
        verbose_name_plural = _("medical mutual aid enrolments")
        indexes = [models.Index(fields=["org_path", "year"], name="aid_menrol_path_year")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="aid_menrol_once_per_plan"),
            models.CheckConstraint(condition=Q(contribution__gte=0), name="aid_menrol_contribution"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} #{self.pk}"


class ClaimState(models.TextChoices):
    APPLIED = "applied", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")


class MutualClaim(models.Model):
    """A hospital stay claimed by an enrolled worker. ``state`` holds the review's decision (applied, approved,
    refused); once approved, the claim's grant carries the rest (paid by a batch, or refused later): ``status``."""

    plan = models.ForeignKey(MutualPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="claims")
    enrolment = models.ForeignKey(MutualEnrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="claims")
    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"))
    illness = EncryptedTextField(_("illness"), kind="health", purpose="Judging a medical mutual aid claim",
                                 retention=_RET)
    special_illness = EncryptedTextField(_("special illness"), kind="health",
                                         purpose="Applying a special illness's ratio and cap to a claim",
                                         retention=_RET)
    total_bill = models.DecimalField(_("total bill"), max_digits=12, decimal_places=2)
    insurance_paid = models.DecimalField(_("paid by medical insurance"), max_digits=12, decimal_places=2)
    self_paid = models.DecimalField(_("paid by the worker"), max_digits=12, decimal_places=2)
    subsidy = models.DecimalField(_("subsidy"), max_digits=12, decimal_places=2)
    capped = models.BooleanField(_("limited by the annual cap"), default=False)
    bank_account = EncryptedTextField(_("bank account"), kind="bank_account",
                                      purpose="Paying a medical mutual aid subsidy by bank transfer", retention=_RET)
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.APPLIED)
    refused_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    grant = models.OneToOneField("aid.Grant", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="mutual_claim")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        verbose_name = _("medical mutual aid claim")
        verbose_name_plural = _("medical mutual aid claims")
        indexes = [models.Index(fields=["org_path", "-id"], name="aid_mclaim_path_id")]
        constraints = [
            models.CheckConstraint(condition=Q(total_bill__gte=0) & Q(insurance_paid__gte=0) & Q(self_paid__gte=0)
                                   & Q(subsidy__gte=0), name="aid_mclaim_amounts"),
            models.CheckConstraint(condition=Q(total_bill__gte=F("insurance_paid") + F("self_paid")),
                                   name="aid_mclaim_parts_within_bill"),
            models.CheckConstraint(condition=Q(subsidy__lte=F("self_paid")), name="aid_mclaim_subsidy_within"),
            models.CheckConstraint(condition=Q(discharged_on__gte=F("admitted_on")), name="aid_mclaim_dates"),
            models.CheckConstraint(condition=~Q(state="approved") | Q(grant__isnull=False),
                                   name="aid_mclaim_approved_grant"),
        ]

    def __str__(self) -> str:
        return _("Claim %(n)s") % {"n": self.pk}

    @property
    def status(self) -> str:
        """The claim's state as the worker sees it: an approved claim is paid (or refused) when its grant is."""
        if self.state == ClaimState.APPROVED and self.grant_id:
            if self.grant.state == "paid":
                return ClaimState.PAID
            if self.grant.state == "refused":
                return ClaimState.REFUSED
        return self.state

    def get_status_display(self) -> str:
        return str(ClaimState(self.status).label)

    @property
    def stay_days(self) -> int:
        return (self.discharged_on - self.admitted_on).days + 1
