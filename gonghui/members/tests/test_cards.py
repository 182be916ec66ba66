import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gonghui.core import figures
from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.core.models import AuditEvent
from gonghui.members import cards
from gonghui.members.figures import card_activation_rate
from gonghui.members.models import CardBatch, CardStatus, ServiceCard
from gonghui.members.services import member_add

JOINED = datetime.date(2021, 5, 1)


def id_number(n: int) -> str:
    first17 = f"33010219850101{n:03d}"
    return first17 + id_check_char(first17)


def phone(n: int) -> str:
    return f"1390000{n:04d}"


def add(cast, n: int, union=None):
    return member_add(actor=actor_for(cast.city_staff), union=union or cast.grassroots_a,
                      person={"id_number": id_number(n), "name": f"会员{n}", "phone": phone(n)}, joined_on=JOINED)


def test_luhn_and_numbering():
    assert cards.luhn_valid("79927398713") and not cards.luhn_valid("79927398710")
    number = cards.card_number("330102", 42)
    assert len(number) == 16 and number.startswith("330102000000042") and cards.luhn_valid(number)
    # Every single-digit typo is caught.
    for i in range(16):
        for d in "0123456789":
            if d != number[i]:
                assert not cards.luhn_valid(number[:i] + d + number[i + 1:])
    assert cards.normalize_number(" 3301 0200-0000 0421 ") == "3301020000000421"


def test_region_comes_from_the_nearest_ancestor(cast):
    assert cards.region_for(cast.grassroots_a) == "330102"  # GA and CA1 have none; county A has one
    assert cards.region_for(cast.branch_a) == "330102"
    assert cards.region_for(cast.grassroots_b) == "330122"
    cast.city.region_code = ""
    cast.city.save(update_fields=["region_code"])
    assert cards.region_for(cast.city) == cards.NO_REGION


def test_batch_issue_numbers_are_valid_unique_and_skip_live_cards(cast):
    for n in range(1, 6):
        add(cast, n)
    add(cast, 6, union=cast.branch_a)
    add(cast, 7, union=cast.grassroots_b)
    actor = actor_for(cast.officer_a)
    batch = cards.cards_issue(actor=actor, union=cast.grassroots_a)
    issued = list(batch.cards.all())
    assert batch.count == len(issued) == 6 and batch.issued_by == cast.officer_a and batch.union == cast.grassroots_a
    numbers = [c.number for c in issued]
    assert len(set(numbers)) == 6 and all(cards.luhn_valid(x) and len(x) == 16 for x in numbers)
    assert all(x.startswith("330102") for x in numbers)
    assert {c.status for c in issued} == {CardStatus.ISSUED} and {c.issued_on for c in issued} == {timezone.localdate()}
    assert {c.org_path for c in issued} == {cast.grassroots_a.path, cast.branch_a.path}

    # The second batch only covers members without a card in use.
    add(cast, 8)
    second = cards.cards_issue(actor=actor, union=cast.grassroots_a)
    assert second.count == 1
    new = second.cards.get()
    assert new.membership.person.name == "会员8" and new.number not in numbers
    assert int(new.number[6:15]) == max(int(x[6:15]) for x in numbers) + 1
    with pytest.raises(ValidationError):
        cards.cards_issue(actor=actor, union=cast.grassroots_a)
    assert CardBatch.objects.count() == 2

    # The city issues across counties: each county keeps its own region prefix; serials never collide.
    city_batch = cards.cards_issue(actor=actor_for(cast.city_staff), union=cast.city)
    assert [c.number[:6] for c in city_batch.cards.all()] == ["330122"]
    assert ServiceCard.objects.values("number").distinct().count() == ServiceCard.objects.count() == 8
    ev = AuditEvent.objects.filter(action="card.batch_issue").order_by("seq").first()
    assert ev.details == {"union": "GA", "count": 6}


def test_issue_is_scoped_and_written_by_officers_only(cast):
    add(cast, 1)
    with pytest.raises(Http404):
        cards.cards_issue(actor=actor_for(cast.officer_b), union=cast.grassroots_a)
    with pytest.raises(PermissionDenied):
        cards.cards_issue(actor=actor_for(cast.auditor_a), union=cast.grassroots_a)
    assert not ServiceCard.objects.exists()


def test_allocation_reads_the_region_maximum(cast):
    add(cast, 1)
    with CaptureQueriesContext(connection) as ctx:
        cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "MAX" in sql.upper()
    if connection.vendor == "postgresql":
        assert "pg_advisory_xact_lock" in sql


