"""The PostgreSQL path of the journal import: the vouchers and their lines are written by COPY as they are checked,
in the import's transaction (holding the book lock), and the transaction is rolled back when any row is refused,
so the file is read once and the database works on the lines while Python checks the next ones.

A voucher is written when it is complete (its lines are contiguous in a journal; a number seen again is refused):
its total, date, attachments and payment method are known then. Complete vouchers are gathered in blocks; a
writer thread COPYs each block, its vouchers first, then their lines, on the import's own connection, while this
thread reads and checks the next rows. The foreign keys of the two tables (line → voucher, account, decision;
voucher → book, union, user) are made IMMEDIATE for the import, so PostgreSQL checks each block's rows at the end
of its COPY, alongside the checking of the next block, instead of all of them at commit after the last row.

Ids for the vouchers are drawn from their sequence ahead of need (by the writer, between blocks). A new
sub-account is created when it is first met: that needs the connection, so the writer is let run dry first. The
writer is the only user of the connection while a block is in flight; anything else waits for it (``drain``)."""

import queue
import threading
from collections import deque
from concurrent.futures import Future

from django.db import connection

from ..models import Account, Voucher, VoucherLine, VoucherSource
from .reading import Planned

ID_BLOCK = 20_000  # voucher ids drawn at a time
ID_LOW = 8_000  # draw the next ids when fewer are left
BLOCK_LINES = 10_000  # lines a COPY block holds (its vouchers are COPYed just before)
QUEUE_BLOCKS = 3  # blocks waiting for the writer: the reading runs at most this far ahead of the database
LINE_COLUMNS = ("voucher_id", "org_path", "date", "pay_method", "voided", "line_no", "account_id", "kind",
                "summary", "debit", "credit", "counterparty", "invoice_code", "invoice_number", "decision_ref",
                "decision_id")
VOUCHER_COLUMNS = ("id", "book_id", "org_id", "org_path", "year", "source", "source_ref", "reverses_id",
                   "reversal_reason", "created_by_id", "created_at", "word", "number", "date", "total",
                   "attachment_count")
_NO_DECISION = ("\t\\N", 1)  # decision_ref, decision_id
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text value as COPY's text format reads it (backslash, tab and line breaks escaped)."""
    return value.translate(_ESCAPES)


class _Stop:
    pass


