"""Enrolment from a spreadsheet: checked then confirmed, all or nothing with row and column named in Chinese and an
xlsx error report; the same through the API."""

import io

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.aid import import_mutual
from gonghui.aid.models import MutualEnrolment
from gonghui.aid.testing_archive import id_number
from gonghui.aid.testing_mutual import enrolled, make_plan
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.members.tests.factories import add_member

pytestmark = pytest.mark.django_db


def xlsx(rows, header=("身份证号", "姓名", "单位代码", "缴费金额")) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write(0, 0, "2026年医疗互助参保名单")  # a title row above the header
    ws.write_row(1, 0, header)
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    return buf.getvalue()


@pytest.fixture
def people(cast):
    return {n: add_member(cast.grassroots_officer, cast.grassroots_a, name=n).person for n in ("张三丰", "李四海")}


def test_checked_then_confirmed_on_the_page(cast, login, people):
    plan = make_plan(cast)
    rows = [[people["张三丰"].id_number, "张三丰", "GA", ""],
            [people["李四海"].id_number, "李四海", "东湖机械厂工会", "80"]]
    c = login(cast.grassroots_officer)
    url = f"/aid/mutual/{plan.pk}/enrolments/import/"
    r = c.post(url, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows)), "check": "1"})
    assert r.status_code == 200 and r.context["count"] == 2 and str(r.context["total"]) == "140.00"
    assert MutualEnrolment.objects.count() == 0  # nothing before the confirmation
    r = c.post(url, {"confirm": r.context["token"]})
    assert r.status_code == 302
    got = dict(MutualEnrolment.objects.values_list("person__name", "contribution"))
    assert {k: str(v) for k, v in got.items()} == {"张三丰": "60.00", "李四海": "80.00"}
    assert AuditEvent.objects.filter(action="aid.mutual_enrol_import").count() == 1
    assert c.get(f"/aid/mutual/{plan.pk}/enrolments/template/").status_code == 200


def test_all_or_nothing_with_each_problem_named_and_a_report(cast, login, people):
    plan = make_plan(cast)
    already = enrolled(cast, plan, "王五")
    stranger = id_number(7)
    rows = [[people["张三丰"].id_number, "张三丰", "GA", ""],         # fine
            [people["张三丰"].id_number, "张三丰", "GA", ""],         # twice in the file
            [people["李四海"].id_number, "李四", "GA", ""],           # name does not match
            [already.person.id_number, "王五", "GA", ""],            # already enrolled
            [stranger, "赵六", "GA", ""],                           # not a member
            ["12345", "钱七", "GA", ""],                            # not an ID number
            [people["李四海"].id_number, "李四海", "GB", "abc"]]      # another county's unit, bad amount
    read = import_mutual.enrol_rows(actor=actor_for(cast.grassroots_officer), plan=plan, data=xlsx(rows),
                                    filename="名单.xlsx")
    p = read.row_problems
    assert set(p) == {4, 5, 6, 7, 8, 9} and 3 not in p
    assert "第3行" in p[4][0]
    assert "姓名" in p[5][0] and "已参加" in p[6][0] and "身份证号" in p[7][0] and "身份证号" in p[8][0]
    assert any("单位代码" in m for m in p[9]) and any("缴费金额" in m for m in p[9])
    with pytest.raises(ValidationError):
        import_mutual.enrol_import(actor=actor_for(cast.grassroots_officer), plan=plan, data=xlsx(rows),
                                   filename="名单.xlsx")
    assert MutualEnrolment.objects.count() == 1
    report = list(read_rows(read.report(), "r.xlsx"))
    assert len(report) >= 7
    c = login(cast.grassroots_officer)
    url = f"/aid/mutual/{plan.pk}/enrolments/import/"
    r = c.post(url, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows)), "check": "1"})
    assert r.status_code == 422 and len(r.context["result"]["problems"]) >= 6
    r = c.post(url, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows)), "report": "1"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_import_by_the_api_and_scope(cast, login, people):
    plan = make_plan(cast)
    rows = [[people["张三丰"].id_number, "张三丰", "GA", ""]]
    c = login(cast.grassroots_officer)
    base = f"/api/v1/aid/mutual/plans/{plan.pk}/enrolments/import"
    r = c.post(base, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows)), "dry_run": "true"})
    assert r.status_code == 200 and r.json()["workers"] == 1 and MutualEnrolment.objects.count() == 0
    r = c.post(base, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows))})
    assert r.status_code == 201 and r.json()["created"] == 1
    r = c.post(base, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows))})
    assert r.status_code == 422 and "已参加" in r.json()["problems"][0]
    other = login(cast.officer_b)
    assert other.post(base, {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows))}).status_code == 404
