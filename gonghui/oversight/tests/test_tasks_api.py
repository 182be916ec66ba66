"""The key-task and target API: a task through milestones, progress and completion; a target card through its five
steps; scope, permissions and bad input."""

import pytest
from django.utils import timezone

from gonghui.oversight.models import Department

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oversight"
TODAY = timezone.localdate()
J = "application/json"


@pytest.fixture
def depts(cast):
    return [Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name=n, order=i)
            for i, n in enumerate(("办公室", "组织部"))]


def test_task_by_the_api(cast, login, depts):
    c = login(cast.officer_a)
    r = c.post(f"{BASE}/tasks", {"year": TODAY.year, "kind": "practical", "title": "职工疗休养", "lead": depts[0].pk,
                                 "owner": "officer_a", "cooperating": [depts[1].pk],
                                 "milestones": [{"title": "制定方案", "due_on": str(TODAY)}]}, content_type=J)
    assert r.status_code == 201, r.content
    body = r.json()
    tid, mid = body["id"], body["milestones"][0]["id"]
    assert body["cooperating"] == ["组织部"] and body["milestones"][0]["color"] == "blue"
    r = c.post(f"{BASE}/tasks/{tid}/progress", {"text": "方案已印发", "percent": 130}, content_type=J)
    assert r.status_code == 422
    r = c.post(f"{BASE}/tasks/{tid}/progress", {"text": "方案已印发", "percent": 50}, content_type=J)
    assert r.status_code == 201 and r.json()["percent"] == 50
    assert c.post(f"{BASE}/tasks/{tid}/done", {"result": "完成"}, content_type=J).status_code == 422
    assert c.post(f"{BASE}/milestones/{mid}/done").status_code == 200
    r = c.post(f"{BASE}/tasks/{tid}/done", {"result": "1200人次疗休养"}, content_type=J)
    assert r.status_code == 200 and r.json()["done_on"] == str(TODAY)
    assert [t["id"] for t in c.get(f"{BASE}/tasks?year={TODAY.year}").json()["items"]] == [tid]
    for user in (cast.officer_b, cast.grassroots_officer):
        other = login(user)
        assert other.get(f"{BASE}/tasks/{tid}").status_code == 404
        assert other.get(f"{BASE}/tasks").json()["items"] == []
    assert login(cast.auditor_a).post(f"{BASE}/tasks/{tid}/progress", {"text": "x", "percent": 1},
                                      content_type=J).status_code == 403


def test_task_bad_input_by_the_api(cast, login, depts):
    c = login(cast.officer_a)
    other = Department.objects.create(org=cast.county_b, org_path=cast.county_b.path, name="办公室")
    for payload in ({"year": 2026, "kind": "nope", "title": "x", "lead": depts[0].pk, "owner": "officer_a"},
                    {"year": 2026, "kind": "key", "title": "x", "lead": other.pk, "owner": "officer_a"},
                    {"year": 2026, "kind": "key", "title": "x", "lead": depts[0].pk, "owner": "nobody"},
                    {"year": 2026, "kind": "key", "title": "", "lead": depts[0].pk, "owner": "officer_a"}):
        assert c.post(f"{BASE}/tasks", payload, content_type=J).status_code == 422


def test_target_by_the_api(cast, login, depts):
    c = login(cast.officer_a)
    r = c.post(f"{BASE}/targets", {"department": depts[1].pk, "year": 2026, "items": [
        {"title": "发展会员", "weight": 70, "indicator": "2000人"},
        {"title": "建家", "weight": 20, "indicator": "5个"}]},
        content_type=J)
    assert r.status_code == 201, r.content
    pid, items = r.json()["id"], [i["id"] for i in r.json()["items"]]
    assert c.post(f"{BASE}/targets/{pid}/approve").status_code == 422  # weights add up to 90
    c.post(f"{BASE}/targets", {"department": depts[1].pk, "year": 2026, "items": [
        {"title": "发展会员", "weight": 70, "indicator": "2000人"},
        {"title": "建家", "weight": 30, "indicator": "5个"}]},
        content_type=J)
    items = [i["id"] for i in c.get(f"{BASE}/targets/{pid}").json()["items"]]
    assert login(cast.grassroots_officer).post(f"{BASE}/targets/{pid}/approve").status_code in (403, 404)
    c = login(cast.officer_a)
    assert c.post(f"{BASE}/targets/{pid}/approve").json()["state"] == "approved"
    r = c.post(f"{BASE}/targets/{pid}/summary", {"items": [{"item": i, "summary": "完成"} for i in items]},
               content_type=J)
    assert r.json()["state"] == "summarised"
    r = c.post(f"{BASE}/targets/{pid}/review", {"items": [{"item": items[0], "completion": "完成", "score": 65},
                                                          {"item": items[1], "completion": "基本完成", "score": 20}]},
               content_type=J)
    assert r.json()["total_score"] == "85.0"
    r = c.post(f"{BASE}/targets/{pid}/evaluate", {"evaluation": "良好"}, content_type=J)
    assert r.json()["grade"] == "良好" and r.json()["state"] == "evaluated"
    assert login(cast.officer_b).get(f"{BASE}/targets/{pid}").status_code == 404


def test_anonymous_refused(client):
    assert client.get(f"{BASE}/tasks").status_code == 401
    assert client.get(f"{BASE}/targets").status_code == 401
