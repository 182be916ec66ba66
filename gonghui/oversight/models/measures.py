"""The rectification ledger (整改台账): a final problem's measures, each with an owner, a deadline and an expected
result, closed (销号) only with evidence by someone other than its owner; progress reports, the timeline of each
measure, weekly dispatch rounds (调度) and their reports, coordination meetings (协调会) and the published snail
list (蜗牛榜)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .problems import Problem


class MeasureState(models.TextChoices):
    OPEN = "open", _("Being carried out")
    CLOSED = "closed", _("Closed (销号)")


class MeasureColor(models.TextChoices):
    NONE = "", _("On schedule")
    BLUE = "blue", _("Due soon")
    YELLOW = "yellow", _("No progress report")
    RED = "red", _("Overdue")


# The ledger's order: red first, then yellow, blue and the rest; by deadline within a color. Stored on the row
# (``Measure.urgency``) so an index gives a subtree's most urgent measures without sorting the subtree.
URGENCY = {"red": 0, "yellow": 1, "blue": 2, "": 3}


class Measure(models.Model):
    problem = models.ForeignKey(Problem, verbose_name=_("problem"), on_delete=models.CASCADE,
                                related_name="measures")
    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    steps = models.TextField(_("steps"))
    indicator = models.CharField(_("indicator"), max_length=200)
    expected = models.CharField(_("expected result"), max_length=200)
    due_on = models.DateField(_("deadline"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    leader = models.CharField(_("leader in charge"), max_length=40)
    state = models.CharField(_("state"), max_length=8, choices=MeasureState.choices, default=MeasureState.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The ledger's part
    color = models.CharField(_("color"), max_length=8, choices=MeasureColor.choices, default="", blank=True)
    urgency = models.PositiveSmallIntegerField(default=3)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    last_progress_at = models.DateTimeField(_("last progress report"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested at"), null=True, blank=True)
    closure_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    reminded_before = models.DateField(null=True, blank=True)  # the deadline the "due soon" reminder was sent for
    reminded_overdue = models.DateField(null=True, blank=True)  # the deadline the "overdue" reminder was sent for
    evidence_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [
            models.Index(fields=["org_path", "state", "due_on"], name="oversight_measure_path_due"),
            models.Index(fields=["state", "urgency", "due_on", "id"], name="oversight_measure_urgent"),
            models.Index(fields=["org_path", "state", "urgency", "due_on"], name="oversight_measure_path_urg"),
            models.Index(fields=["owner", "state", "due_on"], name="oversight_measure_owner"),
            models.Index(fields=["org_path", "closed_at"], name="oversight_measure_closed"),
            models.Index(fields=["org_path", "created_at"], name="oversight_measure_created"),
            # Overdue measures due in part of a month (figures_ledger): a range of deadlines, then the subtree.
            models.Index(fields=["due_on", "org_path"], name="oversight_measure_due_path"),
            # The 蜗牛榜's open and recently closed measures, read from the index alone (snail._late_sql).
            models.Index(fields=["closed_at", "org_path", "due_on", "org", "owner"], name="oversight_measure_snail"),
        ]

    def __str__(self) -> str:
        return self.indicator


class Progress(models.Model):
    """A progress report on a measure by its owner: what was done, how far along (0–100 %)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    org_path = models.CharField(max_length=255, editable=False)
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    round = models.ForeignKey("DispatchRound", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [models.Index(fields=["measure", "at"], name="oversight_progress_measure")]

    def __str__(self) -> str:
        return f"{self.percent}%"


class EventKind(models.TextChoices):
    ADDED = "added", _("Measure added")
    PROGRESS = "progress", _("Progress reported")
    EVIDENCE = "evidence", _("Evidence attached")
    REQUESTED = "requested", _("Closure requested")
    CLOSED = "closed", _("Closed (销号)")
    REJECTED = "rejected", _("Closure rejected")
    REOPENED = "reopened", _("Reopened")
    REMINDED = "reminded", _("Reminder sent")
    ESCALATED = "escalated", _("Raised to the supervision list")


class MeasureEvent(models.Model):
    """One event on a measure's timeline (each also in the audit trail)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=EventKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("note"), blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("measure event")
        verbose_name_plural = _("measure events")
        indexes = [models.Index(fields=["measure", "at"], name="oversight_mevent_measure")]

    def __str__(self) -> str:
        return self.get_kind_display()


class RoundState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DispatchRound(models.Model):
    """A weekly dispatch (调度) opened by an office for its subtree: every owner of an open measure reports in it."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=100)
    due_on = models.DateField(_("report by"))
    state = models.CharField(_("state"), max_length=8, choices=RoundState.choices, default=RoundState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expected = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dispatch round")
        verbose_name_plural = _("dispatch rounds")
        indexes = [models.Index(fields=["org_path", "opened_at"], name="oversight_round_path"),
                   models.Index(fields=["state", "org_path"], name="oversight_round_state")]

    def __str__(self) -> str:
        return self.title


class DispatchReport(models.Model):
    """The report an owner owes in a round for one measure (made when the round opens; ``reported_at`` set when the
    owner reports)."""

    round = models.ForeignKey(DispatchRound, on_delete=models.CASCADE, related_name="reports")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    reported_at = models.DateTimeField(null=True, blank=True)
    progress = models.ForeignKey(Progress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("dispatch report")
        verbose_name_plural = _("dispatch reports")
        constraints = [models.UniqueConstraint(fields=["round", "measure"], name="oversight_dispatch_report_once")]
        indexes = [models.Index(fields=["round", "reported_at"], name="oversight_dreport_round"),
                   models.Index(fields=["org_path", "due_on"], name="oversight_dreport_path_due")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.measure_id}"


class Meeting(models.Model):
    """A coordination meeting (协调会) on hard problems: who attended, what was decided, which problems."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("subject"), max_length=100)
    attendees = models.TextField(_("attendees"))
    decisions = models.TextField(_("decisions"))
    problems = models.ManyToManyField(Problem, verbose_name=_("problems"), related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        indexes = [models.Index(fields=["org_path", "held_on"], name="oversight_meeting_path")]

    def __str__(self) -> str:
        return self.title


class SnailPublication(models.Model):
    """The snail list (蜗牛榜) of a federation for a period, as published inside it (by the weekly tick or the
    office): the rows are frozen at publication."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    week = models.CharField(max_length=10, blank=True)  # ISO week of a publication by the tick ("2026-W49")
    units = models.JSONField(default=list)
    owners = models.JSONField(default=list)

    class Meta:
        verbose_name = _("snail list")
        verbose_name_plural = _("snail lists")
        indexes = [models.Index(fields=["org_path", "published_at"], name="oversight_snail_path")]
        constraints = [models.UniqueConstraint(fields=["org", "week"], condition=~models.Q(week=""),
                                               name="oversight_snail_week_once")]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class MeasureStat(models.Model):
    """Pre-aggregated measure counts of a unit's subtree (``unit`` is the unit's path), kept by the ledger's services
    (``stats_measures``). With ``owner`` 0: measures by (month created, month closed — 0 while open, month due);
    with an owner: that owner's measures by the month created (``closed`` and ``due`` 0), for the owners figure."""

    unit = models.CharField(max_length=255)
    owner = models.IntegerField(default=0)
    created = models.PositiveIntegerField()  # yyyymm, local time
    closed = models.PositiveIntegerField(default=0)  # yyyymm, 0 while open
    due = models.PositiveIntegerField(default=0)  # yyyymm
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "owner", "created", "closed", "due"],
                                               name="oversight_measurestat_key")]
        # The owners figure: a unit's owner rows of given months or years, without the unit's other rows.
        indexes = [models.Index(fields=["unit", "created", "owner"], name="oversight_mstat_unit_created",
                                condition=Q(n__gt=0))]

    def __str__(self) -> str:
        return f"{self.unit} {self.owner} {self.created}"
