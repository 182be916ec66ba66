"""The org tree on PostgreSQL at national scale: subtree reads and concurrent inserts.

Builds a tree of about 2.8 million orgs in six levels (national → 31 provinces → cities → counties →
townships → grassroots unions) in a dedicated database and measures, in one run:

* a province's and a county's subtree, listed and counted through the materialized path (one indexed
  prefix range on ``path``), against the naive baseline (a recursive CTE over parent ids) and against
  a physical bound (the same rows read from a table that holds exactly them);
* inserting grassroots unions with 8 concurrent writers: through the service (with its audit event),
  as a bare treebeard ``add_child``, against a naive tree-wide lock and against the bound of one plain
  INSERT of the same row;
* that inserting takes no tree-wide lock, and what the audit chain's global lock does serialize.

Usage (from the repository root):

    .venv/bin/python benchmarks/tree.py [--quick] [--orgs N] [--keep] [--scatter] [--db-url URL]

The database named in ``--db-url`` (default ``BENCH_DATABASE_URL`` or postgres://postgres@127.0.0.1:5432/
gonghui_bench) is dropped and rebuilt; its name must contain "bench". Progress goes to stderr; a Markdown
block for benchmarks/RESULTS.md goes to stdout at the end.
"""

import argparse
import datetime
import itertools
import os
import platform
import random
import re
import secrets
import statistics
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dbs import database_exists, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gonghui_bench"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default MP alphabet
STEPLEN = 4  # Org.steplen
FANOUT = (31, 10, 10, 10)  # provinces under the root; cities per province; counties per city; townships
WRITERS = 8
BENCH_USER = "bench-tree"
PARENT_ID_INDEX = "orgs_org_bench_parent_id"
# Waiting for quiet and measuring again stop at this time.monotonic() (set from --budget), so a run on a busy
# machine still ends in time.
PATIENCE_UNTIL = float("inf")

# Columns written by the loader, in COPY order. ``parent_id`` exists only in the benchmark database (added
# by this script for the recursive-CTE baseline); the production schema has no such column.
COPY_COLUMNS = (
    "id", "path", "depth", "numchild", "code", "name", "level", "kind", "ownership", "uscc", "region_code",
    "employee_count", "founded_on", "term_ends_on", "legal_person_registered", "legal_person_registered_on",
    "legal_person_cert_no", "has_women_committee", "has_audit_committee", "contact_name", "contact_phone",
    "contact_phone_bidx", "status", "dissolved_on", "dissolved_reason", "created_at", "updated_at", "parent_id",
)

# The naive baseline: an adjacency list walked level by level.
CTE_LIST_SQL = """
WITH RECURSIVE sub(id, name) AS (
    SELECT id, name FROM orgs_org WHERE id = %s
    UNION ALL
    SELECT o.id, o.name FROM orgs_org o JOIN sub ON o.parent_id = sub.id
)
SELECT id, name FROM sub"""
CTE_COUNT_SQL = """
WITH RECURSIVE sub(id) AS (
    SELECT id FROM orgs_org WHERE id = %s
    UNION ALL
    SELECT o.id FROM orgs_org o JOIN sub ON o.parent_id = sub.id
)
SELECT count(*) FROM sub"""
# What Django's ``Org.objects.filter(path__startswith=p).count()`` sends.
PATH_COUNT_SQL = 'SELECT COUNT(*) AS "__count" FROM "orgs_org" WHERE "orgs_org"."path"::text LIKE %s'


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    # Node.add_child() is deprecated in treebeard 7 but is what the service calls; the raw variant mirrors it.
    warnings.filterwarnings("ignore", message=r"Using .*\.add_child\(\) is deprecated")
    django.setup()
    from django.utils import timezone

    if not hasattr(timezone, "UTC"):
        # gonghui/core/audit.py calls timezone.UTC, which django.utils.timezone does not define (Django 5.2),
        # so every audited write fails. Until that is fixed there, give it the object it means (the same
        # datetime.UTC, so the work measured is unchanged); the report says so.
        timezone.UTC = datetime.UTC
        os.environ["BENCH_TREE_UTC_SHIM"] = "1"


def step(n: int) -> str:
    """Treebeard's path step for the n-th child (children are numbered from 1): base 36, STEPLEN wide."""
    digits = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


def machine_busy_ns() -> int:
    """CPU time all processes on this machine have used so far (every core, from /proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait: float, threshold: float = 0.3) -> None:
    """Other people's work shares these cores: wait (up to max_wait s) for a second in which under
    `threshold` cores are busy, so a measurement starts on an idle machine. The load that remains during a
    measurement is reported with it."""
    deadline = min(time.monotonic() + max_wait, PATIENCE_UNTIL)
    waited = False
    while True:
        b0, t0 = machine_busy_ns(), time.perf_counter_ns()
        time.sleep(1)
        busy = (machine_busy_ns() - b0) / (time.perf_counter_ns() - t0)
        if busy < threshold or time.monotonic() > deadline:
            if waited:
                log(f"  machine {'quiet' if busy < threshold else 'still busy'} ({busy:.2f} cores busy)")
            return
        if not waited:
            log(f"  waiting for the machine to go quiet ({busy:.2f} cores busy by other processes)")
            waited = True


def process_cpu() -> dict[int, tuple[str, int, int]]:
    """pid -> (command name, parent pid, CPU ns used so far) for every process on the machine."""
    tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    data = f.read()
            except OSError:
                continue  # exited meanwhile
            head, _, tail = data.rpartition(")")
            fields = tail.split()
            out[int(entry.name)] = (head.partition("(")[2], int(fields[1]), (int(fields[11]) + int(fields[12])) * tick)
    return out


class LoadMeter:
    """Splits the machine's CPU use during a measurement into the benchmark's own processes (given by pid,
    alive at start and stop), PostgreSQL's other processes and kernel threads (WAL writing, checkpoints, I/O:
    mostly work our writes cause), and everything else: other people's processes sharing the machine."""

    def __init__(self):
        self.busy, self.procs, self.wall = machine_busy_ns(), process_cpu(), time.perf_counter_ns()

    def stop(self, ours: set[int]) -> tuple[float, float]:
        """(other load, PostgreSQL background + kernel load), in average cores busy."""
        busy, procs = machine_busy_ns() - self.busy, process_cpu()
        wall = time.perf_counter_ns() - self.wall
        mine = background = 0
        for pid in procs.keys() & self.procs.keys():
            name, ppid, cpu = procs[pid]
            delta = cpu - self.procs[pid][2]
            if pid in ours:
                mine += delta
            elif name == "postgres" or ppid == 2 or pid == 2:
                background += delta
        return max(0, busy - mine - background) / wall, background / wall