def _one_card(cast, n: int = 1) -> ServiceCard:
    add(cast, n)
    return cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a).cards.get(
        membership__person__name=f"会员{n}")


def test_member_activates_on_the_portal_and_any_mismatch_gets_one_answer(cast, client):
    card = _one_card(cast)
    add(cast, 2)  # another member: their ID and phone must not open card 1
    url = reverse("portal:card_activate")
    assert client.get(url).status_code == 200
    unknown = cards.card_number("330102", 999)
    answers = []
    for data in (
        {"number": card.number, "id_number": id_number(2), "phone": phone(1)},
        {"number": card.number, "id_number": id_number(1), "phone": phone(2)},
        {"number": unknown, "id_number": id_number(1), "phone": phone(1)},
        {"number": card.number, "id_number": "G12345678", "phone": phone(1)},
    ):
        resp = client.post(url, {**data, "consent": "on", "notice_version": "2026-11"})
        assert resp.status_code == 200
        answers.append(list(resp.context["form"].non_field_errors()))
    assert answers[0] == answers[1] == answers[2] == answers[3] and len(answers[0]) == 1
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED
    assert AuditEvent.objects.filter(action="card.activate", outcome="failed").count() == 4
    # A mistyped card number is caught by its check digit, before any lookup.
    resp = client.post(url, {"number": card.number[:-1] + str((int(card.number[-1]) + 1) % 10),
                             "id_number": id_number(1), "phone": phone(1), "consent": "on",
                             "notice_version": "2026-11"})
    assert "number" in resp.context["form"].errors

    resp = client.post(url, {"number": card.number[:4] + " " + card.number[4:], "id_number": id_number(1).lower(),
                             "phone": "+86 " + phone(1), "consent": "on", "notice_version": "2026-11"})
    assert resp.status_code == 200 and resp.context["code"] == card.number
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.activated_via == "member"
    assert card.activated_on == timezone.localdate()
    ev = AuditEvent.objects.get(action="card.activate", outcome="success")
    assert ev.actor_name == "portal" and ev.details == {"via": "member"} and ev.object_id == card.number
    for e in AuditEvent.objects.filter(action="card.activate"):
        assert id_number(1) not in str(e.details) and phone(1) not in str(e.details)
    with pytest.raises(ValidationError) as exc:
        cards.card_activate_by_member(number=card.number, id_number=id_number(1), phone=phone(1))
    assert exc.value.code == "already_active"


def test_officer_activates_on_the_card_screen(cast, login):
    card = _one_card(cast)
    client = login(cast.grassroots_officer)
    page = client.get(reverse("members:card", args=[card.number]))
    assert page.status_code == 200 and page.context["can_activate"]
    assert id_number(1) not in page.content.decode()
    resp = client.post(reverse("members:card", args=[card.number]), {"action": "activate"}, follow=True)
    assert resp.redirect_chain[0][1] == 302 and resp.context["card"].status == CardStatus.ACTIVE
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.activated_via == "officer"
    resp = client.post(reverse("members:card", args=[card.number]), {"action": "activate"}, follow=True)
    assert resp.status_code == 200 and [m.level_tag for m in resp.context["messages"]] == ["error"]
    assert AuditEvent.objects.filter(action="card.activate", object_id=card.number).count() == 1


def test_permissions_on_cards(cast, login):
    card = _one_card(cast)
    url = reverse("members:card", args=[card.number])
    b = login(cast.officer_b)
    assert b.get(url).status_code == 404
    assert b.post(url, {"action": "activate"}).status_code == 404
    assert card.number not in b.get(reverse("members:cards")).content.decode()
    assert b.post(reverse("members:cards"), {"union": "GA"}).status_code == 200  # "no union with this code"
    with pytest.raises(Http404):
        cards.card_activate_by_officer(actor=actor_for(cast.officer_b), card=card)
    with pytest.raises(Http404):
        cards.card_get(actor=actor_for(cast.officer_b), number=card.number)
    au = login(cast.auditor_a)
    assert au.get(url).status_code == 200 and not au.get(url).context["can_activate"]
    for action in ("activate", "lost", "reissue"):
        assert au.post(url, {"action": action}).status_code == 403
    assert au.post(reverse("members:cards"), {"union": "GA"}).status_code == 403
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED and ServiceCard.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.denied", actor_name="auditor_a").count() == 4


def test_lost_and_reissue(cast, login):
    card = _one_card(cast)
    cards.card_activate_by_officer(actor=actor_for(cast.officer_a), card=card)
    client = login(cast.officer_a)
    url = reverse("members:card", args=[card.number])
    assert client.post(url, {"action": "lost", "note": "乘车遗失"}).status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.LOST
    # A lost card no longer opens anything on the portal.
    with pytest.raises(ValidationError):
        cards.card_activate_by_member(number=card.number, id_number=id_number(1), phone=phone(1))
    resp = client.post(url, {"action": "reissue"})
    new = ServiceCard.objects.get(replaces=card)
    assert resp.status_code == 302 and resp.url == reverse("members:card", args=[new.number])
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED and new.status == CardStatus.ISSUED
    assert new.number != card.number and cards.luhn_valid(new.number) and new.membership == card.membership
    page = client.get(url)
    assert page.context["replaced_by"] == new and not page.context["can_reissue"]
    with pytest.raises(ValidationError):
        cards.card_reissue(actor=actor_for(cast.officer_a), card=card)
    # The member activates the new card.
    cards.card_activate_by_member(number=new.number, id_number=id_number(1), phone=phone(1))
    done = AuditEvent.objects.filter(action__startswith="card.", outcome="success").order_by("seq")
    assert [e.action for e in done] == ["card.batch_issue", "card.activate", "card.lost", "card.reissue",
                                        "card.activate"]


def test_card_list_filters_and_issue_form(cast, login):
    for n in (1, 2):
        add(cast, n)
    add(cast, 3, union=cast.grassroots_b)
    client = login(cast.officer_a)
    resp = client.post(reverse("members:cards"), {"union": "ga"})
    assert resp.status_code == 302 and ServiceCard.objects.count() == 2
    resp = client.post(reverse("members:cards"), {"union": "GA"})
    assert resp.status_code == 200 and resp.context["issue_form"].errors
    listing = client.get(reverse("members:cards") + "?status=issued&union=GA")
    assert listing.context["listing"].page.paginator.count == 2
    one = ServiceCard.objects.first()
    listing = client.get(reverse("members:cards") + f"?q={one.number}")
    assert listing.context["listing"].page.paginator.count == 1
    listing = client.get(reverse("members:cards") + "?q=会员2")
    assert listing.context["listing"].page.paginator.count == 1
    export = client.get(reverse("members:cards") + "?export=xlsx")
    assert export.status_code == 200 and AuditEvent.objects.filter(action="export", object_type="card").exists()


def client_summary(cast, code: str) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(cast.officer_a)
    summary = client.get(reverse("members:cards") + (f"?union={code}" if code else "")).context["summary"]
    return {k: summary[k] for k in ("issued", "active", "rate")}


def test_activation_rate_by_subtree(cast):
    for n in range(1, 5):
        add(cast, n)
    add(cast, 5, union=cast.grassroots_b)
    issued = list(cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a).cards.order_by("id"))
    cards.cards_issue(actor=actor_for(cast.officer_b), union=cast.grassroots_b)
    actor = actor_for(cast.officer_a)
    cards.card_activate_by_officer(actor=actor, card=issued[0])
    cards.card_activate_by_member(number=issued[1].number, id_number=id_number(2), phone=phone(2))
    # Lost and reissued: the replacement stands for the member, not yet activated.
    cards.card_report_lost(actor=actor, card=issued[2])
    cards.card_reissue(actor=actor, card=issued[2])
    period = figures.Period.parse(str(timezone.localdate().year))
    values = {fv.key: fv.value for fv in figures.compute(cast.county_a, period, actor=actor,
                                                         keys=["members.cards_issued", "members.cards_active",
                                                               "members.card_activation_rate"])}
    assert values == {"members.cards_issued": 4, "members.cards_active": 2, "members.card_activation_rate": 50}
    # 新增发卡: the four first cards of county A; the replacement of the lost card is not new.
    assert figures.get("members.cards_issued_new").compute(cast.county_a, period) == 4
    assert figures.get("members.cards_issued_new").compute(cast.city, period) == 5
    assert figures.get("members.cards_issued_new").compute(cast.city, figures.Period.parse(
        str(timezone.localdate().year - 1))) == 0
    assert card_activation_rate(cast.county_b, period) == 0
    assert card_activation_rate(cast.city, period) == 40
    # The card list shows the same figure for the union filtered on.
    assert client_summary(cast, "CA") == {"issued": 4, "active": 2, "rate": 50}
    assert client_summary(cast, "") == {"issued": 4, "active": 2, "rate": 50}
    last_year = figures.Period.parse(str(timezone.localdate().year - 1))
    assert card_activation_rate(cast.city, last_year) is None
