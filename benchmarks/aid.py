"""Assistance on PostgreSQL at 10 million members (issue 14 §7): the 送温暖 batch, the archive list, the figures.

Builds the demo federation's tree (one city, three counties, their townships and grassroots unions) in a dedicated
database and loads, set-based on the server (``INSERT … SELECT generate_series``, the secondary indexes and unique
constraints dropped first and built again after, foreign-key triggers off: the speed of COPY without shipping the
rows from Python), with every column the models have (the ones not named get the field's default):

* 10,000,000 people with one active membership each, spread over the grassroots unions (encrypted fields hold
  ciphertexts drawn from a pool made with the project's own ``crypto.encrypt``; blind indexes are unique);
* 1,000,000 hardship files in one county (a decade of the archive: most exited or not filed, ``--county-filed``
  filed now) and files in the rest of the city so that the city has ``--batch`` filed households in all; each file
  names a member of the file's own union;
* last year's paid grants of every kind and visits, so the ``aid.*`` figures of the city and that year have data.

Then it measures, in one run:

(a) a city's 送温暖 batch for every filed household through the real services (``warmth.grants_from_archive`` →
    ``grants_approve_many`` by a second person → the bank accounts → ``programs.batch_create`` → ``batch_file`` →
    ``batch_pay``) against a per-grant service loop (``grant_apply`` + ``grant_approve``, each its own transaction)
    on a sample, scaled, and against the bound of one plain ``INSERT … SELECT`` of the same grant rows;
(b) the archive list of the county with 1,000,000 files: the real view through the Django test client logged in as
    the county officer (median and p95 of repeated loads), the selector alone, the page frame (menu badges), and a
    naive page (count the subtree, sort it by a column no index serves, 50 rows);
(c) every ``aid.*`` figure of the city for last year, as the dashboard evaluates them (``gonghui.core.figures.
    compute``), against the same figure code with the pre-aggregated rows switched off (counting the rows).

Goals: the batch under 60 s and at least 20× the loop; the list and the figures under 20 ms.

Usage (from the repository root):

    .venv/bin/python benchmarks/aid.py [--members N] [--county-files N] [--batch N] [--reps N] [--keep]
                                       [--db-url URL]

The database named in ``--db-url`` (default ``BENCH_DATABASE_URL`` or postgres://postgres@127.0.0.1:5432/
gh_aidbench) is dropped and rebuilt unless ``--keep`` finds it loaded with the same sizes; its name must contain
"bench". Progress goes to stderr; a Markdown block for benchmarks/RESULTS.md goes to stdout at the end.
"""

import argparse
import cProfile
import datetime
import importlib
import io
import os
import platform
import pstats
import statistics
import sys
import time
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.casework import log, p95, timed  # noqa: E402
from benchmarks.dbs import database_exists, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gh_aidbench"
BATCH_GOAL_S = 60.0
BATCH_RATIO_GOAL = 20.0
PAGE_GOAL_MS = 20.0
POOL = 64  # distinct ciphertexts per encrypted column
LOOP_SAMPLE = 500
COUNTY = "LJ-DH"
CITY = "LJ"
WARMTH_RULES = {"household_on_file": True, "categories": ["深度困难", "相对困难"],
                "amount": {"by_category": {"深度困难": "1000", "相对困难": "500"}}}


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


def machine_line() -> str:
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, load average {load}"


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------

def columns_sql(model, named: dict[str, str]) -> tuple[list[str], list[str], list]:
    """(columns, SQL expressions, parameters) for an INSERT … SELECT of ``model``: the named columns take the given
    SQL expressions, every other one its field's default as a parameter (in its database form)."""
    from django.db import connection

    cols, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.column in named:
            cols.append(f.column)
            exprs.append(named[f.column])
            continue
        if f.primary_key:
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
            raise SystemExit(f"{model.__name__}.{f.column} has no default: the loader needs a value for it")
        cols.append(f.column)
        exprs.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    missing = set(named) - set(cols)
    if missing:
        raise SystemExit(f"{model.__name__} has no column {sorted(missing)}: the loader needs updating")
    return cols, exprs, params


def insert_select(cur, model, named: dict[str, str], source: str, params_after: list | None = None) -> int:
    """INSERT INTO model's table (every column) SELECT <exprs> <source>; named expressions may use %s only in
    ``source`` (its parameters in ``params_after``)."""
    cols, exprs, params = columns_sql(model, named)
    exprs = [e.replace("%", "%%") if e != "%s" else e for e in exprs]
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} {source}"
    cur.execute(sql, [*params, *(params_after or [])])
    return cur.rowcount


