import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from gonghui.core.identity import id_check_char
from gonghui.core.models import AuditEvent
from gonghui.members import applications, services
from gonghui.members.models import Consent, JoinApplication
from gonghui.portal import views_join

PHONE = "13912345678"


def make_id(seq: int = 1, sex: str = "M") -> str:
    first17 = "330102" + "19881120" + f"{seq:02d}" + ("1" if sex == "M" else "2")
    return first17 + id_check_char(first17)


def form_data(**overrides) -> dict:
    data = {"name": "张伟", "doc_type": "resident_id", "id_number": make_id(), "sex": "", "birth_date": "",
            "phone": PHONE, "ethnicity": "", "education": "", "political_status": "", "job_title": "焊工",
            "employment_form": "", "is_migrant_worker": "on", "agree_join": "on", "consent_sensitive": "on",
            "notice_version": applications.JOIN_NOTICE_VERSION}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _join_url(code="GA"):
    return reverse("portal:join_union", args=[code])


# Picking a union

def test_urls_do_not_clash_with_union_codes():
    assert reverse("portal:join") == "/join/"
    assert reverse("portal:join_status") == "/join/status/"
    assert reverse("portal:join_done") == "/join/done/"
    assert reverse("portal:join_union", args=["GA-B"]) == "/join/GA-B/"


def test_search_finds_unions_taking_members_by_name(cast, client):
    r = client.get(reverse("portal:join"), {"q": "机械"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'href="/join/GA/"' in html and "东湖机械厂工会" in html
    r = client.get(reverse("portal:join"), {"q": "总工会"})  # federations do not take members
    assert "/join/CA/" not in r.content.decode() and b"union-results-empty" in r.content


def test_search_needs_two_characters(cast, client):
    r = client.get(reverse("portal:join"), {"q": "机"})
    assert r.status_code == 200 and b"union-results" not in r.content
    assert escape(_("Type at least 2 characters of the name.")) in r.content.decode()
    assert client.get(reverse("portal:join")).status_code == 200


def test_search_is_slowed_down_when_swept(cast, client, monkeypatch):
    monkeypatch.setattr(views_join, "SEARCH_LIMIT", (3, 3600))
    for _i in range(3):
        assert client.get(reverse("portal:join"), {"q": "工会"}).status_code == 200
    r = client.get(reverse("portal:join"), {"q": "工会"})
    assert r.status_code == 429 and "东湖" not in r.content.decode()


def test_the_form_is_only_for_unions_taking_members(cast, client):
    assert client.get(_join_url("GA")).status_code == 200
    assert client.get(_join_url("GA-B")).status_code == 200
    for code in ("CA", "CITY", "NOPE"):
        assert client.get(_join_url(code)).status_code == 404


# Applying

def test_the_form_shows_the_notice_and_two_separate_consents(cast, client):
    r = client.get(_join_url())
    html = r.content.decode()
    assert 'name="agree_join"' in html and 'name="consent_sensitive"' in html
    assert 'id="join-notice"' in html and f'value="{applications.JOIN_NOTICE_VERSION}"' in html
    assert "no-store" in r["Cache-Control"]
    assert 'style="' not in html and "<script>" not in html  # ready for a strict CSP


def test_applying_shows_the_code_and_keeps_the_number_out_of_urls(cast, client):
    r = client.post(_join_url(), form_data())
    assert r.status_code == 302 and r["Location"] == reverse("portal:join_done")
    a = JoinApplication.objects.get()
    assert (a.union, a.name, a.sex, a.is_migrant_worker) == (cast.grassroots_a, "张伟", "M", True)
    assert Consent.objects.get().ip == "127.0.0.1"
    r = client.get(r["Location"])
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    assert a.code in html and cast.grassroots_a.name in html
    assert make_id() not in html and PHONE not in html
    assert AuditEvent.objects.filter(action="member.application.submit", object_id=a.code).exists()


def test_done_page_without_an_application_goes_to_the_status_page(client, db):
    r = client.get(reverse("portal:join_done"))
    assert r.status_code == 302 and r["Location"] == reverse("portal:join_status")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id_number": make_id()[:17] + ("0" if make_id()[17] != "0" else "1")}, "id_number"),  # bad check digit
    ({"consent_sensitive": None}, "consent_sensitive"),
    ({"agree_join": None}, "agree_join"),
    ({"sex": "F"}, "sex"),  # the ID number says male
    ({"phone": ""}, "phone"),
    ({"name": ""}, "name"),
])
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(cast, client, overrides, field):
    r = client.post(_join_url(), form_data(**overrides))
    assert r.status_code == 200
    html = r.content.decode()
    block = html.split(f'id="field-{field}"', 1)[1].split('id="field-', 1)[0]
    assert "invalid-feedback" in block
    assert not JoinApplication.objects.exists() and not Consent.objects.exists()


