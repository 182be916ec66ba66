"""Recuperation (疗休养) and check-up (体检) services (issue §4).

- A scheme is set up by federation staff (aid.settings) of the organising union with its places and per-person
  subsidy; the organiser's quota row holds all the places.
- Places go down the tree: a union holding a quota gives part of it to a child union (``quota_allocate``, aid.write
  over the giver). The giver's row is locked (``select_for_update``) and the gift refused when it passes what is
  left; the check constraint ``aid_quota_within`` backs it in the database. Giving a child fewer places than it
  already uses is refused the same way.
- A nomination (an active member of the nominating union's subtree, in a group) takes a place of the nearest quota
  at or above that union; a refusal gives the place back. One live nomination per person per scheme is the
  partial unique index ``aid_nomination_once``.
- A SECOND person (aid.review over the organiser, not the nominator) approves or refuses (maker-checker as
  grant_approve). Approved people are assigned to a trip or check-up day (capacity locked), then marked attended
  or absent. The subsidy due is the scheme's per-person subsidy × people attended (not posted to the books here).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.members.models import Membership, MembershipStatus

from .drives import money
from .models import (
    LIVE_NOMINATIONS,
    Nomination,
    NominationGroup,
    NominationState,
    Quota,
    Scheme,
    SchemeKind,
    Trip,
)

MAX_PLACES = 1000000


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _places(value, field: str = "places") -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if not 0 <= n <= MAX_PLACES:
        raise ValidationError({field: _("Enter a number between 0 and %(n)s.") % {"n": MAX_PLACES}})
    return n


@transaction.atomic
def scheme_create(*, actor, org, kind: str, year: int, name: str, subsidy, places) -> Scheme:
    actor.require("aid.settings")
    actor.require_covers(org.path)
    if kind not in SchemeKind.values:
        raise ValidationError({"kind": _("Choose recuperation or check-up.")})
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    name = (name or "").strip()
    if len(name) < 2:
        raise ValidationError({"name": _("Name the scheme.")})
    scheme = Scheme(org=org, org_path=org.path, kind=kind, year=year, name=name[:100],
                    subsidy=money(subsidy, "subsidy", limit=Decimal("100000")), places=_places(places),
                    created_by=_user(actor))
    scheme.full_clean()
    scheme.save()
    Quota.objects.create(scheme=scheme, org=org, org_path=org.path, places=scheme.places)
    audit.record(actor=actor, action="aid.scheme_create", object_type="aid.scheme", object_id=scheme.pk,
                 scope_path=org.path, details={"name": scheme.name, "places": scheme.places,
                                               "subsidy": str(scheme.subsidy)})
    return scheme


def _quota_error(quota: Quota, asked: int):
    return ValidationError({"places": _("%(org)s holds %(p)s places: %(a)s given below, %(n)s nominated, %(l)s left; "
                                        "%(x)s more were asked for.") % {
        "org": quota.org.name, "p": quota.places, "a": quota.allocated, "n": quota.nominated, "l": quota.left,
        "x": asked}})


@transaction.atomic
def quota_allocate(*, actor, scheme: Scheme, org, places) -> Quota:
    """Give ``org`` (a child of a union holding a quota) ``places`` places of its parent's; a new number replaces
    the old one (the difference goes back to, or comes from, the parent)."""
    actor.require("aid.write")
    places = _places(places)
    parent_org = type(org).objects.get_parent(org)
    if parent_org is None or not org.path.startswith(scheme.org_path) or org.path == scheme.org_path:
        raise ValidationError({"org": _("%(org)s is not a union below the organiser of this scheme.") % {
            "org": org.name}})
    actor.require_covers(parent_org.path)
    parent = Quota.objects.select_for_update().select_related("org").filter(scheme=scheme, org=parent_org).first()
    if parent is None:
        raise ValidationError({"org": _("%(org)s holds no places of this scheme to give.") % {
            "org": parent_org.name}})
    child = Quota.objects.select_for_update().select_related("org").filter(scheme=scheme, org=org).first()
    before = child.places if child else 0
    delta = places - before
    if delta > parent.left:
        raise _quota_error(parent, delta)
    if child is not None and places < child.allocated + child.nominated:
        raise ValidationError({"places": _("%(org)s already uses %(u)s places: it cannot be given fewer.") % {
            "org": org.name, "u": child.allocated + child.nominated}})
    if child is None:
        child = Quota(scheme=scheme, org=org, org_path=org.path, places=places)
        child.save(force_insert=True)
    else:
        child.places = places
        child.save(update_fields=["places"])
    Quota.objects.filter(pk=parent.pk).update(allocated=F("allocated") + delta)
    audit.record(actor=actor, action="aid.quota_allocate", object_type="aid.scheme", object_id=scheme.pk,
                 scope_path=org.path, details={"unit": org.name, "places": places, "before": before})
    return child


def holding_quota(scheme: Scheme, org) -> Quota | None:
    """The nearest quota at or above ``org`` (the deepest union of its path holding one)."""
    paths = [org.path[:i] for i in range(len(scheme.org_path), len(org.path) + 1, org.steplen)]
    return Quota.objects.filter(scheme=scheme, org_path__in=paths).order_by("-org_path").first()


@transaction.atomic
def nomination_create(*, actor, scheme: Scheme, org, person, group: str) -> Nomination:
    actor.require("aid.write")
    actor.require_covers(org.path)
    if not org.path.startswith(scheme.org_path):
        raise ValidationError({"org": _("%(org)s is not a union below the organiser of this scheme.") % {
            "org": org.name}})
    if group not in NominationGroup.values:
        raise ValidationError({"group": _("Choose the group the member is nominated in.")})
    if not Membership.objects.filter(person=person, org_path__startswith=org.path,
                                     status=MembershipStatus.ACTIVE).exists():
        raise ValidationError({"person": _("This person is not an active member of %(org)s.") % {"org": org.name}})
    if Nomination.objects.filter(scheme=scheme, person=person, state__in=LIVE_NOMINATIONS).exists():
        raise ValidationError({"person": _("This member is already nominated for %(s)s.") % {"s": scheme.name}})
    held = holding_quota(scheme, org)
    quota = Quota.objects.select_for_update().select_related("org").get(pk=held.pk)
    if quota.left < 1:
        raise _quota_error(quota, 1)
    nomination = Nomination(scheme=scheme, quota=quota, org=org, org_path=org.path, person=person, group=group,
                            nominated_by=_user(actor))
    try:
        with transaction.atomic():
            nomination.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"person": _("This member is already nominated for %(s)s.") % {
            "s": scheme.name}}) from None
    Quota.objects.filter(pk=quota.pk).update(nominated=F("nominated") + 1)
    audit.record(actor=actor, action="aid.nomination_create", object_type="aid.nomination",
                 object_id=nomination.pk, scope_path=org.path, details={"scheme": scheme.pk, "group": group})
    return nomination


def _lock_nomination(actor, nomination: Nomination) -> Nomination:
    actor.require("aid.review")
    actor.require_covers(nomination.scheme.org_path)
    return Nomination.objects.select_for_update().select_related("scheme").get(pk=nomination.pk)


@transaction.atomic
def nomination_approve(*, actor, nomination: Nomination) -> Nomination:
    nomination = _lock_nomination(actor, nomination)
    if nomination.nominated_by_id is not None and nomination.nominated_by_id == getattr(actor.user, "pk", None):
        raise PermissionDenied(_("The person who made a nomination cannot approve it: a second person must."))
    if nomination.state != NominationState.NOMINATED:
        raise ValidationError(_("Only a nomination awaiting approval can be approved."))
    nomination.state, nomination.decided_by = NominationState.APPROVED, _user(actor)
    nomination.save(update_fields=["state", "decided_by"])
    audit.record(actor=actor, action="aid.nomination_approve", object_type="aid.nomination",
                 object_id=nomination.pk, scope_path=nomination.org_path, details={})
    return nomination


@transaction.atomic
def nomination_refuse(*, actor, nomination: Nomination, reason: str) -> Nomination:
    """Refuse a nomination awaiting approval or approved (not yet attended): its place goes back to its quota."""
    nomination = _lock_nomination(actor, nomination)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    if nomination.state not in (NominationState.NOMINATED, NominationState.APPROVED):
        raise ValidationError(_("Only a nomination awaiting approval or approved can be refused."))
    Quota.objects.select_for_update().filter(pk=nomination.quota_id).update(nominated=F("nominated") - 1)
    if nomination.trip_id:
        Trip.objects.filter(pk=nomination.trip_id).update(booked=F("booked") - 1)
    nomination.state, nomination.refused_reason = NominationState.REFUSED, reason[:200]
    nomination.decided_by, nomination.trip = _user(actor), None
    nomination.save(update_fields=["state", "refused_reason", "decided_by", "trip"])
    audit.record(actor=actor, action="aid.nomination_refuse", object_type="aid.nomination",
                 object_id=nomination.pk, scope_path=nomination.org_path, details={"reason": reason[:200]})
    return nomination


@transaction.atomic
def trip_create(*, actor, scheme: Scheme, place: str, start_on: datetime.date, end_on: datetime.date | None = None,
                capacity) -> Trip:
    actor.require("aid.write")
    actor.require_covers(scheme.org_path)
    place = (place or "").strip()
    if len(place) < 2:
        raise ValidationError({"place": _("Name the place or the hospital.")})
    end_on = end_on or start_on
    if end_on < start_on:
        raise ValidationError({"end_on": _("The end comes before the start.")})
    if start_on.year != scheme.year:
        raise ValidationError({"start_on": _("The date is not in the scheme's year %(y)s.") % {"y": scheme.year}})
    capacity = _places(capacity, "capacity")
    if capacity < 1:
        raise ValidationError({"capacity": _("Enter a number between 1 and %(n)s.") % {"n": MAX_PLACES}})
    trip = Trip(scheme=scheme, org_path=scheme.org_path, place=place[:100], start_on=start_on, end_on=end_on,
                capacity=capacity)
    trip.full_clean()
    trip.save()
    audit.record(actor=actor, action="aid.trip_create", object_type="aid.scheme", object_id=scheme.pk,
                 scope_path=scheme.org_path, details={"place": trip.place, "start_on": str(start_on),
                                                      "capacity": capacity})
    return trip


@transaction.atomic
def trip_assign(*, actor, trip: Trip, nominations: list[Nomination]) -> int:
    """Put approved nominations of the trip's scheme on the trip, within its capacity (the trip row locked)."""
    actor.require("aid.write")
    actor.require_covers(trip.org_path)
    trip = Trip.objects.select_for_update().get(pk=trip.pk)
    ids = [n.pk for n in nominations]
    rows = list(Nomination.objects.select_for_update().filter(pk__in=ids, scheme_id=trip.scheme_id,
                                                              state=NominationState.APPROVED, trip__isnull=True))
    if len(rows) != len(set(ids)):
        raise ValidationError({"nominations": _("Only approved nominations of this scheme not yet on a trip can be "
                                                "assigned.")})
    if trip.booked + len(rows) > trip.capacity:
        raise ValidationError({"nominations": _("%(p)s has room for %(l)s more people; %(n)s were chosen.") % {
            "p": trip.place, "l": trip.capacity - trip.booked, "n": len(rows)}})
    Nomination.objects.filter(pk__in=[r.pk for r in rows]).update(trip=trip)
    Trip.objects.filter(pk=trip.pk).update(booked=F("booked") + len(rows))
    audit.record(actor=actor, action="aid.trip_assign", object_type="aid.scheme", object_id=trip.scheme_id,
                 scope_path=trip.org_path, details={"place": trip.place, "count": len(rows)})
    return len(rows)