class IndexesOff:
    """Drop the secondary indexes and unique constraints of some tables, rebuild them on exit (in parallel
    maintenance workers); foreign-key triggers off meanwhile (session_replication_role = replica)."""

    def __init__(self, cur, tables: list[str]):
        self.cur, self.tables, self.constraints, self.indexes = cur, tables, [], []

    def __enter__(self):
        cur = self.cur
        for t in self.tables:
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                        "AND contype = 'u'", [t])
            for name, definition in cur.fetchall():
                self.constraints.append((t, name, definition))
                cur.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
            cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                        [t])
            for name, definition in cur.fetchall():
                self.indexes.append(definition)
                cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        return self

    def __exit__(self, *exc):
        cur = self.cur
        cur.execute("SET session_replication_role = DEFAULT")
        if exc[0] is not None:
            return False
        cur.execute("SET maintenance_work_mem = '1GB'")
        for t, name, definition in self.constraints:
            t0 = time.monotonic()
            cur.execute(f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition}')
            log(f"  constraint {name}: {time.monotonic() - t0:.0f} s")
        for definition in self.indexes:
            t0 = time.monotonic()
            cur.execute(definition)
            log(f"  {definition.split(' ON ')[0]}: {time.monotonic() - t0:.0f} s")
        return False


def pool(kind: str, values) -> str:
    """A SQL array literal of ciphertexts made by the project's crypto (one per value)."""
    from gonghui.core import crypto

    items = [crypto.encrypt(str(v), kind=kind).replace("'", "''") for v in values]
    return "ARRAY[" + ", ".join(f"'{x}'" for x in items) + "]"


def build_tree() -> dict:
    from gonghui.demo.seed import seed

    t0 = time.monotonic()
    result = seed(members=0, activity=0)  # the tree and the demo users only
    log(f"demo tree: {result['orgs']} orgs in {time.monotonic() - t0:.1f} s")
    return result


def load_members(cur, n: int) -> dict:
    """``n`` people, each with one active membership of a grassroots union (round robin over the unions in path
    order, so the people of union u are u+1, u+1+U, …)."""
    from gonghui.members.models import Membership, Person
    from gonghui.orgs.models import Org

    unions = list(Org.objects.filter(level="grassroots").order_by("path").values_list("id", "path"))
    cur.execute("CREATE TEMP TABLE bench_union (k int PRIMARY KEY, id bigint, path text)")
    cur.executemany("INSERT INTO bench_union VALUES (%s, %s, %s)", [(k, i, p) for k, (i, p) in enumerate(unions)])
    ids = pool("id_number", (f"11010119800101{i:04d}" for i in range(POOL)))
    phones = pool("phone", (f"139{i:08d}" for i in range(POOL)))
    t0 = time.monotonic()
    insert_select(cur, Person, {
        "id": "g", "uid": "'P' || lpad(g::text, 11, '0')", "id_number": f"({ids})[1 + g % {POOL}]",
        "id_number_bidx": "md5('p' || g)", "name": "'职工' || g", "sex": "CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END",
        "birth_date": "DATE '1970-01-01' + (g % 12000)", "phone": f"({phones})[1 + g % {POOL}]",
        "phone_bidx": "md5('m' || g)",
    }, "FROM generate_series(1, %s) g", [n])
    log(f"  {n:,} people ({time.monotonic() - t0:.0f} s)")
    t0 = time.monotonic()
    insert_select(cur, Membership, {
        "id": "g", "person_id": "g", "union_id": "u.id", "org_path": "u.path",
        "joined_on": "DATE '2000-01-01' + (g % 9000)", "status": "'active'", "is_female": "g % 2 = 0",
        "source": "'import'",
    }, "FROM generate_series(1, %s) g JOIN bench_union u ON u.k = (g - 1) %% %s", [n, len(unions)])
    log(f"  {n:,} memberships ({time.monotonic() - t0:.0f} s)")
    return {"unions": len(unions)}


