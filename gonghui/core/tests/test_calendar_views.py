import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core import workdays
from gonghui.core.models import AuditEvent, HolidayDay, HolidayYear
from gonghui.core.spreadsheets import write_xlsx


@pytest.fixture(autouse=True)
def _fresh_index():
    workdays.reset_index()
    yield
    workdays.reset_index()


ARRANGEMENT_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知
2027-01-01~2027-01-03 休 元旦
2027-02-06~2027-02-13 休 春节
2027-02-14 班 春节调休
"""


def test_admin_sees_the_missing_year_and_enters_it(cast, login):
    client = login(cast.system_admin)
    resp = client.get("/calendar/")
    assert resp.status_code == 200
    years_missing = workdays.missing_years(upcoming=1)
    assert 2027 in years_missing or datetime.date.today().year > 2026
    assert workdays.add_workdays(datetime.date(2027, 2, 5), 1).provisional
    resp = client.post("/calendar/2027/edit/", {"text": ARRANGEMENT_2027, "notice": "国办发明电〔2026〕X号"})
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    assert HolidayYear.objects.get(year=2027).source == "manual"
    assert HolidayDay.objects.filter(date__year=2027).count() == 3 + 8 + 1
    workdays.reset_index()
    result = workdays.add_workdays(datetime.date(2027, 2, 5), 1)
    assert result == datetime.date(2027, 2, 14) and not result.provisional
    assert AuditEvent.objects.filter(action="calendar.year_set").exists()
    assert "2027" in client.get("/calendar/2027/").content.decode()


def test_bad_lines_are_named_and_nothing_is_saved(cast, login):
    client = login(cast.system_admin)
    resp = client.post("/calendar/2027/edit/", {"text": "2027-01-01 休 元旦\n2027-13-01 休 x\n2027-02-15 班 周一"})
    assert resp.status_code == 200
    errors = " ".join(resp.context["form"].errors["text"])
    assert "2" in errors and "3" in errors
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_spreadsheet_upload(cast, login):
    content = write_xlsx(["日期", "类型", "名称"], [["2027-01-01", "休", "元旦"], ["2027-02-14", "班", "春节调休"]])
    client = login(cast.system_admin)
    resp = client.post("/calendar/2027/edit/", {"text": "", "file": SimpleUploadedFile("2027.xlsx", content)})
    assert resp.status_code == 302
    assert HolidayYear.objects.get(year=2027).source == "spreadsheet"


def test_staff_read_the_calendar_but_cannot_change_it(cast, login):
    client = login(cast.officer_a)
    assert client.get("/calendar/2026/").status_code == 200
    assert client.post("/calendar/2027/edit/", {"text": ARRANGEMENT_2027}).status_code == 403
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert client.get("/calendar/1800/").status_code == 404
