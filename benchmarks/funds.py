"""Union funds on PostgreSQL: 10,000,000 ledger lines across 100,000 unions (issue 12 §7).

Builds a province (``benchmarks/funds_data.py``: orgs, books, vouchers and lines, decisions, budgets, members,
fund returns, the central purchasing list; every built-in rule planted with hits and near misses) in a database
of its own, and measures in one run:

* the full scan: every built-in rule over the province (``gonghui.funds.rules.scan``), the first run (which
  creates the alerts) and a second one (nothing new), each rule on its own, and the slowest statements with their
  EXPLAIN ANALYZE; against
  - the naive path: the same rules evaluated line by line in Python (ORM rows, dicts) over a sample of unions,
    extrapolated to every line of the province by the lines it read;
  - the bound: one sequential read of the lines table (``count(*), sum(debit)`` with index scans switched off);
* the incremental scan after a day's 30,000 new lines (COPYed, then the rule engine's incremental entry point);
* a journal import of 1,000,000 lines (a CSV 序时账, one union, one year) through
  ``gonghui.funds.journal.journal_import``, against COPY of the same rows (vouchers and lines, prepared in
  memory) into indexed copies of the voucher and line tables (the bound for an import).

Usage (from the repository root):

    .venv/bin/python benchmarks/funds.py [--lines N] [--unions N] [--import-lines N] [--day-lines N]
                                          [--sample N] [--keep] [--db-url URL]

Full run: ``--lines 10000000 --unions 100000 --import-lines 1000000`` (the defaults). A quick run:
``--lines 200000 --unions 2000 --import-lines 50000``. The database named in ``--db-url`` (default
``BENCH_DATABASE_URL`` or postgres://postgres@127.0.0.1:5432/gh_bench_funds) is dropped and rebuilt unless
``--keep`` finds it loaded; its name must contain "bench". Progress goes to stderr; a Markdown block for
benchmarks/RESULTS.md goes to stdout at the end.
"""

import argparse
import contextlib
import datetime
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import funds_data as data  # noqa: E402
from benchmarks.dbs import database_exists, drop_database, recreate_database  # noqa: E402
from benchmarks.funds_measure import (  # noqa: E402
    PROPOSED,
    QueryLog,
    agreement,
    bench_import,
    bench_incremental,
    naive_scan,
    proposed_fixes,
    scan_entry_points,
    scan_session,
)

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gh_bench_funds"
SEED = 20261204
BENCH_USER = "bench-funds"
GOALS = {"import_vs_copy": 0.4, "scan_s": 60.0, "scan_vs_naive": 100.0, "incremental_s": 2.0}


def log(message: str) -> None:
    data.log(message)


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()


def raw_connection(db_url: str):
    import psycopg

    return psycopg.connect(db_url.replace("postgres://", "postgresql://", 1), autocommit=True)


def load(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from gonghui.core.workdays import add_workdays
    from gonghui.funds.chart import standard_chart

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - t0:.0f} s")
    chart = standard_chart()
    user = get_user_model().objects.create_user(username=BENCH_USER, password=None)
    shape = data.Shape.of(args.unions, args.lines)
    with raw_connection(args.db_url) as conn:
        counts = data.load(conn=conn, shape=shape, seed=SEED, chart=chart, add_workdays=add_workdays,
                           actor_user_id=user.pk)
    counts["shape"] = shape.describe()
    counts.update(expense_totals())
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_meta (k text primary key, v text)")
        for k, v in counts.items():
            cur.execute("INSERT INTO bench_meta VALUES (%s, %s)", [k, str(v)])
    return counts


def expense_totals() -> dict:
    """The loader writes with triggers off: the expense totals the rule engine keeps by trigger
    (``gonghui.funds.rules.totals``, on branches that have it) are summed once from the lines."""
    from django.db import connection

    try:
        from gonghui.funds.rules import totals
    except ImportError:
        return {}
    t0 = time.monotonic()
    totals.rebuild(connection)
    log(f"expense totals summed from the lines in {time.monotonic() - t0:.1f} s")
    return {"totals_seconds": round(time.monotonic() - t0, 1)}


def loaded_meta() -> dict | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT k, v FROM bench_meta")
        return {k: (int(v) if v.lstrip("-").isdigit() else v) for k, v in cur.fetchall()}


def bench_actor():
    from django.contrib.auth import get_user_model

    from gonghui.core.access import actor_for

    actor = actor_for(get_user_model().objects.get(username=BENCH_USER))
    for perm in ("funds.view", "funds.write", "funds.review"):
        if not actor.can(perm):
            raise SystemExit(f"the federation staff role lacks {perm} (gonghui/core/access.py)")
    return actor


