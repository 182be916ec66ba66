"""Member service cards (会员服务卡): numbering, batch issue, activation, loss and reissue.

A card number has 16 digits: the 6-digit administrative region code of the member's union (its own
``region_code`` or its nearest ancestor's, else ``000000``), a 9-digit serial within that region, and a
Luhn check digit, so a card reader or a typo is caught before any lookup.

Serials are allocated as ``MAX(number) + 1`` among the cards of the region, read and written in one
transaction while holding a lock for that region: on PostgreSQL a transaction-level advisory lock keyed by
(card namespace, region); on SQLite the IMMEDIATE transaction (config/settings/base.py) already serializes
writers. The unique constraint on ``number`` stays as the last line of defence.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity
from gonghui.core.access import Actor
from gonghui.core.models import Outcome
from gonghui.orgs.models import Org

from .models import CardBatch, CardStatus, Membership, MembershipStatus, ServiceCard

PORTAL = Actor(user=None, grant=None, label="portal")
LIVE = (CardStatus.ISSUED, CardStatus.ACTIVE)
NO_REGION = "000000"
SERIAL_DIGITS = 9
_ADVISORY_KEY = 0x67680002  # "gh" + 2: the card serial lock namespace (1 is the audit chain)


# ---- numbering -----------------------------------------------------------------------------------------

def luhn_check_digit(body: str) -> str:
    """The Luhn (ISO/IEC 7812) check digit to append to ``body``."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # the digit next to the check digit is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return bool(re.fullmatch(r"\d{2,}", number or "")) and luhn_check_digit(number[:-1]) == number[-1]


def card_number(region: str, serial: int) -> str:
    body = f"{region}{serial:0{SERIAL_DIGITS}d}"
    return body + luhn_check_digit(body)


def normalize_number(raw: object) -> str:
    """Digits only (spaces and dashes as printed on the card are dropped)."""
    return re.sub(r"[\s\-]", "", identity.to_halfwidth(str(raw or "")))


def region_for(union: Org) -> str:
    """The union's region code, else its nearest ancestor's, else 000000."""
    if union.region_code:
        return union.region_code
    prefixes = [union.path[: d * Org.steplen] for d in range(1, union.depth)]
    found = (Org.objects.filter(path__in=prefixes).exclude(region_code="").order_by("-depth")
             .values_list("region_code", flat=True).first())
    return found or NO_REGION


def _allocate(region: str, n: int) -> list[str]:
    """``n`` fresh numbers in ``region``. Must run inside the caller's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_KEY, int(region)])
    top = ServiceCard.objects.filter(number__startswith=region).aggregate(m=Max("number"))["m"]
    start = int(top[len(region):len(region) + SERIAL_DIGITS]) + 1 if top else 1
    if start + n - 1 >= 10 ** SERIAL_DIGITS:
        raise ValidationError(_("The card numbers of region %(region)s are used up.") % {"region": region})
    return [card_number(region, s) for s in range(start, start + n)]


# ---- reads ---------------------------------------------------------------------------------------------

def card_scope(*, actor) -> QuerySet[ServiceCard]:
    if actor.org is None or not actor.can("member.view"):
        return ServiceCard.objects.none()
    return ServiceCard.objects.filter(org_path__startswith=actor.org.path)


def card_list(*, actor, filters: dict | None = None) -> QuerySet[ServiceCard]:
    filters = filters or {}
    qs = card_scope(actor=actor).select_related("membership__person", "membership__union")
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if under := filters.get("under"):
        qs = qs.filter(org_path__startswith=under.path)
    if q := (filters.get("q") or "").strip():
        number = normalize_number(q)
        qs = qs.filter(number=number) if number.isdigit() else qs.filter(membership__person__name__icontains=q)
    return qs


def card_get(*, actor, number: str) -> ServiceCard:
    """The card with this number inside the actor's subtree; else 404, exactly like a missing one."""
    card = (card_scope(actor=actor).select_related("membership__person", "membership__union", "replaces")
            .filter(number=normalize_number(number)).first())
    if card is None:
        raise Http404
    return card


def cards_of(*, actor, membership: Membership) -> list[ServiceCard]:
    """A membership's cards, newest first (for the member screen)."""
    return list(card_scope(actor=actor).filter(membership=membership).order_by("-issued_on", "-id"))


# ---- writes --------------------------------------------------------------------------------------------

def _today() -> datetime.date:
    return timezone.localdate()


@transaction.atomic
def cards_issue(*, actor, union: Org) -> CardBatch:
    """One batch of cards for every active member in ``union``'s subtree who holds no live card."""
    actor.require("member.write")
    actor.require_covers(union.path)
    members = list(Membership.objects.filter(org_path__startswith=union.path, status=MembershipStatus.ACTIVE)
                   .exclude(cards__status__in=LIVE).select_related("union").order_by("org_path", "id"))
    if not members:
        raise ValidationError(_("Every active member of %(union)s already holds a card.") % {"union": union.name},
                              code="nothing_to_issue")
    batch = CardBatch(union=union, issued_by=actor.user, count=len(members))
    batch.save()
    by_region: dict[str, list[Membership]] = {}
    regions: dict[int, str] = {}
    for m in members:
        if m.union_id not in regions:
            regions[m.union_id] = region_for(m.union)
        by_region.setdefault(regions[m.union_id], []).append(m)
    today = _today()
    cards = []
    for region in sorted(by_region):
        group = by_region[region]
        for m, number in zip(group, _allocate(region, len(group)), strict=True):
            cards.append(ServiceCard(number=number, membership=m, org_path=m.org_path, batch=batch, issued_on=today))
    try:
        with transaction.atomic():
            ServiceCard.objects.bulk_create(cards, batch_size=1000)
    except IntegrityError:  # a concurrent batch gave some of these members a card first
        raise ValidationError(_("Cards were just issued for some of these members by someone else; try again."),
                              code="concurrent") from None
    audit.record(actor=actor, action="card.batch_issue", object_type="card_batch", object_id=str(batch.pk),
                 scope_path=union.path, details={"union": union.code, "count": len(cards)})
    return batch


