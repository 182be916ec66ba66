"""The medical mutual aid API: enrol, file a claim (422 with Chinese field errors), approve by a second person,
refuse; another county's ids are 404s; anonymous is refused."""

import pytest

from gonghui.aid.testing_mutual import make_plan
from gonghui.members.tests.factories import add_member

BASE = "/api/v1/aid/mutual"
pytestmark = pytest.mark.django_db


def test_mutual_aid_by_the_api(cast, login, client):
    plan = make_plan(cast)
    person = add_member(cast.grassroots_officer, cast.grassroots_a, name="张小三").person
    officer = login(cast.grassroots_officer)
    r = officer.post(f"{BASE}/plans/{plan.pk}/enrolments", {"unit": "GA", "member_uid": person.uid},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["worker"] == "张*三" and r.json()["id_number"] != person.id_number
    assert officer.post(f"{BASE}/plans/{plan.pk}/enrolments", {"unit": "GA", "member_uid": person.uid},
                        content_type="application/json").status_code == 422
    claim = {"plan_id": plan.pk, "member_uid": person.uid, "admitted_on": "2026-05-01",
             "discharged_on": "2026-05-08", "illness": "骨折", "total_bill": "20000", "insurance_paid": "8000",
             "self_paid": "13000", "bank_account": "6222021234567890123"}
    r = officer.post(f"{BASE}/claims", claim, content_type="application/json")
    assert r.status_code == 422 and "不能超过住院总费用" in str(r.json())
    r = officer.post(f"{BASE}/claims", dict(claim, self_paid="12000"), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["subsidy"] == "5000.00" and body["capped"] and body["state"] == "applied"
    assert "illness" not in body and "bank_account" not in body
    cid = body["id"]
    assert officer.post(f"{BASE}/claims/{cid}/approve").status_code == 403
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/claims/{cid}").status_code == 404
    assert other.post(f"{BASE}/claims/{cid}/approve").status_code == 404
    assert other.get(f"{BASE}/plans/{plan.pk}").status_code == 404
    assert other.get(f"{BASE}/claims").json()["items"] == []
    staff = login(cast.officer_a)
    assert staff.get(f"{BASE}/plans/{plan.pk}").json()["special_rules"][0]["illness"] == "恶性肿瘤"
    assert staff.post(f"{BASE}/claims/{cid}/refuse", {"reason": ""}, content_type="application/json") \
        .status_code == 422
    r = staff.post(f"{BASE}/claims/{cid}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["grant_id"]
    assert [c["id"] for c in staff.get(f"{BASE}/claims?state=approved&unit=GA").json()["items"]] == [cid]
    assert staff.get(f"{BASE}/claims?state=paid").json()["items"] == []
    assert len(staff.get(f"{BASE}/plans/{plan.pk}/enrolments").json()["items"]) == 1
    client.logout()
    assert client.get(f"{BASE}/claims/{cid}").status_code in (401, 403)
    assert client.get(f"{BASE}/plans").status_code in (401, 403)
