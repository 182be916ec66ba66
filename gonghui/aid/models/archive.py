"""The hardship archive (困难职工档案): 低保 standards, household files and their members, the public notice's
objections, annual reviews, 一帮一 pairs and their visits, and the 特困职工优待证.

Income, rigid costs, compensation and the members' names are sensitive personal data: encrypted at rest (the amounts
are kept as decimal strings in encrypted text), shown masked, never on the public notice. The category computed from
them is kept in clear so lists and figures can filter and count by it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField, PersonalDataModel

HOUSEHOLD_PURPOSE = "Keeping the hardship archive (困难职工建档), its yearly review and the assistance it decides"
HOUSEHOLD_RETENTION = "While the file is open and 5 years after the household exits (解困), then anonymised"


class LivingStandard(models.Model):
    """The monthly 最低生活保障 (低保) amount of a region for a year: set for an org (its subtree uses it) or for an
    administrative region code (every org with that code or under one that has it)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    region_code = models.CharField(_("administrative region code"), max_length=6, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    monthly = models.DecimalField(_("monthly 低保 per person (yuan)"), max_digits=9, decimal_places=2)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("低保 standard")
        verbose_name_plural = _("低保 standards")
        constraints = [
            models.CheckConstraint(condition=(Q(org__isnull=False) & Q(region_code=""))
                                   | (Q(org__isnull=True) & ~Q(region_code="")), name="aid_standard_org_or_region"),
            models.UniqueConstraint(fields=["org", "year"], condition=Q(org__isnull=False),
                                    name="aid_standard_org_year"),
            models.UniqueConstraint(fields=["region_code", "year"], condition=Q(org__isnull=True),
                                    name="aid_standard_region_year"),
            models.CheckConstraint(condition=Q(monthly__gt=0), name="aid_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.org or self.region_code} {self.year}: {self.monthly}"


class ArchiveSettings(models.Model):
    """The archive's thresholds for a federation's subtree (the nearest row above a unit applies; without one, the
    defaults of the field definitions)."""

    org = models.OneToOneField("orgs.Org", verbose_name=_("federation"), on_delete=models.PROTECT,
                               related_name="+")
    deep_ratio = models.DecimalField(_("深度困难 below (× 低保)"), max_digits=4, decimal_places=2, default=1)
    relative_ratio = models.DecimalField(_("相对困难 below (× 低保)"), max_digits=4, decimal_places=2, default=2)
    notice_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=5)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("archive settings")
        verbose_name_plural = _("archive settings")
        constraints = [
            models.CheckConstraint(condition=Q(deep_ratio__gt=0) & Q(relative_ratio__gt=models.F("deep_ratio")),
                                   name="aid_settings_ratios"),
            models.CheckConstraint(condition=Q(notice_days__gte=1), name="aid_settings_notice_days"),
        ]

    def __str__(self) -> str:
        return str(self.org)


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    JOB_LOSS = "job_loss", _("Job loss")
    DISASTER = "disaster", _("Disaster or accident")
    SCHOOLING = "schooling", _("Children's schooling")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")
    NONE = "none", _("Not eligible")


class HouseholdState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPLIED = "applied", _("Applied, awaiting review")
    RETURNED = "returned", _("Returned to the union")
    NOTICE = "notice", _("Under public notice")
    FILED = "filed", _("Filed (建档)")
    EXITED = "exited", _("Exited (解困)")
    REJECTED = "rejected", _("Not filed")


OPEN_STATES = [HouseholdState.DRAFT, HouseholdState.APPLIED, HouseholdState.RETURNED, HouseholdState.NOTICE,
               HouseholdState.FILED]


class Household(PersonalDataModel):
    """A worker's household file. The worker is a person of the members registry (``person``) or entered here by
    name and ID number; either way the ID number's blind index is kept so one person has one open file."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField(_("worker's name"), kind="name", purpose=HOUSEHOLD_PURPOSE,
                              retention=HOUSEHOLD_RETENTION)
    name_masked = models.CharField(_("masked name"), max_length=20, editable=False)
    id_number = EncryptedTextField(_("ID number"), kind="id_number", blind_index="id_number_bidx",
                                   purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    id_number_bidx = models.CharField(max_length=32, editable=False)
    causes = models.CharField(_("causes of hardship"), max_length=80, default=",")  # ",illness,schooling,"
    cause_note = EncryptedTextField(_("about the causes"), kind="health", purpose=HOUSEHOLD_PURPOSE,
                                    retention=HOUSEHOLD_RETENTION)
    illness_cost = EncryptedTextField(_("monthly illness costs (yuan)"), kind="income", purpose=HOUSEHOLD_PURPOSE,
                                      retention=HOUSEHOLD_RETENTION)
    disability_cost = EncryptedTextField(_("monthly disability costs (yuan)"), kind="income",
                                         purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    schooling_cost = EncryptedTextField(_("monthly schooling costs (yuan)"), kind="income",
                                        purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    accident_loss = EncryptedTextField(_("loss from the accident or disaster (yuan)"), kind="income",
                                       purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    compensation = EncryptedTextField(_("compensation, insurance and aid received (yuan)"), kind="income",
                                      purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    per_capita = EncryptedTextField(_("monthly per-capita income after rigid costs (yuan)"), kind="income",
                                    purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.NONE)
    standard_year = models.PositiveSmallIntegerField(_("低保 year"), null=True, blank=True)
    standard_monthly = models.DecimalField(_("低保 applied (yuan per month)"), max_digits=9, decimal_places=2,
                                           null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=HouseholdState.choices,
                             default=HouseholdState.DRAFT)
    consent = models.ForeignKey("members.Consent", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("applied by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    notice_from = models.DateField(_("notice from"), null=True, blank=True)
    notice_until = models.DateField(_("notice until"), null=True, blank=True)
    open_objections = models.PositiveSmallIntegerField(_("open objections"), default=0)
    publication = models.ForeignKey("portal.Publication", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    review_due = models.DateField(_("annual review due"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for exit"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("hardship household")
        verbose_name_plural = _("hardship households")
        constraints = [
            models.UniqueConstraint(fields=["id_number_bidx"], condition=Q(state__in=OPEN_STATES),
                                    name="aid_household_one_open"),
            models.CheckConstraint(condition=~Q(state="filed") | Q(filed_on__isnull=False),
                                   name="aid_household_filed_on"),
            models.CheckConstraint(condition=~Q(state="exited") | (Q(exited_on__isnull=False) & ~Q(exit_reason="")),
                                   name="aid_household_exit_reason"),
            models.CheckConstraint(condition=~Q(state="notice") | Q(notice_until__isnull=False),
                                   name="aid_household_notice_until"),
        ]
        indexes = [
            # Keyset pages of a subtree, newest first, optionally by state (the list's default filters).
            models.Index(fields=["org_path", "-id"], name="aid_household_path_id"),
            models.Index(fields=["org_path", "state", "-id"], name="aid_household_path_state"),
            # Overdue reviews of a subtree, and the figures' count of files open at a date.
            models.Index(fields=["org_path", "review_due"], name="aid_household_path_due",
                         condition=Q(state="filed")),
            models.Index(fields=["org_path", "filed_on"], name="aid_household_path_filed"),
            models.Index(fields=["org_path", "exited_on"], name="aid_household_path_exited"),
            # The daily tick: notices that end.
            models.Index(fields=["state", "notice_until"], name="aid_household_notice"),
        ]

    def __str__(self) -> str:
        return self.name_masked or str(self.pk)

    def cause_list(self) -> list[str]:
        return [c for c in self.causes.split(",") if c]


class Relationship(models.TextChoices):
    SELF = "self", _("The worker")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative")


class HouseholdMember(models.Model):
    """A member of the household (the worker included, as "self") with their monthly income."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = EncryptedTextField(_("name"), kind="name", purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    monthly_income = EncryptedTextField(_("monthly income (yuan)"), kind="income", purpose=HOUSEHOLD_PURPOSE,
                                        retention=HOUSEHOLD_RETENTION)
    note = EncryptedTextField(_("note (work, health, school)"), kind="health", purpose=HOUSEHOLD_PURPOSE,
                              retention=HOUSEHOLD_RETENTION)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=Q(relationship="self"),
                                               name="aid_member_one_self")]

    def __str__(self) -> str:
        return self.get_relationship_display()


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    APPLIED = "applied", _("Applied")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Not filed")
    NOTICE = "notice", _("Public notice started")
    OBJECTION = "objection", _("Objection lodged")
    RESOLVED = "resolved", _("Objection resolved")
    FILED = "filed", _("Filed")
    REVIEWED = "reviewed", _("Annual review")
    EXITED = "exited", _("Exited")
    PAIRED = "paired", _("一帮一 pair")
    VISIT = "visit", _("一帮一 visit")
    CARD = "card", _("优待证")


