"""Membership transfers (关系转接): the origin union releases, the destination union accepts.

Who asks decides where the transfer starts:
- the origin union: its request is its release, so the transfer starts ``released`` and waits for the
  destination (asking and then releasing one's own request would be a second click with no meaning);
- the destination union, which types the person's full ID number: it learns only that an active member
  was found (and a transfer requested) or not; the origin must release, and until then the destination is
  told neither who the person is (name, sex, masked ID) nor which union they belong to, on any page, list
  or export;
- the member on the portal (ID number, last four digits of the phone, destination code): the origin
  releases, then the destination accepts.

The destination may lie outside the origin's subtree (across counties): it is found by its code among all
active member units. Each side sees the transfer (from_path or to_path under its subtree) and only what it
needs: the destination sees the person's name, sex, masked ID and the origin union's name once the origin
released (or when the member asked themself), never the origin's records; the origin sees the destination
union's name.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity
from gonghui.core.identity import mask
from gonghui.core.models import Outcome
from gonghui.orgs.models import Org, Status

from . import cards
from .models import Membership, MembershipStatus, Sex, Transfer, TransferStatus
from .services import MEMBER_UNIT_LEVELS, check_member_unit

OPEN = (TransferStatus.REQUESTED, TransferStatus.RELEASED)
CLOSED = (TransferStatus.COMPLETED, TransferStatus.REFUSED, TransferStatus.CANCELLED)
ORIGIN, DESTINATION, MEMBER = "origin", "destination", "member"
PORTAL = cards.PORTAL
# Categories that describe the worker rather than the job, carried to the new membership.
CARRIED = ("is_migrant_worker", "is_new_employment", "is_dispatched", "employment_form")
_CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _new_code() -> str:
    while True:
        code = "T" + "".join(secrets.choice(_CODE_CHARS) for _ in range(9))
        if not Transfer.objects.filter(code=code).exists():
            return code


def destination_find(code: str) -> Org:
    """The active member unit with this code, anywhere in the federation. Bad codes name the field."""
    value = identity.clean_token(code)
    if not value:
        raise ValidationError({"to_code": _("Type the code of the destination union.")})
    org = Org.objects.filter(code=value).first()
    if org is None:
        raise ValidationError({"to_code": _("No union has the code %(code)s.") % {"code": value}})
    if org.status != Status.ACTIVE or org.level not in MEMBER_UNIT_LEVELS:
        raise ValidationError({"to_code": _("%(name)s (%(code)s) does not take members: choose a grassroots union "
                                            "or a branch.") % {"name": org.name, "code": value}})
    return org


# ---- reads ---------------------------------------------------------------------------------------------

def transfer_scope(*, actor) -> QuerySet[Transfer]:
    """Transfers with either end inside the actor's subtree."""
    if actor.org is None or not actor.can("member.view"):
        return Transfer.objects.none()
    p = actor.org.path
    return Transfer.objects.filter(Q(from_path__startswith=p) | Q(to_path__startswith=p))


def transfer_inbox(*, actor, box: str = "incoming") -> QuerySet[Transfer]:
    """``incoming``: open transfers into the actor's unions; ``outgoing``: open ones out of them; ``closed``."""
    qs = transfer_scope(actor=actor).select_related("person", "from_union", "to_union")
    if actor.org is None:
        return qs
    p = actor.org.path
    if box == "incoming":
        return qs.filter(to_path__startswith=p, status__in=OPEN)
    if box == "outgoing":
        return qs.filter(from_path__startswith=p, status__in=OPEN)
    return qs.filter(status__in=CLOSED)


def transfer_get(*, actor, code: str) -> Transfer:
    t = (transfer_scope(actor=actor).select_related("person", "from_union", "to_union", "from_membership")
         .filter(code=(code or "").strip().upper()).first())
    if t is None:
        raise Http404
    return t


def sides(actor, t: Transfer) -> set[str]:
    """The ends of the transfer the actor acts for (a county covering both ends acts for both)."""
    out = set()
    if actor.covers(t.from_path):
        out.add(ORIGIN)
    if actor.covers(t.to_path):
        out.add(DESTINATION)
    return out


