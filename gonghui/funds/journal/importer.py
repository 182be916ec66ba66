"""Import a union's year of books from its accounting software's journal (序时账), all or nothing.

Two passes over the file (streamed, so memory holds the vouchers' totals, never the lines): the first checks
every row and groups the lines into vouchers by their number (a voucher must balance, have two lines and one
date inside the year, and its number must be new in the file and in the books); the second, only when no row was
refused, writes in one transaction holding the book lock: the planned sub-accounts, the vouchers and the lines
(PostgreSQL: COPY through psycopg 3; SQLite: batched inserts), with every column ``books.voucher_post`` fills.
One audit event records the import; ``journal_imported`` is sent once it commits.
"""

import contextlib
import datetime
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import django.dispatch
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, tabular
from gonghui.core.models import Outcome
from gonghui.core.spreadsheets import cell_text

from .. import chart as charts
from ..models import (
    Account,
    Book,
    Budget,
    BudgetLine,
    BudgetState,
    Decision,
    PayMethod,
    Voucher,
    VoucherLine,
    VoucherSource,
)
from . import reading
from .reading import KIND, CellError, Planned
from .streamed import LineStream
from .writing import Spool, insert_rows, line_id_range, new_ids

# Sent once an import has committed: the rule engine scans the new lines (ids first_line_id..last_line_id).
journal_imported = django.dispatch.Signal()  # org, year, first_line_id, last_line_id

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 20_000


class JournalFileError(ValidationError):
    """The file cannot be imported at all: unreadable, no header row, a required column missing."""


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str
    code: str = ""
    sheet: str = ""


@dataclass
class _Voucher:
    word: str
    number: int
    date: datetime.date
    first_row: int
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    lines: int = 0
    attachments: int = 0
    cash: bool = False
    bank: bool = False

    @property
    def display(self) -> str:
        return f"{self.word}-{self.number:04d}"

    @property
    def pay_method(self) -> str:
        return PayMethod.CASH if self.cash else PayMethod.BANK if self.bank else PayMethod.OTHER


@dataclass
class JournalResult:
    filename: str
    org_code: str
    year: int
    dry_run: bool = False
    header_row: int = 0
    columns: list = field(default_factory=list)
    vouchers: int = 0
    lines: int = 0
    debit_total: Decimal = Decimal("0")
    created_accounts: list[str] = field(default_factory=list)
    budget_lines: int = 0
    budget_total: Decimal = Decimal("0")
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False
    committed: bool = False
    first_line_id: int | None = None
    last_line_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})

    @property
    def importable(self) -> bool:
        return not self.fatal and self.ok and self.vouchers > 0

    def summary(self, max_problems: int = 200) -> dict:
        """What a screen or the API shows, JSON-serializable."""
        return {
            "header_row": self.header_row, "year": self.year, "union": self.org_code,
            "columns": [{"header": c.header, "meaning": reading.header(c.key) if c.key else "",
                         "duplicate_of": c.duplicate_of} for c in self.columns],
            "vouchers": self.vouchers, "lines": self.lines, "debit_total": f"{self.debit_total:,.2f}",
            "created_accounts": self.created_accounts, "budget_lines": self.budget_lines,
            "budget_total": f"{self.budget_total:,.2f}", "refused": self.refused, "fatal": self.fatal,
            "committed": self.committed, "importable": self.importable, "problems_total": len(self.problems),
            "problems": [{"row": p.row, "column": p.column, "value": p.value, "message": p.message,
                          "code": p.code, "sheet": p.sheet} for p in self.problems[:max_problems]],
        }


@dataclass(slots=True)
class _Line:
    row: int
    key: tuple[str, int]
    date: datetime.date
    account: object  # Account or Planned
    summary: str
    debit: Decimal
    credit: Decimal
    counterparty: str
    invoice_code: str
    invoice_number: str
    decision_ref: str
    attachments: int = 0


class _Refused(Exception):
    pass


