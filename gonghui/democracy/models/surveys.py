"""Surveys (微调查): a questionnaire a union builds, opens by a link or QR code on the portal, and counts.

An anonymous survey keeps its answers apart from anyone who gave them, following the same idea as ``Ballot``
(and LimeSurvey's "anonymized responses"):
- a ``SurveyResponse`` of an anonymous survey has a random primary key (no sequence that tells the order of
  arrival), the survey, its union's path and the *day* it came: no person, no time of day, no address, no browser;
- its ``SurveyAnswer`` rows have random keys too, and name only the response and the question;
- nothing about a single anonymous response is audited or logged (the survey's counter moves, that is all).
An identified survey's response names the member who answered (``person``, one response per person by a unique
constraint) and keeps its time.

Answers are rows, one per chosen option (single and multiple choice), one per scale value, one per text, so the
results are grouped counts in the database (``GROUP BY question, choice``), never a loop over the responses.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


def _survey_token() -> str:
    return secrets.token_urlsafe(12)


def response_key() -> str:
    return secrets.token_hex(10)


class Survey(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("union running it"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=100)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    opens_at = models.DateTimeField(_("answers open"))
    closes_at = models.DateTimeField(_("answers close"))
    response_limit = models.PositiveIntegerField(_("response limit"), default=0,
                                                 help_text=_("0: no limit"))
    state = models.CharField(_("state"), max_length=8, choices=SurveyState.choices, default=SurveyState.DRAFT)
    responses = models.PositiveIntegerField(_("responses"), default=0, editable=False)
    public_token = models.CharField(max_length=24, unique=True, default=_survey_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["org_path", "-id"], name="democracy_survey_path_id"),
                   models.Index(fields=["state", "closes_at"], name="democracy_survey_due")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="democracy_survey_window"),
            models.CheckConstraint(condition=Q(response_limit=0) | Q(responses__lte=models.F("response_limit")),
                                   name="democracy_survey_limit"),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    # Choices: the options' texts. Scale: the labels of its two ends (optional).
    options = models.JSONField(_("options"), default=list, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most this many choices"), default=0,
                                                   help_text=_("Multiple choice; 0: no limit"))
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    max_length = models.PositiveSmallIntegerField(_("longest answer (characters)"), default=500)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="democracy_question_position"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="democracy_question_scale"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One respondent's answers. Anonymous: the random key, the survey, the day. Identified: also the member and
    the time (one per member by constraint)."""

    key = models.CharField(max_length=20, primary_key=True, default=response_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)  # the survey's: figures by subtree and day
    submitted_on = models.DateField(_("answered on"))
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["org_path", "submitted_on"], name="democracy_response_path_day"),
                   models.Index(fields=["survey", "key"], name="democracy_response_survey")]
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], condition=Q(person__isnull=False),
                                    name="democracy_one_response_per_person"),
            # No time of day without a person: an anonymous response keeps its day only.
            models.CheckConstraint(condition=Q(person__isnull=True, submitted_at__isnull=True)
                                   | Q(person__isnull=False, submitted_at__isnull=False),
                                   name="democracy_response_time_only_identified"),
        ]

    def __str__(self) -> str:
        return self.key[:8]


class SurveyAnswer(models.Model):
    """One chosen option (``choice``, its index from 0), one scale value (``value``) or one text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["question", "choice"], name="democracy_answer_choice"),
                   models.Index(fields=["question", "value"], name="democracy_answer_value")]
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "choice"], condition=Q(choice__isnull=False),
                                    name="democracy_answer_choice_once"),
        ]

    def __str__(self) -> str:
        return str(self.id)
