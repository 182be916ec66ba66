import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.core.models import AuditEvent, Grant, Role
from gonghui.members import cards, transfers
from gonghui.members.models import CardStatus, Membership, MembershipStatus, ServiceCard, Transfer, TransferStatus
from gonghui.members.services import member_add, member_leave
from gonghui.orgs.models import Org

JOINED = datetime.date(2020, 3, 1)
PHONE = "13912345678"


def id_number(n: int) -> str:
    first17 = f"33010219900101{n:03d}"
    return first17 + id_check_char(first17)


def add(cast, n: int = 1, union=None, name: str = "李四", **fields) -> Membership:
    union = union or cast.grassroots_a
    actor = actor_for(cast.city_staff)
    return member_add(actor=actor, union=union, person={"id_number": id_number(n), "name": name, "phone": PHONE},
                      joined_on=JOINED, **fields)


def post(client, code: str, **data):
    return client.post(reverse("members:transfer", args=[code]), data)


def test_cross_county_transfer_by_origin_accepted_by_destination(cast, login):
    m = add(cast, is_migrant_worker=True, job_title="钳工")
    batch = cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a)
    card = batch.cards.get()
    t = transfers.transfer_request_by_origin(actor=actor_for(cast.grassroots_officer), membership=m, to_code=" gb ",
                                             note="换工作")
    # The origin's request is its release: the transfer waits for the destination only.
    assert t.status == TransferStatus.RELEASED and t.released_at is not None and t.requested_via == "origin"
    assert t.from_path == cast.grassroots_a.path and t.to_path == cast.grassroots_b.path

    client = login(cast.officer_b)
    inbox = client.get(reverse("members:transfers"))
    assert inbox.status_code == 200 and t.code in inbox.content.decode()
    page = client.get(reverse("members:transfer", args=[t.code]))
    html = page.content.decode()
    view = page.context["t"]
    assert view["name"] == "李四" and view["from_name"] == "东湖机械厂工会" and view["to_name"] == "西山水泥厂工会"
    assert view["id_masked"] == id_number(1)[:3] + "*" * 11 + id_number(1)[-4:]
    assert view["from_code"] == "" and view["person_uid"] == "" and view["actions"] == ["accept", "refuse"]
    assert id_number(1) not in html and PHONE not in html and "钳工" not in html
    # Before acceptance the destination cannot open the person or the origin's records.
    assert client.get(reverse("members:detail", args=[m.person.uid])).status_code == 404
    assert client.get("/orgs/GA/").status_code == 404

    today = timezone.localdate()
    resp = post(client, t.code, action="accept", on=today.isoformat())
    assert resp.status_code == 302
    t.refresh_from_db()
    m.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED and t.completed_at is not None
    assert m.status == MembershipStatus.TRANSFERRED_OUT and m.left_on == today
    new = t.to_membership
    assert new.union == cast.grassroots_b and new.status == MembershipStatus.ACTIVE and new.source == "transfer"
    assert new.joined_on == today and new.is_migrant_worker and new.job_title == ""
    assert new.org_path == cast.grassroots_b.path
    # The person's history keeps both memberships.
    assert list(m.person.memberships.order_by("joined_on", "id").values_list("union__code", "status")) == [
        ("GA", "transferred_out"), ("GB", "active")]
    # The old card in use is cancelled; the new union issues its own.
    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED

    # Officer B now sees the member; the origin membership shows as "another union", nothing more.
    detail = client.get(reverse("members:detail", args=[m.person.uid]))
    assert detail.status_code == 200
    visible = {row.union.code: row.visible for row in detail.context["history"]}
    assert visible == {"GA": False, "GB": True}
    assert "东湖机械厂工会" not in detail.content.decode() and "钳工" not in detail.content.decode()
    assert client.get("/orgs/GA/").status_code == 404

    # The origin sees the destination by name, the transfer among its closed ones.
    a = login(cast.officer_a)
    closed = a.get(reverse("members:transfers") + "?tab=closed")
    assert t.code in closed.content.decode()
    view = a.get(reverse("members:transfer", args=[t.code])).context["t"]
    assert view["to_name"] == "西山水泥厂工会" and view["to_code"] == "" and view["actions"] == []

    events = AuditEvent.objects.filter(object_id=t.code).order_by("seq")
    assert [e.action for e in events] == ["transfer.request", "transfer.accept"]
    assert AuditEvent.objects.filter(action="card.cancel", object_id=card.number).exists()
    for e in AuditEvent.objects.filter(action__startswith="transfer."):
        assert id_number(1) not in str(e.details) and PHONE not in str(e.details) and "李四" not in str(e.details)


