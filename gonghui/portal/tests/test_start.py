"""The start page at /: workers find every public service and the staff login; signed-in staff go to work."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

SERVICES = {"#start-join": "/join/", "#start-request": "/requests/new/", "#start-track": "/requests/track/",
            "#start-status": "/join/status/", "#start-card": "/member/card/", "#start-transfer": "/member/transfer/",
            "#start-privacy": "/privacy/", "#start-vote": "/vote/", "#start-staff-login": "/login/"}


def test_an_anonymous_visitor_gets_the_start_page(client):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for anchor_id, url in SERVICES.items():
        assert f'href="{url}" id="{anchor_id[1:]}"' in html, anchor_id
    assert "申请入会" in html and "工作人员登录" in html
    assert "no-store" in resp["Cache-Control"]  # a public page, never cached


@pytest.mark.parametrize("who, landing", [("officer_a", "/overview/"), ("officer_b", "/overview/"),
                                          ("grassroots_officer", "/overview/"), ("audit_admin", "/audit/")])
def test_signed_in_staff_go_to_their_workbench(cast, login, who, landing):
    resp = login(getattr(cast, who)).get("/")
    assert resp.status_code == 302 and resp["Location"] == landing


def test_a_staff_user_without_a_role_is_not_shown_a_workbench(cast, login):
    user = get_user_model().objects.create_user(username="nobody", password="x-Gh-2026-pass")
    resp = login(user).get("/")
    assert resp.status_code == 403


def test_the_start_page_takes_no_post(client):
    assert client.post("/", {"x": "1"}).status_code == 405


def test_notices_link_the_pages_they_name(cast, client):
    join = client.get(f"/join/{cast.grassroots_a.code}/").content.decode()
    assert '<a href="/privacy/">' in join and '<a href="/join/status/">' in join
    request = client.get("/requests/new/").content.decode()
    assert '<a href="/privacy/">' in request and '<a href="/requests/track/">' in request


def test_the_public_header_leads_back_to_the_start_page(client):
    assert 'href="/" id="public-home"' in client.get("/requests/new/").content.decode()