class HouseholdEvent(models.Model):
    """The household's timeline (what happened, when, by whom); notes name no income or illness."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=EventKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("by"))

    class Meta:
        verbose_name = _("household event")
        verbose_name_plural = _("household events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["household", "at"], name="aid_household_event_at")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection to a file under public notice, lodged by a worker on the public page or by staff. While one is
    open the file is held: the notice ending does not file it."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="objections")
    text = EncryptedTextField(_("objection"), kind="tip_text", purpose=HOUSEHOLD_PURPOSE,
                              retention=HOUSEHOLD_RETENTION)
    contact = EncryptedTextField(_("contact"), kind="phone", purpose="Answering the worker who lodged an objection",
                                 retention=HOUSEHOLD_RETENTION)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("lodged by"))
    public = models.BooleanField(_("lodged on the public page"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("resolved by"))
    created_at = models.DateTimeField(_("lodged at"), default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(state="open") | ~Q(resolution=""),
                                              name="aid_objection_resolution")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.state}"


class AnnualReview(models.Model):
    """The yearly review (动态管理) of a filed household: incomes recorded again, the category recomputed."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    reviewed_on = models.DateField(_("reviewed on"))
    category_before = models.CharField(_("category before"), max_length=10, choices=Category.choices)
    category_after = models.CharField(_("category after"), max_length=10, choices=Category.choices)
    per_capita = EncryptedTextField(_("monthly per-capita income after rigid costs (yuan)"), kind="income",
                                    purpose=HOUSEHOLD_PURPOSE, retention=HOUSEHOLD_RETENTION)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="aid_review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class Pairing(models.Model):
    """一帮一: a cadre (a user) paired with a household until ``ended_on``."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="pairings")
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT,
                              related_name="+")
    started_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("一帮一 pair")
        verbose_name_plural = _("一帮一 pairs")
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(ended_on__isnull=True),
                                    name="aid_pairing_one_active"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="aid_pairing_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.cadre_id}"


class PairVisit(models.Model):
    """A visit of the paired cadre: when, what was given (cash and goods)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    cash = models.DecimalField(_("cash given (yuan)"), max_digits=9, decimal_places=2, default=0)
    goods = models.CharField(_("goods given"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("一帮一 visit")
        verbose_name_plural = _("一帮一 visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(cash__gte=0), name="aid_pairvisit_cash")]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.visited_on}"


class CardState(models.TextChoices):
    VALID = "valid", _("Valid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class HardshipCard(models.Model):
    """特困职工优待证: issued to a 深度困难 household, reviewed yearly (``valid_until``), withdrawn on exit."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("card number"), max_length=30)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CardState.choices, default=CardState.VALID)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))

    class Meta:
        verbose_name = _("优待证")
        verbose_name_plural = _("优待证")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="aid_card_number"),
            models.UniqueConstraint(fields=["household"], condition=Q(state="valid"), name="aid_card_one_valid"),
            models.CheckConstraint(condition=Q(state="valid") | (Q(withdrawn_on__isnull=False)
                                                                & ~Q(withdraw_reason="")),
                                   name="aid_card_withdrawn"),
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("issued_on")), name="aid_card_dates"),
        ]

    def __str__(self) -> str:
        return self.number
