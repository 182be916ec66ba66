"""The journal import's write path: the PostgreSQL stream (blocks COPYed by a writer thread while the next rows are
checked, foreign keys checked as each block lands) and what both databases must keep: cells stored as read, all
or nothing when the import is stopped midway."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from gonghui.core.access import actor_for
from gonghui.funds import journal
from gonghui.funds.journal import importer, reading, streamed
from gonghui.funds.models import Account, Book, Decision, MeetingKind, Voucher, VoucherLine

pytestmark = pytest.mark.django_db

HEADER = "凭证日期,凭证字号,科目编码,科目名称,摘要,借方金额,贷方金额,往来单位,发票代码,发票号码,决策文号"
D = datetime.date(2026, 5, 6)


def csv(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode()


def run(cast, data: bytes, **kw):
    return journal.journal_import(actor=actor_for(cast.grassroots_officer), org=cast.grassroots_a, year=2026,
                                  data=data, filename="journal.csv", **kw)


def voucher_rows(n: int, *, account: str = "行政支出-办公费", ref: str = "") -> list[str]:
    amount = f"{n}.25"
    return [f"{D},记-{n},,{account},办公用品{n},{amount},,文具店,,,{ref}",
            f"{D},记-{n},102,银行存款,办公用品{n},,{amount},文具店,,,"]


class Killed(BaseException):
    """As a worker killed midway (KeyboardInterrupt, SystemExit): not an Exception."""


def copy_threads() -> list:
    return [t for t in threading.enumerate() if t.name == "journal-copy"]


def test_cells_with_backslashes_and_folded_tabs_are_stored_as_read(cast):
    data = csv(rf'{D},记-1,,行政支出-办公费,"报销\N差旅	费 C:\路径",10.00,,"A\B 公司",044\1,\N123,',
               f"{D},记-1,102,银行存款,报销,,10.00,,,,")
    result = run(cast, data)
    assert result.problems == [] and result.committed
    first = VoucherLine.objects.get(voucher__org=cast.grassroots_a, line_no=1)
    assert (first.summary, first.counterparty, first.invoice_code, first.invoice_number, first.decision_id) == (
        r"报销\N差旅 费 C:\路径", r"A\B 公司", r"044\1", r"\N123", None)
    assert first.debit == Decimal("10.00") and first.voucher.total == Decimal("10.00")


def test_many_blocks_with_ids_drawn_and_an_account_created_midway(cast, monkeypatch):
    monkeypatch.setattr(streamed, "BLOCK_LINES", 4)
    monkeypatch.setattr(streamed, "ID_BLOCK", 3)
    monkeypatch.setattr(streamed, "ID_LOW", 2)
    decision = Decision.objects.create(org=cast.grassroots_a, org_path=cast.grassroots_a.path,
                                       kind=MeetingKind.values[0], date=D, reference="工委〔2026〕7号", title="购置")
    rows = []
    for n in range(1, 13):
        rows += voucher_rows(n, account="行政支出-办公费-打印纸" if n in (7, 9) else "行政支出-办公费",
                             ref="工委〔2026〕7号" if n == 10 else "")
    result = run(cast, csv(*rows))
    assert result.problems == [] and result.committed and (result.vouchers, result.lines) == (12, 24)
    assert result.created_accounts == ["行政支出-办公费-打印纸"]
    book = Book.objects.get(org=cast.grassroots_a, year=2026)
    assert book.next_number == 13
    vouchers = {v.number: v for v in Voucher.objects.filter(book=book)}
    assert sorted(vouchers) == list(range(1, 13))
    assert all(v.total == Decimal(f"{n}.25") and v.source == "import" and v.created_by == cast.grassroots_officer
               for n, v in vouchers.items())
    lines = list(VoucherLine.objects.filter(voucher__book=book).select_related("voucher", "account")
                 .order_by("id"))
    assert [(ln.voucher.number, ln.line_no) for ln in lines] == [(n, i) for n in range(1, 13) for i in (1, 2)]
    assert {ln.voucher.number for ln in lines if ln.account.path == "行政支出-办公费-打印纸"} == {7, 9}
    assert Account.objects.get(org=cast.grassroots_a, path="行政支出-办公费-打印纸").parent.path == "行政支出-办公费"
    assert [ln.voucher.number for ln in lines if ln.decision_id == decision.pk] == [10]
    assert {ln.pay_method for ln in lines} == {"bank"} and {ln.date for ln in lines} == {D}
    assert (result.first_line_id, result.last_line_id) == (lines[0].id, lines[-1].id)
    assert not copy_threads()


def test_an_import_stopped_midway_leaves_nothing(cast, monkeypatch):
    monkeypatch.setattr(streamed, "BLOCK_LINES", 2)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    calls = []

    def progress(stage, done, total):
        calls.append(done)
        if len(calls) == 4:  # several blocks are written by now (PostgreSQL)
            raise Killed

    rows = [row for n in range(1, 11) for row in voucher_rows(n)]
    with pytest.raises(Killed):
        run(cast, csv(*rows), progress=progress)
    assert not Voucher.objects.exists() and not VoucherLine.objects.exists() and not Book.objects.exists()
    assert not copy_threads()
    result = run(cast, csv(*rows))  # the connection is usable, and the same file imports whole
    assert result.committed and result.lines == 20


def test_a_number_already_in_the_books_stops_the_writing(cast, monkeypatch):
    monkeypatch.setattr(streamed, "BLOCK_LINES", 2)
    assert run(cast, csv(*voucher_rows(5))).committed
    rows = [row for n in range(1, 9) for row in voucher_rows(n)]
    result = run(cast, csv(*rows))
    assert [p.code for p in result.problems] == ["number_in_books"] and not result.committed
    assert Voucher.objects.count() == 1 and VoucherLine.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the streamed write is PostgreSQL's")
def test_the_database_still_refuses_a_dangling_decision_or_account(cast, monkeypatch):
    """The foreign keys stay, checked as each block lands: a line pointing at a decision or an account that does
    not exist is refused by PostgreSQL and nothing is written."""
    Decision.objects.create(org=cast.grassroots_a, org_path=cast.grassroots_a.path, kind=MeetingKind.values[0],
                            date=D, reference="工委〔2026〕8号", title="购置")
    enter = streamed.LineStream.__enter__

    def dangling_decision(self):
        self.decisions = {ref: 10**12 for ref in self.decisions}
        return enter(self)

    monkeypatch.setattr(streamed.LineStream, "__enter__", dangling_decision)
    rows = [row for n in range(1, 4) for row in voucher_rows(n, ref="工委〔2026〕8号" if n == 2 else "")]
    result = run(cast, csv(*rows))
    assert [p.code for p in result.problems] == ["conflict"] and not result.committed
    assert not Voucher.objects.exists() and not VoucherLine.objects.exists()
    assert not copy_threads()

    monkeypatch.setattr(streamed.LineStream, "__enter__", enter)
    ref = reading.Accounts.find

    def dangling_account(self, code, name, row):
        found = ref(self, code, name, row)
        return Account(pk=10**12, path=found.path, kind=found.kind, code=found.code) if code == "102" else found

    monkeypatch.setattr(reading.Accounts, "find", dangling_account)
    result = run(cast, csv(*rows))
    assert [p.code for p in result.problems] == ["conflict"] and not result.committed
    assert not VoucherLine.objects.exists()
    monkeypatch.undo()
    assert run(cast, csv(*rows)).committed


@pytest.mark.parametrize(("text", "value"), [
    ("1,234.50", Decimal("1234.50")), ("１２３.４", Decimal("123.40")), ("(12.00)", Decimal("-12.00")),
    ("¥ 8", Decimal("8.00")), ("-", Decimal("0.00")), (" ", Decimal("0.00")), ("99999999999999.99", None),
    ("12.345", "bad"), ("abc", "bad"), ("1e3", Decimal("1000.00")), ("NaN", "bad"), ("100000000000000", "bad"),
])
def test_text_amounts(text, value):
    if value == "bad":
        with pytest.raises(reading.CellError):
            reading.cell_amount(text, "debit")
        return
    assert reading.cell_amount(text, "debit") == (value if value is not None else Decimal(text))


@pytest.mark.parametrize(("cells", "subtotal"), [
    (("", "", "", "本月合计", "", ""), True), (("", "", "", "本 年 累 计", "", ""), True),
    (("合计", "", "", "", "", ""), True), (("2026-05-06", "记-1", "会计培训", "", "", "业务支出-培训"), False),
    (("2026-05-06", "记-1", "办公用品", "", "", "行政支出"), False), ((46083.0, "承前页", "", "", "", ""), True),
    ((46083.0, "记-1", "设计费", "", "", ""), False),
])
def test_subtotal_rows(cells, subtotal):
    assert reading.is_subtotal(cells) is subtotal


def test_progress_may_use_the_database_while_blocks_are_written(cast, monkeypatch):
    """A job's heartbeat writes its progress on the same connection while the writer thread COPYs: the two take
    turns (psycopg's connection lock), neither waits for ever."""
    monkeypatch.setattr(streamed, "BLOCK_LINES", 2)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    seen = []

    def progress(stage, done, total):
        seen.append((stage, done, Voucher.objects.filter(org=cast.grassroots_a).count()))

    rows = [row for n in range(1, 11) for row in voucher_rows(n)]
    result = run(cast, csv(*rows), progress=progress)
    assert result.committed and result.lines == 20
    assert [s for s, _d, _n in seen].count("check") == 10 and seen[-1][0] == "write"
    # PostgreSQL: every voucher is written (in the import's transaction) once the check is done; SQLite writes after
    assert seen[-1][2] == (10 if connection.vendor == "postgresql" else 0)
