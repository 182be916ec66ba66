"""Problem figures for a subtree and a period (FIGURES.md, oversight): problems found (查摆问题, by the day they were
filed), by source and by category, review opinions (初审 + 复审) and returns for rework (督促返工), by the day given.

Whole months (a year, a half, a quarter, a month) read the pre-aggregated rows of the org itself
(``stats_problems``); any other range counts the problems and reviews. The two always agree (a test checks it).
"""

import datetime
from collections import Counter

from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure
from gonghui.orgs.signals import subtree_moved

from . import stats_problems
from .models import Category, Decision, Problem, ProblemReview, ProblemStat, Source

GROUP = _("Supervision")


def whole_months(period) -> tuple[int, int] | None:
    after = period.end + datetime.timedelta(days=1)
    if period.start.day != 1 or after.day != 1:
        return None
    return period.start.year * 100 + period.start.month, period.end.year * 100 + period.end.month


def _rows(org, period) -> list[tuple]:
    """(source, category, problems, reviews, returned) of the org's subtree in the period."""
    memo = period.__dict__.get("_problems_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_problems_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        months = whole_months(period)
        memo[org.path] = _stat_rows(org, months) if months else _raw_rows(org, period)
    return memo[org.path]


def _stat_rows(org, months) -> list[tuple]:
    return list(ProblemStat.objects.filter(unit=org.path, month__gte=months[0], month__lte=months[1])
                .values_list("source_id", "category_id", "problems", "reviews", "returned"))


def _raw_rows(org, period) -> list[tuple]:
    """The same counted from the problems and reviews (any range; the naive path)."""
    rows = list(Problem.objects.filter(org_path__startswith=org.path, created_at__date__gte=period.start,
                                       created_at__date__lte=period.end).order_by()
                .values_list("source_id", "category_id").annotate(n=Count("pk")))
    out = [(s, c, n, 0, 0) for s, c, n in rows]
    reviews = (ProblemReview.objects.filter(problem__org_path__startswith=org.path, at__date__gte=period.start,
                                            at__date__lte=period.end).order_by()
               .values_list("problem__source_id", "problem__category_id")
               .annotate(n=Count("pk"), r=Count("pk", filter=Q(decision=Decision.RETURN))))
    out += [(s, c, 0, n, r) for s, c, n, r in reviews]
    return out


def _by(model, index: int, org, period) -> list[tuple[str, int]]:
    counts: Counter = Counter()
    for row in _rows(org, period):
        counts[row[index]] += row[2]
    return [(e.name, counts[e.pk]) for e in model.objects.order_by("order", "pk") if counts.get(e.pk)]


@figure("oversight.problems", label=_("Problems found"), unit=_("problem entries"), group=GROUP)
def problems(org, period):
    return sum(r[2] for r in _rows(org, period))


@figure("oversight.problems_by_source", label=_("Problems by source"), unit=_("problem entries"), group=GROUP,
        breakdown=True, chart="bar")
def problems_by_source(org, period):
    return _by(Source, 0, org, period)


@figure("oversight.problems_by_category", label=_("Problems by category"), unit=_("problem entries"), group=GROUP,
        breakdown=True, chart="pie")
def problems_by_category(org, period):
    return _by(Category, 1, org, period)


@figure("oversight.reviews", label=_("Reviews (first and joint rounds)"), unit=_("times"), group=GROUP)
def reviews(org, period):
    return sum(r[3] for r in _rows(org, period))


@figure("oversight.returned", label=_("Returned for rework"), unit=_("times"), group=GROUP)
def returned(org, period):
    return sum(r[4] for r in _rows(org, period))


@receiver(subtree_moved)
def _moved(sender, old_path: str, new_path: str, **kwargs):
    stats_problems.subtree_moved(old_path, new_path)
