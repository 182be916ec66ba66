"""Secret ballots on PostgreSQL behind gunicorn (issue 15 §5): voters voting through HTTP, and the tally.

In one run:

* **Voting through HTTP.** A poll with printed codes (the real services: ``poll_create``, ``codes_print``) for each
  round; gunicorn serves the project (production settings, ``benchmarks/ballots_settings.py``) with 2 workers; N
  concurrent clients play the voters, each doing what a phone does: open ``/vote/`` (the CSRF cookie), post the code
  (the ballot comes back), post the answers to ``/vote/cast/`` (the receipt comes back). Each voter comes from an
  address of its own (``X-Forwarded-For``, as behind the county's reverse proxy), so the per-address limit stays on
  and is paid for. Reported: ballots a second, p50/p99 of the cast (the POST that casts) and of the whole voter,
  the client's share of the CPU. Checked after each round: ballots = codes used = voters, every receipt distinct, a
  second use of 200 used codes refused (422), and ``gonghui democracy verify``'s checks after closing the poll.
* **The tally over a million ballots**: ``polls.tally`` (the project) against a naive recount in Python (every
  ballot fetched, every answer counted in a loop) and the bound (one SQL pass reading every ballot's answers), with
  the counts compared.

Usage (from the repository root):

    .venv/bin/python benchmarks/ballots.py [--voters N] [--clients 4,32] [--tally-ballots N] [--workers 2]
        [--worker-class sync|gthread] [--keep-db] [--db-url URL]

The database (``--db-url``, default postgres://postgres@127.0.0.1:5432/gh_bench_ballots; its name must contain
"bench") is made anew and dropped at the end unless ``--keep-db``. Progress goes to stderr; a Markdown block for
benchmarks/RESULTS.md goes to stdout.
"""

import argparse
import asyncio
import base64
import datetime
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.dbs import drop_database, recreate_database  # noqa: E402

DEFAULT_DB_URL = "postgres://postgres@127.0.0.1:5432/gh_bench_ballots"
GOAL_P99_MS = 100.0  # with 4 clients
GOAL_RATE = 150.0  # ballots a second with 32 clients
GOAL_TALLY_S = 2.0
SUBJECTS = ("王明，工会主席", "李华，工会副主席", "张伟，经审委主任")
RECEIPT = re.compile(rb'id="vote-receipt">([A-Z]{4}-[A-Z]{4}-[A-Z]{4})<')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def server_env(db_url: str, redis_url: str) -> dict:
    """The environment of this process and of the server: the same keys, so the codes' hashes agree."""
    rnd = lambda: base64.b64encode(os.urandom(32)).decode()  # noqa: E731
    return {"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "benchmarks.ballots_settings",
            "DJANGO_SECRET_KEY": rnd(), "GONGHUI_DATA_KEYS": "k1:" + rnd(), "GONGHUI_BLIND_INDEX_KEY": rnd(),
            "GONGHUI_AUDIT_KEYS": "a1:" + rnd(), "GONGHUI_SSL_REDIRECT": "0", "PYTHONPATH": str(ROOT),
            "REDIS_URL": redis_url}


# --- the data ---------------------------------------------------------------------------------------------------

