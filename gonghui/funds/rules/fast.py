"""The built-in rules at scale, on PostgreSQL: the same findings as ``builtin`` (which stays the SQLite path and
the reference), in about one read of the lines table.

- One pass for the per-line rules (``large_without_decision``, ``banned_item`` as one regular expression,
  ``cash_limit``, ``central_purchase``, ``unbudgeted``): a line comes back once with the rules it breaks.
- The budget line that covers a (budget, account) pair depends on the budget lines and the chart only: it is
  computed once from them (``cov``) and hash-joined to the lines, for ``unbudgeted`` and ``over_budget``.
- The rules over a window of lines first narrow the lines down: ``over_budget`` runs its running sums only for the
  budget lines whose year total passes their amount; ``duplicate_invoice`` reads the invoice index (an index-only
  GROUP BY) and fetches only the lines of invoices seen twice; ``holiday_gift_cap`` reads the holiday-gift accounts'
  lines only; ``split_purchase`` the expense lines with a counterparty below the threshold.
- An incremental scan (``Region.new_ids``) reads the new lines by their ids and their neighbours by index: the
  lines with the same invoice, with the same union, account and counterparty (``funds_line_expense_key``), on the
  accounts of the budget lines the new lines touched, and the holiday-gift lines of the unions they touched.
"""

import contextlib
import re
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from gonghui.funds.models import Account, BudgetState, Supplier
from gonghui.members.models import MembershipStatus

from . import totals
from .builtin import (
    ACCOUNT,
    BUDGET,
    BUDGET_LINE,
    GIFT_WORD,
    LINE,
    MEMBERSHIP,
    OFFICE_WORDS,
    SUPPLIER,
    VOUCHER,
    Hit,
    Params,
    Region,
    _to_date,
    cents,
    dup_hits,
    holiday_hits,
    over_hits,
    split_hits,
    yuan,
)

PER_LINE = ("large_without_decision", "banned_item", "cash_limit", "central_purchase", "unbudgeted")
ORG = "orgs_org"
# A live expense line (the predicate of the partial indexes on the lines table).
LIVE = "l.kind = 'expense' AND l.voided = false AND l.debit > 0"


def _rows(sql: str, params: list) -> list[tuple]:
    from . import builtin

    return builtin._rows(sql, params)  # through builtin, so a benchmark that wraps it sees every statement


def _union_ids(rows: list[tuple], col: int = 1) -> list[tuple]:
    """Column ``col`` (a union's path) of each row replaced by the union's id: one look-up for every path."""
    paths = sorted({r[col] for r in rows})
    if not paths:
        return []
    ids = dict(_rows(f"SELECT path, id FROM {ORG} WHERE path = ANY(%s)", [paths]))  # noqa: S608
    missing = [p for p in paths if p not in ids]
    if missing:  # a path not (or no longer) an org's: the voucher knows its union
        ids.update(_rows(f"SELECT DISTINCT org_path, org_id FROM {VOUCHER} WHERE org_path = ANY(%s)",  # noqa: S608
                         [missing]))
    return [(*r[:col], ids[r[col]], *r[col + 1:]) for r in rows if r[col] in ids]


def _where(region: Region, year: int, alias: str = "l", *, new: bool = True) -> tuple[str, list]:
    """The live expense lines of the year in the region (and, when ``new``, only an incremental scan's new ones)."""
    where, params = region.sql(f"{alias}.org_path")
    sql = f"{LIVE.replace('l.', alias + '.')} AND {alias}.date >= %s AND {alias}.date <= %s AND {where}"
    params = [f"{year}-01-01", f"{year}-12-31", *params]
    if new and region.new_ids:
        sql += f" AND {alias}.id > %s AND {alias}.id <= %s"
        params += list(region.new_ids)
    return sql, params


def _new_paths(region: Region) -> tuple[str, list]:
    """For an incremental scan: restrict a table's ``org_path`` to the unions of the new lines."""
    if not region.new_ids:
        return "", []
    return (f" AND b.org_path IN (SELECT n.org_path FROM {LINE} n WHERE n.id > %s AND n.id <= %s)",  # noqa: S608
            list(region.new_ids))


