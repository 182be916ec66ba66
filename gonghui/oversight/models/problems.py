"""The problem list (问题清单): where a problem came from, what kind it is, whom it concerns, and its review
查摆 → 初审 → 复审 → 定稿. Only a final (定稿) problem enters the rectification ledger."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField


class ListEntry(models.Model):
    """An entry of a list administrators edit (sources, categories). ``key`` names the entries other apps file
    problems under (智能监控预警, 经费审查报告, 作风直通车 ...); an entry with a key cannot be deleted."""

    key = models.SlugField(max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Source(ListEntry):
    class Meta(ListEntry.Meta):
        verbose_name = _("problem source")
        verbose_name_plural = _("problem sources")


class Category(ListEntry):
    class Meta(ListEntry.Meta):
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")


class Department(models.Model):
    """A department (部室) of a unit: 办公室, 组织部, 权益保障部 ... Targets are declared by departments, key tasks
    are led by them, and a joint review group is drawn from several of them."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("department"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["org_path", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="oversight_department_name")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    DRAFT = "draft", _("Self-examination (查摆)")
    FIRST = "first", _("First review (初审)")
    JOINT = "joint", _("Joint review (复审)")
    FINAL = "final", _("Finalised (定稿)")


class ProblemState(models.TextChoices):
    OPEN = "open", _("Being rectified")
    CLOSED = "closed", _("Closed (销号)")


class ConcernKind(models.TextChoices):
    UNIT = "unit", _("The unit")
    LEADERSHIP = "leadership", _("The leadership")
    CADRE = "cadre", _("A named cadre")


class Problem(models.Model):
    """A problem owned by a unit (``org``). ``link_kind``/``link_id`` point at the object it came from (a case, a fund
    alert, an audit finding, a tip, a visit) when there is one."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    concerns = models.CharField(_("concerns"), max_length=12, choices=ConcernKind.choices, default=ConcernKind.UNIT)
    stage = models.CharField(_("review stage"), max_length=8, choices=Stage.choices, default=Stage.DRAFT)
    state = models.CharField(_("state"), max_length=8, choices=ProblemState.choices, default=ProblemState.OPEN)
    # When the problem concerns a named cadre: the name is personal data, kept encrypted and shown masked.
    cadre_name = EncryptedTextField(
        _("cadre concerned"), kind="name",
        purpose="Naming the cadre a problem concerns, for its review and rectification",
        retention="Three years after the problem is closed, then anonymised")
    concerns_org = models.ForeignKey("orgs.Org", verbose_name=_("unit concerned"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    rounds = models.PositiveSmallIntegerField(_("review rounds"), default=0)
    returns = models.PositiveSmallIntegerField(_("returns for rework"), default=0)
    returned = models.BooleanField(_("returned for rework"), default=False)
    meeting_name = models.CharField(_("approving meeting"), max_length=100, blank=True)
    meeting_on = models.DateField(_("meeting date"), null=True, blank=True)
    link_kind = models.CharField(max_length=30, blank=True)
    link_id = models.BigIntegerField(null=True, blank=True)
    link_label = models.CharField(_("came from"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finalized_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["org_path", "created_at"], name="oversight_problem_path_created"),
                   models.Index(fields=["org_path", "stage", "created_at"], name="oversight_problem_path_stage"),
                   models.Index(fields=["link_kind", "link_id"], name="oversight_problem_link")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProblemCounter(models.Model):
    """The federation-wide sequence of problem numbers, one row a year (WT-2026-000001 ...)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("problem number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Decision(models.TextChoices):
    PASS = "pass", _("Passed")
    RETURN = "return", _("Sent back for rework")


class ProblemReviewer(models.Model):
    """A member of a problem's joint review group (复审小组), from one department."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                             related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("joint reviewer")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["problem", "user"], name="oversight_reviewer_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.department})"


class ProblemReview(models.Model):
    """One review opinion: 初审 by the unit, 复审 by a member of the joint group; a return sends the problem back."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("review stage"), max_length=8, choices=Stage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reviewer_label = models.CharField(_("reviewer"), max_length=150, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    round = models.PositiveSmallIntegerField(_("round"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("problem review")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["problem", "round"], name="oversight_review_round")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_decision_display()}"


class ProblemStat(models.Model):
    """Pre-aggregated problem counts of a unit's subtree (``unit`` is the unit's path) by month, source and
    category: problems found (by the month created), reviews (初审 and 复审 opinions) and returns (by the month
    of the opinion)."""

    unit = models.CharField(max_length=255)
    month = models.PositiveIntegerField()  # yyyymm
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    problems = models.IntegerField(default=0)
    reviews = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month", "source", "category"],
                                               name="oversight_problemstat_key")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month}"
