"""Reads of recuperation and check-up schemes, quotas, nominations and trips (outside the actor's reach: a 404).

A scheme (and its trips) is seen by its organiser's subtree and the unions above; a quota row and a nomination by
their union and the unions above it."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Nomination, NominationState, Quota, Scheme, Trip
from .selectors_programs import _ancestors_or_below


def scheme_scope(*, actor) -> QuerySet[Scheme]:
    actor.require("aid.view")
    return Scheme.objects.filter(_ancestors_or_below(actor))


def scheme_get(*, actor, pk) -> Scheme:
    return get_object_or_404(scheme_scope(actor=actor).select_related("org"), pk=pk)


def scheme_list(*, actor, filters: dict | None = None) -> QuerySet[Scheme]:
    filters = filters or {}
    qs = scheme_scope(actor=actor)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if year := filters.get("year"):
        qs = qs.filter(year=year)
    return qs.select_related("org").order_by("-year", "-pk")


def quota_list(*, actor, scheme: Scheme) -> QuerySet[Quota]:
    """The scheme's quota rows the actor may see (those at or below the actor's union, and the organiser's)."""
    qs = Quota.objects.filter(scheme=scheme)
    if not actor.covers(scheme.org_path):
        qs = qs.filter(org_path__startswith=actor.org.path)
    return qs.select_related("org").order_by("org_path")


def nomination_scope(*, actor) -> QuerySet[Nomination]:
    actor.require("aid.view")
    return Nomination.objects.filter(org_path__startswith=actor.org.path)


def nomination_get(*, actor, pk) -> Nomination:
    return get_object_or_404(nomination_scope(actor=actor).select_related("scheme", "org", "person", "trip"), pk=pk)


def nomination_list(*, actor, filters: dict | None = None) -> QuerySet[Nomination]:
    filters = filters or {}
    qs = nomination_scope(actor=actor)
    for name in ("scheme", "group", "state", "trip"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    return qs.select_related("scheme", "org", "person", "trip").order_by("-pk")


def trip_scope(*, actor) -> QuerySet[Trip]:
    actor.require("aid.view")
    return Trip.objects.filter(_ancestors_or_below(actor))


def trip_get(*, actor, pk) -> Trip:
    return get_object_or_404(trip_scope(actor=actor).select_related("scheme"), pk=pk)


def review_queue(*, actor) -> QuerySet[Nomination]:
    actor.require("aid.review")
    return Nomination.objects.filter(scheme__org_path__startswith=actor.org.path, state=NominationState.NOMINATED) \
        .exclude(nominated_by=actor.user).select_related("scheme", "org", "person").order_by("pk")