def journal_import(*, actor, org, year: int, data: tabular.Source, filename: str, dry_run: bool = False,
                   progress: Progress | None = None) -> "JournalResult":
    """Import the journal in ``data`` (bytes or a path; xlsx, xls or csv) into ``org``'s books for ``year``:
    every voucher, or nothing when any row is refused. ``dry_run`` checks everything and writes nothing.

    Raises PermissionDenied without funds.write, Http404 for a union outside the actor's scope,
    JournalFileError when the file cannot be read or has no header row (a missing required column is a fatal
    problem in the result)."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    if not 2000 <= int(year) <= 2100:
        raise JournalFileError(_("The year %(year)s is not valid.") % {"year": year}, code="bad_year")
    try:
        table = tabular.open_table(data, filename, kind=KIND, sheet=reading.JOURNAL_SHEET)
        head = table.head()
    except tabular.TableFileError as exc:
        raise JournalFileError(exc.messages[0], code=exc.code) from None
    result = JournalResult(filename=filename, org_code=org.code, year=int(year), dry_run=dry_run)
    found = tabular.find_header(head, reading.HEADERS, minimum=3)
    if found is None:
        raise JournalFileError(
            _("No header row was found in the first %(n)s rows. The header row names the columns, such as "
              "%(columns)s.") % {"n": tabular.HEADER_SEARCH_ROWS,
                                 "columns": "、".join(reading.header(k) for k in (*reading.REQUIRED, "account"))},
            code="no_header")
    result.header_row = found + 1
    result.columns = tabular.map_columns(head[found], reading.HEADERS)
    if not _check_columns(result):
        return result
    book = Book.objects.filter(org=org, year=year).first()
    if book is not None and book.state == Book.State.CLOSED:
        _fatal(result, _("The books of %(year)s are closed.") % {"year": year}, "closed")
        return result
    chart = book.chart if book is not None else charts.chart_for(org, int(year))
    accounts = reading.Accounts(chart_id=chart.pk, org_id=org.pk)
    if not dry_run and connection.vendor == "postgresql":
        return _import_streamed(table, result, accounts, data=data, filename=filename, actor=actor, org=org,
                                progress=progress)
    with Spool() if not dry_run else contextlib.nullcontext() as spool:
        try:
            vouchers = _check(table, result, accounts, book, progress, spool)
            budget = _check_budget(data, filename, result, accounts)
        except tabular.TableFileError as exc:
            raise JournalFileError(exc.messages[0], code=exc.code) from None
        result.created_accounts = [p.path for p in accounts.created()]
        if result.vouchers == 0 and not result.problems:
            _fatal(result, _("The file has no voucher lines below its header row."), "empty")
        if result.fatal or dry_run:
            return result
        if result.problems:
            _audit(actor, org, result, outcome=Outcome.FAILED)
            return result
        if progress:
            progress("write", result.lines, result.lines)
        return _commit(spool, result, accounts, vouchers, budget, actor=actor, org=org)


def _commit(spool, result: JournalResult, accounts, vouchers, budget, *, actor, org) -> JournalResult:
    try:
        with transaction.atomic():
            _write(spool, result, accounts, vouchers, budget, actor=actor, org=org)
            _audit(actor, org, result)
    except _Refused:
        _audit(actor, org, result, outcome=Outcome.FAILED)
        return result
    except IntegrityError:
        _fatal(result, _("The books were changed by someone else during the import; nothing was written. Try "
                         "again."), "conflict")
        _audit(actor, org, result, outcome=Outcome.FAILED)
        return result
    result.committed = True
    return result


def _fatal(result: JournalResult, message: str, code: str) -> None:
    result.problems.append(Problem(result.header_row, "", "", message, code))
    result.fatal = True


def _check_columns(result: JournalResult) -> bool:
    found = {c.key for c in result.columns if c.key}
    for key in reading.REQUIRED:
        if key not in found:
            result.problems.append(Problem(result.header_row, reading.header(key), "", _(
                "The column %(column)s is missing (also accepted: %(synonyms)s).") % {
                "column": reading.header(key), "synonyms": "、".join(reading.COLUMNS[key][1:])}, "missing_column"))
            result.fatal = True
    if "code" not in found and "account" not in found:
        result.problems.append(Problem(result.header_row, reading.header("account"), "", _(
            "The account is missing: give a column %(name)s or %(code)s.") % {
            "name": reading.header("account"), "code": reading.header("code")}, "missing_column"))
        result.fatal = True
    return not result.fatal


_KEYS = ("date", "number", "code", "account", "summary", "debit", "credit", "counterparty", "invoice_code",
         "invoice_number", "decision_ref", "attachments")


def _lines(table: tabular.Table, result: JournalResult, accounts: reading.Accounts,
           problem: Callable[[Problem], None], progress: Progress | None = None) -> Iterator[_Line]:
    """The voucher lines of the file, each row checked; a refused row is reported through ``problem`` and not
    yielded. A row without a number continues the voucher above it; one without a date takes its voucher's."""
    mapped = {c.key: c.index for c in result.columns if c.key}
    width = max(mapped.values()) + 1
    pad = [""] * (width + 1)
    pick = operator.itemgetter(*(mapped.get(k, width) for k in _KEYS))  # a missing column reads the pad's ""
    columns = {c.key: c.header for c in result.columns if c.key}
    seen: dict[tuple[str, int], int] = {}  # a voucher's key -> its first row
    dates: dict[tuple[str, int], datetime.date] = {}
    prev_key = prev_summary = None
    dup_key = None
    year = result.year
    count = 0
    cell_number, cell_date, cell_amount, plain, token = (reading.cell_number, reading.cell_date,
                                                         reading.cell_amount, reading.plain, reading.token)
    cell_code, account_name, find, is_subtotal = (reading.cell_code, reading.account_name, accounts.find,
                                                  reading.is_subtotal)

    def refuse(line: int, key: str, value, message: str, code: str) -> None:
        problem(Problem(line, columns.get(key, reading.header(key)) if key else "", cell_text(value)[:100],
                        message, code))

    for line, raw in table.rows(start=result.header_row + 1):
        vals = pick(raw + pad[len(raw) - width - 1:] if len(raw) <= width else raw)
        d, n, code, acc, summ, deb, cred, party, inv_code, inv_no, ref, attached = vals
        if not any(vals) or is_subtotal((raw[0] if raw else "", d, n, summ, code, acc)):
            continue
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("check", count, 0)
        try:
            number = cell_number(n)
            date = cell_date(d)
            debit = cell_amount(deb, "debit")
            credit = cell_amount(cred, "credit")
        except CellError as exc:
            refuse(line, exc.key, exc.value, exc.message, exc.code)
            prev_key = None if exc.key in ("number", "date") else prev_key
            continue
        if not (debit or credit or number or date) and not any(cell_text(v) for v in vals):
            continue  # only spaces
        if number is None:
            if prev_key is None:
                refuse(line, "number", "", _("The voucher number is missing."), "missing_number")
                continue
            number = prev_key
        if number != prev_key:
            prev_summary = None
            dup_key = None
            if number in seen:
                dup_key = number
                refuse(line, "number", n, _(
                    "The voucher number %(v)s is used again (first at row %(first)s): a number is used once a "
                    "year.") % {"v": f"{number[0]}-{number[1]:04d}", "first": seen[number]}, "duplicate_number")
        prev_key = number
        if dup_key == number:
            continue
        if number not in seen:
            seen[number] = line
        known = dates.get(number)
        if date is None:
            date = known
            if date is None:
                refuse(line, "date", "", _("The date is missing."), "missing_date")
                continue
        elif known is not None and known != date:
            refuse(line, "date", d, _("Voucher %(v)s has lines dated %(a)s and %(b)s: one voucher, one date "
                                      "(or the number is used twice).") % {
                "v": f"{number[0]}-{number[1]:04d}", "a": known, "b": date}, "duplicate_number")
            continue
        if date.year != year:
            refuse(line, "date", d, _("The date %(date)s is outside the year %(year)s.") % {
                "date": date, "year": year}, "outside_year")
            continue
        if known is None:
            dates[number] = date
        if (debit and credit) or not (debit or credit):
            refuse(line, "debit", f"{cell_text(deb)} / {cell_text(cred)}", _(
                "Enter a debit or a credit, not both and not neither."), "debit_credit")
            continue
        summary = plain(summ, 200) or prev_summary
        if not summary:
            refuse(line, "summary", "", _("The summary is required."), "missing_summary")
            continue
        prev_summary = summary
        try:
            account = find(cell_code(code), account_name(acc), line)
        except CellError as exc:
            refuse(line, exc.key, exc.value, exc.message, exc.code)
            continue
        inv_code, inv_no, ref = token(inv_code), token(inv_no), token(ref)
        if len(inv_code) > 12 or len(inv_no) > 20 or len(ref) > 60:
            for key, value, limit in (("invoice_code", inv_code, 12), ("invoice_number", inv_no, 20),
                                      ("decision_ref", ref, 60)):
                if len(value) > limit:
                    refuse(line, key, value, _("“%(value)s” is longer than %(n)s characters.") % {
                        "value": value[:40], "n": limit}, "too_long")
            continue
        attached = cell_code(attached) if attached != "" else ""
        yield _Line(line, number, date, account, summary, debit, credit, plain(party, 100), inv_code, inv_no, ref,
                    min(int(attached), 32767) if attached.isdigit() else 0)


