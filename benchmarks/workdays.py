"""Benchmark: working-day arithmetic (gonghui.core.workdays.add_workdays).

One million add_workdays calls across holiday and make-up-day boundaries (random starts 2005-2026, n in
0..30, generated before timing), against two yardsticks measured in the same run:

- naive: a loop over chinese_calendar.find_workday(n, d) on a sample (20,000 calls by default);
- bound: the same loop doing only two list index operations per pair (days[after[i] + n]), the cost of
  the lookups themselves with nothing around them: the most a Python function could approach.

It also checks that every result agrees with chinese_calendar on the sample, and prints a Markdown block
for benchmarks/RESULTS.md.

Run it either way:

    .venv/bin/python benchmarks/workdays.py                      # in-memory SQLite, migrated here
    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python benchmarks/workdays.py
                                                                 # the demo database (`make run` migrated it)

Semantics (checked below): find_workday(n, d) takes the first working day on or after d, then moves n
working days on. When d is a working day that equals add_workdays(d, n); when d is a day off it is
add_workdays(d, n + 1), and find_workday(0, d) is the next working day where add_workdays(d, 0) is d.
So a request received on a holiday gets one more day from chinese_calendar than from us; ours is the rule
(the count starts the day after receipt), theirs is "the next working day is day 0".
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLS = 1_000_000
START_FIRST, START_LAST = date(2005, 1, 1), date(2026, 10, 31)  # +30 working days stays inside 2026
N_MAX = 30
SEED = 20260213


def _setup_django(sqlite_memory: bool) -> str:
    if sqlite_memory:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if sqlite_memory:
        call_command("migrate", verbosity=0)
        return "SQLite in memory (config.settings.test, migrated by this script)"
    settings_db = connection.settings_dict
    name = str(settings_db["NAME"])
    if settings_db["ENGINE"].endswith("sqlite3") and name != ":memory:" and not Path(name).exists():
        sys.exit(f"The database {name} does not exist. Run `gonghui migrate` first (or `make run`), "
                 "or run this script with --sqlite-memory.")
    tables = set(connection.introspection.table_names())
    if not {"core_holidayyear", "core_holidayday"} <= tables:
        sys.exit(f"The database {name} has no holiday tables. Run `gonghui migrate` first, "
                 "or run this script with --sqlite-memory.")
    return f"{settings_db['ENGINE'].rsplit('.', 1)[-1]} {name} ({os.environ['DJANGO_SETTINGS_MODULE']})"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _rate(seconds: float, calls: int) -> float:
    return calls / seconds if seconds > 0 else float("inf")


def _best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def _crosses_named_day(workdays, d: date, n: int) -> bool:
    """Whether the walk from d passes or ends on a holiday or make-up day (a day with a name)."""
    end = workdays.add_workdays(d, n).toordinal()
    return any(workdays.day_info(date.fromordinal(o))[1] for o in range(d.toordinal() + 1, end + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-memory", action="store_true",
                        help="migrate an in-memory SQLite database (the default without DJANGO_SETTINGS_MODULE)")
    parser.add_argument("--naive-sample", type=int, default=20_000,
                        help="how many chinese_calendar.find_workday calls to time (default 20000)")
    parser.add_argument("--repeats", type=int, default=3, help="take the best of this many runs (default 3)")
    args = parser.parse_args()
    database = _setup_django(args.sqlite_memory or "DJANGO_SETTINGS_MODULE" not in os.environ)

    import chinese_calendar

    from gonghui.core import workdays
    from gonghui.core.workdays import add_workdays

    rng = random.Random(SEED)
    first, span = START_FIRST.toordinal(), START_LAST.toordinal() - START_FIRST.toordinal() + 1
    pairs = [(date.fromordinal(first + rng.randrange(span)), rng.randrange(N_MAX + 1)) for _ in range(CALLS)]
    sample = pairs[: args.naive_sample]

    t0 = time.perf_counter()
    workdays.reset_index()
    add_workdays(START_FIRST, 1)  # build the index outside the timing, and report what it costs
    build_ms = (time.perf_counter() - t0) * 1000
    index = workdays._index
    assert index is not None
    holiday_starts = sum(1 for d, _n in pairs if not workdays.is_workday(d))
    boundary_walks = sum(_crosses_named_day(workdays, d, n) for d, n in sample)

    # 1. The project: one million calls.
    def project() -> None:
        f = add_workdays
        for d, n in pairs:
            f(d, n)

    project_s = _best_of(args.repeats, project)

    # 2. The bound: the same loop, just the two list lookups the function ends in.
    base = workdays.SPAN_FIRST.toordinal()
    offsets = [(d.toordinal() - base, n) for d, n in pairs]
    after, days = index.after, index.days

    def bound() -> None:
        for i, n in offsets:
            days[after[i] + n]

    bound_s = _best_of(args.repeats, bound)

    # 3. The naive loop over chinese_calendar (once: it is slow).
    find_workday = chinese_calendar.find_workday
    t0 = time.perf_counter()
    naive_results = [find_workday(n, d) for d, n in sample]
    naive_s = time.perf_counter() - t0

    # Agreement: every date the package covers, then every sampled call (mapping the holiday-start case).
    mismatched_days = [d for o in range(date(2004, 1, 1).toordinal(), date(2026, 12, 31).toordinal() + 1)
                       if workdays.is_workday(d := date.fromordinal(o)) != chinese_calendar.is_workday(d)]
    mismatches, provisional = [], 0
    for (d, n), theirs in zip(sample, naive_results, strict=True):
        ours = add_workdays(d, n)
        provisional += ours.provisional
        if chinese_calendar.is_workday(d):
            expected = theirs
        else:  # a start on a day off: theirs counts that day's next working day as day 0
            expected = find_workday(n - 1, d) if n >= 1 else d
        if ours != expected:
            mismatches.append((d, n, ours, expected))
    documented = (find_workday(3, date(2026, 2, 13)), add_workdays(date(2026, 2, 13), 3),
                  find_workday(1, date(2026, 10, 1)), add_workdays(date(2026, 10, 1), 1))

    project_rate, bound_rate = _rate(project_s, CALLS), _rate(bound_s, CALLS)
    naive_rate = _rate(naive_s, len(sample))
    machine = {
        "platform": platform.platform(),
        "cpu": f"{_cpu_model()} ({os.cpu_count()} logical CPUs)",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "database": database,
    }

    print("Working days: add_workdays")
    for key, value in machine.items():
        print(f"  {key:9} {value}")
    print(f"  index     built in {build_ms:.0f} ms: {workdays.SPAN_FIRST}..{workdays.SPAN_LAST}, "
          f"{index.ndays} working days, {len(index.published)} published years")
    print(f"  workload  {CALLS:,} calls, starts {START_FIRST}..{START_LAST} (seed {SEED}), n in 0..{N_MAX}; "
          f"{holiday_starts:,} start on a day off; {boundary_walks:,} of the {len(sample):,} sampled walks "
          "cross or end on a holiday or make-up day")
    print(f"  project   {project_rate:>14,.0f} calls/s   best of {args.repeats}: {project_s:.3f} s")
    print(f"  bound     {bound_rate:>14,.0f} calls/s   two list lookups in the same loop: {bound_s:.3f} s")
    print(f"  naive     {naive_rate:>14,.0f} calls/s   chinese_calendar.find_workday x {len(sample):,}: "
          f"{naive_s:.2f} s")
    print(f"  ratios    project/naive {project_rate / naive_rate:,.0f}x, project/bound {project_rate / bound_rate:.2f}")
    print(f"  goals     >= 1,000,000 calls/s: {'met' if project_rate >= 1e6 else 'NOT met'}; "
          f">= 500x naive: {'met' if project_rate / naive_rate >= 500 else 'NOT met'}")
    print(f"  agreement is_workday on every day 2004-2026: {len(mismatched_days)} differ; "
          f"{len(sample) - len(mismatches):,}/{len(sample):,} sampled calls agree; {provisional} provisional")
    print(f"  semantics find_workday(3, 2026-02-13) = {documented[0]}, add_workdays = {documented[1]}; "
          f"find_workday(1, 2026-10-01 holiday) = {documented[2]}, add_workdays = {documented[3]}")
    for d, n, ours, expected in mismatches[:10]:
        print(f"  MISMATCH  add_workdays({d}, {n}) = {ours}, chinese_calendar says {expected}")

    print()
    print("```markdown")
    print(f"### Working days (`benchmarks/workdays.py`, {time.strftime('%Y-%m-%d')})")
    print()
    print(f"Machine: {machine['platform']}; {machine['cpu']}; {machine['python']}; {database}.")
    print(f"Workload: {CALLS:,} `add_workdays(d, n)` calls, d random in {START_FIRST}..{START_LAST}, "
          f"n in 0..{N_MAX}, pre-generated (seed {SEED}); best of {args.repeats}.")
    print()
    print("| loop | calls | seconds | calls/s | vs project |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `add_workdays` (project) | {CALLS:,} | {project_s:.3f} | {project_rate:,.0f} | 1 |")
    print(f"| two list lookups (bound) | {CALLS:,} | {bound_s:.3f} | {bound_rate:,.0f} | "
          f"{bound_rate / project_rate:.2f}x faster |")
    print(f"| `chinese_calendar.find_workday` (naive) | {len(sample):,} | {naive_s:.2f} | {naive_rate:,.0f} | "
          f"{project_rate / naive_rate:,.0f}x slower |")
    print()
    print(f"project / naive = {project_rate / naive_rate:,.0f}x (goal 500x); project / bound = "
          f"{project_rate / bound_rate:.2f}; goal 1,000,000 calls/s "
          f"{'met' if project_rate >= 1e6 else 'NOT met'}. Results agree with chinese_calendar on all "
          f"{len(sample) - len(mismatches):,} of {len(sample):,} sampled calls (a start on a day off is "
          "mapped: find_workday(n, d) there equals add_workdays(d, n + 1)).")
    print("```")
    return 1 if mismatches or mismatched_days else 0


if __name__ == "__main__":
    sys.exit(main())
