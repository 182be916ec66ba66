"""Figures about the organizations themselves, for a subtree at the end of a period."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate

from .models import Kind, Level, Org

GROUP = _("Organizations")


def existing(org: Org, period):
    """Unions in the subtree that existed at the end of the period (founded by then, not yet dissolved)."""
    return (
        Org.objects.filter(path__startswith=org.path)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.end))
    )


def grassroots(org: Org, period):
    return existing(org, period).filter(level=Level.GRASSROOTS)


@figure("orgs.grassroots", label=_("Grassroots unions"), unit=_("unions"), group=GROUP)
def grassroots_count(org, period):
    return grassroots(org, period).count()


@figure("orgs.by_level", label=_("Unions by level"), unit=_("unions"), group=GROUP, breakdown=True, chart="bar")
def by_level(org, period):
    counts = dict(existing(org, period).exclude(pk=org.pk).order_by().values_list("level").annotate(n=Count("id")))
    return [(str(label), counts[value]) for value, label in Level.choices if counts.get(value)]


@figure("orgs.by_kind", label=_("Grassroots unions by kind"), unit=_("unions"), group=GROUP, breakdown=True,
        chart="pie")
def by_kind(org, period):
    counts = dict(grassroots(org, period).order_by().values_list("kind").annotate(n=Count("id")))
    return [(str(label), counts[value]) for value, label in Kind.choices if counts.get(value)]


def _grassroots_totals(org, period) -> dict:
    end = period.end
    return grassroots(org, period).aggregate(
        total=Count("id"),
        registered=Count("id", filter=Q(legal_person_registered=True)
                         & (Q(legal_person_registered_on__isnull=True) | Q(legal_person_registered_on__lte=end))),
        women=Count("id", filter=Q(has_women_committee=True)),
        audit=Count("id", filter=Q(has_audit_committee=True)),
        past_term=Count("id", filter=Q(term_ends_on__lt=end)),
    )


@figure("orgs.legal_person_rate", label=_("Legal-person registration rate"), unit="%", group=GROUP)
def legal_person_rate(org, period):
    t = _grassroots_totals(org, period)
    return rate(t["registered"], t["total"])


@figure("orgs.legal_person_registered", label=_("Unions registered as legal persons"), unit=_("unions"),
        group=GROUP)
def legal_person_registered(org, period):
    return _grassroots_totals(org, period)["registered"]


@figure("orgs.women_committees", label=_("Unions with a women workers' committee"), unit=_("unions"), group=GROUP)
def women_committees(org, period):
    return _grassroots_totals(org, period)["women"]


@figure("orgs.audit_committees", label=_("Unions with a funds review committee"), unit=_("unions"), group=GROUP)
def audit_committees(org, period):
    return _grassroots_totals(org, period)["audit"]


@figure("orgs.past_term", label=_("Unions past their term end"), unit=_("unions"), group=GROUP)
def past_term(org, period):
    return _grassroots_totals(org, period)["past_term"]