BUD, COV = "funds_scan_bud", "funds_scan_cov"
TOTAL = totals.TABLE


def prepare_budgets(region: Region, year: int) -> None:
    """Two temporary tables for the scan's transaction, computed once from the budgets, their lines and the chart
    (never from the ledger lines) and shared by ``unbudgeted`` and ``over_budget``: ``funds_scan_bud`` the unions
    of the region with an approved budget for the year, ``funds_scan_cov`` (union, account) → the budget line that
    covers it (the most specific line whose account path is the account's path or a whole-name prefix of it).
    Real tables, analyzed, so the planner hash-joins the lines to them (a hashed NOT IN needs the whole set in
    work_mem, and an estimated CTE made it sort the lines for merge joins)."""
    where, params = region.sql("b.org_path")
    extra, extra_params = _new_paths(region)
    budgets = (f"SELECT b.id AS bid, b.org_path FROM {BUDGET} b "  # noqa: S608
               f"WHERE b.year = %s AND b.state = %s AND {where}{extra}")
    bparams = [year, BudgetState.APPROVED, *params, *extra_params]
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{BUD}, pg_temp.{COV}")
        cur.execute(f"CREATE TEMP TABLE {BUD} ON COMMIT DROP AS {budgets}", bparams)
        cur.execute(f"""
            CREATE TEMP TABLE {COV} ON COMMIT DROP AS
            WITH anc AS MATERIALIZED (
                SELECT a.id AS aid, ba.id AS baid, length(ba.path) AS depth
                FROM {ACCOUNT} a JOIN {ACCOUNT} ba ON a.path = ba.path OR starts_with(a.path, ba.path || '-'))
            SELECT DISTINCT ON (bl.budget_id, anc.aid) bud.org_path, anc.aid AS account_id, bl.id AS blid,
                   bl.amount, bl.account_id AS bl_account
            FROM {BUD} bud JOIN {BUDGET_LINE} bl ON bl.budget_id = bud.bid JOIN anc ON anc.baid = bl.account_id
            ORDER BY bl.budget_id, anc.aid, anc.depth DESC""")  # noqa: S608
        cur.execute(f"ANALYZE {BUD}, {COV}")


def _accounts(word_like: tuple[str, ...]) -> dict[int, str]:
    q = Account.objects.none()
    for w in word_like:
        q = q | Account.objects.filter(path__contains=w)
    return dict(q.values_list("pk", "path"))


def _supplier_sql() -> tuple[str, list] | None:
    """Whether a line's union has a central purchasing list above it and its counterparty is not on any of those
    lists, as a condition on ``l`` (one hashed look-up per depth of the federations that keep a list)."""
    owners = sorted(set(Supplier.objects.filter(active=True).values_list("org_path", flat=True)))
    if not owners:
        return None
    by_len: dict[int, list[str]] = defaultdict(list)
    for o in owners:
        by_len[len(o)].append(o)
    has = " OR ".join([f"substr(l.org_path, 1, {n}) = ANY(%s)" for n in by_len])
    listed = " AND ".join([
        f"(substr(l.org_path, 1, {n}), l.counterparty::text) NOT IN (SELECT s.org_path::text, s.name::text "  # noqa: S608
        f"FROM {SUPPLIER} s WHERE s.active AND length(s.org_path) = {n})" for n in by_len])
    return f"({has}) AND {listed}", list(by_len.values())


