"""Oversight on PostgreSQL (issue 13 §7): 100,000 problems with 300,000 measures across the demo tree.

Builds the demo federation's tree in a dedicated database, loads the problems (with their review opinions) and the
rectification measures with COPY (every column the models have: the generator fills the ones it does not name with
the field's default, so it follows the ledger's additions to ``Measure``), builds the pre-aggregated rows from
them, and measures in one run, each against the naive query:

* the ledger page of a county: the 50 most urgent open measures of its subtree
  (``gonghui.oversight.selectors_ledger.ledger_page``) against the same rows read without an index to serve the
  order (the subtree's open measures sorted);
* the 蜗牛榜 of a city for a quarter (``gonghui.oversight.snail.snail_board``) against adding up each owner's and
  unit's overdue working days measure by measure;
* the oversight figures of a city for a year (every ``oversight.*`` key of ``gonghui.core.figures``) against the
  same figure code with the pre-aggregated rows switched off (``whole_months`` → None: count the rows);
* the ledger's tick over all open measures (``gonghui.oversight.tasks_ledger.ledger_tick``) against a per-measure
  loop (load, color, save) timed on a sample and scaled.

An entry point not on this branch is reported as not measured (the ledger's are named in the oversight brief).
Goals: ledger and figures < 20 ms, 蜗牛榜 < 200 ms, tick < 10 s.

Usage (from the repository root):

    .venv/bin/python benchmarks/oversight.py [--problems N] [--measures N] [--reps N] [--keep] [--db-url URL]

The database named in ``--db-url`` (default ``BENCH_DATABASE_URL`` or
postgres://postgres@127.0.0.1:5432/gonghui_bench_oversight) is dropped and rebuilt unless ``--keep`` finds it
loaded; its name must contain "bench". Progress goes to stderr; a Markdown block for benchmarks/RESULTS.md goes to
stdout at the end.
"""

import argparse
import datetime
import importlib
import os
import platform
import random
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.casework import log, p95, picker, timed  # noqa: E402
from benchmarks.dbs import database_exists, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gonghui_bench_oversight"
SEED = 20261204
LEDGER_GOAL_MS = 20.0
SNAIL_GOAL_MS = 200.0
TICK_GOAL_S = 10.0
NAIVE_TICK_SAMPLE = 2000
OWNERS = 3000


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def entry(dotted: str):
    """The function at ``module.name``, or None when this branch does not have it."""
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------

class Copier:
    """COPY rows of a model: the columns named get the generator's values, every other one its field's default
    (computed once, in its database form)."""

    def __init__(self, model, named: tuple[str, ...]):
        from django.db import connection

        self.model = model
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields]
        by_name = {f.attname: f for f in fields}
        missing = [n for n in named if n not in by_name]
        if missing:
            raise SystemExit(f"{model.__name__} has no column {missing}: the generator needs updating")
        self.columns = list(named)
        self.constants = []
        for f in fields:
            if f.attname in named:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = datetime.datetime.now(datetime.UTC)
            elif f.get_internal_type() in ("CharField", "TextField"):
                value = ""
            else:
                raise SystemExit(f"{model.__name__}.{f.attname} has no default: the generator needs a value for it")
            self.columns.append(f.column if f.attname == f.column else f.attname)
            self.constants.append(f.get_db_prep_save(value, connection))

    def copy(self, cur, rows) -> int:
        n = 0
        with cur.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *self.constants))
                n += 1
        return n


def build_tree() -> dict:
    from gonghui.demo.seed import seed

    t0 = time.monotonic()
    result = seed(members=0, activity=0)  # the tree and the demo users only
    log(f"demo tree: {result['orgs']} orgs in {time.monotonic() - t0:.1f} s")
    return result