def _check(table, result: JournalResult, accounts, book, progress, spool: "Spool | LineStream | None",
           existing: set | None = None) -> dict[tuple[str, int], _Voucher]:
    """Check every row, group the lines into vouchers and check those. ``spool`` takes each line (a Spool: the
    line; a LineStream: the line and its voucher's running totals). ``existing``: the (word, number) of the
    vouchers already in the book (read here when not given)."""
    vouchers: dict[tuple[str, int], _Voucher] = {}
    keep = spool.add if isinstance(spool, Spool) else None
    stream = spool.add if isinstance(spool, LineStream) else None
    paid_from: dict[int, tuple[bool, bool]] = {}  # id(account) -> (cash, bank) when credited
    for ln in _lines(table, result, accounts, result.problems.append, progress):
        if keep is not None:
            keep(ln)
        v = vouchers.get(ln.key)
        if v is None:
            v = vouchers[ln.key] = _Voucher(ln.key[0], ln.key[1], ln.date, ln.row)
        v.lines += 1
        if ln.attachments > v.attachments:  # 附件数: given on a voucher's first line, or repeated on each
            v.attachments = ln.attachments
        v.debit += ln.debit
        v.credit += ln.credit
        if ln.credit > 0:
            flags = paid_from.get(id(ln.account))
            if flags is None:
                code, root = getattr(ln.account, "code", ""), ln.account.path.split("-")[0]
                flags = paid_from[id(ln.account)] = (code == charts.CASH or root == "库存现金",
                                                     code == charts.BANK or root == "银行存款")
            if flags[0]:
                v.cash = True
            if flags[1]:
                v.bank = True
        if stream is not None:
            stream(ln, v)
        result.lines += 1
    if spool is not None:
        spool.finish()  # the COPY of the last voucher ends here: the queries below need the connection
    if existing is None:
        existing = set()
        if book is not None and vouchers:
            existing = set(Voucher.objects.filter(book=book).values_list("word", "number"))
    for key, v in vouchers.items():
        if key in existing:
            result.problems.append(Problem(v.first_row, reading.header("number"), v.display, _(
                "Voucher %(v)s already exists in the books of %(year)s.") % {"v": v.display, "year": result.year},
                "number_in_books"))
        if v.lines < 2:
            result.problems.append(Problem(v.first_row, reading.header("number"), v.display, _(
                "Voucher %(v)s has only one line: a voucher needs at least two.") % {"v": v.display}, "one_line"))
        elif v.debit != v.credit:
            result.problems.append(Problem(v.first_row, reading.header("number"), v.display, _(
                "Voucher %(v)s does not balance: debits %(d)s, credits %(c)s.") % {
                "v": v.display, "d": f"{v.debit:,.2f}", "c": f"{v.credit:,.2f}"}, "unbalanced"))
    result.problems.sort(key=lambda p: (p.sheet, p.row))
    result.vouchers = len(vouchers)
    result.debit_total = sum((v.debit for v in vouchers.values()), Decimal("0"))
    return vouchers


