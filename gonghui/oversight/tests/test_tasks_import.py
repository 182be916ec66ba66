"""Import of a key-task list (任务清单/责任清单): a messy office file (a title row, a merged two-row header read
through synonyms, full-width digits) imported after check and confirm; a bad date and an unknown unit refuse the
whole file with row and column named and an xlsx error report; a hostile file; refusals (another county, a
grassroots officer, an anonymous visitor); the API."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.oversight import import_tasks
from gonghui.oversight.models import Department, KeyTask, TaskKind

pytestmark = pytest.mark.django_db
URL = "/oversight/tasks/import/"


@pytest.fixture
def depts(cast):
    for i, n in enumerate(("办公室", "组织部", "权益保障部")):
        Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name=n, order=i)


def messy(rows) -> bytes:
    """A title row, then a header of two rows (责任分工 merged over 牵头部门 | 责任人), then the rows."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("任务清单")
    ws.merge_range(0, 0, 0, 6, "东城区总工会2026年度重点工作任务清单")
    for col, name in ((0, "序号"), (1, "重点工作任务"), (2, "工作措施"), (5, "完成时限"), (6, "任务类别")):
        ws.merge_range(1, col, 2, col, name)
    ws.merge_range(1, 3, 1, 4, "责任分工")
    ws.write(2, 3, "牵头部门")
    ws.write(2, 4, "责任人")
    for r, row in enumerate(rows, start=3):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


GOOD = [
    ["１", "建设户外劳动者驿站１０个", "选址、建设、挂牌", "权益保障部", "officer_a", "２０２６年６月３０日", "办实事"],
    ["2", "开展“尊法守法·携手筑梦”普法活动", "", "办公室", "officer_a", "2026-09-30", ""],
]


def test_a_messy_file_checked_then_confirmed(cast, depts, login):
    client = login(cast.officer_a)
    resp = client.post(URL, {"file": SimpleUploadedFile("任务清单.xlsx", messy(GOOD)), "check": "1"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="import-checked"' in body and "建设户外劳动者驿站10个" in body
    assert not KeyTask.objects.exists()  # nothing written before the confirmation
    assert client.session["oversight.task_import"]["token"]
    assert client.post(URL, {"confirm": "wrong"}).status_code == 302
    assert not KeyTask.objects.exists()
    resp = client.post(URL, {"file": SimpleUploadedFile("任务清单.xlsx", messy(GOOD)), "check": "1"})
    token = client.session["oversight.task_import"]["token"]
    resp = client.post(URL, {"confirm": token})
    assert resp.status_code == 302
    t1, t2 = KeyTask.objects.order_by("pk")
    assert (t1.title, t1.kind, t1.lead.name, t1.owner, t1.org) == ("建设户外劳动者驿站10个", TaskKind.PRACTICAL,
                                                                  "权益保障部", cast.officer_a, cast.county_a)
    assert [(m.title, m.due_on) for m in t1.milestones.all()] == [("任务完成时限", datetime.date(2026, 6, 30))]
    assert t2.kind == TaskKind.KEY and t2.milestones.get().due_on == datetime.date(2026, 9, 30)
    assert AuditEvent.objects.filter(action="oversight.task_import", details__added=2).exists()
    assert client.post(URL, {"confirm": token}).status_code == 302  # used once
    assert KeyTask.objects.count() == 2


def test_a_bad_date_and_an_unknown_unit_refuse_the_whole_file(cast, depts, login):
    rows = [*GOOD, ["3", "职工书屋建设", "", "组织部", "officer_a", "2026年13月1日", ""]]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["任务", "单位", "责任部门", "负责人", "完成时间"])
    ws.write_row(1, 0, ["职工书屋建设", "GB", "组织部", "officer_a", "2026-05-01"])
    wb.close()
    client = login(cast.officer_a)
    resp = client.post(URL, {"file": SimpleUploadedFile("a.xlsx", messy(rows)), "check": "1"})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "第6行" in body and "完成时限" in body
    resp = client.post(URL, {"file": SimpleUploadedFile("b.xlsx", buf.getvalue()), "check": "1"})
    assert resp.status_code == 422 and "第2行" in resp.content.decode() and "GB" in resp.content.decode()
    resp = client.post(URL, {"file": SimpleUploadedFile("a.xlsx", messy(rows)), "report": "1"})
    report = read_rows(b"".join(resp.streaming_content) if resp.streaming else resp.content)
    assert any("完成时限" in " ".join(map(str, r)) for r in report)
    assert not KeyTask.objects.exists()


@pytest.mark.parametrize("data, name", [
    (b"\x00\x01not a spreadsheet" * 100, "x.xlsx"),
    (b"=cmd|' /C calc'!A0,<script>alert(1)</script>\n" * 3, "evil.csv"),
    (b"PK\x03\x04" + b"\x00" * 500, "zip.xlsx"),
])
def test_a_hostile_file_is_refused_without_writing(cast, depts, login, data, name):
    resp = login(cast.officer_a).post(URL, {"file": SimpleUploadedFile(name, data), "check": "1"})
    assert resp.status_code == 422
    assert "<script>alert" not in resp.content.decode()
    assert not KeyTask.objects.exists()


def test_unknown_department_and_owner_of_another_county(cast, depts):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["任务", "牵头部门", "责任人"])
    ws.write_row(1, 0, ["任务甲", "宣传部", "officer_a"])
    ws.write_row(2, 0, ["任务乙", "办公室", "officer_b"])
    wb.close()
    read = import_tasks.task_rows(actor=actor_for(cast.officer_a), data=buf.getvalue(), filename="t.xlsx")
    text = "；".join(read.problems)
    assert "第2行" in text and "宣传部" in text and "第3行" in text and "officer_b" in text
    with pytest.raises(Exception):  # noqa: B017 (ValidationError)
        import_tasks.task_import(actor=actor_for(cast.officer_a), data=buf.getvalue(), filename="t.xlsx")
    assert not KeyTask.objects.exists()


