"""一帮一 pairs and their visits, and the 特困职工优待证."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    CardState,
    Category,
    EventKind,
    HardshipCard,
    Household,
    HouseholdEvent,
    HouseholdState,
    Pairing,
    PairVisit,
)
from .common import _audit, _event, _locked, money, today
from .tick import _next_year


@transaction.atomic
def pairing_create(*, actor, household: Household, cadre, started_on: datetime.date | None = None) -> Pairing:
    """Pair a cadre (a staff account of the actor's subtree) with a filed household; an earlier pair ends."""
    from gonghui.core.models import Grant

    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household is paired with a cadre."))
    if cadre is None or not Grant.objects.filter(user=cadre, org__path__startswith=actor.org.path).exists():
        raise ValidationError({"cadre": _("Choose a cadre of your unit or the units under it.")})
    started_on = started_on or today()
    Pairing.objects.filter(household=household, ended_on__isnull=True).update(ended_on=started_on)
    pairing = Pairing(household=household, cadre=cadre, started_on=started_on)
    pairing.full_clean()
    pairing.save()
    _event(household, EventKind.PAIRED, actor=actor, note=str(cadre.get_full_name() or cadre.username))
    _audit(actor, "aid.pairing_create", household, cadre=cadre.username)
    return pairing


@transaction.atomic
def pair_visit_add(*, actor, pairing: Pairing, visited_on: datetime.date, cash=0, goods: str = "",
                   note: str = "") -> PairVisit:
    """Log a visit of the paired cadre: the date, the cash and goods given."""
    actor.require("aid.write")
    actor.require_covers(pairing.household.org_path)
    if pairing.ended_on is not None:
        raise ValidationError(_("This pair has ended."))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    if visited_on > today() or visited_on < pairing.started_on:
        raise ValidationError({"visited_on": _("The visit date must be between the pairing and today.")})
    cash = money(cash, "cash")
    goods, note = (goods or "").strip()[:200], (note or "").strip()[:300]
    if cash == 0 and not goods:
        raise ValidationError({"goods": _("Say what was given (cash or goods).")})
    visit = PairVisit(pairing=pairing, visited_on=visited_on, cash=cash, goods=goods, note=note,
                      created_by=actor.user)
    visit.full_clean()
    visit.save()
    _event(pairing.household, EventKind.VISIT, actor=actor, note=visited_on.isoformat())
    _audit(actor, "aid.pair_visit", pairing.household, on=visited_on.isoformat(), cash=str(cash), goods=goods)
    return visit


# --- 优待证 --------------------------------------------------------------------------------------------------

@transaction.atomic
def card_issue(*, actor, household: Household, number: str, issued_on: datetime.date | None = None
               ) -> HardshipCard:
    """Issue a 特困职工优待证 to a filed 深度困难 household, valid one year."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED or household.category != Category.DEEP:
        raise ValidationError(_("A 优待证 is issued only to a filed 深度困难 household."))
    number = (number or "").strip().upper()
    if not number or len(number) > 30:
        raise ValidationError({"number": _("Give the card number (up to 30 characters).")})
    if HardshipCard.objects.filter(household=household, state=CardState.VALID).exists():
        raise ValidationError(_("This household already holds a valid card."))
    if HardshipCard.objects.filter(number=number).exists():
        raise ValidationError({"number": _("This card number is already used.")})
    issued_on = issued_on or today()
    card = HardshipCard(household=household, number=number, issued_on=issued_on, valid_until=_next_year(issued_on),
                        issued_by=actor.user)
    card.full_clean()
    card.save()
    _event(household, EventKind.CARD, actor=actor, note=_("Issued %(number)s") % {"number": number})
    _audit(actor, "aid.card_issue", household, number=number)
    return card


def _card_withdraw(card: HardshipCard, *, on: datetime.date, reason: str) -> None:
    card.state, card.withdrawn_on, card.withdraw_reason = CardState.WITHDRAWN, on, reason[:300]
    card.save(update_fields=["state", "withdrawn_on", "withdraw_reason"])
    HouseholdEvent.objects.create(household_id=card.household_id, kind=EventKind.CARD,
                                  note=_("Withdrawn %(number)s") % {"number": card.number})


@transaction.atomic
def card_withdraw(*, actor, card: HardshipCard, reason: str) -> HardshipCard:
    actor.require("aid.write")
    actor.require_covers(card.household.org_path)
    card = HardshipCard.objects.select_for_update().select_related("household").get(pk=card.pk)
    if card.state != CardState.VALID:
        raise ValidationError(_("This card is already withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the card.")})
    _card_withdraw(card, on=today(), reason=reason)
    _audit(actor, "aid.card_withdraw", card.household, number=card.number, reason=reason)
    return card
