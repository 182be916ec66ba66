"""Pre-aggregated assistance figures (``AidStat``): the ``aid.*`` figures of any subtree and whole months read the
rows of one unit (a few hundred), whatever the subtree's size.

The rows are generic: (unit path, month yyyymm, key) → (n, amount). ``add(rows)`` takes (org path, month, key, n,
amount) tuples of the things a service wrote or changed (amounts and counts may be negative: a change is the new
contribution minus the old) and adds each to one row per unit on the path (the unit itself and every ancestor) with
INSERT … ON CONFLICT DO UPDATE, in the caller's transaction, so concurrent writers never lose a count. Any part of
the app may feed it with keys of its own (medical mutual aid and donation drives can add theirs: pick a key prefix,
call ``add`` from the service in the same transaction, and teach ``rebuild`` to recompute it).

Keys kept here:

- ``files_in:<category>`` / ``files_out:<category>``: a hardship file filed in the month (``filed_on``) / a filed one
  that exited in the month, by its current category (the files on file at a month's end are the ins minus the outs
  of every month up to it); ``exited``: files that exited in the month. Kept by the archive's services (filing,
  annual review, exit, update) from the household's contribution before and after their write.
- ``grant:<kind>``: paid grants by the program's kind (n, amount), by month paid; kept by ``batch_pay``.
- ``visit:<target>:<w>`` (n = people, amount = cash + goods), ``visit_hh:<target>:<w>`` (n = households),
  ``visit_ent:<target>:<w>`` (n = enterprises), ``w`` = 1 for a visit of a 送温暖 program; kept by ``visit_create``.

``rebuild`` recomputes the rows of given units from the rows themselves (a moved subtree); ``rebuild_all`` every row,
by depth, set-based (after a bulk load: ``python -c "from gonghui.aid import stats; stats.rebuild_all()"``).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, CharField, Count, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Length, Substr

from gonghui.casework.stats import _upsert, ancestors, month_key

ZERO = Decimal("0.00")
KEYS = ("unit", "month", "key")
FIELDS = ("n", "amount")


def add(rows: Iterable[tuple[str, int, str, int, Decimal]]) -> None:
    """Add (org path, month, key, n, amount) to the rows of every unit on each path (sorted: writers lock rows in
    one order)."""
    from .models import AidStat

    deltas: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    for path, month, key, n, amount in rows:
        for unit in ancestors(path):
            d = deltas[(unit, month, key)]
            d[0] += n
            d[1] += amount
    _upsert(AidStat, KEYS, FIELDS, [(*k, n, a) for k, (n, a) in sorted(deltas.items()) if n or a])


# --- the archive -------------------------------------------------------------------------------------------------

def household_rows(household) -> dict[tuple[int, str], int]:
    """The household's contribution as stored now: {(month, key): n}."""
    out: dict[tuple[int, str], int] = {}
    if household is None or household.pk is None:
        return out
    if household.filed_on is not None:
        out[(month_key(household.filed_on), f"files_in:{household.category}")] = 1
        if household.exited_on is not None:
            out[(month_key(household.exited_on), f"files_out:{household.category}")] = 1
    if household.exited_on is not None:
        out[(month_key(household.exited_on), "exited")] = 1
    return out


def household_saved(household, before: dict) -> None:
    """Apply the change of the household's contribution since ``before`` (``household_rows`` taken when the service
    locked the row)."""
    after = household_rows(household)
    if after == before:
        return
    change: dict[tuple[int, str], int] = defaultdict(int)
    for (m, k), n in after.items():
        change[(m, k)] += n
    for (m, k), n in before.items():
        change[(m, k)] -= n
    add((household.org_path, m, k, n, ZERO) for (m, k), n in change.items() if n)


# --- grants and visits -------------------------------------------------------------------------------------------

def batch_paid(batch) -> None:
    """A batch's grants were paid on ``batch.paid_on``: add them by unit and kind."""
    from .models import Grant

    month = month_key(batch.paid_on)
    add((path, month, f"grant:{kind}", n, amount or ZERO) for path, kind, n, amount in
        Grant.objects.filter(batch=batch, state="paid").order_by().values_list("org_path", "kind")
        .annotate(n=Count("pk"), amount=Sum("amount")))


def visit_rows(visit) -> list[tuple[str, int, str, int, Decimal]]:
    w = int(visit.program_id is not None and visit.program.kind == "warmth")
    m = month_key(visit.visited_on)
    return [(visit.org_path, m, f"visit:{visit.target}:{w}", visit.people, visit.cash + visit.goods_value),
            (visit.org_path, m, f"visit_hh:{visit.target}:{w}", visit.households, ZERO),
            (visit.org_path, m, f"visit_ent:{visit.target}:{w}", visit.enterprises, ZERO)]


def visit_added(visit) -> None:
    add(visit_rows(visit))


# --- reading -----------------------------------------------------------------------------------------------------

def whole_months(period) -> tuple[int, int] | None:
    """(first month, last month) when the period is whole months, else None (the figures count the rows)."""
    after = period.end + datetime.timedelta(days=1)
    if period.start.day != 1 or after.day != 1:
        return None
    return month_key(period.start), month_key(period.end)