def load_average() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def machine_lines(db_url: str) -> list[str]:
    import django
    from django.db import connection

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    with open("/proc/meminfo") as f:
        mem_kb = next(int(ln.split()[1]) for ln in f if ln.startswith("MemTotal"))
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit", "random_page_cost"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    return [f"- CPU: {cpu}, {os.cpu_count()} cores (shared with other work); RAM {mem_kb / 1024**2:.1f} GiB; "
            f"{platform.system()} {platform.release()}",
            f"- PostgreSQL {version} on the same machine (127.0.0.1), stock settings: "
            + ", ".join(f"{k}={v}" for k, v in settings.items()),
            f"- Python {platform.python_version()}, Django {django.get_version()}, psycopg 3"]


def bound_read(reps: int = 3) -> dict:
    """One sequential read of the whole lines table, index scans off: the least a scan of every line costs."""
    from django.db import connection, transaction

    times, plan = [], ""
    sql = "SELECT count(*), sum(debit) FROM funds_voucherline"
    for _ in range(reps + 1):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL enable_indexscan = off")
            cur.execute("SET LOCAL enable_indexonlyscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            t0 = time.perf_counter()
            cur.execute(sql)
            rows, _total = cur.fetchone()
            times.append(time.perf_counter() - t0)
            cur.execute("EXPLAIN " + sql)
            plan = " / ".join(r[0].strip() for r in cur.fetchall()[:3])
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_relation_size('funds_voucherline')), "
                    "pg_size_pretty(pg_total_relation_size('funds_voucherline'))")
        heap, total_size = cur.fetchone()
    best = statistics.median(times[1:])
    log(f"bound: seq read of {rows:,} lines in {best:.2f} s ({heap} heap)")
    return {"seconds": best, "rows": rows, "plan": plan, "heap": heap, "total_size": total_size}