def set_up() -> tuple:
    """A county federation, one of its officers (the polls' author), its grants."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from gonghui.core.access import actor_for
    from gonghui.core.models import Grant, Role
    from gonghui.democracy.criteria import ensure_builtin
    from gonghui.orgs.models import Org

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.monotonic() - t0:.1f} s")
    ensure_builtin()
    org = Org.objects.add_root(instance=Org(code="BENCH", name="试验县总工会", level="county", kind="federation"))
    user = get_user_model().objects.create_user(username="bench-officer", password=None, display_name="试验员")
    Grant.objects.create(user=user, role=Role.FEDERATION_STAFF, org=org)
    return org, actor_for(user)


def new_poll(actor, org, *, title: str, size: int, codes: bool):
    from django.utils import timezone

    from gonghui.democracy import polls
    from gonghui.democracy.models import CriteriaSet, Electorate, PollKind

    now = timezone.now()
    poll = polls.poll_create(
        actor=actor, org=org, kind=PollKind.ASSESSMENT, title=title,
        criteria_set=CriteriaSet.objects.get(name="党员民主评议五个方面"), subjects=list(SUBJECTS),
        electorate=Electorate.ON_SITE, electorate_size=size, opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1))
    printed = []
    if codes:
        t0 = time.monotonic()
        for start in range(0, size, 5000):
            printed += polls.codes_print(actor=actor, poll=poll, count=min(5000, size - start))
        log(f"{title}: {len(printed):,} codes printed in {time.monotonic() - t0:.1f} s")
    return poll, printed


# --- the voters ---------------------------------------------------------------------------------------------------

class Voter:
    """One phone: HTTP/1.1 over its own connection, kept alive when the server keeps it."""

    def __init__(self, port: int, address: str):
        self.port, self.address = port, address
        self.reader = self.writer = None
        self.cookie = ""

    async def _send(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"X-Forwarded-For: {self.address}",
                "User-Agent: ballots-bench", "Accept: text/html"]
        if self.cookie:
            head.append(f"Cookie: csrftoken={self.cookie}")
        if method == "POST":
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
                     f"Referer: http://127.0.0.1:{self.port}/vote/"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode("latin-1").partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie" and v.startswith("csrftoken="):
                self.cookie = v.split(";", 1)[0].split("=", 1)[1]
            headers[k] = v
        data = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.reader = self.writer = None
        return status, headers, data

    async def vote(self, code: str, answers: dict) -> tuple[float, float, str]:
        """(whole voter in ms, the cast in ms, the receipt)."""
        t0 = time.perf_counter()
        status, _h, _b = await self._send("GET", "/vote/")
        assert status == 200, status
        status, _h, page = await self._send("POST", "/vote/", urlencode(
            {"csrfmiddlewaretoken": self.cookie, "code": code}).encode())
        assert status == 200 and b'id="ballot-form"' in page, (status, page[:300])
        t1 = time.perf_counter()
        status, _h, done = await self._send("POST", "/vote/cast/", urlencode(
            {"csrfmiddlewaretoken": self.cookie, "code": code, **answers}).encode())
        t2 = time.perf_counter()
        assert status == 200, (status, done[:300])
        receipt = RECEIPT.search(done)
        assert receipt, done[:300]
        return (t2 - t0) * 1000, (t2 - t1) * 1000, receipt.group(1).decode()

    async def reuse(self, code: str, answers: dict) -> int:
        await self._send("GET", "/vote/")
        status, _h, _b = await self._send("POST", "/vote/cast/", urlencode(
            {"csrfmiddlewaretoken": self.cookie, "code": code, **answers}).encode())
        return status

    def close(self):
        if self.writer is not None:
            self.writer.close()


def answers_for(rng: random.Random, n_criteria: int) -> dict:
    grades = ("优秀", "称职", "基本称职", "不称职")
    return {f"a{p}_{c}": rng.choices(grades, weights=(55, 30, 10, 5))[0]
            for p in range(1, len(SUBJECTS) + 1) for c in range(n_criteria)}


async def vote_all(port: int, codes: list[str], clients: int, n_criteria: int, round_no: int) -> dict:
    rng = random.Random(round_no)
    queue = list(enumerate(codes))
    queue.reverse()
    voters_ms, cast_ms, receipts = [], [], []

    async def client(k: int):
        while queue:
            i, code = queue.pop()
            voter = Voter(port, f"10.{round_no}.{i // 250}.{i % 250 + 1}")
            try:
                whole, cast, receipt = await voter.vote(code, answers_for(rng, n_criteria))
            finally:
                voter.close()
            voters_ms.append(whole)
            cast_ms.append(cast)
            receipts.append(receipt)

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    # A second use of used codes: each must be refused.
    refused = 0
    for i, code in enumerate(codes[:200]):
        voter = Voter(port, f"10.{round_no}.250.{i % 250 + 1}")
        refused += (await voter.reuse(code, answers_for(rng, n_criteria))) == 422
        voter.close()
    return {"wall": wall, "client_cpu": cpu, "voters_ms": voters_ms, "cast_ms": cast_ms, "receipts": receipts,
            "reuse_refused": refused, "reuse_tried": min(200, len(codes))}


def start_server(env: dict, workers: int, worker_class: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--worker-class", worker_class, "--log-level", "warning", "--backlog", "2048"]
    if worker_class == "gthread":
        cmd += ["--threads", "4", "--keep-alive", "5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"GET /vote/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if c.recv(12).startswith(b"HTTP/1.1 200"):
                    return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def check_round(actor, poll, codes: list[str], run: dict) -> dict:
    from django.db import connection

    from gonghui.democracy import polls
    from gonghui.democracy.models import Ballot, VotingCode

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM democracy_ballot WHERE poll_id = %s", [poll.pk])
        ballots = cur.fetchone()[0]
    unused = VotingCode.objects.filter(poll=poll).count()
    used = len(codes) - unused
    polls.poll_close(actor=actor, poll=poll)
    poll.refresh_from_db()
    verification = polls.verify(poll)
    receipts_distinct = len(set(run["receipts"]))
    stored = set(Ballot.objects.filter(poll=poll).values_list("tracking", flat=True))
    return {"ballots": ballots, "codes_used": used, "receipts_distinct": receipts_distinct,
            "receipts_stored": len({r.replace("-", "") for r in run["receipts"]} & stored),
            "verify_ok": verification.ok, "verify_lines": [str(x) for x in verification.lines]}


# --- the tally ----------------------------------------------------------------------------------------------------

def load_ballots(poll, n: int, cells: int) -> float:
    """``n`` ballots of ``poll`` by COPY: random distinct tracking codes, answers drawn as real polls look (most
    ballots 优秀 or 称职)."""
    from django.db import connection

    from gonghui.democracy.polls import TRACKING_ALPHABET, TRACKING_LENGTH

    rng = random.Random(15)
    t0 = time.monotonic()
    seen = set()
    with connection.cursor() as cur, cur.copy(
            "COPY democracy_ballot (tracking, poll_id, answers, comment) FROM STDIN") as copy:
        while len(seen) < n:
            t = "".join(rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
            if t in seen:
                continue
            seen.add(t)
            answers = "".join(rng.choices("1234", weights=(55, 30, 10, 5), k=cells))
            copy.write_row((t, poll.pk, answers, ""))
    with connection.cursor() as cur:
        cur.execute("ANALYZE democracy_ballot")
    return time.monotonic() - t0


def bench_tally(poll, reps: int = 3) -> dict:
    from django.db import connection

    from gonghui.democracy import polls

    project = []
    for _ in range(reps):
        t0 = time.perf_counter()
        result = polls.tally(poll)
        project.append(time.perf_counter() - t0)

    def naive():
        # Every ballot fetched, every answer counted cell by cell.
        counts = {}
        with connection.cursor() as cur:
            cur.execute("SELECT answers FROM democracy_ballot WHERE poll_id = %s", [poll.pk])
            for (answers,) in cur:
                for i, ch in enumerate(answers):
                    counts[(i, ch)] = counts.get((i, ch), 0) + 1
        return counts

    t0 = time.perf_counter()
    counts = naive()
    naive_s = time.perf_counter() - t0

    bound = []
    for _ in range(reps):
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), sum(length(answers)) FROM democracy_ballot WHERE poll_id = %s", [poll.pk])
            cur.fetchone()
        bound.append(time.perf_counter() - t0)

    n_crit = len(poll.criteria)
    same = all(row["counts"][g] == counts.get((si * n_crit + ci, str(g + 1)), 0)
               for si, s in enumerate(result["subjects"]) for ci, row in enumerate(s["criteria"])
               for g in range(len(result["grades"])))
    return {"project": min(project), "naive": naive_s, "bound": min(bound), "same": same,
            "ballots": result["ballots"]}


# --- the report ---------------------------------------------------------------------------------------------------

def report(args, start_machine: str, rounds: list, tally: dict, load_s: float) -> str:
    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    out = [f"### Run of {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC",
           "", f"Machine at the start: {start_machine}; at the end: load average "
           f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}. PostgreSQL on the same machine; gunicorn "
           f"{args.workers} {args.worker_class} workers; the cache (the per-address vote limits) on "
           f"{'Redis' if args.redis_url else 'PostgreSQL (the database cache)'}; the client (asyncio, one "
           f"connection a voter) in this process.",
           "", "| workload | ballots/s | cast p50 / p99 | voter p50 / p99 | client CPU | checks | goal |",
           "|---|---:|---:|---:|---:|---|---|"]
    for r in rounds:
        run, chk = r["run"], r["check"]
        rate = len(run["cast_ms"]) / run["wall"]
        p99 = pct(run["cast_ms"], 99)
        checks_ok = (chk["ballots"] == chk["codes_used"] == len(r["codes"]) == chk["receipts_distinct"]
                     == chk["receipts_stored"] and chk["verify_ok"] and run["reuse_refused"] == run["reuse_tried"])
        checks = (f"ballots {chk['ballots']:,} = codes used {chk['codes_used']:,}; {chk['receipts_distinct']:,} "
                  f"distinct receipts, all stored; {run['reuse_refused']}/{run['reuse_tried']} reused codes refused; "
                  f"verify {'passed' if chk['verify_ok'] else 'FAILED'}" + ("" if checks_ok else " — **FAILED**"))
        if r["clients"] <= 4:
            goal = f"p99 < {GOAL_P99_MS:.0f} ms: {met(p99 < GOAL_P99_MS)}"
        elif r["clients"] >= 32:
            goal = f"≥ {GOAL_RATE:.0f} ballots/s: {met(rate >= GOAL_RATE)}"
        else:
            goal = "—"
        out.append(f"| {len(r['codes']):,} voters, {r['clients']} clients | {rate:.0f} | "
                   f"{pct(run['cast_ms'], 50):.1f} / {p99:.1f} ms | {pct(run['voters_ms'], 50):.1f} / "
                   f"{pct(run['voters_ms'], 99):.1f} ms | {100 * run['client_cpu'] / run['wall']:.0f}% of a core | "
                   f"{checks} | {goal} |")
    if tally:
        out += ["", f"Tally over {tally['ballots']:,} ballots (loaded by COPY in {load_s:.1f} s; the project's "
                f"counts {'equal' if tally['same'] else '**differ from**'} the naive recount's):", "",
                "| | seconds | ratio |", "|---|---:|---:|",
                f"| `polls.tally` (the project) | {tally['project']:.3f} | — |",
                f"| naive recount in Python (every ballot fetched, every cell counted) | {tally['naive']:.3f} | "
                f"project {tally['naive'] / tally['project']:.1f}× faster |",
                f"| bound: one SQL pass reading every ballot's answers | {tally['bound']:.3f} | project at "
                f"{tally['project'] / tally['bound']:.1f}× the bound |",
                "", f"Tally under {GOAL_TALLY_S:.0f} s: {met(tally['project'] < GOAL_TALLY_S)}."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--clients", default="4,32", help="comma-separated: one round of voters for each")
    parser.add_argument("--tally-ballots", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="the cache (and so the vote limits) on Redis, as a county runs it; '' for the database cache")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL))
    args = parser.parse_args()
    if "bench" not in args.db_url.rsplit("/", 1)[-1]:
        raise SystemExit("the database's name must contain 'bench'")
    start_machine = machine_line()
    log(start_machine)
    recreate_database(args.db_url)
    env = server_env(args.db_url, args.redis_url)
    os.environ.update(env)
    import django

    django.setup()
    org, actor = set_up()
    from gonghui.democracy.models import Poll

    rounds = []
    proc, port = start_server(env, args.workers, args.worker_class)
    log(f"gunicorn on port {port}, {args.workers} {args.worker_class} workers")
    try:
        for k, clients in enumerate(int(c) for c in args.clients.split(",")):
            poll, codes = new_poll(actor, org, title=f"民主测评（{clients} 个客户端）", size=args.voters, codes=True)
            log(f"round {k + 1}: {len(codes):,} voters, {clients} clients")
            run = asyncio.run(vote_all(port, codes, clients, len(poll.criteria), k + 1))
            log(f"round {k + 1}: {len(run['cast_ms']) / run['wall']:.0f} ballots/s, cast p99 "
                f"{pct(run['cast_ms'], 99):.1f} ms")
            rounds.append({"clients": clients, "codes": codes, "run": run,
                           "check": check_round(actor, Poll.objects.get(pk=poll.pk), codes, run)})
            log(f"round {k + 1} checks: {rounds[-1]['check']}")
    finally:
        stop_server(proc)
    tally, load_s = {}, 0.0
    if args.tally_ballots:
        poll, _codes = new_poll(actor, org, title="百万张选票的计票", size=50_000, codes=False)
        # An on-site poll holds at most 50,000 voters; a million is a members' poll of a city: only the turnout
        # reads the size, so it is set here rather than registering a million members.
        Poll.objects.filter(pk=poll.pk).update(electorate_size=args.tally_ballots)
        poll.refresh_from_db()
        load_s = load_ballots(poll, args.tally_ballots, len(SUBJECTS) * len(poll.criteria))
        log(f"{args.tally_ballots:,} ballots loaded in {load_s:.1f} s")
        tally = bench_tally(poll)
        log(f"tally {tally['project']:.3f} s, naive {tally['naive']:.3f} s, bound {tally['bound']:.3f} s")
    from django.db import connections

    connections.close_all()
    if not args.keep_db:
        drop_database(args.db_url)
    print(report(args, start_machine, rounds, tally, load_s))


if __name__ == "__main__":
    main()
