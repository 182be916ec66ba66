"""Issue 10 §1: every factor of the personal-information sign-in is checked on every path, and a code opens only
what it was given for. Each test reproduces an attack and fails when the check it covers is removed."""

import json

import pytest
from django.db import connection

from gonghui.casework import intake
from gonghui.casework.models import Case
from gonghui.core.models import AuditEvent
from gonghui.members import applications
from gonghui.members import services as member_services
from gonghui.members.models import JoinApplication
from gonghui.privacy import services
from gonghui.privacy.models import DeletionItem, DeletionRequest
from gonghui.privacy.views import SESSION_KEY

from .conftest import CONSENT, rid

REFUSAL = "这些信息与记录不符"
OTHER_ID = rid("33010219800808008")
OTHER_PHONE = "13500009999"


def sign_in(client, id_number, phone, code):
    return client.post("/privacy/", {"id_number": id_number, "phone": phone, "code": code, **CONSENT})


def refused(resp) -> bool:
    errors = [str(e) for e in resp.context["form"].non_field_errors()] if resp.status_code == 200 else []
    return len(errors) == 1 and REFUSAL in errors[0]


def file_request(client, phone, id_number="", topic="wages", **extra):
    before = set(Case.objects.values_list("pk", flat=True))
    client.post("/requests/new/?to=CA", {"org": "CA", "category": "solution", "topic": topic, "subject": "加班费",
                                         "description": "另一份诉求", "worker_name": "某人", "phone": phone,
                                         "id_number": id_number, "consent_id_number": "on" if id_number else "",
                                         **CONSENT, "notice_version": intake.REQUEST_NOTICE_VERSION, **extra})
    return Case.objects.exclude(pk__in=before).first()


def anonymised_application(world, cast, client):
    """The rejected applicant asks for deletion and the union anonymises: the code then matches no record."""
    assert sign_in(client, *world.numbers["rejected"], world.rejected.code).status_code == 302
    client.post("/privacy/mine/delete/")
    client.post("/privacy/mine/sign-out/")
    services.request_decide(actor=cast.actor(cast.officer_a), request=DeletionRequest.objects.get(),
                            decision="anonymise")
    return world.rejected.code


PATHS = ["card", "application", "case", "deletion"]


def _path(world, cast, client, path):
    if path == "card":
        return (*world.numbers["member"], world.card.number)
    if path == "application":
        return (*world.numbers["applicant"], world.application.code)
    if path == "case":
        return (*world.numbers["worker"], world.public_case.code)
    return (*world.numbers["rejected"], anonymised_application(world, cast, client))


@pytest.mark.parametrize("path", PATHS)
def test_each_path_refuses_each_single_wrong_factor(world, cast, client, path):
    id_number, phone, code = _path(world, cast, client, path)
    for wrong in ((OTHER_ID, phone, code), ("ABC", phone, code), (id_number, OTHER_PHONE, code),
                  (id_number, phone, "ZZZZZZZZZZ")):
        assert refused(sign_in(client, *wrong)), (path, wrong)
        assert client.get("/privacy/mine/").status_code == 302
    assert sign_in(client, id_number, phone, code)["Location"] == "/privacy/mine/"


def test_the_reported_attack_a_fresh_tracking_code_and_the_phone_open_nothing_else(world, client):
    victim_id, victim_phone = world.numbers["worker"]
    # The attacker knows the phone only: files a request with it, gets a code, and tries any ID number.
    own = file_request(client, victim_phone, topic="wages")  # the victim's open case's topic
    assert own is not None and own.code != world.public_case.code and own.repeat_of == world.public_case
    assert refused(sign_in(client, "ABC", victim_phone, own.code))
    assert refused(sign_in(client, OTHER_ID, victim_phone, own.code))
    assert refused(sign_in(client, victim_id, victim_phone, own.code))  # filed without an ID: not openable here
    assert client.get("/privacy/mine/export.json").status_code == 302
    assert client.post("/privacy/mine/delete/").status_code == 302 and not DeletionRequest.objects.exists()


