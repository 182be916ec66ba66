"""Field visits (走访调研), inspections (督导) and the public mailbox's tips (作风直通车).

The team of a visit or an inspection round is made of staff accounts (users), so a visit names no person who is
not already a user of the platform: no new personal data. The units visited are orgs of the tree or enterprises
not yet unionized, named with their unified social credit code (GB 32100).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField


class FieldVisit(models.Model):
    """One field visit of a unit's team: where it went, the forums and interviews held, what was found and solved."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("subject of the visit"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team leader"), on_delete=models.PROTECT,
                               related_name="+")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("team"), related_name="+", blank=True)
    forums = models.PositiveIntegerField(_("forums held"), default=0)
    forum_people = models.PositiveIntegerField(_("workers at the forums"), default=0)
    interviews = models.PositiveIntegerField(_("individual interviews"), default=0)
    questionnaires = models.PositiveIntegerField(_("questionnaires handed out"), default=0)
    solved = models.PositiveIntegerField(_("problems solved on the spot"), default=0)
    solved_text = models.TextField(_("what was solved on the spot"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        indexes = [models.Index(fields=["org_path", "started_on"], name="oversight_visit_path_start")]
        constraints = [models.CheckConstraint(condition=models.Q(ended_on__gte=models.F("started_on")),
                                              name="oversight_visit_dates")]

    def __str__(self) -> str:
        return self.title


class VisitUnit(models.Model):
    """A unit visited: an org of the tree, or an enterprise not yet unionized (name and credit code)."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("orgs.Org", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("unit visited")
        verbose_name_plural = _("units visited")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class FindingFate(models.TextChoices):
    NOTED = "noted", _("Noted")
    PROBLEM = "problem", _("On the problem list")
    CASE = "case", _("A request case")


class VisitFinding(models.Model):
    """A problem found on a visit; it may go on the problem list (``link_kind``/``link_id`` point at it)."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="findings")
    text = models.CharField(_("problem found"), max_length=500)
    fate = models.CharField(_("follow-up"), max_length=8, choices=FindingFate.choices, default=FindingFate.NOTED)
    link_kind = models.CharField(max_length=30, blank=True)
    link_id = models.BigIntegerField(null=True, blank=True)
    link_label = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")
        ordering = ["pk"]
        indexes = [models.Index(fields=["link_kind", "link_id"], name="oversight_finding_link")]

    def __str__(self) -> str:
        return self.text


class VisitStat(models.Model):
    """Pre-aggregated visit counts of a unit's subtree (``unit`` is its path) by month of the visit's start."""

    unit = models.CharField(max_length=255)
    month = models.PositiveIntegerField()  # yyyymm
    visits = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    forums = models.IntegerField(default=0)
    forum_people = models.IntegerField(default=0)
    interviews = models.IntegerField(default=0)
    questionnaires = models.IntegerField(default=0)
    findings = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="oversight_visitstat_key")]

    def __str__(self) -> str:
        return f"{self.unit} {self.month}"


class InspectionRound(models.Model):
    """A round of inspection (督导) by a unit's team over units of its subtree."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("inspecting unit"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("round"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team leader"), on_delete=models.PROTECT,
                               related_name="+")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("team"), related_name="+", blank=True)
    units = models.ManyToManyField("orgs.Org", verbose_name=_("units inspected"), related_name="+")
    methods = models.CharField(_("methods"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        indexes = [models.Index(fields=["org_path", "started_on"], name="oversight_insp_path_start")]
        constraints = [models.CheckConstraint(condition=models.Q(ended_on__gte=models.F("started_on")),
                                              name="oversight_inspection_dates")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    PROMPT = "prompt", _("Work prompt (工作提示)")
    FEEDBACK = "feedback", _("Inspection feedback (督导反馈单)")


class ItemState(models.TextChoices):
    OPEN = "open", _("Awaiting the answer")
    ANSWERED = "answered", _("Answered")


class InspectionItem(models.Model):
    """A 工作提示 or 督导反馈单 issued in a round to one unit, which answers it by ``due_on``. ``org_path`` is the
    unit's path: the unit and every federation above it see the item."""

    round = models.ForeignKey(InspectionRound, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="items")
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    unit = models.ForeignKey("orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    number = models.CharField(_("number"), max_length=30)
    title = models.CharField(_("item title"), max_length=200)
    content = models.TextField(_("content"))
    issued_on = models.DateField(_("date issued"))
    due_on = models.DateField(_("answer by"))
    state = models.CharField(_("state"), max_length=8, choices=ItemState.choices, default=ItemState.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reminded_on = models.DateField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        indexes = [models.Index(fields=["org_path", "due_on"], name="oversight_insp_item_due"),
                   models.Index(fields=["state", "due_on"], name="oversight_insp_item_open")]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="oversight_insp_item_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TipState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")


class TipFate(models.TextChoices):
    NONE = "", _("Not followed up")
    PROBLEM = "problem", _("On the problem list")
    CASE = "case", _("A request case")


class Tip(models.Model):
    """A tip sent to the public mailbox (作风直通车) of a federation: anonymous, or with a contact given with consent.

    What the tip says may name people, so the text and the contact are encrypted; the office reads the text, and the
    contact is shown masked unless revealed with a reason. The sender looks the answer up with the tracking code and
    the check code shown once when the tip was sent (only a keyed hash of the check is kept)."""

    org = models.ForeignKey("orgs.Org", verbose_name=_("receiving federation"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    code = models.CharField(_("tracking code"), max_length=12, unique=True)
    check_hash = models.CharField(max_length=32)
    subject = EncryptedTextField(_("tip subject"), kind="tip_text",
                                 purpose="Handling a tip about the conduct of union cadres (作风直通车)",
                                 retention="Three years after the answer, then anonymised")
    body = EncryptedTextField(_("what happened"), kind="tip_text",
                              purpose="Handling a tip about the conduct of union cadres (作风直通车)",
                              retention="Three years after the answer, then anonymised")
    contact_name = EncryptedTextField(_("contact name"), kind="name",
                                      purpose="Contacting the sender of a tip who chose to give a contact",
                                      retention="Three years after the answer, then anonymised")
    contact_phone = EncryptedTextField(_("contact phone"), kind="phone",
                                       purpose="Contacting the sender of a tip who chose to give a contact",
                                       retention="Three years after the answer, then anonymised")
    consent = models.ForeignKey("members.Consent", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=TipState.choices, default=TipState.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    fate = models.CharField(_("follow-up"), max_length=8, choices=TipFate.choices, default=TipFate.NONE,
                            blank=True)
    link_kind = models.CharField(max_length=30, blank=True)
    link_id = models.BigIntegerField(null=True, blank=True)
    link_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        indexes = [models.Index(fields=["org_path", "created_at"], name="oversight_tip_path_created"),
                   models.Index(fields=["link_kind", "link_id"], name="oversight_tip_link")]

    def __str__(self) -> str:
        return self.code
