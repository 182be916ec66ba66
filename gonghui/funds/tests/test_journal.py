import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.funds import journal
from gonghui.funds.models import Account, Book, Budget, Voucher, VoucherLine
from gonghui.funds.testing import expense

from .journal_files import YONYOU_HEADER, kingdee_csv, serial, xlsx, yonyou_xlsx

pytestmark = pytest.mark.django_db


def run(user, org, data, name="journal.xlsx", year=2026, **kw):
    return journal.journal_import(actor=actor_for(user), org=org, year=year, data=data, filename=name, **kw)


def test_a_yonyou_export_is_imported_whole(cast, django_capture_on_commit_callbacks):
    received = []
    journal.journal_imported.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = run(cast.grassroots_officer, cast.grassroots_a, yonyou_xlsx())
    finally:
        journal.journal_imported.disconnect(dispatch_uid="t1")
    assert result.problems == [] and result.committed
    assert (result.header_row, result.vouchers, result.lines) == (3, 3, 6)
    assert result.created_accounts == ["职工活动支出-节日慰问-春节慰问"]
    book = Book.objects.get(org=cast.grassroots_a, year=2026)
    assert book.next_number == 4
    v2 = Voucher.objects.get(book=book, number=2)
    assert (v2.date, v2.total, v2.attachment_count, v2.source) == (datetime.date(2026, 1, 20), Decimal("8600.00"), 3,
                                                                     "import")
    gift = v2.lines.get(line_no=1)
    assert (gift.account.path, gift.kind, gift.counterparty, gift.invoice_code, gift.invoice_number,
            gift.decision_ref, gift.pay_method, gift.org_path) == (
        "职工活动支出-节日慰问", "expense", "某某超市", "044001900111", "12345678", "工委〔2026〕1号", "bank",
        cast.grassroots_a.path)
    cash = Voucher.objects.get(book=book, number=3)
    sub = cash.lines.get(line_no=1).account
    assert (sub.path, sub.code, sub.org_id, sub.parent.code) == ("职工活动支出-节日慰问-春节慰问", "5010501",
                                                                 cast.grassroots_a.pk, "50105")
    assert set(cash.lines.values_list("pay_method", flat=True)) == {"cash"}
    event = AuditEvent.objects.get(action="funds.journal_import")
    assert event.details["vouchers"] == 3 and event.details["lines"] == 6
    ids = list(VoucherLine.objects.filter(voucher__book=book).values_list("id", flat=True))
    assert received and received[0]["first_line_id"] == min(ids) and received[0]["last_line_id"] == max(ids)
    assert received[0]["org"] == cast.grassroots_a and received[0]["year"] == 2026


def test_a_kingdee_gbk_csv_with_paths_and_full_width_digits(cast):
    result = run(cast.grassroots_officer, cast.grassroots_a, kingdee_csv(), "kingdee.csv")
    assert result.problems == [] and result.committed
    lines = VoucherLine.objects.filter(voucher__org=cast.grassroots_a).order_by("voucher__number", "line_no")
    assert [(ln.voucher.display_number, ln.account.path, ln.debit, ln.credit, ln.date) for ln in lines] == [
        ("记-0012", "业务支出-培训", Decimal("1500.00"), 0, datetime.date(2026, 3, 2)),
        ("记-0012", "银行存款", 0, Decimal("1500.00"), datetime.date(2026, 3, 2)),
        ("记-0013", "行政支出-办公费", Decimal("320.50"), 0, datetime.date(2026, 3, 5)),
        ("记-0013", "库存现金", 0, Decimal("320.50"), datetime.date(2026, 3, 5))]
    assert lines[3].pay_method == "cash" and lines[0].pay_method == "bank"


@pytest.mark.parametrize("number", ["记-12", "记-0012", "记12", "12", "记字第12号", "记 - 12"])
def test_voucher_number_spellings(number):
    from gonghui.funds.journal import reading

    assert reading.cell_number(number) == ("记", 12)
    assert reading.cell_number(12.0) == ("记", 12)


@pytest.mark.parametrize("value", [46083, 46083.0, "2026-03-02", "2026/3/2", "2026年3月2日", "２０２６-０３-０２",
                                   datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2, 0, 0)])
def test_date_spellings(value):
    from gonghui.funds.journal import reading

    assert reading.cell_date(value) == datetime.date(2026, 3, 2)


def rows_with(*vouchers):
    return [YONYOU_HEADER, *[row for v in vouchers for row in v]]


def line(date, number, account, debit="", credit="", summary="支出", code="", **extra):
    row = [date, number, summary, code, account, debit, credit, extra.get("counterparty", ""), "", "", "", ""]
    return row


