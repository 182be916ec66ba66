"""The ledger's API: measures, progress, closure by a second person, dispatch rounds; scope and bad input."""

import datetime

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.oversight.testing_ledger import attach_evidence, final_problem

pytestmark = pytest.mark.django_db
API = "/api/v1/oversight"


def test_measures_progress_closure_and_rounds(cast, client, monkeypatch):
    monday_2_march_2026(monkeypatch)
    problem = final_problem(cast.grassroots_a)
    client.force_login(cast.officer_a)
    data = {"problem": problem.pk, "steps": "建立台账", "indicator": "100%建档", "expected": "规范管理",
            "due_days": 3, "owner": "grassroots_a", "leader": "张明"}
    bad = client.post(f"{API}/measures", {**data, "due_days": None, "due_on": "2026-01-01"},
                      content_type="application/json")
    assert bad.status_code == 422
    r = client.post(f"{API}/measures", data, content_type="application/json")
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["due_on"], m["color"], m["owner"]) == ("2026-03-05", "blue", "grassroots_a")
    assert [x["id"] for x in client.get(f"{API}/measures").json()] == [m["id"]]
    r = client.post(f"{API}/dispatch", {"title": "第10周调度", "due_on": "2026-03-06"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["expected"] == 1
    rnd = r.json()["id"]
    assert client.get(f"{API}/dispatch/{rnd}").json()["missing"] == [m["id"]]
    assert client.post(f"{API}/measures/{m['id']}/progress", {"text": "代报", "percent": 10},
                       content_type="application/json").status_code == 403  # not the owner
    client.force_login(cast.grassroots_officer)
    assert client.post(f"{API}/measures/{m['id']}/progress", {"text": "进展", "percent": 101},
                       content_type="application/json").status_code == 422
    assert client.post(f"{API}/measures/{m['id']}/progress", {"text": "已建档80%", "percent": 80},
                       content_type="application/json").status_code == 201
    assert client.get(f"{API}/dispatch/{rnd}").status_code == 404  # the county's round, above the union
    assert client.post(f"{API}/measures/{m['id']}/closure/request", {}, content_type="application/json"
                       ).status_code == 422  # no evidence
    attach_evidence(cast.grassroots_officer, problem.measures.get())
    assert client.post(f"{API}/measures/{m['id']}/closure/request", {}, content_type="application/json"
                       ).status_code == 200
    assert client.post(f"{API}/measures/{m['id']}/closure/close", {}, content_type="application/json"
                       ).status_code == 422  # the owner
    client.force_login(cast.officer_b)
    assert client.get(f"{API}/measures/{m['id']}").status_code == 404
    assert client.post(f"{API}/measures/{m['id']}/closure/close", {}, content_type="application/json"
                       ).status_code == 404
    client.force_login(cast.officer_a)
    assert client.get(f"{API}/dispatch/{rnd}").json()["missing"] == []
    r = client.post(f"{API}/measures/{m['id']}/closure/close", {"note": "核实"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    problem.refresh_from_db()
    assert problem.state == "closed"
    r = client.post(f"{API}/measures/{m['id']}/reopen", {"reason": "反弹"}, content_type="application/json")
    assert r.json()["state"] == "open"
    client.logout()
    assert client.get(f"{API}/measures").status_code == 401
    assert datetime.date(2026, 3, 5).isoweekday() == 4
