"""The drives and schemes API: record units and donations, quotas, nominate, approve by a second person; another
county's ids are a 404, the anonymous are refused, bad input is a 422 naming the field in Chinese."""

import pytest

from gonghui.aid.testing_drives import give_down, make_drive, make_scheme, member

BASE = "/api/v1/aid"
pytestmark = pytest.mark.django_db


def test_drives_by_the_api(cast, login, client):
    drive = make_drive(cast)
    person = member(cast, "张小三")
    unit = login(cast.grassroots_officer)
    r = unit.post(f"{BASE}/drives/{drive.pk}/units", {"org": "GA", "donors": 3, "amount": "-1"},
                  content_type="application/json")
    assert r.status_code == 422 and "amount" in r.content.decode()
    r = unit.post(f"{BASE}/drives/{drive.pk}/units", {"donors": 3, "amount": "30"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"] == [{"field": "org", "message": "请填写工会代码。"}]
    r = unit.post(f"{BASE}/drives/{drive.pk}/units", {"org": "GA", "donors": 30, "amount": "1500", "receipt_no": "A1"},
                  content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["donors"] == 30
    r = unit.post(f"{BASE}/drives/{drive.pk}/donations", {"org": "GA", "amount": "88", "member_uid": person.uid},
                  content_type="application/json")
    assert r.status_code == 201 and r.json()["donor"] == "张*三"
    assert unit.get(f"{BASE}/drives/{drive.pk}").json()["total"] == "1588.00"
    assert unit.post(f"{BASE}/drives/{drive.pk}/close").status_code == 404  # not the organiser
    staff = login(cast.officer_a)
    assert [u["org"] for u in staff.get(f"{BASE}/drives/{drive.pk}/units").json()] == ["GA"]
    r = staff.post(f"{BASE}/drives", {"org": "CA", "name": "x", "day": "2026-07-01"},
                   content_type="application/json")
    assert r.status_code == 422
    assert staff.post(f"{BASE}/drives/{drive.pk}/close").json()["state"] == "closed"
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/drives/{drive.pk}").status_code == 404
    assert other.get(f"{BASE}/drives/{drive.pk}/units").status_code == 404
    client.logout()
    assert client.get(f"{BASE}/drives/{drive.pk}").status_code in (401, 403)


def test_schemes_by_the_api(cast, login, client):
    scheme = make_scheme(cast, places=5)
    give_down(cast, scheme, township=3, grassroots=2)
    person = member(cast, "李小四")
    staff = login(cast.officer_a)
    r = staff.post(f"{BASE}/schemes/{scheme.pk}/quotas", {"org": "GA", "places": 9},
                   content_type="application/json")
    assert r.status_code == 422 and "places" in r.content.decode()
    unit = login(cast.grassroots_officer)
    r = unit.post(f"{BASE}/schemes/{scheme.pk}/nominations", {"org": "GA", "member_uid": person.uid,
                                                              "group": "frontline"},
                  content_type="application/json")
    assert r.status_code == 201, r.content
    nid = r.json()["id"]
    assert r.json()["member"] == "李*四" and r.json()["state"] == "nominated"
    assert unit.post(f"{BASE}/schemes/nominations/{nid}/approve").status_code == 403
    quotas = {q["org"]: q for q in unit.get(f"{BASE}/schemes/{scheme.pk}/quotas").json()}
    assert quotas["GA"]["nominated"] == 1 and quotas["GA"]["left"] == 1
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/schemes/{scheme.pk}").status_code == 404
    assert other.post(f"{BASE}/schemes/nominations/{nid}/approve").status_code == 404
    staff = login(cast.officer_a)
    r = staff.post(f"{BASE}/schemes/nominations/{nid}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    items = staff.get(f"{BASE}/schemes/{scheme.pk}/nominations?group=frontline").json()["items"]
    assert [n["id"] for n in items] == [nid]
    assert staff.get(f"{BASE}/schemes/{scheme.pk}/nominations?group=model_worker").json()["items"] == []
    client.logout()
    assert client.get(f"{BASE}/schemes/{scheme.pk}").status_code in (401, 403)
