"""Workers' requests and petitions (诉求, 信访): the case, each time the worker came in about it, its timeline,
pauses for missing papers, co-handling units, reminders and escalations, and the time-limit policy table."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField, PersonalDataModel


class Channel(models.TextChoices):
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile")
    GRID = "grid", _("Grid officer")
    REFERRAL = "referral", _("Referral from another office")


# Channels staff log at the front desk; web and mobile requests come in through the public portal.
STAFF_CHANNELS = (Channel.VISIT, Channel.PHONE, Channel.LETTER, Channel.GRID, Channel.REFERRAL)
ONLINE_CHANNELS = (Channel.WEB, Channel.MOBILE)
# A visit by this many people or more is a collective visit (集体访).
COLLECTIVE_PEOPLE = 5


class Category(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    SOLUTION = "solution", _("Request for a solution")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PETITION = "petition", _("Petition")


class Topic(models.TextChoices):
    WAGES = "wages", _("Wages owed")
    CONTRACT = "contract", _("Labor contract")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    SAFETY = "safety", _("Workplace safety")
    UNION_FOUNDING = "union_founding", _("Founding a union")
    LEGAL_PERSON = "legal_person", _("Legal-person registration")
    FUND_RETURN = "fund_return", _("Fund return")
    ASSISTANCE = "assistance", _("Assistance")
    OTHER = "other", _("Other")


class Complexity(models.TextChoices):
    GENERAL = "general", _("General")
    DIFFICULT = "difficult", _("Difficult")
    COMPLEX = "complex", _("Especially complex")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RETURNED = "returned", _("Returned")
    REPLIED = "replied", _("Replied")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# States in which the time limit runs (unless the case is paused for missing papers): the worker has no reply yet.
RUNNING = (State.RECEIVED, State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.RETURNED, State.REOPENED)
OPEN = (*RUNNING, State.REPLIED, State.FOLLOWED_UP)
ANSWERED = (State.REPLIED, State.FOLLOWED_UP, State.CLOSED)


class Color(models.TextChoices):
    NONE = "", _("On track")
    BLUE = "blue", _("Due soon")
    YELLOW = "yellow", _("No progress")
    RED = "red", _("Overdue")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


# 满意率 counts "satisfied" and "basically satisfied" as satisfied, as the federations report it.
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASIC)


class TimeLimitPolicy(models.Model):
    """How many working days a case may take, by category and complexity; a row naming a topic is a service
    commitment that wins over the category's row (a union-founding request: 3 working days)."""

    category = models.CharField(_("category"), max_length=16, choices=Category.choices, blank=True,
                                help_text=_("Empty: any category."))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True,
                             help_text=_("Empty: any topic."))
    complexity = models.CharField(_("complexity"), max_length=12, choices=Complexity.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"), help_text=_("0 means the same working day."))
    commitment = models.CharField(_("service commitment"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["topic", "category", "complexity"]
        constraints = [
            models.UniqueConstraint(fields=["category", "topic", "complexity"], name="casework_policy_unique"),
            models.CheckConstraint(condition=Q(working_days__lte=250), name="casework_policy_days_range"),
        ]

    def __str__(self):
        return f"{self.category or '*'}/{self.topic or '*'}/{self.complexity}: {self.working_days}"


class Case(PersonalDataModel):
    """One worker's request or petition, from intake to closing."""

    code = models.CharField(_("case code"), max_length=12, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    complexity = models.CharField(_("complexity"), max_length=12, choices=Complexity.choices,
                                  default=Complexity.GENERAL)
    subject = models.CharField(_("subject"), max_length=100)
    description = models.TextField(_("details"), max_length=4000, blank=True)
    worker_name = models.CharField(_("worker's name"), max_length=50, blank=True)
    phone = EncryptedTextField(
        _("phone"), kind="phone", blind_index="phone_bidx",
        purpose="Reaching the worker about the request, and checking the tracking enquiry",
        retention="Three years after the case is closed, then anonymised",
    )
    # Looked up with the topic, through the one-open-case constraint's index.
    phone_bidx = models.CharField(max_length=32, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    # Optional on the public form: with it (and the phone) the worker may open this case on /privacy/.
    id_number = EncryptedTextField(
        _("ID number"), kind="id_number", blind_index="id_number_bidx",
        purpose="Letting the worker see and manage this request on the personal-information page",
        retention="Three years after the case is closed, then anonymised",
    )
    id_number_bidx = models.CharField(max_length=32, blank=True, editable=False)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    people = models.PositiveIntegerField(_("people"), default=1)
    is_collective = models.BooleanField(_("collective visit"), default=False)
    source_note = models.CharField(_("referred by"), max_length=100, blank=True)
    # Foreign keys get no index each: every index of a row is rewritten when the sweep recolors the case, and the
    # lookups go through the composite indexes below (holder_org: the menu's count). 首问负责: the unit and the
    # person who first took the request.
    intake_org = models.ForeignKey("orgs.Org", db_index=False, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("first-response unit"))
    intake_path = models.CharField(max_length=255, editable=False)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=False, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("received on"))
    consent = models.ForeignKey("members.Consent", db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("consent"))
    # Where the case is now: the unit holding it (the one it was dispatched to, or back at the dispatcher after a
    # return). Its path is kept on the row so a subtree's cases are one index range scan.
    holder_org = models.ForeignKey("orgs.Org", db_index=False, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("handling unit"))
    org_path = models.CharField(max_length=255, editable=False)
    department = models.CharField(_("department"), max_length=50, blank=True)
    dispatcher_org = models.ForeignKey("orgs.Org", db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("dispatched by"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("lead handler"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    state_at = models.DateTimeField(_("state since"), default=timezone.now)
    progress_at = models.DateTimeField(_("last progress"), default=timezone.now)
    policy = models.ForeignKey(TimeLimitPolicy, db_index=False, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("time-limit rule"))
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    clock_start = models.DateField(_("clock starts"))
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    due_on = models.DateField(_("due on"))
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    color = models.CharField(_("supervision color"), max_length=8, choices=Color.choices, blank=True)
    reply = models.TextField(_("reply"), max_length=4000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_on_time = models.BooleanField(_("replied on time"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    rated_via = models.CharField(_("rated by"), max_length=8, blank=True,
                                 choices=[("worker", _("The worker, online")), ("staff", _("Follow-up by staff"))])
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rating_comment = models.CharField(_("worker's comment"), max_length=200, blank=True)
    follow_up_note = models.CharField(_("follow-up note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    days_to_close = models.PositiveIntegerField(_("working days to close"), null=True, blank=True)
    solved = models.BooleanField(_("problem solved"), default=False,
                                 help_text=_("Closed with the worker's problem actually solved (为职工解决实际问题)."))
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # A request filed on the public page by a phone that has an open case on the same topic: kept as its own case
    # (a public form never reveals or changes another case) until staff link it to that case.
    repeat_of = models.ForeignKey("self", db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("possible repeat of"))
    linked_at = models.DateTimeField(_("linked to the earlier case at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # The same person with the same topic has one open case; a new contact is linked to it.
            models.UniqueConstraint(fields=["phone_bidx", "topic"],
                                    condition=~Q(state="closed") & ~Q(phone_bidx="") & Q(repeat_of__isnull=True),
                                    name="casework_one_open_case_per_person_topic"),
            models.CheckConstraint(condition=Q(linked_at__isnull=True) | Q(repeat_of__isnull=False, state="closed"),
                                   name="casework_case_linked_is_closed_repeat"),
            models.CheckConstraint(condition=Q(people__gte=1), name="casework_case_people_positive"),
            models.CheckConstraint(
                condition=Q(is_collective=True, channel="visit", people__gte=COLLECTIVE_PEOPLE)
                | (Q(is_collective=False) & (~Q(channel="visit") | Q(people__lt=COLLECTIVE_PEOPLE))),
                name="casework_case_collective_visit"),
            models.CheckConstraint(condition=Q(state="closed", closed_at__isnull=False, closed_on__isnull=False)
                                   | (~Q(state="closed") & Q(closed_at__isnull=True)),
                                   name="casework_case_closed_has_time"),
            models.CheckConstraint(condition=~Q(state__in=ANSWERED) | Q(replied_at__isnull=False),
                                   name="casework_case_answered_has_reply"),
        ]
        # On PostgreSQL a subtree (org_path LIKE 'prefix%') needs the pattern operator class unless the database
        # collation is "C"; SQLite ignores operator classes.
        indexes = [
            # The inbox, the most urgent running cases first: a small subtree reads its range of the first index
            # and sorts it; a large one walks the second in due-date order and stops after a page.
            models.Index(fields=["org_path", "due_on"], condition=Q(state__in=RUNNING), name="casework_running_due",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["due_on"], condition=Q(state__in=RUNNING), name="casework_running_due_only"),
            models.Index(fields=["org_path", "state"], name="casework_path_state",
                         opclasses=["varchar_pattern_ops", "varchar_ops"]),
            models.Index(fields=["org_path", "received_on"], name="casework_path_received",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
            # The menu's count of a unit's own cases to accept or overdue.
            models.Index(fields=["holder_org", "state", "due_on"], name="casework_holder_state_due"),
            # The worker's own requests on the personal-information page (only those filed with an ID number).
            models.Index(fields=["id_number_bidx", "phone_bidx"], condition=~Q(id_number_bidx=""),
                         name="casework_case_id_phone"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING

    @property
    def is_possible_repeat(self) -> bool:
        # Flagged only when the earlier case lies in the subtree of the unit this one was filed to: a flag about a
        # case elsewhere in the federation would tell the filing unit the person has a complaint there.
        return self.repeat_of_id is not None and self.linked_at is None and self.repeat_in_reach

    @property
    def repeat_in_reach(self) -> bool:
        return self.repeat_of_id is not None and self.repeat_of.org_path.startswith(self.intake_path)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED


class Intake(models.Model):
    """One time a worker came in about the case: the first intake opens it, later ones are linked to it.
    Visits (in batches and people), letters and calls are counted from these rows, where they came in."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="intakes", verbose_name=_("case"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    people = models.PositiveIntegerField(_("people"), default=1)
    is_collective = models.BooleanField(_("collective visit"), default=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    org_path = models.CharField(max_length=255, editable=False)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("received by"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("received on"))
    first = models.BooleanField(_("opened the case"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="casework_intake_people_positive"),
            models.UniqueConstraint(fields=["case"], condition=Q(first=True), name="casework_one_first_intake"),
        ]
        indexes = [models.Index(fields=["org_path", "received_on"], name="casework_intake_path_received",
                                opclasses=["varchar_pattern_ops", "date_ops"])]

    def __str__(self):
        return f"{self.case_id} {self.channel} {self.received_on}"


class Action(models.TextChoices):
    RECEIVED = "received", _("Received")
    LINKED = "linked", _("Came in again about it")
    REPEAT_LINKED = "repeat_linked", _("Linked to the earlier request")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    HANDED_OVER = "handed_over", _("Handed over")
    PROGRESS = "progress", _("Progress")
    PAUSED = "paused", _("Waiting for papers")
    RESUMED = "resumed", _("Papers complete")
    COHANDLER = "cohandler", _("Co-handling unit added")
    COHANDLER_REPORT = "cohandler_report", _("Co-handling opinion")
    RECLASSIFIED = "reclassified", _("Reclassified")
    REPLIED = "replied", _("Replied")
    FOLLOWED_UP = "followed_up", _("Followed up")
    RATED = "rated", _("Rated by the worker")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REMINDED = "reminded", _("Reminder")
    ESCALATED = "escalated", _("Escalated")
    SUPERVISED = "supervised", _("Supervision note")


class CaseEvent(models.Model):
    """The case's timeline: every transition and note, in order. ``public`` steps are shown to the worker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    actor_org_name = models.CharField(_("unit"), max_length=120, blank=True)
    from_state = models.CharField(_("from state"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=12, choices=State.choices, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("unit concerned"))
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the worker"), default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="casework_event_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.action}"


class CasePause(models.Model):
    """The clock stopped while the worker brings missing papers; everything missing is listed at once (一次性告知)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("case"))
    missing = models.JSONField(_("missing papers"), default=list)
    started_on = models.DateField(_("paused on"))
    started_at = models.DateTimeField(_("paused at"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("paused by"))
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    resumed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("resumed by"))
    workdays = models.PositiveIntegerField(_("working days paused"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)

    class Meta:
        verbose_name = _("pause for missing papers")
        verbose_name_plural = _("pauses for missing papers")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(resumed_on__isnull=True),
                                    name="casework_one_open_pause"),
            models.CheckConstraint(condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=models.F("started_on")),
                                   name="casework_pause_resumed_after_start"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.started_on}"


class CoHandler(models.Model):
    """A unit helping the lead handler (协办), with its task and, once given, its opinion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cohandlers", verbose_name=_("case"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    task = models.CharField(_("task"), max_length=200)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("added by"))
    report = models.TextField(_("opinion"), max_length=2000, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        constraints = [models.UniqueConstraint(fields=["case", "org"], name="casework_one_cohandler_per_org")]

    def __str__(self):
        return f"{self.case_id} {self.org_id}"


class AlertKind(models.TextChoices):
    BLUE = "blue", _("Reminder: due soon")
    YELLOW = "yellow", _("Warning: no progress")
    RED = "red", _("Overdue")
    ESCALATION = "escalation", _("Escalated for supervision")


class CaseAlert(models.Model):
    """A reminder to the handling unit, or an escalation to its parent's supervision list. ``key`` names what it
    is about (the due date, or the stalled stage), so the sweep sends each one once however often it runs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    key = models.CharField(max_length=40)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("told"))
    org_path = models.CharField(max_length=255, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("lead handler told"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    handled_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("supervised by"))
    handled_note = models.CharField(_("supervision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("case alert")
        verbose_name_plural = _("case alerts")
        constraints = [models.UniqueConstraint(fields=["case", "kind", "key"], name="casework_alert_once")]
        indexes = [models.Index(fields=["org_path", "kind", "created_at"], name="casework_alert_path_kind",
                                opclasses=["varchar_pattern_ops", "varchar_ops", "timestamptz_ops"])]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.key}"


# Pre-aggregated counts (see ``stats.py``): one row per unit on the case's path, so a figure for any subtree reads
# the rows of one unit, never the cases.

class CaseStat(models.Model):
    """Cases of a unit's subtree received in a month, by topic, by the month they closed (0: open) and by their
    state now (so the inbox's tabs are counted without reading the cases)."""

    org_path = models.CharField(max_length=255)
    month = models.PositiveIntegerField()  # yyyymm received
    topic = models.CharField(max_length=20, choices=Topic.choices)
    closed_month = models.PositiveIntegerField()  # yyyymm closed, 0 while not closed
    state = models.CharField(max_length=12, choices=State.choices)
    received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    days_sum = models.IntegerField(default=0)  # working days to close, summed over the closed cases
    solved = models.IntegerField(default=0)  # closed with the problem solved

    class Meta:
        verbose_name = _("case count")
        verbose_name_plural = _("case counts")
        constraints = [models.UniqueConstraint(fields=["org_path", "month", "topic", "closed_month", "state"],
                                               name="casework_casestat_key")]

    def __str__(self):
        return f"{self.org_path} {self.month} {self.topic}"


class IntakeStat(models.Model):
    """Intakes of a unit's subtree in a month, by channel: batches, people, collective visits."""

    org_path = models.CharField(max_length=255)
    month = models.PositiveIntegerField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    intakes = models.IntegerField(default=0)
    people = models.IntegerField(default=0)
    collective = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("intake count")
        verbose_name_plural = _("intake counts")
        constraints = [models.UniqueConstraint(fields=["org_path", "month", "channel"], name="casework_intakestat_key")]

    def __str__(self):
        return f"{self.org_path} {self.month} {self.channel}"


class OpenStat(models.Model):
    """Running cases of a unit's subtree by supervision color, as of the last sweep (rewritten by each sweep)."""

    org_path = models.CharField(max_length=255, unique=True)
    running = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)
    red = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    blue = models.IntegerField(default=0)
    swept_at = models.DateTimeField()

    class Meta:
        verbose_name = _("open case count")
        verbose_name_plural = _("open case counts")

    def __str__(self):
        return self.org_path
