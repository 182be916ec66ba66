"""Membership figures for a subtree and a period."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate
from gonghui.orgs.figures import grassroots

from .models import CardStatus, Membership, ServiceCard

GROUP = _("Members")


def members_at_end(org, period):
    """Memberships in the subtree that were active at the end of the period."""
    return Membership.objects.filter(org_path__startswith=org.path, joined_on__lte=period.end).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=period.end))


def _totals(org, period) -> dict:
    return members_at_end(org, period).aggregate(
        total=Count("id"),
        migrant=Count("id", filter=Q(is_migrant_worker=True)),
        new_employment=Count("id", filter=Q(is_new_employment=True)),
        dispatched=Count("id", filter=Q(is_dispatched=True)),
        female=Count("id", filter=Q(is_female=True)),
    )


@figure("members.total", label=_("Members"), unit=_("people"), group=GROUP)
def total(org, period):
    return _totals(org, period)["total"]


@figure("members.new", label=_("New members in the period"), unit=_("people"), group=GROUP)
def new_members(org, period):
    return Membership.objects.filter(org_path__startswith=org.path, joined_on__gte=period.start,
                                     joined_on__lte=period.end).exclude(source="transfer").count()


@figure("members.new_employment_joined", label=_("Workers in new forms of employment who joined in the period"),
        unit=_("people"), group=GROUP)
def new_employment_joined(org, period):
    """发展会员 among 新就业形态劳动者: joined in the period (a transfer is not a join)."""
    return Membership.objects.filter(org_path__startswith=org.path, joined_on__gte=period.start,
                                     joined_on__lte=period.end, is_new_employment=True).exclude(
        source="transfer").count()


class RateDataError(Decimal):
    """A membership rate above 100%: more members than employees, so one of the counts is wrong. It keeps its
    number (the API and sorting use it) but screens show ``data_error`` in its place, never 11520.0%."""

    data_error = _("Data error (more members than employees)")


def checked_rate(value: Decimal | None) -> Decimal | None:
    return RateDataError(value) if value is not None and value > 100 else value


@figure("members.rate", label=_("Membership rate"), unit="%", group=GROUP)
def membership_rate(org, period):
    """Members / employees of the grassroots unions in the subtree (入会率; the target is 90%)."""
    employees = sum(grassroots(org, period).values_list("employee_count", flat=True))
    return checked_rate(rate(_totals(org, period)["total"], employees))


@figure("members.migrant", label=_("Migrant-worker members"), unit=_("people"), group=GROUP)
def migrant(org, period):
    return _totals(org, period)["migrant"]


@figure("members.new_employment", label=_("Members in new forms of employment"), unit=_("people"), group=GROUP)
def new_employment(org, period):
    return _totals(org, period)["new_employment"]


@figure("members.female", label=_("Women members"), unit=_("people"), group=GROUP)
def female(org, period):
    return _totals(org, period)["female"]


def _cards(org, period) -> dict:
    """Cards in use (one per member: a lost card's replacement stands for it), and those activated."""
    live = ServiceCard.objects.filter(org_path__startswith=org.path, issued_on__lte=period.end,
                                      status__in=[CardStatus.ISSUED, CardStatus.ACTIVE])
    return live.aggregate(issued=Count("id"),
                          active=Count("id", filter=Q(status=CardStatus.ACTIVE, activated_on__lte=period.end)))


@figure("members.cards_issued", label=_("Service cards issued"), unit=_("cards"), group=GROUP)
def cards_issued(org, period):
    return _cards(org, period)["issued"]


@figure("members.cards_issued_new", label=_("Service cards newly issued in the period"), unit=_("cards"),
        group=GROUP)
def cards_issued_new(org, period):
    """新增发卡: cards issued in the period to members who had none (a replacement for a lost card is not new)."""
    return ServiceCard.objects.filter(org_path__startswith=org.path, issued_on__gte=period.start,
                                      issued_on__lte=period.end, replaces__isnull=True).count()


@figure("members.cards_active", label=_("Service cards activated"), unit=_("cards"), group=GROUP)
def cards_active(org, period):
    return _cards(org, period)["active"]


@figure("members.card_activation_rate", label=_("Card activation rate"), unit="%", group=GROUP)
def card_activation_rate(org, period):
    c = _cards(org, period)
    return rate(c["active"], c["issued"])
