"""The PostgreSQL path of the journal import: the lines are written by COPY as they are checked, in the import's
transaction (holding the book lock), and the transaction is rolled back when any row is refused, so the file is
read once and the database works on the lines while Python checks the next ones.

A voucher's lines are sent when the voucher is complete (its lines are contiguous in a journal; a number seen
again is refused): its payment method is known then. The vouchers themselves are written after the lines (the
lines' foreign key to them is checked at commit). Ids for the vouchers are drawn from their sequence in blocks, and
a new sub-account is created when it is first met: both need the connection, so the COPY pauses for them."""

from django.db import connection

from ..books import pay_method_of
from ..models import Account, Voucher, VoucherLine
from .reading import Planned

ID_BLOCK = 10_000
LINE_COLUMNS = ("voucher_id", "org_path", "date", "line_no", "account_id", "kind", "summary", "debit", "credit",
                "counterparty", "invoice_code", "invoice_number", "decision_ref", "decision_id", "pay_method",
                "voided")


class LineStream:
    """Takes the checked lines (``add``) and COPYs them voucher by voucher, until the first refused row: from then
    on it only lets the check go on (the transaction is rolled back)."""

    def __init__(self, *, result, org, accounts, decisions: dict):
        self.result, self.org, self.accounts, self.decisions = result, org, accounts, decisions
        self.voucher_ids: dict[tuple[str, int], int] = {}
        self.created: dict[str, Account] = {}
        self._ids: list[int] = []
        self._key = None
        self._buffer: list = []
        self._copy_cm = self._copy = None
        self._cursor = None
        self._days: dict = {}
        meta = VoucherLine._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        qn = connection.ops.quote_name
        self._sql = (f"COPY {qn(meta.db_table)} ({', '.join(qn(fields[a].column) for a in LINE_COLUMNS)}) "
                     "FROM STDIN")

    def __enter__(self) -> "LineStream":
        self._cursor = connection.cursor()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self._flush()
        self._pause()
        self._cursor.close()

    def finish(self) -> None:
        """Every line has been added: the last voucher's lines go, and the COPY ends."""
        self._flush()
        self._key = None
        self._pause()

    @property
    def writing(self) -> bool:
        return not self.result.problems

    def add(self, ln) -> None:
        if ln.key != self._key:
            self._flush()
            self._key = ln.key
        if self.writing:
            self._buffer.append(ln)

    def _flush(self) -> None:
        lines, self._buffer = self._buffer, []
        if not lines or not self.writing:
            return
        key = lines[0].key
        vid = self.voucher_ids.get(key)
        if vid is None:
            if not self._ids:
                self._draw()
            vid = self.voucher_ids[key] = self._ids.pop()
        method = pay_method_of(lines)
        path, decisions = self.org.path, self.decisions
        for n, ln in enumerate(lines, 1):
            acc = ln.account
            if isinstance(acc, Planned):
                acc = self._account(acc)
            day = self._days.get(ln.date) or self._days.setdefault(ln.date, ln.date.isoformat())
            self._write((vid, path, day, n, acc.pk, acc.kind, ln.summary, str(ln.debit), str(ln.credit),
                         ln.counterparty, ln.invoice_code, ln.invoice_number, ln.decision_ref,
                         decisions.get(ln.decision_ref) if ln.decision_ref else None, method, False))

    def _write(self, row: tuple) -> None:
        if self._copy is None:
            self._copy_cm = self._cursor.cursor.copy(self._sql)
            self._copy = self._copy_cm.__enter__()
        self._copy.write_row(row)

    def _pause(self) -> None:
        if self._copy_cm is not None:
            cm, self._copy_cm, self._copy = self._copy_cm, None, None
            with connection.wrap_database_errors:
                cm.__exit__(None, None, None)

    def _draw(self) -> None:
        self._pause()
        self._cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                             [Voucher._meta.db_table, Voucher._meta.pk.column, ID_BLOCK])
        self._ids = [pk for (pk,) in self._cursor.fetchall()][::-1]

    def _account(self, planned: Planned) -> Account:
        found = self.created.get(planned.path)
        if found is not None:
            return found
        self._pause()
        parent = (self.created.get(planned.parent_path) or self.accounts.by_path.get(planned.parent_path)
                  or self._account(self.accounts.planned[planned.parent_path]))
        acc = Account(chart_id=self.accounts.chart_id, org=self.org, parent=parent, code=planned.code,
                      name=planned.path.rsplit("-", 1)[-1], path=planned.path, kind=planned.kind,
                      depth=planned.path.count("-") + 1)
        acc.full_clean(validate_unique=False)
        acc.save()
        self.created[planned.path] = acc
        return acc