def per_line(region: Region, year: int, rules: list[str], p: Params) -> dict[str, list[Hit]]:
    """The per-line rules in one read of the lines: each line that breaks one comes back once, with the rules."""
    wanted = [r for r in PER_LINE if r in rules]
    words = [w for w in p.words if w]
    office = _accounts(OFFICE_WORDS) if "central_purchase" in wanted else {}
    supplier = _supplier_sql() if office else None
    flags, fparams = [], []
    if "large_without_decision" in wanted:
        flags.append("l.debit >= %s AND l.decision_ref = ''")
        fparams.append(cents(p.threshold) / Decimal(100))
    else:
        flags.append("false")
    if "banned_item" in wanted and words:
        flags.append("upper(l.summary) ~ %s")
        fparams.append("|".join(re.escape(w.upper()) for w in words))
    else:
        flags.append("false")
    if "cash_limit" in wanted:
        flags.append("l.pay_method = 'cash' AND l.debit > %s")
        fparams.append(cents(p.cash_limit) / Decimal(100))
    else:
        flags.append("false")
    if supplier:
        flags.append(f"l.account_id = ANY(%s) AND {supplier[0]}")
        fparams += [list(office), *supplier[1]]
    else:
        flags.append("false")
    # The union has a budget, and no budget line covers (union, account): for an incremental scan two hash joins of
    # the new lines to the prepared tables; a full scan finds the uncovered pairs from the expense totals instead
    # and reads only their lines (``unbudgeted_rows``), so its one read of the lines joins nothing.
    budget = "unbudgeted" in wanted and bool(region.new_ids)
    flags.append("bud.org_path IS NOT NULL AND cov.blid IS NULL" if budget else "false")
    extra = unbudgeted_rows(region, year) if "unbudgeted" in wanted and not region.new_ids else []
    if all(f == "false" for f in flags) and not extra:
        return {}
    where, params = _where(region, year)
    joins = (f"LEFT JOIN {BUD} bud ON bud.org_path = l.org_path "
             f"LEFT JOIN {COV} cov ON cov.org_path = l.org_path AND cov.account_id = l.account_id") if budget else ""
    cols = ", ".join(f"({f}) AS f{i}" for i, f in enumerate(flags))
    sql = f"""
        SELECT id, org_path, org_path, date, debit, summary, counterparty, account_id, f0, f1, f2, f3, f4 FROM (
            SELECT l.id, l.org_path, l.date, l.debit, l.summary, l.counterparty, l.account_id, {cols}
            FROM {LINE} l {joins}
            WHERE {where} OFFSET 0) x
        WHERE {' OR '.join(f'f{i}' for i, f in enumerate(flags) if f != 'false')}
        ORDER BY date, id"""  # noqa: S608
    rows = _union_ids(_rows(sql, [*fparams, *params])) if any(f != "false" for f in flags) else []
    rows += extra
    need = {r[7] for r in rows if r[11] or r[12]}
    paths = dict(Account.objects.filter(pk__in=need).values_list("pk", "path")) if need else {}
    t_large = _("An expense of %(amount)s yuan (%(summary)s), at or above the collective-decision threshold of "
                "%(t)s yuan, has no collective decision reference.")
    t_banned = _("The summary \"%(summary)s\" names a banned item (%(words)s): %(amount)s yuan.")
    t_cash = _("%(amount)s yuan (%(summary)s) was paid in cash, above the cash limit of %(limit)s yuan.")
    t_central = _("%(amount)s yuan of office supplies (%(acc)s) was paid to %(cp)s, which is not on the central "
                  "purchasing supplier list.")
    t_unbudgeted = _("%(amount)s yuan was spent on %(acc)s, which no line of the %(year)s budget covers.")
    unnamed = _("an unnamed counterparty")
    threshold, limit = yuan(p.threshold), yuan(p.cash_limit)
    upper = [(w, w.upper()) for w in words]
    found: dict[str, list[Hit]] = defaultdict(list)
    for lid, union_id, path, date, debit, summary, cp, _acc, large, banned, cash, central, unbud in rows:
        date, amount, key = _to_date(date), yuan(debit), f"{union_id}:{year}:{lid}"
        if large:
            found["large_without_decision"].append(Hit("large_without_decision", key, union_id, path, date, debit,
                                                       t_large % {"amount": amount, "summary": summary,
                                                                  "t": threshold}, [lid]))
        if banned:
            up = summary.upper()
            found["banned_item"].append(Hit("banned_item", key, union_id, path, date, debit, t_banned % {
                "summary": summary, "words": "、".join(w for w, u in upper if u in up), "amount": amount}, [lid]))
        if cash:
            found["cash_limit"].append(Hit("cash_limit", key, union_id, path, date, debit, t_cash % {
                "amount": amount, "summary": summary, "limit": limit}, [lid]))
        if central:
            found["central_purchase"].append(Hit("central_purchase", key, union_id, path, date, debit, t_central % {
                "amount": amount, "acc": paths.get(_acc, ""), "cp": cp or unnamed}, [lid]))
        if unbud:
            found["unbudgeted"].append(Hit("unbudgeted", key, union_id, path, date, debit, t_unbudgeted % {
                "amount": amount, "acc": paths.get(_acc, ""), "year": year}, [lid]))
    return found