def origin_visible(actor, t: Transfer) -> bool:
    """The destination learns who the member is and the origin's name once the origin agreed, or when the member
    asked. A destination's own request answers only that a member was found elsewhere: typing an ID number must
    not tell it who holds the number."""
    return (ORIGIN in sides(actor, t) or t.requested_via != DESTINATION
            or t.status in (TransferStatus.RELEASED, TransferStatus.COMPLETED))


person_visible = origin_visible


def awaiting(t: Transfer) -> str:
    if t.status == TransferStatus.REQUESTED:
        return ORIGIN
    if t.status == TransferStatus.RELEASED:
        return DESTINATION
    return ""


def can(actor, t: Transfer, action: str) -> bool:
    """Whether the actor may take ``action`` (release, accept, refuse, cancel) on the transfer now."""
    if not actor.can("member.write") or t.status not in OPEN:
        return False
    mine = sides(actor, t)
    if action == "release":
        return ORIGIN in mine and t.status == TransferStatus.REQUESTED
    if action == "accept":
        return DESTINATION in mine and t.status == TransferStatus.RELEASED
    if action == "refuse":
        # The side that has to act may say no; the destination may also decline a member's request early.
        return ((ORIGIN in mine and t.status == TransferStatus.REQUESTED)
                or (DESTINATION in mine and (t.status == TransferStatus.RELEASED or t.requested_via == MEMBER)))
    if action == "cancel":
        return t.requested_via in mine
    return False


def transfer_view(*, actor, t: Transfer) -> dict:
    """What the actor may see of the transfer: the person in outline, the other union by name only."""
    mine = sides(actor, t)
    p = t.person
    told = person_visible(actor, t)
    return {
        "code": t.code, "status": t.status, "status_label": t.get_status_display(),
        "requested_via": t.requested_via, "requested_via_label": t.get_requested_via_display(),
        "name": p.name if told else "", "sex": Sex(p.sex).label if p.sex and told else "",
        "id_masked": mask(p.id_number, kind="id_number") if told else "",
        "person_uid": p.uid if ORIGIN in mine or (DESTINATION in mine and t.status == TransferStatus.COMPLETED)
        else "",
        "from_name": t.from_union.name if origin_visible(actor, t) else "",
        "from_code": t.from_union.code if ORIGIN in mine else "",
        "to_name": t.to_union.name, "to_code": t.to_union.code if DESTINATION in mine else "",
        "note": t.note, "refuse_reason": t.refuse_reason,
        "requested_on": timezone.localtime(t.requested_at).date(),
        "released_on": timezone.localtime(t.released_at).date() if t.released_at else None,
        "completed_on": timezone.localtime(t.completed_at).date() if t.completed_at else None,
        "awaiting": awaiting(t), "sides": sorted(mine),
        "actions": [a for a in ("release", "accept", "refuse", "cancel") if can(actor, t, a)],
    }


# ---- requests ------------------------------------------------------------------------------------------

def _check_open(membership: Membership) -> None:
    if Transfer.objects.filter(from_membership=membership, status__in=OPEN).exists():
        raise ValidationError(_("A transfer of this membership is already under way."), code="open_transfer")


def _create(*, membership: Membership, to_union: Org, via: str, note: str) -> Transfer:
    if to_union.pk == membership.union_id:
        raise ValidationError({"to_code": _("The member already belongs to %(name)s.") % {"name": to_union.name}})
    _check_open(membership)
    now = timezone.now()
    t = Transfer(code=_new_code(), person=membership.person, from_membership=membership,
                 from_union=membership.union, from_path=membership.org_path, to_union=to_union,
                 to_path=to_union.path, requested_via=via, note=(note or "").strip()[:200], requested_at=now)
    if via == ORIGIN:
        t.status, t.released_at = TransferStatus.RELEASED, now
    t.full_clean(exclude=["person", "from_membership", "from_union", "to_union", "to_membership"])
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError:  # a concurrent request won the one-open-transfer constraint
        raise ValidationError(_("A transfer of this membership is already under way."), code="open_transfer") from None
    return t