# --- the budget sheet ----------------------------------------------------------------------------------------


def _check_budget(data, filename: str, result: JournalResult, accounts) -> list[tuple[object, Decimal]]:
    """The optional sheet 预算 (科目名称, 预算金额): the year's budget by expenditure account."""
    try:
        table = tabular.open_table(data, filename, kind=KIND, sheet=reading.BUDGET_SHEET, fallback=False)
    except tabular.TableFileError as exc:
        if exc.code == "no_sheet":
            return []
        raise
    sheet = reading.BUDGET_SHEET

    def refuse(row, column, value, message, code):
        result.problems.append(Problem(row, column, value, message, code, sheet))

    head = table.head()
    found = tabular.find_header(head, reading.BUDGET_HEADERS, minimum=2)
    if found is None:
        refuse(1, "", "", _("The sheet 预算 has no header row with the columns 科目名称 and 预算金额."), "no_header")
        return []
    columns = {c.key: (c.index, c.header) for c in tabular.map_columns(head[found], reading.BUDGET_HEADERS) if c.key}
    if "amount" not in columns or not ({"account", "code"} & set(columns)):
        refuse(found + 1, "", "", _("The sheet 预算 has no header row with the columns 科目名称 and 预算金额."),
               "no_header")
        return []
    if Budget.objects.filter(org__code=result.org_code, year=result.year).exists():
        refuse(found + 1, "", "", _("A budget for %(year)s already exists; leave out the sheet 预算 or change "
                                    "that budget on its page.") % {"year": result.year}, "budget_exists")
        return []
    out, seen = [], {}
    for line, raw in table.rows(start=found + 2):
        if tabular.is_blank(raw) or reading.is_subtotal(raw):
            continue

        def cell(key, raw=raw):
            i = columns.get(key, (None,))[0]
            return raw[i] if i is not None and i < len(raw) else ""

        try:
            amount = reading.cell_amount(cell("amount"), "amount")
            account = accounts.find(reading.cell_code(cell("code")), reading.account_name(cell("account")), line)
        except CellError as exc:
            refuse(line, columns.get(exc.key, ("", exc.key))[1], exc.value, exc.message, exc.code)
            continue
        if not accounts.is_expense(account):
            refuse(line, columns.get("account", columns.get("code"))[1], account.path, _(
                "%(acc)s is not an expenditure account: a budget is by expenditure account.") % {
                "acc": account.path}, "not_expense")
            continue
        if amount < 0:
            refuse(line, columns["amount"][1], str(amount), _("A budget amount cannot be negative."), "bad_amount")
            continue
        if account.path in seen:
            refuse(line, columns.get("account", columns.get("code"))[1], account.path, _(
                "%(acc)s is budgeted twice (first at row %(first)s).") % {"acc": account.path,
                                                                          "first": seen[account.path]},
                "duplicate_budget")
            continue
        seen[account.path] = line
        out.append((account, amount))
    result.budget_lines = len(out)
    result.budget_total = sum((a for _acc, a in out), Decimal("0"))
    return out


