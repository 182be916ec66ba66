import pytest

from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.models import SupervisionItem

from ..models import Case, State
from ..tasks import casework_tick
from ..testing import PHONE, log_case

pytestmark = pytest.mark.django_db
API = "/api/v1/casework"


def payload(**overrides):
    data = {"channel": "visit", "people": 2, "category": "solution", "topic": "wages", "subject": "欠薪三个月",
            "worker_name": "陈秀兰", "phone": PHONE}
    data.update(overrides)
    return data


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_whole_course_of_a_case_through_the_api(cast, clock, login, township_officer):
    county = login(cast.officer_a)
    r = post(county, API, payload())
    assert r.status_code == 201, r.content
    body = r.json()
    code = body["case"]["code"]
    assert body["linked"] is False and body["case"]["phone_masked"] == "137****5678"
    assert body["case"]["due_on"] == "2026-03-09" and body["case"]["due_provisional"] is False
    again = post(county, API, payload(channel="phone"))
    assert again.status_code == 200 and again.json()["linked"] is True and again.json()["case"]["code"] == code
    r = post(county, f"{API}/{code}/dispatch", {"to": "CA1", "note": "请核实"})
    assert r.status_code == 200 and r.json()["state"] == "dispatched" and r.json()["holder_org"] == "CA1"
    assert post(county, f"{API}/{code}/accept").status_code == 403  # the township accepts, not the county
    township = login(township_officer)
    r = post(township, f"{API}/{code}/return", {"reason": "不属于本街道"})
    assert r.json()["state"] == "returned" and r.json()["holder_org"] == "CA"
    county = login(cast.officer_a)
    assert post(county, f"{API}/{code}/accept", {"complexity": "difficult"}).json()["limit_days"] == 15
    assert post(county, f"{API}/{code}/progress", {"note": "约谈企业"}).json()["state"] == "in_progress"
    r = post(county, f"{API}/{code}/pause", {"missing": ["工资条", "劳动合同"]})
    assert r.json()["paused_since"] == "2026-03-02"
    assert county.get(f"{API}/{code}").json()["missing"] == ["工资条", "劳动合同"]
    assert post(county, f"{API}/{code}/resume").json()["paused_since"] is None
    assert post(county, f"{API}/{code}/reply", {"reply": "企业已承诺补发"}).json()["replied_on_time"] is True
    assert post(county, f"{API}/{code}/follow-up", {"satisfaction": "satisfied"}).json()["state"] == "followed_up"
    closed = post(county, f"{API}/{code}/close").json()
    assert (closed["state"], closed["solved"]) == ("closed", True)  # solved unless ?solved=false
    assert post(county, f"{API}/{code}/reopen", {"reason": "职工再次反映"}).json()["state"] == "reopened"
    detail = county.get(f"{API}/{code}").json()
    assert [e["action"] for e in detail["timeline"]][:4] == ["received", "linked", "dispatched", "returned"]
    assert PHONE not in str(detail)


def test_lists_by_tab_and_due_date(cast, clock, login):
    a = log_case(cast.officer_a, topic="union_founding", phone="13700000001")
    b = log_case(cast.officer_a, topic="legal_person", phone="13700000002")
    log_case(cast.officer_b, phone="13700000003")
    client = login(cast.officer_a)
    rows = client.get(API).json()["items"]
    assert [r["code"] for r in rows] == [b.code, a.code]
    assert client.get(API, {"due_before": "2026-03-02"}).json()["count"] == 1
    assert client.get(API, {"tab": "closed"}).json()["count"] == 0
    assert client.get(API, {"state": "received"}).json()["count"] == 2
    assert client.get(API, {"tab": "bogus"}).status_code == 422
    assert client.get(f"{API}/counts").json()["accept"] == 2
    assert client.get(API, {"org": "CB"}).status_code == 404


def test_figures_through_the_api(cast, clock, login):
    log_case(cast.officer_a, people=6)
    r = login(cast.officer_a).get(f"{API}/figures", {"period": "2026-03"})
    figures = {f["key"]: f for f in r.json()["figures"]}
    assert figures["casework.received"]["value"] == 1 and figures["casework.visit_people"]["value"] == 6
    assert figures["casework.collective_visits"]["value"] == 1
    assert figures["casework.trend"]["breakdown"] == [["2026-03", 1]]
    assert all(k.startswith("casework.") for k in figures)
    assert login(cast.officer_b).get(f"{API}/figures", {"org": "CA"}).status_code == 404
    assert login(cast.officer_a).get(f"{API}/figures", {"period": "March"}).status_code == 422


def test_bad_input_gets_field_messages(cast, clock, login):
    client = login(cast.officer_a)
    r = post(client, API, payload(channel="web"))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "channel"
    r = post(client, API, payload(topic="nothing"))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "topic"
    r = post(client, API, payload(phone="123"))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "phone"
    code = log_case(cast.officer_a).code
    r = post(client, f"{API}/{code}/pause", {"missing": [" "]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "missing"
    r = post(client, f"{API}/{code}/dispatch", {"to": "CA"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "to"
    assert post(client, f"{API}/{code}/close").status_code == 422


def test_scope_and_permissions(cast, clock, login, client):
    case = log_case(cast.officer_a)
    assert client.get(API).status_code == 401
    assert post(client, API, payload()).status_code == 401
    b = login(cast.officer_b)
    assert b.get(f"{API}/{case.code}").status_code == 404
    assert post(b, f"{API}/{case.code}/reply", {"reply": "已答复"}).status_code == 404
    assert case.code not in str(b.get(API).json())
    auditor = login(cast.auditor_a)
    assert auditor.get(f"{API}/{case.code}").status_code == 200
    assert post(auditor, f"{API}/{case.code}/reply", {"reply": "已答复"}).status_code == 403
    assert post(auditor, API, payload(phone="13700000009")).status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_a_bearer_token_acts_for_its_grant(cast, clock, client):
    _token, secret = users_services.api_token_create(actor=actor_for(cast.officer_a), name="热线系统")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    r = client.post(API, payload(channel="phone"), content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["case"]["channel"] == "phone"


def test_an_escalated_case_shows_red_in_the_api(cast, clock, login):
    case = log_case(cast.officer_a, topic="union_founding")
    casework_tick(now=clock.advance(days=7))
    assert SupervisionItem.objects.filter(kind="case", object_id=case.pk).count() == 1
    rows = login(cast.officer_a).get(API, {"color": "red"}).json()["items"]
    assert [r["code"] for r in rows] == [case.code]