def test_a_code_obtained_with_someone_elses_numbers_opens_only_its_own_record(world, client):
    victim_id, victim_phone = world.numbers["worker"]
    earlier = world.public_case
    # The attacker knows both numbers and files a request with them, to hold a code of their own.
    own = file_request(client, victim_phone, id_number=victim_id, topic="contract")
    assert sign_in(client, victim_id, victim_phone, own.code).status_code == 302
    exported = json.loads(client.get("/privacy/mine/export.json").content)
    assert [c["code"] for c in exported["cases"]] == [own.code]
    assert earlier.description not in json.dumps(exported, ensure_ascii=False)
    assert "东湖建筑" not in json.dumps(exported, ensure_ascii=False)  # the earlier case's workplace
    client.post("/privacy/mine/delete/")
    assert [list(r.items.values_list("ref", flat=True)) for r in DeletionRequest.objects.all()] == [[own.code]]


def test_a_join_application_code_opens_only_that_application(world, cast, client):
    victim_id, victim_phone = world.numbers["rejected"]
    person = member_services.person_clean(id_number=victim_id, name="冒名", phone=victim_phone, phone_required=True)
    own = applications.application_submit(union=cast.grassroots_a, data={**person, "birth_date": None},
                                          consent_version="2026-11", ip=None)
    assert sign_in(client, victim_id, victim_phone, own.code).status_code == 302
    page = client.get("/privacy/mine/")
    data = page.context["raw"]
    assert [a["code"] for a in data["applications"]] == [own.code]  # not the victim's rejected application
    assert 'id="privacy-scoped"' in page.content.decode()
    assert data["consents"] and all(c["purpose"] == "join" for c in data["consents"])


def test_an_approved_application_opens_the_member_record_made_from_it(world, client):
    assert sign_in(client, *world.numbers["applicant"], world.application.code).status_code == 302
    data = client.get("/privacy/mine/").context["raw"]
    assert [p["name"] for p in data["people"]] == ["孙丽"] and len(data["memberships"]) == 1


def test_the_card_opens_only_records_matching_both_numbers(world, cast, client):
    member_id, member_phone = world.numbers["member"]
    # A request under the member's ID number but another phone is someone else's doing: not shown.
    file_request(client, OTHER_PHONE, id_number=member_id, topic="contract")
    file_request(client, member_phone, topic="contract")  # the member's phone, no ID number
    assert sign_in(client, member_id, member_phone, world.card.number).status_code == 302
    page = client.get("/privacy/mine/")
    data = page.context["raw"]
    assert data["applications"] == [] and data["cases"] == [] and len(data["people"]) == 1
    assert 'id="privacy-scoped"' not in page.content.decode()


def test_a_case_filed_with_an_id_number_stores_it_encrypted_and_the_form_checks_it(world, client):
    case = Case.objects.get(pk=world.public_case.pk)
    assert case.id_number == world.numbers["worker"][0] and case.id_number_bidx
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Case._meta.db_table} WHERE id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    assert world.numbers["worker"][0] not in raw
    before = Case.objects.count()
    resp = client.post("/requests/new/?to=CA", {"org": "CA", "category": "solution", "topic": "other",
                                                "subject": "咨询", "description": "问题", "worker_name": "某人",
                                                "phone": OTHER_PHONE, "id_number": rid("33010219800808008")[:-1] + "0",
                                                "consent_id_number": "on", **CONSENT,
                                                "notice_version": intake.REQUEST_NOTICE_VERSION})
    assert resp.status_code == 200 and "校验位不正确" in resp.content.decode() and Case.objects.count() == before
    # An ID number needs its own consent (sensitive personal information), or is left out.
    resp = client.post("/requests/new/?to=CA", {"org": "CA", "category": "solution", "topic": "other",
                                                "subject": "咨询", "description": "问题", "worker_name": "某人",
                                                "phone": OTHER_PHONE, "id_number": OTHER_ID, **CONSENT,
                                                "notice_version": intake.REQUEST_NOTICE_VERSION})
    assert resp.status_code == 200 and "单独同意" in resp.content.decode() and Case.objects.count() == before


