"""Key tasks (年度重点工作任务清单: 重点工作, 办实事, 重点民生事项) with their milestones and progress reports, and
target management (目标管理) in five steps: 目标申报 → 目标管理卡 → 工作总结 → 审查核定 → 成果评价."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .problems import Department


class TaskKind(models.TextChoices):
    KEY = "key", _("Key work")
    PRACTICAL = "practical", _("Practical matter")
    LIVELIHOOD = "livelihood", _("Key livelihood matter")


class KeyTask(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices, default=TaskKind.KEY)
    title = models.CharField(_("task"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    lead = models.ForeignKey(Department, verbose_name=_("lead department"), on_delete=models.PROTECT,
                             related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    cooperating = models.ManyToManyField(Department, verbose_name=_("cooperating departments"), blank=True,
                                         related_name="+")
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        indexes = [models.Index(fields=["org_path", "year", "kind"], name="oversight_keytask_path_year")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class TaskReport(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT,
                           related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.percent}%"


class TargetState(models.TextChoices):
    DECLARED = "declared", _("Declared (目标申报)")
    APPROVED = "approved", _("Target card issued (目标管理卡)")
    SUMMARISED = "summarised", _("Summary written (工作总结)")
    REVIEWED = "reviewed", _("Reviewed (审查核定)")
    EVALUATED = "evaluated", _("Evaluated (成果评价)")


class TargetPlan(models.Model):
    """A department's targets for a year: declared by the department, approved by the office into its target card,
    summarised by the department at year end, reviewed and scored by the office, then evaluated."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=12, choices=TargetState.choices, default=TargetState.DECLARED)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("target card")
        verbose_name_plural = _("target cards")
        indexes = [models.Index(fields=["org_path", "year"], name="oversight_target_path_year")]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="oversight_target_dept_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.department}"


class TargetItem(models.Model):
    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("target"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=1)
    indicator = models.CharField(_("measurable indicator"), max_length=200)
    summary = models.TextField(_("work summary"), blank=True)
    completion = models.CharField(_("completion"), max_length=200, blank=True)
    score = models.DecimalField(_("reviewed score"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
