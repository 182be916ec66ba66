"""The ledger's screens: the ledger with its filters and xlsx, a measure's page and its forms (422 with the input
kept), adding a measure, dispatch rounds, meetings, the snail list; refused to other counties and anonymous."""

import datetime

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.spreadsheets import read_rows
from gonghui.oversight import dispatch, ledger
from gonghui.oversight.models import Measure
from gonghui.oversight.testing_ledger import attach_evidence, final_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    problem = final_problem(cast.grassroots_a, "职工之家阵地闲置")
    m = ledger.measure_add(actor_for(cast.officer_a), problem=problem, steps="制定使用管理制度",
                           indicator="每周开放不少于5天", expected="阵地常态化使用", due_on=datetime.date(2026, 3, 4),
                           owner=cast.grassroots_officer, leader="张明")
    return clock, problem, m


def test_the_ledger_lists_filters_and_exports(cast, login, setup):
    _clock, _problem, m = setup
    client = login(cast.officer_a)
    r = client.get("/oversight/ledger/")
    assert r.status_code == 200
    body = r.content.decode()
    assert f'data-measure="{m.pk}"' in body and 'data-color="blue"' in body and "整改台账" in body
    assert f'data-measure="{m.pk}"' not in client.get("/oversight/ledger/?color=red").content.decode()
    r = client.get("/oversight/ledger/?export=xlsx")
    assert r.status_code == 200
    rows = list(read_rows(r.content, "ledger.xlsx"))
    assert list(rows[1][:4]) == ["序号", "问题", "整改措施", "量化指标"]
    assert rows[2][1] == "职工之家阵地闲置" and rows[2][7] == "张明"


def test_other_county_and_anonymous_are_refused(cast, client, login, setup):
    _clock, problem, m = setup
    assert client.get(f"/oversight/measures/{m.pk}/").status_code == 302
    assert client.get("/oversight/ledger/").status_code == 302
    c = login(cast.officer_b)
    assert c.get(f"/oversight/measures/{m.pk}/").status_code == 404
    assert c.get(f"/oversight/problems/{problem.pk}/measures/new/").status_code == 404
    assert f'data-measure="{m.pk}"' not in c.get("/oversight/ledger/").content.decode()
    assert c.post(f"/oversight/measures/{m.pk}/closure/request/", {}).status_code == 404
    c = login(cast.auditor_a)
    assert c.get(f"/oversight/measures/{m.pk}/").status_code == 200
    assert c.post(f"/oversight/measures/{m.pk}/progress/", {"text": "x", "percent": 1}).status_code == 403


def test_the_measure_page_and_its_forms(cast, client, setup):
    _clock, problem, m = setup
    client.force_login(cast.grassroots_officer)
    page = client.get(f"/oversight/measures/{m.pk}/").content.decode()
    assert 'id="progress-form"' in page and 'id="request-form"' in page and 'id="close-form"' not in page
    r = client.post(f"/oversight/measures/{m.pk}/progress/", {"text": "制度已起草", "percent": 150})
    assert r.status_code == 422 and "制度已起草" in r.content.decode()
    r = client.post(f"/oversight/measures/{m.pk}/progress/", {"text": "制度已起草", "percent": 40})
    assert r.status_code == 302
    r = client.post(f"/oversight/measures/{m.pk}/closure/request/", {"req-note": "请销号"})
    assert r.status_code == 422 and "佐证" in r.content.decode()
    attach_evidence(cast.grassroots_officer, m)
    assert client.post(f"/oversight/measures/{m.pk}/closure/request/", {"req-note": "请销号"}).status_code == 302
    r = client.post(f"/oversight/measures/{m.pk}/closure/close/", {"close-note": "自己销号"})
    assert r.status_code == 422  # the owner
    client.force_login(cast.officer_a)
    page = client.get(f"/oversight/measures/{m.pk}/").content.decode()
    assert 'id="close-form"' in page and 'id="reject-form"' in page
    assert client.post(f"/oversight/measures/{m.pk}/closure/reject/", {"reject-reason": ""}).status_code == 422
    assert client.post(f"/oversight/measures/{m.pk}/closure/close/", {"close-note": "佐证齐全"}).status_code == 302
    m.refresh_from_db()
    problem.refresh_from_db()
    assert (m.state, problem.state) == ("closed", "closed")
    page = client.get(f"/oversight/measures/{m.pk}/").content.decode()
    assert 'data-event="closed"' in page and 'id="reopen-form"' in page


def test_adding_a_measure_keeps_the_input_on_refusal(cast, client, setup):
    _clock, problem, _m = setup
    client.force_login(cast.officer_a)
    assert client.get(f"/oversight/problems/{problem.pk}/measures/new/").status_code == 200
    data = {"steps": "开展专项检查", "indicator": "检查覆盖率100%", "expected": "问题清零", "due_on": "2026-02-01",
            "owner": cast.grassroots_officer.pk, "leader": "李华"}
    r = client.post(f"/oversight/problems/{problem.pk}/measures/new/", data)
    assert r.status_code == 422 and "开展专项检查" in r.content.decode()
    data.update(due_on="", due_days="10")
    r = client.post(f"/oversight/problems/{problem.pk}/measures/new/", data)
    assert r.status_code == 302
    assert Measure.objects.get(indicator="检查覆盖率100%").due_on == datetime.date(2026, 3, 16)


def test_dispatch_meetings_and_snail_pages(cast, client, setup):
    _clock, problem, m = setup
    client.force_login(cast.officer_a)
    assert client.post("/oversight/dispatch/", {"title": "", "due_on": "2026-03-06"}).status_code == 422
    r = client.post("/oversight/dispatch/", {"title": "第10周调度", "due_on": "2026-03-06"})
    assert r.status_code == 302
    rnd = dispatch.round_list(actor_for(cast.officer_a)).get()
    page = client.get(f"/oversight/dispatch/{rnd.pk}/").content.decode()
    assert f'data-measure="{m.pk}"' in page and 'id="remind-missing"' in page
    assert client.post(f"/oversight/dispatch/{rnd.pk}/remind/").status_code == 302
    assert 'id="remind-missing"' not in client.get(f"/oversight/dispatch/{rnd.pk}/").content.decode()
    r = client.post("/oversight/meetings/", {"held_on": "2026-03-03", "title": "协调会", "attendees": "张明",
                                             "decisions": "限期整改", "problems": problem.number})
    assert r.status_code == 302
    assert "限期整改" in client.get("/oversight/meetings/").content.decode()
    r = client.get("/oversight/snail/?start=2026-01-01&end=2026-03-31")
    assert r.status_code == 200
    assert client.get("/oversight/snail/?start=2026-03-31&end=2026-01-01").status_code == 422
    assert client.post("/oversight/snail/publish/", {"start": "2026-01-01", "end": "2026-03-02"}).status_code == 302
    assert 'id="snail-latest"' in client.get("/oversight/snail/").content.decode()
    r = client.get("/oversight/snail/?start=2026-01-01&end=2026-03-31&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(cast.officer_b)
    assert client.get(f"/oversight/dispatch/{rnd.pk}/").status_code == 404