def load_households(cur, members: int, county_files: int, county_filed: int, city_filed: int, year: int) -> dict:
    """Files of members: ``county_files`` in the county (``county_filed`` filed, the rest exited or not filed over
    ten years), and elsewhere in the city enough filed ones for ``city_filed`` in all (plus as many exited)."""
    from gonghui.aid.models import Household
    from gonghui.orgs.models import Org

    county = Org.objects.get(code=COUNTY)
    cur.execute("SELECT count(*) FROM bench_union")
    n_unions = cur.fetchone()[0]
    cur.execute("SELECT k FROM bench_union WHERE path LIKE %s ORDER BY k", [county.path + "%"])
    inside = [k for (k,) in cur.fetchall()]
    cur.execute("SELECT k FROM bench_union WHERE path NOT LIKE %s ORDER BY k", [county.path + "%"])
    outside = [k for (k,) in cur.fetchall()]
    per_union = members // n_unions
    for label, ks, files in (("county", inside, county_files), ("elsewhere", outside, 2 * (city_filed - county_filed))):
        if files > len(ks) * per_union:
            raise SystemExit(f"{files:,} files {label} need more members than its unions have")
    names = pool("name", (f"困难职工{i}" for i in range(POOL)))
    incomes = pool("income", (f"{800 + 10 * i}.00" for i in range(POOL)))
    ids = pool("id_number", (f"42010119750101{i:04d}" for i in range(POOL)))
    cur.execute("CREATE TEMP TABLE bench_side (side int, pos int, k int, PRIMARY KEY (side, pos))")
    cur.executemany("INSERT INTO bench_side VALUES (%s, %s, %s)",
                    [(0, i, k) for i, k in enumerate(inside)] + [(1, i, k) for i, k in enumerate(outside)])
    # File h of a side: the j-th person of the side's (h mod units)-th union; states by h's position: the first
    # ``filed`` are filed now (a third 深度困难), the rest of the county's a decade of exits (70%) and refusals.
    first = datetime.date(year - 9, 1, 1)
    t0 = time.monotonic()
    n = 0
    for side, count, filed in ((0, county_files, county_filed), (1, 2 * (city_filed - county_filed),
                                                                   city_filed - county_filed)):
        cur.execute("SELECT count(*) FROM bench_side WHERE side = %s", [side])
        width = cur.fetchone()[0]
        state = (f"CASE WHEN h <= {filed} THEN 'filed' WHEN h % 10 < 7 THEN 'exited' WHEN h % 10 < 9 "
                 "THEN 'rejected' ELSE 'draft' END")
        source = (f"FROM (SELECT h, s.k, (s.k + 1) + ((h - 1) / {width}) * {n_unions} AS pid, {state} AS st "
                  f"FROM generate_series(1, %s) h JOIN bench_side s ON s.side = {side} AND s.pos = (h - 1) % {width}) x "
                  "JOIN bench_union u ON u.k = x.k")
        # Statements built by hand: the expressions hold %, the defaults and the row count are parameters.
        cols, exprs, params = columns_sql(Household, {
            "id": f"{n} + h", "org_id": "u.id", "org_path": "u.path", "person_id": "pid",
            "name": f"({names})[1 + h % {POOL}]", "name_masked": "'困*' || (h % 100)",
            "id_number": f"({ids})[1 + h % {POOL}]", "id_number_bidx": "md5('p' || pid)",
            "causes": "CASE WHEN h % 3 = 0 THEN ',illness,' WHEN h % 3 = 1 THEN ',job_loss,schooling,' "
                      "ELSE ',disability,' END",
            "per_capita": f"({incomes})[1 + h % {POOL}]",
            "category": "CASE WHEN st = 'draft' THEN 'none' WHEN h % 3 = 0 THEN 'deep' ELSE 'relative' END",
            "standard_year": "2016 + (h % 10)", "standard_monthly": "1000.00", "state": "st",
            "applied_at": f"CASE WHEN st = 'draft' THEN NULL ELSE TIMESTAMPTZ '{first}' + (h % 3285) "
                          "* interval '1 day' END",
            "filed_on": f"CASE WHEN st IN ('filed', 'exited') THEN DATE '{first}' + (h % 3285) END",
            "review_due": f"CASE WHEN st = 'filed' THEN DATE '{datetime.date(year + 1, 1, 1)}' + (h % 400) END",
            "exited_on": f"CASE WHEN st = 'exited' THEN DATE '{first}' + (h % 3285) + 30 + (h % 200) END",
            "exit_reason": "CASE WHEN st = 'exited' THEN '收入增加，已解困' ELSE '' END",
            "created_at": f"TIMESTAMPTZ '{first}' + (h % 3285) * interval '1 day'",
        })
        exprs = [e.replace("%", "%%") if e != "%s" else e for e in exprs]
        sql = (f"INSERT INTO aid_household ({', '.join(cols)}) SELECT {', '.join(exprs)} "
               f"{source.replace('% ', '%% ')}")
        cur.execute(sql, [*params, count])
        n += count
        log(f"  {count:,} files {'in the county' if side == 0 else 'elsewhere in the city'} "
            f"({time.monotonic() - t0:.0f} s)")
    cur.execute("SELECT setval(pg_get_serial_sequence('aid_household', 'id'), (SELECT max(id) FROM aid_household))")
    return {"households": n}