def unbudgeted_rows(region: Region, year: int) -> list[tuple]:
    """For a full scan: the (union, account) pairs with spending in the year (``funds_expense_total``) in a union
    with an approved budget that no budget line covers, then only their lines (by the index
    ``funds_line_expense_key``), as rows of ``per_line`` with only the ``unbudgeted`` flag. Needs
    ``prepare_budgets``."""
    where, params = _where(region, year, new=False)
    twhere, tparams = region.sql("t.org_path")
    sql = f"""
        WITH miss AS MATERIALIZED (
            SELECT t.org_path, t.account_id FROM {TOTAL} t
            WHERE t.year = %s AND t.total > 0 AND {twhere}
              AND t.org_path IN (SELECT bud.org_path FROM {BUD} bud)
              AND NOT EXISTS (SELECT 1 FROM {COV} cov WHERE cov.org_path = t.org_path
                              AND cov.account_id = t.account_id))
        SELECT l.id, l.org_path, l.org_path, l.date, l.debit, l.summary, l.counterparty, l.account_id,
               false, false, false, false, true
        FROM miss CROSS JOIN LATERAL (
            SELECT l.* FROM {LINE} l
            WHERE l.org_path = miss.org_path AND l.account_id = miss.account_id AND {where} OFFSET 0) l
        ORDER BY l.date, l.id"""  # noqa: S608
    return _union_ids(_rows(sql, [year, *tparams, *params]))


# An incremental scan of more new lines than this (an import) reads whole what a lookup per new line would read
# many times over: the invoice index once, the touched unions' year. A day's lines (30,000 at 10 M, measured on the
# bulk path at 20,000: 38 s, two reads of the invoices and unions) stay on the lookups.
BULK = 200_000


def bulk(region: Region) -> bool:
    return bool(region.new_ids) and region.new_ids[1] - region.new_ids[0] > BULK


def duplicate_invoice(region: Region, year: int, p: Params) -> list[Hit]:
    """Invoices seen twice: from the invoice index alone (an index-only GROUP BY over the partial index
    ``funds_line_invoice``), or for an incremental scan the invoices of the new lines; then only their lines."""
    touched, tparams = "", []
    if region.new_ids and not bulk(region):
        dup = (f"SELECT DISTINCT l.invoice_number, l.invoice_code FROM {LINE} l "  # noqa: S608
               f"WHERE l.id > %s AND l.id <= %s AND l.invoice_number <> '' AND l.kind = 'expense' "
               f"AND l.voided = false")
        dparams = list(region.new_ids)
    else:
        dup = (f"SELECT l.invoice_number, l.invoice_code FROM {LINE} l "  # noqa: S608
               f"WHERE l.invoice_number <> '' AND l.kind = 'expense' AND l.voided = false "
               f"GROUP BY l.invoice_number, l.invoice_code HAVING count(*) > 1")
        dparams = []
        if region.new_ids:  # a bulk of new lines: the invoices seen twice, kept where a new line holds one
            touched = (", bool_or(l.id > %s AND l.id <= %s) OVER (PARTITION BY l.invoice_number, l.invoice_code) "
                       "AS touched")
            tparams = list(region.new_ids)
    where, params = region.sql("d.org_path")
    where = f"d.date >= %s AND d.date <= %s AND {where}"
    params = [f"{year}-01-01", f"{year}-12-31", *params]
    sql = f"""
        WITH dup AS MATERIALIZED ({dup}),
        d AS (
            SELECT l.id, l.org_path, l.date, l.debit, l.invoice_code, l.invoice_number,
                   count(*) OVER (PARTITION BY l.invoice_number, l.invoice_code, substr(l.org_path, 1, 4)) AS n
                   {touched}
            FROM dup JOIN {LINE} l ON l.invoice_number = dup.invoice_number AND l.invoice_code = dup.invoice_code
            WHERE l.invoice_number <> '' AND {LIVE})
        SELECT d.id, d.org_path, d.org_path, d.date, d.debit, d.invoice_code, d.invoice_number, d.n FROM d
        WHERE d.n > 1 AND {where} {'AND d.touched' if touched else ''}
          AND (d.invoice_code <> '' OR (length(d.invoice_number) = 20 AND d.invoice_number ~ '^[0-9]+$'))
        ORDER BY d.date, d.id"""  # noqa: S608
    return dup_hits(_union_ids(_rows(sql, [*dparams, *tparams, *params])), year)


