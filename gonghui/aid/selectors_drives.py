"""Reads of donation drives inside the actor's reach (outside it: a 404).

A drive is seen by its organiser's subtree (its units record their part) and every union above the organiser;
a unit's row and its named donations by the unit and the unions above it."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Donation, Drive, DriveUnit
from .selectors_programs import _ancestors_or_below


def drive_scope(*, actor) -> QuerySet[Drive]:
    actor.require("aid.view")
    return Drive.objects.filter(_ancestors_or_below(actor))


def drive_get(*, actor, pk) -> Drive:
    return get_object_or_404(drive_scope(actor=actor).select_related("org"), pk=pk)


def drive_list(*, actor, filters: dict | None = None) -> QuerySet[Drive]:
    filters = filters or {}
    qs = drive_scope(actor=actor)
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    if period := (filters.get("period") or "").strip():
        qs = qs.filter(period_key=period)
    return qs.select_related("org").order_by("-day", "-pk")


def unit_list(*, actor, drive: Drive) -> QuerySet[DriveUnit]:
    """The drive's units the actor may see: all of them for the organiser's side, else those of its subtree."""
    qs = DriveUnit.objects.filter(drive=drive)
    if not actor.covers(drive.org_path):
        qs = qs.filter(org_path__startswith=actor.org.path)
    return qs.select_related("org").order_by("org_path")


def donation_list(*, actor, drive: Drive) -> QuerySet[Donation]:
    return Donation.objects.filter(drive=drive, org_path__startswith=actor.org.path) \
        .select_related("unit__org", "person").order_by("-pk")
