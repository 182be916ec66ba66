"""The ``democracy.*`` figures of FIGURES.md that come from evaluation polls: democracy.evaluations, the polls of a
subtree closed in the period (民主评议/测评 held), and democracy.evaluation_turnout, their ballots over their
electorates (参评率, %). One grouped query on (org_path, closed_at)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate

from .models import Poll

GROUP = _("Democracy")


def _closed(org, period) -> dict:
    memo = period.__dict__.get("_democracy_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_democracy_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        memo[org.path] = Poll.objects.filter(
            org_path__startswith=org.path, closed_at__date__gte=period.start, closed_at__date__lte=period.end,
        ).aggregate(n=Count("pk"), ballots=Sum("ballots"), electorate=Sum("electorate_size"))
    return memo[org.path]


@figure("democracy.evaluations", label=_("Democratic appraisals and assessments held (民主评议/测评)"),
        unit=_("times (次)"), group=GROUP)
def evaluations(org, period):
    return _closed(org, period)["n"]


@figure("democracy.evaluation_turnout", label=_("Turnout of the evaluations (参评率)"), unit="%", group=GROUP)
def evaluation_turnout(org, period):
    row = _closed(org, period)
    return rate(row["ballots"] or 0, row["electorate"] or 0)


@figure("democracy.questionnaires", label=_("Questionnaires returned (调查问卷)"), unit=_("copies (份)"), group=GROUP)
def questionnaires(org, period):
    """The survey responses of the subtree's surveys returned in the period: one count on (org_path, day)."""
    from .models import SurveyResponse

    return SurveyResponse.objects.filter(org_path__startswith=org.path, submitted_on__gte=period.start,
                                         submitted_on__lte=period.end).count()
# democracy.congress_sessions and democracy.proposals (figures_congress.py).
from . import figures_congress  # noqa: E402,F401