@transaction.atomic
def attendance_mark(*, actor, trip: Trip, attended: list[int], absent: list[int]) -> int:
    """Mark the people of the trip attended (on the trip's first day) or absent; a mark may be corrected."""
    actor.require("aid.write")
    actor.require_covers(trip.org_path)
    if set(attended) & set(absent):
        raise ValidationError({"attended": _("A person cannot be both attended and absent.")})
    on_trip = Nomination.objects.select_for_update().filter(trip=trip, state__in=[
        NominationState.APPROVED, NominationState.ATTENDED, NominationState.ABSENT])
    known = set(on_trip.values_list("pk", flat=True))
    if not set(attended) | set(absent) <= known:
        raise ValidationError({"attended": _("Only people assigned to this trip can be marked.")})
    n = on_trip.filter(pk__in=attended).update(state=NominationState.ATTENDED, attended_on=trip.start_on)
    n += on_trip.filter(pk__in=absent).update(state=NominationState.ABSENT, attended_on=None)
    audit.record(actor=actor, action="aid.attendance_mark", object_type="aid.scheme", object_id=trip.scheme_id,
                 scope_path=trip.org_path, details={"place": trip.place, "attended": len(attended),
                                                    "absent": len(absent)})
    return n


def subsidy_due(scheme: Scheme) -> tuple[int, Decimal]:
    """(people attended, subsidy due = per-person subsidy × attended)."""
    n = Nomination.objects.filter(scheme=scheme, state=NominationState.ATTENDED).count()
    return n, (scheme.subsidy * n).quantize(Decimal("0.01"))