def test_missing_consent_says_why_it_is_needed(cast, client):
    r = client.post(_join_url(), form_data(consent_sensitive=None))
    assert escape(_("Without your consent to the processing of your ID number the union cannot handle your "
                    "application.")) in r.content.decode()


def test_a_stale_notice_version_is_refused(cast, client):
    r = client.post(_join_url(), form_data(notice_version="2019-01"))
    assert r.status_code == 200 and not JoinApplication.objects.exists()
    assert escape(_("The personal-data notice has changed; please read it again and confirm your consent.")) in \
        r.content.decode()


def test_an_active_member_is_pointed_to_a_transfer_without_the_union_named(cast, client):
    services.member_add(actor=cast.actor(cast.officer_b), union=cast.grassroots_b,
                        person={"id_number": make_id(), "name": "张伟"}, joined_on=datetime.date(2021, 5, 1))
    r = client.post(_join_url(), form_data())
    html = r.content.decode()
    assert escape(_("You are already an active union member. To move to this union, ask your union or this one for "
                    "a transfer of your membership instead of applying.")) in html
    assert cast.grassroots_b.name not in html and cast.county_b.name not in html
    assert not JoinApplication.objects.exists()


def test_a_second_application_is_told_the_first_is_pending(cast, client):
    client.post(_join_url(), form_data())
    first = JoinApplication.objects.get()
    r = client.post(_join_url(), form_data())
    html = r.content.decode()
    assert escape(_("You already have an application to this union waiting for a decision. Check it on the status "
                    "page with your application code.")) in html
    assert first.code not in html
    assert JoinApplication.objects.count() == 1


def test_submissions_from_one_address_are_limited(cast, client, monkeypatch):
    monkeypatch.setattr(views_join, "SUBMIT_LIMIT", (2, 3600))
    for i in range(2):
        client.post(_join_url(), form_data(id_number=make_id(10 + i)))
    r = client.post(_join_url(), form_data(id_number=make_id(20)))
    assert r.status_code == 429
    assert JoinApplication.objects.count() == 2


# Checking the status

def _status(client, code, last4):
    return client.post(reverse("portal:join_status"), {"code": code, "last4": last4})


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_status_with_the_right_code_and_digits(cast, client):
    a = applications.application_submit(union=cast.grassroots_a, data=form_data(),
                                        consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
    r = _status(client, a.code.lower(), "5678")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    assert 'data-status="pending"' in html and cast.grassroots_a.name in html
    assert PHONE not in html and make_id() not in html


def test_status_shows_the_reason_for_a_rejection(cast, client):
    a = applications.application_submit(union=cast.grassroots_a, data=form_data(),
                                        consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
    applications.application_reject(actor=cast.actor(cast.grassroots_officer), application=a, reason="请提供劳动合同")
    html = _status(client, a.code, "5678").content.decode()
    assert 'data-status="rejected"' in html and "请提供劳动合同" in html


def test_status_answers_the_same_for_wrong_digits_and_an_unknown_code(cast, client):
    a = applications.application_submit(union=cast.grassroots_a, data=form_data(),
                                        consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
    wrong_digits = _status(client, a.code, "0000")
    unknown = _status(client, "ZZZZZZZZZZ", "0000")
    assert wrong_digits.status_code == unknown.status_code == 200
    assert b"status-not-found" in wrong_digits.content
    assert _without_token(wrong_digits.content.decode()).replace(a.code, "ZZZZZZZZZZ") == \
        _without_token(unknown.content.decode())
    assert cast.grassroots_a.name not in wrong_digits.content.decode()


def test_status_lookup_is_a_post_form(cast, client):
    a = applications.application_submit(union=cast.grassroots_a, data=form_data(),
                                        consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
    r = client.get(reverse("portal:join_status"), {"code": a.code, "last4": "5678"})
    assert r.status_code == 200 and b"application-status" not in r.content
    assert b'method="post"' in r.content


def test_guessing_the_digits_of_one_code_is_stopped(cast, client, monkeypatch):
    monkeypatch.setattr(views_join, "STATUS_CODE_FAILURES", (3, 3600))
    a = applications.application_submit(union=cast.grassroots_a, data=form_data(),
                                        consent_version=applications.JOIN_NOTICE_VERSION, ip=None)
    for guess in ("0001", "0002", "0003"):
        assert _status(client, a.code, guess).status_code == 200
    assert _status(client, a.code, "5678").status_code == 429  # even the right digits, once locked
    # An unknown code locks the same way, so the lock reveals nothing.
    for guess in ("0001", "0002", "0003"):
        _status(client, "ZZZZZZZZZZ", guess)
    assert _status(client, "ZZZZZZZZZZ", "0004").status_code == 429


def test_status_lookups_from_one_address_are_limited(cast, client, monkeypatch):
    monkeypatch.setattr(views_join, "STATUS_LIMIT", (2, 3600))
    _status(client, "AAAAAAAAAA", "1111")
    _status(client, "BBBBBBBBBB", "1111")
    assert _status(client, "CCCCCCCCCC", "1111").status_code == 429