@transaction.atomic
def transfer_request_by_origin(*, actor, membership: Membership, to_code: str, note: str = "") -> Transfer:
    """The origin union sends one of its members to the union with code ``to_code`` (released at once)."""
    actor.require("member.write")
    actor.require_covers(membership.org_path)
    membership = Membership.objects.select_for_update().select_related("person", "union").get(pk=membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only an active membership can be transferred."), code="not_active")
    to_union = destination_find(to_code)
    t = _create(membership=membership, to_union=to_union, via=ORIGIN, note=note)
    audit.record(actor=actor, action="transfer.request", object_type="transfer", object_id=t.code,
                 scope_path=t.from_path, details={"via": ORIGIN, "person": t.person.uid, "from": t.from_union.code,
                                                  "to": to_union.code})
    return t


def _active_membership_for(id_value: str) -> Membership | None:
    bidx = crypto.blind_index(id_value, kind="id_number")
    return (Membership.objects.select_for_update().select_related("person", "union")
            .filter(person__id_number_bidx=bidx, status=MembershipStatus.ACTIVE).first())


def transfer_request_by_destination(*, actor, to_union: Org, id_number: str, note: str = "") -> Transfer | None:
    """The destination union asks for the active member holding ``id_number``. Returns the transfer, or None
    when no active member holds that number. The origin is not named until it releases."""
    actor.require("member.write")
    actor.require_covers(to_union.path)
    check_member_unit(to_union)
    id_value = cards.normalize_id_number(id_number)
    with transaction.atomic():
        membership = _active_membership_for(id_value)
        if membership is not None:
            if membership.union_id == to_union.pk:
                raise ValidationError({"id_number": _("This person is already an active member of %(name)s.") % {
                    "name": to_union.name}})
            t = _create(membership=membership, to_union=to_union, via=DESTINATION, note=note)
            # Scoped to the destination: its auditors must not learn the origin from the trail either.
            audit.record(actor=actor, action="transfer.request", object_type="transfer", object_id=t.code,
                         scope_path=t.to_path, details={"via": DESTINATION, "to": to_union.code})
            return t
    audit.record(actor=actor, action="transfer.request", object_type="transfer", scope_path=to_union.path,
                 outcome=Outcome.FAILED, details={"via": DESTINATION, "to": to_union.code, "found": False})
    return None


class MemberMismatch(ValidationError):
    """The one answer on the portal when the ID number and phone do not match an active member."""

    def __init__(self):
        super().__init__(_("We found no active member with this ID number and mobile number. Check them, or ask "
                           "your union."), code="mismatch")


def transfer_request_by_member(*, id_number: str, phone_last4: str, to_code: str, note: str = "") -> Transfer:
    """The member asks on the portal. The ID number and the phone's last four digits must match an active
    membership; any mismatch gets the same answer."""
    to_union = destination_find(to_code)
    id_value = cards.normalize_id_number(id_number)
    last4 = identity.to_halfwidth(str(phone_last4 or "")).strip()
    if not (len(last4) == 4 and last4.isdigit()):
        raise ValidationError({"phone_last4": _("Type the last four digits of your mobile number.")})
    with transaction.atomic():
        membership = _active_membership_for(id_value)
        if membership is not None and membership.person.phone and membership.person.phone[-4:] == last4:
            if membership.union_id == to_union.pk:
                raise ValidationError({"to_code": _("You are already a member of %(name)s.") % {"name": to_union.name}})
            t = _create(membership=membership, to_union=to_union, via=MEMBER, note=note)
            audit.record(actor=PORTAL, action="transfer.request", object_type="transfer", object_id=t.code,
                         scope_path=t.from_path, details={"via": MEMBER, "person": t.person.uid,
                                                          "from": t.from_union.code, "to": to_union.code})
            return t
    audit.record(actor=PORTAL, action="transfer.request", object_type="transfer", outcome=Outcome.FAILED,
                 details={"via": MEMBER, "to": to_union.code, "found": False})
    raise MemberMismatch()


# ---- steps ---------------------------------------------------------------------------------------------

def _lock(t: Transfer) -> Transfer:
    return (Transfer.objects.select_for_update().select_related("person", "from_union", "to_union")
            .get(pk=t.pk))


def _require(actor, t: Transfer, action: str) -> None:
    actor.require("member.write")
    if not sides(actor, t):
        raise Http404
    if not can(actor, t, action):
        raise ValidationError(_("This step is not open to you now (the transfer is %(status)s).") % {
            "status": t.get_status_display()}, code="not_allowed")


@transaction.atomic
def transfer_release(*, actor, transfer: Transfer) -> Transfer:
    t = _lock(transfer)
    _require(actor, t, "release")
    if t.from_membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("The membership has ended; the transfer can only be refused."), code="not_active")
    t.status, t.released_at = TransferStatus.RELEASED, timezone.now()
    t.save(update_fields=["status", "released_at"])
    audit.record(actor=actor, action="transfer.release", object_type="transfer", object_id=t.code,
                 scope_path=t.from_path, details={"from": t.from_union.code, "to": t.to_union.code})
    return t


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer, on: datetime.date | None = None) -> Membership:
    """The destination accepts: the old membership ends as transferred out, a new one starts the same day,
    the old card in use is cancelled (the new union issues its own). Returns the new membership."""
    t = _lock(transfer)
    _require(actor, t, "accept")
    on = on or timezone.localdate()
    old = Membership.objects.select_for_update().get(pk=t.from_membership_id)
    if old.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("The membership has ended meanwhile; the transfer can only be refused."),
                              code="not_active")
    if on > timezone.localdate():
        raise ValidationError({"on": _("The acceptance date cannot be in the future.")})
    if on < old.joined_on:
        raise ValidationError({"on": _("The acceptance date is before the member joined the origin union.")})
    to_union = Org.objects.get(pk=t.to_union_id)
    check_member_unit(to_union)
    old.status, old.left_on = MembershipStatus.TRANSFERRED_OUT, on
    old.leave_reason = (_("Transferred out (%(code)s)") % {"code": t.code})[:200]
    old.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    new = Membership(person=t.person, union=to_union, org_path=to_union.path, joined_on=on, source="transfer",
                     is_female=t.person.sex == Sex.FEMALE, **{k: getattr(old, k) for k in CARRIED})
    new.full_clean(exclude=["person", "union"])
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise ValidationError(_("The person became an active member elsewhere meanwhile."), code="conflict") from None
    cards.cards_cancel_live(actor=actor, membership=old, reason="transfer")
    t.status, t.completed_at, t.to_membership = TransferStatus.COMPLETED, timezone.now(), new
    t.to_path = to_union.path
    t.save(update_fields=["status", "completed_at", "to_membership", "to_path"])
    audit.record(actor=actor, action="transfer.accept", object_type="transfer", object_id=t.code,
                 scope_path=t.to_path, details={"person": t.person.uid, "from": t.from_union.code,
                                                "to": to_union.code, "on": on.isoformat()})
    return new


@transaction.atomic
def transfer_refuse(*, actor, transfer: Transfer, reason: str) -> Transfer:
    t = _lock(transfer)
    _require(actor, t, "refuse")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for refusing.")})
    side = ORIGIN if ORIGIN in sides(actor, t) and t.status == TransferStatus.REQUESTED else DESTINATION
    t.status, t.refuse_reason = TransferStatus.REFUSED, reason[:200]
    t.save(update_fields=["status", "refuse_reason"])
    audit.record(actor=actor, action="transfer.refuse", object_type="transfer", object_id=t.code,
                 scope_path=t.from_path if side == ORIGIN else t.to_path, details={"side": side})
    return t


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The requesting union withdraws its request."""
    t = _lock(transfer)
    _require(actor, t, "cancel")
    t.status = TransferStatus.CANCELLED
    t.save(update_fields=["status"])
    side = t.requested_via
    audit.record(actor=actor, action="transfer.cancel", object_type="transfer", object_id=t.code,
                 scope_path=t.from_path if side == ORIGIN else t.to_path, details={"side": side})
    return t
