"""Roster import at scale: a million members into one union, on PostgreSQL with the production indexes.

Generates a roster with the demo generator (an xlsx written with xlsxwriter in constant-memory mode, a CSV of the
same rows, the first quarter and half of the rows as files of their own, and a second xlsx in which about 3% of
the rows are bad) and measures, each in a process of its own so that peak memory is per measurement:

* the project's import (``gonghui.members.roster.roster_import`` given the file's path) of the xlsx, end to end:
  read, validate, find duplicates, look people up, seal ID and phone numbers, write, commit; then one figure
  query (members.total of the union's county), which reads the membership rows live;
* the same for the CSV, and for the quarter and half files (peak memory as the file grows);
* the bad file: refused as a whole (nothing written) and how long the check takes;
* the physical bound: raw psycopg ``COPY ... (FORMAT BINARY)`` of the same rows already prepared (sealed,
  blind-indexed, uids and ids drawn, paths set), streamed from a file into the same tables with every
  production index and constraint;
* Django's ``bulk_create`` of the same validated rows (the fields seal the personal data, as in any Django code);
* a per-row loop through the service (``member_add``: a transaction, a model ``save()`` and an audit event per
  member) on a sample, extrapolated;
* with ``--sqlite``, the project's import of the same xlsx into a fresh SQLite file database.

Tables are truncated before each measurement and a CHECKPOINT is taken, so each starts from the same state.
The machine is shared: each measurement waits (a while) for a quiet moment, and reports the CPU time of its own
process, of PostgreSQL's backends serving it, and of everything else on the machine meanwhile.

Usage (from the repository root):

    .venv/bin/python benchmarks/member_import.py [--rows N | --quick] [--sqlite] [--keep] [--db-url URL]

The database named in ``--db-url`` (default ``BENCH_DATABASE_URL`` or
postgres://postgres@127.0.0.1:5432/gonghui_bench_members) is dropped and rebuilt; its name must contain "bench".
Files go to var/bench/members (``--dir``); ``--keep`` keeps them and the database for the next run. Progress goes
to stderr; a Markdown block for benchmarks/RESULTS.md goes to stdout at the end.
"""

import argparse
import csv
import datetime
import json
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dbs import drop_database, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gonghui_bench_members"
SEED = 20261122
BAD_SHARE = 0.03
UNION = "GA"  # the cast's grassroots union (东湖机械厂工会), under county CA
ACTOR = "officer_a"  # federation staff of county CA
TITLE = "东湖机械厂工会会员名册"
HEADERS = ["姓名", "身份证号", "性别", "出生日期", "手机号码", "民族", "文化程度", "政治面貌", "入会时间", "岗位",
           "是否农民工", "是否新就业形态劳动者", "是否劳务派遣"]
EDUCATION = {"postgraduate": "研究生", "bachelor": "本科", "college": "大专", "secondary": "高中", "junior": "初中"}
POLITICAL = {"cpc": "中共党员", "cpc_probationary": "中共预备党员", "league": "共青团员",
             "democratic_party": "民主党派", "masses": "群众"}
REGIONS = ("330102", "330122", "339902", "339903", "339921")
KINDS = ("enterprise",) * 6 + ("regional", "school", "institution")
GOAL_ROWS_PER_S = 50_000
GOAL_COPY_RATIO = 0.4
GOAL_PEAK_MB = 500


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# The machine, and what else runs on it
# ---------------------------------------------------------------------------------------------------------


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": model, "cores": os.cpu_count(), "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version()}


