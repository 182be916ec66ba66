"""Recuperation (疗休养) and free check-ups (体检): a scheme of one union for a year, with a per-person subsidy and
a number of places (quota) given down the tree, nominations by group, trips (or check-up days) and attendance.

A quota row holds ``places``; of them ``allocated`` were given to the child unions and ``nominated`` are taken by
the nominations made at this union (below it where no child holds a quota). The check constraint
``aid_quota_within`` (allocated + nominated ≤ places) is the invariant: a parent never gives or nominates more
than it holds, whatever the code does. One live nomination per person per scheme is a partial unique index.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchemeKind(models.TextChoices):
    RECUPERATION = "recuperation", _("Recuperation (疗休养)")
    CHECKUP = "checkup", _("Free check-up (体检)")


class Scheme(models.Model):
    org = models.ForeignKey("orgs.Org", verbose_name=_("organising union"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=SchemeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("scheme name"), max_length=100)
    subsidy = models.DecimalField(_("subsidy per person"), max_digits=10, decimal_places=2)
    places = models.PositiveIntegerField(_("places (quota)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recuperation or check-up scheme")
        verbose_name_plural = _("recuperation and check-up schemes")
        indexes = [models.Index(fields=["org_path", "-year"], name="aid_scheme_path_year")]
        constraints = [models.CheckConstraint(condition=Q(subsidy__gte=0), name="aid_scheme_subsidy")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Quota(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="quotas")
    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    places = models.PositiveIntegerField(_("places"))
    allocated = models.PositiveIntegerField(_("given to the unions below"), default=0, editable=False)
    nominated = models.PositiveIntegerField(_("taken by nominations"), default=0, editable=False)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="aid_quota_once"),
            models.CheckConstraint(condition=Q(allocated__gte=0) & Q(nominated__gte=0)
                                   & Q(places__gte=F("allocated") + F("nominated")), name="aid_quota_within"),
        ]

    def __str__(self) -> str:
        return f"{self.org.name}: {self.places}"

    @property
    def left(self) -> int:
        return self.places - self.allocated - self.nominated


class NominationGroup(models.TextChoices):
    MODEL_WORKER = "model_worker", _("Model worker (劳模)")
    FRONTLINE = "frontline", _("Front-line worker (一线职工)")
    NEW_EMPLOYMENT = "new_employment", _("New forms of employment (新就业形态劳动者)")
    EPIDEMIC = "epidemic", _("Epidemic front line (抗疫一线)")
    OTHER = "other", _("Other")


class NominationState(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")


class Trip(models.Model):
    """A recuperation trip (dates, place) or a check-up day (date, hospital), with its capacity."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="trips")
    org_path = models.CharField(max_length=255, editable=False)
    place = models.CharField(_("place or hospital"), max_length=100)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"))
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(_("people assigned"), default=0, editable=False)

    class Meta:
        verbose_name = _("trip or check-up day")
        verbose_name_plural = _("trips and check-up days")
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=F("start_on")), name="aid_trip_dates"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="aid_trip_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.start_on:%Y-%m-%d}"


LIVE_NOMINATIONS = [NominationState.NOMINATED, NominationState.APPROVED, NominationState.ATTENDED,
                    NominationState.ABSENT]


class Nomination(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
                               related_name="nominations")
    quota = models.ForeignKey(Quota, verbose_name=_("quota"), on_delete=models.PROTECT, related_name="+",
                              editable=False)
    org = models.ForeignKey("orgs.Org", verbose_name=_("nominating union"), on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey("members.Person", verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="+")
    group = models.CharField(_("group"), max_length=16, choices=NominationGroup.choices)
    state = models.CharField(_("state"), max_length=10, choices=NominationState.choices,
                             default=NominationState.NOMINATED)
    trip = models.ForeignKey(Trip, verbose_name=_("trip or check-up day"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="nominations")
    attended_on = models.DateField(_("attended on"), null=True, blank=True)
    refused_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("nominated at"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        indexes = [
            models.Index(fields=["org_path", "-id"], name="aid_nomination_path_id"),
            models.Index(fields=["org_path", "attended_on", "group"], name="aid_nomination_attended",
                         condition=Q(state="attended")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "person"], name="aid_nomination_once",
                                    condition=~Q(state="refused")),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} #{self.pk}"
