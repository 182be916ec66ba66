"""Casework on PostgreSQL with a million cases across the demo tree: the inbox, the figures, the tick.

Builds the demo federation (one city, three counties, ~20 townships, ~300 grassroots unions, their branches)
in a dedicated database, loads 1,000,000 cases (and their intakes) with COPY, builds the pre-aggregated
counts from them, and measures in one run:

* an org's inbox page: the 50 most urgent running cases of its subtree (a county, a township, a grassroots
  union), through the project's selector, against the same query with the due-date indexes dropped (inside a
  transaction that is rolled back);
* the casework figures of a county (and of the city) for a year, read from the pre-aggregated counts and the
  sweep's count of overdue cases, against counting the cases themselves (the same figure code with both
  switched off);
* ``casework_tick`` over 100,000 running cases: the first sweep (which creates every reminder and escalation
  the backlog calls for) and the steady sweep that follows, against a naive per-case sweep (load, color, save,
  get_or_create each alert) timed on a sample and scaled to the same number of cases.

Usage (from the repository root):

    .venv/bin/python benchmarks/casework.py [--cases N] [--running N] [--reps N] [--keep] [--db-url URL]

The database named in ``--db-url`` (default ``BENCH_DATABASE_URL`` or
postgres://postgres@127.0.0.1:5432/gonghui_bench_casework) is dropped and rebuilt unless ``--keep`` finds it
loaded; its name must contain "bench". Progress goes to stderr; a Markdown block for benchmarks/RESULTS.md goes
to stdout at the end.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dbs import database_exists, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gonghui_bench_casework"
SEED = 20260402
GOAL_MS = 20.0
TICK_GOAL_S = 10.0
NAIVE_TICK_SAMPLE = 2000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    if "gonghui.casework" not in settings.INSTALLED_APPS:
        raise SystemExit("gonghui.casework is not in INSTALLED_APPS of " + os.environ["DJANGO_SETTINGS_MODULE"])


def ms(ns: float) -> float:
    return ns / 1e6


def timed(fn, reps: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call, ``reps`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        out.append(ms(time.perf_counter_ns() - t0))
    return out


def p95(samples: list[float]) -> float:
    data = sorted(samples)
    return data[min(len(data) - 1, round(0.95 * (len(data) - 1)))]


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "code", "channel", "category", "topic", "complexity", "subject", "description", "worker_name", "phone",
    "phone_bidx", "phone_last4", "workplace", "people", "is_collective", "source_note", "intake_org_id",
    "intake_path", "received_at", "received_on", "holder_org_id", "org_path", "department", "state", "state_at",
    "progress_at", "limit_days", "clock_start", "paused_since", "paused_days", "due_on", "due_provisional", "color",
    "reply", "replied_at", "replied_on_time", "satisfaction", "rated_via", "rated_at", "rating_comment",
    "follow_up_note", "closed_at", "closed_on", "days_to_close", "reopened_count", "created_at", "updated_at",
)
INTAKE_COLUMNS = ("id", "case_id", "channel", "people", "is_collective", "org_id", "org_path", "received_at",
                  "received_on", "first", "note")
CHANNELS = [("visit", 30), ("phone", 35), ("letter", 5), ("web", 10), ("mobile", 12), ("grid", 5), ("referral", 3)]
CATEGORIES = [("consultation", 35), ("solution", 35), ("complaint", 15), ("suggestion", 5), ("petition", 10)]
TOPICS = [("wages", 30), ("contract", 15), ("social_insurance", 15), ("safety", 5), ("union_founding", 8),
          ("legal_person", 4), ("fund_return", 3), ("assistance", 10), ("other", 10)]
COMPLEXITY = [("general", 85), ("difficult", 12), ("complex", 3)]
RUNNING_STATES = [("received", 15), ("dispatched", 15), ("accepted", 25), ("in_progress", 35), ("returned", 4),
                  ("reopened", 6)]
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def picker(rng: random.Random, weighted):
    values = [v for v, _w in weighted]
    cum, total = [], 0
    for _v, w in weighted:
        total += w
        cum.append(total)

    def pick():
        import bisect

        return values[bisect.bisect_right(cum, rng.random() * total)]
    return pick


def build_tree() -> dict:
    from gonghui.demo.seed import seed

    t0 = time.monotonic()
    result = seed(members=0, activity=0)  # the tree only: the benchmark loads its own cases
    log(f"demo tree: {result['orgs']} orgs in {time.monotonic() - t0:.1f} s")
    return result


def load_cases(total: int, running: int, today: datetime.date) -> dict:
    """COPY ``total`` cases, received over the three years up to yesterday, ``running`` of them still open (the
    most recent ones, most of all), the rest answered or closed; one intake each, a tenth with a second one."""
    from django.db import connection

    from gonghui.casework import deadlines
    from gonghui.casework.policies import policy_seed_defaults
    from gonghui.core.workdays import add_workdays, workdays_between
    from gonghui.orgs.models import Org

    policy_seed_defaults()
    limits = {}
    for cat, _w in CATEGORIES:
        for top, _w2 in TOPICS:
            for cx, _w3 in COMPLEXITY:
                limits[(cat, top, cx)] = deadlines.limit_for(category=cat, topic=top, complexity=cx)[1]
    rng = random.Random(SEED)
    orgs = list(Org.objects.values_list("id", "path", "level"))
    weight = {"city": 2, "county": 10, "industry": 3, "township": 25, "grassroots": 60, "branch": 5}
    units = [(i, p) for i, p, lvl in orgs for _ in range(weight.get(lvl, 1))]
    pick_channel, pick_category = picker(rng, CHANNELS), picker(rng, CATEGORIES)
    pick_topic, pick_cx, pick_running = picker(rng, TOPICS), picker(rng, COMPLEXITY), picker(rng, RUNNING_STATES)
    first = datetime.date(today.year - 3, today.month, 1)
    span = (today - first).days
    tz = datetime.timezone(datetime.timedelta(hours=8))
    # Received dates: uniform over the span; the most recent cases are the open ones.
    offsets = sorted(rng.randrange(span) for _ in range(total))
    open_from = total - running
    codes = set()
    t0 = time.monotonic()
    counts = {"cases": 0, "intakes": 0, "running": 0, "paused": 0}
    intake_id = 0
    # A connection of its own: the calendar may query through Django's while the COPY streams.
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as raw, \
            raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY casework_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            intake_rows = []
            for n, offset in enumerate(offsets, start=1):
                code = "".join(rng.choice(CODE_CHARS) for _ in range(10))
                while code in codes:
                    code = "".join(rng.choice(CODE_CHARS) for _ in range(10))
                codes.add(code)
                org_id, path = rng.choice(units)
                received_on = first + datetime.timedelta(days=offset)
                received_at = datetime.datetime.combine(received_on, datetime.time(9 + rng.randrange(8)), tz)
                channel, category, topic, cx = pick_channel(), pick_category(), pick_topic(), pick_cx()
                people = rng.choice([1, 1, 1, 2, 3, 6]) if channel == "visit" else 1
                limit = limits[(category, topic, cx)]
                due = deadlines.due_date(start=received_on, limit_days=limit)
                state, paused_since, replied_at = "closed", None, None
                closed_at = closed_on = days = replied_on_time = None
                satisfaction, rated_via, rated_at = "", "", None
                progress_at = received_at
                if n > open_from:
                    state = pick_running()
                    counts["running"] += 1
                    if state in ("accepted", "in_progress") and rng.random() < 0.05:
                        paused_since = min(today, received_on + datetime.timedelta(days=rng.randrange(1, 5)))
                        counts["paused"] += 1
                    progress_at = received_at + datetime.timedelta(days=rng.randrange(0, max(1, (today - received_on)
                                                                                            .days + 1)))
                    progress_at = min(progress_at, datetime.datetime.combine(today, datetime.time(8), tz))
                else:
                    late = rng.random() < 0.08
                    reply_on = add_workdays(due, rng.randrange(1, 6)) if late else add_workdays(
                        received_on, rng.randrange(0, max(1, limit) + 1))
                    reply_on = min(datetime.date(reply_on.year, reply_on.month, reply_on.day), today)
                    replied_at = datetime.datetime.combine(reply_on, datetime.time(16), tz)
                    replied_on_time = reply_on <= due
                    r = rng.random()
                    state = "closed" if r < 0.92 else ("followed_up" if r < 0.97 else "replied")
                    if state != "replied":
                        satisfaction = rng.choice(["satisfied"] * 8 + ["basic"] * 2 + ["dissatisfied"])
                        rated_via, rated_at = rng.choice(["worker", "staff"]), replied_at
                    if state == "closed":
                        closed_on = min(add_workdays(reply_on, rng.randrange(1, 4)), today)
                        closed_on = datetime.date(closed_on.year, closed_on.month, closed_on.day)
                        closed_at = datetime.datetime.combine(closed_on, datetime.time(17), tz)
                        days = int(workdays_between(received_on, closed_on))
                    progress_at = replied_at
                copy.write_row((
                    n, code, channel, category, topic, cx, "欠薪等劳动争议诉求", "", "职工", "", "", "", "", people,
                    channel == "visit" and people >= 5, "", org_id, path, received_at, received_on, org_id, path,
                    "", state, progress_at, progress_at, limit, received_on, paused_since, 0, due, due.provisional,
                    "", "已答复" if replied_at else "", replied_at, replied_on_time, satisfaction, rated_via, rated_at,
                    "", "", closed_at, closed_on, days, 0, received_at, progress_at))
                intake_id += 1
                intake_rows.append((intake_id, n, channel, people, channel == "visit" and people >= 5, org_id, path,
                                    received_at, received_on, True, ""))
                if rng.random() < 0.1:
                    again = min(today, received_on + datetime.timedelta(days=rng.randrange(1, 20)))
                    ch = pick_channel()
                    intake_id += 1
                    intake_rows.append((intake_id, n, ch, 1, False, org_id, path,
                                        datetime.datetime.combine(again, datetime.time(10), tz), again, False, ""))
                if n % 100000 == 0:
                    log(f"  {n:,} cases ({time.monotonic() - t0:.0f} s)")
        counts["cases"] = total
        with cur.copy(f"COPY casework_intake ({', '.join(INTAKE_COLUMNS)}) FROM STDIN") as copy:
            for row in intake_rows:
                copy.write_row(row)
        counts["intakes"] = len(intake_rows)
    with connection.cursor() as cur:
        for table in ("casework_case", "casework_intake"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    log(f"loaded {counts['cases']:,} cases, {counts['intakes']:,} intakes in {time.monotonic() - t0:.0f} s")
    return counts


def load(args, today: datetime.date) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from gonghui.casework import stats

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - t0:.0f} s")
    build_tree()
    counts = load_cases(args.cases, args.running, today)
    t0 = time.monotonic()
    with transaction.atomic():
        rows = stats.rebuild()
    log(f"pre-aggregated counts: {rows:,} rows in {time.monotonic() - t0:.0f} s")
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

def bench_actor():
    from django.contrib.auth import get_user_model

    from gonghui.core.access import actor_for

    actor = actor_for(get_user_model().objects.get(username="city"))
    if not actor.can("case.view"):
        raise SystemExit("the federation staff role lacks case.view (gonghui/core/access.py PERMISSIONS)")
    return actor


class DropIndexes(Exception):
    """Raised to roll back the transaction that dropped the due-date indexes."""


def inbox_rows(actor, org, today):
    from gonghui.casework import selectors

    return list(selectors.inbox(actor=actor, org=org, tab="open", today=today)[:50])


def explain(actor, org, today) -> str:
    from django.db import connection

    from gonghui.casework import selectors

    sql, params = selectors.inbox(actor=actor, org=org, tab="open", today=today)[:50].query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        lines = [r[0] for r in cur.fetchall()]
    return next((ln.strip().removeprefix("->  ") for ln in lines if "on casework_case" in ln), lines[0].strip())


def bench_inbox(actor, orgs, today, reps) -> list[dict]:
    from django.db import connection, transaction

    from gonghui.casework import selectors
    from gonghui.casework.models import RUNNING, Case

    out = []
    for org in orgs:
        running = Case.objects.filter(org_path__startswith=org.path, state__in=RUNNING).count()
        project = timed(lambda org=org: inbox_rows(actor, org, today), reps)
        plan = explain(actor, org, today)
        expected = [c.pk for c in inbox_rows(actor, org, today)]
        naive, naive_plan, naive_rows = [], "", []
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("DROP INDEX casework_running_due, casework_running_due_only")
                naive = timed(lambda org=org: inbox_rows(actor, org, today), max(5, reps // 4), warmup=1)
                naive_plan = explain(actor, org, today)
                naive_rows = [c.pk for c in inbox_rows(actor, org, today)]
                raise DropIndexes
        except DropIndexes:
            pass
        assert naive_rows == expected, "the naive inbox returned other cases"
        counts = timed(lambda org=org: selectors.inbox_counts(actor=actor, org=org, today=today), reps)
        naive_counts = timed(lambda org=org: naive_tab_counts(actor, org, today), max(5, reps // 4), warmup=1)
        out.append({"org": org, "running": running, "project": project, "naive": naive, "plan": plan,
                    "naive_plan": naive_plan, "counts": counts, "naive_counts": naive_counts})
        log(f"inbox {org.code}: {statistics.median(project):.2f} ms vs naive {statistics.median(naive):.2f} ms; "
            f"tab counts {statistics.median(counts):.2f} ms vs {statistics.median(naive_counts):.2f} ms")
    return out


def naive_tab_counts(actor, org, today) -> dict:
    """The inbox's tab counts by counting the cases of each tab."""
    from gonghui.casework import selectors

    return {tab: selectors.inbox(actor=actor, org=org, tab=tab, today=today).count() for tab in selectors.TABS}


