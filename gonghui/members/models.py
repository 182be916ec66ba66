from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField, PersonalDataModel
from gonghui.core.identity import DocumentType


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("College diploma")
    SECONDARY = "secondary", _("Secondary school")
    JUNIOR = "junior", _("Junior middle school or below")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("CPC member")
    CPC_PROBATIONARY = "cpc_probationary", _("CPC probationary member")
    LEAGUE = "league", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("Democratic party member")
    MASSES = "masses", _("Ordinary citizen")


class EmploymentForm(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    DISPATCHED = "dispatched", _("Agency (dispatched)")
    PLATFORM = "platform", _("Platform-based (new forms of employment)")
    FLEXIBLE = "flexible", _("Flexible")


def new_uid() -> str:
    import secrets

    return "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))


class Person(PersonalDataModel):
    """A worker, identified by one document. Their memberships over time hang on this row."""

    # Unique by a constraint, not ``unique=True``: on PostgreSQL that would add a second (LIKE) index, never
    # used, that every insert pays for (as would ``db_index`` on phone_bidx).
    uid = models.CharField(_("public id"), max_length=12, default=new_uid, editable=False)
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices,
                                default=DocumentType.RESIDENT_ID)
    id_number = EncryptedTextField(
        _("ID number"), kind="id_number", blind_index="id_number_bidx",
        purpose="Identifying the member uniquely across the federation; membership and assistance checks",
        retention="While a member and 5 years after leaving the union, then anonymised",
    )
    id_number_bidx = models.CharField(max_length=32, editable=False)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = EncryptedTextField(
        _("mobile phone"), kind="phone", blind_index="phone_bidx",
        purpose="Contacting the member about union services, card activation and their requests",
        retention="While a member and 5 years after leaving the union, then anonymised",
    )
    phone_bidx = models.CharField(max_length=32, blank=True, editable=False)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, choices=PoliticalStatus.choices,
                                        blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "id_number_bidx"], name="members_person_one_per_document"),
            models.UniqueConstraint(fields=["uid"], name="members_person_uid"),
        ]
        indexes = [models.Index(fields=["phone_bidx"], name="members_person_phone_bidx")]

    def __str__(self):
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")