def split_purchase(region: Region, year: int, p: Params) -> list[Hit]:
    """Window functions over the expense lines with a counterparty below T; for an incremental scan only the
    (union, account, counterparty) groups of the new lines, read whole by the index ``funds_line_expense_key``."""
    t = cents(p.threshold)
    last = p.window_days - 1
    where, params = _where(region, year, new=False)
    if region.new_ids and bulk(region):  # a bulk of new lines (an import): the touched unions' year, by index
        nwhere, nparams = _where(region, year, "n")
        source = f"""
            g AS MATERIALIZED (SELECT DISTINCT n.org_path FROM {LINE} n WHERE {nwhere}),
            c AS (SELECT l.id, l.org_path, l.account_id, l.counterparty, l.date, CAST(l.debit * 100 AS BIGINT) AS amt
                  FROM g JOIN {LINE} l ON l.org_path = g.org_path
                  WHERE {where} AND l.counterparty <> '' AND l.debit * 100 < %s)"""  # noqa: S608
        sparams = [*nparams, *params, t]
    elif region.new_ids:
        nwhere, nparams = _where(region, year, "n")
        source = f"""
            g AS MATERIALIZED (SELECT DISTINCT n.org_path, n.account_id, n.counterparty FROM {LINE} n
                               WHERE {nwhere} AND n.counterparty <> '' AND n.debit * 100 < %s),
            c AS (SELECT l.id, l.org_path, l.account_id, l.counterparty, l.date, CAST(l.debit * 100 AS BIGINT) AS amt
                  FROM g JOIN {LINE} l ON l.org_path = g.org_path AND l.account_id = g.account_id
                      AND l.counterparty = g.counterparty
                  WHERE {where} AND l.counterparty <> '' AND l.debit * 100 < %s)"""  # noqa: S608
        sparams = [*nparams, t, *params, t]
    else:
        # Most (union, account, counterparty) keys have one line: the keys with two lines or more are found first
        # from the index ``funds_line_expense_key`` alone (an index-only scan in key order, grouped as it goes,
        # no sort or hash of every key), and only their lines are read, then kept when the key's lines below T
        # sum to T or more (a window of days cannot sum to more than the whole year).
        kwhere, kparams = _where(region, year, "k", new=False)
        source = f"""
            g AS MATERIALIZED (SELECT k.org_path, k.account_id, k.counterparty FROM {LINE} k
                               WHERE {kwhere} AND k.counterparty <> ''
                               GROUP BY k.org_path, k.account_id, k.counterparty HAVING count(*) > 1),
            s AS (SELECT l.id, l.org_path, l.account_id, l.counterparty, l.date, CAST(l.debit * 100 AS BIGINT) AS amt,
                         SUM(CAST(l.debit * 100 AS BIGINT)) OVER (PARTITION BY l.org_path, l.account_id,
                                                                  l.counterparty) AS year_total
                  FROM g JOIN {LINE} l ON l.org_path = g.org_path AND l.account_id = g.account_id
                      AND l.counterparty = g.counterparty
                  WHERE {where} AND l.debit * 100 < %s),
            c AS (SELECT id, org_path, account_id, counterparty, date, amt FROM s WHERE year_total >= %s)
        """  # noqa: S608
        sparams = [*kparams, *params, t, t]
    # Every line is below T, so a window that reaches T holds two lines or more: no count needed.
    part = "PARTITION BY org_path, account_id, counterparty ORDER BY date"
    ahead = f"RANGE BETWEEN CURRENT ROW AND INTERVAL '{int(last)} days' FOLLOWING"
    behind = f"RANGE BETWEEN INTERVAL '{int(last)} days' PRECEDING AND CURRENT ROW"
    sql = f"""
        WITH {source},
        w AS (SELECT c.*, SUM(amt) OVER ({part} {ahead}) AS total FROM c),
        x AS (SELECT w.*, MAX(CASE WHEN total >= %s THEN 1 ELSE 0 END) OVER ({part} {behind}) AS hit FROM w)
        SELECT id, org_path, org_path, account_id, counterparty, date, amt FROM x WHERE hit = 1
        ORDER BY org_path, account_id, counterparty, date, id"""  # noqa: S608
    if region.new_ids:
        return split_hits(_union_ids(_rows(sql, [*sparams, t])), year, p)
    # The estimates of the key groups are far off (a few thousand keys of two lines among hundreds of
    # thousands): left alone the planner hashes every key from a sequential scan and hash-joins a second one.
    with _planner(enable_hashagg="off", enable_seqscan="off", enable_hashjoin="off"):
        return split_hits(_union_ids(_rows(sql, [*sparams, t])), year, p)


