"""The annual review (动态管理) and exit (解困)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import stats
from ..models import AnnualReview, CardState, Category, EventKind, HardshipCard, Household, HouseholdState, Pairing
from .category import _apply_assessment, assess_household
from .common import _audit, _event, _locked, amount_of, money, today
from .support import _card_withdraw
from .tick import _next_year


@transaction.atomic
def household_annual_review(*, actor, household: Household, incomes: dict[int, object], illness_cost=0,
                            disability_cost=0, schooling_cost=0, note: str = "",
                            on: datetime.date | None = None) -> AnnualReview:
    """The yearly review (动态管理): each member's income recorded again, rigid costs too, the category recomputed
    against that year's 低保; the next review is due a year later. A 优待证 follows: extended for a 深度困难
    household, withdrawn otherwise."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household is reviewed each year."))
    on = on or today()
    if AnnualReview.objects.filter(household=household, year=on.year).exists():
        raise ValidationError(_("This household was already reviewed in %(year)s.") % {"year": on.year})
    members = list(household.members.all())
    for m in members:
        if m.pk not in incomes:
            raise ValidationError({"incomes": _("Give the monthly income of every member.")})
        m.monthly_income = str(money(incomes[m.pk], "incomes"))
    household.illness_cost = str(money(illness_cost, "illness_cost"))
    household.disability_cost = str(money(disability_cost, "disability_cost"))
    household.schooling_cost = str(money(schooling_cost, "schooling_cost"))
    a = assess_household(household, year=on.year, incomes=[amount_of(m.monthly_income) for m in members])
    if a.standard is None:
        raise ValidationError(_("There is no 低保 standard for this unit in %(year)s: it must be set on the "
                                "standards page first.") % {"year": on.year})
    for m in members:
        m.save(update_fields=["monthly_income"])
    before = household.category
    counted = stats.household_rows(household)
    fields = _apply_assessment(household, a)
    household.last_reviewed_on, household.review_due = on, _next_year(on)
    household.save(update_fields=[*fields, "illness_cost", "disability_cost", "schooling_cost", "last_reviewed_on",
                                  "review_due", "updated_at"])
    stats.household_saved(household, counted)
    review = AnnualReview.objects.create(household=household, year=on.year, reviewed_on=on, category_before=before,
                                         category_after=household.category, per_capita=str(a.per_capita),
                                         note=(note or "").strip()[:300], reviewed_by=actor.user)
    for card in HardshipCard.objects.select_for_update().filter(household=household, state=CardState.VALID):
        if household.category == Category.DEEP:
            card.reviewed_on, card.valid_until = on, _next_year(on)
            card.save(update_fields=["reviewed_on", "valid_until"])
        else:
            _card_withdraw(card, on=on, reason=_("No longer 深度困难 at the annual review"))
    from ..supervision_archive import resolve

    resolve([household.pk])
    _event(household, EventKind.REVIEWED, actor=actor,
           note=f"{review.year}: {Category(before).label} → {household.get_category_display()}")
    _audit(actor, "aid.household_review_year", household, year=on.year, before=before, after=household.category)
    return review


@transaction.atomic
def household_exit(*, actor, household: Household, reason: str, on: datetime.date | None = None) -> Household:
    """解困: the household leaves the archive; its 优待证 is withdrawn and its 一帮一 pair ended."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household can exit."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the exit.")})
    on = on or today()
    if household.filed_on and on < household.filed_on:
        raise ValidationError({"on": _("The exit date cannot be before the file was created.")})
    if on > today():
        raise ValidationError({"on": _("The exit date cannot be in the future.")})
    before = stats.household_rows(household)
    household.state, household.exited_on, household.exit_reason = HouseholdState.EXITED, on, reason[:300]
    household.save(update_fields=["state", "exited_on", "exit_reason", "updated_at"])
    stats.household_saved(household, before)
    for card in HardshipCard.objects.select_for_update().filter(household=household, state=CardState.VALID):
        _card_withdraw(card, on=on, reason=_("The household exited the archive"))
    Pairing.objects.filter(household=household, ended_on__isnull=True).update(ended_on=on)
    from ..supervision_archive import resolve

    resolve([household.pk])
    _event(household, EventKind.EXITED, actor=actor, note=reason)
    _audit(actor, "aid.household_exit", household, reason=reason, on=on.isoformat())
    return household
