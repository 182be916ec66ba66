"""The programs API: apply, approve by a second person, refuse; another county's grant id is a 404."""

import pytest

from gonghui.aid.models import ProgramKind
from gonghui.aid.testing_programs import make_program, member

BASE = "/api/v1/aid"


@pytest.mark.django_db
def test_grants_by_the_api(cast, login, client):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    person = member(cast, "张小三")
    officer = login(cast.grassroots_officer)
    bad = {"program_id": program.pk, "org": "GA", "member_uid": person.uid, "facts": {"relationship": "舅舅"}}
    r = officer.post(f"{BASE}/grants", bad, content_type="application/json")
    assert r.status_code == 422
    ok = dict(bad, facts={"relationship": "母"})
    r = officer.post(f"{BASE}/grants", ok, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["member"] == "张*三" and body["state"] == "applied" and body["amount"] == "500.00"
    gid = body["id"]
    assert officer.post(f"{BASE}/grants/{gid}/approve").status_code == 403
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/grants/{gid}").status_code == 404
    assert other.post(f"{BASE}/grants/{gid}/approve").status_code == 404
    assert other.get(f"{BASE}/programs/{program.pk}").status_code == 404
    staff = login(cast.officer_a)
    assert staff.get(f"{BASE}/programs/{program.pk}").json()["rules"]["relatives"][0] == "夫"
    r = staff.post(f"{BASE}/grants/{gid}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert staff.post(f"{BASE}/grants/{gid}/refuse", {"reason": ""}, content_type="application/json") \
        .status_code == 422
    assert [g["id"] for g in staff.get(f"{BASE}/grants?state=approved").json()["items"]] == [gid]
    client.logout()
    assert client.get(f"{BASE}/grants/{gid}").status_code in (401, 403)