def load_year(cur, year: int, grants: int, visits: int) -> dict:
    """Last year's programs of every kind (one per county), ``grants`` paid grants to members of the city and
    ``visits`` visits."""
    from gonghui.aid.models import AidVisit, Grant, Program, ProgramKind
    from gonghui.orgs.models import Org

    counties = list(Org.objects.filter(level="county").order_by("path"))
    kinds = [ProgramKind.WARMTH, ProgramKind.SCHOLARSHIP, ProgramKind.MODEL_WORKER, ProgramKind.HARDSHIP,
             ProgramKind.VILLAGE_TEAM, ProgramKind.COOLING]
    programs = []
    for c in counties:
        for k in kinds:
            programs.append(Program(org=c, org_path=c.path, kind=k, name=f"{c.name}{ProgramKind(k).label}"[:100],
                                    period_key=str(year), start_on=datetime.date(year, 1, 1),
                                    end_on=datetime.date(year, 12, 31), budget=Decimal("1000000000"),
                                    budget_account="维权支出-困难职工帮扶", rules={}))
    Program.objects.bulk_create(programs)
    cur.execute("CREATE TEMP TABLE bench_program (k int PRIMARY KEY, id bigint, kind text, path text)")
    cur.executemany("INSERT INTO bench_program VALUES (%s, %s, %s, %s)",
                    [(i, p.pk, p.kind, p.org_path) for i, p in enumerate(programs)])
    accounts = pool("bank_account", (f"62220212345678{i:05d}" for i in range(POOL)))
    facts = pool("aid_facts", ['{"relationship": "本人"}'])
    cur.execute("SELECT count(*) FROM bench_union")
    n_unions = cur.fetchone()[0]
    t0 = time.monotonic()
    # Grant g: a member of union (g mod U); its program: the union's county's program of kind (g mod 6).
    cols, exprs, params = columns_sql(Grant, {
        "id": "g", "program_id": "p.id", "kind": "p.kind", "period_key": f"'{year}'", "one_per_person": "false",
        "org_id": "u.id", "org_path": "u.path", "person_id": f"u.k + 1 + (g / {n_unions}) * {n_unions}",
        "facts": f"({facts})[1]", "bank_account": f"({accounts})[1 + g % {POOL}]",
        "amount": "(200 + (g % 9) * 100)::numeric(12, 2)", "state": "'paid'",
        "paid_on": f"DATE '{year}-01-01' + (g % 365)", "decided_at": f"TIMESTAMPTZ '{year}-01-01'",
        "created_at": f"TIMESTAMPTZ '{year}-01-01' + (g % 365) * interval '1 day'",
    })
    exprs = [e.replace("%", "%%") if e != "%s" else e for e in exprs]
    cur.execute(f"INSERT INTO aid_grant ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                f"FROM generate_series(1, %s) g JOIN bench_union u ON u.k = g %% {n_unions} "
                "JOIN bench_program p ON p.path = substr(u.path, 1, length(p.path)) "
                f"AND p.kind = (ARRAY{[str(k) for k in kinds]})[1 + g %% {len(kinds)}]", [*params, grants])
    log(f"  {cur.rowcount:,} paid grants ({time.monotonic() - t0:.0f} s)")
    n_grants = cur.rowcount
    targets = ["household", "model_worker", "enterprise", "frontline", "village_team"]
    cols, exprs, params = columns_sql(AidVisit, {
        "id": "g", "org_id": "u.id", "org_path": "u.path",
        "program_id": "CASE WHEN g % 3 = 0 THEN (SELECT id FROM bench_program p WHERE p.kind = 'warmth' AND "
                      "p.path = substr(u.path, 1, length(p.path))) END",
        "target": f"(ARRAY{targets})[1 + g % {len(targets)}]", "visited_on": f"DATE '{year}-01-01' + (g % 365)",
        "place": "'走访对象' || g", "people": "1 + g % 3", "households": "CASE WHEN g % 5 = 0 THEN 1 ELSE 0 END",
        "enterprises": "CASE WHEN g % 5 = 2 THEN 1 ELSE 0 END", "cash": "(g % 5) * 100", "goods": "'米面油'",
        "goods_value": "150.00",
    })
    exprs = [e.replace("%", "%%") if e != "%s" else e for e in exprs]
    cur.execute(f"INSERT INTO aid_aidvisit ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                f"FROM generate_series(1, %s) g JOIN bench_union u ON u.k = g %% {n_unions}", [*params, visits])
    n_visits = cur.rowcount
    for t in ("aid_grant", "aid_aidvisit"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
    log(f"  {n_visits:,} visits ({time.monotonic() - t0:.0f} s)")
    return {"grants_last_year": n_grants, "visits_last_year": n_visits}


def make_reviewer():
    """A second member of the city's federation staff: the approvals are a second person's."""
    from django.contrib.auth import get_user_model

    from gonghui.core.models import Grant, Role
    from gonghui.orgs.models import Org

    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"display_name": "复核人"})
    Grant.objects.get_or_create(user=user, role=Role.FEDERATION_STAFF, org=Org.objects.get(code=CITY))
    return user


