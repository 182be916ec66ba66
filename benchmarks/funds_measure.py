"""The funds benchmark's measurements other than the full scan: the naive line-by-line rules, the statement log
with EXPLAIN ANALYZE, the incremental scan after a day's lines, the journal import against COPY."""

import contextlib
import csv
import datetime
import inspect
import random
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from benchmarks import funds_data as data

RULE_KEYS = ["duplicate_invoice", "split_purchase", "large_without_decision", "banned_item", "cash_limit",
             "holiday_gift_cap", "over_budget", "unbudgeted", "central_purchase", "late_return"]
JOURNAL_HEADER = ["凭证日期", "凭证字号", "科目编码", "科目名称", "摘要", "借方金额", "贷方金额", "往来单位", "发票代码",
                  "发票号码", "决策文号"]


def log(message: str) -> None:
    data.log(message)


# ---------------------------------------------------------------------------------------------------------------
# The statements a scan sends, the slowest explained
# ---------------------------------------------------------------------------------------------------------------

class QueryLog:
    def __init__(self):
        self.entries: list[tuple[float, str, tuple]] = []

    @contextlib.contextmanager
    def capture(self, keep: bool = False):
        from django.db import connection

        def wrapper(execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.entries.append((time.perf_counter() - t0, sql, params))

        if not keep:
            self.entries = []
        with connection.execute_wrapper(wrapper):
            yield self

    def slowest(self, n: int) -> list[tuple]:
        """The n slowest statements, a cancelled one counted at its time to cancellation."""
        return sorted(self.entries, key=lambda e: -e[0])[:n]

    @staticmethod
    def explain(statements, head: int = 40, analyze_below: float = 120.0, prepare=None) -> list[list[str]]:
        """EXPLAIN (ANALYZE, BUFFERS) of each statement, in a transaction rolled back (writes are undone); plain
        EXPLAIN (estimates only) for a statement that took ``analyze_below`` seconds or more. ``prepare()`` runs
        first in that transaction: the session state the scan gives its statements (its settings, the temporary
        tables of the budget lines), so the plan is the one the scan ran."""
        from django.db import connection, transaction

        plans = []
        for secs, sql, params, *_rule in statements:
            lines: list[str] = []
            how = "EXPLAIN (ANALYZE, BUFFERS) " if secs < analyze_below else "EXPLAIN "
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    if prepare is not None:
                        prepare()
                    cur.execute(how + sql, params)
                    lines = [r[0] for r in cur.fetchall()]
                    transaction.set_rollback(True)
            except Exception as exc:  # a statement that needs its session's state (a temp table, a savepoint)
                lines = [f"(not explained: {type(exc).__name__}: {str(exc)[:200]})"]
            noise = ("Buffers:", "Worker ", "Sort Method", "Heap Blocks", "Functions:", "Options:", "Timing:",
                     "Planning:", "Recheck Cond", "Hash Buckets", "Memory Usage")
            keep = [ln for ln in lines if not ln.strip().startswith(noise)]
            plans.append(keep if len(keep) <= head else [*keep[:head - 1], "…", keep[-1]])
        return plans


class Entry:
    """The rule engine's entry points as found on this branch (``gonghui.funds.rules``)."""

    def __init__(self):
        self.engine = self.scan = self.incremental = None
        self.rule_keys = list(RULE_KEYS)
        try:
            from gonghui.funds import rules as engine
        except ImportError:
            return
        self.engine = engine
        self.scan = getattr(engine, "scan", None)
        for name in ("scan_incremental", "incremental_scan", "scan_new", "scan_since", "scan_changed",
                     "scan_pending", "scan_dirty"):
            if callable(getattr(engine, name, None)):
                self.incremental = getattr(engine, name)
                break
        from django.apps import apps

        models_module = apps.get_app_config("funds").models_module
        for name in ("BUILTIN", "BUILTIN_RULES", "BUILT_IN", "RULES"):
            keys = getattr(engine, name, None) or getattr(models_module, name, None)
            if isinstance(keys, dict | list | tuple) and keys:
                self.rule_keys = [k if isinstance(k, str) else getattr(k, "key", str(k)) for k in keys]
                break

    def flag_counts(self, org, year) -> dict:
        """Open alerts by rule in the subtree, from the engine's alert model (whatever it is called)."""
        from django.apps import apps
        from django.db.models import Count

        for model in apps.get_app_config("funds").get_models():
            if "alert" not in model.__name__.lower() or model.__name__.lower().endswith(("line", "event")):
                continue
            fields = {f.name for f in model._meta.get_fields()}
            key = next((f for f in ("rule_key", "rule") if f in fields), None)
            path = next((f for f in ("org_path", "union_path") if f in fields), None)
            if key is None:
                continue
            qs = model.objects.all()
            if path:
                qs = qs.filter(**{f"{path}__startswith": org.path})
            if "year" in fields:
                qs = qs.filter(year=year)
            field = key if not model._meta.get_field(key).is_relation else f"{key}__key"
            try:
                return dict(qs.values_list(field).annotate(n=Count("pk")).order_by(field))
            except Exception:
                return {}
        return {}


    def flagged_lines(self, paths: list[str], year: int) -> dict[str, set] | None:
        """Line ids the engine's current alerts flag in the unions ``paths``, by rule (None without line links)."""
        from django.apps import apps

        try:
            link = apps.get_model("funds", "AlertLine")
        except LookupError:
            return None
        out: dict[str, set] = defaultdict(set)
        for i in range(0, len(paths), 500):
            rows = (link.objects.filter(alert__org_path__in=paths[i:i + 500], alert__year=year)
                    .exclude(alert__state="closed").values_list("alert__rule", "line_id"))
            for rule, line_id in rows:
                out[rule].add(line_id)
        return out


def agreement(engine: dict[str, set] | None, naive: dict[str, set]) -> list[str]:
    """Per rule on the sample: lines both flag, only the engine, only the naive path."""
    if engine is None:
        return ["the engine keeps no alert lines: not compared"]
    out = []
    for rule in RULE_KEYS:
        if rule in ("late_return",):
            continue  # flags returns, not lines
        e, n = engine.get(rule, set()), naive.get(rule, set())
        note = " (the naive path looks for duplicates within the sample only)" if rule == "duplicate_invoice" else ""
        out.append(f"`{rule}`: both {len(e & n):,}, engine only {len(e - n):,}, naive only {len(n - e):,}{note}")
    return out


# Two one-line changes to the rule engine's SQL proposed to its owner, measured in the same run ("what if"):
# the members of a union's subtree counted by a path range the (org_path, status) index serves (LIKE with a
# pattern built per row cannot use an index), and the duplicate-invoice subqueries made to imply the partial index
# funds_line_invoice (invoice_number <> '') so each is an index lookup instead of a sequential scan.
# (old, new, a text whose presence means the owner has made the change already)
PROPOSED = [
    ("mm.org_path LIKE u.p || '%%'", "mm.org_path >= u.p AND mm.org_path < u.p || '~'", "mm.org_path >= u.p"),
    ("WHERE d.invoice_number = l.invoice_number", "WHERE d.invoice_number <> '' AND d.invoice_number = l.invoice_number",
     "d.invoice_number <> ''"),
]


@contextlib.contextmanager
def proposed_fixes():
    """The rule engine's statements with PROPOSED applied; yields the set of changes that matched."""
    from gonghui.funds.rules import builtin

    original, applied = builtin._rows, set()

    def rows(sql, params):
        for n, (old, new, done) in enumerate(PROPOSED):
            if old in sql and done not in sql:
                sql = sql.replace(old, new)
                applied.add(n)
        return original(sql, params)

    builtin._rows = rows
    try:
        yield applied
    finally:
        builtin._rows = original


def scan_entry_points() -> Entry:
    return Entry()


# ---------------------------------------------------------------------------------------------------------------
# The naive path: every rule, line by line in Python
# ---------------------------------------------------------------------------------------------------------------

def naive_scan(paths: list[str], year: int, *, total_lines: int) -> dict:
    """The built-in rules evaluated line by line over ``paths`` (grassroots unions): for each union, its lines as
    ORM rows in date order, dicts for invoices, split windows, holiday totals and budget totals; its member count,
    budget and returns by a query each. Extrapolated to ``total_lines`` by the lines read."""
    from django.utils import timezone

    from gonghui.funds.models import Budget, BudgetLine, FundReturn, Supplier, VoucherLine
    from gonghui.members.models import Membership

    threshold, cap, cash_limit = data.THRESHOLD, Decimal(data.CAP), Decimal("1000")
    flags: dict[str, set] = defaultdict(set)
    invoices: dict[tuple, list] = defaultdict(list)
    today = timezone.localdate()
    t0 = time.perf_counter()
    suppliers = set(Supplier.objects.filter(active=True).values_list("name", flat=True))
    seen = 0
    for path in paths:
        members = Membership.objects.filter(org_path__startswith=path, status="active").count()
        budget = Budget.objects.filter(org_path=path, year=year).first()
        budget_lines = []
        if budget is not None:
            budget_lines = sorted(((bl.account.path, bl.amount) for bl in
                                   BudgetLine.objects.filter(budget=budget).select_related("account")),
                                  key=lambda b: -len(b[0]))
        holiday, holiday_cap, spent = Decimal(0), cap * members, defaultdict(Decimal)
        windows: dict[tuple, list] = defaultdict(list)
        lines = (VoucherLine.objects.filter(org_path=path, date__year=year).select_related("account")
                 .order_by("date", "voucher_id", "line_no"))
        for ln in lines:
            seen += 1
            if ln.voided or ln.kind != "expense" or ln.debit <= 0:
                continue
            amount, acc = ln.debit, ln.account.path
            if ln.invoice_number and (ln.invoice_code or len(ln.invoice_number) == 20):
                invoices[(ln.invoice_code, ln.invoice_number)].append(ln.pk)
            if amount >= threshold and not ln.decision_ref:
                flags["large_without_decision"].add(ln.pk)
            if any(word in ln.summary for word in data.BANNED):
                flags["banned_item"].add(ln.pk)
            if ln.pay_method == "cash" and amount > cash_limit:
                flags["cash_limit"].add(ln.pk)
            if "节日慰问" in acc:
                holiday += amount
                if holiday > holiday_cap:
                    flags["holiday_gift_cap"].add(ln.pk)
            if suppliers and ("办公费" in acc or "办公用品" in acc) and ln.counterparty not in suppliers:
                flags["central_purchase"].add(ln.pk)
            if amount < threshold and ln.counterparty:
                window = windows[(ln.counterparty, ln.account_id)]
                window.append((ln.date, amount, ln.pk))
                while (ln.date - window[0][0]).days > 6:
                    window.pop(0)
                if len(window) >= 2 and sum(w[1] for w in window) >= threshold:
                    flags["split_purchase"].update(w[2] for w in window)
            if budget is not None:
                covering = next((b for b in budget_lines if acc == b[0] or acc.startswith(b[0] + "-")), None)
                if covering is None:
                    flags["unbudgeted"].add(ln.pk)
                else:
                    spent[covering[0]] += amount
                    if spent[covering[0]] > covering[1]:
                        flags["over_budget"].add(ln.pk)
        for ret in FundReturn.objects.filter(union_path=path):
            if (ret.paid_on and ret.paid_on > ret.due_on) or (ret.paid_on is None and ret.due_on < today):
                flags["late_return"].add(ret.pk)
    for ids in invoices.values():
        if len(ids) > 1:
            flags["duplicate_invoice"].update(ids)
    seconds = time.perf_counter() - t0
    per_line = seconds / max(1, seen)
    log(f"naive: {len(paths)} unions, {seen:,} lines in {seconds:.2f} s ({per_line * 1e6:.1f} µs a line) -> "
        f"{per_line * total_lines:,.0f} s for {total_lines:,} lines")
    return {"unions": len(paths), "lines": seen, "seconds": seconds, "per_line_us": per_line * 1e6,
            "extrapolated": per_line * total_lines, "flags": {k: len(v) for k, v in sorted(flags.items())},
            "flagged": flags,
            "how": (f"for each of {len(paths)} sampled unions: its lines (ORM rows with the account, date order), "
                    "its active members, budget and returns; the ten rules in Python with dicts; "
                    f"{per_line * 1e6:.1f} µs a line read, times the {total_lines:,} lines of the province "
                    "(duplicate invoices are only looked for within the sample, which makes the naive path "
                    "cheaper than a real one)")}


# ---------------------------------------------------------------------------------------------------------------
# A day's new lines, then the incremental scan
# ---------------------------------------------------------------------------------------------------------------

def add_day_lines(year: int, lines: int, seed: int, day: datetime.date | None = None) -> dict:
    """COPY ``lines`` new lines (two-line vouchers) dated the last day of the year into random unions' books (a
    voucher each to as many unions, drawn with replacement: a day touches many unions a little), with a few rule hits
    among them. Returns the first new line and voucher ids and the unions touched."""
    from django.db import connection, transaction

    from gonghui.funds.chart import standard_chart

    rng = random.Random(seed)
    acc = {a.code: (a.id, a.kind) for a in standard_chart().accounts.filter(org__isnull=True)}
    day = (day or datetime.date(year, 12, 31)).isoformat()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    with connection.cursor() as cur:
        cur.execute("SELECT id, org_id, org_path, next_number FROM funds_book WHERE year = %s AND "
                    "next_number > 1 ORDER BY random() LIMIT %s", [year, max(1, lines // 2)])
        books = [list(r) for r in cur.fetchall()]
        cur.execute("SELECT invoice_code, invoice_number FROM funds_voucherline TABLESAMPLE SYSTEM (1) "
                    "WHERE invoice_number <> '' AND kind = 'expense' LIMIT 50")
        old_invoices = cur.fetchall()
        cur.execute("SELECT max(id) FROM funds_voucher")
        voucher_id = cur.fetchone()[0]
        cur.execute("SELECT max(id) FROM funds_voucherline")
        line_id = cur.fetchone()[0]
    first_voucher, first_line = voucher_id + 1, line_id + 1
    vouchers, rows = [], []
    # Draws as in the year's books (accounts by weight, amounts, counterparties, the purchasing list), plus a few
    # lines for the rules: an old invoice again, a banned word, cash over the limit, a large expense without a decision.
    gen = data.Generator(seed=seed, accounts={}, chart_id=0, now=now, lines_per_union=1)
    for n in range(lines // 2):
        book = books[int(rng.random() * len(books))]
        voucher_id += 1
        number, book[3] = book[3], book[3] + 1
        code, summaries = gen.expense_account()
        summary, cash, ref = summaries[0], False, ""
        amount = gen.amounts[int(rng.random() * len(gen.amounts))]
        cp = gen.companies[int(rng.random() * len(gen.companies))]
        if code == "50401" and rng.random() < 0.97:
            cp = data.SUPPLIERS[int(rng.random() * len(data.SUPPLIERS))]
        icode, inum = "", f"26{n:018d}"
        r = rng.random()
        if r < 0.002 and old_invoices:
            icode, inum = old_invoices[int(rng.random() * len(old_invoices))]
        elif r < 0.005:
            summary = f"{summary}（{data.BANNED[int(rng.random() * len(data.BANNED))]}）"
        elif r < 0.01:
            cash, amount = True, f"{rng.uniform(1001, 3000):.2f}"
        elif r < 0.012:
            amount = f"{rng.uniform(20000, 80000):.2f}"
        vouchers.append(f"{voucher_id}\t{book[2]}\t{year}\t记\t{number}\t{day}\timport\t\t\t{amount}\t0\t{now}\t"
                        f"{book[0]}\t\\N\t{book[1]}\t\\N\n")
        method = "cash" if cash else "bank"
        e_id, e_kind = acc[code]
        p_id, p_kind = acc["101" if cash else "102"]
        line_id += 1
        rows.append(f"{line_id}\t{voucher_id}\t{book[2]}\t{day}\t1\t{e_id}\t{e_kind}\t{summary}\t{amount}\t0\t"
                    f"{cp}\t{icode}\t{inum}\t{ref}\t\\N\t{method}\tf\n")
        line_id += 1
        rows.append(f"{line_id}\t{voucher_id}\t{book[2]}\t{day}\t2\t{p_id}\t{p_kind}\t{summary}\t0\t{amount}\t"
                    f"{cp}\t\t\t\t\\N\t{method}\tf\n")
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY funds_voucher ({', '.join(data.VOUCHER_COLUMNS)}) FROM STDIN") as cp:
                cp.write("".join(vouchers))
            with cur.copy(f"COPY funds_voucherline ({', '.join(data.LINE_COLUMNS)}) FROM STDIN") as cp:
                cp.write("".join(rows))
            cur.executemany("UPDATE funds_book SET next_number = %s WHERE id = %s", [(b[3], b[0]) for b in books])
        with connection.cursor() as cur:
            for table in ("funds_voucher", "funds_voucherline"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return {"first_voucher": first_voucher, "first_line": first_line, "lines": len(rows), "day": day,
            "books": books, "vouchers": len(vouchers)}


def scan_session(region_prefix: str, year: int, *, new_ids: tuple[int, int] | None = None):
    """A ``prepare`` for QueryLog.explain: the settings and temporary tables the engine's scan runs with (none on a
    branch whose engine has no such thing)."""
    def prepare():
        try:
            from gonghui.funds.rules import engine, fast
            from gonghui.funds.rules.builtin import Region
        except ImportError:
            return
        engine._tune(full=new_ids is None)
        fast.prepare_budgets(Region(prefix=region_prefix, new_ids=new_ids), year)
    return prepare


def bench_incremental(actor, org, year: int, lines: int, scan: dict, *, seed: int, timeout: float,
                      day: datetime.date | None = None) -> dict:
    from django.db import DatabaseError, connection

    from gonghui.funds.models import Voucher

    entry = scan_entry_points()
    if entry.scan is None:
        return {"missing": "the rule engine is not on this branch"}
    if entry.incremental is None:
        return {"missing": "no incremental entry point found in gonghui.funds.rules"}
    since = datetime.datetime.now(datetime.UTC)
    added = add_day_lines(year, lines, seed, day)
    with connection.cursor() as cur:
        cur.execute("ANALYZE funds_voucherline")
    params = inspect.signature(entry.incremental).parameters
    kwargs = {}
    for name in params:
        if name == "actor":
            kwargs[name] = actor
        elif name == "org":
            kwargs[name] = org
        elif name == "year":
            kwargs[name] = year
        elif name in ("since", "after"):
            kwargs[name] = since
        elif name in ("since_id", "since_line", "after_line", "line_id", "after_id"):
            kwargs[name] = added["first_line"] - 1
        elif name in ("vouchers", "voucher_ids"):
            kwargs[name] = list(Voucher.objects.filter(pk__gte=added["first_voucher"]))
        elif name in ("books", "book_ids"):
            kwargs[name] = [b[0] for b in added["books"]]
    qlog = QueryLog()
    t0 = time.perf_counter()
    try:
        with connection.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(timeout * 1000)}")
        with qlog.capture():
            result = entry.incremental(**kwargs)
        seconds = time.perf_counter() - t0
    except DatabaseError as exc:
        connection.close()
        seconds, result = None, f"cancelled after {time.perf_counter() - t0:.0f} s: {str(exc).splitlines()[0][:100]}"
    finally:
        with connection.cursor() as cur:
            cur.execute("SET statement_timeout = 0")
    slow = qlog.slowest(3)
    sql_seconds, statements = sum(e[0] for e in qlog.entries), len(qlog.entries)
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM funds_voucherline")
        top_line = cur.fetchone()[0]
    prepare = scan_session("", year, new_ids=(added["first_line"] - 1, top_line))
    log(f"incremental: {f'{seconds:.2f} s' if seconds is not None else 'not finished'} after {added['lines']:,} lines "
        f"({entry.incremental.__name__}({', '.join(kwargs)})); slowest statements "
        + ", ".join(f"{e[0]:.2f} s" for e in slow) + f"; {sql_seconds:.2f} s in {statements} statements")
    return {"seconds": seconds, "timeout": timeout, "slow": slow, "sql_seconds": sql_seconds, "statements": statements, "explains": qlog.explain(slow, analyze_below=30, prepare=prepare), "lines": added["lines"], "full": scan.get("first", float("nan")),
            "how": f"`{entry.incremental.__name__}({', '.join(kwargs)})`",
            "detail": f"{added['vouchers']:,} two-line vouchers dated {added['day']} in {len(added['books']):,} "
                      f"unions' books (COPY, then ANALYZE); result: {str(result)[:200]}"}


# ---------------------------------------------------------------------------------------------------------------
# The journal import against COPY
# ---------------------------------------------------------------------------------------------------------------

def journal_rows(lines: int, seed: int):
    """(date, number, code, path, summary, debit, credit, counterparty, invoice code, number, ref) in date
    order, two-line vouchers (an expense paid from the bank, or income received in it)."""
    rng = random.Random(seed)
    codes = [(c, s) for c, _w, s in data.EXPENSES]
    days = sorted(int(rng.random() * 365) for _ in range(lines // 2))
    first = datetime.date(data.YEAR, 1, 1)
    for number, day in enumerate(days, 1):
        date = first + datetime.timedelta(days=day)
        amount = f"{rng.uniform(20, 19000):.2f}"
        cp = f"{data.COMPANY_WORDS[number % 12]}{number % 997}{data.COMPANY_KINDS[number % 6]}"
        if rng.random() < 0.15:
            code, summaries = data.INCOME[number % len(data.INCOME)]
            yield (date, number, "102", summaries[0], amount, "", cp, "", "", "")
            yield (date, number, code, summaries[0], "", amount, cp, "", "", "")
        else:
            code, summaries = codes[int(rng.random() * len(codes))]
            summary = summaries[number % len(summaries)]
            yield (date, number, code, summary, amount, "", cp, f"044{number // 10**8:09d}", f"{number % 10**8:08d}",
                   "")
            yield (date, number, "102", summary, "", amount, cp, "", "", "")


def write_journal(path: Path, lines: int, seed: int, paths: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(JOURNAL_HEADER)
        for date, number, code, summary, debit, credit, cp, icode, inum, ref in journal_rows(lines, seed):
            out.writerow([date.isoformat(), f"记-{number:04d}", code, paths[code], summary, debit, credit, cp, icode,
                          inum, ref])


def copy_bound(lines: int, seed: int, union, accounts: dict) -> float:
    """Seconds to COPY the journal's vouchers and lines (prepared in memory) into indexed copies of the tables."""
    from django.db import connection

    now = datetime.datetime.now(datetime.UTC).isoformat()
    vouchers, rows, totals = [], [], {}
    line_id = 0
    for date, number, code, summary, debit, credit, cp, icode, inum, ref in journal_rows(lines, seed):
        line_id += 1
        a_id, kind = accounts[code]
        rows.append(f"{line_id}\t{number}\t{union.path}\t{date}\t{1 if debit else 2}\t{a_id}\t{kind}\t{summary}\t"
                    f"{debit or 0}\t{credit or 0}\t{cp}\t{icode}\t{inum}\t{ref}\t\\N\tbank\tf\n")
        if debit:
            totals[number] = (date, debit)
    for number, (date, total) in totals.items():
        vouchers.append(f"{number}\t{union.path}\t{data.YEAR}\t记\t{number}\t{date}\timport\t\t\t{total}\t0\t{now}\t"
                        f"1\t\\N\t{union.id}\t\\N\n")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy_voucherline, bench_copy_voucher")
        cur.execute("CREATE TABLE bench_copy_voucher (LIKE funds_voucher INCLUDING ALL)")
        cur.execute("CREATE TABLE bench_copy_voucherline (LIKE funds_voucherline INCLUDING ALL)")
    connection.ensure_connection()
    raw = connection.connection
    t0 = time.perf_counter()
    with raw.transaction(), raw.cursor() as cur:
        with cur.copy(f"COPY bench_copy_voucher ({', '.join(data.VOUCHER_COLUMNS)}) FROM STDIN") as cp:
            for i in range(0, len(vouchers), 20000):
                cp.write("".join(vouchers[i:i + 20000]))
        with cur.copy(f"COPY bench_copy_voucherline ({', '.join(data.LINE_COLUMNS)}) FROM STDIN") as cp:
            for i in range(0, len(rows), 20000):
                cp.write("".join(rows[i:i + 20000]))
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_copy_voucherline")
        assert cur.fetchone()[0] == len(rows)
        cur.execute("DROP TABLE bench_copy_voucherline, bench_copy_voucher")
    log(f"COPY bound: {len(vouchers):,} vouchers + {len(rows):,} lines in {seconds:.2f} s")
    # The same rows into the real tables (every index and the foreign keys, checked as they go), rolled back.
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM funds_voucher")
        v0 = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM funds_voucherline")
        l0 = cur.fetchone()[0]
        cur.execute("SELECT id FROM funds_chartversion ORDER BY id LIMIT 1")
        chart_id = cur.fetchone()[0]
    shift_v = [f"{v0 + int(v.split(chr(9), 1)[0])}\t" + v.split("\t", 1)[1].replace("\t1\t\\N\t", "\tBOOK\t\\N\t", 1)
               for v in vouchers]
    shift_l = [(lambda f: "\t".join([str(l0 + int(f[0])), str(v0 + int(f[1])), *f[2:]]))(r.split("\t")) for r in rows]
    t1 = 0.0
    try:
        with raw.transaction(), raw.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("INSERT INTO funds_book (org_path, year, state, next_number, created_at, org_id, chart_id) "
                        "VALUES (%s, 1999, 'open', 1, now(), %s, %s) RETURNING id", [union.path, union.id, chart_id])
            book_id = str(cur.fetchone()[0])
            t = time.perf_counter()
            with cur.copy(f"COPY funds_voucher ({', '.join(data.VOUCHER_COLUMNS)}) FROM STDIN") as cp:
                for i in range(0, len(shift_v), 20000):
                    cp.write("".join(v.replace("\tBOOK\t", f"\t{book_id}\t", 1) for v in shift_v[i:i + 20000]))
            with cur.copy(f"COPY funds_voucherline ({', '.join(data.LINE_COLUMNS)}) FROM STDIN") as cp:
                for i in range(0, len(shift_l), 20000):
                    cp.write("".join(shift_l[i:i + 20000]))
            t1 = time.perf_counter() - t
            raise _RollBack
    except _RollBack:
        pass
    log(f"COPY into the real tables (indexes, foreign keys checked immediately), rolled back: {t1:.2f} s")
    return seconds, t1


class _RollBack(Exception):
    pass


def bench_import(actor, lines: int, folder: Path, *, seed: int, timeout: float) -> dict:
    from django.db import DatabaseError, connection

    from gonghui.funds.chart import standard_chart
    from gonghui.funds.models import Book, Voucher, VoucherLine
    from gonghui.orgs.models import Org

    union = Org.objects.get(code=data.IMPORT_UNION)
    chart_accounts = list(standard_chart().accounts.filter(org__isnull=True))
    accounts = {a.code: (a.id, a.kind) for a in chart_accounts}
    paths = {a.code: a.path for a in chart_accounts}
    path = folder / f"journal-{lines}-{seed}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        write_journal(path, lines, seed, paths)
        log(f"journal file: {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s")
    # A rerun (--keep) starts from a union without books; the rows it deletes, and those the bound below rolls
    # back, are vacuumed away so the bound and the import both write into tables without dead rows.
    VoucherLine.objects.filter(voucher__book__org=union).delete()
    Voucher.objects.filter(book__org=union).delete()
    Book.objects.filter(org=union).delete()
    vacuum()
    copy, copy_fk = copy_bound(lines, seed, union, accounts)
    vacuum()
    try:
        from gonghui.funds.journal import journal_import
    except ImportError:
        return {"missing": "gonghui.funds.journal.journal_import is not on this branch", "copy": copy,
                "copy_fk": copy_fk}
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")
    load_before = load_average()
    payload = path.read_bytes()
    stages: dict[str, float] = {}

    def progress(stage, done, total):
        stages.setdefault(stage, time.perf_counter())

    hook = {"seconds": 0.0, "calls": 0, "error": ""}
    try:
        from gonghui.funds import rules as engine
    except ImportError:
        engine = None
    original = getattr(engine, "scan_after_import", None)
    if original is not None:
        def timed_hook(*a, **kw):  # the rule engine's scan after the import, run on commit
            t = time.perf_counter()
            try:
                return original(*a, **kw)
            except DatabaseError as exc:
                hook["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                connection.close()
            finally:
                hook["seconds"] += time.perf_counter() - t
                hook["calls"] += 1
        engine.scan_after_import = timed_hook
    t0 = time.perf_counter()
    try:
        with connection.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(timeout * 1000)}")
        result = journal_import(actor=actor, org=union, year=data.YEAR, data=payload, filename=path.name,
                                progress=progress)
    finally:
        if original is not None:
            engine.scan_after_import = original
    seconds = time.perf_counter() - t0
    load_after = load_average()
    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = 0")
    written = VoucherLine.objects.filter(voucher__book__org=union, voucher__year=data.YEAR).count()
    read_check = stages.get("write", t0) - t0
    own = seconds - hook["seconds"]
    log(f"import: {seconds:.2f} s ({read_check:.2f} s reading, checking and writing, {own - read_check:.2f} s "
        f"after, {hook['seconds']:.2f} s in the rule engine's scan on commit), {written:,} lines written; load "
        f"average {load_before} / {load_after}")
    problems = getattr(result, "problems", [])
    return {"seconds": own, "total": seconds, "hook": hook, "read_check": read_check, "copy": copy, "copy_fk": copy_fk,
            "lines": lines, "load": (load_before, load_after),
            "mb": len(payload) / 1e6, "written": written,
            "detail": f"{written:,} lines written by `journal_import` (CSV, UTF-8 with BOM, header "
                      f"{','.join(JOURNAL_HEADER)}): {seconds:.2f} s in all = {read_check:.2f} s reading, checking "
                      f"and writing (PostgreSQL: the vouchers and lines COPYed in blocks as they are checked) + "
                      f"{own - read_check:.2f} s after the last row (book, commit) + {hook['seconds']:.2f} s in "
                      f"the rule engine's scan on commit ({hook['calls']} call(s){', ' + hook['error'] if hook['error'] else ''}); "
                      f"the ratio uses the import without that scan. {len(problems)} problem(s) reported. "
                      f"Load average (1, 5, 15 min) before / after the import: {load_before} / {load_after}. "
                      "The bound COPYs the same vouchers and lines, already resolved to ids, into `CREATE TABLE ... "
                      "(LIKE funds_voucher[line] INCLUDING ALL)` (every index, no foreign keys) in one transaction; "
                      "both tables are vacuumed after the rolled-back COPY into the real tables, before the import."}


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) funds_voucher, funds_voucherline")


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
