"""Importing payroll declarations and dues wage bases from a spreadsheet: all rows or none, with a report."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.spreadsheets import write_xlsx
from gonghui.funds.income.imports import declarations_import
from gonghui.funds.models import Allocation, DuesMonth

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monday_2_march_2026(monkeypatch)


def _xlsx(header, rows, title=True):
    data = write_xlsx(header, rows)
    if not title:
        return data
    # A title row above the header, as the federation's templates have.
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = book.get_sheet_by_index(0).to_python()
    return write_xlsx(["2026年工会经费申报表"], [[""] * 0, *cells])


def test_payroll_declarations_are_imported_by_month_and_quarter(cast):
    data = _xlsx(["单位代码", "年度", "月份", "季度", "申报工资总额"],
                 [["GA", 2026, 1, "", "100,000.00"], ["GA-B", 2026, "", 1, 30000], ["ga", "2026", "2", "", 50000]])
    result = declarations_import(actor=actor_for(cast.officer_a), data=data, filename="申报.xlsx", kind="allocation")
    assert result.ok and result.written == 3
    assert sorted(Allocation.objects.values_list("union__code", "period_kind", "period_no", "due")) == [
        ("GA", "month", 1, Decimal("2000.00")), ("GA", "month", 2, Decimal("1000.00")),
        ("GA-B", "quarter", 1, Decimal("600.00"))]


def test_one_bad_row_imports_nothing_and_reports_each_problem(cast):
    data = _xlsx(["工会代码", "年度", "月份", "工资基数"],
                 [["GA", 2026, 1, 30000], ["GB", 2026, 1, 1000], ["GA", 2026, 13, -5], ["GA-B", 2026, 2, "abc"]],
                 title=False)
    result = declarations_import(actor=actor_for(cast.officer_a), data=data, filename="会费.xlsx", kind="dues")
    assert not result.ok and result.written == 0 and not DuesMonth.objects.exists()
    by_row = {(p.row, p.column) for p in result.problems}
    assert by_row == {(3, "工会代码"), (4, "月份"), (4, "金额"), (5, "金额")}  # GB is county B's: not found
    report = CalamineWorkbook.from_filelike(io.BytesIO(result.report)).get_sheet_by_index(0).to_python()
    assert report[0][:2] == ["行号", "问题"] and [int(r[0]) for r in report[1:]] == [3, 4, 5]


def test_a_row_refused_by_the_service_rolls_back_the_others(cast):
    data = _xlsx(["工会代码", "年度", "月份", "工资总额"], [["GA", 2026, 1, 1000], ["CA1", 2026, 1, 1000]],
                 title=False)
    result = declarations_import(actor=actor_for(cast.officer_a), data=data, filename="x.xlsx", kind="allocation")
    assert not result.ok and not Allocation.objects.exists()
    assert result.problems[0].row == 3 and "城关街道总工会" in result.problems[0].message


def test_a_file_without_a_header_is_refused(cast):
    with pytest.raises(ValidationError):
        declarations_import(actor=actor_for(cast.officer_a), data=b"a,b\n1,2\n", filename="x.csv", kind="dues")


def test_the_import_page_and_its_report(cast, login):
    client = login(cast.grassroots_officer)
    bad = _xlsx(["工会代码", "年度", "月份", "工资基数"], [["GA", 2026, 1, -1]], title=False)
    resp = client.post("/funds/income/import/", {"kind": "dues", "file": SimpleUploadedFile("会费.xlsx", bad)})
    body = resp.content.decode()
    assert resp.status_code == 422 and "第2行 · 金额：金额不得为负数：-1.00" in body and "未导入任何数据" in body
    report = client.get("/funds/income/import/report/")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    good = _xlsx(["工会代码", "年度", "月份", "工资基数"], [["GA", 2026, 1, 20000]], title=False)
    resp = client.post("/funds/income/import/", {"kind": "dues", "file": SimpleUploadedFile("会费.xlsx", good)})
    assert resp.status_code == 302 and DuesMonth.objects.get().due == Decimal("100.00")
    assert login(cast.auditor_a).get("/funds/income/import/").status_code == 403
