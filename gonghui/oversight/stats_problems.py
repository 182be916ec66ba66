"""Pre-aggregated problem counts (``ProblemStat``): a figure for any subtree and whole months reads the rows of one
unit, whatever the subtree's size.

A problem adds to one row per unit on its path (its own unit and each ancestor), keyed by month, source and
category: 1 problem in the month it was created, 1 review per 初审/复审 opinion and 1 return per opinion sending
it back, in the month of the opinion. A service computes the problem's contribution before and after its write
and applies the difference in the same transaction, with INSERT ... ON CONFLICT DO UPDATE (casework's ``_upsert``),
so concurrent writers never lose a count. ``rebuild`` recomputes rows from the problems themselves.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.utils import timezone

from gonghui.casework.stats import _upsert, ancestors, month_key

from .models import Decision, Problem, ProblemReview, ProblemStat

KEYS = ("unit", "month", "source_id", "category_id")
FIELDS = ("problems", "reviews", "returned")


def _month(dt) -> int:
    return month_key(timezone.localdate(dt))


def contribution(problem: Problem) -> tuple[str, dict]:
    """(org path, {(month, source, category): [problems, reviews, returned]}) for one problem as stored now."""
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    if problem.pk is None:
        return problem.org_path, {}
    src, cat = problem.source_id, problem.category_id
    out[(_month(problem.created_at), src, cat)][0] += 1
    for at, decision in ProblemReview.objects.filter(problem_id=problem.pk).values_list("at", "decision"):
        row = out[(_month(at), src, cat)]
        row[1] += 1
        row[2] += int(decision == Decision.RETURN)
    return problem.org_path, dict(out)


def apply(before: tuple[str, dict] | None, after: tuple[str, dict]) -> None:
    """Add ``after`` and take away ``before`` on every unit of the paths."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, contrib in ((-1, before), (1, after)):
        if contrib is None:
            continue
        path, rows = contrib
        for unit in ancestors(path):
            for key, values in rows.items():
                d = deltas[(unit, *key)]
                for i, v in enumerate(values):
                    d[i] += sign * v
    _upsert(ProblemStat, ("unit", "month", "source_id", "category_id"), FIELDS,
            [(*k, *v) for k, v in sorted(deltas.items()) if any(v)])


def rebuild(paths: Iterable[str]) -> int:
    """Recompute the rows of these units, each over its whole subtree."""
    n = 0
    for path in sorted(set(paths)):
        ProblemStat.objects.filter(unit=path).delete()
        counts: Counter = Counter()
        problems = Problem.objects.filter(org_path__startswith=path).values_list("created_at", "source_id",
                                                                                 "category_id")
        for created, src, cat in problems.iterator(chunk_size=5000):
            counts[(_month(created), src, cat, 0)] += 1
        reviews = ProblemReview.objects.filter(problem__org_path__startswith=path).values_list(
            "at", "problem__source_id", "problem__category_id", "decision")
        for at, src, cat, decision in reviews.iterator(chunk_size=5000):
            counts[(_month(at), src, cat, 1)] += 1
            if decision == Decision.RETURN:
                counts[(_month(at), src, cat, 2)] += 1
        rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        for (month, src, cat, i), v in counts.items():
            rows[(month, src, cat)][i] += v
        ProblemStat.objects.bulk_create([
            ProblemStat(unit=path, month=m, source_id=s, category_id=c, problems=v[0], reviews=v[1], returned=v[2])
            for (m, s, c), v in rows.items()], batch_size=2000)
        n += len(rows)
    return n


def subtree_moved(old_path: str, new_path: str) -> None:
    """The moved subtree's problems carry their new path first (whichever receiver runs first); the moved units'
    own rows follow them; the units above, before and after, are recomputed."""
    from gonghui.members.signals import rewrite_prefix

    rewrite_prefix(Problem, "org_path", old_path, new_path)
    rewrite_prefix(ProblemStat, "unit", old_path, new_path)
    rebuild({*ancestors(old_path)[:-1], *ancestors(new_path)[:-1]})