class Writer:
    """A thread that runs the COPYs (and the sequence draws) queued by ``submit``, in order, on the connection's
    psycopg connection. The first error stops it; ``check`` raises it in the caller's thread (through Django's
    error wrapper, so a psycopg IntegrityError is Django's)."""

    def __init__(self, raw):
        self._raw = raw
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_BLOCKS)
        self._error: BaseException | None = None
        self._failed = False  # once a job failed (or the reading gave up), the jobs left are skipped
        self._thread = threading.Thread(target=self._run, name="journal-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self._raw.cursor() as cursor:
            while True:
                job = self._queue.get()
                try:
                    if job is _Stop:
                        return
                    if not self._failed:
                        job(cursor)
                except BaseException as exc:  # handed to the reading thread, which raises it
                    self._error, self._failed = exc, True
                finally:
                    self._queue.task_done()

    def submit(self, job) -> None:
        self.check()
        self._queue.put(job)

    def drain(self) -> None:
        """Wait until every queued job has run (the connection is free then), and raise the first error."""
        self._queue.join()
        self.check()

    def check(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            with connection.wrap_database_errors:
                raise error

    def close(self, *, abandon: bool = False) -> None:
        """Stop the thread once the jobs before have run (``abandon``: skip those not begun)."""
        if abandon:
            self._failed = True
        self._queue.put(_Stop)
        self._thread.join()


class LineStream:
    """Takes the checked lines (``add``, with their voucher's running totals) and writes them voucher by voucher
    in blocks, until the first refused row: from then on it only lets the check go on (the transaction is rolled
    back). ``existing``: the (word, number) of the vouchers already in the book, which are never written (the
    check reports them)."""

    def __init__(self, *, result, org, accounts, decisions: dict, book, existing: set, user_id, source_ref: str,
                 now):
        self.result, self.org, self.accounts, self.decisions = result, org, accounts, decisions
        self.book, self.existing = book, existing
        self.voucher_ids: dict[tuple[str, int], int] = {}
        self.first_voucher_id = self.last_voucher_id = None
        self.created: dict[str, Account] = {}
        self.stopped = False
        self._ids: deque[int] = deque()
        self._next_ids: Future | None = None
        self._key = self._voucher = None
        self._lines: list = []
        self._block_vouchers: list[str] = []
        self._block_lines: list[str] = []
        self._days: dict = {}
        self._refs: dict[int, str] = {}  # id(account) -> "account_id\tkind"
        self._decisions: dict[str, tuple[str, int]] = {}  # ref -> (its two columns, backslashes in them)
        self._constraints: list[str] = []
        self._writer: Writer | None = None
        qn = connection.ops.quote_name
        path = copy_text(org.path)
        self._path = path
        self._voucher_head = "\t".join((str(book.pk), str(org.pk), path, str(result.year), VoucherSource.IMPORT,
                                        copy_text(source_ref), "\\N", "", str(user_id) if user_id else "\\N",
                                        now.isoformat()))
        self._line_sql = (f"COPY {qn(VoucherLine._meta.db_table)} "
                          f"({', '.join(qn(VoucherLine._meta.get_field(a).column) for a in LINE_COLUMNS)}) FROM STDIN")
        self._voucher_sql = (f"COPY {qn(Voucher._meta.db_table)} "
                             f"({', '.join(qn(Voucher._meta.get_field(a).column) for a in VOUCHER_COLUMNS)}) "
                             "FROM STDIN")

    # -- the connection ---------------------------------------------------------------------------------------

    def __enter__(self) -> "LineStream":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE c.conrelid IN (%s::regclass, %s::regclass) AND c.contype = 'f' AND c.condeferrable "
                "AND c.condeferred", [VoucherLine._meta.db_table, Voucher._meta.db_table])
            self._constraints = [name for (name,) in cursor.fetchall()]
            if self._constraints:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._constraints)} IMMEDIATE")
        self._ids.extend(self._draw_now(ID_BLOCK))
        self._writer = Writer(connection.connection)  # last: nothing after it may fail before __exit__ can stop it
        return self

    def __exit__(self, exc_type, *exc) -> None:
        writer, self._writer = self._writer, None
        try:
            if exc_type is None:
                self._flush()
                self._send()
                writer.drain()
        finally:
            writer.close(abandon=exc_type is not None)
        if exc_type is None and self._constraints:
            with connection.cursor() as cursor:  # back as declared, for whatever the transaction writes next
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._constraints)} DEFERRED")

    def finish(self) -> None:
        """Every line has been added: the last vouchers are written and the writer runs dry (the connection is
        free for the check's last queries)."""
        self._flush()
        self._key = None
        self._send()
        self._writer.drain()

    @property
    def writing(self) -> bool:
        return not self.stopped and not self.result.problems

    # -- the lines ----------------------------------------------------------------------------------------------

    def add(self, ln, voucher) -> None:
        """A checked line and its voucher (its totals so far: complete when the next voucher begins)."""
        if ln.key != self._key:
            self._flush()
            self._key, self._voucher = ln.key, voucher
        if self.writing:
            self._lines.append(ln)

    def _flush(self) -> None:
        lines, self._lines = self._lines, []
        if not lines or not self.writing:
            return
        v = self._voucher
        key = lines[0].key
        if key in self.existing:
            self.stopped = True  # the check reports it; nothing more is written
            return
        vid = self._take_id()
        self.voucher_ids[key] = vid
        if self.first_voucher_id is None:
            self.first_voucher_id = vid
        self.last_voucher_id = vid
        day = self._days.get(v.date)
        if day is None:
            day = self._days[v.date] = v.date.isoformat()
        word = v.word if v.word.isalnum() else copy_text(v.word)
        self._block_vouchers.append(f"{vid}\t{self._voucher_head}\t{word}\t{v.number}\t{day}\t{v.debit}\t"
                                    f"{v.attachments}\n")
        head = f"{vid}\t{self._path}\t{day}\t{v.pay_method}\tf\t"
        refs, decisions, out = self._refs, self._decisions, self._block_lines
        for n, ln in enumerate(lines, 1):
            acc = refs.get(id(ln.account))
            if acc is None:
                acc = self._ref(ln.account)
            ref = ln.decision_ref
            if ref:
                dec = decisions.get(ref)
                if dec is None:
                    text = f"{copy_text(ref)}\t{self.decisions.get(ref) or chr(92) + 'N'}"
                    dec = decisions[ref] = (text, text.count("\\"))
            else:
                dec = _NO_DECISION
            text = (f"{head}{n}\t{acc}\t{ln.summary}\t{ln.debit}\t{ln.credit}\t{ln.counterparty}\t{ln.invoice_code}"
                    f"\t{ln.invoice_number}\t{dec[0]}\n")
            # The usual case has nothing to escape: no tab, line break or backslash in a cell's text.
            if text.count("\t") != 15 or text.count("\\") != dec[1] or text.count("\n") != 1 or "\r" in text:
                text = "\t".join((f"{head}{n}\t{acc}", *(copy_text(s) for s in (
                    ln.summary, str(ln.debit), str(ln.credit), ln.counterparty, ln.invoice_code, ln.invoice_number)),
                    dec[0])) + "\n"
            out.append(text)
        if len(out) >= BLOCK_LINES:
            self._send()

    def _ref(self, account) -> str:
        acc = self._account(account) if isinstance(account, Planned) else account
        text = self._refs[id(account)] = f"{acc.pk}\t{acc.kind}"
        return text

    def _send(self) -> None:
        vouchers, lines = self._block_vouchers, self._block_lines
        self._block_vouchers, self._block_lines = [], []
        if not lines or not self.writing:
            return
        voucher_sql, line_sql = self._voucher_sql, self._line_sql

        def job(cursor):
            with cursor.copy(voucher_sql) as copy:
                copy.write("".join(vouchers))
            with cursor.copy(line_sql) as copy:
                copy.write("".join(lines))

        self._writer.submit(job)

    # -- what needs the connection --------------------------------------------------------------------------------

    def _take_id(self) -> int:
        if len(self._ids) < ID_LOW and self._next_ids is None:
            future = self._next_ids = Future()
            table, column = Voucher._meta.db_table, Voucher._meta.pk.column

            def draw(cursor):
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, column, ID_BLOCK])
                future.set_result([pk for (pk,) in cursor.fetchall()])

            self._writer.submit(draw)
        if not self._ids:
            self._writer.drain()
            self._ids.extend(self._next_ids.result())
            self._next_ids = None
        elif self._next_ids is not None and self._next_ids.done():
            self._ids.extend(self._next_ids.result())
            self._next_ids = None
        return self._ids.popleft()

    def _draw_now(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [Voucher._meta.db_table, Voucher._meta.pk.column, n])
            return [pk for (pk,) in cursor.fetchall()]

    def _account(self, planned: Planned) -> Account:
        found = self.created.get(planned.path)
        if found is not None:
            return found
        self._writer.drain()
        parent = (self.created.get(planned.parent_path) or self.accounts.by_path.get(planned.parent_path)
                  or self._account(self.accounts.planned[planned.parent_path]))
        acc = Account(chart_id=self.accounts.chart_id, org=self.org, parent=parent, code=planned.code,
                      name=planned.path.rsplit("-", 1)[-1], path=planned.path, kind=planned.kind,
                      depth=planned.path.count("-") + 1)
        acc.full_clean(validate_unique=False)
        acc.save()
        self.created[planned.path] = acc
        return acc

    def line_ids(self) -> tuple[int | None, int | None]:
        """The first and last line ids written: the first voucher's first line and the last voucher's last (the
        lines are COPYed in order on one connection, so their ids grow)."""
        if self.first_voucher_id is None:
            return None, None
        table = connection.ops.quote_name(VoucherLine._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT (SELECT MIN(id) FROM {table} WHERE voucher_id = %s), "  # noqa: S608
                           f"(SELECT MAX(id) FROM {table} WHERE voucher_id = %s)",
                           [self.first_voucher_id, self.last_voucher_id])
            return cursor.fetchone()
