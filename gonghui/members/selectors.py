"""Reads of the member registry, always inside the actor's subtree."""

import re

from django.db.models import Q, QuerySet
from django.http import Http404

from gonghui.core import crypto, identity

from .models import Membership, MembershipStatus, Person

CATEGORIES = {
    "migrant": Q(is_migrant_worker=True),
    "new_employment": Q(is_new_employment=True),
    "dispatched": Q(is_dispatched=True),
    "female": Q(is_female=True),
}


def membership_scope(*, actor) -> QuerySet[Membership]:
    if actor.org is None or not actor.can("member.view"):
        return Membership.objects.none()
    return Membership.objects.filter(org_path__startswith=actor.org.path)


ID_NUMBER = r"\d{17}[\dX]|\d{15}"
MOBILE = r"(\+?86)?1[3-9]\d{9}"


def _compact(q: str) -> str:
    return re.sub(r"[-()（）]", "", identity.clean_token(q))


def is_number_search(q: str) -> bool:
    """True when ``q`` is a full ID or mobile number (found exactly) rather than a name fragment."""
    compact = _compact(q)
    return bool(re.fullmatch(ID_NUMBER, compact) or re.fullmatch(MOBILE, compact))


def _search(q: str) -> Q:
    """A name fragment, or a full ID number or mobile number matched exactly through the blind index."""
    compact = _compact(q)
    if re.fullmatch(ID_NUMBER, compact):
        try:
            number = identity.parse_resident_id(compact).number
        except Exception:
            return Q(pk__in=[])
        return Q(person__id_number_bidx=crypto.blind_index(number, kind="id_number"))
    if re.fullmatch(MOBILE, compact):
        return Q(person__phone_bidx=crypto.blind_index(identity.normalize_mobile(compact), kind="phone"))
    return Q(person__name__icontains=q.strip())


def member_list(*, actor, filters: dict | None = None) -> QuerySet[Membership]:
    filters = filters or {}
    qs = membership_scope(actor=actor).select_related("person", "union")
    status = filters.get("status", MembershipStatus.ACTIVE)
    if status:
        qs = qs.filter(status=status)
    if under := filters.get("under"):
        qs = qs.filter(org_path__startswith=under.path)
    if category := filters.get("category"):
        qs = qs.filter(CATEGORIES[category])
    if joined_from := filters.get("joined_from"):
        qs = qs.filter(joined_on__gte=joined_from)
    if joined_to := filters.get("joined_to"):
        qs = qs.filter(joined_on__lte=joined_to)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(_search(q))
    return qs


def person_get(*, actor, uid: str) -> Person:
    """A person with at least one membership (current or past) inside the actor's subtree; else 404."""
    person = Person.objects.filter(uid=uid).first()
    if person is None or not membership_scope(actor=actor).filter(person=person).exists():
        raise Http404
    return person


def person_history(*, actor, person: Person) -> list[Membership]:
    """All of a person's memberships, newest first. Unions outside the actor's scope are not named."""
    rows = list(person.memberships.select_related("union").order_by("-joined_on", "-id"))
    for m in rows:
        m.visible = actor.covers(m.org_path)
    return rows


def membership_get(*, actor, pk: int) -> Membership:
    m = membership_scope(actor=actor).select_related("person", "union").filter(pk=pk).first()
    if m is None:
        raise Http404
    return m
