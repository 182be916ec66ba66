"""The bulk-load path of the journal import: PostgreSQL ``COPY`` through psycopg 3 (binary when every column's
type is known), SQLite ``executemany`` in batches. Rows are tuples already in the database's terms (ids, Decimal,
dates); no model instance is built per line."""

import marshal
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.db import connection

from gonghui.core.tabular import in_batches

BATCH = 5_000
_COPY_TYPES = {"varchar": "text", "char": "text", "text": "text", "date": "date", "boolean": "bool",
               "bigint": "int8", "integer": "int4", "smallint": "int2", "timestamp with time zone": "timestamptz",
               "numeric": "numeric"}


def _copy_type(field) -> str | None:
    return _COPY_TYPES.get(re.sub(r"\(.*\)$", "", field.db_type(connection) or ""))


def new_ids(model, n: int) -> list[int] | None:
    """n ids drawn from the model's id sequence (PostgreSQL), or None: the database assigns them on insert."""
    if connection.vendor != "postgresql" or n == 0:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, n])
        return [pk for (pk,) in cursor.fetchall()]


def insert_rows(model, columns: tuple[str, ...], rows: Iterable[tuple], *, text: bool = False) -> int:
    """Insert ``rows`` (tuples for the fields named by attname in ``columns``), streamed. Returns the count.
    ``text``: the rows' values are already text as PostgreSQL reads it (amounts as "123.45", dates as ISO): a
    text COPY then passes them on without converting each one."""
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    qn = connection.ops.quote_name
    table, cols = qn(meta.db_table), ", ".join(qn(fields[a].column) for a in columns)
    count = 0
    if connection.vendor == "postgresql":
        types = [_copy_type(fields[a]) for a in columns]
        binary = all(types) and not text
        with connection.cursor() as cursor, connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) \
                    as copy:
                if binary:
                    copy.set_types(types)
                write = copy.write_row
                for row in rows:
                    write(row)
                    count += 1
        return count
    dates = [i for i, a in enumerate(columns) if fields[a].get_internal_type() in ("DateField", "DateTimeField",
                                                                                     "DecimalField")]
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - model names
    ops = connection.ops
    adapt = {i: _adapter(ops, fields[columns[i]]) for i in dates}
    with connection.cursor() as cursor:
        for batch in in_batches(rows, BATCH):
            if adapt:
                batch = [tuple(adapt[i](v) if i in adapt else v for i, v in enumerate(row)) for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _adapter(ops, field):
    kind = field.get_internal_type()
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)


def line_id_range(book_id: int, first_voucher_id: int) -> tuple[int | None, int | None]:
    """The first and last line ids of the vouchers just written (the book is locked: every voucher of the book
    from ``first_voucher_id`` on is this import's)."""
    from ..models import VoucherLine

    with connection.cursor() as cursor:
        qn = connection.ops.quote_name
        line, voucher = qn(VoucherLine._meta.db_table), qn(VoucherLine._meta.get_field("voucher").related_model
                                                            ._meta.db_table)
        cursor.execute(f"SELECT MIN(l.id), MAX(l.id) FROM {line} l JOIN {voucher} v ON v.id = l.voucher_id "  # noqa: S608
                       "WHERE v.book_id = %s AND v.id >= %s", [book_id, first_voucher_id])
        first, last = cursor.fetchone()
    return first, last


class Spool:
    """The checked lines, kept on disk between the check and the write (batches of plain tuples, ``marshal``), so
    the write neither reads the file again nor holds a million lines in memory. ``accounts`` are the lines'
    accounts (an Account, or a planned one) by their index in the tuples."""

    BATCH = 10_000

    def __init__(self):
        self.accounts: list = []
        self._index: dict[int, int] = {}
        self._batch: list[tuple] = []
        self._file = None

    def __enter__(self) -> "Spool":
        self._file = tempfile.TemporaryFile()
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def add(self, ln) -> None:
        i = self._index.get(id(ln.account))
        if i is None:
            i = self._index[id(ln.account)] = len(self.accounts)
            self.accounts.append(ln.account)
        self._batch.append((ln.key[0], ln.key[1], ln.date.toordinal(), i, ln.summary, str(ln.debit), str(ln.credit),
                            ln.counterparty, ln.invoice_code, ln.invoice_number, ln.decision_ref))
        if len(self._batch) >= self.BATCH:
            marshal.dump(self._batch, self._file)
            self._batch = []

    def finish(self) -> None:
        """Every line has been added."""

    def lines(self) -> Iterator[tuple]:
        if self._batch:
            marshal.dump(self._batch, self._file)
            self._batch = []
        self._file.seek(0)
        while True:
            try:
                batch = marshal.load(self._file)  # noqa: S302 - our own temporary file, written just above
            except EOFError:
                return
            yield from batch