def _lock(card: ServiceCard) -> ServiceCard:
    return ServiceCard.objects.select_for_update().select_related("membership__person", "membership__union").get(
        pk=card.pk)


def _activate(card: ServiceCard, via: str) -> None:
    card.status = CardStatus.ACTIVE
    card.activated_on = _today()
    card.activated_via = via
    card.save(update_fields=["status", "activated_on", "activated_via"])


@transaction.atomic
def card_activate_by_officer(*, actor, card: ServiceCard) -> ServiceCard:
    actor.require("member.write")
    actor.require_covers(card.org_path)
    card = _lock(card)
    if card.status != CardStatus.ISSUED:
        raise ValidationError(_("Only a card that is issued and not yet activated can be activated."),
                              code="not_issued")
    if card.membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("The membership of this card has ended."), code="membership_ended")
    _activate(card, "officer")
    audit.record(actor=actor, action="card.activate", object_type="card", object_id=card.number,
                 scope_path=card.org_path, details={"via": "officer"})
    return card


class CardMismatch(ValidationError):
    """The one answer for a card number, ID number and phone that do not belong together."""

    def __init__(self):
        super().__init__(_("The card number, ID number and mobile number do not match a card waiting for "
                           "activation. Check them, or ask your union."), code="mismatch")


def normalize_id_number(raw: object) -> str:
    """A resident ID is validated (a typo gets its own message); other documents are matched as typed."""
    value = identity.clean_token(raw)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", value):
        try:
            return identity.parse_resident_id(value).number
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    if not value:
        raise ValidationError({"id_number": _("The ID number is required.")})
    return value


def card_activate_by_member(*, number: str, id_number: str, phone: str) -> ServiceCard:
    """Activation on the portal. The three must belong together; any mismatch gets the same answer."""
    number = normalize_number(number)
    if not luhn_valid(number) or len(number) != 16:
        raise ValidationError({"number": _("This is not a valid card number; check every digit.")})
    id_value = normalize_id_number(id_number)
    try:
        phone_value = identity.normalize_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    with transaction.atomic():
        card = (ServiceCard.objects.select_for_update().select_related("membership__person")
                .filter(number=number).first())
        person = card.membership.person if card else None
        if (card is None or card.status not in LIVE or card.membership.status != MembershipStatus.ACTIVE
                or person.id_number_bidx != crypto.blind_index(id_value, kind="id_number")
                or person.phone_bidx != crypto.blind_index(phone_value, kind="phone")):
            failed = True
        else:
            failed = False
            if card.status == CardStatus.ACTIVE:
                raise ValidationError(_("This card is already activated."), code="already_active")
            _activate(card, "member")
            audit.record(actor=PORTAL, action="card.activate", object_type="card", object_id=card.number,
                         scope_path=card.org_path, details={"via": "member"})
    if failed:
        # Recorded outside the (empty) transaction so repeated guessing leaves a trace; never the typed values.
        audit.record(actor=PORTAL, action="card.activate", object_type="card", object_id=number,
                     outcome=Outcome.FAILED, details={"via": "member"})
        raise CardMismatch()
    return card


@transaction.atomic
def card_report_lost(*, actor, card: ServiceCard, note: str = "") -> ServiceCard:
    actor.require("member.write")
    actor.require_covers(card.org_path)
    card = _lock(card)
    if card.status not in LIVE:
        raise ValidationError(_("Only a card in use can be reported lost."), code="not_live")
    card.status = CardStatus.LOST
    card.save(update_fields=["status"])
    audit.record(actor=actor, action="card.lost", object_type="card", object_id=card.number,
                 scope_path=card.org_path, details={"note": (note or "").strip()[:200]})
    return card


@transaction.atomic
def card_reissue(*, actor, card: ServiceCard) -> ServiceCard:
    """A new card (new number) for a lost or damaged one; the old card is marked replaced. The new card
    must be activated again: it is a different physical card."""
    actor.require("member.write")
    actor.require_covers(card.org_path)
    card = _lock(card)
    if card.status not in (CardStatus.LOST, *LIVE):
        raise ValidationError(_("This card was already replaced or cancelled."), code="not_replaceable")
    membership = card.membership
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("The membership of this card has ended."), code="membership_ended")
    card.status = CardStatus.REPLACED
    card.save(update_fields=["status"])
    number = _allocate(region_for(membership.union), 1)[0]
    new = ServiceCard(number=number, membership=membership, org_path=membership.org_path, issued_on=_today(),
                      replaces=card)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        raise ValidationError(_("This member was just given a card by someone else."), code="concurrent") from None
    audit.record(actor=actor, action="card.reissue", object_type="card", object_id=new.number,
                 scope_path=new.org_path, details={"replaces": card.number})
    return new


def cards_cancel_live(*, actor, membership: Membership, reason: str) -> int:
    """Cancel the membership's card in use (the membership ended or moved). Runs in the caller's transaction;
    the caller has checked the actor may end the membership."""
    numbers = list(ServiceCard.objects.select_for_update().filter(membership=membership, status__in=LIVE)
                   .values_list("number", flat=True))
    if not numbers:
        return 0
    ServiceCard.objects.filter(number__in=numbers).update(status=CardStatus.CANCELLED)
    for number in numbers:
        audit.record(actor=actor, action="card.cancel", object_type="card", object_id=number,
                     scope_path=membership.org_path, details={"reason": reason})
    return len(numbers)