def test_destination_asks_with_the_id_number_and_learns_only_found(cast, login):
    m = add(cast)
    client = login(cast.officer_b)
    url = reverse("members:transfer_new")
    assert client.get(url).status_code == 200

    # Nobody active holds this number: the same answer whether the person never existed or has left.
    left = add(cast, n=2, name="王五")
    member_leave(actor=actor_for(cast.officer_a), membership=left, left_on=JOINED, reason="退休")
    for n in (2, 77):
        resp = client.post(url, {"union": "GB", "id_number": id_number(n)})
        assert resp.status_code == 200 and "id_number" in resp.context["form"].errors
    assert not Transfer.objects.exists()
    assert AuditEvent.objects.filter(action="transfer.request", outcome="failed").count() == 2

    resp = client.post(url, {"union": "GB", "id_number": id_number(1).lower()}, follow=True)
    t = Transfer.objects.get()
    assert t.requested_via == "destination" and t.status == TransferStatus.REQUESTED
    assert t.from_membership == m and t.to_union == cast.grassroots_b
    html = resp.content.decode()
    assert "东湖机械厂工会" not in html and "GA" not in resp.context["t"]["from_code"]
    assert resp.context["t"]["from_name"] == "" and resp.context["t"]["actions"] == ["cancel"]
    event = AuditEvent.objects.get(action="transfer.request", object_id=t.code)
    assert "from" not in event.details and event.scope_path == cast.grassroots_b.path
    # ... nor from the inbox.
    inbox = client.get(reverse("members:transfers") + "?tab=outgoing")
    assert t.code not in inbox.content.decode()
    inbox = client.get(reverse("members:transfers"))
    assert t.code in inbox.content.decode() and "东湖机械厂工会" not in inbox.content.decode()
    # The destination cannot accept before the origin releases.
    post(client, t.code, action="accept", on=timezone.localdate().isoformat())
    t.refresh_from_db()
    assert t.status == TransferStatus.REQUESTED

    origin = login(cast.grassroots_officer)
    outgoing = origin.get(reverse("members:transfers") + "?tab=outgoing")
    assert t.code in outgoing.content.decode()
    assert origin.get(reverse("members:transfer", args=[t.code])).context["t"]["actions"] == ["release", "refuse"]
    assert post(origin, t.code, action="release").status_code == 302
    t.refresh_from_db()
    assert t.status == TransferStatus.RELEASED

    client = login(cast.officer_b)
    view = client.get(reverse("members:transfer", args=[t.code])).context["t"]
    assert view["from_name"] == "东湖机械厂工会" and "accept" in view["actions"]
    post(client, t.code, action="accept", on=timezone.localdate().isoformat())
    t.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED and t.to_membership.union == cast.grassroots_b
    assert [e.action for e in AuditEvent.objects.filter(object_id=t.code).order_by("seq")] == [
        "transfer.request", "transfer.release", "transfer.accept"]


CONSENT = {"consent": "on", "notice_version": "2026-11"}  # the notice shown on the portal form