def least_disturbed(run, retries: int, threshold: float = 0.25):
    """Run a measurement; while other processes kept more than `threshold` cores busy during it, run it again
    (up to `retries` more times) and keep the least disturbed result. Results carry `other_cores`."""
    best = run()
    for _ in range(retries):
        if best.other_cores <= threshold or time.monotonic() > PATIENCE_UNTIL:
            break
        log(f"  disturbed (least so far: {best.other_cores:.2f} cores of other load): measuring again")
        again = run()
        if again.other_cores < best.other_cores:
            best = again
    return best


def ms(ns: int) -> float:
    return ns / 1e6


def pct(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated between closest ranks."""
    data = sorted(samples)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


# ---------------------------------------------------------------------------------------------------------
# Building the tree
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Shape:
    orgs: int
    provinces: int
    cities: int
    counties: int
    townships: int
    grassroots: int
    per_township: int  # grassroots unions under most townships; the first `extra` get one more
    extra: int

    @classmethod
    def for_orgs(cls, orgs: int) -> "Shape":
        p, c, k, t = FANOUT
        provinces, cities, counties = p, p * c, p * c * k
        townships = counties * t
        grassroots = orgs - 1 - provinces - cities - counties - townships
        if grassroots < townships:
            raise SystemExit(f"--orgs must be at least {orgs - grassroots + townships} for this fan-out")
        per_township, extra = divmod(grassroots, townships)
        return cls(orgs, provinces, cities, counties, townships, grassroots, per_township, extra)


def tree_rows(shape: Shape):
    """(id, parent_id, path, depth, numchild, level, name) for every org, in depth-first (path) order."""
    p_n, c_n, k_n, t_n = FANOUT
    ids = itertools.count(1)
    root_id, root_path = next(ids), step(1)
    yield root_id, None, root_path, 1, p_n, "national", "中华全国总工会"
    township_no = 0
    for p in range(1, p_n + 1):
        p_id, p_path = next(ids), root_path + step(p)
        yield p_id, root_id, p_path, 2, c_n, "province", f"第{p}省总工会"
        for c in range(1, c_n + 1):
            c_id, c_path = next(ids), p_path + step(c)
            yield c_id, p_id, c_path, 3, k_n, "city", f"第{p}省第{c}市总工会"
            for k in range(1, k_n + 1):
                k_id, k_path = next(ids), c_path + step(k)
                yield k_id, c_id, k_path, 4, t_n, "county", f"第{p}省第{c}市第{k}县总工会"
                for t in range(1, t_n + 1):
                    kids = shape.per_township + (1 if township_no < shape.extra else 0)
                    township_no += 1
                    t_id, t_path = next(ids), k_path + step(t)
                    yield t_id, k_id, t_path, 5, kids, "township", f"第{p}省{c}市{k}县第{t}镇总工会"
                    for g in range(1, kids + 1):
                        yield next(ids), t_id, t_path + step(g), 6, 0, "grassroots", f"{p}-{c}-{k}-{t}-{g}号基层工会"


def copy_line(row, now: str) -> str:
    """One row in COPY text format; every column not set here holds the model's default."""
    org_id, parent_id, path, depth, numchild, level, name = row
    kind, employees = ("enterprise", org_id * 7919 % 2000 + 3) if level == "grassroots" else ("federation", 0)
    parent = "\\N" if parent_id is None else parent_id
    return (f"{org_id}\t{path}\t{depth}\t{numchild}\tB{org_id:08d}\t{name}\t{level}\t{kind}\t\t\t\t{employees}"
            f"\t\\N\t\\N\tf\t\\N\t\tf\tf\t\t\t\tactive\t\\N\t\t{now}\t{now}\t{parent}\n")


def loaded_meta() -> dict | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT orgs, max_id, scatter, load_seconds FROM bench_meta")
        row = cur.fetchone()
    return dict(zip(("orgs", "max_id", "scatter", "load_seconds"), row, strict=True)) if row else None


def load_tree(shape: Shape, scatter: bool) -> float:
    """COPY the whole tree into orgs_org; returns the seconds taken (COPY, indexes, VACUUM ANALYZE)."""
    from django.db import connection

    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    connection.ensure_connection()
    raw = connection.connection  # the psycopg 3 connection under Django's (autocommit)
    with raw.cursor() as cur:
        cur.execute("ALTER TABLE orgs_org ADD COLUMN parent_id bigint")
        cur.execute("SET maintenance_work_mem = '1GB'")
        rows = tree_rows(shape)
        if scatter:
            # Heap order unrelated to the tree: the worst case for reading one subtree's rows.
            rows = list(rows)
            random.Random(42).shuffle(rows)
        with cur.copy(f"COPY orgs_org ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            batch = []
            for n, row in enumerate(rows, 1):
                batch.append(copy_line(row, now))
                if len(batch) == 20_000:
                    copy.write("".join(batch))
                    batch.clear()
                if n % 500_000 == 0:
                    log(f"  {n:,} rows sent")
            copy.write("".join(batch))
        log(f"  COPY done in {time.perf_counter() - started:.1f} s; indexing parent_id, VACUUM ANALYZE")
        cur.execute(f"CREATE INDEX {PARENT_ID_INDEX} ON orgs_org (parent_id)")
        cur.execute("SELECT setval(pg_get_serial_sequence('orgs_org', 'id'), (SELECT max(id) FROM orgs_org))")
        cur.execute("VACUUM (ANALYZE) orgs_org")
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_meta (orgs bigint, max_id bigint, scatter boolean, load_seconds float)")
        cur.execute("INSERT INTO bench_meta SELECT %s, max(id), %s, %s FROM orgs_org", [shape.orgs, scatter, seconds])
    return seconds


def cleanup_inserts() -> None:
    """Remove what the insert phase added (rows after the loaded ones) and restore the parents' numchild."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM orgs_org WHERE id > (SELECT max_id FROM bench_meta)")
        cur.execute("""
            UPDATE orgs_org p SET numchild = c.n
            FROM (SELECT parent_id, count(*) AS n FROM orgs_org WHERE parent_id IS NOT NULL GROUP BY parent_id) c
            WHERE p.id = c.parent_id AND p.numchild <> c.n""")
        cur.execute("VACUUM (ANALYZE) orgs_org")


def bench_actor():
    from django.contrib.auth import get_user_model

    from gonghui.core.access import actor_for
    from gonghui.core.models import Grant
    from gonghui.orgs.models import Org

    root = Org.objects.get(depth=1)
    user = get_user_model().objects.filter(username=BENCH_USER).first()
    if user is None:
        user = get_user_model().objects.create_user(username=BENCH_USER, password=secrets.token_urlsafe(16))
    Grant.objects.get_or_create(user=user, role="federation_staff", org=root)
    return actor_for(user)


# ---------------------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    samples: list[float]  # ms
    rows: int
    other_cores: float  # average cores busy with other people's processes while measuring

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return pct(self.samples, 95)


def measure(label: str, fn, reps: int, backend: int, quiet_wait: float, warmup: int = 2) -> Timing:
    wait_quiet(quiet_wait)
    for _ in range(warmup):
        result = fn()
    samples = []
    meter = LoadMeter()
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        result = fn()
        samples.append(ms(time.perf_counter_ns() - t0))
    other, _ = meter.stop({os.getpid(), backend})
    rows = result if isinstance(result, int) else len(result)
    log(f"  {label}: median {statistics.median(samples):.3f} ms, rows {rows:,}, other load {other:.2f} cores")
    return Timing(label, samples, rows, other)


def explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]


@dataclass
class SubtreeResult:
    name: str
    path: str
    timings: dict[str, Timing]
    plans: dict[str, list[str]]


def bench_subtree(name: str, org, reps: int, quiet_wait: float, retries: int) -> SubtreeResult:
    """List and count one subtree by path range (ORM and raw SQL), by recursive CTE, and at the bound."""
    from django.db import connection

    from gonghui.orgs.models import Org

    prefix = org.path
    bound_table = f"bench_bound_{name}"
    # The physical bound: a table holding exactly this subtree's rows and only the listed columns, written in
    # one piece and vacuumed. Any query that returns these rows must at least read them and ship them to the
    # client; a sequential scan of a dense table that holds nothing else is the least I/O and CPU that can
    # take (no index to descend, no other rows or columns on the pages, no visibility checks).
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {bound_table}")
        cur.execute(f"CREATE TABLE {bound_table} AS SELECT id, name FROM orgs_org WHERE path LIKE %s ORDER BY path",
                    [prefix + "%"])
        cur.execute(f"VACUUM (ANALYZE) {bound_table}")

    list_qs = Org.objects.filter(path__startswith=prefix).values_list("id", "name")
    list_sql, list_params = list_qs.query.sql_with_params()  # exactly the ORM's SQL, for the raw timing
    count_params = [prefix + "%"]
    bound_list_sql, bound_count_sql = f"SELECT id, name FROM {bound_table}", f"SELECT count(*) FROM {bound_table}"

    # Not what the project does today: the same subtree as two bounds on path (prefix <= path < the next
    # sibling's path), which the plain unique btree on path serves in path order, so ORDER BY path needs no
    # sort and no LIKE recheck. Measured to show what a selector written this way would give.
    upper = prefix[:-STEPLEN] + step(int(prefix[-STEPLEN:], len(ALPHABET)) + 1)
    bounds_qs = Org.objects.filter(path__gte=prefix, path__lt=upper).values_list("id", "name")
    bounds_sql, bounds_params = bounds_qs.query.sql_with_params()

    def raw(sql, params, one=False):
        def run():
            with connection.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchone()[0] if one else cur.fetchall()
        return run

    # key: (function, SQL it sends, params, show its plan); the ORM cases send exactly their _sql twin's SQL.
    cases = {
        "path_list_orm": (lambda: list(list_qs.all()), list_sql, list_params, False),
        "path_list_sql": (raw(list_sql, list_params), list_sql, list_params, True),
        "path_count_orm": (lambda: Org.objects.filter(path__startswith=prefix).count(), PATH_COUNT_SQL, count_params,
                           False),
        "path_count_sql": (raw(PATH_COUNT_SQL, count_params, one=True), PATH_COUNT_SQL, count_params, True),
        "bounds_list_orm": (lambda: list(bounds_qs.all()), bounds_sql, bounds_params, True),
        "cte_list_sql": (raw(CTE_LIST_SQL, [org.pk]), CTE_LIST_SQL, [org.pk], True),
        "cte_count_sql": (raw(CTE_COUNT_SQL, [org.pk], one=True), CTE_COUNT_SQL, [org.pk], True),
        "bound_list_sql": (raw(bound_list_sql, []), bound_list_sql, [], True),
        "bound_count_sql": (raw(bound_count_sql, [], one=True), bound_count_sql, [], True),
    }
    log(f"{name} subtree {prefix} ({reps} reps each)")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    timings, plans = {}, {}
    for key, (fn, sql, params, show_plan) in cases.items():
        timings[key] = least_disturbed(partial(measure, f"{name} {key}", fn, reps, backend, quiet_wait), retries)
        if show_plan:
            plans[key] = explain(sql, params)
    counts = {t.rows for t in timings.values()}
    if len(counts) != 1:
        raise SystemExit(f"{name}: methods disagree on the subtree's size: { {k: t.rows for k, t in timings.items()} }")
    return SubtreeResult(name, prefix, timings, plans)


# ---------------------------------------------------------------------------------------------------------
# Inserts
# ---------------------------------------------------------------------------------------------------------

def backend_cpu_ns(pid: int) -> int:
    """CPU time (user + system) used so far by a PostgreSQL backend process on this machine."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


BOUND_INSERT_SQL = (
    f"INSERT INTO orgs_org ({', '.join(c for c in COPY_COLUMNS if c not in ('id', 'parent_id'))}) VALUES "
    "(%s, 3, 0, %s, %s, 'grassroots', 'enterprise', '', '', '', 0, NULL, NULL, false, NULL, '', false, false,"
    " '', '', '', 'active', NULL, '', now(), now())"
)


def _writer(spec: dict, barrier, results) -> None:
    """One writer process: its own Django and connection; inserts spec['count'] unions, timing each."""
    setup_django(spec["db_url"])
    from django.db import connection, transaction

    from gonghui.core import audit
    from gonghui.orgs.models import Org
    from gonghui.orgs.services import org_create

    mode, w, parent_id = spec["mode"], spec["writer"], spec["parent_id"]
    tag = spec["tag"]
    audit_ns: list[int] = []

    if mode == "service":
        from django.contrib.auth import get_user_model

        from gonghui.core.access import actor_for

        actor = actor_for(get_user_model().objects.get(username=BENCH_USER))
        parent = Org.objects.get(pk=parent_id)
        # Benchmark instrumentation only: time spent inside audit.record (advisory-lock wait, reading the
        # chain's head, writing the event). The service calls audit.record through the module attribute.
        record = audit.record

        def timed_record(**kwargs):
            t0 = time.perf_counter_ns()
            try:
                return record(**kwargs)
            finally:
                audit_ns.append(time.perf_counter_ns() - t0)

        audit.record = timed_record

        def op(i):
            org_create(actor=actor, parent=parent, name=f"压测基层工会 {tag}-{w}-{i}", level="grassroots",
                       kind="enterprise")
    elif mode in ("raw", "tree_lock"):
        def op(i):
            with transaction.atomic():
                if mode == "tree_lock":
                    with connection.cursor() as cur:
                        cur.execute("LOCK TABLE orgs_org IN EXCLUSIVE MODE")
                locked = Org.objects.select_for_update().get(pk=parent_id)
                locked.add_child(instance=Org(code="R" + secrets.token_hex(6).upper(),
                                              name=f"压测基层工会 {tag}-{w}-{i}", level="grassroots",
                                              kind="enterprise"))
    elif mode == "bound":
        def op(i):
            with connection.cursor() as cur:
                cur.execute(BOUND_INSERT_SQL, ["Z" + tag + step(w + 1) + step(i + 1),
                                               "Z" + secrets.token_hex(6).upper(), f"压测 {tag}-{w}-{i}"])
    else:
        raise ValueError(mode)

    op(spec["count"])  # warm-up insert (connection, caches, prepared paths); not recorded
    audit_ns.clear()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    barrier.wait()  # ready
    barrier.wait()  # go
    interval = spec["interval"]
    cpu_client, cpu_server = time.process_time_ns(), backend_cpu_ns(backend)
    latencies, start = [], time.perf_counter_ns()
    for i in range(spec["count"]):
        if interval:  # open loop: the i-th insert is due at a fixed time; lateness counts as latency
            due = start + int((i + w / WRITERS) * interval * 1e9)
            delay = due - time.perf_counter_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
            t0 = due
        else:
            t0 = time.perf_counter_ns()
        op(i)
        latencies.append(time.perf_counter_ns() - t0)
    end = time.perf_counter_ns()
    results.put({"writer": w, "pid": os.getpid(), "backend": backend, "start": start, "end": end,
                 "latencies": latencies, "audit": audit_ns, "cpu_client": time.process_time_ns() - cpu_client,
                 "cpu_server": backend_cpu_ns(backend) - cpu_server})
    barrier.wait()  # stay alive (and connected) until the parent has read the CPU counters
    connection.close()


@dataclass
class InsertResult:
    label: str
    writers: int
    parents: str
    inserts: int
    latencies: list[float]  # ms
    seconds: float
    audit: list[float] = field(default_factory=list)  # ms inside audit.record (service only)
    cpu_client: float = 0.0  # ms of writer-process CPU per insert (Python: Django, treebeard, psycopg)
    cpu_server: float = 0.0  # ms of PostgreSQL backend CPU per insert
    other_cores: float = 0.0  # average cores busy with other people's processes meanwhile
    background_cores: float = 0.0  # average cores busy in PostgreSQL's other processes and kernel threads

    @property
    def throughput(self) -> float:
        return self.inserts / self.seconds


def run_writers(label: str, mode: str, parent_ids: list[int], count: int, db_url: str,
                rate: float = 0.0, quiet_wait: float = 0.0) -> InsertResult:
    """``len(parent_ids)`` writer processes, each inserting ``count`` children of its parent."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(parent_ids) + 1)
    results = ctx.Queue()
    tag = step(random.randrange(1, 36**STEPLEN))
    interval = len(parent_ids) / rate if rate else 0.0
    procs = [ctx.Process(target=_writer, args=({"mode": mode, "writer": w, "parent_id": pid, "count": count,
                                                "db_url": db_url, "tag": tag, "interval": interval},
                                               barrier, results))
             for w, pid in enumerate(parent_ids)]
    for p in procs:
        p.start()
    barrier.wait(timeout=300)  # every writer has started Django, connected and done its warm-up insert
    wait_quiet(quiet_wait)
    meter = LoadMeter()
    barrier.wait(timeout=60)  # go
    outs = [results.get(timeout=900) for _ in procs]
    other, background = meter.stop({os.getpid()} | {o["pid"] for o in outs} | {o["backend"] for o in outs})
    barrier.wait(timeout=60)
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"{label}: a writer failed (exit code {p.exitcode})")
    latencies = [ms(x) for o in outs for x in o["latencies"]]
    seconds = (max(o["end"] for o in outs) - min(o["start"] for o in outs)) / 1e9
    distinct = len(set(parent_ids))
    parents = "1" if len(parent_ids) == 1 else "1 shared" if distinct == 1 else f"{distinct} distinct"
    result = InsertResult(label, len(parent_ids), parents, len(latencies), latencies, seconds,
                          [ms(x) for o in outs for x in o["audit"]],
                          ms(sum(o["cpu_client"] for o in outs)) / len(latencies),
                          ms(sum(o["cpu_server"] for o in outs)) / len(latencies), other, background)
    log(f"  {label}: p50 {pct(latencies, 50):.2f} ms, p99 {pct(latencies, 99):.2f} ms, "
        f"{result.throughput:.0f}/s, other load {other:.2f} cores, PostgreSQL background + kernel "
        f"{background:.2f} cores")
    return result


def queries_per_insert(actor, parent) -> dict[str, int]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from gonghui.orgs.models import Org
    from gonghui.orgs.services import org_create

    with CaptureQueriesContext(connection) as service:
        org_create(actor=actor, parent=parent, name="压测 queries", level="grassroots", kind="enterprise")
    with CaptureQueriesContext(connection) as raw, transaction.atomic():
        locked = Org.objects.select_for_update().get(pk=parent.pk)
        locked.add_child(instance=Org(code="R" + secrets.token_hex(6).upper(), name="压测 queries",
                                      level="grassroots", kind="enterprise"))
    return {"service": len(service.captured_queries), "raw": len(raw.captured_queries)}


@dataclass
class LockDemo:
    lines: list[str]
    independent: bool  # inserts under province B proceeded while province A's parent was locked
    summary: str


def no_tree_lock_demo(actor, db_url: str, parent_a, parent_b, hold_ms: int = 300) -> LockDemo:
    """Hold a lock under province A in another transaction; time inserts under province B meanwhile."""
    import psycopg
    from django.db import OperationalError, connection, transaction

    from gonghui.orgs.models import Org
    from gonghui.orgs.services import org_create

    def timed(fn) -> float:
        t0 = time.perf_counter_ns()
        fn()
        return ms(time.perf_counter_ns() - t0)

    def service_insert(parent):
        return lambda: org_create(actor=actor, parent=parent, name="压测 lock demo", level="grassroots",
                                  kind="enterprise")

    def raw_insert(parent):
        def run():
            with transaction.atomic():
                locked = Org.objects.select_for_update().get(pk=parent.pk)
                locked.add_child(instance=Org(code="R" + secrets.token_hex(6).upper(), name="压测 lock demo",
                                              level="grassroots", kind="enterprise"))
        return run

    def median_ms(fn, reps: int = 5) -> float:
        return statistics.median(timed(fn) for _ in range(reps))

    def with_lock_timeout(fn, timeout: str):
        def run():
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute(f"SET LOCAL lock_timeout = '{timeout}'")
                fn()
        return run

    inserts = {"service insert": service_insert, "raw add_child": raw_insert}
    free = {name: median_ms(make(parent_b)) for name, make in inserts.items()}
    # 1. Another transaction holds the row lock that an insert under township A holds until it commits.
    #    Inserts under B run with a lock timeout: were there a tree-wide lock they would wait for the holder
    #    (which waits for them) and fail instead of hanging.
    with psycopg.connect(db_url) as holder:
        holder.execute("SELECT id FROM orgs_org WHERE id = %s FOR UPDATE", [parent_a.pk])
        try:
            locked = {name: median_ms(with_lock_timeout(make(parent_b), "2s")) for name, make in inserts.items()}
        except OperationalError:
            locked = None
        t0 = time.perf_counter_ns()
        try:
            with_lock_timeout(service_insert(parent_a), "200ms")()
            same_parent = "went through (unexpected: the parent lock did not hold it)"
        except OperationalError:
            same_parent = f"waits for the lock (gave up at lock_timeout after {ms(time.perf_counter_ns() - t0):.0f} ms)"
        holder.rollback()
    independent = locked is not None and same_parent.startswith("waits")
    lines = [f"While another transaction holds township A's row lock (province {parent_a.path[4:8]}), median of 5:", ""]
    for name in inserts:
        during = f"{locked[name]:.2f} ms" if locked else "BLOCKED (lock timeout)"
        lines.append(f"- {name} under township B (province {parent_b.path[4:8]}): {during} "
                     f"(with nothing locked: {free[name]:.2f} ms)")
    lines += [f"- service insert under township A itself: {same_parent}", ""]

    # 2. An audited write under A that has not committed yet holds the audit chain's advisory lock.
    def while_audited_write_pending(fn) -> float:
        """Time fn while another thread's audited insert under A stays uncommitted for hold_ms."""
        held = threading.Event()

        def hold():
            try:
                with transaction.atomic():
                    service_insert(parent_a)()
                    held.set()
                    time.sleep(hold_ms / 1000)
            finally:
                connection.close()

        thread = threading.Thread(target=hold)
        thread.start()
        held.wait(timeout=30)
        took = timed(fn)
        thread.join()
        return took

    pending = {name: statistics.median(while_audited_write_pending(make(parent_b)) for _ in range(3))
               for name, make in inserts.items()}

    def verdict(t: float) -> str:
        return "waited for A's commit" if t > hold_ms / 2 else "did not wait"

    lines += [
        f"While an audited insert under township A stays uncommitted for {hold_ms} ms (it holds the audit "
        "chain's advisory lock until it commits), median of 3:",
        "",
        *(f"- {name} under township B: {t:.2f} ms ({verdict(t)})" for name, t in pending.items()),
    ]
    summary = (f"with A's parent locked, B inserts took {locked['service insert']:.1f} ms (service) and "
               f"{locked['raw add_child']:.1f} ms (add_child)" if locked else "B inserts blocked")
    if pending["service insert"] > hold_ms / 2:
        summary += ("; but an audited write waits for any uncommitted audited write anywhere (the audit "
                    "chain's lock)")
    return LockDemo(lines, independent, summary)


def bench_inserts(args, actor) -> tuple[list[InsertResult], LockDemo, dict]:
    from gonghui.orgs.models import Org

    # 8 townships, each the first township of a different province.
    townships = [Org.objects.get(path=step(1) + step(p) + step(1) + step(1) + step(1)) for p in range(2, 2 + WRITERS)]
    ids = [t.pk for t in townships]
    queries = queries_per_insert(actor, townships[0])
    n = args.inserts
    plan = [
        ("service, 1 writer", "service", ids[:1], n, 0.0),
        ("add_child, 1 writer", "raw", ids[:1], n, 0.0),
        ("bound: plain INSERT, 1 writer", "bound", ids[:1], n, 0.0),
        ("service, 8 writers", "service", ids, n, 0.0),
        ("add_child, 8 writers", "raw", ids, n, 0.0),
        ("naive tree lock, 8 writers", "tree_lock", ids, n, 0.0),
        ("bound: plain INSERT, 8 writers", "bound", ids, n, 0.0),
        ("service, 8 writers, one parent", "service", ids[:1] * WRITERS, n, 0.0),
        ("add_child, 8 writers, one parent", "raw", ids[:1] * WRITERS, n, 0.0),
        (f"service, 8 writers, open loop {args.rate:.0f}/s", "service", ids, n // 2, args.rate),
    ]
    log(f"inserts: {n} per writer")
    inserts = [least_disturbed(partial(run_writers, label, mode, pids, count, args.db_url, rate, args.quiet_wait),
                               args.retries)
               for label, mode, pids, count, rate in plan]
    log("no-tree-wide-lock demonstration")
    wait_quiet(args.quiet_wait)
    demo = no_tree_lock_demo(actor, args.db_url, townships[0], townships[1])
    for line in demo.lines:
        log("  " + line)
    return inserts, demo, queries


# ---------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------


def machine_lines() -> list[str]:
    import django
    import treebeard
    from django.db import connection

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "synchronous_commit", "jit", "random_page_cost"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {mem_kb / 1024**2:.1f} GiB; {platform.system()} "
        f"{platform.release()}",
        f"- {version}",
        "- PostgreSQL settings (stock): " + ", ".join(f"{k}={v}" for k, v in settings.items()),
        f"- Python {platform.python_version()}, Django {django.get_version()}, django-treebeard "
        f"{treebeard.__version__}, psycopg 3; client and server on the same machine",
    ]


def fmt_ratio(x: float) -> str:
    return f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def plan_excerpt(lines: list[str], head: int = 4) -> list[str]:
    tail = [x for x in lines[head:] if x.startswith("Execution Time")]
    return [x[:150] for x in lines[:head]] + tail


def index_used(lines: list[str]) -> str:
    names = {m.group(1) for x in lines for m in [re.search(r"Index (?:Only )?Scan(?: Backward)? (?:using|on) (\S+)", x)] if m}
    return ", ".join(sorted(names)) or "none (sequential scan)"


READ_LABELS = {
    "path_list_orm": "list, path range, ORM", "path_list_sql": "list, path range, SQL",
    "path_count_orm": "count, path range, ORM", "path_count_sql": "count, path range, SQL",
    "bounds_list_orm": "list, path >= / < bounds, ORM (alternative)",
    "cte_list_sql": "list, recursive CTE (baseline)", "cte_count_sql": "count, recursive CTE (baseline)",
    "bound_list_sql": "list, bound", "bound_count_sql": "count, bound",
}
OTHER_LOAD = ("`other load` = average cores busy while measuring with processes that are neither the "
              "benchmark's (its Python processes and their PostgreSQL backends) nor PostgreSQL's background "
              "processes nor kernel threads (from /proc): the machine is shared with other people's work, and "
              "on 2 cores anything well above 0 inflates the times. Each measurement waits (up to "
              "`--quiet-wait` s) for an idle second first and is repeated (`--retries`) when disturbed; the least "
              "disturbed run is shown.")


def report_header(shape: Shape, load_seconds: float, scatter: bool, sizes: dict) -> list[str]:
    order = ("in random heap order (`--scatter`)" if scatter else
             "in path order (each subtree physically contiguous, as after a bulk import or CLUSTER)")
    out = [
        "## Org tree: subtree reads and concurrent inserts (`benchmarks/tree.py`)",
        "",
        f"Run {datetime.date.today().isoformat()}: `{' '.join(['benchmarks/tree.py', *sys.argv[1:]])}`",
        "",
        *machine_lines(),
        "",
        f"Tree: {shape.orgs:,} orgs in 6 levels: 1 national, {shape.provinces} provinces, {shape.cities:,} cities, "
        f"{shape.counties:,} counties, {shape.townships:,} townships, {shape.grassroots:,} grassroots unions "
        f"({shape.per_township}-{shape.per_township + (1 if shape.extra else 0)} per township). Materialized "
        f"path, steplen 4. Loaded with COPY {order}, then parent_id index + VACUUM ANALYZE: {load_seconds:.0f} s. "
        f"orgs_org: heap {sizes['heap']}, indexes {sizes['indexes']}.",
        "",
        "The baseline's `parent_id` column (with a btree index) exists only in the benchmark database; the "
        "production schema has none (the tree is the path).",
        "",
    ]
    if os.environ.get("BENCH_TREE_UTC_SHIM"):
        out += ["**Note:** `gonghui/core/audit.py` calls `timezone.UTC`, which `django.utils.timezone` does not "
                "define, so every audited write raises AttributeError. This run set `django.utils.timezone.UTC = "
                "datetime.UTC` in the benchmark's processes (the object the code means; the work measured is the "
                "same). The fix belongs in audit.py: `datetime.UTC`.", ""]
    return out


def report_reads(args, subtrees: list[SubtreeResult]) -> tuple[list[str], list[tuple]]:
    out = [
        "### Subtree reads",
        "",
        f"Warm cache (the OS page cache holds the table), one client, {args.reps} repetitions for the province "
        f"and {args.reps * 10} for the county after 2 warm-up runs; wall time on the client including fetching "
        "every row. `path` = `Org.objects.filter(path__startswith=…)` (ORM: `.values_list('id', 'name')`, which "
        "treebeard's manager orders by path, and `.count()`; SQL: the same statement through a cursor). "
        "Baseline = `WITH RECURSIVE` over `parent_id` (unordered, which favours it). Bound = the same rows "
        "(id, name) read by a sequential scan of a table that holds exactly the subtree and nothing else: the "
        "least any query returning them can read and ship. " + OTHER_LOAD,
        "",
        "| subtree | rows | query | median ms | p95 ms | other load (cores) |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for s in subtrees:
        for key, t in s.timings.items():
            out.append(f"| {s.name} `{s.path}` | {t.rows:,} | {READ_LABELS[key]} | {t.median:.3f} | {t.p95:.3f} | "
                       f"{t.other_cores:.2f} |")
    out += ["", "| subtree | ratio (medians) | value |", "|---|---|---:|"]
    goals = []
    for s in subtrees:
        t = {key: timing.median for key, timing in s.timings.items()}
        ratios = [
            ("list: baseline / path SQL", t["cte_list_sql"] / t["path_list_sql"]),
            ("list: baseline / path ORM", t["cte_list_sql"] / t["path_list_orm"]),
            ("count: baseline / path SQL", t["cte_count_sql"] / t["path_count_sql"]),
            ("count: baseline / path ORM", t["cte_count_sql"] / t["path_count_orm"]),
            ("list: baseline / bound (the most any method could gain)", t["cte_list_sql"] / t["bound_list_sql"]),
            ("list: baseline / path >= / < bounds ORM (alternative)", t["cte_list_sql"] / t["bounds_list_orm"]),
            ("list: path SQL / bound", t["path_list_sql"] / t["bound_list_sql"]),
            ("list: path ORM / bound", t["path_list_orm"] / t["bound_list_sql"]),
            ("count: path SQL / bound", t["path_count_sql"] / t["bound_count_sql"]),
        ]
        out += [f"| {s.name} | {label} | {fmt_ratio(r)} |" for label, r in ratios]
        if s.name == "province":
            for what in ("count", "list"):
                mine = {label: r for label, r in ratios
                        if label.startswith(f"{what}: baseline / path ") and "alternative" not in label}
                goals.append((f"province subtree {what}ed ≥ 6× faster than the recursive CTE (SQL and ORM)",
                              ", ".join(f"{label.split(' / ')[1]} {fmt_ratio(r)}" for label, r in mine.items()),
                              min(mine.values()) >= 6))
        if s.name == "county":
            lst, cnt = s.timings["path_list_orm"], s.timings["path_count_orm"]
            goals.append(("county subtree < 1 ms (median, listed and counted through the ORM)",
                          f"list {lst.median:.3f} ms, count {cnt.median:.3f} ms (p95 {lst.p95:.3f} / {cnt.p95:.3f})",
                          max(lst.median, cnt.median) < 1))
    out += ["", "Plans (`EXPLAIN (ANALYZE, BUFFERS)`, once each, first lines):", ""]
    for s in subtrees:
        for key, lines in s.plans.items():
            out += [f"{s.name}, {READ_LABELS[key]} — index: {index_used(lines)}", "", "```",
                    *plan_excerpt(lines), "```", ""]
    return out, goals


def report_inserts(inserts: list[InsertResult], demo: LockDemo, queries: dict) -> tuple[list[str], list[tuple]]:
    out = [
        "### Inserts",
        "",
        "Writer processes (spawned, each with `django.setup()` and its own connection) insert grassroots unions "
        "under township parents; writers under distinct parents are in different provinces. Closed loop (each "
        "writer starts its next insert when the last returns) unless marked open loop (inserts due at a fixed "
        "rate, latency counted from when each was due). Latency is per insert, including the commit. `service` = "
        "`org_create` (parent row lock, validation, treebeard `add_child`, audit event under the chain's advisory "
        "lock); `add_child` = `select_for_update` of the parent + treebeard `add_child` in a transaction, no "
        "audit; naive = `add_child` under `LOCK TABLE orgs_org IN EXCLUSIVE MODE` (a tree-wide lock); bound = one "
        "autocommit `INSERT` of an equivalent row (no parent lookup, no numchild update: the least a durable "
        f"insert of this row costs). Statements per insert: service {queries['service']}, add_child "
        f"{queries['raw']}, bound 1. CPU columns: per insert, from the writers' process time and their backends' "
        "/proc/<pid>/stat. " + OTHER_LOAD,
        "",
        "| variant | writers | parents | inserts | p50 ms | p95 ms | p99 ms | max ms | inserts/s | "
        "client CPU ms/insert | server CPU ms/insert | PG background + kernel (cores) | other load (cores) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in inserts:
        lat = r.latencies
        out.append(f"| {r.label} | {r.writers} | {r.parents} | {r.inserts:,} | {pct(lat, 50):.2f} | "
                   f"{pct(lat, 95):.2f} | {pct(lat, 99):.2f} | {max(lat):.2f} | {r.throughput:.0f} | "
                   f"{r.cpu_client:.2f} | {r.cpu_server:.2f} | {r.background_cores:.2f} | {r.other_cores:.2f} |")
    by_label = {r.label: r for r in inserts}
    svc, raw = by_label["service, 8 writers"], by_label["add_child, 8 writers"]
    naive, bound = by_label["naive tree lock, 8 writers"], by_label["bound: plain INSERT, 8 writers"]
    cores = os.cpu_count() or 1
    out.append("")
    for label, r in (("service", svc), ("add_child", raw)):
        floor = r.writers * (r.cpu_client + r.cpu_server) / cores
        out.append(f"CPU floor, {label}: {r.cpu_client:.1f} ms of Python CPU + {r.cpu_server:.1f} ms of "
                   f"PostgreSQL CPU per insert, so {r.writers} closed-loop writers on {cores} cores cannot average "
                   f"under {floor:.1f} ms per insert whatever the locking (Little's law: latency = writers / "
                   "throughput, and throughput ≤ cores / CPU per insert).")
        out.append("")
    out += ["Time inside `audit.record` per service insert (waiting for the chain's advisory lock, reading the "
            "chain head, writing the event; the lock is then held through the commit):", "",
            "| variant | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|"]
    out += [f"| {r.label} | {pct(r.audit, 50):.2f} | {pct(r.audit, 95):.2f} | {pct(r.audit, 99):.2f} |"
            for r in inserts if r.audit]
    out += ["", "| ratio (8 writers, distinct parents) | p99 | throughput |", "|---|---:|---:|"]
    for label, a, b in [("naive tree lock / add_child", naive, raw), ("service / add_child", svc, raw),
                        ("add_child / bound", raw, bound), ("service / bound", svc, bound)]:
        out.append(f"| {label} | {fmt_ratio(pct(a.latencies, 99) / pct(b.latencies, 99))} | "
                   f"{fmt_ratio(a.throughput / b.throughput)} |")
    out += ["", "### No tree-wide lock", "", *demo.lines]
    goals = [
        ("insert p99 < 5 ms with 8 writers (service, with audit, closed loop)",
         f"{pct(svc.latencies, 99):.2f} ms", pct(svc.latencies, 99) < 5),
        ("insert p99 < 5 ms with 8 writers (tree only: add_child, no audit)",
         f"{pct(raw.latencies, 99):.2f} ms", pct(raw.latencies, 99) < 5),
        ("no tree-wide lock (inserts under province B proceed while A's parent is locked)",
         demo.summary, demo.independent),
    ]
    return out, goals


def report(args, shape: Shape, load_seconds: float, sizes: dict, subtrees: list[SubtreeResult],
           inserts: list[InsertResult] | None, demo: LockDemo | None, queries: dict | None) -> str:
    out = report_header(shape, load_seconds, args.scatter, sizes)
    lines, goals = report_reads(args, subtrees)
    out += lines
    if inserts:
        lines, more = report_inserts(inserts, demo, queries)
        out += lines
        goals += more
    out += ["", "### Goals", "", "| goal | result | met |", "|---|---|---|"]
    out += [f"| {g} | {r} | {'yes' if ok else '**no**'} |" for g, r, ok in goals]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=2_800_000, help="orgs in the tree (default 2,800,000)")
    parser.add_argument("--quick", action="store_true", help="200,000 orgs and fewer repetitions and inserts")
    parser.add_argument("--keep", action="store_true", help="reuse the database when it holds the same tree")
    parser.add_argument("--scatter", action="store_true", help="load rows in random heap order")
    parser.add_argument("--no-inserts", action="store_true", help="measure the reads only")
    parser.add_argument("--reps", type=int, help="repetitions per province query (county: 10×); default 30")
    parser.add_argument("--inserts", type=int, help="inserts per writer (default 250; quick 100)")
    parser.add_argument("--rate", type=float, default=40.0, help="total inserts/s for the open-loop variant")
    parser.add_argument("--quiet-wait", type=float, default=15.0,
                        help="before each measurement, wait up to this many seconds for other load to stop")
    parser.add_argument("--retries", type=int, default=3,
                        help="measure again (up to this many times) when other load disturbed a measurement")
    parser.add_argument("--budget", type=float, default=13.0,
                        help="minutes after which the run stops waiting for quiet and measuring again")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    global PATIENCE_UNTIL
    PATIENCE_UNTIL = time.monotonic() + args.budget * 60
    if args.quick and args.orgs == parser.get_default("orgs"):
        args.orgs = 200_000
    args.reps = args.reps or (15 if args.quick else 30)
    args.inserts = args.inserts or (100 if args.quick else 250)
    shape = Shape.for_orgs(args.orgs)

    reuse = False
    if args.keep and database_exists(args.db_url):
        setup_django(args.db_url)
        meta = loaded_meta()
        reuse = bool(meta and meta["orgs"] == args.orgs and meta["scatter"] == args.scatter)
    if not reuse:
        if args.keep:
            from django.db import connections

            connections.close_all()
        log(f"creating {urlsplit(args.db_url).path.lstrip('/')} and migrating")
        recreate_database(args.db_url)
        setup_django(args.db_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        log(f"loading {shape.orgs:,} orgs")
        load_seconds = load_tree(shape, args.scatter)
    else:
        log("reusing the loaded tree (--keep); applying new migrations, removing leftovers of earlier runs")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        cleanup_inserts()
        load_seconds = meta["load_seconds"]

    from django.db import connection

    from gonghui.orgs.models import Org

    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_table_size('orgs_org')), pg_size_pretty(pg_indexes_size('orgs_org'))")
        heap, indexes = cur.fetchone()
    actor = bench_actor()

    # Reads: a province and a county in the middle of the tree.
    p_mid, c_mid = (FANOUT[0] + 1) // 2, (FANOUT[1] + 1) // 2
    province = Org.objects.get(path=step(1) + step(p_mid))
    county = Org.objects.get(path=province.path + step(c_mid) + step(c_mid))
    subtrees = [bench_subtree("province", province, args.reps, args.quiet_wait, args.retries),
                bench_subtree("county", county, args.reps * 10, args.quiet_wait, args.retries)]

    inserts = demo = queries = None
    if not args.no_inserts:
        connection.close()
        inserts, demo, queries = bench_inserts(args, actor)
    block = report(args, shape, load_seconds, {"heap": heap, "indexes": indexes}, subtrees, inserts, demo, queries)
    log("cleaning up the inserted rows")
    cleanup_inserts()
    print(block)


if __name__ == "__main__":
    main()
