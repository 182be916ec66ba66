"""The problems API: list, get, create, submit and the review actions; scope, permissions and bad input."""

import pytest

from gonghui.oversight.models import Stage
from gonghui.oversight.testing_problems import departments, file_problem, second_reviewer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oversight/problems"


def test_a_problem_through_its_review_by_the_api(cast, login):
    office, org_dept, _ = departments(cast.county_a)
    reviewer = second_reviewer(cast.county_a)
    unit = login(cast.grassroots_officer)
    resp = unit.post(BASE, {"source": "self_check", "category": "dining", "title": "超标准接待",
                            "concerns": "cadre", "cadre_name": "赵六"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    pid = body["id"]
    assert body["cadre"] == "赵*" and "赵六" not in resp.content.decode() and body["stage"] == "draft"
    assert unit.post(f"{BASE}/{pid}/submit").json()["stage"] == "first"
    resp = unit.post(f"{BASE}/{pid}/first-review", {"decision": "return"}, content_type="application/json")
    assert resp.status_code == 422
    assert unit.post(f"{BASE}/{pid}/first-review", {"decision": "pass"},
                     content_type="application/json").json()["stage"] == "joint"
    county = login(cast.officer_a)
    resp = county.post(f"{BASE}/{pid}/group", {"members": [
        {"user": "officer_a", "department": office.pk}, {"user": reviewer.username, "department": org_dept.pk}]},
        content_type="application/json")
    assert resp.status_code == 200 and len(resp.json()["joint_group"]) == 2
    resp = county.post(f"{BASE}/{pid}/joint-review", {"decision": "pass", "opinion": "同意"},
                       content_type="application/json")
    assert resp.json()["joint_ready"] is False
    login(reviewer).post(f"{BASE}/{pid}/joint-review", {"decision": "pass"}, content_type="application/json")
    county = login(cast.officer_a)
    resp = county.post(f"{BASE}/{pid}/finalize", {"meeting_name": "党组会", "meeting_on": "2026-01-10"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["stage"] == Stage.FINAL
    assert len(resp.json()["reviews"]) == 3
    listed = county.get(f"{BASE}?stage=final").json()
    assert [p["number"] for p in listed["items"]] == [body["number"]]


def test_scope_and_permissions(cast, login):
    p = file_problem(cast.officer_a, cast.county_a)
    assert login(cast.officer_b).get(f"{BASE}/{p.pk}").status_code == 404
    assert login(cast.officer_b).post(f"{BASE}/{p.pk}/submit").status_code == 404
    assert login(cast.officer_b).get(BASE).json()["count"] == 0
    assert login(cast.grassroots_officer).get(f"{BASE}/{p.pk}").status_code == 404
    resp = login(cast.auditor_a).post(BASE, {"source": "self_check", "title": "x"}, content_type="application/json")
    assert resp.status_code == 403
    resp = login(cast.officer_a).post(BASE, {"source": "nonesuch", "title": "x"}, content_type="application/json")
    assert resp.status_code == 422
    resp = login(cast.officer_a).post(BASE, {"source": "self_check", "title": "x", "org": "GB"},
                                      content_type="application/json")
    assert resp.status_code == 404
    from django.test import Client
    assert Client().get(BASE).status_code in (401, 403)
