"""The visits and inspections API: record a visit, list and read it, a finding onto the problem list; a round, an
item issued and answered; scope (another county: 404), permission (the auditor cannot write), bad input (422)."""

import datetime

import pytest

from gonghui.core import figures
from gonghui.oversight.testing_visits import open_round, uscc

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oversight"


def test_visits_by_the_api(cast, login, client):
    county = login(cast.officer_a)
    payload = {"title": "走访园区企业", "started_on": "2026-03-10", "leader": "officer_a", "team": ["officer_a"],
               "units": [{"org": "GA"}, {"name": "新华科技有限公司", "uscc": uscc()}], "forums": 1,
               "forum_people": 15, "interviews": 2, "questionnaires": 30, "findings": ["食堂收费未公开"]}
    resp = county.post(f"{BASE}/visits", payload, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [u["org"] for u in body["units"]] == ["GA", None] and body["forum_people"] == 15
    vid, fid = body["id"], body["findings"][0]["id"]
    assert [v["id"] for v in county.get(f"{BASE}/visits?start=2026-03-01").json()["items"]] == [vid]
    bad = dict(payload, units=[{"name": "某公司", "uscc": uscc()[:-1] + "0"}])
    assert county.post(f"{BASE}/visits", bad, content_type="application/json").status_code == 422
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/visits/{vid}").status_code == 404
    assert other.post(f"{BASE}/visits/findings/{fid}/problem", {}, content_type="application/json").status_code == 404
    county = login(cast.officer_a)
    resp = county.post(f"{BASE}/visits/findings/{fid}/problem", {"org": "GA"}, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["number"].startswith("WT-")
    assert county.get(f"{BASE}/visits/{vid}").json()["findings"][0]["problem_id"] == resp.json()["problem_id"]
    assert login(cast.auditor_a).post(f"{BASE}/visits", payload, content_type="application/json").status_code == 403
    client.logout()
    assert client.get(f"{BASE}/visits").status_code == 401


def test_inspections_by_the_api_and_their_figure(cast, login):
    rnd = open_round(cast.officer_a, "CA1\nGA", on=datetime.date(2026, 4, 1))
    county = login(cast.officer_a)
    url = f"{BASE}/inspections/{rnd.pk}/items"
    assert county.post(url, {"kind": "feedback", "unit": "GA"}, content_type="application/json").status_code == 422
    resp = county.post(url, {"kind": "feedback", "unit": "GA", "title": "整改不到位", "content": "请报送整改情况",
                             "due_on": "2099-04-20"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    item = resp.json()
    county.post(url, {"kind": "prompt", "unit": "CA1", "title": "提示", "content": "落实", "due_on": "2099-04-20"},
                content_type="application/json")
    unit = login(cast.grassroots_officer)
    assert [i["id"] for i in unit.get(f"{BASE}/inspections/items").json()["items"]] == [item["id"]]
    assert unit.get(f"{BASE}/inspections/{rnd.pk}").status_code == 404
    resp = unit.post(f"{BASE}/inspections/items/{item['id']}/answer", {"answer": "已整改"},
                     content_type="application/json")
    assert resp.json()["state"] == "answered"
    assert login(cast.officer_b).get(f"{BASE}/inspections/items/{item['id']}").status_code == 404
    # 1 round, 1 工作提示 and 1 督导反馈单 for the county; none for the other county.
    year = figures.Period.parse(str(datetime.date.today().year))
    issued = dict(figures.get("oversight.inspections").compute(cast.county_a, year))
    assert (issued["工作提示"], issued["督导反馈单"]) == (1, 1)
    spring = figures.Period.parse("2026-04")
    assert dict(figures.get("oversight.inspections").compute(cast.county_a, spring))["督导轮次"] == 1
    assert set(dict(figures.get("oversight.inspections").compute(cast.county_b, year)).values()) == {0}
