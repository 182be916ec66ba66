"""The pages and API of the grants in bulk: from the archive (confirmation, counts, workers to link), approve all
(confirmation, budget refusal shown); other county 404, grassroots officer refused, anonymous sent to sign in."""

import pytest

from gonghui.aid.models import Grant, GrantState
from gonghui.aid.testing_archive import standard
from gonghui.aid.testing_warmth import filed, warmth_program
from gonghui.casework.testing import monday_2_march_2026

BASE = "/api/v1/aid"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def archive(cast, monkeypatch):
    monday_2_march_2026(monkeypatch)
    standard(cast.city, 2026, "1000.00")
    return [filed(cast, "张三丰"), filed(cast, "王五", income="3000"), filed(cast, "赵六", registry=False)]


def test_from_archive_then_approve_all_on_the_pages(cast, login, archive):
    program = warmth_program(cast)
    officer = login(cast.grassroots_officer)
    page = officer.get(f"/aid/programs/{program.pk}/")
    assert b'id="from-archive"' in page.content and b'id="approve-all"' not in page.content
    r = officer.get(f"/aid/programs/{program.pk}/from-archive/")
    assert r.status_code == 200 and "3" in r.content.decode().split('id="fa-count">')[1][:40]
    r = officer.post(f"/aid/programs/{program.pk}/from-archive/")
    text = r.content.decode()
    assert r.status_code == 200 and 'id="fa-created">2<' in text and 'id="fa-no-person">1<' in text
    assert "赵*" in text and "赵六" not in text  # the worker to link, masked
    staff = login(cast.officer_a)
    r = staff.get(f"/aid/programs/{program.pk}/approve-all/")
    assert 'id="aa-count">2<' in r.content.decode() and 'id="aa-total">1500.00<' in r.content.decode()
    r = staff.post(f"/aid/programs/{program.pk}/approve-all/")
    assert r.status_code == 302
    assert Grant.objects.filter(program=program, state=GrantState.APPROVED).count() == 2


def test_approve_all_past_the_budget_is_refused_on_the_page(cast, login, archive):
    program = warmth_program(cast, budget="1200")
    login(cast.grassroots_officer).post(f"/aid/programs/{program.pk}/from-archive/")
    r = login(cast.officer_a).post(f"/aid/programs/{program.pk}/approve-all/")
    assert r.status_code == 422
    text = r.content.decode()
    assert 'id="approve-all-error"' in text and "1500.00" in text and "1200.00" in text
    assert not Grant.objects.filter(program=program, state=GrantState.APPROVED).exists()


def test_permissions_of_the_pages(cast, login, client, archive):
    program = warmth_program(cast)
    other = login(cast.officer_b)
    for url in (f"/aid/programs/{program.pk}/from-archive/", f"/aid/programs/{program.pk}/approve-all/"):
        assert other.get(url).status_code == 404
        assert other.post(url).status_code == 404
    officer = login(cast.grassroots_officer)
    assert officer.get(f"/aid/programs/{program.pk}/approve-all/").status_code == 403
    assert officer.post(f"/aid/programs/{program.pk}/approve-all/").status_code == 403
    assert login(cast.auditor_a).post(f"/aid/programs/{program.pk}/from-archive/").status_code == 403
    client.logout()
    r = client.post(f"/aid/programs/{program.pk}/from-archive/")
    assert r.status_code == 302 and "login" in r["Location"]
    assert not Grant.objects.exists()


def test_from_archive_and_approve_all_by_the_api(cast, login, client, archive):
    program = warmth_program(cast)
    officer = login(cast.grassroots_officer)
    r = post(officer, f"{BASE}/programs/{program.pk}/from-archive")
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "already": 0, "ineligible": 0, "no_person": 1,
                        "no_person_households": [archive[2].pk]}
    assert post(officer, f"{BASE}/programs/{program.pk}/approve-all").status_code == 403
    assert post(login(cast.officer_b), f"{BASE}/programs/{program.pk}/approve-all").status_code == 404
    staff = login(cast.officer_a)
    one = Grant.objects.filter(program=program).order_by("pk").first()
    r = post(staff, f"{BASE}/programs/{program.pk}/approve-all", {"ids": [one.pk]})
    assert r.status_code == 200 and r.json() == {"approved": 1}
    r = post(staff, f"{BASE}/programs/{program.pk}/approve-all", {"ids": ["x"]})
    assert r.status_code == 422
    assert post(staff, f"{BASE}/programs/{program.pk}/approve-all").json() == {"approved": 1}
    assert post(staff, f"{BASE}/programs/{program.pk}/approve-all").status_code == 422  # nothing left
    client.logout()
    assert post(client, f"{BASE}/programs/{program.pk}/from-archive").status_code in (401, 403)
