"""The built-in rules, one set-based SQL query each over the period (joins, GROUP BY, window functions, EXISTS),
written once for SQLite and PostgreSQL. Amounts are compared in whole cents (integers) so a boundary such as
"exactly 1,000" or "exactly at the cap" is exact on both databases.

Every rule takes a ``Region`` (which lines: a subtree prefix or a list of unions, minus the subtrees that have their
own settings) and returns ``Hit`` rows; the engine turns them into alerts. Nothing here loops over lines in Python:
the loops below run over the rows a query returned (the flagged ones).
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.funds.models import (
    Account,
    Budget,
    BudgetLine,
    BudgetState,
    FundReturn,
    Supplier,
    Voucher,
    VoucherLine,
)
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org

LINE = VoucherLine._meta.db_table
VOUCHER = Voucher._meta.db_table
ACCOUNT = Account._meta.db_table
BUDGET = Budget._meta.db_table
BUDGET_LINE = BudgetLine._meta.db_table
SUPPLIER = Supplier._meta.db_table
RETURN = FundReturn._meta.db_table
MEMBERSHIP = Membership._meta.db_table
ORG = Org._meta.db_table

GIFT_WORD = "节日慰问"
OFFICE_WORDS = ("办公费", "办公用品")


@dataclass
class Region:
    """The lines a query reads: ``prefix`` (a subtree) or ``paths`` (exact union paths), minus ``exclude``."""

    prefix: str = ""
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # (after, upto): an incremental scan's new line ids; the per-line rules then read only those lines.
    new_ids: tuple[int, int] | None = None

    def sql(self, col: str) -> tuple[str, list]:
        parts, params = [], []
        if self.paths:
            parts.append(f"{col} IN ({', '.join(['%s'] * len(self.paths))})")
            params.extend(self.paths)
        if self.prefix:
            parts.append(f"{col} LIKE %s")
            params.append(self.prefix + "%")
        for ex in self.exclude:
            parts.append(f"{col} NOT LIKE %s")
            params.append(ex + "%")
        return (" AND ".join(parts) or "1=1"), params


@dataclass
class Params:
    threshold: Decimal
    window_days: int
    cash_limit: Decimal
    words: list[str]
    gift_cap: Decimal = Decimal("2000.00")


@dataclass
class Hit:
    rule: str
    key: str
    union_id: int
    org_path: str
    first_date: datetime.date
    amount: Decimal
    message: str
    line_ids: list[int] = field(default_factory=list)
    fund_return_id: int | None = None
    custom_rule_id: int | None = None


def cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def yuan(value) -> str:
    return f"{Decimal(value):,.2f}"


def _c(expr: str) -> str:
    """An amount in whole cents: exact integers on both databases."""
    return f"CAST(ROUND({expr} * 100) AS BIGINT)"


def _day(expr: str) -> str:
    """The window order key of a date: the date itself on PostgreSQL, its Julian day number on SQLite."""
    return expr if connection.vendor == "postgresql" else f"julianday({expr})"


def _frame(days: int, *, ahead: bool) -> str:
    """A RANGE frame of ``days`` days after (``ahead``) or before the current row's date, peers included."""
    offset = f"INTERVAL '{int(days)} days'" if connection.vendor == "postgresql" else str(int(days))
    return (f"RANGE BETWEEN CURRENT ROW AND {offset} FOLLOWING" if ahead
            else f"RANGE BETWEEN {offset} PRECEDING AND CURRENT ROW")