def rebuild_stats() -> tuple[int, float] | None:
    fn = entry("gonghui.aid.stats.rebuild_all")
    if fn is None:
        return None
    from django.db import transaction

    t0 = time.monotonic()
    with transaction.atomic():
        rows = fn()
    log(f"aid.stats.rebuild_all: {rows:,} rows in {time.monotonic() - t0:.0f} s")
    return rows, time.monotonic() - t0


def load(args, year: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - t0:.0f} s")
    build_tree()
    make_reviewer()
    counts = {"members": args.members, "county_files": args.county_files, "batch": args.batch,
              "county_filed": args.county_filed}
    t_load = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        with IndexesOff(cur, ["members_person", "members_membership"]):
            counts.update(load_members(cur, args.members))
        with IndexesOff(cur, ["aid_household", "aid_grant", "aid_aidvisit"]):
            counts.update(load_households(cur, args.members, args.county_files, args.county_filed, args.batch,
                                          year))
            counts.update(load_year(cur, year - 1, args.grants, args.visits))
    counts["load_s"] = round(time.monotonic() - t_load)
    stats = rebuild_stats()
    counts["stats_rows"], counts["stats_s"] = (stats[0], round(stats[1])) if stats else (0, 0)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CREATE TABLE bench_meta (k text primary key, v text)")
        for k, v in counts.items():
            cur.execute("INSERT INTO bench_meta VALUES (%s, %s)", [k, str(v)])
    log(f"VACUUM ANALYZE: {time.monotonic() - t0:.0f} s; loaded: {counts}")
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
# (a) the 送温暖 batch
# ---------------------------------------------------------------------------------------------------------

def _program(actor, name: str):
    from gonghui.aid import programs
    from gonghui.aid.models import ProgramKind
    from gonghui.orgs.models import Org

    today = datetime.date.today()
    return programs.program_create(actor=actor, org=Org.objects.get(code=CITY), kind=ProgramKind.WARMTH, name=name,
                                   period_key=str(today.year), start_on=datetime.date(today.year, 1, 1),
                                   end_on=datetime.date(today.year, 12, 31), budget="500000000",
                                   budget_account="维权支出-送温暖", rules=WARMTH_RULES)


def _drop_program(program) -> None:
    from gonghui.aid.models import Grant, PaymentBatch

    Grant.objects.filter(program=program).delete()
    PaymentBatch.objects.filter(program=program).delete()
    program.delete()


def set_accounts(program) -> float:
    """Every grant of the program gets a bank account (one UPDATE, ciphertexts from the pool): the project has no
    set-based way to give 100,000 grants from the archive their accounts (``grant_set_account`` is one per grant)."""
    from django.db import connection, transaction

    accounts = pool("bank_account", (f"62220298765432{i:05d}" for i in range(POOL)))
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE aid_grant SET bank_account = ({accounts})[1 + id %% {POOL}] "
                    "WHERE program_id = %s AND bank_account = ''", [program.pk])
    return time.perf_counter() - t0