def test_refusals(cast, depts, client, login):
    data = messy(GOOD)
    # Another county: the rows name county A's departments, which are not in its scope (its own unit has none).
    resp = login(cast.officer_b).post(URL, {"file": SimpleUploadedFile("t.xlsx", data), "check": "1"})
    assert resp.status_code == 422
    assert login(cast.auditor_a).get(URL).status_code == 403
    gro = login(cast.grassroots_officer)
    resp = gro.post(URL, {"file": SimpleUploadedFile("t.xlsx", data), "check": "1"})
    assert resp.status_code == 422
    client.logout()
    assert client.post(URL, {"file": SimpleUploadedFile("t.xlsx", data), "check": "1"}).status_code == 302
    assert client.post("/api/v1/oversight/task-imports", {"file": SimpleUploadedFile("t.xlsx", data)}
                       ).status_code in (401, 403)
    assert not KeyTask.objects.exists()


def test_api(cast, depts, login):
    client = login(cast.officer_a)
    url = "/api/v1/oversight/task-imports"
    resp = client.post(url, {"file": SimpleUploadedFile("t.xlsx", messy(GOOD)), "dry_run": "true"})
    assert resp.status_code == 200 and resp.json() == {"tasks": 2}
    assert not KeyTask.objects.exists()
    bad = [*GOOD, ["3", "x", "", "宣传部", "officer_a", "", ""]]
    resp = client.post(url, {"file": SimpleUploadedFile("t.xlsx", messy(bad))})
    assert resp.status_code == 422 and any("第6行" in p for p in resp.json()["problems"])
    assert not KeyTask.objects.exists()
    resp = client.post(url, {"file": SimpleUploadedFile("t.xlsx", messy(GOOD))})
    assert resp.status_code == 201 and len(resp.json()["ids"]) == 2


def test_the_list_filters_by_lead_department(cast, depts, login):
    from gonghui.oversight import keytasks

    office, rights = (Department.objects.get(name=n, org=cast.county_a) for n in ("办公室", "权益保障部"))
    other = Department.objects.create(org=cast.county_b, org_path=cast.county_b.path, name="办公室")
    year = datetime.date.today().year
    for title, lead in (("驿站建设", rights), ("普法活动", office)):
        keytasks.task_create(actor_for(cast.officer_a), org=cast.county_a, year=year, kind=TaskKind.KEY,
                             title=title, lead=lead, owner=cast.officer_a)
    client = login(cast.officer_a)
    body = client.get(f"/oversight/tasks/?year={year}&lead={rights.pk}").content.decode()
    assert "驿站建设" in body and "普法活动" not in body
    assert f'value="{other.pk}"' not in client.get("/oversight/tasks/").content.decode()
    # Another county's department is not a choice: the filter is refused, nothing of it shown.
    body = client.get(f"/oversight/tasks/?year={year}&lead={other.pk}").content.decode()
    assert "invalid-feedback" in body
    api = client.get(f"/api/v1/oversight/tasks?year={year}&lead={office.pk}").json()
    assert [t["title"] for t in api["items"]] == ["普法活动"]
    assert client.get(f"/api/v1/oversight/tasks?lead={other.pk}").status_code == 404
    assert login(cast.officer_b).get(f"/api/v1/oversight/tasks?lead={office.pk}").status_code == 404