@contextlib.contextmanager
def statement_timeout(seconds: float):
    """A statement of the project's running longer than ``seconds`` is cancelled (the run reports it as such)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SET statement_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SET statement_timeout = 0")


def timed_scan(entry, timeout: float, qlog: QueryLog | None = None, **kwargs) -> tuple[float | None, object]:
    """Seconds of one scan (None when a statement hit the timeout) and its result or error."""
    from django.db import DatabaseError, connection

    t0 = time.perf_counter()
    try:
        with statement_timeout(timeout), (qlog.capture(keep=True) if qlog else contextlib.nullcontext()):
            result = entry.scan(**kwargs)
    except DatabaseError as exc:
        connection.close()  # a fresh session for what follows
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]} after {time.perf_counter() - t0:.0f} s"
    return time.perf_counter() - t0, result


def reset_alerts() -> None:
    """No alerts and no incremental mark: the next full scan creates every alert, as a first scan does."""
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("funds").get_models()
              if m.__name__ in ("Alert", "AlertLine", "AlertEvent", "ScanMark")]
    if tables:
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)}")


def bench_scan(actor, org, year: int, qlog: QueryLog, timeout: float) -> dict:
    """The project's scan: each rule alone (statements logged), then the full scan from no alerts, and once more
    when quick.
    A statement running longer than ``timeout`` seconds is cancelled and the scan reported as not finished."""
    entry = scan_entry_points()
    if entry.scan is None:
        log("the rule engine (gonghui.funds.rules.scan) is not on this branch: full scan not measured")
        return {"missing": True}
    qlog.entries = []
    per_rule = {}
    for key in entry.rule_keys:
        before = len(qlog.entries)
        secs, result = timed_scan(entry, timeout, qlog, actor=actor, org=org, year=year, rules=[key])
        for i in range(before, len(qlog.entries)):
            qlog.entries[i] = (*qlog.entries[i], key)
        per_rule[key] = secs
        log(f"  rule {key}: " + (f"{secs:.2f} s" if secs is not None else f"not finished ({result})"))
    statements = qlog.slowest(5)
    reset_alerts()
    first, first_result = timed_scan(entry, timeout, actor=actor, org=org, year=year)
    log("scan (all rules): " + (f"{first:.2f} s" if first is not None else f"not finished ({first_result})"))
    second = None
    if first is not None and first < GOALS["scan_s"]:
        second, _r = timed_scan(entry, timeout, actor=actor, org=org, year=year)
        log(f"scan (again): {second:.2f} s" if second is not None else "scan (again): not finished")
    explains = qlog.explain(statements, analyze_below=min(timeout, 30.0), prepare=scan_session(org.path, year))
    return {"first": first, "second": second, "per_rule": per_rule, "statements": statements,
            "explains": explains, "result": summarize(first_result), "flags": entry.flag_counts(org, year),
            "timeout": timeout}


def summarize(result) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k}: {v}" for k, v in result.items())
    if isinstance(result, list | tuple):
        return f"{len(result):,} items"
    return str(result)[:200]


def fmt_ratio(x: float) -> str:
    return f"{x:,.0f}×" if x >= 10 else f"{x:.2f}×"


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(args, counts, bound, naive, scan, incr, imp, whatif, machine, started, loads) -> str:
    reduced = args.lines < 10_000_000 or args.unions < 100_000
    label = " (REDUCED SCALE)" if reduced else ""
    cmd = (f"`.venv/bin/python benchmarks/funds.py --lines {args.lines} --unions {args.unions} --import-lines "
           f"{args.import_lines} --day-lines {args.day_lines} --sample {args.sample}`")
    out = [f"### Run {started:%Y-%m-%d %H:%M} UTC{label}: {counts['lines']:,} lines, {counts['unions']:,} unions", "",
           cmd, "", *machine, f"- load average at start / end: {loads[0]} / {loads[1]}", "",
           f"Data: {counts['shape']}; {counts['lines']:,} voucher lines in {counts['vouchers']:,} vouchers for "
           f"{data.YEAR} ({bound['heap']} heap, {bound['total_size']} with indexes), {counts['members']:,} active "
           f"members, {counts['budgets']:,} budgets, {counts['decisions']:,} decisions, {counts['returns']:,} fund "
           f"returns. Loaded with COPY in {counts['load_seconds']} s (index rebuild {counts['index_seconds']} s).",
           "Planted: " + ", ".join(f"{k} {counts[k]:,}" for k in (
               "duplicate", "near_duplicate", "split", "split_near", "large_bare", "large_unverified",
               "large_near", "banned", "banned_income", "cash_over", "cash_at", "holiday_over", "holiday_at",
               "offlist", "returns_late", "returns_unpaid", "reversed")) + ".", ""]
    out += ["| workload | seconds | vs | ratio | goal |", "|---|---:|---|---:|---|"]
    naive_total = naive["extrapolated"]
    if not scan.get("missing"):
        first, second, cut = scan["first"], scan["second"], f"not finished: cancelled at {scan['timeout']:.0f} s"
        if first is not None:
            out.append(f"| full scan, every rule, the province (alerts created) | {first:.2f} | naive line-by-line "
                       f"{naive_total:,.0f} s (extrapolated) | {fmt_ratio(naive_total / first)} | < "
                       f"{GOALS['scan_s']:.0f} s: {met(first < GOALS['scan_s'])}; ≥ 100×: "
                       f"{met(naive_total / first >= GOALS['scan_vs_naive'])} |")
            out.append(f"| full scan vs the bound | {first:.2f} | seq read {bound['seconds']:.2f} s | "
                       f"{first / bound['seconds']:,.0f}× the bound | |")
        else:
            out.append(f"| full scan, every rule, the province | {cut} | naive {naive_total:,.0f} s (extrapolated) "
                       f"| < {naive_total / scan['timeout']:.1f}× | < {GOALS['scan_s']:.0f} s: **not met** |")
        if second is not None:
            out.append(f"| full scan again (alerts exist) | {second:.2f} | naive | {fmt_ratio(naive_total / second)} "
                       "| |")
        for key, secs in scan["per_rule"].items():
            out.append(f"| rule `{key}` alone | {f'{secs:.2f}' if secs is not None else cut} | | | |")
    else:
        out.append("| full scan | not measured: " + ("skipped (--skip)" if scan.get("skipped") else
                                                   "`gonghui.funds.rules.scan` missing") + " | | | |")
    out.append(f"| bound: one sequential read of {bound['rows']:,} lines | {bound['seconds']:.2f} | | | |")
    out.append(f"| naive: {naive['unions']} sampled unions, {naive['lines']:,} lines | {naive['seconds']:.2f} | "
               f"{naive['per_line_us']:.1f} µs a line | | |")
    if incr.get("missing"):
        out.append(f"| incremental scan | not measured: {incr['missing']} | | | |")
    elif incr["seconds"] is None:
        out.append(f"| incremental scan after {incr['lines']:,} new lines ({incr['how']}) | not finished: cancelled "
                   f"at {incr['timeout']:.0f} s | | | < {GOALS['incremental_s']:.0f} s: **not met** |")
    else:
        full = incr["full"] if incr["full"] is not None else float("nan")
        out.append(f"| incremental scan after {incr['lines']:,} new lines ({incr['how']}) | {incr['seconds']:.2f} | "
                   f"full scan {full:.2f} s | {fmt_ratio(full / incr['seconds'])} | < "
                   f"{GOALS['incremental_s']:.0f} s: {met(incr['seconds'] < GOALS['incremental_s'])} |")
    if imp.get("missing"):
        out.append(f"| journal import | not measured: {imp['missing']} | COPY {imp['copy']:.2f} s | | |")
    else:
        ratio = imp["copy"] / imp["seconds"]
        out.append(f"| journal import, {imp['lines']:,} lines CSV ({imp['mb']:.0f} MB), without the scan on commit "
                   f"(with it: {imp['total']:.2f} s) | {imp['seconds']:.2f} | "
                   f"indexed COPY {imp['copy']:.2f} s | {ratio:.2f}× COPY's speed | ≥ 0.4×: "
                   f"{met(ratio >= GOALS['import_vs_copy'])} |")
        out.append(f"| the same rows COPYed into the real tables (every index, foreign keys checked), rolled back | "
                   f"{imp['copy_fk']:.2f} | import | {imp['copy_fk'] / imp['seconds']:.2f}× | |")
    if whatif:
        changes = "; ".join(f"`{PROPOSED[n][0]}` → `{PROPOSED[n][1]}`" for n in whatif["applied"]) or "none matched"
        w, wi = whatif["first"], whatif["incr"]
        out.append(f"| what if: the full scan with the proposed SQL change(s) ({changes}) | "
                   f"{f'{w:.2f}' if w is not None else 'not finished'} | naive {naive_total:,.0f} s | "
                   f"{fmt_ratio(naive_total / w) if w else '—'} | < {GOALS['scan_s']:.0f} s: "
                   f"{met(w is not None and w < GOALS['scan_s'])}; ≥ 100×: "
                   f"{met(bool(w) and naive_total / w >= GOALS['scan_vs_naive'])} |")
        if not wi.get("missing"):
            ws = wi["seconds"]
            out.append(f"| what if: the incremental scan after another {wi['lines']:,} lines, with the changes | "
                       f"{f'{ws:.2f}' if ws is not None else 'not finished'} | | | < {GOALS['incremental_s']:.0f} s: "
                       f"{met(ws is not None and ws < GOALS['incremental_s'])} |")
    out += ["", f"- Naive: {naive['how']}", f"- Bound plan: `{bound['plan']}`"]
    if naive.get("flags"):
        out.append("- Naive flags on the sample: " + ", ".join(f"{k} {v:,}" for k, v in naive["flags"].items()))
    if not scan.get("missing"):
        out.append(f"- Scan result: {scan['result']}")
        if scan.get("flags"):
            out.append("- Alerts by rule after the scan: " + ", ".join(f"{k} {v:,}" for k, v in scan["flags"].items()))
        if scan.get("agreement"):
            out += [f"- Engine ({scan.get('agreement_of', 'the full scan')}) vs naive on the sampled unions, lines "
                    "flagged by rule: " + "; ".join(scan["agreement"])]
        out += ["", "Slowest statements of the rules run one by one (EXPLAIN ANALYZE, or EXPLAIN when it ran for "
                "minutes; top of the plan):", ""]
        for (secs, sql, _params, *rule), plan in zip(scan["statements"], scan["explains"], strict=False):
            text = " ".join(sql.split())
            out += [f"- {secs:.2f} s ({rule[0] if rule else ''}): `{text[:400]}`", "", "```", *plan, "```"]
    if whatif.get("slow"):
        out += ["", f"What if (the proposed SQL changes applied): the full scan spent {whatif['sql_seconds']:.2f} s of "
                f"{whatif['first'] or float('nan'):.2f} s in {whatif['statements']} statements; the slowest:", ""]
        for (secs, sql, _params, *_r), plan in zip(whatif["slow"], whatif["explains"], strict=False):
            text = " ".join(sql.split())
            out += [f"- {secs:.2f} s: `{text[:400]}`", "", "```", *plan, "```"]
    if not imp.get("missing"):
        out.append(f"- Import: {imp['detail']}")
    if not incr.get("missing"):
        out.append(f"- Incremental: {incr['detail']}")
        out += ["", f"Slowest statements of the incremental scan ({incr['sql_seconds']:.2f} s in {incr['statements']} "
                "statements):", ""]
        for (secs, sql, _params, *_r), plan in zip(incr["slow"], incr["explains"], strict=False):
            text = " ".join(sql.split())
            out += [f"- {secs:.2f} s: `{text[:400]}`", "", "```", *plan, "```"]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--unions", type=int, default=100_000)
    parser.add_argument("--import-lines", type=int, default=1_000_000)
    parser.add_argument("--day-lines", type=int, default=0,
                        help="a day's new lines for the incremental scan (default: 0.3%% of --lines, 30,000 at 10M)")
    parser.add_argument("--sample", type=int, default=0, help="unions for the naive path (default 1%%, >= 200)")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds after which a statement of the project is cancelled (reported as not finished)")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--skip", default="", help="comma-separated: naive,scan,incremental,whatif,import")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench" / "funds")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    args.sample = args.sample or max(200, args.unions // 100)
    args.day_lines = args.day_lines or max(2, round(args.lines * 0.003))
    skip = set(filter(None, args.skip.split(",")))
    started = datetime.datetime.now(datetime.UTC)
    loads = [load_average()]
    reuse = args.keep and database_exists(args.db_url)
    if not reuse:
        recreate_database(args.db_url)
    setup_django(args.db_url)
    from gonghui.orgs.models import Org

    counts = loaded_meta() if reuse else None
    if counts is None:
        counts = load(args)
    else:  # a kept database loaded by an older branch: this branch's migrations (they fill what they add)
        from django.core.management import call_command

        t0 = time.monotonic()
        call_command("migrate", verbosity=0)
        log(f"migrations checked in {time.monotonic() - t0:.1f} s")
    actor = bench_actor()
    province = Org.objects.get(depth=1)
    qlog = QueryLog()
    bound = bound_read()
    rng = random.Random(SEED)
    paths = list(Org.objects.filter(level="grassroots").exclude(code=data.IMPORT_UNION).values_list("path", flat=True))
    sample = sorted(rng.sample(paths, min(args.sample, len(paths))))
    naive = naive_scan(sample, data.YEAR, total_lines=counts["lines"]) if "naive" not in skip else {
        "extrapolated": float("nan"), "unions": 0, "lines": 0, "seconds": 0, "per_line_us": 0, "how": "skipped"}
    scan = (bench_scan(actor, province, data.YEAR, qlog, args.timeout) if "scan" not in skip
            else {"missing": True, "skipped": True})
    compare = naive.get("flagged") is not None and not scan.get("missing")
    if compare and scan["first"] is not None:  # the alerts of a finished full scan, before any new line
        scan["agreement"] = agreement(scan_entry_points().flagged_lines(sample, data.YEAR), naive["flagged"])
    incr = (bench_incremental(actor, province, data.YEAR, args.day_lines, scan, seed=SEED, timeout=args.timeout)
            if "incremental" not in skip else {"missing": "skipped"})
    whatif = {}
    if "whatif" not in skip and not scan.get("missing"):
        with proposed_fixes() as applied:
            entry = scan_entry_points()
            reset_alerts()
            wlog = QueryLog()
            whatif["first"], _r = timed_scan(entry, args.timeout, wlog, actor=actor, org=province, year=data.YEAR)
            whatif["sql_seconds"], whatif["statements"] = sum(e[0] for e in wlog.entries), len(wlog.entries)
            whatif["slow"] = wlog.slowest(5)
            whatif["explains"] = wlog.explain(whatif["slow"], analyze_below=30)
            if compare and whatif["first"] is not None and not scan.get("agreement"):
                scan["agreement"] = agreement(entry.flagged_lines(sample, data.YEAR), naive["flagged"])
                scan["agreement_of"] = "the what-if full scan"
            log(f"what-if scan: {whatif['first'] if whatif['first'] is None else round(whatif['first'], 2)} s, of which {whatif['sql_seconds']:.2f} s in "
                f"{whatif['statements']} statements")
            whatif["incr"] = bench_incremental(actor, province, data.YEAR, args.day_lines, whatif, seed=SEED + 1,
                                               timeout=args.timeout, day=datetime.date(data.YEAR, 12, 30))
        whatif["applied"] = sorted(applied)
    imp = (bench_import(actor, args.import_lines, args.dir, seed=SEED, timeout=args.timeout)
           if "import" not in skip else {"missing": "skipped", "copy": float("nan")})
    loads.append(load_average())
    print(report(args, counts, bound, naive, scan, incr, imp, whatif, machine_lines(args.db_url), started, loads))
    if args.drop:
        from django.db import connections

        connections.close_all()
        drop_database(args.db_url)


if __name__ == "__main__":
    main()