def test_member_asks_on_the_portal(cast, client, login):
    m = add(cast)
    url = reverse("portal:transfer_request")
    assert client.get(url).status_code == 200
    wrong = []
    for data in ({"id_number": id_number(1), "phone_last4": "0000"},
                 {"id_number": id_number(9), "phone_last4": "5678"}):
        resp = client.post(url, {**data, "to_code": "GB", **CONSENT})
        assert resp.status_code == 200
        wrong.append(resp.context["form"].non_field_errors())
    assert wrong[0] == wrong[1] and len(wrong[0]) == 1
    assert not Transfer.objects.exists()
    # A bad code is named before anything about the person is checked.
    resp = client.post(url, {"id_number": id_number(1), "phone_last4": "5678", "to_code": "NOPE", **CONSENT})
    assert "to_code" in resp.context["form"].errors

    resp = client.post(url, {"id_number": id_number(1), "phone_last4": "5678", "to_code": "gb", "note": "调动",
                             **CONSENT})
    assert resp.status_code == 200 and "portal/member_done.html" in [t.name for t in resp.templates]
    t = Transfer.objects.get()
    assert t.requested_via == "member" and t.status == TransferStatus.REQUESTED and t.from_membership == m
    assert resp.context["code"] == t.code
    # A second request while one is open is refused.
    resp = client.post(url, {"id_number": id_number(1), "phone_last4": "5678", "to_code": "GB", **CONSENT})
    assert resp.context["form"].errors and Transfer.objects.count() == 1

    # Both sides see a member's request; the origin releases, the destination accepts.
    b = login(cast.officer_b)
    view = b.get(reverse("members:transfer", args=[t.code])).context["t"]
    assert view["from_name"] == "东湖机械厂工会" and view["actions"] == ["refuse"]
    transfers.transfer_release(actor=actor_for(cast.grassroots_officer), transfer=t)
    new = transfers.transfer_accept(actor=actor_for(cast.officer_b), transfer=t)
    assert new.union == cast.grassroots_b and new.person == m.person
    ev = AuditEvent.objects.get(action="transfer.request", object_id=t.code)
    assert ev.actor_name == "portal" and ev.actor is None and ev.details["via"] == "member"


def test_refuse_with_a_reason(cast, login):
    m = add(cast)
    t = transfers.transfer_request_by_origin(actor=actor_for(cast.officer_a), membership=m, to_code="GB")
    b = login(cast.officer_b)
    resp = post(b, t.code, action="refuse", reason="  ")
    assert resp.status_code == 200 and "reason" in resp.context["refuse_form"].errors
    t.refresh_from_db()
    assert t.status == TransferStatus.RELEASED
    assert post(b, t.code, action="refuse", reason="本厂未招录此人").status_code == 302
    t.refresh_from_db()
    m.refresh_from_db()
    assert t.status == TransferStatus.REFUSED and t.refuse_reason == "本厂未招录此人"
    assert m.status == MembershipStatus.ACTIVE
    a = login(cast.officer_a)
    assert a.get(reverse("members:transfer", args=[t.code])).context["t"]["refuse_reason"] == "本厂未招录此人"
    ev = AuditEvent.objects.get(action="transfer.refuse", object_id=t.code)
    assert ev.details == {"side": "destination"} and ev.scope_path == cast.grassroots_b.path
    # Closed: the member can be transferred again.
    t2 = transfers.transfer_request_by_origin(actor=actor_for(cast.officer_a), membership=m, to_code="GA-B")
    assert t2.status == TransferStatus.RELEASED


def test_origin_refuses_and_requester_cancels(cast):
    m = add(cast)
    b = actor_for(cast.officer_b)
    t = transfers.transfer_request_by_destination(actor=b, to_union=cast.grassroots_b, id_number=id_number(1))
    with pytest.raises(ValidationError):  # the requester withdraws, it does not refuse
        transfers.transfer_refuse(actor=b, transfer=t, reason="x")
    transfers.transfer_refuse(actor=actor_for(cast.grassroots_officer), transfer=t, reason="劳动合同未解除")
    t.refresh_from_db()
    assert t.status == TransferStatus.REFUSED
    t2 = transfers.transfer_request_by_destination(actor=b, to_union=cast.grassroots_b, id_number=id_number(1))
    with pytest.raises(ValidationError):  # only the requesting side cancels
        transfers.transfer_cancel(actor=actor_for(cast.grassroots_officer), transfer=t2)
    transfers.transfer_cancel(actor=b, transfer=t2)
    t2.refresh_from_db()
    assert t2.status == TransferStatus.CANCELLED
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE


def test_a_third_party_cannot_see_or_touch_it(cast, login):
    m = add(cast)
    t = transfers.transfer_request_by_origin(actor=actor_for(cast.officer_a), membership=m, to_code="GB")
    county_c = Org.objects.add_child(cast.city, instance=Org(code="CC", name="南岭县总工会", level="county",
                                                             kind="federation"))
    from django.contrib.auth import get_user_model

    officer_c = get_user_model().objects.create_user(username="officer_c", password="x-Pass-2026")
    Grant.objects.create(user=officer_c, role=Role.FEDERATION_STAFF, org=county_c)
    c = login(officer_c)
    assert c.get(reverse("members:transfer", args=[t.code])).status_code == 404
    assert post(c, t.code, action="accept", on=timezone.localdate().isoformat()).status_code == 404
    for tab in ("incoming", "outgoing", "closed"):
        assert t.code not in c.get(reverse("members:transfers") + f"?tab={tab}").content.decode()
    with pytest.raises(Http404):
        transfers.transfer_accept(actor=actor_for(officer_c), transfer=t)
    assert c.get(reverse("members:transfer_new") + f"?person={m.person.uid}").status_code == 404
    # Officer B cannot start a transfer of county A's member either, nor find them by name.
    b = login(cast.officer_b)
    assert b.get(reverse("members:transfer_new") + f"?person={m.person.uid}").status_code == 404
    assert b.get(reverse("members:transfer_new") + "?q=李").context["found"] == []
    found = login(cast.grassroots_officer).get(reverse("members:transfer_new") + "?q=李").context["found"]
    assert [f.person.uid for f in found] == [m.person.uid]
    # The auditor sees, but changes nothing.
    au = login(cast.auditor_a)
    assert au.get(reverse("members:transfer", args=[t.code])).status_code == 200
    assert post(au, t.code, action="cancel").status_code == 403
    assert au.get(reverse("members:transfer_new")).status_code == 403
    with pytest.raises(PermissionDenied):
        transfers.transfer_cancel(actor=actor_for(cast.auditor_a), transfer=t)
    t.refresh_from_db()
    assert t.status == TransferStatus.RELEASED


def test_bad_input_names_the_field(cast, login):
    m = add(cast)
    actor = actor_for(cast.officer_a)
    cast.grassroots_b.status, cast.grassroots_b.dissolved_on = "dissolved", datetime.date(2024, 1, 1)
    cast.grassroots_b.save(update_fields=["status", "dissolved_on"])
    for code in ("NOPE", "GA", "CB", "GB", ""):
        with pytest.raises(ValidationError) as exc:
            transfers.transfer_request_by_origin(actor=actor, membership=m, to_code=code)
        assert "to_code" in exc.value.message_dict, code
    assert not Transfer.objects.exists()

    # Through the screen: the message sits next to the destination code, nothing is written.
    client = login(cast.officer_a)
    url = reverse("members:transfer_new") + f"?person={m.person.uid}"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"to_code": "CB"})
    assert resp.status_code == 200 and "to_code" in resp.context["form"].errors
    resp = client.post(url, {"to_code": "GA-B"})
    t = Transfer.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("members:transfer", args=[t.code])
    with pytest.raises(ValidationError):  # one open transfer per membership
        transfers.transfer_request_by_origin(actor=actor, membership=m, to_code="GA-B")
    with pytest.raises(ValidationError) as exc:  # destination-side: the person is already ours
        transfers.transfer_request_by_destination(actor=actor, to_union=cast.grassroots_a, id_number=id_number(1))
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        transfers.transfer_request_by_destination(actor=actor, to_union=cast.grassroots_a,
                                                  id_number=id_number(1)[:-1] + "0" if id_number(1)[-1] != "0"
                                                  else id_number(1)[:-1] + "1")
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a future acceptance date
        transfers.transfer_accept(actor=actor, transfer=t, on=timezone.localdate() + datetime.timedelta(days=3))
    t.refresh_from_db()
    assert t.status == TransferStatus.RELEASED


def test_transfer_within_a_county_and_membership_ended_meanwhile(cast):
    m = add(cast, is_dispatched=True)
    actor = actor_for(cast.officer_a)
    t = transfers.transfer_request_by_origin(actor=actor, membership=m, to_code="GA-B")
    assert transfers.can(actor, t, "accept") and transfers.can(actor, t, "cancel")
    member_leave(actor=actor, membership=m, left_on=JOINED, reason="离职")
    # Leaving ends the open request with it; nothing is left to accept.
    t.refresh_from_db()
    assert t.status == TransferStatus.CANCELLED and t.note == "membership ended"
    with pytest.raises(ValidationError):
        transfers.transfer_accept(actor=actor, transfer=t)
    assert ServiceCard.objects.count() == 0
