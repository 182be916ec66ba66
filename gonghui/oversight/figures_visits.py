"""Visit and inspection figures for a subtree and a period (FIGURES.md, oversight): units visited (走访调研, by the
day the visit started), forums (座谈会) and the workers at them, individual interviews (个案访谈); inspection rounds
with their 工作提示 and 督导反馈单 (by the day issued).

Whole months read the pre-aggregated visit rows of the org itself (``VisitStat``); any other range counts the
visits. The two agree (a test checks it). Inspections are few (a round a quarter) and are counted directly.
"""

from django.db.models import Count, Q, Sum
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure
from gonghui.orgs.signals import subtree_moved

from . import visits
from .figures_problems import whole_months
from .models import FieldVisit, InspectionItem, InspectionRound, ItemKind, Tip, VisitStat, VisitUnit

GROUP = _("Supervision")


def _visit_totals(org, period) -> dict:
    memo = period.__dict__.get("_visits_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_visits_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        months = whole_months(period)
        if months:
            memo[org.path] = VisitStat.objects.filter(unit=org.path, month__gte=months[0], month__lte=months[1]) \
                .aggregate(**{f: Sum(f) for f in visits.STAT_FIELDS})
        else:
            memo[org.path] = raw_totals(org, period)
    return memo[org.path]


def raw_totals(org, period) -> dict:
    """The same counted from the visits (any range; the naive path)."""
    qs = FieldVisit.objects.filter(org_path__startswith=org.path, started_on__gte=period.start,
                                   started_on__lte=period.end)
    out = qs.aggregate(visits=Count("pk"), **{f: Sum(f) for f in visits.COUNTS[:4]}, solved=Sum("solved"))
    out["units"] = VisitUnit.objects.filter(visit__in=qs.values("pk")).count()
    from .models import VisitFinding

    out["findings"] = VisitFinding.objects.filter(visit__in=qs.values("pk")).count()
    return out


def _get(org, period, name) -> int:
    return _visit_totals(org, period).get(name) or 0


@figure("oversight.field_visits", label=_("Enterprises and units visited"), unit=_("units (家)"), group=GROUP)
def field_visits(org, period):
    return _get(org, period, "units")


@figure("oversight.forums", label=_("Forums held"), unit=_("times"), group=GROUP)
def forums(org, period):
    return _get(org, period, "forums")


@figure("oversight.forum_people", label=_("Workers at the forums"), unit=_("people"), group=GROUP)
def forum_people(org, period):
    return _get(org, period, "forum_people")


@figure("oversight.interviews", label=_("Individual interviews"), unit=_("people"), group=GROUP)
def interviews(org, period):
    return _get(org, period, "interviews")


@figure("oversight.inspections", label=_("Inspections"), unit=_("copies"), group=GROUP, breakdown=True,
        chart="bar")
def inspections(org, period):
    rounds = InspectionRound.objects.filter(org_path__startswith=org.path, started_on__gte=period.start,
                                            started_on__lte=period.end).count()
    items = InspectionItem.objects.filter(round__org_path__startswith=org.path, issued_on__gte=period.start,
                                          issued_on__lte=period.end).aggregate(
        prompts=Count("pk", filter=Q(kind=ItemKind.PROMPT)), feedback=Count("pk", filter=Q(kind=ItemKind.FEEDBACK)))
    return [(str(_("Inspection rounds")), rounds), (str(_("Work prompts")), items["prompts"]),
            (str(_("Feedback forms")), items["feedback"])]


@figure("oversight.tips", label=_("Conduct mailbox tips"), unit=_("tips"), group=GROUP, breakdown=True,
        chart="bar")
def tips(org, period):
    """Received in the period, and of those the ones answered; the ones put on the problem list."""
    counts = Tip.objects.filter(org_path__startswith=org.path, created_at__date__gte=period.start,
                                created_at__date__lte=period.end).aggregate(
        received=Count("pk"), answered=Count("pk", filter=Q(state="answered")),
        problems=Count("pk", filter=Q(fate="problem")))
    return [(str(_("Tips received")), counts["received"]), (str(_("Tips answered")), counts["answered"]),
            (str(_("Tips put on the problem list")), counts["problems"])]


@receiver(subtree_moved)
def _moved(sender, old_path: str, new_path: str, **kwargs):
    visits.subtree_moved(old_path, new_path)
