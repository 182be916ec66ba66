"""The scheme pages: quota page down the tree, nominations with filters and review, trip assignment and attendance;
404 outside the subtree, refused input kept with the field named."""

import datetime

import pytest

from gonghui.aid import schemes
from gonghui.aid.models import Nomination, NominationGroup, NominationState, Quota, SchemeKind
from gonghui.aid.testing_drives import give_down, make_scheme, member
from gonghui.core.access import actor_for


@pytest.fixture
def scheme(cast):
    s = make_scheme(cast, kind=SchemeKind.RECUPERATION, places=10, subsidy="1200")
    give_down(cast, s, township=5, grassroots=3)
    return s


def _nominate(cast, scheme, name, group=NominationGroup.FRONTLINE):
    return schemes.nomination_create(actor=actor_for(cast.grassroots_officer), scheme=scheme, org=cast.grassroots_a,
                                     person=member(cast, name), group=group)


def test_pages_open_for_their_users(cast, login, scheme):
    n = _nominate(cast, scheme, "张小三")
    trip = schemes.trip_create(actor=actor_for(cast.officer_a), scheme=scheme, place="千岛湖",
                               start_on=datetime.date(2026, 9, 1), capacity=5)
    c = login(cast.officer_a)
    for url in ("/aid/schemes/", "/aid/schemes/new/", f"/aid/schemes/{scheme.pk}/",
                f"/aid/schemes/{scheme.pk}/quotas/", f"/aid/schemes/{scheme.pk}/nominate/",
                f"/aid/schemes/{scheme.pk}/trips/new/", f"/aid/schemes/{scheme.pk}/subsidy/", "/aid/nominations/",
                f"/aid/nominations/?scheme={scheme.pk}&group=frontline&state=nominated", "/aid/nominations/review/",
                f"/aid/nominations/{n.pk}/", f"/aid/trips/{trip.pk}/", "/aid/nominations/?export=xlsx"):
        assert c.get(url).status_code == 200, url
    assert "张*三" in c.get("/aid/nominations/").content.decode()
    assert "张小三" not in c.get(f"/aid/nominations/{n.pk}/").content.decode()
    listed = c.get("/aid/nominations/?group=model_worker").content.decode()
    assert f"/aid/nominations/{n.pk}/" not in listed
    g = login(cast.grassroots_officer)
    for url in (f"/aid/schemes/{scheme.pk}/", f"/aid/schemes/{scheme.pk}/quotas/",
                f"/aid/schemes/{scheme.pk}/nominate/", f"/aid/nominations/{n.pk}/"):
        assert g.get(url).status_code == 200, url


def test_other_county_404_grassroots_403_anonymous(cast, login, client, scheme):
    n = _nominate(cast, scheme, "李四")
    assert client.get(f"/aid/schemes/{scheme.pk}/").status_code == 302
    b = login(cast.officer_b)
    for url in (f"/aid/schemes/{scheme.pk}/", f"/aid/nominations/{n.pk}/", f"/aid/schemes/{scheme.pk}/quotas/"):
        assert b.get(url).status_code == 404, url
    assert b.post(f"/aid/nominations/{n.pk}/approve/").status_code == 404
    g = login(cast.grassroots_officer)
    assert g.post(f"/aid/nominations/{n.pk}/approve/").status_code == 403
    assert g.get("/aid/schemes/new/").status_code == 403
    n.refresh_from_db()
    assert n.state == NominationState.NOMINATED


def test_quota_page_gives_places_and_refuses_too_many(cast, login, scheme):
    c = login(cast.officer_a)
    r = c.post(f"/aid/schemes/{scheme.pk}/quotas/", {"org": cast.grassroots_a.pk, "places": 9})
    assert r.status_code == 422 and r.context["form"].errors["places"]
    r = c.post(f"/aid/schemes/{scheme.pk}/quotas/", {"org": cast.grassroots_a.pk, "places": 5})
    assert r.status_code == 302
    assert Quota.objects.get(scheme=scheme, org=cast.grassroots_a).places == 5


def test_nominate_review_assign_and_attend_through_the_pages(cast, login, scheme):
    g = login(cast.grassroots_officer)
    person = member(cast, "王芳")
    r = g.post(f"/aid/schemes/{scheme.pk}/nominate/", {"org": cast.grassroots_a.pk, "id_number": person.id_number,
                                                       "group": NominationGroup.MODEL_WORKER})
    assert r.status_code == 302
    r = g.post(f"/aid/schemes/{scheme.pk}/nominate/", {"org": cast.grassroots_a.pk, "id_number": person.id_number,
                                                       "group": NominationGroup.MODEL_WORKER})
    assert r.status_code == 422 and r.context["form"].errors["id_number"]
    n = Nomination.objects.get()
    c = login(cast.officer_a)
    assert c.post(f"/aid/nominations/{n.pk}/approve/", {"next": "review"}).status_code == 302
    trip = schemes.trip_create(actor=actor_for(cast.officer_a), scheme=scheme, place="千岛湖",
                               start_on=datetime.date(2026, 9, 1), capacity=5)
    assert c.post(f"/aid/trips/{trip.pk}/", {"action": "assign", "nomination": [n.pk]}).status_code == 302
    assert c.post(f"/aid/trips/{trip.pk}/", {"action": "attendance", f"mark-{n.pk}": "attended"}).status_code == 302
    n.refresh_from_db()
    assert n.state == NominationState.ATTENDED
    page = c.get(f"/aid/schemes/{scheme.pk}/").content.decode()
    assert "1200.00" in page
    r = c.post(f"/aid/nominations/{n.pk}/refuse/", {"reason": ""})
    assert r.status_code == 422
