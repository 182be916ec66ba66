"""Issue 10 §5 and §6: the portal's transfer, card and join forms are limited per ID number (its keyed index, from
any address), every number counting alike so the lock reveals nothing, and a number's allowance used up is an
installation-wide audit event the security and audit administrators see. Each test fails without the limit."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from gonghui.core import crypto
from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.core.models import AuditEvent
from gonghui.members import cards, services
from gonghui.members.models import CardStatus, JoinApplication, Transfer
from gonghui.portal import views_join, views_member

from .test_join import form_data

CONSENT = {"consent": "on", "notice_version": "2026-11"}
PHONE = "13912345678"


def rid(n: int) -> str:
    first17 = f"33010219900101{n:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(cast):
    return services.member_add(actor=actor_for(cast.city_staff), union=cast.grassroots_a,
                               person={"id_number": rid(1), "name": "林小红", "phone": PHONE},
                               joined_on=datetime.date(2020, 3, 1))


def from_address(client, url, data, n):
    return client.post(url, data, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}")


def probes():
    return AuditEvent.objects.filter(action="portal.probe")


def assert_probe_logged(group: str, number: str):
    event = probes().get(object_id=group)
    assert event.scope_path == "" and event.outcome == "denied" and event.actor is None
    assert number not in str(event.details) and number[-4:] not in str(event.details)
    assert event.details["number_key"] == crypto.blind_index(number, kind="id_number")[:12]


def test_transfer_digits_guessed_from_many_addresses_lock_the_number(cast, client, member):
    url = reverse("portal:transfer_request")
    limit = views_member.TRANSFER_ID_FAILURES[0]
    for n in range(limit):
        resp = from_address(client, url, {"id_number": rid(1), "phone_last4": f"{n:04d}", "to_code": "GB",
                                          **CONSENT}, n)
        assert resp.status_code == 200 and resp.context["form"].non_field_errors()
    assert_probe_logged("portal:transfer-id", rid(1))
    # The right digits from a fresh address no longer get through, for this number only.
    right = {"id_number": rid(1), "phone_last4": "5678", "to_code": "GB", **CONSENT}
    assert from_address(client, url, right, 99).status_code == 429 and not Transfer.objects.exists()
    # The lock is the same for a number nobody holds: it says nothing about membership.
    for n in range(limit):
        from_address(client, url, {"id_number": rid(2), "phone_last4": "0000", "to_code": "GB", **CONSENT}, 50 + n)
    assert from_address(client, url, {**right, "id_number": rid(2)}, 98).status_code == 429


def test_a_member_with_the_right_digits_is_not_limited_by_others_numbers(cast, client, member):
    url = reverse("portal:transfer_request")
    for n in range(views_member.TRANSFER_ID_FAILURES[0]):
        from_address(client, url, {"id_number": rid(3), "phone_last4": "0000", "to_code": "GB", **CONSENT}, n)
    resp = from_address(client, url, {"id_number": rid(1), "phone_last4": "5678", "to_code": "GB", **CONSENT}, 1)
    assert resp.status_code == 200 and Transfer.objects.count() == 1


def test_card_activation_is_limited_per_id_number(cast, client, member):
    card = cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a).cards.get(membership=member)
    url = reverse("portal:card_activate")
    for n in range(views_member.CARD_ID_FAILURES[0]):
        resp = from_address(client, url, {"number": card.number, "id_number": rid(1), "phone": f"1390000{n:04d}",
                                          **CONSENT}, n)
        assert resp.status_code == 200 and resp.context["form"].non_field_errors()
    assert_probe_logged("portal:card-id", rid(1))
    resp = from_address(client, url, {"number": card.number, "id_number": rid(1), "phone": PHONE, **CONSENT}, 77)
    assert resp.status_code == 429
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED


def test_join_probing_one_number_is_limited_and_logged_for_the_security_admin(cast, client, login, member):
    url = reverse("portal:join_union", args=["GB"])
    limit = views_join.JOIN_ID_LIMIT[0]
    for n in range(limit):
        resp = from_address(client, url, form_data(id_number=rid(1)), n)
        assert resp.status_code == 200 and "转接" in resp.content.decode()  # still told to ask for a transfer
    assert from_address(client, url, form_data(id_number=rid(1)), 99).status_code == 429
    assert_probe_logged("portal:join-id", rid(1))
    assert not JoinApplication.objects.exists()
    trail = login(cast.audit_admin).get(reverse("core:audit"), {"action": "portal.probe"})
    assert trail.status_code == 200 and "portal:join-id" in trail.content.decode()
    # Another number (a worker who is no member) still applies.
    resp = from_address(client, url, form_data(id_number=rid(4)), 1)
    assert resp.status_code == 302 and JoinApplication.objects.count() == 1


def test_bad_input_is_not_counted_against_a_number(cast, client, member):
    url = reverse("portal:transfer_request")
    for n in range(10):
        resp = from_address(client, url, {"id_number": rid(1), "phone_last4": "12", "to_code": "GB", **CONSENT}, n)
        assert resp.status_code == 200 and "phone_last4" in resp.context["form"].errors
    assert not probes().exists()
