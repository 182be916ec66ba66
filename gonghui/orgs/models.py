from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from gonghui.core.fields import EncryptedTextField, PersonalDataModel


class Level(models.TextChoices):
    NATIONAL = "national", _("National federation")
    PROVINCE = "province", _("Provincial federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County or district federation")
    TOWNSHIP = "township", _("Township or street federation")
    INDUSTRY = "industry", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    BRANCH = "branch", _("Branch union")
    GROUP = "group", _("Union group")


# Which levels may sit directly under which. Roots may be any federation level (a deployment for one
# city starts at the city).
ALLOWED_PARENTS = {
    Level.NATIONAL: (),
    Level.PROVINCE: (Level.NATIONAL,),
    Level.CITY: (Level.PROVINCE,),
    Level.COUNTY: (Level.CITY,),
    Level.TOWNSHIP: (Level.COUNTY,),
    Level.INDUSTRY: (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY),
    Level.GRASSROOTS: (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.INDUSTRY),
    Level.BRANCH: (Level.GRASSROOTS,),
    Level.GROUP: (Level.GRASSROOTS, Level.BRANCH),
}
ROOT_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY)
FEDERATION_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.INDUSTRY)


class Kind(models.TextChoices):
    FEDERATION = "federation", _("Federation")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    INSTITUTION = "institution", _("Public institution")
    ORGAN = "organ", _("Government organ")
    REGIONAL = "regional", _("Regional union")
    INDUSTRY = "industry", _("Industry-wide union")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    NON_PUBLIC = "non_public", _("Non-public")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    ORGAN = "organ", _("Government organ")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class Org(PersonalDataModel, MP_Node):
    """A union or federation. Its subtree is one indexed prefix range on ``path`` (materialized path)."""

    steplen = 4
    node_order_by = []

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ownership = models.CharField(_("ownership"), max_length=24, choices=Ownership.choices, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region_code = models.CharField(_("administrative region code"), max_length=6, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), default=0)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    legal_person_registered = models.BooleanField(_("legal-person registered"), default=False)
    legal_person_registered_on = models.DateField(_("legal-person registration date"), null=True, blank=True)
    legal_person_cert_no = models.CharField(_("legal-person certificate number"), max_length=40, blank=True)
    has_women_committee = models.BooleanField(_("has a women workers' committee"), default=False)
    has_audit_committee = models.BooleanField(_("has a funds review committee"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(
        _("contact phone"), kind="phone", blind_index="contact_phone_bidx",
        purpose="Reaching the union's contact person about union business",
        retention="While the person is the union's contact; replaced when the contact changes",
    )
    contact_phone_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolved_reason = models.CharField(_("reason for dissolution"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="orgs_org_uscc_unique"),
            models.CheckConstraint(
                condition=Q(status="active", dissolved_on__isnull=True)
                | Q(status="dissolved", dissolved_on__isnull=False),
                name="orgs_org_dissolved_has_date",
            ),
        ]
        indexes = [models.Index(fields=["level", "path"], name="orgs_org_level_path"),
                   # The union picker's prefix search by name (orgs.selectors.org_pick); PostgreSQL also gets a
                   # trigram index for part of a name (migration 0004).
                   models.Index(fields=["name"], name="orgs_org_name")]

    def __str__(self):
        return self.name

    @property
    def is_federation(self) -> bool:
        return self.level in FEDERATION_LEVELS

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE
