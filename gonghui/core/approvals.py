"""Maker-checker (双人复核): an action that pays money or hands out personal data in bulk is asked for by one
person (the maker) and allowed by a second (the checker) before it runs, once.

The rules, whatever the kind:
- the checker is another user, holding the kind's approve permission through a grant whose subtree covers the
  request's org (outside it the request is a 404, like everything else);
- a request is decided once (approved or rejected, the rejection with a reason); the maker may cancel it while
  it waits or before it is used;
- a request not decided within ``REQUEST_DAYS`` expires; an approved one not used within ``EXECUTE_HOURS``
  expires too (``approvals_expire``, run by ``gonghui tick``, records both; the services refuse them by the
  clock even before the sweep has run);
- an approved request runs once, by its maker (``approval_execute``), who must still hold the request
  permission over the org;
- every step is recorded in the audit trail; the payload never holds personal data in clear.

A kind is registered in ``KINDS``: the permission to request it, the permission to approve it, the function
that runs it, and the function that describes it to the checker (dotted paths, imported when used, so core
does not import the apps). Only the members' export with full ID and mobile numbers exists today.

How a payment kind plugs in (when the assistance and funds apps arrive), e.g. an assistance grant:

    KINDS["aid.grant_pay"] = Kind(
        label=_("Pay an assistance grant"), request_perm="aid.write", approve_perm="approval.decide",
        execute="gonghui.aid.services.grant_pay_approved",
        describe="gonghui.aid.services.grant_pay_describe")

The aid app's service calls ``approval_request(actor=..., kind="aid.grant_pay", org=union,
payload={"grant": grant.code, "amount": "500.00"}, reason=...)`` instead of paying; the payload names the
grant by its code and the amount as a string (never the recipient's ID or bank account). After approval the
maker presses "Pay" on the request, which calls ``approval_execute``; the kind's ``execute(actor=,
approval=)`` re-reads the grant, checks the amount still matches, posts the ledger entry with its own audit
event, and returns None (an export returns the file instead).
"""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .access import SYSTEM
from .menu import count_badge
from .models import Approval

REQUEST_DAYS = 7
EXECUTE_HOURS = 24
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
State = Approval.State


@dataclass(frozen=True)
class Kind:
    label: str
    request_perm: str
    approve_perm: str
    execute: str  # dotted path of fn(*, actor, approval) -> HttpResponse | None; runs once
    describe: str  # dotted path of fn(approval) -> str: what the checker is asked to allow


MEMBERS_EXPORT = "members.export_revealed"
KINDS: dict[str, Kind] = {
    MEMBERS_EXPORT: Kind(
        label=gettext_lazy("Member list with full ID and mobile numbers"), request_perm="personal.reveal",
        approve_perm="approval.decide", execute="gonghui.members.views.export_revealed_run",
        describe="gonghui.members.views.export_revealed_describe"),
}


def kind_of(approval: Approval) -> Kind:
    return KINDS[approval.kind]


def describe(approval: Approval) -> str:
    return import_string(kind_of(approval).describe)(approval)


def is_due(approval: Approval, now: datetime.datetime | None = None) -> bool:
    """True when the request can no longer be decided (or, approved, no longer be used): it has expired."""
    now = now or timezone.now()
    if approval.state == State.REQUESTED:
        return now >= approval.expires_at
    if approval.state == State.APPROVED:
        return now >= approval.execute_by
    return False


def current_state(approval: Approval, now: datetime.datetime | None = None) -> str:
    """The state as of now: a request past its time reads as expired before the sweep has recorded it."""
    return State.EXPIRED if is_due(approval, now) else approval.state


def _user(actor):
    user = actor.user
    if user is None or not user.is_authenticated:
        raise PermissionDenied("a person decides")
    return user


def _new_uid() -> str:
    while True:
        uid = "A" + "".join(secrets.choice(CODE_CHARS) for _ in range(9))
        if not Approval.objects.filter(uid=uid).exists():
            return uid


def _record(actor, approval: Approval, action: str, **details) -> None:
    audit.record(actor=actor, action=f"approval.{action}", object_type="approval", object_id=approval.uid,
                 scope_path=approval.org_path, details={"kind": approval.kind, **details})


@transaction.atomic
def approval_request(*, actor, kind: str, org, payload: dict, reason: str) -> Approval:
    """Ask for ``kind`` over ``org``'s subtree. Nothing runs until a second person approves."""
    if kind not in KINDS:
        raise ValidationError({"kind": _("Unknown kind of request.")})
    actor.require(KINDS[kind].request_perm)
    actor.require_covers(org.path)
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why this is needed; the approver reads it.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 200}})
    now = timezone.now()
    approval = Approval(uid=_new_uid(), kind=kind, org=org, org_path=org.path, payload=payload, reason=reason,
                        maker=_user(actor), requested_at=now,
                        expires_at=now + datetime.timedelta(days=REQUEST_DAYS))
    approval.save(force_insert=True)
    _record(actor, approval, "request", org=org.code)
    return approval


def _lock_for_decision(actor, approval: Approval) -> Approval:
    kind = kind_of(approval)
    actor.require(kind.approve_perm)
    actor.require_covers(approval.org_path)
    user = _user(actor)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.state != State.REQUESTED:
        raise ValidationError(_("This request has already been decided or closed."), code="decided")
    if is_due(approval):
        raise ValidationError(_("This request has expired; the requester must ask again."), code="expired")
    if approval.maker_id == user.pk:
        raise ValidationError(_("A second person must approve: you cannot decide your own request."),
                              code="own_request")
    return approval


