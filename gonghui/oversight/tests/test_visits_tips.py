"""作风直通车: a tip sent anonymously or with a contact (its own consent), looked up with the codes (one factor
wrong, someone else's code, flooding), hostile input, answered by the office, put on the problem list with a link
back; the office pages scoped, the contact masked and revealed with a reason; the figure against a hand count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gonghui.core import figures
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.oversight import tips
from gonghui.oversight.models import Problem, Tip, TipFate, TipState
from gonghui.portal import tips as portal_tips

pytestmark = pytest.mark.django_db
NEW, TRACK = "/tips/new/", "/tips/track/"


def _send(client, org, **kw):
    data = {"org": org.code, "subject": "区总某干部工作日午间饮酒", "body": "3月5日中午在某饭店", "contact_name": "",
            "contact_phone": "", "notice_version": tips.TIP_NOTICE_VERSION}
    data.update(kw)
    return client.post(NEW, data)


def _codes(client):
    page = client.get("/tips/done/").content.decode()
    tip = Tip.objects.order_by("-pk").first()
    import re

    check = re.search(r'id="tip-check">(\d{6})<', page).group(1)
    return tip, check


def test_anonymous_tip_tracked_answered_and_on_the_problem_list(cast, client, login):
    assert client.get(NEW).status_code == 200
    resp = _send(client, cast.county_a)
    assert resp.status_code == 302 and resp["Location"] == "/tips/done/"
    tip, check = _codes(client)
    assert (tip.org, tip.contact_name, tip.consent) == (cast.county_a, "", None)
    assert client.get("/tips/done/").status_code == 302  # shown once
    # Stored encrypted: the raw column is not the text.
    assert Tip.objects.get(pk=tip.pk).body == "3月5日中午在某饭店"
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT body FROM oversight_tip WHERE id = %s", [tip.pk])
        assert "饭店" not in cur.fetchone()[0]
    # Looked up with both codes; waiting for the answer.
    page = client.post(TRACK, {"code": tip.code.lower(), "check": check}).content.decode()
    assert 'id="tip-waiting"' in page and tip.code in page
    office = actor_for(cast.officer_a)
    tips.tip_answer(office, tip=tip, answer="经核查，已责成相关单位整改。")
    page = client.get(TRACK).content.decode()  # remembered in this browser for a while
    assert "已责成相关单位整改" in page
    p = tips.tip_to_problem(office, tip=tip)
    assert (p.source.key, p.link_kind, p.link_id, p.org) == ("tip", "oversight.tip", tip.pk, cast.county_a)
    tip.refresh_from_db()
    assert (tip.fate, tip.link_id, tip.state) == (TipFate.PROBLEM, p.pk, TipState.ANSWERED)
    with pytest.raises(ValidationError):
        tips.tip_to_problem(office, tip=tip)
    assert AuditEvent.objects.filter(action="oversight.tip_receive", object_id=str(tip.pk)).exists()


def test_contact_needs_its_consent_and_is_masked(cast, client, login):
    resp = _send(client, cast.county_a, contact_name="张三", contact_phone="13812345678")
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "同意" in body and "张三" in body  # input kept, the consent asked for
    assert not Tip.objects.exists()
    resp = _send(client, cast.county_a, contact_name="张三", contact_phone="12345", consent="on")
    assert resp.status_code == 422 and not Tip.objects.exists()
    resp = _send(client, cast.county_a, contact_name="张三", contact_phone="13812345678", consent="on")
    assert resp.status_code == 302
    tip = Tip.objects.get()
    assert tip.consent is not None and tip.consent.purpose == "tip"
    office = login(cast.officer_a)
    page = office.get(f"/oversight/tips/{tip.pk}/").content.decode()
    assert "张*" in page and "138****5678" in page and "13812345678" not in page and "张三" not in page
    assert office.post(f"/oversight/tips/{tip.pk}/reveal/", {"reason": ""}).status_code == 422
    shown = office.post(f"/oversight/tips/{tip.pk}/reveal/", {"reason": "回访核实"}).content.decode()
    assert "张三" in shown and "13812345678" in shown
    assert AuditEvent.objects.filter(action="personal.reveal", object_type="oversight.tip").count() >= 2


def test_lookup_with_one_factor_wrong_or_another_code(cast, client):
    _send(client, cast.county_a)
    tip, check = _codes(client)
    _send(client, cast.county_b, subject="另一条")
    other, other_check = _codes(client)
    wrong = str((int(check) + 1) % 1000000).zfill(6)
    for data in ({"code": tip.code, "check": wrong}, {"code": tip.code, "check": other_check},
                 {"code": "ZF2345678X", "check": check}):
        resp = client.post(TRACK, data)
        body = resp.content.decode()
        assert 'id="track-not-found"' in body and "区总某干部" not in body and "另一条" not in body
    assert client.post(TRACK, {"code": tip.code, "check": "12"}).status_code == 422
    # Too many wrong checks on one code: locked, whatever the check.
    for _i in range(portal_tips.TRACK_CODE_FAILURES[0]):
        client.post(TRACK, {"code": other.code, "check": wrong})
    assert client.post(TRACK, {"code": other.code, "check": other_check}).status_code == 429


def test_flooding_and_hostile_input(cast, client, monkeypatch):
    monkeypatch.setattr(portal_tips, "SUBMIT_LIMIT", (3, 3600))
    resp = _send(client, cast.county_a, subject="<script>alert(1)</script>", body="x" * 5000)
    assert resp.status_code == 422 and "<script>alert(1)</script>" not in resp.content.decode()
    resp = _send(client, cast.county_a, subject="<script>alert(1)</script>", body="<b>hi</b>")
    assert resp.status_code == 302
    tip = Tip.objects.get()
    assert tip.subject == "<script>alert(1)</script>"  # kept as typed, escaped when shown
    resp = client.post(NEW, {"org": "NOPE", "subject": "a", "body": "b", "notice_version": tips.TIP_NOTICE_VERSION})
    assert resp.status_code == 422
    assert _send(client, cast.county_a).status_code == 429
    assert Tip.objects.count() == 1
    assert client.get("/tips/new/?to=NOPE").status_code == 404


def test_office_pages_scoped(cast, client, login):
    _send(client, cast.county_a, subject="<script>x</script>")
    tip = Tip.objects.get()
    office = login(cast.officer_a)
    listing = office.get("/oversight/tips/").content.decode()
    assert tip.code in listing and "<script>x</script>" not in listing
    assert office.post(f"/oversight/tips/{tip.pk}/answer/", {"answer": ""}).status_code == 422
    assert office.post(f"/oversight/tips/{tip.pk}/answer/", {"answer": "已转交核查"}).status_code == 302
    cat = __import__("gonghui.oversight.models", fromlist=["Category"]).Category.objects.get(key="conduct")
    resp = office.post(f"/oversight/tips/{tip.pk}/problem/", {"title": "干部午间饮酒", "category": cat.pk})
    assert resp.status_code == 302
    p = Problem.objects.get(link_kind="oversight.tip")
    assert p.title == "干部午间饮酒" and p.category == cat
    assert reverse("oversight:problem_detail", args=[p.pk]) in office.get(
        f"/oversight/tips/{tip.pk}/").content.decode()
    assert login(cast.officer_b).get(f"/oversight/tips/{tip.pk}/").status_code == 404
    assert tip.code not in login(cast.officer_b).get("/oversight/tips/").content.decode()
    assert login(cast.grassroots_officer).get(f"/oversight/tips/{tip.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/oversight/tips/{tip.pk}/").status_code == 302


def test_tips_figure_matches_a_hand_count(cast, client):
    for org in (cast.county_a, cast.county_a, cast.county_b):
        _send(client, org)
        client.get("/tips/done/")
    first = Tip.objects.filter(org=cast.county_a).first()
    tips.tip_answer(actor_for(cast.officer_a), tip=first, answer="已答复")
    today = datetime.date.today()
    period = figures.Period.parse(str(today.year))
    got = dict(figures.get("oversight.tips").compute(cast.county_a, period))
    assert got == {"收到": 2, "已答复": 1, "列入问题清单": 0}
    assert dict(figures.get("oversight.tips").compute(cast.city, period))["收到"] == 3
