"""Every public form that takes an ID or phone number stores the worker's consent: the notice version and when."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import resolve
from django.utils import timezone

from gonghui.casework import intake
from gonghui.core.access import actor_for
from gonghui.core.tests.test_scope_walk import _fill, _routes
from gonghui.members import cards, services
from gonghui.members.models import Consent
from gonghui.oversight.tips import TIP_NOTICE_VERSION
from gonghui.privacy import inventory
from gonghui.privacy.models import ConsentLink

from .conftest import CONSENT, rid

PUBLIC_NAMESPACES = {"portal", "privacy"}


class _PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: list[str] = []
        self._in_post = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_post = (a.get("method") or "").lower() == "post"
        elif self._in_post and tag in ("input", "select", "textarea"):
            self.fields.append(a.get("name") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post = False


def _forms_taking_numbers(client) -> set[str]:
    """Public pages whose form takes a full ID or phone number (the last 4 digits of a phone are not one)."""
    out = set()
    for route in _routes():
        if route.startswith("static") or set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"code"}:
            continue
        url = _fill(route, {"code": "GA"})
        if not PUBLIC_NAMESPACES & set(resolve(url).namespaces):
            continue
        resp = client.get(url)
        if resp.status_code != 200:
            continue
        parser = _PostForms()
        parser.feed(resp.content.decode())
        if any(inventory.SENSITIVE_NAMES.search(n) and "last4" not in n for n in parser.fields) or \
                any(n == "phone_last4" for n in parser.fields):
            out.add(url)
    return out


def _submissions(world, cast):
    officer = actor_for(cast.officer_a)
    fresh = services.member_add(actor=officer, union=cast.grassroots_a, joined_on=datetime.date(2023, 1, 1),
                                person={"id_number": rid("33010219970707008"), "name": "冯军", "phone": "13977778888"})
    card = cards.cards_issue(actor=officer, union=cast.grassroots_a).cards.get(membership=fresh)
    member_id, member_phone = world.numbers["member"]
    return {
        "/join/GA/": ("join", {"name": "韩梅", "doc_type": "resident_id", "id_number": rid("33010219980808009"),
                               "phone": "13988889999", "agree_join": "on", "consent_sensitive": "on",
                               "notice_version": "2026-11"}),
        "/member/transfer/": ("transfer", {"id_number": member_id, "phone_last4": member_phone[-4:], "to_code": "GB",
                                           **CONSENT}),
        "/member/card/": ("card", {"number": card.number, "id_number": rid("33010219970707008"),
                                   "phone": "13977778888", **CONSENT}),
        "/requests/new/": ("request", {"org": "CA", "category": "solution", "topic": "safety", "subject": "安全隐患",
                                       "description": "车间无防护", "worker_name": "何平", "phone": "13566667777",
                                       **CONSENT, "notice_version": intake.REQUEST_NOTICE_VERSION}),
        # 作风直通车: a contact given with its consent (a tip without a contact stores none).
        "/tips/new/": ("tip", {"org": "CA", "subject": "干部饮酒", "body": "某日中午", "contact_name": "何平",
                               "contact_phone": "13566667770", **CONSENT, "notice_version": TIP_NOTICE_VERSION}),
        "/privacy/": ("privacy", {"id_number": member_id, "phone": member_phone, "code": world.card.number,
                                  **CONSENT}),
    }


def test_every_public_form_taking_personal_data_stores_a_consent(world, cast, client):
    submissions = _submissions(world, cast)
    assert _forms_taking_numbers(client) == set(submissions)
    for url, (purpose, data) in submissions.items():
        before = set(Consent.objects.values_list("pk", flat=True))
        started = timezone.now()
        resp = client.post(url, data)
        assert resp.status_code in (200, 302), url
        new = Consent.objects.exclude(pk__in=before)
        assert new.count() == 1, f"{url} stored {new.count()} consents"
        consent = new.get()
        assert consent.purpose == purpose and consent.notice_version == data["notice_version"]
        assert started <= consent.given_at <= timezone.now() and consent.ip == "127.0.0.1"


@pytest.mark.parametrize("url", ["/member/transfer/", "/member/card/", "/privacy/"])
def test_without_the_consent_box_nothing_is_processed(world, cast, client, url):
    _purpose, data = _submissions(world, cast)[url]
    before = Consent.objects.count()
    resp = client.post(url, {k: v for k, v in data.items() if k != "consent"})
    assert resp.status_code == 200 and "consent" in resp.context["form"].errors
    resp = client.post(url, {**data, "notice_version": "2025-01"})  # a notice that changed meanwhile
    assert "notice_version" in resp.context["form"].errors
    assert Consent.objects.count() == before


def test_a_consent_on_a_form_without_its_own_record_is_tied_to_the_worker(world):
    link = ConsentLink.objects.get(object_type="card")
    person = world.member.person
    assert link.object_id == world.card.number and link.subject_id_bidx == person.id_number_bidx
    assert link.consent.purpose == "card"