@transaction.atomic
def approval_approve(*, actor, approval: Approval, note: str = "") -> Approval:
    approval = _lock_for_decision(actor, approval)
    now = timezone.now()
    approval.state, approval.checker, approval.decided_at = State.APPROVED, actor.user, now
    approval.decision_note = " ".join((note or "").split())[:200]
    approval.execute_by = now + datetime.timedelta(hours=EXECUTE_HOURS)
    approval.save(update_fields=["state", "checker", "decided_at", "decision_note", "execute_by"])
    _record(actor, approval, "approve")
    return approval


@transaction.atomic
def approval_reject(*, actor, approval: Approval, note: str) -> Approval:
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Give the reason for rejecting; the requester is shown it.")})
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": 200}})
    approval = _lock_for_decision(actor, approval)
    approval.state, approval.checker, approval.decided_at = State.REJECTED, actor.user, timezone.now()
    approval.decision_note = note
    approval.closed_at = approval.decided_at
    approval.save(update_fields=["state", "checker", "decided_at", "decision_note", "closed_at"])
    _record(actor, approval, "reject")
    return approval


@transaction.atomic
def approval_cancel(*, actor, approval: Approval) -> Approval:
    """The maker withdraws a request that waits, or an approved one not yet used."""
    actor.require_covers(approval.org_path)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.maker_id != _user(actor).pk:
        raise PermissionDenied("only the requester cancels")
    if approval.state not in (State.REQUESTED, State.APPROVED):
        raise ValidationError(_("This request is already closed."), code="closed")
    approval.state, approval.closed_at = State.CANCELLED, timezone.now()
    approval.save(update_fields=["state", "closed_at"])
    _record(actor, approval, "cancel")
    return approval


@transaction.atomic
def approval_execute(*, actor, approval: Approval):
    """Run the approved action, once, for its maker. Returns what the kind's function returns (an export: the
    file). The state changes in the same transaction as the action, so a failure leaves it approved."""
    kind = kind_of(approval)
    actor.require(kind.request_perm)
    actor.require_covers(approval.org_path)
    approval = Approval.objects.select_for_update().select_related("org").get(pk=approval.pk)
    if approval.maker_id != _user(actor).pk:
        raise PermissionDenied("only the requester uses an approved request")
    if approval.state == State.EXECUTED:
        raise ValidationError(_("This approved request has already been used; ask again if needed."), code="used")
    if approval.state != State.APPROVED:
        raise ValidationError(_("This request is not approved."), code="not_approved")
    if is_due(approval):
        raise ValidationError(_("The time to use this approval has passed; ask again."), code="expired")
    approval.state, approval.executed_at = State.EXECUTED, timezone.now()
    approval.closed_at = approval.executed_at
    approval.save(update_fields=["state", "executed_at", "closed_at"])
    _record(actor, approval, "execute")
    return import_string(kind.execute)(actor=actor, approval=approval)


def approvals_expire(now: datetime.datetime | None = None) -> dict:
    """The sweep (``gonghui tick``): record as expired the requests left undecided, or approved and unused, past
    their time. Safe to run again."""
    now = now or timezone.now()
    due = (Approval.objects.filter(state=State.REQUESTED, expires_at__lte=now)
           | Approval.objects.filter(state=State.APPROVED, execute_by__lte=now))
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            approval = Approval.objects.select_for_update().get(pk=pk)
            if not is_due(approval, now):
                continue
            approval.state, approval.closed_at = State.EXPIRED, now
            approval.save(update_fields=["state", "closed_at"])
            _record(SYSTEM, approval, "expire")
            count += 1
    return {"expired": count}


# Reads, always inside the actor's subtree.

def approval_scope(*, actor) -> QuerySet[Approval]:
    if actor.org is None or not actor.can("approval.decide"):
        return Approval.objects.none()
    return Approval.objects.filter(org_path__startswith=actor.org.path)


def _waiting(now) -> Q:
    return Q(state=State.REQUESTED, expires_at__gt=now)


def approval_list(*, actor, show: str = "waiting") -> QuerySet[Approval]:
    """``waiting``: requests the actor may decide now (not their own); ``mine``: the actor's own; else all."""
    qs = approval_scope(actor=actor).select_related("org", "maker", "checker")
    if show == "waiting":
        qs = qs.filter(_waiting(timezone.now())).exclude(maker=actor.user)
    elif show == "mine":
        qs = qs.filter(maker=actor.user)
    return qs


def approval_get(*, actor, uid: str) -> Approval:
    approval = (approval_scope(actor=actor).select_related("org", "maker", "checker")
                .filter(uid=(uid or "").strip().upper()).first())
    if approval is None:
        raise Http404
    return approval


@count_badge
def menu_badge(actor) -> list[QuerySet] | None:
    """Requests in the actor's subtree waiting for a second person (not the actor's own)."""
    if actor.org is None or not actor.can("approval.decide"):
        return None
    # No joins, and state=requested as in the partial index core_approval_open: only open requests are read.
    return [approval_scope(actor=actor).filter(_waiting(timezone.now())).exclude(maker=actor.user)]
