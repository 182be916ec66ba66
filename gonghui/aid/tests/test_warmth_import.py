"""Grant import from a spreadsheet: checked then confirmed (amounts by the rules), all or nothing with row and column
named and an xlsx error report (ineligible rows, duplicates in the file and against existing grants, unknown
people and units), a hostile file, the template, permissions and the API."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.aid import import_grants, programs
from gonghui.aid.models import Grant, GrantState, ProgramKind
from gonghui.aid.testing_programs import make_program, member
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows

pytestmark = pytest.mark.django_db


def xlsx(rows, header=("身份证号", "姓名", "单位代码", "与会员关系", "银行账号", "金额")) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write(0, 0, "2026年白事慰问名单")  # a title row above the header
    ws.write_row(1, 0, header)
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    return buf.getvalue()


@pytest.fixture
def people(cast):
    return {n: member(cast, n) for n in ("张三丰", "李四海", "王五")}


def url(program, tail=""):
    return f"/aid/programs/{program.pk}/import/{tail}"


def test_checked_then_confirmed_with_amounts_by_the_rules(cast, login, people):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    rows = [[people["张三丰"].id_number, "张三丰", "GA", "母", "6222 0212 3456 7890", ""],
            [people["李四海"].id_number, "李四海", cast.grassroots_a.name, "岳父母", "", "300"]]
    client = login(cast.grassroots_officer)
    r = client.post(url(program), {"file": SimpleUploadedFile("名单.xlsx", xlsx(rows)), "check": "1"})
    assert r.status_code == 200, r.content.decode()[-2000:]
    body = r.content.decode()
    assert 'id="import-checked"' in body and "张*丰" in body and "张三丰" not in body and "800.00" in body
    assert not Grant.objects.exists()  # nothing before the confirmation
    r = client.post(url(program), {"confirm": client.session["aid.grant_import"]["token"]})
    assert r.status_code == 302
    g1, g2 = Grant.objects.order_by("pk")
    assert (g1.person, g1.amount, g1.bank_account, g1.state) == (people["张三丰"], 500, "6222021234567890",
                                                                 GrantState.APPLIED)
    assert (g2.amount, g2.bank_account, programs.grant_facts(g2)) == (300, "", {"relationship": "岳父母"})
    assert AuditEvent.objects.filter(action="aid.grant_import", details__rows=2).count() == 1


def test_refused_rows_name_row_and_column_and_nothing_is_written(cast, login, people):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=people["王五"],
                         org=cast.grassroots_a, facts={"relationship": "父"})
    rows = [[people["张三丰"].id_number, "张三丰", "GA", "母", "", ""],
            [people["李四海"].id_number, "李四海", "GA", "舅舅", "", ""],          # not a listed relative
            [people["张三丰"].id_number, "张三丰", "GA", "父", "", ""],            # twice in the file
            [people["王五"].id_number, "王五", "GA", "妻", "", ""],                # already has a grant
            [people["李四海"].id_number, "李四", "GA", "妻", "", ""],              # name does not match
            ["110101199003078888", "无名", "GA", "妻", "", ""],                   # bad ID number
            [people["张三丰"].id_number, "张三丰", "GB", "母", "12", "9999"]]      # other county, account, amount
    read = import_grants.grant_rows(actor=actor_for(cast.grassroots_officer), program=program,
                                    data=xlsx(rows), filename="x.xlsx")
    by_row = read.row_problems
    assert set(by_row) == {4, 5, 6, 7, 8, 9}
    assert "与会员关系" in by_row[4][0] and "舅舅" in by_row[4][0]
    assert "第3行" in by_row[5][0] or "row 3" in by_row[5][0].lower()
    assert "2026" in by_row[6][0]
    assert by_row[7][0].startswith("姓名")
    assert by_row[8][0].startswith("身份证号")
    assert any(p.startswith("单位代码") for p in by_row[9]) and any(p.startswith("银行账号") for p in by_row[9])
    client = login(cast.grassroots_officer)
    r = client.post(url(program), {"file": SimpleUploadedFile("x.xlsx", xlsx(rows)), "check": "1"})
    assert r.status_code == 422 and 'id="import-problems"' in r.content.decode()
    r = client.post(url(program), {"file": SimpleUploadedFile("x.xlsx", xlsx(rows)), "report": "1"})
    report = list(read_rows(b"".join(r.streaming_content) if r.streaming else r.content))
    assert any("舅舅" in " ".join(map(str, row)) and "与会员关系" in " ".join(map(str, row)) for row in report)
    with pytest.raises(Exception):  # noqa: B017 (ValidationError: all or nothing)
        import_grants.grant_import(actor=actor_for(cast.grassroots_officer), program=program, data=xlsx(rows),
                                   filename="x.xlsx")
    assert Grant.objects.count() == 1


def test_an_amount_above_the_rules_is_refused(cast, people):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    rows = [[people["张三丰"].id_number, "张三丰", "GA", "母", "", "600"]]
    read = import_grants.grant_rows(actor=actor_for(cast.grassroots_officer), program=program, data=xlsx(rows),
                                    filename="x.xlsx")
    assert read.row_problems[3][0].startswith("金额") and "500.00" in read.row_problems[3][0]


@pytest.mark.parametrize("data, name", [
    (b"\x00\x01not a spreadsheet" * 100, "x.xlsx"),
    (b"=cmd|' /C calc'!A0,<script>alert(1)</script>\n" * 3, "evil.csv"),
    (b"PK\x03\x04" + b"\x00" * 500, "zip.xlsx"),
])
def test_a_hostile_file_is_refused_without_writing(cast, login, data, name):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    r = login(cast.officer_a).post(url(program), {"file": SimpleUploadedFile(name, data), "check": "1"})
    assert r.status_code == 422 and "<script>alert" not in r.content.decode()
    assert not Grant.objects.exists()


def test_the_template_has_the_columns_of_the_rules(cast, login):
    hospital = make_program(cast, kind=ProgramKind.HOSPITAL)
    r = login(cast.grassroots_officer).get(url(hospital, "template/"))
    assert r.status_code == 200
    cells = [str(c) for row in read_rows(b"".join(r.streaming_content) if r.streaming else r.content)
             for c in row]
    assert {"身份证号", "姓名", "单位代码", "住院天数", "银行账号", "金额"} <= set(cells) and "与会员关系" not in cells


def test_permissions(cast, login, client, people):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    data = xlsx([[people["张三丰"].id_number, "张三丰", "GA", "母", "", ""]])
    other = login(cast.officer_b)
    assert other.get(url(program)).status_code == 404
    assert other.post(url(program), {"file": SimpleUploadedFile("x.xlsx", data), "check": "1"}).status_code == 404
    assert login(cast.auditor_a).get(url(program)).status_code == 403
    client.logout()
    r = client.get(url(program))
    assert r.status_code == 302 and "login" in r["Location"]
    assert not Grant.objects.exists()


def test_the_import_by_the_api(cast, login, people):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    api = f"/api/v1/aid/programs/{program.pk}/import"
    good = xlsx([[people["张三丰"].id_number, "张三丰", "GA", "母", "", ""]])
    bad = xlsx([[people["张三丰"].id_number, "张三丰", "GA", "舅舅", "", ""]])
    officer = login(cast.grassroots_officer)
    r = officer.post(api, {"file": SimpleUploadedFile("x.xlsx", bad)})
    assert r.status_code == 422 and "舅舅" in " ".join(r.json()["problems"])
    r = officer.post(api, {"file": SimpleUploadedFile("x.xlsx", good), "dry_run": "true"})
    assert r.status_code == 200 and r.json() == {"grants": 1, "total": "500.00"}
    assert not Grant.objects.exists()
    assert login(cast.officer_b).post(api, {"file": SimpleUploadedFile("x.xlsx", good)}).status_code == 404
    assert login(cast.auditor_a).post(api, {"file": SimpleUploadedFile("x.xlsx", good)}).status_code == 403
    officer = login(cast.grassroots_officer)
    r = officer.post(api, {"file": SimpleUploadedFile("x.xlsx", good)})
    assert r.status_code == 201 and r.json() == {"created": 1}
    r = officer.post(api, {"file": SimpleUploadedFile("x.xlsx", good)})  # the same again: already has a grant
    assert r.status_code == 422 and Grant.objects.count() == 1


def test_the_api_without_a_file_answers_422_in_scope_and_404_outside(cast, login):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    api = f"/api/v1/aid/programs/{program.pk}/import"
    assert login(cast.officer_b).post(api).status_code == 404
    r = login(cast.officer_a).post(api)
    assert r.status_code == 422 and r.json()["problems"]
