"""Pre-aggregated measure counts (``MeasureStat``): the ledger figures of any subtree and whole months read the rows
of one unit (a few hundred), whatever the subtree's size.

A measure adds 1 to one row per unit on its path (its own unit and each ancestor) keyed by the months it was
created, closed (0 while open) and is due, and 1 to two rows of its owner: keyed by the month created, and by the year
created (``created`` yyyy00, so the owners figure of a year reads one row per owner, not twelve). The ledger's
services (``measure_add``, ``closure_close``, ``measure_reopen``) compute the measure's contribution before and
after their write and apply the difference in the same transaction with INSERT ... ON CONFLICT DO UPDATE, so
concurrent writers never lose a count; colors and reminders (``ledger_tick``) change nothing counted here. ``rebuild``
recomputes the rows of given units from the measures themselves (the benchmark's loader, a moved subtree, and
``python -c "from gonghui.oversight import stats_measures; stats_measures.rebuild_all()"`` after a bulk load).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.casework.stats import _upsert, ancestors, month_key

from .models import Measure, MeasureStat

KEYS = ("unit", "owner", "created", "closed", "due")


def _month(dt) -> int:
    return month_key(timezone.localdate(dt)) if dt is not None else 0


def contribution(measure: Measure | None) -> tuple[str, dict] | None:
    """(org path, {(owner, created, closed, due): n}) for one measure as stored now."""
    if measure is None or measure.pk is None:
        return None
    created = _month(measure.created_at)
    return measure.org_path, {(0, created, _month(measure.closed_at), month_key(measure.due_on)): 1,
                              (measure.owner_id, created, 0, 0): 1,
                              (measure.owner_id, year_key(created), 0, 0): 1}


def year_key(month: int) -> int:
    """The owner rows' key for a whole year: yyyy00 (before every month of the year)."""
    return month // 100 * 100


def apply(before, after) -> None:
    """Add ``after`` and take away ``before`` on every unit of the paths."""
    deltas: dict[tuple, int] = defaultdict(int)
    for sign, contrib in ((-1, before), (1, after)):
        if contrib is None:
            continue
        path, rows = contrib
        for unit in ancestors(path):
            for key, n in rows.items():
                deltas[(unit, *key)] += sign * n
    _upsert(MeasureStat, KEYS, ("n",), [(*k, v) for k, v in sorted(deltas.items()) if v])


def _key(d) -> int:
    return month_key(d) if d is not None else 0


def rebuild(paths: Iterable[str]) -> int:
    """Recompute the rows of these units, each over its whole subtree (counted by the database)."""
    n = 0
    for path in sorted(set(paths)):
        MeasureStat.objects.filter(unit=path).delete()
        mine = Measure.objects.filter(org_path__startswith=path).order_by()
        rows = [MeasureStat(unit=path, owner=0, created=_key(c), closed=_key(x), due=_key(d), n=k)
                for c, x, d, k in mine.values_list(TruncMonth("created_at"), TruncMonth("closed_at"),
                                                   TruncMonth("due_on")).annotate(k=Count("pk"))]
        by_month = list(mine.values_list("owner_id", TruncMonth("created_at")).annotate(k=Count("pk")))
        rows += [MeasureStat(unit=path, owner=o, created=_key(c), n=k) for o, c, k in by_month]
        by_year: dict[tuple[int, int], int] = defaultdict(int)
        for o, c, k in by_month:
            by_year[(o, year_key(_key(c)))] += k
        rows += [MeasureStat(unit=path, owner=o, created=y, n=k) for (o, y), k in by_year.items()]
        MeasureStat.objects.bulk_create(rows, batch_size=5000)
        n += len(rows)
    return n


def rebuild_all() -> int:
    from gonghui.orgs.models import Org

    MeasureStat.objects.all().delete()
    return rebuild(Org.objects.values_list("path", flat=True))


def subtree_moved(old_path: str, new_path: str) -> None:
    """The moved subtree's measures carry their new path first (whichever receiver runs first); the moved units'
    own rows follow them; the units above, before and after, are recomputed."""
    from gonghui.members.signals import rewrite_prefix

    rewrite_prefix(Measure, "org_path", old_path, new_path)
    rewrite_prefix(MeasureStat, "unit", old_path, new_path)
    rebuild({*ancestors(old_path)[:-1], *ancestors(new_path)[:-1]})