def test_a_session_from_before_the_fix_opens_nothing(world, client):
    session = client.session
    session[SESSION_KEY] = {"id": "", "phone": "x", "id_verified": False, "until": 2**40}
    session.save()
    assert client.get("/privacy/mine/").status_code == 302


def test_anonymised_deletion_reference_opens_only_that_request(world, cast, client):
    code = anonymised_application(world, cast, client)
    # A request for help under the same two numbers is not what this deletion request covered.
    file_request(client, world.numbers["rejected"][1], id_number=world.numbers["rejected"][0], topic="other")
    assert sign_in(client, *world.numbers["rejected"], code).status_code == 302
    data = client.get("/privacy/mine/").context["raw"]
    assert data["cases"] == [] and [len(r["items"]) for r in data["deletion_requests"]] == [1]
    assert JoinApplication.objects.filter(code=code).exists()


def test_card_numbers_cannot_be_guessed_for_one_id_number_from_many_addresses(world):
    """Card numbers run in sequence within a region: someone holding a person's two numbers must not be able to try
    serials from address after address. Five wrong answers for one ID number close it for an hour, everywhere."""
    from django.test import Client

    member_id, member_phone = world.numbers["member"]
    wrong = str(int(world.card.number) + 10)
    for n in range(5):
        resp = sign_in(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), member_id, member_phone, wrong)
        assert resp.status_code == 200 and refused(resp)
    # The right card from yet another address is refused too: the number's allowance is used up.
    resp = sign_in(Client(REMOTE_ADDR="198.51.100.99"), member_id, member_phone, world.card.number)
    assert resp.status_code == 429
    assert AuditEvent.objects.filter(action="portal.probe", object_id="privacy:id").count() == 1
    # Another person's number is not held back by it.
    other_id, other_phone = world.numbers["worker"]
    assert sign_in(Client(REMOTE_ADDR="198.51.100.99"), other_id, other_phone, world.public_case.code
                   ).status_code in (200, 302)


def _export(client) -> str:
    return client.get("/privacy/mine/export.json").content.decode()


def test_a_deletion_request_never_carries_records_to_someone_who_opens_only_one(world, client):
    """The member has a request at the federation. The attacker files another with the member's two numbers and asks
    to delete it; when the member later asks with their card, their records go into a request of their own, and the
    attacker's code still shows only the attacker's own record (never the member's case or card)."""
    from django.test import Client

    member_id, member_phone = world.numbers["member"]
    member = Client()
    theirs = file_request(member, member_phone, id_number=member_id, topic="wages")
    own = file_request(client, member_phone, id_number=member_id, topic="contract")
    assert sign_in(client, member_id, member_phone, own.code).status_code == 302
    client.post("/privacy/mine/delete/")
    first = DeletionRequest.objects.get()
    assert sign_in(member, member_id, member_phone, world.card.number).status_code == 302
    member.post("/privacy/mine/delete/")
    assert list(first.items.values_list("ref", flat=True)) == [own.code]  # nothing added to the attacker's request
    for secret in (theirs.code, world.card.number):
        assert secret not in _export(client) and secret in _export(member)


def test_a_code_in_a_wider_deletion_request_sees_only_its_own_item(world, client):
    from django.test import Client

    member_id, member_phone = world.numbers["member"]
    member = Client()
    theirs = file_request(member, member_phone, id_number=member_id, topic="wages")
    own = file_request(client, member_phone, id_number=member_id, topic="contract")
    assert sign_in(member, member_id, member_phone, world.card.number).status_code == 302
    member.post("/privacy/mine/delete/")  # the card holder's request at the federation covers both cases
    refs = set(DeletionItem.objects.values_list("ref", flat=True))
    assert {own.code, theirs.code} <= refs
    assert sign_in(client, member_id, member_phone, own.code).status_code == 302
    exported = json.loads(_export(client))
    assert [i["record"] for r in exported["deletion_requests"] for i in r["items"]] == [own.code]
    assert theirs.code not in json.dumps(exported) and world.card.number not in json.dumps(exported)