def sums(unit: str, lo: int, hi: int, *, prefix: str = "") -> dict[str, tuple[int, Decimal]]:
    """{key: (n, amount)} of the unit's rows from month ``lo`` to ``hi`` (keys starting with ``prefix``)."""
    from .models import AidStat

    qs = AidStat.objects.filter(unit=unit, month__gte=lo, month__lte=hi)
    if prefix:
        qs = qs.filter(key__startswith=prefix)
    return {k: (n or 0, a or ZERO) for k, n, a in qs.order_by().values_list("key").annotate(Sum("n"), Sum("amount"))}


# --- rebuilding --------------------------------------------------------------------------------------------------

def _month(field: str):
    return ExtractYear(field) * 100 + ExtractMonth(field)


def _groups(unit, *, Household, Grant, AidVisit, path: str | None = None, width: int | None = None):
    """(unit, month, key, n, amount) of every source, grouped by the database; ``unit`` an expression."""
    def scope(qs):
        if path is not None:
            return qs.filter(org_path__startswith=path)
        return qs.annotate(length=Length("org_path")).filter(length__gte=width)

    h = scope(Household.objects.filter(filed_on__isnull=False)).order_by()
    yield from ((u, m, f"files_in:{c}", n, ZERO) for u, m, c, n in h.annotate(u=unit, m=_month("filed_on"))
                .values_list("u", "m", "category").annotate(n=Count("pk")))
    yield from ((u, m, f"files_out:{c}", n, ZERO) for u, m, c, n in h.filter(exited_on__isnull=False)
                .annotate(u=unit, m=_month("exited_on")).values_list("u", "m", "category").annotate(n=Count("pk")))
    x = scope(Household.objects.filter(exited_on__isnull=False)).order_by()
    yield from ((u, m, "exited", n, ZERO) for u, m, n in x.annotate(u=unit, m=_month("exited_on"))
                .values_list("u", "m").annotate(n=Count("pk")))
    g = scope(Grant.objects.filter(state="paid", paid_on__isnull=False)).order_by()
    yield from ((u, m, f"grant:{k}", n, a or ZERO) for u, m, k, n, a in g.annotate(u=unit, m=_month("paid_on"))
                .values_list("u", "m", "kind").annotate(n=Count("pk"), a=Sum("amount")))
    v = scope(AidVisit.objects.all()).order_by().annotate(
        u=unit, m=_month("visited_on"),
        w=Case(When(program__kind="warmth", then=Value("1")), default=Value("0"), output_field=CharField()))
    for u, m, t, w, people, hh, ent, money in v.values_list("u", "m", "target", "w").annotate(
            people=Coalesce(Sum("people"), 0), hh=Coalesce(Sum("households"), 0),
            ent=Coalesce(Sum("enterprises"), 0), money=Coalesce(Sum("cash"), ZERO) + Coalesce(Sum("goods_value"),
                                                                                           ZERO)):
        yield u, m, f"visit:{t}:{w}", people, money or ZERO
        yield u, m, f"visit_hh:{t}:{w}", hh, ZERO
        yield u, m, f"visit_ent:{t}:{w}", ent, ZERO


def _models(models):
    if models is not None:
        return models
    from . import models as m

    return {"Household": m.Household, "Grant": m.Grant, "AidVisit": m.AidVisit, "AidStat": m.AidStat}


def _store(AidStat, rows) -> int:
    objs = [AidStat(unit=u, month=m, key=k, n=n, amount=a) for u, m, k, n, a in rows if n or a]
    AidStat.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def rebuild(paths: Iterable[str], *, models=None) -> int:
    """Recompute the rows of these units, each over its whole subtree."""
    m = _models(models)
    n = 0
    for path in sorted(set(paths)):
        m["AidStat"].objects.filter(unit=path).delete()
        n += _store(m["AidStat"], _groups(Value(path, output_field=CharField()), path=path, Household=m["Household"],
                                          Grant=m["Grant"], AidVisit=m["AidVisit"]))
    return n


def rebuild_all(*, models=None, steplen: int = 4) -> int:
    """Every row again, one grouped query per source and tree depth."""
    m = _models(models)
    m["AidStat"].objects.all().delete()
    depths = set()
    for model in (m["Household"], m["Grant"], m["AidVisit"]):
        depths |= {d for d in model.objects.annotate(d=Length("org_path") / steplen).order_by()
                   .values_list("d", flat=True).distinct()}
    n = 0
    for depth in range(1, max(depths, default=0) + 1):
        width = depth * steplen
        n += _store(m["AidStat"], _groups(Substr("org_path", 1, width), width=width, Household=m["Household"],
                                          Grant=m["Grant"], AidVisit=m["AidVisit"]))
    return n


def subtree_moved(old_path: str, new_path: str) -> None:
    """The moved units' own rows follow them; the units above, before and after, are recomputed (after the rows'
    paths were rewritten)."""
    from gonghui.members.signals import rewrite_prefix

    from .models import AidStat

    rewrite_prefix(AidStat, "unit", old_path, new_path)
    rebuild({*ancestors(old_path)[:-1], *ancestors(new_path)[:-1]})