D = datetime.date(2026, 4, 1)


def test_each_error_is_named_with_its_row_and_nothing_is_written(cast):
    rows = rows_with(
        [line(D, "记-1", "业务支出-培训", 100), line(D, "记-1", "银行存款", credit=90)],  # unbalanced
        [line(D, "记-2", "不存在的科目-子目", 5), line(D, "记-2", "银行存款", credit=5)],  # unknown first level
        [line(datetime.date(2025, 12, 31), "记-3", "业务支出-培训", 5), line(D, "记-3", "银行存款", credit=5)],
        [line(D, "记-4", "业务支出-培训", 5), line(D, "记-4", "银行存款", credit=5)],
        [line(D, "记-5", "业务支出-培训", 5, 5), line(D, "记-5", "银行存款", credit=5)],  # both
        [line(D, "记-4", "业务支出-培训", 5), line(D, "记-4", "银行存款", credit=5)],  # duplicate in file
        [line(D, "记-6", "业务支出-培训", "12.345"), line(D, "记-6", "银行存款", credit="abc")],  # bad amounts
        [line(D, "记-7", "业务支出-培训", "", ""), line(D, "记-7", "银行存款", credit=5)],  # neither
        [line(D, "记-8", "", 5, code="999"), line(D, "记-8", "银行存款", credit=5)],  # unknown code
    )
    result = run(cast.grassroots_officer, cast.grassroots_a, xlsx({"凭证": rows}))
    assert not result.committed
    codes = {(p.row, p.code) for p in result.problems}
    assert {(2, "unbalanced"), (4, "unknown_first_level"), (6, "outside_year"), (10, "debit_credit"),
            (12, "duplicate_number"), (14, "bad_amount"), (15, "bad_amount"), (16, "debit_credit"),
            (18, "unknown_account")} <= codes
    by_code = {p.code: p.message for p in result.problems}
    assert "记-0001" in by_code["unbalanced"] and "100.00" in by_code["unbalanced"] and "90.00" in by_code["unbalanced"]
    assert "不存在的科目" in by_code["unknown_first_level"]
    assert "2025-12-31" in by_code["outside_year"]
    assert not Voucher.objects.exists() and not Book.objects.exists()
    assert not Account.objects.filter(org__isnull=False).exists()
    assert AuditEvent.objects.filter(action="funds.journal_import", outcome="failed").exists()
    report = journal.problems_report(result, xlsx({"凭证": rows}), "j.xlsx")
    from gonghui.core import tabular

    got = {line: cells for line, cells in tabular.open_table(report, "r.xlsx").rows()}
    assert got[1][:2] == ["行号", "问题"] and any(c[0] == 2.0 and "记-0001" in c[1] for c in got.values())


def test_a_number_already_in_the_books_is_refused(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "10", date=datetime.date(2026, 1, 2))  # 记-0001
    rows = rows_with([line(D, "记-1", "业务支出-培训", 5), line(D, "记-1", "银行存款", credit=5)])
    result = run(cast.grassroots_officer, cast.grassroots_a, xlsx({"凭证": rows}))
    assert [p.code for p in result.problems] == ["number_in_books"]
    assert Voucher.objects.count() == 1


def test_dry_run_writes_nothing_and_lists_the_accounts_it_would_create(cast):
    result = run(cast.grassroots_officer, cast.grassroots_a, yonyou_xlsx(), dry_run=True)
    assert result.importable and not result.committed
    assert result.created_accounts == ["职工活动支出-节日慰问-春节慰问"]
    assert not Book.objects.exists() and not Account.objects.filter(org__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="funds.journal_import").exists()


def test_the_budget_sheet_loads_an_approved_budget(cast):
    budget = [["科目名称", "预算金额"], ["职工活动支出-节日慰问", "50,000"], ["业务支出-培训", 12000],
              ["合计", 62000]]
    result = run(cast.grassroots_officer, cast.grassroots_a, yonyou_xlsx({"预算": budget}))
    assert result.committed and result.budget_lines == 2
    plan = Budget.objects.get(org=cast.grassroots_a, year=2026)
    assert plan.state == "approved" and plan.approved_by == cast.grassroots_officer
    assert sorted((ln.account.path, ln.amount) for ln in plan.lines.all()) == [
        ("业务支出-培训", Decimal("12000.00")), ("职工活动支出-节日慰问", Decimal("50000.00"))]
    assert AuditEvent.objects.filter(action="funds.journal_budget", object_id=str(plan.pk)).exists()


