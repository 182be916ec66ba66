"""Workers' and teachers' congresses (职代会 / 教代会): the term, its sessions and the agenda items put to the vote,
the delegates, the delegates' proposals (提案) from submission to the proposer's rating of the reply, and the
records of what a unit disclosed to its workers (厂务公开 / 校务公开).

The share of managers among the delegates (at most 20% under the enterprise democratic-management rules) is a
warning computed from the delegate rows, not a constraint: a congress elected with too many managers still exists
and must be recorded as it is; the page and the API say what is wrong with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (terms and sessions run below a hundred)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return CHINESE_DIGITS[ones]
    return f"{CHINESE_DIGITS[tens] if tens > 1 else ''}十{CHINESE_DIGITS[ones] if ones else ''}"


class CongressKind(models.TextChoices):
    WORKERS = "workers", _("Workers' congress (职代会)")
    TEACHERS = "teachers", _("Teachers' congress (教代会)")


# The congress's full name after the unit's and the term's: 东湖机械厂第三届职工代表大会.
FULL_NAMES = {CongressKind.WORKERS: "职工代表大会", CongressKind.TEACHERS: "教职工代表大会"}


class Congress(models.Model):
    """One term (届) of a unit's congress."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=CongressKind.choices)
    term = models.PositiveSmallIntegerField(_("term (第N届)"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    cosigners_required = models.PositiveSmallIntegerField(
        _("co-signers a proposal needs"), default=2,
        help_text=_("Delegates who sign a proposal besides its proposer (附议)."))
    reply_days = models.PositiveSmallIntegerField(
        _("working days to answer a proposal"), default=15,
        help_text=_("Counted from the day the proposal is assigned to a department."))
    proposal_seq = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        indexes = [models.Index(fields=["org_path", "-id"], name="democracy_congress_path_id")]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "term"], name="democracy_congress_term"),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="democracy_congress_dates"),
            models.CheckConstraint(condition=Q(term__gte=1) & Q(reply_days__gte=1) & Q(reply_days__lte=60)
                                   & Q(cosigners_required__lte=50), name="democracy_congress_rules"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """东湖机械厂第三届职工代表大会: the congress is the unit's (the enterprise's), not its union's."""
        unit = self.org.name.removesuffix("工会") or self.org.name
        return f"{unit}第{chinese_number(self.term)}届{FULL_NAMES.get(self.kind, '')}"


class Session(models.Model):
    """A meeting of the congress (第N次会议): when, where, how many delegates came."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="sessions")
    org_path = models.CharField(max_length=255, editable=False)
    number = models.PositiveSmallIntegerField(_("session (第N次会议)"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    present = models.PositiveIntegerField(_("delegates present"))
    delegates_total = models.PositiveIntegerField(_("delegates of the congress"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        ordering = ["congress", "number"]
        indexes = [models.Index(fields=["org_path", "held_on"], name="democracy_session_path_day")]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="democracy_session_number"),
            models.CheckConstraint(condition=Q(present__lte=models.F("delegates_total")) & Q(number__gte=1),
                                   name="democracy_session_present"),
        ]

    def __str__(self) -> str:
        return f"第{chinese_number(self.number)}次会议"

    @property
    def quorum(self) -> bool:
        """More than two thirds of all the delegates present (a session below it cannot vote)."""
        return self.present * 3 > self.delegates_total * 2


class AgendaKind(models.TextChoices):
    REPORT = "report", _("Work report (工作报告)")
    CONTRACT = "contract", _("Draft collective contract (集体合同草案)")
    WELFARE = "welfare", _("Welfare plan (福利方案)")
    RULES = "rules", _("Rules affecting the workers (规章制度)")
    FINANCE = "finance", _("Finances (财务报告)")
    ELECTION = "election", _("Election (选举)")
    OTHER = "other", _("Other (其他)")


class AgendaItem(models.Model):
    """An item the session reviewed, and the vote on it when it was put to one (votes empty: reviewed only).
    Adopted when the votes for it are more than half of all the delegates of the congress (not of those present)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AgendaKind.choices)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="democracy_agenda_position"),
            models.CheckConstraint(
                condition=(Q(votes_for__isnull=True) & Q(votes_against__isnull=True) & Q(votes_abstain__isnull=True))
                | (Q(votes_for__isnull=False) & Q(votes_against__isnull=False) & Q(votes_abstain__isnull=False)),
                name="democracy_agenda_votes_whole"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def voted(self) -> bool:
        return self.votes_for is not None

    @property
    def adopted(self) -> bool | None:
        """None when not put to the vote; else whether the votes for pass half of all the delegates."""
        if self.votes_for is None:
            return None
        return self.votes_for * 2 > self.session.delegates_total


class Delegate(models.Model):
    """A delegate of the congress, elected by an election unit (选举单位: a workshop, a department, a school's
    teaching group). A delegate found in the members registry is linked to the person."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    person = models.ForeignKey("members.Person", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    election_unit = models.CharField(_("election unit"), max_length=60)
    front_line = models.BooleanField(_("front-line worker"), default=False)
    woman = models.BooleanField(_("woman"), default=False)
    manager = models.BooleanField(_("manager (middle level and above)"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["congress", "election_unit", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "election_unit", "name"], name="democracy_delegate_once"),
            models.UniqueConstraint(fields=["congress", "person"], condition=Q(person__isnull=False),
                                    name="democracy_delegate_person_once"),
            models.CheckConstraint(condition=~(Q(front_line=True) & Q(manager=True)),
                                   name="democracy_delegate_front_or_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.election_unit}）"


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the committee")
    ACCEPTED = "accepted", _("Accepted (立案)")
    CONVERTED = "converted", _("Turned into an opinion (转意见)")
    DECLINED = "declined", _("Declined (不予立案)")
    ASSIGNED = "assigned", _("Assigned to a department")
    ANSWERED = "answered", _("Answered, awaiting the rating")
    RATED = "rated", _("Rated by the proposer")


HANDLED = (ProposalState.ASSIGNED, ProposalState.ANSWERED, ProposalState.RATED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Not satisfied (不满意)")


class Proposal(models.Model):
    """A delegate's proposal with its co-signers, the proposal committee's decision, the department that answers
    it by a deadline in working days, the reply and the proposer's rating. ``color`` is the supervision color
    (blue/yellow/red) the services and the tick keep."""

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="proposals")
    org_path = models.CharField(max_length=255, editable=False)
    seq = models.PositiveIntegerField(editable=False)
    number = models.CharField(_("number"), max_length=20, editable=False)
    title = models.CharField(_("proposal title"), max_length=100)
    reason = models.TextField(_("reasons"), max_length=3000)
    suggestion = models.TextField(_("suggestions"), max_length=3000)
    proposer = models.ForeignKey(Delegate, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="+")
    cosigners = models.ManyToManyField(Delegate, verbose_name=_("co-signers"), related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices,
                             default=ProposalState.SUBMITTED)
    submitted_on = models.DateField(_("submitted on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("committee's note"), max_length=500, blank=True)
    department = models.CharField(_("department"), max_length=60, blank=True)
    handler = models.CharField(_("handler"), max_length=50, blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    reply = models.TextField(_("reply"), max_length=5000, blank=True)
    answered_on = models.DateField(_("replied on"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("proposer's comment"), max_length=500, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened once"), default=False)
    color = models.CharField(_("color"), max_length=8, blank=True, editable=False)
    reminded_on = models.DateField(null=True, blank=True, editable=False)  # the reminder before the current deadline
    overdue_told = models.BooleanField(default=False, editable=False)  # the reminder once the deadline passed
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["org_path", "-id"], name="democracy_proposal_path_id"),
            models.Index(fields=["org_path", "submitted_on"], name="democracy_proposal_path_day"),
            models.Index(fields=["state", "due_on"], name="democracy_proposal_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["congress", "seq"], name="democracy_proposal_seq"),
            models.UniqueConstraint(fields=["congress", "number"], name="democracy_proposal_number"),
            models.CheckConstraint(condition=~Q(state="declined") | ~Q(decision_note=""),
                                   name="democracy_proposal_decline_reason"),
            models.CheckConstraint(
                condition=~Q(state__in=["assigned", "answered", "rated"])
                | (~Q(department="") & Q(assigned_on__isnull=False) & Q(due_on__gte=models.F("assigned_on"))),
                name="democracy_proposal_assigned"),
            models.CheckConstraint(condition=~Q(state__in=["answered", "rated"])
                                   | (~Q(reply="") & Q(answered_on__isnull=False)),
                                   name="democracy_proposal_answered"),
            models.CheckConstraint(condition=~Q(state="rated") | (~Q(rating="") & Q(rated_on__isnull=False)),
                                   name="democracy_proposal_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProposalEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Proposal submitted")
    ACCEPTED = "accepted", _("Proposal accepted (立案)")
    CONVERTED = "converted", _("Proposal turned into an opinion")
    DECLINED = "declined", _("Proposal declined")
    ASSIGNED = "assigned", _("Proposal assigned to a department")
    ANSWERED = "answered", _("Proposal answered")
    RATED = "rated", _("Reply rated by the proposer")
    REOPENED = "reopened", _("Proposal reopened")
    REMINDED = "reminded", _("Proposal reminder sent")
    ESCALATED = "escalated", _("Overdue proposal raised to the unit above")


class ProposalEvent(models.Model):
    """The proposal's timeline: what happened, when, entered by whom (the same events go to the audit trail)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=ProposalEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("entered by"))
    note = models.TextField(_("note"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.kind}"


class DisclosureKind(models.TextChoices):
    FACTORY = "factory", _("Factory affairs (厂务公开)")
    SCHOOL = "school", _("School affairs (校务公开)")


class DisclosureChannel(models.TextChoices):
    CONGRESS = "congress", _("At the congress (职代会)")
    BOARD = "board", _("Notice board (公开栏)")
    INTRANET = "intranet", _("Intranet (内网)")
    MEETING = "meeting", _("Meeting (会议)")
    OTHER = "other", _("Other (其他)")


class Disclosure(models.Model):
    """A 厂务公开 / 校务公开 record: what the unit disclosed to its workers, when, through which channel, to whom."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=DisclosureKind.choices)
    disclosed_on = models.DateField(_("disclosed on"))
    subject = models.CharField(_("what was disclosed"), max_length=100)
    summary = models.TextField(_("content summary"), max_length=2000)
    channel = models.CharField(_("channel"), max_length=10, choices=DisclosureChannel.choices)
    audience = models.CharField(_("audience"), max_length=100)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure record")
        verbose_name_plural = _("disclosure records")
        indexes = [models.Index(fields=["org_path", "-disclosed_on"], name="democracy_disclosure_path_day")]

    def __str__(self) -> str:
        return self.subject