@contextlib.contextmanager
def _planner(**settings: str):
    """Planner settings for the statements inside, put back as they were after (within the transaction)."""
    names = list(settings)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
        before = cur.fetchone()
        cur.execute(f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(names))}",
                    [v for n in names for v in (n, settings[n])])
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(names))}",
                        [v for n, b in zip(names, before, strict=True) for v in (n, b)])


def holiday_gift_cap(region: Region, year: int, p: Params) -> list[Hit]:
    """The holiday-gift lines only (by account id); for an incremental scan only the unions with a new one."""
    gifts = list(_accounts((GIFT_WORD,)))
    if not gifts:
        return []
    where, params = _where(region, year, new=False)
    if region.new_ids:
        nwhere, nparams = _where(region, year, "n")
        source = (f"JOIN (SELECT DISTINCT n.org_path FROM {LINE} n WHERE {nwhere} "  # noqa: S608
                  f"AND n.account_id = ANY(%s)) g ON g.org_path = l.org_path")
        sparams = [*nparams, gifts]
    else:
        source, sparams = "", []
    sql = f"""
        WITH h AS (
            SELECT l.id, l.org_path, l.date, CAST(l.debit * 100 AS BIGINT) AS amt,
                   SUM(CAST(l.debit * 100 AS BIGINT)) OVER (PARTITION BY l.org_path ORDER BY l.date, l.id
                                                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
            FROM {LINE} l {source}
            WHERE {where} AND l.account_id = ANY(%s)),
        u AS (SELECT org_path AS p FROM h GROUP BY org_path),
        m AS MATERIALIZED (SELECT u.p, (SELECT COUNT(*) FROM {MEMBERSHIP} mm
                                        WHERE mm.org_path >= u.p AND mm.org_path < u.p || '~'
                                        AND mm.status = %s) AS n FROM u)
        SELECT h.id, h.org_path, h.org_path, h.date, h.amt, h.cum, m.n
        FROM h JOIN m ON m.p = h.org_path
        WHERE h.cum > m.n * %s
        ORDER BY h.org_path, h.date, h.id"""  # noqa: S608
    rows = _rows(sql, [*sparams, *params, gifts, MembershipStatus.ACTIVE, cents(p.gift_cap)])
    return holiday_hits(_union_ids(rows), year, p)


