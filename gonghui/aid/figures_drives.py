"""The figures of the donation drives and of recuperation and check-ups (FIGURES.md), for a subtree and a period:

- aid.donation_units / aid.donation_donors / aid.donation_total: the units of the subtree that took part in a drive
  whose day falls in the period, their donors and amount (named donations included): one aggregate on the
  (org_path, day) index of the unit rows; a drive still open counts what is recorded so far;
- aid.recuperation / aid.checkups: the people of the subtree who attended (state attended, on the trip's or
  check-up day's first day in the period), by nomination group: one grouped query on the partial index
  ``aid_nomination_attended``.
"""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure

from .models import DriveUnit, Nomination, NominationGroup, NominationState, SchemeKind

GROUP = _("Assistance")


def _units(org, period) -> dict:
    memo = period.__dict__.get("_aid_drives_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_aid_drives_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        memo[org.path] = DriveUnit.objects.filter(
            org_path__startswith=org.path, day__gte=period.start, day__lte=period.end, donors__gt=0) \
            .aggregate(units=Count("pk"), donors=Sum("donors"), amount=Sum("amount"))
    return memo[org.path]


@figure("aid.donation_units", label=_("Donation day: units taking part"), unit=_("units"), group=GROUP)
def donation_units(org, period):
    return _units(org, period)["units"] or 0


@figure("aid.donation_donors", label=_("Donation day: workers donating"), unit=_("people"), group=GROUP)
def donation_donors(org, period):
    return _units(org, period)["donors"] or 0


@figure("aid.donation_total", label=_("Donation day: total donated"), unit=_("yuan"), group=GROUP)
def donation_total(org, period):
    return (_units(org, period)["amount"] or Decimal("0")).quantize(Decimal("0.01"))


def attended_by_group(org, period, kind: str) -> list[tuple[str, int]]:
    counts = dict(Nomination.objects.filter(
        org_path__startswith=org.path, state=NominationState.ATTENDED, attended_on__gte=period.start,
        attended_on__lte=period.end, scheme__kind=kind).values_list("group").annotate(n=Count("pk")).order_by())
    return [(str(label), counts.get(value, 0)) for value, label in NominationGroup.choices]


@figure("aid.recuperation", label=_("Recuperation (疗休养) by group"), unit=_("people"), group=GROUP,
        breakdown=True, chart="bar")
def recuperation(org, period):
    return attended_by_group(org, period, SchemeKind.RECUPERATION)


@figure("aid.checkups", label=_("Free check-ups (免费体检) by group"), unit=_("people"), group=GROUP,
        breakdown=True, chart="bar")
def checkups(org, period):
    return attended_by_group(org, period, SchemeKind.CHECKUP)
