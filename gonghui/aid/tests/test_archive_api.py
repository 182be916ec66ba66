"""The archive API and figures: create, list (keyset), detail masked, transitions; scope (another county: 404),
permission (the auditor cannot write, anonymous 401), bad input (422 naming the field); the figures by hand."""

import datetime

import pytest

from gonghui.aid import archive
from gonghui.aid.testing_archive import attach_evidence, filed_household, id_number, new_household, standard
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core import figures

pytestmark = pytest.mark.django_db
BASE = "/api/v1/aid"


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


def test_households_by_the_api(cast, login, client, clock):
    standard(cast.city, 2026)
    unit = login(cast.grassroots_officer)
    payload = {"org": "GA", "name": "赵小六", "id_number": id_number(), "worker_income": "700", "causes": ["illness"],
               "members": [{"name": "钱七", "relationship": "child", "monthly_income": "0"}]}
    resp = unit.post(f"{BASE}/households", payload, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["name"] == "赵*六" and "*" in body["id_number"] and body["category"] == "deep"
    assert "monthly_income" not in str(body) and "700" not in str(body)
    hid = body["id"]
    bad = dict(payload, id_number=payload["id_number"][:-1] + ("0" if payload["id_number"][-1] != "0" else "1"))
    resp = unit.post(f"{BASE}/households", bad, content_type="application/json")
    assert resp.status_code == 422 and "id_number" in resp.content.decode()
    assert [h["id"] for h in unit.get(f"{BASE}/households").json()["items"]] == [hid]
    resp = unit.post(f"{BASE}/households/{hid}/transition", {"action": "apply"}, content_type="application/json")
    assert resp.status_code == 422  # no evidence yet
    from gonghui.aid.models import Household

    attach_evidence(cast.grassroots_officer, Household.objects.get(pk=hid))
    resp = unit.post(f"{BASE}/households/{hid}/transition", {"action": "apply"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["state"] == "applied"
    assert unit.post(f"{BASE}/households/{hid}/transition", {"action": "approve"},
                     content_type="application/json").status_code == 403
    other = login(cast.officer_b)
    assert other.get(f"{BASE}/households/{hid}").status_code == 404
    assert other.post(f"{BASE}/households/{hid}/transition", {"action": "approve"},
                      content_type="application/json").status_code == 404
    county = login(cast.officer_a)
    resp = county.post(f"{BASE}/households/{hid}/transition", {"action": "approve"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["state"] == "notice"
    assert login(cast.auditor_a).post(f"{BASE}/households", payload, content_type="application/json").status_code \
        == 403
    client.logout()
    assert client.get(f"{BASE}/households").status_code == 401


def test_keyset_pages_of_the_api(cast, login, clock):
    for _i in range(3):
        new_household(cast.grassroots_officer, cast.grassroots_a)
    from gonghui.aid import selectors_archive

    qs = selectors_archive.household_list(actor=cast.actor(cast.officer_a))
    first, after = selectors_archive.keyset_page(qs, size=2)
    second, end = selectors_archive.keyset_page(qs, after=after, size=2)
    assert len(first) == 2 and len(second) == 1 and end is None
    assert {h.pk for h in first}.isdisjoint({h.pk for h in second})


def test_hardship_figures_match_a_hand_count(cast, clock):
    standard(cast.city, 2026)
    staff, county = cast.grassroots_officer, cast.officer_a
    deep = filed_household(staff, county, cast.grassroots_a, income="500")  # 500+0 /2 = 250: 深度
    relative = filed_household(staff, county, cast.grassroots_a, income="3000")  # 1500: 相对
    gone = filed_household(staff, county, cast.grassroots_a, income="600")
    new_household(staff, cast.grassroots_a)  # a draft: not on file
    clock.set(2026, 5, 20)
    archive.household_exit(actor=cast.actor(staff), household=gone, reason="再就业")
    assert (deep.category, relative.category) == ("deep", "relative")
    year = figures.Period.parse("2026")
    q1 = figures.Period.parse("2026Q1")
    files = figures.get("aid.hardship_files").compute
    exited = figures.get("aid.hardship_exited").compute
    # End of the year: 1 深度 + 1 相对 (the third exited in May); end of Q1: all three on file (filed in March).
    assert dict(files(cast.city, year)) == {"深度困难": 1, "相对困难": 1, "意外致困": 0}
    assert dict(files(cast.city, q1)) == {"深度困难": 2, "相对困难": 1, "意外致困": 0}
    assert exited(cast.city, year) == 1 and exited(cast.city, q1) == 0
    assert dict(files(cast.county_b, year)) == {"深度困难": 0, "相对困难": 0, "意外致困": 0}
    assert exited(cast.grassroots_b, year) == 0
    assert gone.filed_on == datetime.date(2026, 3, 10)