# --- writing ---------------------------------------------------------------------------------------------------


_LINE_COLUMNS = ("voucher_id", "org_path", "date", "line_no", "account_id", "kind", "summary", "debit", "credit",
                 "counterparty", "invoice_code", "invoice_number", "decision_ref", "decision_id", "pay_method",
                 "voided")


def _write(spool: "Spool", result: JournalResult, accounts, vouchers: dict, budget: list, *, actor, org) -> None:
    from ..books import book_open

    book = book_open(org=org, year=result.year)
    book = Book.objects.select_for_update().get(pk=book.pk)
    if book.state == Book.State.CLOSED:
        _fatal(result, _("The books of %(year)s are closed.") % {"year": result.year}, "closed")
        raise _Refused
    taken = set(Voucher.objects.filter(book=book).values_list("word", "number")) & set(vouchers)
    if taken:
        for key in sorted(taken):
            v = vouchers[key]
            result.problems.append(Problem(v.first_row, reading.header("number"), v.display, _(
                "Voucher %(v)s already exists in the books of %(year)s.") % {"v": v.display, "year": result.year},
                "number_in_books"))
        raise _Refused
    created = _create_accounts(accounts, org)
    now = timezone.now()
    ordered = sorted(vouchers.values(), key=lambda v: v.first_row)
    ids = new_ids(Voucher, len(ordered))
    voucher_ids = _write_vouchers(book, result, ordered, ids, actor=actor, org=org, now=now)
    decisions = dict(Decision.objects.filter(org_id=org.pk).values_list("reference", "id"))
    methods = {key: v.pay_method for key, v in vouchers.items()}

    refs = [created[acc.path] if isinstance(acc, Planned) else acc for acc in spool.accounts]
    refs = [(acc.pk, acc.kind) for acc in refs]
    path = org.path

    def lines():
        line_no: dict = {}
        days: dict = {}
        for word, number, day, acc, summary, debit, credit, party, inv_code, inv_no, ref in spool.lines():
            key = (word, number)
            n = line_no[key] = line_no.get(key, 0) + 1
            date = days.get(day) or days.setdefault(day, datetime.date.fromordinal(day).isoformat())
            acc_id, kind = refs[acc]
            yield (voucher_ids[key], path, date, n, acc_id, kind, summary, debit, credit, party, inv_code, inv_no,
                   ref, decisions.get(ref) if ref else None, methods[key], False)

    insert_rows(VoucherLine, _LINE_COLUMNS, lines(), text=True)
    _finish(book, result, min(voucher_ids.values()), budget, created, actor=actor, org=org, now=now)