def test_a_bad_budget_sheet_refuses_the_whole_import(cast):
    budget = [["科目名称", "预算金额"], ["会费收入", "50,000"], ["无此科目", 1]]
    result = run(cast.grassroots_officer, cast.grassroots_a, yonyou_xlsx({"预算": budget}))
    assert {(p.sheet, p.row, p.code) for p in result.problems} == {("预算", 2, "not_expense"),
                                                                    ("预算", 3, "unknown_account")}
    assert not Voucher.objects.exists() and not Budget.objects.exists()


def test_permission_and_scope(cast):
    data = yonyou_xlsx()
    with pytest.raises(Http404):
        run(cast.officer_b, cast.grassroots_a, data)
    with pytest.raises(Http404):
        run(cast.grassroots_officer, cast.grassroots_b, data)
    with pytest.raises(PermissionDenied):
        run(cast.auditor_a, cast.grassroots_a, data)
    assert run(cast.city_staff, cast.grassroots_a, data).committed  # federation staff: any union in scope
    assert not Voucher.objects.filter(org=cast.grassroots_b).exists()


def test_a_missing_required_column_is_fatal(cast):
    rows = [["凭证日期", "凭证字号", "摘要", "科目名称", "借方金额"], [D, "记-1", "x", "银行存款", 5]]
    result = run(cast.grassroots_officer, cast.grassroots_a, xlsx({"凭证": rows}))
    assert result.fatal and [p.code for p in result.problems] == ["missing_column"]
    assert "贷方金额" in result.problems[0].message


def test_hostile_files_are_refused_as_unreadable(cast):
    import os

    from gonghui.core.tests.test_spreadsheet_bombs import HEADER, bomb_xlsx

    with pytest.raises(journal.JournalFileError):
        run(cast.grassroots_officer, cast.grassroots_a, os.urandom(4096), "random.xlsx")
    with pytest.raises(journal.JournalFileError):
        run(cast.grassroots_officer, cast.grassroots_a, b"just some words\nand more", "notes.csv")
    blank = b"<row><c><v></v></c></row>" + b" " * 10_000_000  # a zip bomb: 50 MB deflated to a few KB
    bomb = bomb_xlsx(iter([HEADER, *[blank] * 5]))
    with pytest.raises(journal.JournalFileError) as exc:
        run(cast.grassroots_officer, cast.grassroots_a, bomb, "bomb.xlsx")
    assert exc.value.code == "suspicious"
    assert not Voucher.objects.exists()


def test_continuation_rows_take_the_voucher_number_date_and_summary_above(cast):
    rows = rows_with([line(D, "记-1", "业务支出-培训", 5, summary="培训费"), ["", "", "", "102", "", "", 5, "", "", "",
                                                                        "", ""]])
    result = run(cast.grassroots_officer, cast.grassroots_a, xlsx({"凭证": rows}))
    assert result.committed, result.problems
    ln = VoucherLine.objects.get(line_no=2)
    assert (ln.summary, ln.date, ln.account.code) == ("培训费", D, "102")
    assert serial(D) == 46113


def test_an_xls_workbook_is_read_from_its_sheet_named_凭证_with_its_budget_sheet(cast):
    import io

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "财务软件导出")
    ws = book.add_sheet("凭证")
    for c, h in enumerate(YONYOU_HEADER):
        ws.write(0, c, h)
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    lines = [[D, "记-1", "培训费", "50301", "", 800.5, ""], [D, "记-1", "培训费", "102", "", "", 800.5]]
    for r, row in enumerate(lines, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                ws.write(r, c, datetime.datetime.combine(value, datetime.time()), dates)
            elif value != "":
                ws.write(r, c, value)
    plan = book.add_sheet("预算")
    for r, row in enumerate([["科目名称", "预算金额"], ["业务支出-培训", 5000]]):
        for c, value in enumerate(row):
            plan.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    result = run(cast.grassroots_officer, cast.grassroots_a, out.getvalue(), "journal.xls")
    assert result.committed, result.problems
    assert (result.vouchers, result.lines, result.budget_lines) == (1, 2, 1)
    assert VoucherLine.objects.get(line_no=1).debit == Decimal("800.50")


def test_rows_of_spaces_and_subtotals_with_spaces_are_skipped(cast):
    rows = rows_with([line(D, "记-1", "业务支出-培训", 5), line(D, "记-1", "银行存款", credit=5)])
    rows.insert(2, ["  ", " ", "", "", "", "", "", "", "", "", "", ""])
    rows.append(["", "", "本 月 合 计", "", "", 5, 5, "", "", "", "", ""])
    result = run(cast.grassroots_officer, cast.grassroots_a, xlsx({"凭证": rows}))
    assert result.committed and result.problems == [] and result.lines == 2
