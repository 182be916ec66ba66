"""A federation loads a revised chart from a spreadsheet: all or nothing, problems by row with an error report."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from python_calamine import CalamineWorkbook

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import write_xlsx
from gonghui.funds import chart, chart_import
from gonghui.funds.models import Account, ChartVersion

pytestmark = pytest.mark.django_db

KIND_NAMES = {"asset": "资产", "liability": "负债", "net_asset": "净资产", "income": "收入", "expense": "支出"}


def revision_2021(extra=()) -> bytes:
    """The shipped chart as a federation would type it (sub-accounts by name, their parent found by code), with
    the 2021 revision's 职工服务支出 and one of its sub-items, under a title row."""
    rows = [(code, path.rsplit("-", 1)[-1], KIND_NAMES[kind], 2021) for code, path, kind in chart.STANDARD_ACCOUNTS]
    rows += [("509", "职工服务支出", "支出", 2021), ("50901", "职工服务支出-职工服务中心", "支出", "2021年"), *extra]
    return write_xlsx(["科目代码", "科目名称", "科目类别", "启用年度"], rows, notes=["临江市总工会 会计科目表（修订）"])


def load(cast, data, *, user=None, name="财会〔2021〕7号", year=None):
    return chart_import.chart_import(actor=actor_for(user or cast.city_staff), org=cast.city, data=data,
                                     filename="科目表.xlsx", name=name, effective_year=year)


def test_a_2021_revision_adds_staff_services_for_the_subtree(cast):
    result = load(cast, revision_2021())
    assert result.ok and result.problems == []
    version = result.chart
    assert (version.effective_year, version.loaded_by, version.name) == (2021, cast.city, "财会〔2021〕7号")
    sub = Account.objects.get(chart=version, path="职工服务支出-职工服务中心")
    assert sub.parent.code == "509" and sub.kind == "expense" and sub.depth == 2
    assert Account.objects.get(chart=version, code="50105").path == "职工活动支出-节日慰问"  # parent by code prefix
    assert chart.chart_for(cast.grassroots_b, 2026) == version
    assert chart.chart_for(cast.grassroots_b, 2020).code == chart.STANDARD_CODE
    event = AuditEvent.objects.get(action="funds.chart_load")
    assert event.details["accounts"] == len(chart.STANDARD_ACCOUNTS) + 2
    again = load(cast, revision_2021(), name="第二次")
    assert again.ok and again.chart.code != version.code


def test_a_bad_chart_loads_nothing_and_reports_each_row(cast):
    data = revision_2021(extra=[("510", "捐赠支出", "费用", ""), ("509", "重复编码", "支出", ""),
                                ("", "不存在的科目-下级", "支出", ""), ("51x", "", "支出", "")])
    before = ChartVersion.objects.count()
    result = load(cast, data)
    assert not result.ok and ChartVersion.objects.count() == before
    failed = AuditEvent.objects.get(action="funds.chart_load")
    assert failed.outcome == "failed" and failed.details["problems"] == len(result.problems)
    by_row = {(p.row, p.column) for p in result.problems}
    first = len(chart.STANDARD_ACCOUNTS) + 4  # the row of 50901: title, header, the chart, 509
    assert (first + 1, "类别") in by_row  # 费用 is not a category
    assert (first + 2, "科目编码") in by_row  # 509 twice
    assert (first + 3, "科目名称") in by_row  # no parent in the file
    assert (first + 4, "科目编码") in by_row and (first + 4, "科目名称") in by_row
    report = CalamineWorkbook.from_filelike(io.BytesIO(result.report())).get_sheet_by_index(0).to_python()
    header = next(i for i, r in enumerate(report) if r[0] == "行号")
    assert [int(r[0]) for r in report[header + 1:]] == [first + 1, first + 2, first + 3, first + 4]
    assert "费用" in report[header + 1][1]


def test_missing_columns_and_required_accounts(cast):
    result = load(cast, write_xlsx(["科目编码", "科目名称"], [("101", "库存现金")]))
    assert not result.ok and {p.column for p in result.problems} == {"类别"}
    result = load(cast, write_xlsx(["科目编码", "科目名称", "类别"], [("101", "库存现金", "资产")]), year=2022)
    assert not result.ok and "102" in result.problems[0].message
    with pytest.raises(ValidationError):
        load(cast, write_xlsx(["甲", "乙"], [("1", "2")]), year=2022)
    with pytest.raises(ValidationError):
        load(cast, revision_2021(), name=" ")


def test_only_federation_staff_in_scope_load_a_chart(cast):
    with pytest.raises(PermissionDenied):
        load(cast, revision_2021(), user=cast.grassroots_officer)
    with pytest.raises(PermissionDenied):
        load(cast, revision_2021(), user=cast.auditor_a)
    with pytest.raises(Http404):
        load(cast, revision_2021(), user=cast.officer_b)  # the city is above county B
    assert not ChartVersion.objects.exclude(code=chart.STANDARD_CODE).exists()