def over_budget(region: Region, year: int, p: Params) -> list[Hit]:
    """Running sums only on the budget lines whose year total passes their amount (one GROUP BY finds them); for
    an incremental scan only on the budget lines the new lines fall on, their lines read by index (union,
    account). Needs ``prepare_budgets``."""
    where, params = _where(region, year, new=False)
    if region.new_ids:
        nwhere, nparams = _where(region, year, "n")
        touched = f"""
            t AS MATERIALIZED (SELECT DISTINCT cov.blid FROM {LINE} n
                               JOIN {COV} cov ON cov.org_path = n.org_path AND cov.account_id = n.account_id
                               WHERE {nwhere}),"""  # noqa: S608
        source = f"t JOIN {COV} cov ON cov.blid = t.blid"
    else:
        touched, nparams = "", []
        source = f"{COV} cov"
    # A budget line's spending: the kept totals of the (union, account) pairs it covers (``funds_expense_total``),
    # not a sum over their lines.
    # Only the pairs with spending count (and have lines to read).
    sql = f"""
        WITH {touched}
        ct AS (
            SELECT cov.org_path, cov.account_id, cov.blid, cov.amount, cov.bl_account,
                   SUM(e.total) OVER (PARTITION BY cov.blid) AS spent
            FROM {source}
                JOIN {TOTAL} e ON e.org_path = cov.org_path AND e.account_id = cov.account_id AND e.year = %s
            WHERE e.total > 0),
        o AS MATERIALIZED (
            SELECT ct.org_path, ct.account_id, ct.blid, ct.amount, ct.bl_account FROM ct WHERE ct.spent > ct.amount),
        y AS (
            SELECT l.id, l.org_path, l.date, l.amt, o.blid, o.amount, o.bl_account,
                   SUM(l.amt) OVER (PARTITION BY o.blid ORDER BY l.date, l.id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
            FROM o CROSS JOIN LATERAL (  -- the lines of the few budget lines over their amount, by index
                SELECT l.id, l.org_path, l.date, CAST(l.debit * 100 AS BIGINT) AS amt FROM {LINE} l
                WHERE l.org_path = o.org_path AND l.account_id = o.account_id AND {where} OFFSET 0) l)
        SELECT y.id, y.org_path, y.org_path, y.date, y.amt, y.cum, y.blid, CAST(y.amount * 100 AS BIGINT),
               y.bl_account
        FROM y WHERE y.cum > CAST(y.amount * 100 AS BIGINT)
        ORDER BY y.blid, y.date, y.id"""  # noqa: S608
    rows = _rows(sql, [*nparams, year, *params])
    accounts = dict(Account.objects.filter(pk__in={r[8] for r in rows}).values_list("pk", "path")) if rows else {}
    return over_hits(_union_ids([(*r[:8], accounts.get(r[8], "")) for r in rows]), year)


def collect(region: Region, year: int, rules: list[str], p: Params, caps: list[tuple[Region, Decimal]],
            found: dict[str, list[Hit]]) -> None:
    """Every hit of ``rules`` (built-in, but for late returns) in the region, added to ``found`` by rule. Inside the
    scan's transaction (the budget tables are temporary)."""
    if "unbudgeted" in rules or "over_budget" in rules:
        prepare_budgets(region, year)
    for rule, hits in per_line(region, year, rules, p).items():
        found[rule] += hits
    if "duplicate_invoice" in rules:
        found["duplicate_invoice"] += duplicate_invoice(region, year, p)
    if "split_purchase" in rules:
        found["split_purchase"] += split_purchase(region, year, p)
    if "over_budget" in rules:
        found["over_budget"] += over_budget(region, year, p)
    if "holiday_gift_cap" in rules:
        for sub, cap in caps:
            found["holiday_gift_cap"] += holiday_gift_cap(sub, year, Params(**{**p.__dict__, "gift_cap": cap}))