def _digits(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"{expr} ~ '^[0-9]+$'"
    return f"{expr} NOT GLOB '*[^0-9]*'"


def _to_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _union_rows(sql: str, params: list) -> list[tuple]:
    """The rows, with their second column (the union's path, which the lines carry, so the rules need no join with
    the vouchers) turned into the union's id: one look-up for the unions that have hits."""
    rows = _rows(sql, params)
    paths = sorted({r[1] for r in rows})
    ids: dict[str, int] = {}
    for i in range(0, len(paths), 1000):
        ids.update(Org.objects.filter(path__in=paths[i:i + 1000]).values_list("path", "id"))
    missing = [p for p in paths if p not in ids]
    if missing:  # a path not (or no longer) an org's: the voucher knows its union
        ids.update(Voucher.objects.filter(org_path__in=missing).values_list("org_path", "org_id").distinct())
    return [(r[0], ids[r[1]], *r[2:]) for r in rows if r[1] in ids]


# An expense line: a debit on an expenditure account that no reversing voucher has voided.
EXPENSE = "l.kind = 'expense' AND l.debit > 0 AND l.voided = %s"


def _base(region: Region, year: int, *, window: bool = False) -> tuple[str, list]:
    """The expense lines of the year in the region; for a per-line rule in an incremental scan, only the new ones
    (a rule over a window of lines, ``window``, reads the whole year of the unions the new lines touched)."""
    where, params = region.sql("l.org_path")
    sql = f"{EXPENSE} AND l.date >= %s AND l.date <= %s AND {where}"
    params = [False, datetime.date(year, 1, 1), datetime.date(year, 12, 31), *params]
    if region.new_ids and not window:
        sql += " AND l.id > %s AND l.id <= %s"
        params += list(region.new_ids)
    return sql, params


def _zh(fn):
    """Messages are stored in Chinese whatever the language of the request or command that ran the scan."""
    def wrapped(*args, **kwargs):
        with translation.override("zh-hans"):
            return fn(*args, **kwargs)
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@_zh
def duplicate_invoice(region: Region, year: int, p: Params) -> list[Hit]:
    """The same invoice (code and number; or a 20-digit number without a code) on two or more expense lines anywhere
    in the federation (the whole tree the union belongs to, any year): each such line of the year is flagged. The
    look-ups repeat the partial index's predicate (``invoice_number <> ''``) so PostgreSQL can use it."""
    where, params = _base(region, year, window=True)
    if region.new_ids:
        # Incremental: the lines (old or new) sharing an invoice with a new line.
        where += (f" AND EXISTS (SELECT 1 FROM {LINE} n WHERE n.id > %s AND n.id <= %s"  # noqa: S608
                  " AND n.invoice_number = l.invoice_number AND n.invoice_code = l.invoice_code)")
        params += list(region.new_ids)
    sql = f"""
        SELECT l.id, l.org_path AS org_id, l.org_path, l.date, l.debit, l.invoice_code, l.invoice_number,
               (SELECT COUNT(*) FROM {LINE} d WHERE d.invoice_number = l.invoice_number AND d.invoice_number <> ''
                   AND d.invoice_code = l.invoice_code AND d.kind = 'expense' AND d.debit > 0 AND d.voided = %s
                   AND substr(d.org_path, 1, 4) = substr(l.org_path, 1, 4)) AS n
        FROM {LINE} l
        WHERE {where} AND l.invoice_number <> ''
          AND (l.invoice_code <> '' OR (length(l.invoice_number) = 20 AND {_digits('l.invoice_number')}))
          AND EXISTS (SELECT 1 FROM {LINE} d WHERE d.invoice_number = l.invoice_number AND d.invoice_number <> ''
                      AND d.invoice_code = l.invoice_code AND d.id <> l.id AND d.kind = 'expense' AND d.debit > 0
                      AND d.voided = %s AND substr(d.org_path, 1, 4) = substr(l.org_path, 1, 4))
        ORDER BY l.date, l.id"""  # noqa: S608
    return dup_hits(_union_rows(sql, [False, *params, False]), year)


def dup_hits(rows, year: int) -> list[Hit]:
    """Rows (line id, union id, path, date, debit, invoice code, number, lines in the federation), in date order."""
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        groups[(row[1], row[5], row[6])].append(row)
    hits = []
    with_code, e_invoice = _("code %(code)s number %(number)s"), _("e-invoice number %(number)s")
    text = _("The same invoice (%(invoice)s) is on %(n)s expense lines in the federation; this union's "
             "%(mine)s line(s) total %(total)s yuan.")
    for (union_id, code, number), rows in groups.items():
        total = sum((Decimal(r[4]) for r in rows), Decimal("0"))
        invoice = with_code % {"code": code, "number": number} if code else e_invoice % {"number": number}
        hits.append(Hit("duplicate_invoice", f"{union_id}:{year}:{code}:{number}", union_id, rows[0][2],
                        _to_date(rows[0][3]), total,
                        text % {"invoice": invoice, "n": rows[0][7], "mine": len(rows), "total": yuan(total)},
                        [r[0] for r in rows]))
    return hits


@_zh
def split_purchase(region: Region, year: int, p: Params) -> list[Hit]:
    """Two or more expense lines of one union with the same counterparty and account, all dated within
    ``window_days`` consecutive days, each below T and together at or above T: every line of the group. Window
    functions, no self-join: each line opens a window of the next days (count and sum); a line is flagged when a
    window that reaches T covers it (the maximum of the windows that start within the days before it)."""
    where, params = _base(region, year, window=True)
    t = cents(p.threshold)
    last = p.window_days - 1
    part = "PARTITION BY org_id, account_id, counterparty"
    sql = f"""
        WITH c AS (
            SELECT l.id, l.org_path AS org_id, l.org_path, l.account_id, l.counterparty, l.date, {_c('l.debit')} AS amt
            FROM {LINE} l
            WHERE {where} AND l.counterparty <> '' AND {_c('l.debit')} < %s),
        w AS (
            SELECT c.*, COUNT(*) OVER ({part} ORDER BY {_day('date')} {_frame(last, ahead=True)}) AS n,
                   SUM(amt) OVER ({part} ORDER BY {_day('date')} {_frame(last, ahead=True)}) AS total
            FROM c),
        x AS (
            SELECT w.*, MAX(CASE WHEN n >= 2 AND total >= %s THEN 1 ELSE 0 END)
                        OVER ({part} ORDER BY {_day('date')} {_frame(last, ahead=False)}) AS hit
            FROM w)
        SELECT id, org_id, org_path, account_id, counterparty, date, amt FROM x WHERE hit = 1
        ORDER BY org_id, account_id, counterparty, date, id"""  # noqa: S608
    return split_hits(_union_rows(sql, [*params, t, t]), year, p)


def split_hits(rows, year: int, p: Params) -> list[Hit]:
    """Rows (line id, union id, path, account id, counterparty, date, cents) of the flagged lines, in the order
    (union, account, counterparty, date, id): consecutive lines at most ``window_days - 1`` days apart are a group."""
    last = p.window_days - 1
    paths = dict(Account.objects.filter(pk__in={r[3] for r in rows}).values_list("pk", "path"))
    text = _("%(n)s payments to %(cp)s on %(acc)s between %(start)s and %(end)s, each below the collective-decision "
             "threshold of %(t)s yuan, total %(total)s yuan within %(days)s days: a purchase split to stay under "
             "the threshold?")
    hits: list[Hit] = []
    cluster: list = []

    def flush():
        if not cluster:
            return
        first = cluster[0]
        total = Decimal(sum(r[6] for r in cluster)) / 100
        start, end = _to_date(first[5]), _to_date(cluster[-1][5])
        hits.append(Hit(
            "split_purchase", f"{first[1]}:{year}:{first[3]}:{_digest(first[4])}:{first[0]}", first[1], first[2],
            start, total,
            text % {"n": len(cluster), "cp": first[4], "acc": paths.get(first[3], ""),
                    "start": start.isoformat(), "end": end.isoformat(), "t": yuan(p.threshold),
                    "total": yuan(total), "days": p.window_days},
            [r[0] for r in cluster]))

    for r in rows:
        if cluster and ((r[1], r[3], r[4]) != (cluster[-1][1], cluster[-1][3], cluster[-1][4])
                        or (_to_date(r[5]) - _to_date(cluster[-1][5])).days > last):
            flush()
            cluster = []
        cluster.append(r)
    flush()
    return hits


def _per_line(rule: str, sql: str, params: list, year: int, message) -> list[Hit]:
    return [Hit(rule, f"{r[1]}:{year}:{r[0]}", r[1], r[2], _to_date(r[3]), Decimal(r[4]), message(r), [r[0]])
            for r in _union_rows(sql, params)]


LINE_COLUMNS = "l.id, l.org_path AS org_id, l.org_path, l.date, l.debit, l.summary, l.counterparty"
LINE_FROM = f"{LINE} l"


@_zh
def large_without_decision(region: Region, year: int, p: Params) -> list[Hit]:
    """An expense line of T or more with no collective decision reference."""
    where, params = _base(region, year)
    sql = (f"SELECT {LINE_COLUMNS} FROM {LINE_FROM} WHERE {where} AND {_c('l.debit')} >= %s "  # noqa: S608
           f"AND l.decision_ref = '' ORDER BY l.date, l.id")
    return _per_line("large_without_decision", sql, [*params, cents(p.threshold)], year, lambda r: _(
        "An expense of %(amount)s yuan (%(summary)s), at or above the collective-decision threshold of %(t)s yuan, "
        "has no collective decision reference.") % {"amount": yuan(r[4]), "summary": r[5], "t": yuan(p.threshold)})


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@_zh
def banned_item(region: Region, year: int, p: Params) -> list[Hit]:
    """An expense line whose summary holds a word of the banned list (case-insensitive for Latin letters)."""
    words = [w for w in p.words if w]
    if not words:
        return []
    where, params = _base(region, year)
    likes = " OR ".join(["UPPER(l.summary) LIKE %s ESCAPE '\\'"] * len(words))
    sql = f"SELECT {LINE_COLUMNS} FROM {LINE_FROM} WHERE {where} AND ({likes}) ORDER BY l.date, l.id"  # noqa: S608
    upper = [w.upper() for w in words]

    def message(r):
        found = [w for w, u in zip(words, upper, strict=True) if u in r[5].upper()]
        return _("The summary \"%(summary)s\" names a banned item (%(words)s): %(amount)s yuan.") % {
            "summary": r[5], "words": "、".join(found), "amount": yuan(r[4])}

    return _per_line("banned_item", sql, [*params, *[f"%{_like_escape(u)}%" for u in upper]], year, message)


@_zh
def cash_limit(region: Region, year: int, p: Params) -> list[Hit]:
    """An expense paid in cash (its voucher credits 库存现金) above the cash limit; exactly the limit is allowed."""
    where, params = _base(region, year)
    sql = (f"SELECT {LINE_COLUMNS} FROM {LINE_FROM} WHERE {where} AND l.pay_method = 'cash' "  # noqa: S608
           f"AND {_c('l.debit')} > %s ORDER BY l.date, l.id")
    return _per_line("cash_limit", sql, [*params, cents(p.cash_limit)], year, lambda r: _(
        "%(amount)s yuan (%(summary)s) was paid in cash, above the cash limit of %(limit)s yuan.") % {
        "amount": yuan(r[4]), "summary": r[5], "limit": yuan(p.cash_limit)})


@_zh
def holiday_gift_cap(region: Region, year: int, p: Params) -> list[Hit]:
    """A union's holiday-gift spending of the year, in date order, passing cap × its subtree's active members: the
    line that passes it and every later one. Members are counted when the scan runs, one correlated count per union
    that has holiday-gift lines (an index range scan on the members' path: a range, since a LIKE pattern built per row
    cannot use the index; the count is materialized so it runs once per union, not once per line)."""
    where, params = _base(region, year, window=True)
    sql = f"""
        WITH h AS (
            SELECT l.id, l.org_path AS org_id, l.org_path, l.date, {_c('l.debit')} AS amt,
                   SUM({_c('l.debit')}) OVER (PARTITION BY l.org_path ORDER BY l.date, l.id
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
            FROM {LINE} l JOIN {ACCOUNT} a ON a.id = l.account_id
            WHERE {where} AND a.path LIKE %s),
        u AS (SELECT org_id, MAX(org_path) AS p FROM h GROUP BY org_id),
        m AS MATERIALIZED (SELECT u.org_id, (SELECT COUNT(*) FROM {MEMBERSHIP} mm
                                             WHERE mm.org_path >= u.p AND mm.org_path < u.p || '~'
                                             AND mm.status = %s) AS n FROM u)
        SELECT h.id, h.org_id, h.org_path, h.date, h.amt, h.cum, m.n
        FROM h JOIN m ON m.org_id = h.org_id
        WHERE h.cum > m.n * %s
        ORDER BY h.org_id, h.date, h.id"""  # noqa: S608
    return holiday_hits(_union_rows(sql, [*params, f"%{GIFT_WORD}%", MembershipStatus.ACTIVE, cents(p.gift_cap)]),
                        year, p)


def holiday_hits(rows, year: int, p: Params) -> list[Hit]:
    """Rows (line id, union id, path, date, cents, running cents, active members) in (union, date, id) order."""
    by_union: dict[int, list] = defaultdict(list)
    for r in rows:
        by_union[r[1]].append(r)
    text = _("Holiday gifts reached %(spent)s yuan in %(year)s, past the cap of %(cap)s yuan "
             "(%(members)s active members × %(each)s yuan); the line that passed it on %(date)s and "
             "every later one are flagged.")
    hits = []
    for union_id, rs in by_union.items():
        members = rs[0][6]
        cap = p.gift_cap * members
        spent = Decimal(rs[-1][5]) / 100
        flagged = Decimal(sum(r[4] for r in rs)) / 100
        hits.append(Hit("holiday_gift_cap", f"{union_id}:{year}", union_id, rs[0][2], _to_date(rs[0][3]), flagged,
                        text % {"spent": yuan(spent), "year": year, "cap": yuan(cap), "members": members,
                                "each": yuan(p.gift_cap), "date": _to_date(rs[0][3]).isoformat()},
                        [r[0] for r in rs]))
    return hits


def _budget_ctes(region: Region, year: int, *, window: bool = False) -> tuple[str, list]:
    """CTEs ending in ``x``: the expense lines of unions with an approved budget for the year, each with the budget
    line that covers its account (``blid``): the most specific one whose account path is the line's account path or
    a whole-name prefix of it. The covering line is looked up once per (budget, account) pair, not per line."""
    where, params = _base(region, year, window=window)
    sql = f"""
        base AS (
            SELECT l.id, l.org_path AS org_id, l.org_path, l.date, {_c('l.debit')} AS amt, l.account_id, b.id AS bid
            FROM {LINE} l JOIN {BUDGET} b ON b.org_path = l.org_path AND b.year = %s AND b.state = %s
            WHERE {where}),
        pairs AS (SELECT DISTINCT bid, account_id FROM base),
        cand AS (
            SELECT p.bid, p.account_id, bl.id AS blid,
                   ROW_NUMBER() OVER (PARTITION BY p.bid, p.account_id ORDER BY length(ba.path) DESC) AS pos
            FROM pairs p JOIN {ACCOUNT} a ON a.id = p.account_id
                JOIN {BUDGET_LINE} bl ON bl.budget_id = p.bid JOIN {ACCOUNT} ba ON ba.id = bl.account_id
            WHERE ba.path = a.path OR substr(a.path, 1, length(ba.path) + 1) = ba.path || '-'),
        cov AS (
            SELECT p.bid, p.account_id, a.path AS apath, cand.blid
            FROM pairs p JOIN {ACCOUNT} a ON a.id = p.account_id
                LEFT JOIN cand ON cand.bid = p.bid AND cand.account_id = p.account_id AND cand.pos = 1),
        x AS (
            SELECT base.id, base.org_id, base.org_path, base.date, base.amt, cov.apath, cov.blid
            FROM base JOIN cov ON cov.bid = base.bid AND cov.account_id = base.account_id)"""  # noqa: S608
    return sql, [year, BudgetState.APPROVED, *params]


@_zh
def over_budget(region: Region, year: int, p: Params) -> list[Hit]:
    """On each budget line, the expense lines it covers in date order: the one at which the total passes the line's
    amount, and every later one."""
    ctes, params = _budget_ctes(region, year, window=True)
    sql = f"""
        WITH {ctes},
        y AS (SELECT x.*, SUM(x.amt) OVER (PARTITION BY x.blid ORDER BY x.date, x.id
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
              FROM x WHERE x.blid IS NOT NULL)
        SELECT y.id, y.org_id, y.org_path, y.date, y.amt, y.cum, y.blid, {_c('bl.amount')}, ba.path
        FROM y JOIN {BUDGET_LINE} bl ON bl.id = y.blid JOIN {ACCOUNT} ba ON ba.id = bl.account_id
        WHERE y.cum > {_c('bl.amount')}
        ORDER BY y.blid, y.date, y.id"""  # noqa: S608
    return over_hits(_union_rows(sql, params), year)


def over_hits(rows, year: int) -> list[Hit]:
    """Rows (line id, union id, path, date, cents, running cents, budget line id, its cents, its account's path) in
    (budget line, date, id) order."""
    groups: dict[int, list] = defaultdict(list)
    for r in rows:
        groups[r[6]].append(r)
    text = _("Spending on %(acc)s reached %(spent)s yuan, past its budget of %(budget)s yuan (by "
             "%(over)s yuan); the line that passed it on %(date)s and every later one are flagged.")
    hits = []
    for blid, rs in groups.items():
        budget = Decimal(rs[0][7]) / 100
        spent = Decimal(rs[-1][5]) / 100
        flagged = Decimal(sum(r[4] for r in rs)) / 100
        hits.append(Hit("over_budget", f"{rs[0][1]}:{year}:{blid}", rs[0][1], rs[0][2], _to_date(rs[0][3]), flagged,
                        text % {"acc": rs[0][8], "spent": yuan(spent), "budget": yuan(budget),
                                "over": yuan(spent - budget), "date": _to_date(rs[0][3]).isoformat()},
                        [r[0] for r in rs]))
    return hits


@_zh
def unbudgeted(region: Region, year: int, p: Params) -> list[Hit]:
    """An expense line on an account no budget line covers, in a union with an approved budget for the year."""
    ctes, params = _budget_ctes(region, year)
    sql = f"WITH {ctes} SELECT x.id, x.org_id, x.org_path, x.date, x.amt, x.apath FROM x WHERE x.blid IS NULL " \
          f"ORDER BY x.date, x.id"  # noqa: S608
    return [Hit("unbudgeted", f"{r[1]}:{year}:{r[0]}", r[1], r[2], _to_date(r[3]), Decimal(r[4]) / 100,
                _("%(amount)s yuan was spent on %(acc)s, which no line of the %(year)s budget covers.") % {
                    "amount": yuan(Decimal(r[4]) / 100), "acc": r[5], "year": year}, [r[0]])
            for r in _union_rows(sql, params)]


@_zh
def central_purchase(region: Region, year: int, p: Params) -> list[Hit]:
    """Office supplies (an account path holding 办公费 or 办公用品) paid to a counterparty that is not on the central
    purchasing list of the union's federations; inactive for a union none of whose federations keeps a list."""
    where, params = _base(region, year)
    sql = f"""
        SELECT {LINE_COLUMNS}, a.path FROM {LINE_FROM} JOIN {ACCOUNT} a ON a.id = l.account_id
        WHERE {where} AND (a.path LIKE %s OR a.path LIKE %s)
          AND EXISTS (SELECT 1 FROM {SUPPLIER} s WHERE s.active = %s
                      AND substr(l.org_path, 1, length(s.org_path)) = s.org_path)
          AND NOT EXISTS (SELECT 1 FROM {SUPPLIER} s WHERE s.active = %s AND s.name = l.counterparty
                          AND substr(l.org_path, 1, length(s.org_path)) = s.org_path)
        ORDER BY l.date, l.id"""  # noqa: S608
    return _per_line("central_purchase", sql,
                     [*params, *(f"%{w}%" for w in OFFICE_WORDS), True, True], year, lambda r: _(
        "%(amount)s yuan of office supplies (%(acc)s) was paid to %(cp)s, which is not on the central purchasing "
        "supplier list.") % {"amount": yuan(r[4]), "acc": r[7], "cp": r[6] or _("an unnamed counterparty")})


@_zh
def late_return(region: Region, year: int, p: Params, *, today: datetime.date) -> list[Hit]:
    """A fund return paid after its due date (5 working days after the receipt), or still unpaid past it, for
    the receipts of the year; the alert belongs to the union owed."""
    where, params = region.sql("r.union_path")
    sql = f"""
        SELECT r.id, r.union_id, r.union_path, r.receipt_on, r.amount, r.receipt_no, r.due_on, r.paid_on, o.name
        FROM {RETURN} r JOIN {ORG} o ON o.id = r.payer_id
        WHERE {where} AND r.receipt_on >= %s AND r.receipt_on <= %s
          AND ((r.paid_on IS NOT NULL AND r.paid_on > r.due_on) OR (r.paid_on IS NULL AND r.due_on < %s))
        ORDER BY r.receipt_on, r.id"""  # noqa: S608
    hits = []
    for r in _rows(sql, [*params, datetime.date(year, 1, 1), datetime.date(year, 12, 31), today]):
        due, paid = _to_date(r[6]), (_to_date(r[7]) if r[7] else None)
        vals = {"payer": r[8], "no": r[5], "amount": yuan(r[4]), "receipt": _to_date(r[3]).isoformat(),
                "due": due.isoformat()}
        text = (_("%(payer)s paid the return of %(amount)s yuan (receipt %(no)s, received %(receipt)s) on "
                  "%(paid)s, after its due date %(due)s.") % {**vals, "paid": paid.isoformat()} if paid else
                _("%(payer)s has not paid the return of %(amount)s yuan (receipt %(no)s, received %(receipt)s), "
                  "due on %(due)s.") % vals)
        hits.append(Hit("late_return", f"{r[1]}:{year}:return:{r[0]}", r[1], r[2], _to_date(r[3]), Decimal(r[4]),
                        text, [], fund_return_id=r[0]))
    return hits


RULES = {
    "duplicate_invoice": duplicate_invoice,
    "split_purchase": split_purchase,
    "large_without_decision": large_without_decision,
    "banned_item": banned_item,
    "cash_limit": cash_limit,
    "holiday_gift_cap": holiday_gift_cap,
    "over_budget": over_budget,
    "unbudgeted": unbudgeted,
    "central_purchase": central_purchase,
    "late_return": late_return,
}