def make_owners(n: int) -> list[int]:
    """Measure owners (责任人): users with a union officer's grant on a grassroots union or a township each."""
    from django.contrib.auth import get_user_model

    from gonghui.core.models import Grant, Role
    from gonghui.orgs.models import Org

    User = get_user_model()
    units = list(Org.objects.filter(level__in=("township", "grassroots", "county")).order_by("path"))
    users = User.objects.bulk_create([User(username=f"owner{i:05d}", display_name=f"责任人{i:05d}", password="!")  # noqa: S106 (unusable)
                                      for i in range(n)], batch_size=1000)
    Grant.objects.bulk_create([Grant(user=u, role=Role.UNION_OFFICER, org=units[i % len(units)])
                               for i, u in enumerate(users)], batch_size=1000)
    return [u.pk for u in users]


def load_rows(problems: int, measures: int, today: datetime.date, owners: list[int]) -> dict:
    """Problems over the three years up to today (a fifth still in review, the rest final; the older final ones
    mostly closed), their review opinions, and ``measures`` measures of the final ones (due dates from two years
    ago to half a year ahead; the older ones mostly closed)."""
    import psycopg

    from gonghui.orgs.models import Org
    from gonghui.oversight.models import Category, Measure, Problem, ProblemReview, Source

    rng = random.Random(SEED)
    orgs = list(Org.objects.values_list("id", "path", "level"))
    weight = {"city": 1, "county": 6, "industry": 2, "township": 20, "grassroots": 60, "branch": 3}
    units = [(i, p) for i, p, lvl in orgs for _ in range(weight.get(lvl, 1))]
    sources = list(Source.objects.values_list("pk", flat=True))
    categories = list(Category.objects.values_list("pk", flat=True))
    pick_stage = picker(rng, [("draft", 5), ("first", 7), ("joint", 8), ("final", 80)])
    tz = datetime.timezone(datetime.timedelta(hours=8))
    first = datetime.date(today.year - 3, today.month, 1)
    span = (today - first).days
    offsets = sorted(rng.randrange(span) for _ in range(problems))
    finals: list[tuple] = []  # (problem id, org id, path, created on, closed)
    counts = {"problems": problems, "final": 0, "reviews": 0, "measures": 0, "open_measures": 0, "owners": len(owners)}
    p_copy = Copier(Problem, ("id", "org_id", "org_path", "number", "year", "source_id", "category_id", "title",
                              "stage", "state", "rounds", "created_at", "finalized_at", "closed_at"))
    r_copy = Copier(ProblemReview, ("id", "problem_id", "stage", "decision", "round", "at", "reviewer_label"))
    m_copy = Copier(Measure, ("id", "problem_id", "org_id", "org_path", "steps", "indicator", "expected", "due_on",
                              "owner_id", "leader", "state", "created_at", "closed_at"))
    t0 = time.monotonic()
    reviews: list[tuple] = []
    seq: dict[int, int] = {}

    def problem_rows():
        for n, offset in enumerate(offsets, start=1):
            org_id, path = rng.choice(units)
            created_on = first + datetime.timedelta(days=offset)
            created = datetime.datetime.combine(created_on, datetime.time(9 + rng.randrange(8)), tz)
            stage = pick_stage() if (today - created_on).days < 120 else "final"
            year = created_on.year
            seq[year] = seq.get(year, 0) + 1
            finalized = closed = None
            state = "open"
            rounds = {"draft": 0, "first": 1, "joint": 1, "final": 2}[stage]
            if stage in ("first", "joint", "final"):
                reviews.append((len(reviews) + 1, n, "first", "pass", 1, created + datetime.timedelta(days=2), "初审"))
            if stage == "final":
                finalized = created + datetime.timedelta(days=rng.randrange(5, 20))
                reviews.append((len(reviews) + 1, n, "joint", "pass", 2, finalized, "复审小组"))
                if rng.random() < 0.1:
                    reviews.append((len(reviews) + 1, n, "joint", "return", 1, finalized - datetime.timedelta(days=3),
                                    "复审小组"))
                old = (today - created_on).days > 240
                done = rng.random() < (0.85 if old else 0.25)
                finals.append((n, org_id, path, finalized, done))
                if done:
                    state, closed = "closed", finalized + datetime.timedelta(days=rng.randrange(20, 200))
                    closed = min(closed, datetime.datetime.combine(today, datetime.time(8), tz))
            yield (n, org_id, path, f"WT-{year}-{seq[year]:06d}", year, rng.choice(sources), rng.choice(categories),
                   "食堂经费使用不规范", stage, state, rounds, created, finalized, closed)

    def measure_rows():
        # ``measures`` spread over the final problems: each has at least one.
        per = [1] * len(finals)
        for _ in range(max(0, measures - len(finals))):
            per[rng.randrange(len(finals))] += 1
        m = 0
        for (pid, org_id, path, finalized, done), k in zip(finals, per, strict=True):
            for j in range(k):
                m += 1
                due = finalized.date() + datetime.timedelta(days=rng.randrange(10, 180))
                closed_at = None
                state = "open"
                # A problem not closed (销号) keeps its first measure open.
                if done or (j and ((due < today and rng.random() < 0.7) or (due >= today and rng.random() < 0.15))):
                    state = "closed"
                    closed_at = datetime.datetime.combine(min(today, due + datetime.timedelta(
                        days=rng.randrange(-20, 30))), datetime.time(15), tz)
                    closed_at = max(closed_at, finalized)
                else:
                    counts["open_measures"] += 1
                yield (m, pid, org_id, path, "制定制度并组织落实", "制度建立并执行", "问题整改到位", due,
                       rng.choice(owners), "分管副主席", state, finalized, closed_at)
        counts["measures"] = m

    with psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as raw, \
            raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        p_copy.copy(cur, problem_rows())
        log(f"  {problems:,} problems ({time.monotonic() - t0:.0f} s)")
        counts["reviews"] = r_copy.copy(cur, iter(reviews))
        counts["final"] = len(finals)
        m_copy.copy(cur, measure_rows())
        log(f"  {counts['measures']:,} measures ({time.monotonic() - t0:.0f} s)")
        for model in (Problem, ProblemReview, Measure):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for year, last in seq.items():
            cur.execute("INSERT INTO oversight_problemcounter (year, last) VALUES (%s, %s) ON CONFLICT (year) "
                        "DO UPDATE SET last = excluded.last", [year, last])
    log(f"loaded in {time.monotonic() - t0:.0f} s: {counts}")
    return counts


