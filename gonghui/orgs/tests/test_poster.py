"""The join QR code and its printable poster: scoped to officers covering the union."""

import io

import pytest
import segno
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_poster_shows_the_join_link_and_its_qr_code(cast, login):
    client = login(cast.grassroots_officer)
    detail = client.get(reverse("orgs:detail", args=["GA"])).content.decode()
    assert reverse("orgs:join_poster", args=["GA"]) in detail  # reachable from the union page
    html = client.get(reverse("orgs:join_poster", args=["GA"])).content.decode()
    assert "http://testserver/join/GA/" in html and reverse("orgs:join_qr", args=["GA"]) in html
    png = client.get(reverse("orgs:join_qr", args=["GA"]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_the_qr_code_encodes_the_union_s_own_join_link(cast, login):
    png = login(cast.officer_a).get(reverse("orgs:join_qr", args=["GA-B"])).content
    expected = io.BytesIO()
    segno.make("http://testserver/join/GA-B/", error="q").save(expected, kind="png", scale=10, border=4)
    assert png == expected.getvalue()


def test_only_officers_covering_the_union_get_it(cast, login, client):
    names = ("orgs:join_poster", "orgs:join_qr")
    for name in names:
        assert client.get(reverse(name, args=["GA"])).status_code == 302  # anonymous: to the login page
    for name in names:
        url = reverse(name, args=["GA"])
        assert login(cast.officer_b).get(url).status_code == 404  # another county
        assert login(cast.grassroots_officer).get(reverse(name, args=["GB"])).status_code == 404
        assert login(cast.officer_a).get(reverse(name, args=["NOPE"])).status_code == 404


def test_a_federation_has_no_join_link(cast, login):
    client = login(cast.officer_a)
    assert client.get(reverse("orgs:join_qr", args=["CA1"])).status_code == 404
    html = client.get(reverse("orgs:join_poster", args=["CA1"])).content.decode()
    assert 'id="poster-none"' in html and "join-qr.png" not in html
    detail = client.get(reverse("orgs:detail", args=["CA1"])).content.decode()
    assert reverse("orgs:join_poster", args=["CA1"]) not in detail