def machine_busy_ns() -> int:
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait: float, threshold: float = 0.5) -> float:
    """Wait (up to max_wait s) for a second in which fewer than `threshold` cores are busy; returns the busy
    cores of the last second measured."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = machine_busy_ns(), time.perf_counter_ns()
        time.sleep(1)
        busy = (machine_busy_ns() - b0) / (time.perf_counter_ns() - t0)
        if busy < threshold or time.monotonic() > deadline:
            return busy


def _proc_cpu_ns(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def _postgres_kind(pid: int, dbname: str) -> str | None:
    """"ours" (a backend connected to dbname), "background" (PostgreSQL's own processes), "" (anything else), or
    None when not known yet (a backend just forked still bears the server's command line), by the process title."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().decode(errors="replace")
    except OSError:
        return ""
    if not title.startswith("postgres:"):
        return None if "postgres" in title.split("\0", 1)[0] else ""
    if f" {dbname} " in title:
        return "ours"
    return "background" if title.count(" ") <= 4 else ""  # "postgres: 15/main: checkpointer": no db, no client


class Meter:
    """Wall time; CPU of this process (every thread, and its children once waited for: the import's parser), of
    the PostgreSQL backends serving dbname, of PostgreSQL's background processes (WAL writer, checkpointer:
    mostly work our writes cause) and of everything else on the machine; and memory, sampled. A thread samples
    every 0.5 s, so backends that exit before the end (the import's writer connection) are counted."""

    def __init__(self, dbname: str | None):
        self.dbname = dbname
        self.samples: dict[int, tuple[int, int]] = {}  # pid -> (first CPU ns, last CPU ns)
        self.kinds: dict[int, str] = {}  # pid -> kind, classified once known
        self.rss_max = 0
        self.pss_max = 0.0  # this process and its children (the import's parser), shared pages counted once
        self._stop = threading.Event()
        self.busy0, self.wall0 = machine_busy_ns(), time.perf_counter_ns()
        t = os.times()
        self.cpu0 = t.user + t.system + t.children_user + t.children_system
        self.load0 = os.getloadavg()
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        self.rss_max = max(self.rss_max, rss_mb())
        self.pss_max = max(self.pss_max, pss_mb([os.getpid(), *child_pids()]))
        if not self.dbname:
            return
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            kind = self.kinds.get(pid)
            if kind is None:
                kind = _postgres_kind(pid, self.dbname)
                if kind is not None:
                    self.kinds[pid] = kind
            if kind:
                cpu = _proc_cpu_ns(pid)
                if cpu is not None:
                    self.samples[pid] = (self.samples.get(pid, (cpu, cpu))[0], cpu)

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> dict:
        self._sample()
        self._stop.set()
        self._thread.join()
        wall = (time.perf_counter_ns() - self.wall0) / 1e9
        busy = (machine_busy_ns() - self.busy0) / 1e9
        t = os.times()
        mine = t.user + t.system + t.children_user + t.children_system - self.cpu0
        pg = sum(last - first for pid, (first, last) in self.samples.items() if self.kinds[pid] == "ours") / 1e9
        bg = sum(last - first for pid, (first, last) in self.samples.items()
                 if self.kinds[pid] == "background") / 1e9
        return {"wall": wall, "cpu_self": mine, "cpu_pg": pg, "cpu_pg_background": bg, "peak_pss": self.pss_max,
                "other_cores": max(0.0, busy - mine - pg - bg) / wall if wall else 0.0,
                "load_before": self.load0[0], "load_after": os.getloadavg()[0]}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_pids() -> list[int]:
    out = []
    for task in os.scandir("/proc/self/task"):
        try:
            with open(f"{task.path}/children") as f:
                out += [int(pid) for pid in f.read().split()]
        except OSError:
            pass
    return out


def pss_mb(pids: list[int]) -> float:
    """Proportional set size: each shared page (a forked child shares most of its parent's) split among the
    processes sharing it, so the sum is what these processes hold together."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_children_mb() -> float:
    """The largest peak of the child processes waited for (the import's parser, for a large file)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------------------


def sizes_for(rows: int) -> list[int]:
    return sorted({rows // 4, rows // 2, rows})


def file_names(workdir: Path, rows: int) -> dict:
    names = {f"xlsx_{n}": workdir / f"roster_{n}.xlsx" for n in sizes_for(rows)}
    names.update(csv=workdir / f"roster_{rows}.csv", bad=workdir / f"roster_{rows}_bad.xlsx",
                 manifest=workdir / f"roster_{rows}.json")
    return names


def generate(workdir: Path, rows: int) -> dict:
    """Write the roster files (reused when --keep left the same ones). Returns facts about them."""
    names = file_names(workdir, rows)
    if names["manifest"].exists():
        facts = json.loads(names["manifest"].read_text())
        if facts.get("seed") == SEED and all(p.exists() for k, p in names.items() if k != "manifest"):
            log(f"reusing the generated files in {workdir}")
            return facts
    import xlsxwriter

    from gonghui.demo import data

    workdir.mkdir(parents=True, exist_ok=True)
    log(f"generating {rows:,} rows (xlsx {', '.join(f'{n:,}' for n in sizes_for(rows))}, csv, bad xlsx)")
    started = time.perf_counter()
    gen = data.Generator(SEED)
    books = {}
    for n in sizes_for(rows):
        books[n] = _Book(xlsxwriter, names[f"xlsx_{n}"])
    bad_book = _Book(xlsxwriter, names["bad"])
    csv_file = open(names["csv"], "w", newline="", encoding="utf-8-sig")
    writer = csv.writer(csv_file)
    writer.writerow([TITLE])
    writer.writerow(HEADERS)
    seen: set[int] = set()
    kept: list[list] = []  # rows seen, entered again in the bad file
    bad = {"check_digit": 0, "excel_number": 0, "duplicate": 0, "sex_mismatch": 0}
    kinds = list(bad)
    earliest = datetime.date(1995, 1, 1)
    made = 0
    while made < rows:
        kind = KINDS[made % len(KINDS)]
        person = data.person_row(gen, REGIONS[made % len(REGIONS)], kind, earliest)
        key = int(person["id_number"][:17])
        if key in seen:  # the generator's numbers can collide: a roster holds each person once
            continue
        seen.add(key)
        made += 1
        row = roster_row(person)
        for n, book in books.items():
            if made <= n:
                book.write(made + 2, row)
        writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])
        if len(kept) < 1000 and made % 7 == 0:
            kept.append(row)
        if gen.rng.random() < BAD_SHARE:
            how = kinds[made % len(kinds)]
            bad[how] += 1
            bad_book.write(made + 2, spoil(row, how, kept, gen.rng))
        else:
            bad_book.write(made + 2, row)
        if made % 100_000 == 0:
            log(f"  {made:,} rows")
    for book in [*books.values(), bad_book]:
        book.close()
    csv_file.close()
    facts = {"seed": SEED, "rows": rows, "bad": bad, "bad_rows": sum(bad.values()),
             "seconds": round(time.perf_counter() - started, 1),
             "bytes": {k: p.stat().st_size for k, p in names.items() if k != "manifest"}}
    names["manifest"].write_text(json.dumps(facts))
    log(f"  generated in {facts['seconds']} s")
    return facts


def generate_csv(workdir: Path, rows: int) -> Path:
    """A CSV roster of ``rows`` people (same generator, seed and columns as the xlsx), for memory beyond what an
    xlsx can hold (a sheet has at most 1,048,576 rows). Reused when it exists."""
    path = workdir / f"roster_{rows}_only.csv"
    if path.exists():
        return path
    from gonghui.demo import data

    log(f"generating a CSV of {rows:,} rows")
    gen = data.Generator(SEED)
    seen: set[int] = set()
    made = 0
    earliest = datetime.date(1995, 1, 1)
    part = path.with_suffix(".part")
    with open(part, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([TITLE])
        writer.writerow(HEADERS)
        while made < rows:
            person = data.person_row(gen, REGIONS[made % len(REGIONS)], KINDS[made % len(KINDS)], earliest)
            key = int(person["id_number"][:17])
            if key in seen:
                continue
            seen.add(key)
            made += 1
            writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in roster_row(person)])
    part.rename(path)
    return path


class _Book:
    """An xlsx as a union exports its roster: a title row, the header row, ID and phone numbers as text, dates
    as date cells. xlsxwriter's constant-memory mode writes each row out as it goes (inline strings)."""

    def __init__(self, xlsxwriter, path: Path):
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        self.sheet = self.book.add_worksheet("会员名册")
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.sheet.write_string(0, 0, TITLE)
        for c, h in enumerate(HEADERS):
            self.sheet.write_string(1, c, h)

    def write(self, r: int, row: list) -> None:
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                self.sheet.write_datetime(r - 1, c, value, self.date)
            elif isinstance(value, float):
                self.sheet.write_number(r - 1, c, value)
            else:
                self.sheet.write_string(r - 1, c, value)

    def close(self) -> None:
        self.book.close()


def roster_row(p: dict) -> list:
    return [p["name"], p["id_number"], "女" if p["sex"] == "F" else "男", p["birth_date"], p["phone"], p["ethnicity"],
            EDUCATION[p["education"]], POLITICAL[p["political_status"]], p["joined_on"], p["job_title"],
            *("是" if p[k] else "否" for k in ("is_migrant_worker", "is_new_employment", "is_dispatched"))]


def spoil(row: list, how: str, kept: list[list], rng) -> list:
    row = list(row)
    number = row[1]
    if how == "check_digit":  # one digit mistyped: the check character no longer matches
        row[1] = number[:-1] + ("0" if number[-1] != "0" else "1")
    elif how == "excel_number":  # typed into a number cell: Excel keeps 15 significant digits
        row[1] = float(number[:17])
    elif how == "duplicate":  # a person entered twice (both rows are refused)
        row = list(rng.choice(kept)) if kept else row
    else:  # the sex column disagrees with the ID number
        row[2] = "男" if row[2] == "女" else "女"
    return row


# ---------------------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------------------


def setup_django(db_url: str | None) -> None:
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import warnings

    warnings.filterwarnings("ignore", message=r"Using .*\.add_child\(\) is deprecated")
    import django

    django.setup()


def cast_and_actor():
    from gonghui.core.access import actor_for
    from gonghui.core.models import User
    from gonghui.orgs.models import Org

    return Org.objects.get(code=UNION), Org.objects.get(code="CA"), actor_for(User.objects.get(username=ACTOR))


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE members_servicecard, members_transfer, members_joinapplication, "
                           "members_membership, members_person RESTART IDENTITY CASCADE")
            cursor.execute("CHECKPOINT")
        else:
            for table in ("members_servicecard", "members_transfer", "members_joinapplication", "members_membership",
                          "members_person"):
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def member_count() -> int:
    from gonghui.members.models import Membership

    return Membership.objects.count()


def pg_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------------------------
# Measurements (each runs in a child process: `member_import.py --child KIND --params JSON`)
# ---------------------------------------------------------------------------------------------------------


def child_setup(p: dict) -> dict:
    from django.core.management import call_command

    from gonghui.orgs.models import Org
    from gonghui.testing import build_cast

    call_command("migrate", verbosity=0)
    if not Org.objects.filter(code=UNION).exists():
        build_cast()
    from django.db import connection

    return {"vendor": connection.vendor, "server": pg_version() if connection.vendor == "postgresql" else
            __import__("sqlite3").sqlite_version}


def child_import(p: dict) -> dict:
    """The project's import of one file, end to end, then the figure query."""
    from django.utils import translation

    from gonghui.core.figures import Period
    from gonghui.members import figures, roster

    union, county, actor = cast_and_actor()
    truncate()
    quiet = wait_quiet(p.get("quiet_wait", 30))
    trace: list[tuple[int, float]] = []
    step = max(p["rows"] // 10, 1)

    def progress(phase: str, done: int, expected: int) -> None:
        if phase == "check" and done // step != (trace[-1][0] // step if trace else -1):
            trace.append((done, round(rss_mb(), 1)))

    base_rss = rss_mb()
    translation.activate("zh-hans")
    meter = Meter(p.get("dbname"))
    result = roster.roster_import(actor=actor, union=union, data=p["path"], filename=Path(p["path"]).name,
                                  progress=progress)
    stats = meter.stop()
    period = Period.parse(str(datetime.date.today().year))
    t0 = time.perf_counter()
    total = figures.total(county, period)
    figure_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    figures.total(county, period)
    figure_warm_ms = (time.perf_counter() - t0) * 1000
    codes: dict[str, int] = {}
    for problem in result.problems:
        codes[problem.code] = codes.get(problem.code, 0) + 1
    return {**stats, "quiet_before": quiet, "rows": result.total, "created": result.created,
            "committed": result.committed, "refused": result.refused, "problem_codes": codes,
            "members_after": member_count(), "figure_total": total, "figure_ms": figure_ms,
            "figure_warm_ms": figure_warm_ms, "base_rss": base_rss, "peak_rss": peak_rss_mb(),
            "peak_rss_parser": peak_rss_children_mb(), "cpu_parser": _children_cpu(), "rss_trace": trace}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_prepare(p: dict) -> dict:
    """The rows as the import prepares them, made once (not timed): the validated plaintext rows for
    bulk_create and the service loop (a pickle file), and the finished rows (sealed, blind-indexed, uids and
    ids drawn, paths set) as binary COPY data for the physical bound."""
    import psycopg
    from django.db import connection
    from django.utils import timezone
    from psycopg.copy import FileWriter

    from gonghui.core import tabular
    from gonghui.members import roster
    from gonghui.members.models import Membership, Person

    union, _county, _actor = cast_and_actor()
    truncate()
    table = tabular.open_table(p["path"], Path(p["path"]).name)
    head = table.head()
    result = roster.RosterResult(filename="", union_code=union.code)
    result.header_row = tabular.find_header(head, roster.HEADERS) + 1
    result.columns = tabular.map_columns(head[result.header_row - 1], roster.HEADERS)
    now, today = timezone.now(), timezone.localdate()
    same_p = {"created_at": now, "updated_at": now}
    same_m = {"union_id": union.pk, "org_path": union.path, "left_on": None, "status": "active", "leave_reason": "",
              "source": "import", "created_at": now, "updated_at": now}
    person_cols = ("id", *roster._PERSON_COLUMNS, *same_p)
    member_cols = (*roster._MEMBERSHIP_COLUMNS, *same_m)
    types_p = [roster._copy_type(Person._meta.get_field(n)) for n in person_cols]
    types_m = [roster._copy_type(Membership._meta.get_field(n)) for n in member_cols]
    tail_p, tail_m = tuple(same_p.values()), tuple(same_m.values())
    cursor = connection.cursor().cursor
    count = 0
    with open(p["plain"], "wb") as plain, open(p["person_copy"], "wb") as fp, open(p["member_copy"], "wb") as fm, \
            psycopg.Copy(cursor, binary=True, writer=FileWriter(fp)) as cp, \
            psycopg.Copy(cursor, binary=True, writer=FileWriter(fm)) as cm:
        cp.set_types(types_p)
        cm.set_types(types_m)
        for batch in tabular.in_batches(roster._data_rows(table, result), roster.BATCH):
            pickle.dump([(r.person, r.membership) for r in batch], plain)
            roster._seal(batch)  # ids drawn from the sequence (restarted: 1, 2, ...), uids, sealed numbers
            for r in batch:
                count += 1
                cp.write_row((*r.sealed, *tail_p))
                m = r.membership
                cm.write_row((r.sealed[0], m.get("joined_on", today), m.get("job_title", ""),
                              m.get("employment_form", ""),
                              m.get("is_migrant_worker", False), m.get("is_new_employment", False),
                              m.get("is_dispatched", False), r.person["sex"] == "F", *tail_m))
    return {"rows": count, "person_cols": person_cols, "member_cols": member_cols,
            "bytes": os.path.getsize(p["person_copy"]) + os.path.getsize(p["member_copy"])}


def child_copy(p: dict) -> dict:
    """The physical bound: the prepared rows streamed from disk into one binary COPY per table, in one
    transaction with the import's own deferred foreign-key checks, committed."""
    from django.db import connection, transaction

    truncate()
    quiet = wait_quiet(p.get("quiet_wait", 30))
    qn = connection.ops.quote_name
    meter = Meter(p.get("dbname"))
    with transaction.atomic():
        cursor = connection.cursor().cursor
        for table, cols, path in (("members_person", p["person_cols"], p["person_copy"]),
                                  ("members_membership", p["member_cols"], p["member_copy"])):
            with open(path, "rb") as f, cursor.copy(
                    f"COPY {table} ({', '.join(map(qn, cols))}) FROM STDIN (FORMAT BINARY)") as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
    stats = meter.stop()
    return {**stats, "quiet_before": quiet, "rows": member_count(), "peak_rss": peak_rss_mb()}


def _plain_batches(path: str, limit: int | None = None):
    done = 0
    with open(path, "rb") as f:
        while True:
            try:
                batch = pickle.load(f)  # noqa: S301 - the file this run wrote
            except EOFError:
                return
            if limit is not None:
                batch = batch[:limit - done]
            done += len(batch)
            yield batch
            if limit is not None and done >= limit:
                return


def child_bulk(p: dict) -> dict:
    """Django's bulk_create of the validated rows, 1,000 at a time, in one transaction: the model fields seal
    the ID and phone numbers and set their blind indexes (pre_save); PostgreSQL returns the new ids."""
    from django.db import transaction
    from django.utils import timezone

    from gonghui.members.models import Membership, Person

    union, _county, _actor = cast_and_actor()
    truncate()
    quiet = wait_quiet(p.get("quiet_wait", 30))
    today = timezone.localdate()
    meter = Meter(p.get("dbname"))
    with transaction.atomic():
        for batch in _plain_batches(p["plain"]):
            people = Person.objects.bulk_create([Person(**person) for person, _m in batch], batch_size=1000)
            Membership.objects.bulk_create([
                Membership(person=person, union=union, org_path=union.path, source="import",
                           is_female=person.sex == "F", **{"joined_on": today, **m})
                for person, (_p, m) in zip(people, batch, strict=True)], batch_size=1000)
    stats = meter.stop()
    return {**stats, "quiet_before": quiet, "rows": member_count(), "peak_rss": peak_rss_mb()}


def child_save(p: dict) -> dict:
    """The naive path: one member_add per row (its own transaction, full_clean, save(), an audit event)."""
    from django.utils import timezone

    from gonghui.members import services

    union, _county, actor = cast_and_actor()
    truncate()
    quiet = wait_quiet(p.get("quiet_wait", 30))
    today = timezone.localdate()
    meter = Meter(p.get("dbname"))
    for batch in _plain_batches(p["plain"], limit=p["sample"]):
        for person, m in batch:
            m = dict(m)
            joined = m.pop("joined_on", today)
            services.member_add(actor=actor, union=union, person={k: person[k] for k in services.PERSON_FIELDS},
                                joined_on=joined, source="import", **m)
    stats = meter.stop()
    return {**stats, "quiet_before": quiet, "rows": member_count(), "peak_rss": peak_rss_mb()}


CHILDREN = {"setup": child_setup, "import": child_import, "prepare": child_prepare, "copy": child_copy,
            "bulk": child_bulk, "save": child_save}


def child_main(kind: str, params: str) -> None:
    p = json.loads(params)
    setup_django(p.get("db_url"))
    out = CHILDREN[kind](p)
    print("RESULT " + json.dumps(out, default=str), flush=True)


def run_child(kind: str, params: dict, env: dict | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--params", json.dumps(params)]
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, text=True,
                          check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise SystemExit(f"the {kind} measurement failed (exit {proc.returncode})")
    return json.loads(lines[-1][len("RESULT "):])


def least_disturbed(kind: str, params: dict, retries: int, threshold: float = 0.5, env: dict | None = None) -> dict:
    """Run a measurement; while other processes kept more than `threshold` cores busy during it, run it again
    (up to `retries` more times) and keep the least disturbed result."""
    best = run_child(kind, params, env)
    for _ in range(retries):
        if best["other_cores"] <= threshold:
            break
        log(f"  disturbed ({best['other_cores']:.2f} cores of other load): measuring again")
        again = run_child(kind, params, env)
        if again["other_cores"] < best["other_cores"]:
            best = again
    return best


# ---------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds:,.1f}" if seconds >= 10 else f"{seconds:,.2f}"


def rss(r: dict) -> str:
    """Peak memory of a measurement: the PSS of the measuring process and of its children (the import's parser
    process) together, shared pages counted once, sampled every 0.5 s; for the import, also the peak RSS of the
    parser process. The measuring process's own ru_maxrss is not shown: Linux carries the peak of the process
    that launched it (this script, which held the generator's state) over the fork and exec."""
    parser = r.get("peak_rss_parser", 0)
    return f"{r['peak_pss']:,.0f} MB" + (f" (parser RSS {parser:,.0f})" if parser else "")


def rss_trace(r: dict) -> str:
    """The main process's RSS while checking, at about five points."""
    every = max(1, len(r["rss_trace"]) // 5)
    return ", ".join(f"{done // 1000:,}k: {mb:.0f}" for done, mb in r["rss_trace"][::every])


def cpu_line(r: dict) -> str:
    return (f"{fmt_s(r['cpu_self'])} / {fmt_s(r['cpu_pg'])} / {r['other_cores']:.2f} "
            f"(load {r['load_before']:.1f}→{r['load_after']:.1f})")


def report(args, info: dict, facts: dict, r: dict) -> str:
    rows = args.rows
    main = r["import_xlsx"]
    rate = main["rows"] / main["wall"]
    copy_rate = r["copy"]["rows"] / r["copy"]["wall"]
    bulk_rate = r["bulk"]["rows"] / r["bulk"]["wall"]
    save_rate = r["save"]["rows"] / r["save"]["wall"]
    out = [
        f"## Member roster import (`benchmarks/member_import.py{' --quick' if args.quick else ''}"
        f"{'' if args.quick or rows == 1_000_000 else f' --rows {rows}'}{' --sqlite' if args.sqlite else ''}`)",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Linux {info['kernel']}, "
        f"CPython {info['python']}, PostgreSQL {info['server']} on 127.0.0.1 (default settings), "
        f"{time.strftime('%Y-%m-%d')}. Load average at the start {info['load'][0]:.2f} / {info['load'][1]:.2f} / "
        f"{info['load'][2]:.2f} (1/5/15 min): the machine is shared; each row below gives the CPU seconds of the "
        f"measuring process (with the import's parser process) / of the PostgreSQL backends serving it / the "
        f"cores other processes kept busy meanwhile.",
        "",
        f"Workload: one grassroots union, {rows:,} members generated by `gonghui.demo.data.person_row` "
        f"(seed {SEED}, 13 columns, Chinese headers under a title row, dates as date cells); xlsx "
        f"{facts['bytes'][f'xlsx_{rows}'] / 2**20:,.0f} MB (xlsxwriter constant memory), CSV "
        f"{facts['bytes']['csv'] / 2**20:,.0f} MB. Empty member tables before each measurement (TRUNCATE, "
        f"CHECKPOINT), every production index and constraint in place.",
        "",
        "| path | rows | seconds | rows/s | project ÷ path | peak memory (PSS) | CPU self / PG / other cores |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| **project import, xlsx** (read, validate, dedupe, look up, seal, COPY, commit) | {main['rows']:,} | "
        f"{fmt_s(main['wall'])} | {rate:,.0f} | 1 | {rss(main)} | {cpu_line(main)} |",
    ]
    if "import_csv" in r:
        c = r["import_csv"]
        out.append(f"| project import, CSV | {c['rows']:,} | {fmt_s(c['wall'])} | {c['rows'] / c['wall']:,.0f} | "
                   f"{rate / (c['rows'] / c['wall']):.2f} | {rss(c)} | {cpu_line(c)} |")
    out += [
        f"| raw psycopg binary COPY of the prepared rows (physical bound) | {r['copy']['rows']:,} | "
        f"{fmt_s(r['copy']['wall'])} | {copy_rate:,.0f} | **{rate / copy_rate:.2f}** | "
        f"{rss(r['copy'])} | {cpu_line(r['copy'])} |",
        f"| Django `bulk_create` of the validated rows (fields seal) | {r['bulk']['rows']:,} | "
        f"{fmt_s(r['bulk']['wall'])} | {bulk_rate:,.0f} | {rate / bulk_rate:.2f} | {rss(r['bulk'])} | "
        f"{cpu_line(r['bulk'])} |",
        f"| `member_add` per row (save loop), {r['save']['rows']:,}-row sample | {r['save']['rows']:,} | "
        f"{fmt_s(r['save']['wall'])} | {save_rate:,.0f} | {rate / save_rate:.1f} | {rss(r['save'])} | "
        f"{cpu_line(r['save'])} |",
        f"| … the save loop extrapolated to {rows:,} rows | {rows:,} | {fmt_s(rows / save_rate)} | "
        f"{save_rate:,.0f} | {rate / save_rate:.1f} | | |",
    ]
    if "sqlite" in r:
        s = r["sqlite"]
        out.append(f"| project import, xlsx, **SQLite** file database | {s['rows']:,} | {fmt_s(s['wall'])} | "
                   f"{s['rows'] / s['wall']:,.0f} | {rate / (s['rows'] / s['wall']):.2f} | {rss(s)} | "
                   f"{fmt_s(s['cpu_self'])} / – / {s['other_cores']:.2f} (load {s['load_before']:.1f}→"
                   f"{s['load_after']:.1f}) |")
    out += ["", "Memory as the file grows (the project's xlsx import; a file of 20,000 rows or more is parsed in a "
            "forked child process: its RSS counts the pages it shares with its parent again, PSS does not):", "",
            "| rows | RSS at start | peak memory (PSS, main + parser) | main's RSS while checking (rows: MB) |",
            "|---:|---:|---:|---|"]
    for n in sizes_for(rows):
        g = r[f"grow_{n}"]
        out.append(f"| {n:,} | {g['base_rss']:,.0f} MB | {rss(g)} | {rss_trace(g)} |")
    for key in ("import_csv", "big_csv"):
        if key in r:
            g = r[key]
            out.append(f"| {g['rows']:,} (CSV) | {g['base_rss']:,.0f} MB | {rss(g)} | {rss_trace(g)} |")
    b = r["bad"]
    codes = ", ".join(f"{k} {v:,}" for k, v in sorted(b["problem_codes"].items()))
    spoiled = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in facts["bad"].items())
    outcome = "refused, nothing written" if not b["committed"] and b["members_after"] == 0 else "NOT REFUSED"
    peaks = [r[f"grow_{n}"]["peak_pss"] for n in sizes_for(rows)]
    small, large = sizes_for(rows)[0], sizes_for(rows)[-1]
    growth = (peaks[-1] - peaks[0]) * 2**20 / (large - small) if large > small else 0.0
    half = sizes_for(rows)[-2] if len(peaks) > 1 else large
    late = (peaks[-1] - peaks[-2]) * 2**20 / (large - half) if large > half else 0.0  # over the last doubling
    out += [
        "",
        f"Bad file ({facts['bad_rows']:,} of {rows:,} rows spoiled: {spoiled}): {outcome} ({b['refused']:,} rows "
        f"refused; problems: {codes}) after checking every row in {fmt_s(b['wall'])} s "
        f"({b['rows'] / b['wall']:,.0f} rows/s), peak memory {rss(b)}.",
        "",
        f"Figures: `members.total` of the union's county right after the commit: {main['figure_total']:,} "
        f"members in {main['figure_ms']:,.0f} ms (again: {main['figure_warm_ms']:,.0f} ms); figures read the "
        f"membership rows live (an index range on org_path), so there is nothing else to update.",
        "",
        "Goals:",
        f"- ≥ {GOAL_ROWS_PER_S:,} rows/s end to end ({rows:,} rows in ≤ {rows / GOAL_ROWS_PER_S:,.0f} s): "
        f"{rate:,.0f} rows/s, {fmt_s(main['wall'])} s: **{'met' if rate >= GOAL_ROWS_PER_S else 'not met'}**.",
        f"- ≥ {GOAL_COPY_RATIO}× the indexed COPY: {rate / copy_rate:.2f}×: "
        f"**{'met' if rate / copy_rate >= GOAL_COPY_RATIO else 'not met'}**.",
        f"- peak memory < {GOAL_PEAK_MB} MB and flat as the file grows: "
        f"peak PSS {' → '.join(f'{mb:,.0f}' for mb in peaks)} MB (both processes, sampled every 0.5 s) for "
        f"{' / '.join(f'{n:,}' for n in sizes_for(rows))} rows: "
        f"under {GOAL_PEAK_MB} MB **{'met' if max(peaks) < GOAL_PEAK_MB else 'not met'}**; flat **"
        f"{'met' if late < 10 else 'not met'}**: {late:,.0f} bytes more per row from {half:,} rows to {large:,} "
        f"({growth:,.0f} from {small:,}; the reader and the parser process hold a batch at a time, the duplicate "
        f"finder keeps its keys in a temporary SQLite file whose cache is bounded, so what grows stops growing).",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 rows")
    parser.add_argument("--sqlite", action="store_true", help="also import the xlsx into a SQLite file database")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the files and the database")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench" / "members")
    parser.add_argument("--no-csv", action="store_true", help="skip the import of the CSV copy of the rows")
    parser.add_argument("--big-csv", type=int, default=0, metavar="N",
                        help="also import a CSV of N rows (memory beyond the xlsx limit of 1,048,576 rows a sheet)")
    parser.add_argument("--sample", type=int, default=10_000, help="rows for the per-row save loop")
    parser.add_argument("--retries", type=int, default=1, help="re-runs of a measurement disturbed by other load")
    parser.add_argument("--quiet-wait", type=float, default=30, help="seconds to wait for a quiet machine")
    parser.add_argument("--child")
    parser.add_argument("--params")
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.params)
        return
    if args.quick:
        args.rows = 50_000
        args.sample = min(args.sample, 2_000)
    args.sample = min(args.sample, args.rows)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    info = {**machine(), "load": os.getloadavg()}
    log(f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB; load {info['load'][0]:.2f}")
    facts = generate(args.dir, args.rows)
    names = file_names(args.dir, args.rows)
    dbname = urlsplit(args.db_url).path.lstrip("/")
    log(f"database {dbname}: recreating, migrating, the cast of orgs and users")
    recreate_database(args.db_url)
    base = {"db_url": args.db_url, "dbname": dbname, "quiet_wait": args.quiet_wait}
    info["server"] = run_child("setup", base)["server"]
    r: dict = {}
    work = Path(tempfile.mkdtemp(prefix="bench-members-", dir=args.dir))
    out = args.dir / f"results_{args.rows}.json"

    def done(key: str, value: dict) -> None:
        """Keep a measurement, and save everything measured so far (a long run on a shared machine may be cut)."""
        r[key] = value
        cpu = f", CPU self {value['cpu_self']:.1f} s / PG {value['cpu_pg']:.1f} s" if "cpu_self" in value else ""
        log(f"  {key}: {value['rows']:,} rows in {value['wall']:.1f} s, {value['rows'] / value['wall']:,.0f} rows/s"
            f"{cpu}, other load {value.get('other_cores', 0):.2f} cores")
        out.write_text(json.dumps({"info": info, "facts": facts, "results": r}, default=str, indent=1))

    # The goals' measurements first (import, COPY, save loop, SQLite, memory by size), then the rest.
    try:
        log(f"project import, xlsx, {args.rows:,} rows")
        done("import_xlsx", least_disturbed("import", {**base, "path": str(names[f"xlsx_{args.rows}"]),
                                                       "rows": args.rows}, args.retries))
        r[f"grow_{args.rows}"] = r["import_xlsx"]
        log("preparing the rows for COPY, bulk_create and the save loop (not timed)")
        prep = {"plain": str(work / "plain.pickle"), "person_copy": str(work / "person.copy"),
                "member_copy": str(work / "membership.copy")}
        prepared = run_child("prepare", {**base, **prep, "path": str(names["csv"])})
        log("raw COPY (the physical bound)")
        done("copy", least_disturbed("copy", {**base, **prep, "person_cols": prepared["person_cols"],
                                              "member_cols": prepared["member_cols"]}, args.retries))
        log(f"member_add per row, {args.sample:,} rows")
        done("save", run_child("save", {**base, **prep, "sample": args.sample}))
        if args.sqlite:
            log("SQLite: migrating a fresh file database and importing the xlsx")
            env = {"GONGHUI_VAR_DIR": str(work / "sqlite")}
            (work / "sqlite").mkdir()
            sqlite_base = {"db_url": None, "dbname": None, "quiet_wait": args.quiet_wait}
            run_child("setup", sqlite_base, env)
            done("sqlite", run_child("import", {**sqlite_base, "path": str(names[f"xlsx_{args.rows}"]),
                                                "rows": args.rows}, env))
            shutil.rmtree(work / "sqlite", ignore_errors=True)
        for n in sizes_for(args.rows)[:-1]:
            log(f"project import, xlsx, {n:,} rows (memory as the file grows)")
            done(f"grow_{n}", run_child("import", {**base, "path": str(names[f"xlsx_{n}"]), "rows": n}))
        log("bad file")
        done("bad", run_child("import", {**base, "path": str(names["bad"]), "rows": args.rows}))
        log("bulk_create")
        done("bulk", least_disturbed("bulk", {**base, **prep}, args.retries))
        if not args.no_csv:
            log("project import, CSV")
            done("import_csv", least_disturbed("import", {**base, "path": str(names["csv"]), "rows": args.rows},
                                               args.retries))
        if args.big_csv:
            path = generate_csv(args.dir, args.big_csv)
            log(f"project import, CSV, {args.big_csv:,} rows (memory beyond the xlsx limit)")
            done("big_csv", run_child("import", {**base, "path": str(path), "rows": args.big_csv}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    block = report(args, info, facts, r)
    if not args.keep:
        for key, path in names.items():
            if key != "manifest":
                path.unlink(missing_ok=True)
        names["manifest"].unlink(missing_ok=True)
        drop_database(args.db_url)
    print(block)


if __name__ == "__main__":
    main()
