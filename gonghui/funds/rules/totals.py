"""Expense totals by (union, account, year), kept on PostgreSQL as lines are written, for the rule engine's fast path.

``funds_expense_total`` holds, for every union path, account and calendar year, the sum of the debits of the live
expense lines (``kind = 'expense' AND voided = false AND debit > 0``, the predicate every rule reads). Statement
triggers on ``funds_voucherline`` keep it in the writing transaction, whoever writes: the posting services (ORM
inserts), the journal import (COPY), a reversal (``voided`` set), a subtree move (``org_path`` rewritten), a draft
deleted. Each statement adds its rows' debits grouped by key (the transition tables), in key order so that two
writers lock the keys they share in the same order.

``over_budget`` then sums a budget line's spending from the totals of the (union, account) pairs it covers instead
of from every line, and ``unbudgeted`` finds the pairs no budget line covers from the totals and reads only their
lines. The table is not a model: SQLite (the reference path, ``builtin``) sums the lines and has no such table.
"""

TABLE = "funds_expense_total"
LINE = "funds_voucherline"
LIVE = "r.kind = 'expense' AND r.voided = false AND r.debit > 0"


def _delta(source: str, sign: str) -> str:
    return (f"SELECT r.org_path, r.account_id, CAST(EXTRACT(YEAR FROM r.date) AS integer) AS year, "  # noqa: S608
            f"{sign}r.debit AS amount FROM {source} r WHERE {LIVE}")


def _upsert(rows: str) -> str:
    return (f"INSERT INTO {TABLE} AS t (org_path, account_id, year, total) "  # noqa: S608
            f"SELECT org_path, account_id, year, SUM(amount) FROM ({rows}) d "
            f"GROUP BY org_path, account_id, year HAVING SUM(amount) <> 0 ORDER BY org_path, account_id, year "
            f"ON CONFLICT (org_path, account_id, year) DO UPDATE SET total = t.total + EXCLUDED.total")


def _function(name: str, body: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$")


INSTALL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        org_path varchar(255) COLLATE "C" NOT NULL,
        account_id bigint NOT NULL,
        year integer NOT NULL,
        total numeric(18, 2) NOT NULL,
        PRIMARY KEY (org_path, account_id, year))""",
    _function(f"{TABLE}_ins", _upsert(_delta("new_rows", ""))),
    _function(f"{TABLE}_del", _upsert(_delta("old_rows", "-"))),
    _function(f"{TABLE}_upd", _upsert(f"{_delta('new_rows', '')} UNION ALL {_delta('old_rows', '-')}")),
    _function(f"{TABLE}_trunc", f"TRUNCATE {TABLE}"),
    f"DROP TRIGGER IF EXISTS {TABLE}_ins ON {LINE}",
    f"CREATE TRIGGER {TABLE}_ins AFTER INSERT ON {LINE} REFERENCING NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_ins()",
    f"DROP TRIGGER IF EXISTS {TABLE}_del ON {LINE}",
    f"CREATE TRIGGER {TABLE}_del AFTER DELETE ON {LINE} REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_del()",
    f"DROP TRIGGER IF EXISTS {TABLE}_upd ON {LINE}",
    f"CREATE TRIGGER {TABLE}_upd AFTER UPDATE ON {LINE} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_upd()",
    f"DROP TRIGGER IF EXISTS {TABLE}_trunc ON {LINE}",
    f"CREATE TRIGGER {TABLE}_trunc AFTER TRUNCATE ON {LINE} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_trunc()",
]

REMOVE = [
    *[f"DROP TRIGGER IF EXISTS {TABLE}_{op} ON {LINE}" for op in ("ins", "del", "upd", "trunc")],
    *[f"DROP FUNCTION IF EXISTS {TABLE}_{op}()" for op in ("ins", "del", "upd", "trunc")],
    f"DROP TABLE IF EXISTS {TABLE}",
]


def rebuild(connection) -> None:
    """The totals summed again from every line (after a load that bypassed the triggers, or to check them)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cur.execute(_upsert(_delta(LINE, "")))
        cur.execute(f"ANALYZE {TABLE}")


def install(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for sql in INSTALL:
            cur.execute(sql)
    rebuild(connection)


def remove(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for sql in REMOVE:
            cur.execute(sql)


def drift(connection) -> list[tuple]:
    """Keys whose kept total differs from the lines' sum (empty when the triggers kept up): for tests and checks."""
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT coalesce(s.org_path, t.org_path), coalesce(s.account_id, t.account_id), coalesce(s.year, t.year),
                   s.total, t.total
            FROM (SELECT org_path, account_id, year, SUM(amount) AS total FROM ({_delta(LINE, '')}) d
                  GROUP BY org_path, account_id, year) s
            FULL JOIN (SELECT * FROM {TABLE} WHERE total <> 0) t
                ON t.org_path = s.org_path AND t.account_id = s.account_id AND t.year = s.year
            WHERE s.total IS DISTINCT FROM t.total""")  # noqa: S608
        return cur.fetchall()