def bench_batch(applicant, reviewer) -> dict:
    from gonghui.aid import programs, warmth
    from gonghui.core.access import actor_for

    a_actor, r_actor = actor_for(applicant), actor_for(reviewer)
    program = _program(a_actor, f"送温暖（基准 {time.strftime('%H%M%S')}）")
    steps = {}
    try:
        t0 = time.perf_counter()
        res = warmth.grants_from_archive(actor=a_actor, program=program)
        steps["grants_from_archive"] = time.perf_counter() - t0
        log(f"  grants_from_archive: {res.created:,} created in {steps['grants_from_archive']:.1f} s")
        t0 = time.perf_counter()
        approved = warmth.grants_approve_many(actor=r_actor, program=program)
        steps["grants_approve_many"] = time.perf_counter() - t0
        log(f"  grants_approve_many: {approved:,} in {steps['grants_approve_many']:.1f} s")
        steps["bank accounts (one UPDATE; no service)"] = set_accounts(program)
        t0 = time.perf_counter()
        batch = programs.batch_create(actor=r_actor, program=program)
        steps["batch_create"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        content = programs.batch_file(actor=r_actor, batch=batch)
        steps["batch_file (xlsx)"] = time.perf_counter() - t0
        log(f"  batch_file: {len(content) / 1e6:.1f} MB in {steps['batch_file (xlsx)']:.1f} s")
        t0 = time.perf_counter()
        programs.batch_pay(actor=r_actor, batch=batch, bank_reference="BENCH-0001")
        steps["batch_pay"] = time.perf_counter() - t0
        batch.refresh_from_db()
        out = {"created": res.created, "ineligible": res.ineligible, "already": res.already,
               "no_person": res.no_person, "approved": approved, "paid": batch.count, "total": batch.total,
               "steps": steps, "xlsx_mb": len(content) / 1e6}
    finally:
        _drop_program(program)
    out["seconds"] = sum(steps.values())
    log(f"  batch: {out['seconds']:.1f} s in all")
    return out


def bench_loop(applicant, reviewer, sample: int) -> dict:
    """grant_apply + grant_approve per grant (each its own transaction, as a clerk's two clicks would be) for the
    first ``sample`` filed households of the city; seconds per grant."""
    from gonghui.aid import programs
    from gonghui.aid.models import Household
    from gonghui.core.access import actor_for
    from gonghui.orgs.models import Org

    a_actor, r_actor = actor_for(applicant), actor_for(reviewer)
    program = _program(a_actor, f"送温暖逐笔（基准 {time.strftime('%H%M%S')}）")
    city = Org.objects.get(code=CITY)
    rows = list(Household.objects.filter(org_path__startswith=city.path, state="filed").select_related("org")
                .order_by("?").values_list("person_id", "org_id")[:sample])
    from gonghui.members.models import Person

    people = Person.objects.in_bulk([p for p, _o in rows])
    orgs = Org.objects.in_bulk({o for _p, o in rows})
    try:
        t0 = time.perf_counter()
        for person_id, org_id in rows:
            g = programs.grant_apply(actor=a_actor, program=program, person=people[person_id], org=orgs[org_id],
                                     bank_account="6222021234567890123")
            programs.grant_approve(actor=r_actor, grant=g)
        per = (time.perf_counter() - t0) / len(rows)
    finally:
        _drop_program(program)
    log(f"  loop: {per * 1000:.1f} ms per grant (apply + approve) on {len(rows)}")
    return {"per_grant_s": per, "sample": len(rows)}


def bench_bound() -> float:
    """The same grant rows as one plain INSERT … SELECT from the filed households (rolled back)."""
    from django.db import connection, transaction

    from gonghui.aid.models import Grant, Program
    from gonghui.orgs.models import Org

    city = Org.objects.get(code=CITY)
    program = Program.objects.filter(org=city).first() or Program.objects.first()

    class Rollback(Exception):
        pass

    cols, exprs, params = columns_sql(Grant, {
        "program_id": str(program.pk), "kind": "'warmth'", "period_key": "'bound'", "org_id": "h.org_id",
        "org_path": "h.org_path", "person_id": "h.person_id",
        "amount": "CASE WHEN h.category = 'deep' THEN 1000.00 ELSE 500.00 END",
    })
    try:
        with transaction.atomic(), connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(f"INSERT INTO aid_grant ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                        "FROM aid_household h WHERE h.org_path LIKE %s AND h.state = 'filed' "
                        "AND h.person_id IS NOT NULL", [*params, city.path + "%"])
            elapsed = time.perf_counter() - t0
            log(f"  bound: {cur.rowcount:,} rows in {elapsed:.2f} s")
            raise Rollback
    except Rollback:
        pass
    return elapsed


# ---------------------------------------------------------------------------------------------------------
# (b) the archive list
# ---------------------------------------------------------------------------------------------------------

def bench_list(county_user, reps: int) -> dict:
    from django.test import Client

    from gonghui.aid import selectors_archive
    from gonghui.aid.models import Household
    from gonghui.core import menu as menu_mod
    from gonghui.core.access import actor_for

    client = Client()
    client.force_login(county_user)
    actor = actor_for(county_user)

    def page():
        r = client.get("/aid/archive/")
        assert r.status_code == 200, r.status_code
        return r

    body = page().content.decode()
    rows_shown = body.count('href="/aid/archive/') - 1
    out = {"page": timed(page, reps)}

    def selector(**filters):
        return selectors_archive.household_page(actor=actor, filters=filters)

    def plain(**filters):  # one ordered keyset query over the subtree (the page before this branch)
        return selectors_archive.keyset_page(selectors_archive.household_list(actor=actor, filters=filters))

    out["selector"] = timed(selector, reps)
    out["selector_filed"] = timed(lambda: selector(state="filed"), reps)
    out["plain"] = timed(plain, max(5, reps // 4), warmup=1)
    out["plain_filed"] = timed(lambda: plain(state="filed"), 5, warmup=1)
    path = actor.org.path

    def naive():
        qs = Household.objects.filter(org_path__startswith=path)
        total = qs.count()
        return total, list(qs.select_related("org").order_by("-created_at", "-id")[:50])

    out["naive"] = timed(naive, max(3, reps // 10), warmup=1)
    # The page frame: each menu badge as the menu computes it.
    badges = {}
    for item in menu_mod.MENU:
        if getattr(item, "badge", "") and actor.can(item.perm):
            from django.utils.module_loading import import_string

            fn = import_string(item.badge)
            badges[item.badge] = statistics.median(timed(lambda fn=fn: fn(actor), max(5, reps // 4), warmup=1))
    out["badges"] = badges
    if hasattr(menu_mod, "badges_for"):  # the menu reads the counting badges of a page in one query
        out["badges_menu"] = statistics.median(timed(lambda: menu_mod.badges_for(actor, list(badges)),
                                                     max(5, reps // 4), warmup=1))
    # Where a page's time goes: cProfile of some loads, the top functions by cumulative time.
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        page()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
    out["profile"] = buf.getvalue()
    out["rows_shown"] = rows_shown
    out["files"] = Household.objects.filter(org_path__startswith=path).count()
    log(f"  list: page {statistics.median(out['page']):.2f} ms (p95 {p95(out['page']):.2f}), selector "
        f"{statistics.median(out['selector']):.2f} ms"
        f" (p95 {p95(out['selector']):.2f}), naive {statistics.median(out['naive']):.1f} ms; badges {badges}"
        + (f", as the menu reads them {out['badges_menu']:.2f} ms" if "badges_menu" in out else ""))
    return out


# ---------------------------------------------------------------------------------------------------------
# (c) the figures
# ---------------------------------------------------------------------------------------------------------

def bench_figures(actor, org, period_key: str, reps: int) -> dict:
    from gonghui.core import figures as registry
    from gonghui.core.figures import Period

    keys = [f.key for f in registry.all_figures() if f.key.startswith("aid.")]
    modules = [importlib.import_module(f"gonghui.aid.{m}") for m in ("figures_archive", "figures_programs")]

    def project():
        return {fv.key: fv.value for fv in registry.compute(org, Period.parse(period_key), actor=actor, keys=keys)}

    def naive():
        # No pre-aggregated rows: the figure code counts the rows (``whole_months`` → None).
        with ExitStack() as stack:
            for m in modules:
                if hasattr(m, "whole_months"):
                    stack.enter_context(mock.patch.object(m, "whole_months", lambda p: None))
            return project()

    a, b = project(), naive()
    for k in a:
        assert a[k] == b[k], (k, a[k], b[k])
    pre = any(hasattr(m, "whole_months") for m in modules)
    t_project = timed(project, reps)
    t_naive = timed(naive, max(5, reps // 4), warmup=1)
    log(f"  figures {org.code} {period_key}: {len(keys)} keys {statistics.median(t_project):.2f} ms vs naive "
        f"{statistics.median(t_naive):.2f} ms (pre-aggregated: {pre})")
    return {"keys": keys, "project": t_project, "naive": t_naive, "pre": pre, "values": a}


# ---------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------

def report(args, counts, start_line, batch, loop, bound, lst, figs, year) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        sizes = {}
        for t in ("members_person", "members_membership", "aid_household", "aid_grant"):
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [t])
            sizes[t] = cur.fetchone()[0]
    n = batch["paid"]
    loop_total = loop["per_grant_s"] * n
    ratio = loop_total / batch["seconds"]
    pm, sm, nm = (statistics.median(lst[k]) for k in ("page", "selector", "naive"))
    fm, fn_ = statistics.median(figs["project"]), statistics.median(figs["naive"])
    out = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `benchmarks/aid.py {' '.join(sys.argv[1:])}` on "
        f"PostgreSQL {pg}, Python {platform.python_version()}.",
        f"Machine at the start: {start_line}; at the end: {machine_line()}.", "",
        f"Data: the demo tree ({counts['unions']} grassroots unions); {counts['members']:,} people with one active "
        f"membership each ({sizes['members_person']} + {sizes['members_membership']} with indexes); "
        f"{counts['households']:,} hardship files ({sizes['aid_household']}), {counts['county_files']:,} of them in "
        f"the county {COUNTY} ({counts['county_filed']:,} filed now), {counts['batch']:,} filed in the city; "
        f"{counts['grants_last_year']:,} paid grants and {counts['visits_last_year']:,} visits in {year} "
        f"({sizes['aid_grant']} of grants). Loaded in {counts['load_s']} s (indexes included); pre-aggregated rows: "
        f"{counts['stats_rows']:,} in {counts['stats_s']} s.", "",
        "| workload | project | naive / loop | bound | naive / project | project / bound | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| (a) 送温暖 batch of the city, {n:,} grants (archive → approve → accounts → batch → file → pay) | "
        f"{batch['seconds']:.1f} s | {loop_total:.0f} s (loop, {loop['per_grant_s'] * 1000:.1f} ms × {n:,}) | "
        f"{bound:.2f} s | {ratio:.0f}× | {batch['seconds'] / bound:.0f}× | < {BATCH_GOAL_S:.0f} s and ≥ "
        f"{BATCH_RATIO_GOAL:.0f}×: {'met' if batch['seconds'] < BATCH_GOAL_S and ratio >= BATCH_RATIO_GOAL else 'missed'} |",
        f"| (b) archive list page of {COUNTY}, {lst['files']:,} files (test client, county officer) | {pm:.2f} ms "
        f"(p95 {p95(lst['page']):.2f}) | {nm:.1f} ms (count + unindexed sort) | — | {nm / pm:.1f}× | — | "
        f"< {PAGE_GOAL_MS:.0f} ms: {'met' if pm < PAGE_GOAL_MS else 'missed'} |",
        f"| (b) the list's selector alone (50 rows, keyset) | {sm:.2f} ms (p95 {p95(lst['selector']):.2f}) | "
        f"{nm:.1f} ms | — | {nm / sm:.0f}× | — | — |",
        f"| (b) the selector, state = filed (60,000 of the 1,000,000, the oldest ids) | "
        f"{statistics.median(lst['selector_filed']):.2f} ms | {statistics.median(lst['plain_filed']):.1f} ms "
        "(one keyset query) | — | "
        f"{statistics.median(lst['plain_filed']) / statistics.median(lst['selector_filed']):.0f}× | — | — |",
        f"| (b) one keyset query over the subtree, no filter | {statistics.median(lst['plain']):.2f} ms | — | — | — "
        "| — | — |",
        f"| (c) {len(figs['keys'])} aid figures of the city for {year} ({'pre-aggregated' if figs['pre'] else 'live'})"
        f" | {fm:.2f} ms (p95 {p95(figs['project']):.2f}) | {fn_:.1f} ms (counting rows) | — | {fn_ / fm:.1f}× | — | "
        f"< {PAGE_GOAL_MS:.0f} ms: {'met' if fm < PAGE_GOAL_MS else 'missed'} |",
        "", "Batch steps (seconds):", "", "| step | s |", "|---|---:|",
        *[f"| {k} | {v:.2f} |" for k, v in batch["steps"].items()],
        "", f"Batch outcome: {batch['created']:,} created, {batch['ineligible']:,} ineligible, {batch['already']:,} "
        f"already, {batch['no_person']:,} without a member; {batch['approved']:,} approved, {batch['paid']:,} paid, "
        f"{batch['total']} yuan; transfer file {batch['xlsx_mb']:.1f} MB. Loop: {loop['sample']} grants.",
        "", "Menu badges of the page frame (ms each, median): " + (", ".join(
            f"`{k.rsplit('.', 2)[-2]}.{k.rsplit('.', 1)[-1]}` {v:.2f}" for k, v in lst["badges"].items()) or "none")
        + (f"; all of them as the menu reads them (one query): {lst['badges_menu']:.2f}" if "badges_menu" in lst
           else ""),
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--county-files", type=int, default=1_000_000)
    parser.add_argument("--county-filed", type=int, default=60_000)
    parser.add_argument("--batch", type=int, default=100_000, help="filed households in the city")
    parser.add_argument("--grants", type=int, default=300_000, help="paid grants last year")
    parser.add_argument("--visits", type=int, default=50_000, help="visits last year")
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--loop-sample", type=int, default=LOOP_SAMPLE)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="time a rebuild of the pre-aggregated rows")
    parser.add_argument("--only", default="abc", help="which workloads to measure (a, b, c)")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    start_line = machine_line()
    reuse = args.keep and database_exists(args.db_url)
    if not reuse:
        recreate_database(args.db_url)
    setup_django(args.db_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from gonghui.core.access import actor_for
    from gonghui.orgs.models import Org

    year = datetime.date.today().year
    counts = loaded_meta() if reuse else None
    if counts is not None and (counts["members"], counts["county_files"]) != (args.members, args.county_files):
        raise SystemExit("--keep found a database of other sizes: run without --keep")
    if counts is None:
        counts = load(args, year)
    else:
        call_command("migrate", verbosity=0)
        if entry("gonghui.aid.stats.rebuild_all") is not None:
            from gonghui.aid.models import AidStat

            if not AidStat.objects.exists():
                stats = rebuild_stats()
                counts["stats_rows"], counts["stats_s"] = stats[0], round(stats[1])
    if args.rebuild:
        stats = rebuild_stats()
        counts["stats_rows"], counts["stats_s"] = stats[0], round(stats[1])
    if args.load_only:
        return
    User = get_user_model()
    city_user, county_user = User.objects.get(username="city"), User.objects.get(username="donghu")
    reviewer = make_reviewer()
    batch = loop = bound = lst = figs = None
    if "a" in args.only:
        loop = bench_loop(city_user, reviewer, args.loop_sample)
        bound = bench_bound()
        batch = bench_batch(city_user, reviewer)
    if "b" in args.only:
        lst = bench_list(county_user, args.reps)
        sys.stderr.write(lst["profile"][:6000])
    if "c" in args.only:
        figs = bench_figures(actor_for(city_user), Org.objects.get(code=CITY), str(year - 1), args.reps)
    if args.only == "abc":
        print(report(args, counts, start_line, batch, loop, bound, lst, figs, year - 1))


if __name__ == "__main__":
    main()