class Membership(models.Model):
    """A person's membership of one union for a span of time. At most one is active per person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("person"))
    # No index of its own: members_union_status (union, status) serves every lookup by union.
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="memberships",
                              verbose_name=_("union"), db_index=False)
    # The union's tree path, kept with the row so a subtree's members are one index range scan (and the
    # table can be distributed by province). Rewritten when a subtree moves.
    org_path = models.CharField(max_length=255, editable=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MembershipStatus.choices,
                              default=MembershipStatus.ACTIVE)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_new_employment = models.BooleanField(_("new forms of employment"), default=False)
    is_dispatched = models.BooleanField(_("agency worker"), default=False)
    is_female = models.BooleanField(_("female worker"), default=False, editable=False)
    job_title = models.CharField(_("job title"), max_length=50, blank=True)
    employment_form = models.CharField(_("employment form"), max_length=16, choices=EmploymentForm.choices,
                                       blank=True)
    source = models.CharField(_("source"), max_length=16, default="manual",
                              choices=[("manual", _("Entered by staff")), ("import", _("Roster import")),
                                       ("online", _("Online application")), ("transfer", _("Transfer"))])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="active"),
                                    name="members_one_active_membership"),
            models.CheckConstraint(condition=Q(status="active", left_on__isnull=True)
                                   | (~Q(status="active") & Q(left_on__isnull=False)),
                                   name="members_left_has_date"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                                   name="members_left_after_joined"),
        ]
        indexes = [
            models.Index(fields=["org_path", "status"], name="members_path_status"),
            models.Index(fields=["union", "status"], name="members_union_status"),
            models.Index(fields=["org_path", "joined_on"], name="members_path_joined"),
        ]

    def __str__(self):
        return f"{self.person} @ {self.union}"


class Consent(models.Model):
    """A worker's consent to the processing of sensitive personal data, for one notice version."""

    purpose = models.CharField(_("purpose"), max_length=32)  # e.g. "join", "request"
    notice_version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.purpose} {self.notice_version} {self.given_at:%Y-%m-%d}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class JoinApplication(PersonalDataModel):
    """An online application to join a union, filed by the worker on the public page."""

    code = models.CharField(_("application code"), max_length=12, unique=True)
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="join_applications",
                              verbose_name=_("union"))
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices,
                                default=DocumentType.RESIDENT_ID)
    id_number = EncryptedTextField(
        _("ID number"), kind="id_number", blind_index="id_number_bidx",
        purpose="Checking the applicant is not already a member and creating the membership",
        retention="One year after the decision, then anonymised",
    )
    id_number_bidx = models.CharField(max_length=32, editable=False, db_index=True)
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = EncryptedTextField(
        _("mobile phone"), kind="phone", blind_index="phone_bidx",
        purpose="Telling the applicant the decision and checking the status enquiry",
        retention="One year after the decision, then anonymised",
    )
    phone_bidx = models.CharField(max_length=32, editable=False)
    phone_last4 = models.CharField(max_length=4, editable=False)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    political_status = models.CharField(_("political status"), max_length=20, choices=PoliticalStatus.choices,
                                        blank=True)
    job_title = models.CharField(_("job title"), max_length=50, blank=True)
    employment_form = models.CharField(_("employment form"), max_length=16, choices=EmploymentForm.choices,
                                       blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_new_employment = models.BooleanField(_("new forms of employment"), default=False)
    is_dispatched = models.BooleanField(_("agency worker"), default=False)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent"))
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    membership = models.OneToOneField(Membership, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="application", verbose_name=_("membership"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        constraints = [
            # One open application per person and union.
            models.UniqueConstraint(fields=["union", "id_number_bidx"], condition=Q(status="pending"),
                                    name="members_one_pending_application"),
        ]
        indexes = [
            models.Index(fields=["org_path", "status"], name="members_app_path_status"),
            # The menu's count of pending applications: only the open rows, by subtree.
            models.Index(fields=["org_path"], condition=Q(status="pending"), name="members_app_pending"),
        ]

    def __str__(self):
        return self.code


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RELEASED = "released", _("Released by the origin union")
    COMPLETED = "completed", _("Accepted by the destination union")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(models.Model):
    """Moving a membership from one union to another (关系转接); both memberships stay in the history."""

    code = models.CharField(_("transfer code"), max_length=12, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("person"))
    from_membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers_out",
                                        verbose_name=_("membership being transferred"))
    from_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="transfers_out",
                                   verbose_name=_("origin union"))
    from_path = models.CharField(max_length=255, editable=False, db_index=True)
    to_union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="transfers_in",
                                 verbose_name=_("destination union"))
    to_path = models.CharField(max_length=255, editable=False, db_index=True)
    to_membership = models.OneToOneField(Membership, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="transfer_in", verbose_name=_("new membership"))
    requested_via = models.CharField(_("requested via"), max_length=16,
                                     choices=[("origin", _("Origin union")), ("destination", _("Destination union")),
                                              ("member", _("The member, online"))])
    status = models.CharField(_("status"), max_length=16, choices=TransferStatus.choices,
                              default=TransferStatus.REQUESTED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    refuse_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(fields=["from_membership"], condition=Q(status__in=["requested", "released"]),
                                    name="members_one_open_transfer"),
            models.CheckConstraint(condition=~Q(from_union=models.F("to_union")), name="members_transfer_elsewhere"),
        ]
        # The menu's count of transfers to act on: the origin releases requested ones, the destination accepts
        # released ones; each index holds only those rows.
        indexes = [
            models.Index(fields=["from_path"], condition=Q(status="requested"), name="members_transfer_requested"),
            models.Index(fields=["to_path"], condition=Q(status="released"), name="members_transfer_released"),
        ]

    def __str__(self):
        return self.code


class CardStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACTIVE = "active", _("Activated")
    LOST = "lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    CANCELLED = "cancelled", _("Cancelled")


class CardBatch(models.Model):
    union = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="card_batches",
                              verbose_name=_("union"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    count = models.PositiveIntegerField(_("cards"), default=0)

    class Meta:
        verbose_name = _("card batch")
        verbose_name_plural = _("card batches")

    def __str__(self):
        return f"{self.union} {self.issued_at:%Y-%m-%d}"


class ServiceCard(models.Model):
    """A member service card (会员服务卡). The number carries a check digit and is unique federation-wide."""

    number = models.CharField(_("card number"), max_length=20, unique=True)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="cards",
                                   verbose_name=_("membership"))
    org_path = models.CharField(max_length=255, editable=False)
    batch = models.ForeignKey(CardBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="cards",
                              verbose_name=_("batch"))
    status = models.CharField(_("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.ISSUED)
    issued_on = models.DateField(_("issued on"))
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    activated_via = models.CharField(_("activated via"), max_length=16, blank=True,
                                     choices=[("member", _("The member, online")), ("officer", _("A union officer"))])
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("replaces card"))

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")
        constraints = [
            # A membership holds at most one card that is in use (issued or activated).
            models.UniqueConstraint(fields=["membership"], condition=Q(status__in=["issued", "active"]),
                                    name="members_one_live_card"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="members_card_path_status")]

    def __str__(self):
        return self.number