def bench_figures(actor, org, period_key, reps) -> dict:
    from gonghui.casework import figures
    from gonghui.core import figures as registry
    from gonghui.core.figures import Period

    period = Period.parse(period_key)
    keys = [f.key for f in registry.all_figures() if f.key.startswith("casework.")]

    def project():
        return {fv.key: fv.value for fv in registry.compute(org, period, actor=actor, keys=keys)}

    def naive():
        # No pre-aggregated counts, no sweep's count of the overdue cases: every figure counts the cases.
        with mock.patch.object(figures, "whole_months", lambda p: None), \
                mock.patch.object(figures, "SWEEP_FRESH", datetime.timedelta(seconds=-60)):
            return project()

    a, b = project(), naive()
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], (k, a[k], b[k])
    t_project = timed(project, reps)
    t_naive = timed(naive, max(5, reps // 4), warmup=1)
    log(f"figures {org.code} {period_key}: {statistics.median(t_project):.2f} ms vs naive "
        f"{statistics.median(t_naive):.2f} ms")
    return {"org": org, "period": period_key, "keys": len(keys), "project": t_project, "naive": t_naive,
            "received": a["casework.received"]}


def naive_tick_sample(now, sample: int) -> float:
    """Seconds per case for the naive sweep: each running case loaded, colored and saved on its own, each alert
    looked up and created with get_or_create (rolled back afterwards)."""
    from django.db import transaction
    from django.utils import timezone

    from gonghui.casework import deadlines
    from gonghui.casework.models import RUNNING, Case, CaseAlert
    from gonghui.core.models import SupervisionItem
    from gonghui.orgs.models import Org

    ids = list(Case.objects.filter(state__in=RUNNING).order_by("?").values_list("pk", flat=True)[:sample])
    today = timezone.localdate(now)
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            for pk in ids:
                case = Case.objects.select_related("holder_org").get(pk=pk)
                color = deadlines.color_for(state=case.state, paused=case.paused_since is not None,
                                            due_on=case.due_on, limit_days=case.limit_days,
                                            progress_on=timezone.localdate(case.progress_at), today=today)
                if color != case.color:
                    case.color = color
                    case.save(update_fields=["color"])
                if color:
                    CaseAlert.objects.get_or_create(case=case, kind=color, key=f"naive:{case.due_on}", defaults={
                        "org": case.holder_org, "org_path": case.org_path, "due_on": case.due_on})
                    if color == "red":
                        parent = Org.objects.filter(path=case.org_path[:-4] or case.org_path).first()
                        SupervisionItem.objects.get_or_create(kind="case", object_id=case.pk,
                                                              key=f"naive:{case.due_on}", defaults={
                                                                  "told_org": parent, "told_path": parent.path,
                                                                  "holder_org": case.holder_org,
                                                                  "holder_path": case.org_path, "title": case.code,
                                                                  "due_on": case.due_on})
            elapsed = time.perf_counter() - t0
            raise DropIndexes
    except DropIndexes:
        pass
    return elapsed / len(ids)


def bench_tick(running: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from gonghui.casework.models import CaseAlert
    from gonghui.casework.tasks import casework_tick

    with connection.cursor() as cur:  # a cold start, also when --keep reuses a database swept before
        cur.execute("DELETE FROM casework_casealert")
        cur.execute("DELETE FROM core_supervisionitem WHERE kind = 'case'")  # the escalations (shared list)
        cur.execute("DELETE FROM casework_openstat")
        cur.execute("UPDATE casework_case SET color = '' WHERE color <> ''")
        cur.execute("VACUUM ANALYZE casework_case")
        cur.execute("VACUUM ANALYZE casework_casealert")
    now = timezone.now()
    per_case = naive_tick_sample(now, NAIVE_TICK_SAMPLE)
    t0 = time.perf_counter()
    first = casework_tick(now=now)
    t_first = time.perf_counter() - t0
    log(f"tick (first): {t_first:.2f} s, {first}")
    t0 = time.perf_counter()
    steady = casework_tick(now=now + datetime.timedelta(minutes=5))
    t_steady = time.perf_counter() - t0
    log(f"tick (steady): {t_steady:.2f} s, {steady}")
    return {"first": t_first, "first_result": first, "steady": t_steady, "steady_result": steady,
            "naive": per_case * running, "naive_per_case_ms": per_case * 1000, "alerts": CaseAlert.objects.count()}


def report(args, counts, inbox, figs, tick) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('casework_case')), "
                    "pg_size_pretty(pg_total_relation_size('casework_casestat')), (SELECT count(*) FROM "
                    "casework_casestat)")
        case_size, stat_size, stat_rows = cur.fetchone()
    out = ["## Casework (`benchmarks/casework.py`)",
           f"`.venv/bin/python benchmarks/casework.py --cases {args.cases} --running {args.running}` on PostgreSQL "
           f"{pg}, Python {platform.python_version()}, {os.cpu_count()} CPUs.", "",
           f"Data: the demo tree; {counts['cases']:,} cases ({case_size} with indexes) and {counts['intakes']:,} "
           f"intakes received over three years, {counts['running']:,} still running ({counts['paused']:,} waiting "
           f"for papers); {stat_rows:,} pre-aggregated rows ({stat_size}). Medians of {args.reps} runs "
           f"(naive: of fewer), after warm-up.", "",
           "| workload | running cases in scope | project ms (p95) | naive ms | naive / project | goal |",
           "|---|---:|---:|---:|---:|---|"]
    for r in inbox:
        p, n = statistics.median(r["project"]), statistics.median(r["naive"])
        out.append(f"| inbox, 50 most urgent: {r['org'].name} ({r['org'].level}) | {r['running']:,} | {p:.2f} "
                   f"({p95(r['project']):.2f}) | {n:.2f} | {n / p:.1f}× | < {GOAL_MS:.0f} ms: "
                   f"{'met' if p < GOAL_MS else 'missed'} |")
    for r in inbox:
        p, n = statistics.median(r["counts"]), statistics.median(r["naive_counts"])
        out.append(f"| inbox, its 7 tab counts: {r['org'].name} | {r['running']:,} | {p:.2f} ({p95(r['counts']):.2f})"
                   f" | {n:.2f} | {n / p:.1f}× | — |")
    for f in figs:
        p, n = statistics.median(f["project"]), statistics.median(f["naive"])
        out.append(f"| {f['keys']} casework figures, {f['org'].name}, {f['period']} ({f['received']:,} cases) | — | "
                   f"{p:.2f} ({p95(f['project']):.2f}) | {n:.2f} | {n / p:.1f}× | < {GOAL_MS:.0f} ms: "
                   f"{'met' if p < GOAL_MS else 'missed'} |")
    out += ["", "| sweep over the running cases | seconds | naive seconds (scaled) | naive / project | goal |",
            "|---|---:|---:|---:|---|",
            f"| `casework_tick`, first run ({tick['first_result']['reminders']:,} reminders, "
            f"{tick['first_result']['escalations']:,} escalations created) | {tick['first']:.2f} | "
            f"{tick['naive']:.0f} | {tick['naive'] / tick['first']:.0f}× | < {TICK_GOAL_S:.0f} s: "
            f"{'met' if tick['first'] < TICK_GOAL_S else 'missed'} |",
            f"| `casework_tick`, steady (nothing new to send) | {tick['steady']:.2f} | {tick['naive']:.0f} | "
            f"{tick['naive'] / tick['steady']:.0f}× | < {TICK_GOAL_S:.0f} s: "
            f"{'met' if tick['steady'] < TICK_GOAL_S else 'missed'} |", "",
            "Plans (inbox, project → naive):"]
    for r in inbox:
        out.append(f"- {r['org'].code}: `{r['plan']}` → `{r['naive_plan']}`")
    out += ["", f"- The naive sweep loads, colors and saves each case and get_or_creates each alert: "
            f"{tick['naive_per_case_ms']:.2f} ms per case on a sample of {NAIVE_TICK_SAMPLE:,}, scaled to "
            f"{counts['running']:,} cases.",
            "- The figures read the pre-aggregated rows of the county itself and the last sweep's count of its overdue "
            "cases; the naive path counts the cases of its subtree (through the (org_path, received_on) index). Both "
            "give the same numbers (checked in the run)."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--running", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    if args.running > args.cases:
        raise SystemExit("--running cannot exceed --cases")
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
    county = Org.objects.get(code="LJ-DH")
    township = Org.objects.get(code="LJ-DH-01")
    union = Org.objects.filter(path__startswith=township.path, level="grassroots").order_by("path").first()
    # The sweep first: the overdue counts of the inbox's tabs and of the figures are the sweep's.
    tick = bench_tick(counts["running"])
    inbox = bench_inbox(actor, [Org.objects.get(code="LJ"), county, township, union], today, args.reps)
    year = str(today.year - 1)
    figs = [bench_figures(actor, county, year, args.reps), bench_figures(actor, Org.objects.get(code="LJ"), year,
                                                                           args.reps)]
    print(report(args, counts, inbox, figs, tick))


if __name__ == "__main__":
    main()
