"""Evaluation polls (民主评议 / 民主测评 / 会员评议职工之家) with secret, checkable ballots.

Secrecy is built into the schema (the threat model is in the README, "Secret ballots"):
- ``VotingCode`` holds only a keyed hash of a code (its primary key), the poll, and for a code sent to a member
  the unit it went to (turnout by unit). It never names a person, and a code is *deleted* when it is used: no row
  is updated in the vote's transaction, so no visible row shares the ballot's transaction id (PostgreSQL's xmin).
- ``PollRecipient`` says only that a person was sent a code for a poll (to stop a second one); the codes of one
  sending are written in a random order, unrelated to the order of the recipients.
- ``Ballot``'s primary key is its random tracking code (the voter's receipt); a ballot has the poll, its answers
  and an optional comment: no time, no sequential key, no reference to a code, a unit or a person.
- The answers are one character per (subject, criterion) cell, subjects outer, criteria inner: the grade's
  position on the poll's scale, counted from 1.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    COMPETENCE = "competence", _("优秀 / 称职 / 基本称职 / 不称职")
    SATISFACTION = "satisfaction", _("满意 / 基本满意 / 不满意")


# The grades of each scale, best first; the last is the one the flag rule counts.
GRADES = {
    Scale.COMPETENCE: ("优秀", "称职", "基本称职", "不称职"),
    Scale.SATISFACTION: ("满意", "基本满意", "不满意"),
}


class PollKind(models.TextChoices):
    APPRAISAL = "appraisal", _("Democratic appraisal (民主评议)")
    ASSESSMENT = "assessment", _("Democratic assessment of cadres (民主测评)")
    HOME = "home", _("Members rate the workers' home (会员评议职工之家)")


class Electorate(models.TextChoices):
    ON_SITE = "on_site", _("Voters on site with printed codes")
    MEMBERS = "members", _("The members of a union and the unions below it, codes sent to them")
    DELEGATES = "delegates", _("A list of delegates, codes sent to them")


class PollState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed, counted")
    PUBLISHED = "published", _("Result published")


class CriteriaSet(models.Model):
    """A set of criteria kept by admins (seed 001's five questions, 德能勤绩廉, 会员评议职工之家 ship as templates)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    scale = models.CharField(_("scale"), max_length=12, choices=Scale.choices)
    criteria = models.JSONField(_("criteria"), help_text=_("One criterion per line"))
    builtin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")

    def __str__(self) -> str:
        return self.name


def _public_token() -> str:
    return secrets.token_urlsafe(12)


class Poll(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("union running it"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=PollKind.choices)
    title = models.CharField(_("title"), max_length=100)
    scale = models.CharField(_("scale"), max_length=12, choices=Scale.choices)
    criteria = models.JSONField(_("criteria"))
    allow_comment = models.BooleanField(_("voters may add a comment"), default=False)
    electorate = models.CharField(_("electorate"), max_length=10, choices=Electorate.choices)
    electorate_org = models.ForeignKey("orgs.Org", verbose_name=_("members of"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    electorate_size = models.PositiveIntegerField(_("voters in the electorate"), default=0)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    turnout_num = models.PositiveSmallIntegerField(default=2)
    turnout_den = models.PositiveSmallIntegerField(default=3)
    flag_num = models.PositiveSmallIntegerField(default=1)
    flag_den = models.PositiveSmallIntegerField(default=3)
    state = models.CharField(_("state"), max_length=10, choices=PollState.choices, default=PollState.DRAFT)
    codes_issued = models.PositiveIntegerField(_("codes issued"), default=0, editable=False)
    codes_unused = models.PositiveIntegerField(_("codes left unused"), default=0, editable=False)
    ballots = models.PositiveIntegerField(_("ballots cast"), default=0, editable=False)
    result = models.JSONField(_("tally"), default=dict, blank=True, editable=False)
    public_token = models.CharField(max_length=24, unique=True, default=_public_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation poll")
        verbose_name_plural = _("evaluation polls")
        indexes = [models.Index(fields=["org_path", "-id"], name="democracy_poll_path_id"),
                   models.Index(fields=["org_path", "closed_at"], name="democracy_poll_path_closed")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="democracy_poll_window"),
            models.CheckConstraint(condition=Q(turnout_num__lte=models.F("turnout_den")) & Q(turnout_den__gt=0)
                                   & Q(flag_num__lte=models.F("flag_den")) & Q(flag_den__gt=0),
                                   name="democracy_poll_rules"),
        ]

    def __str__(self) -> str:
        return self.title

    def grades(self) -> tuple[str, ...]:
        return GRADES[self.scale]


class Subject(models.Model):
    """Who or what is evaluated: a named cadre, a leadership team, the union itself."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="subjects")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("post"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("subject evaluated")
        verbose_name_plural = _("subjects evaluated")
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="democracy_subject_position")]

    def __str__(self) -> str:
        return self.name


class VotingCode(models.Model):
    """An unused voting code, as a keyed hash. Used codes are deleted (see the module's docstring)."""

    hash = models.CharField(max_length=64, primary_key=True)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")

    def __str__(self) -> str:
        return self.hash[:8]


class PollRecipient(models.Model):
    """A person was sent a code for this poll (which code is nowhere)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("voter sent a code")
        verbose_name_plural = _("voters sent a code")
        constraints = [models.UniqueConstraint(fields=["poll", "person"], name="democracy_one_code_per_person")]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.pk}"


class Ballot(models.Model):
    """A cast ballot: its tracking code (the receipt), the poll, the answers. Nothing else."""

    tracking = models.CharField(_("tracking code"), max_length=14, primary_key=True)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    answers = models.CharField(max_length=2000)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["poll", "tracking"], name="democracy_ballot_poll")]

    def __str__(self) -> str:
        return self.tracking