def rebuild_stats() -> dict:
    """Every pre-aggregated table of oversight that has a ``rebuild``, over every unit."""
    from django.db import transaction

    from gonghui.orgs.models import Org

    paths = list(Org.objects.values_list("path", flat=True))
    out = {}
    for name in ("stats_problems", "stats_ledger", "stats_measures"):
        module = entry(f"gonghui.oversight.{name}.rebuild")
        if module is None:
            continue
        t0 = time.monotonic()
        with transaction.atomic():
            try:
                rows = module(paths)
            except TypeError:
                rows = module()
        out[name] = (rows, time.monotonic() - t0)
        log(f"{name}.rebuild: {rows} rows in {time.monotonic() - t0:.0f} s")
    return out


def load(args, today: datetime.date) -> dict:
    from django.core.management import call_command
    from django.db import connection

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - t0:.0f} s")
    build_tree()
    owners = make_owners(OWNERS)
    counts = load_rows(args.problems, args.measures, today, owners)
    rebuild_stats()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("CREATE TABLE bench_meta (k text primary key, v text)")
        for k, v in counts.items():
            cur.execute("INSERT INTO bench_meta VALUES (%s, %s)", [k, str(v)])
    return counts


def loaded_meta() -> dict | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT k, v FROM bench_meta")
        return {k: int(v) for k, v in cur.fetchall()}


# ---------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------