def _write_vouchers(book, result: JournalResult, ordered: list, ids: list | None, *, actor, org, now) -> dict:
    """Insert the vouchers (with ``ids`` drawn from the sequence, or as the database numbers them) and move the
    book's next number past them. Returns {(word, number): id}."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    columns = ("book_id", "org_id", "org_path", "year", "word", "number", "date", "source", "source_ref",
               "reverses_id", "reversal_reason", "total", "attachment_count", "created_by_id", "created_at")
    ref = result.filename[:80]
    rows = ((book.pk, org.pk, org.path, result.year, v.word, v.number, v.date, VoucherSource.IMPORT, ref, None, "",
             v.debit, v.attachments, user.pk if user else None, now) for v in ordered)
    if ids is not None:
        insert_rows(Voucher, ("id", *columns), ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
        voucher_ids = {(v.word, v.number): pk for v, pk in zip(ordered, ids, strict=True)}
    else:
        before = Voucher.objects.order_by("-id").values_list("id", flat=True).first() or 0
        insert_rows(Voucher, columns, rows)
        voucher_ids = {(w, n): pk for w, n, pk in Voucher.objects.filter(book=book, id__gt=before)
                       .values_list("word", "number", "id")}
    last = max(v.number for v in ordered)
    if last >= book.next_number:
        book.next_number = last + 1
        book.save(update_fields=["next_number"])
    return voucher_ids


def _finish(book, result: JournalResult, first_voucher: int, budget: list, created: dict, *, actor, org, now,
            line_ids: tuple | None = None):
    result.first_line_id, result.last_line_id = line_ids or line_id_range(book.pk, first_voucher)
    if budget:
        _write_budget(budget, created, result, actor=actor, org=org, now=now)
    first, last_line = result.first_line_id, result.last_line_id
    transaction.on_commit(lambda: journal_imported.send(sender=Voucher, org=org, year=result.year,
                                                        first_line_id=first, last_line_id=last_line))


class _Rollback(Exception):
    pass


def _import_streamed(table, result: JournalResult, accounts, *, data, filename: str, actor, org,
                     progress) -> JournalResult:
    """PostgreSQL: check and COPY the lines in one pass, in one transaction holding the book lock; any refused row
    rolls it all back (``streamed``)."""
    from ..books import book_open

    try:
        with transaction.atomic():
            book = Book.objects.select_for_update().get(pk=book_open(org=org, year=result.year).pk)
            if book.state == Book.State.CLOSED:
                _fatal(result, _("The books of %(year)s are closed.") % {"year": result.year}, "closed")
                raise _Rollback
            decisions = dict(Decision.objects.filter(org_id=org.pk).values_list("reference", "id"))
            existing = set(Voucher.objects.filter(book=book).values_list("word", "number"))
            user = actor.user if getattr(actor.user, "is_authenticated", False) else None
            now = timezone.now()
            try:
                with LineStream(result=result, org=org, accounts=accounts, decisions=decisions, book=book,
                                existing=existing, user_id=user.pk if user else None,
                                source_ref=result.filename[:80], now=now) as stream:
                    vouchers = _check(table, result, accounts, book, progress, stream, existing)
                budget = _check_budget(data, filename, result, accounts)
            except tabular.TableFileError as exc:
                raise JournalFileError(exc.messages[0], code=exc.code) from None
            result.created_accounts = [p.path for p in accounts.created()]
            if result.vouchers == 0 and not result.problems:
                _fatal(result, _("The file has no voucher lines below its header row."), "empty")
            if result.problems:
                raise _Rollback
            if progress:
                progress("write", result.lines, result.lines)
            last = max(v.number for v in vouchers.values())
            if last >= book.next_number:
                book.next_number = last + 1
                book.save(update_fields=["next_number"])
            _finish(book, result, stream.first_voucher_id, budget, stream.created, actor=actor, org=org, now=now,
                    line_ids=stream.line_ids())
            _audit(actor, org, result)
    except _Rollback:
        if not result.fatal:
            _audit(actor, org, result, outcome=Outcome.FAILED)
        return result
    except IntegrityError:
        _fatal(result, _("The books were changed by someone else during the import; nothing was written. Try "
                         "again."), "conflict")
        _audit(actor, org, result, outcome=Outcome.FAILED)
        return result
    result.committed = True
    return result


def _create_accounts(accounts: reading.Accounts, org) -> dict[str, Account]:
    created: dict[str, Account] = {}
    for p in accounts.created():
        parent = created.get(p.parent_path) or accounts.by_path[p.parent_path]
        acc = Account(chart_id=accounts.chart_id, org=org, parent=parent, code=p.code, name=p.path.rsplit("-", 1)[-1],
                      path=p.path, kind=p.kind, depth=p.path.count("-") + 1)
        acc.full_clean(validate_unique=False)
        acc.save()
        created[p.path] = acc
    return created


def _write_budget(budget: list, created: dict, result: JournalResult, *, actor, org, now) -> None:
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    plan = Budget(org=org, org_path=org.path, year=result.year, state=BudgetState.APPROVED, approved_by=user,
                  approved_at=now)
    plan.full_clean(exclude=["decision"], validate_unique=False)
    plan.save()
    BudgetLine.objects.bulk_create([
        BudgetLine(budget=plan, account=created[acc.path] if isinstance(acc, Planned) else acc, amount=amount)
        for acc, amount in budget])
    audit.record(actor=actor, action="funds.journal_budget", object_type="funds.budget", object_id=plan.pk,
                 scope_path=org.path, details={"year": result.year, "budget_lines": result.budget_lines,
                                               "amount": str(result.budget_total), "file": result.filename[:200]})


def _audit(actor, org, result: JournalResult, outcome: str = Outcome.SUCCESS) -> None:
    audit.record(actor=actor, action="funds.journal_import", object_type="funds.book", object_id=org.code,
                 scope_path=org.path, outcome=outcome, details={
                     "file": result.filename[:200], "year": result.year, "vouchers": result.vouchers,
                     "lines": result.lines, "amount": str(result.debit_total),
                     "accounts_created": len(result.created_accounts), "budget_lines": result.budget_lines,
                     "refused": result.refused})


# --- the error report --------------------------------------------------------------------------------------------


def problems_report(result: JournalResult, data: tabular.Source, filename: str) -> bytes:
    """The refused rows of the journal as they were, each with its row number and problems; problems of the
    budget sheet and of the file as a whole as notes above."""
    journal = [p for p in result.problems if not p.sheet]
    by_row, notes = tabular.problems_by_row(journal, result.header_row)
    notes += [_("Sheet %(sheet)s, row %(row)s: %(text)s") % {
        "sheet": p.sheet, "row": p.row, "text": f"{p.column}：{p.message}" if p.column else p.message}
        for p in result.problems if p.sheet]
    header: list = []
    rows: list = []
    try:
        table = tabular.open_table(data, filename, kind=KIND, sheet=reading.JOURNAL_SHEET)
        for line, cells in table.rows():
            if line == result.header_row:
                header = list(cells)
            elif line in by_row:
                rows.append((line, "；".join(by_row[line]), list(cells)))
    except tabular.TableFileError:
        pass
    return tabular.problems_xlsx(header=header, rows=rows, notes=notes)