def bench_actor(username: str = "city"):
    from django.contrib.auth import get_user_model

    from gonghui.core.access import actor_for

    actor = actor_for(get_user_model().objects.get(username=username))
    if not actor.can("oversight.view"):
        raise SystemExit("the demo city user lacks oversight.view")
    return actor


def _rows(result) -> list:
    return list(result) if not isinstance(result, dict) else [result]


def bench_ledger(actor, county, today, reps) -> dict:
    from django.db.models import F
    from django.db.models.functions import Coalesce

    from gonghui.core.access import Actor
    from gonghui.core.models import Grant
    from gonghui.oversight.models import Measure

    fn = entry("gonghui.oversight.selectors_ledger.ledger_page")
    open_n = Measure.objects.filter(org_path__startswith=county.path, state="open").count()

    def naive():
        # The subtree's open measures, sorted by an expression no index serves.
        return list(Measure.objects.filter(org_path__startswith=county.path, state="open")
                    .order_by(Coalesce(F("due_on"), F("due_on")).asc(), "pk")[:50])

    t_naive = timed(naive, max(5, reps // 4), warmup=1)
    out = {"org": county, "open": open_n, "naive": t_naive, "project": None}
    if fn is not None:
        grant = Grant.objects.filter(user=actor.user).select_related("org").first()
        county_actor = Actor(user=actor.user, grant=Grant(user=actor.user, role=grant.role, org=county),
                             grants=actor.grants)
        out["project"] = timed(lambda: _rows(fn(county_actor, filters=None, limit=50)), reps)
        log(f"ledger {county.code}: {statistics.median(out['project']):.2f} ms vs naive "
            f"{statistics.median(t_naive):.2f} ms")
    else:
        log(f"ledger {county.code}: ledger_page not on this branch; naive {statistics.median(t_naive):.2f} ms")
    return out


def bench_snail(actor, city, start, end, reps) -> dict:
    from collections import Counter

    from gonghui.core.workdays import workdays_between
    from gonghui.oversight.models import Measure

    fn = entry("gonghui.oversight.snail.snail_board")

    def naive():
        # Each measure of the subtree overdue at some point of the quarter: its overdue working days in it, added
        # up by owner and by unit.
        by_owner, by_unit = Counter(), Counter()
        rows = (Measure.objects.filter(org_path__startswith=city.path, due_on__lt=end)
                .exclude(closed_at__date__lt=start)
                .values_list("owner_id", "org_id", "due_on", "closed_at").iterator(chunk_size=5000))
        for owner, org, due, closed_at in rows:
            stop = min(end, closed_at.date()) if closed_at else end
            days = int(workdays_between(max(due, start), stop))
            if days > 0:
                by_owner[owner] += days
                by_unit[org] += days
        return by_owner.most_common(50), by_unit.most_common(50)

    t_naive = timed(naive, max(3, reps // 8), warmup=1)
    out = {"org": city, "period": f"{start}–{end}", "naive": t_naive, "project": None}
    if fn is not None:
        out["project"] = timed(lambda: fn(actor, org=city, start=start, end=end), reps)
        log(f"snail {city.code}: {statistics.median(out['project']):.2f} ms vs naive "
            f"{statistics.median(t_naive):.2f} ms")
    else:
        log(f"snail {city.code}: snail_board not on this branch; naive {statistics.median(t_naive):.2f} ms")
    return out


def bench_figures(actor, org, period_key, reps) -> dict:
    from gonghui.core import figures as registry
    from gonghui.core.figures import Period

    period = Period.parse(period_key)
    keys = [f.key for f in registry.all_figures() if f.key.startswith("oversight.")]
    modules = []
    for name in ("figures_problems", "figures_ledger", "figures_tasks", "figures_visits"):
        try:
            modules.append(importlib.import_module(f"gonghui.oversight.{name}"))
        except ImportError:
            pass

    def project():
        return {fv.key: fv.value for fv in registry.compute(org, Period.parse(period_key), actor=actor, keys=keys)}

    def naive():
        # No pre-aggregated rows: every figure module counts its rows (``whole_months`` → None).
        with ExitStack() as stack:
            for m in modules:
                if hasattr(m, "whole_months"):
                    stack.enter_context(mock.patch.object(m, "whole_months", lambda p: None))
            return project()

    a, b = project(), naive()
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], (k, a[k], b[k])
    t_project = timed(project, reps)
    t_naive = timed(naive, max(5, reps // 4), warmup=1)
    log(f"figures {org.code} {period_key}: {len(keys)} keys {statistics.median(t_project):.2f} ms vs naive "
        f"{statistics.median(t_naive):.2f} ms")
    return {"org": org, "period": period_key, "keys": keys, "modules": [m.__name__.rsplit(".", 1)[1] for m in modules],
            "project": t_project, "naive": t_naive, "problems": a.get("oversight.problems"), "period_obj": period}


def naive_tick_sample(now, sample: int) -> float:
    """Seconds per open measure for a per-measure sweep: load it, color it with the shared scheme, save the color
    when the model has one, raise its supervision item when red (rolled back afterwards)."""
    from django.db import transaction
    from django.utils import timezone

    from gonghui.core import supervision
    from gonghui.oversight.models import Measure

    class Rollback(Exception):
        pass

    has_color = any(f.name == "color" for f in Measure._meta.concrete_fields)
    ids = list(Measure.objects.filter(state="open").order_by("?").values_list("pk", flat=True)[:sample])
    today = timezone.localdate(now)
    registered = "measure" in supervision.kinds()
    if not registered:
        supervision.register_kind("measure", label="整改措施", perm="oversight.view", blue_within=3, remind_before=3,
                                  url_name="orgs:dashboard_home")
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            for pk in ids:
                m = Measure.objects.select_related("org").get(pk=pk)
                color = supervision.color_for(due_on=m.due_on, today=today, stalled=False, blue_within=3)
                if has_color and color != m.color:
                    m.color = color
                    m.save(update_fields=["color"])
                if color == "red":
                    supervision.raise_item(kind="measure", object_id=m.pk, key=f"naive:{m.due_on}",
                                           title=m.indicator, holder_org=m.org, due_on=m.due_on, url="")
            elapsed = time.perf_counter() - t0
            raise Rollback
    except Rollback:
        pass
    return elapsed / max(1, len(ids))


def bench_tick(open_measures: int) -> dict:
    from django.utils import timezone

    fn = entry("gonghui.oversight.tasks_ledger.ledger_tick")
    now = timezone.now()
    per = naive_tick_sample(now, NAIVE_TICK_SAMPLE)
    out = {"naive": per * open_measures, "naive_per_ms": per * 1000, "first": None, "steady": None}
    if fn is None:
        log(f"tick: ledger_tick not on this branch; naive {per * 1000:.2f} ms per measure")
        return out
    t0 = time.perf_counter()
    out["first_result"] = fn(now=now)
    out["first"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["steady_result"] = fn(now=now + datetime.timedelta(minutes=5))
    out["steady"] = time.perf_counter() - t0
    log(f"tick: first {out['first']:.2f} s, steady {out['steady']:.2f} s")
    return out


def _row(label, scope, project, naive, goal_ms) -> str:
    n = statistics.median(naive)
    if project is None:
        return f"| {label} | {scope} | not measured (entry point not on this branch) | {n:.2f} | — | < {goal_ms:.0f} ms: " \
               "not measured |"
    p = statistics.median(project)
    return (f"| {label} | {scope} | {p:.2f} ({p95(project):.2f}) | {n:.2f} | {n / p:.1f}× | < {goal_ms:.0f} ms: "
            f"{'met' if p < goal_ms else 'missed'} |")


def report(args, counts, ledger, snail, figs, tick) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('oversight_problem')), "
                    "pg_size_pretty(pg_total_relation_size('oversight_measure'))")
        p_size, m_size = cur.fetchone()
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'")
        active = cur.fetchone()[0]
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = ["## Oversight (`benchmarks/oversight.py`)",
           f"`.venv/bin/python benchmarks/oversight.py --problems {args.problems} --measures {args.measures} "
           f"--reps {args.reps}` on PostgreSQL {pg}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
           f"(load average {load_avg:.1f} at the report, {active} active sessions: a shared machine).", "",
           f"Data: the demo tree; {counts['problems']:,} problems ({p_size} with indexes; {counts['final']:,} final, "
           f"{counts['reviews']:,} review opinions) and {counts['measures']:,} measures ({m_size}; "
           f"{counts['open_measures']:,} open) owned by {counts['owners']:,} owners. Medians of {args.reps} runs "
           f"(naive: of fewer), after warm-up; p95 in brackets.", "",
           "| workload | scope | project ms (p95) | naive ms | naive / project | goal |",
           "|---|---|---:|---:|---:|---|",
           _row(f"ledger page, 50 most urgent open measures: {ledger['org'].name}",
                f"{ledger['open']:,} open measures", ledger["project"], ledger["naive"], LEDGER_GOAL_MS),
           _row(f"蜗牛榜: {snail['org'].name}, {snail['period']}", "every measure of the city", snail["project"],
                snail["naive"], SNAIL_GOAL_MS)]
    for f in figs:
        out.append(_row(f"{len(f['keys'])} oversight figures ({', '.join(f['modules'])}): {f['org'].name}, "
                        f"{f['period']}", f"{f['problems']:,} problems in the period", f["project"], f["naive"],
                        LEDGER_GOAL_MS))
    out += ["", "| sweep over the open measures | seconds | naive seconds (scaled) | naive / project | goal |",
            "|---|---:|---:|---:|---|"]
    if tick["first"] is None:
        out.append(f"| `ledger_tick` | not measured (not on this branch) | {tick['naive']:.0f} | — | "
                   f"< {TICK_GOAL_S:.0f} s: not measured |")
    else:
        for name in ("first", "steady"):
            t = tick[name]
            out.append(f"| `ledger_tick`, {name} run | {t:.2f} | {tick['naive']:.0f} | {tick['naive'] / t:.0f}× | "
                       f"< {TICK_GOAL_S:.0f} s: {'met' if t < TICK_GOAL_S else 'missed'} |")
    out += ["", f"- The naive sweep loads, colors (the shared `color_for`) and saves each open measure and raises "
            f"the red ones with `raise_item`: {tick['naive_per_ms']:.2f} ms per measure on a sample of "
            f"{NAIVE_TICK_SAMPLE:,}, scaled to {counts['open_measures']:,} open measures.",
            "- The figures read the pre-aggregated rows of the org itself; the naive path is the same figure code "
            "counting the rows of the subtree. Both give the same numbers (checked in the run)."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--measures", type=int, default=300_000)
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    reuse = args.keep and database_exists(args.db_url)
    if not reuse:
        recreate_database(args.db_url)
    setup_django(args.db_url)
    from django.utils import timezone

    from gonghui.orgs.models import Org

    today = timezone.localdate()
    counts = loaded_meta() if reuse else None
    if counts is None:
        counts = load(args, today)
    actor = bench_actor()
    city = Org.objects.get(code="LJ")
    county = Org.objects.get(code="LJ-DH")
    q = (today.month - 1) // 3
    start = datetime.date(today.year, 3 * q + 1, 1) - datetime.timedelta(days=1)
    start = datetime.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)  # the last whole quarter
    end = datetime.date(today.year, 3 * q + 1, 1) - datetime.timedelta(days=1)
    tick = bench_tick(counts["open_measures"])
    ledger = bench_ledger(actor, county, today, args.reps)
    snail = bench_snail(actor, city, start, end, args.reps)
    year = str(today.year - 1)
    figs = [bench_figures(actor, city, year, args.reps)]
    print(report(args, counts, ledger, snail, figs, tick))


if __name__ == "__main__":
    main()
