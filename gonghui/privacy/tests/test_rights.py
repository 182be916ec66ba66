"""A worker sees, downloads and asks to delete what the union holds about them; the union decides."""

import json

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.members.models import Consent, JoinApplication, Person
from gonghui.privacy import services
from gonghui.privacy.anonymise import ANON
from gonghui.privacy.models import DeletionItem, DeletionRequest, DeletionStatus, ItemOutcome

from .conftest import CONSENT

REFUSAL = "这些信息与记录不符"  # the start of the one answer to every mismatch (zh-hans)


def sign_in(client, id_number, phone, code):
    return client.post("/privacy/", {"id_number": id_number, "phone": phone, "code": code, **CONSENT})


def test_any_mismatch_gets_one_answer_and_stores_nothing(world, client):
    member_id, member_phone = world.numbers["member"]
    consents = Consent.objects.count()
    answers = []
    for args in ((member_id, "13900000000", world.card.number),  # wrong phone
                 (world.numbers["rejected"][0], member_phone, world.card.number),  # someone else's ID
                 (member_id, member_phone, "NOSUCHCODE"),  # unknown code
                 (member_id, member_phone, world.rejected.code)):  # a code that is not theirs
        resp = sign_in(client, *args)
        assert resp.status_code == 200
        answers.append([str(e) for e in resp.context["form"].non_field_errors()])
    assert answers[0] == answers[1] == answers[2] == answers[3] and len(answers[0]) == 1
    assert REFUSAL in answers[0][0]
    assert Consent.objects.count() == consents and client.get("/privacy/mine/").status_code == 302
    failed = AuditEvent.objects.filter(action="privacy.access", outcome="failed")
    assert failed.count() == 4 and all(e.details == {} for e in failed)


def test_the_member_sees_and_downloads_what_is_held(world, client):
    member_id, member_phone = world.numbers["member"]
    assert sign_in(client, member_id.lower(), "+86 " + member_phone, world.card.number)["Location"] == "/privacy/mine/"
    page = client.get("/privacy/mine/")
    body = page.content.decode()
    assert "张秀英" in body and "东湖机械厂工会" in body and world.card.number in body
    assert member_id not in body and member_phone not in body and "136****5678" in body  # masked on screen
    data = page.context["raw"]
    assert [p["id_number"] for p in data["people"]] == [member_id] and len(data["memberships"]) == 1
    assert {c["purpose"] for c in data["consents"]} == {"card", "privacy"}
    resp = client.get("/privacy/mine/export.json")
    exported = json.loads(resp.content)
    assert resp["Content-Disposition"].startswith("attachment") and "no-store" in resp["Cache-Control"]
    assert exported["people"][0]["id_number"] == member_id and exported["people"][0]["phone"] == member_phone
    rows = list(read_rows(client.get("/privacy/mine/export.xlsx").content, "x.xlsx"))
    assert ["people", 1, "id_number", member_id] in [list(r) for r in rows]
    assert AuditEvent.objects.filter(action="privacy.export").count() == 2


def test_a_worker_with_a_request_code_sees_that_request_only(world, client):
    assert sign_in(client, *world.numbers["worker"], world.public_case.code).status_code == 302
    data = client.get("/privacy/mine/").context["raw"]
    assert [c["code"] for c in data["cases"]] == [world.public_case.code]
    assert data["people"] == [] and data["applications"] == []


def test_deletion_goes_to_the_unit_and_the_worker_sees_the_outcome(world, client, login, cast):
    applicant_id, applicant_phone = world.numbers["rejected"]
    assert sign_in(client, applicant_id, applicant_phone, world.rejected.code).status_code == 302
    client.post("/privacy/mine/delete/")
    r = DeletionRequest.objects.get()
    assert r.org == cast.grassroots_a and r.status == DeletionStatus.PENDING
    assert list(r.items.values_list("kind", "ref")) == [("application", world.rejected.code)]
    client.post("/privacy/mine/delete/")  # asking twice adds nothing
    assert DeletionRequest.objects.count() == 1 and DeletionItem.objects.count() == 1

    officer = login(cast.grassroots_officer)
    assert r.code in officer.get("/privacy/requests/").content.decode()
    resp = officer.post(f"/privacy/requests/{r.code}/", {"decision": "anonymise"})
    assert resp.status_code == 302
    r.refresh_from_db()
    application = JoinApplication.objects.get(pk=world.rejected.pk)
    assert r.status == DeletionStatus.DONE and r.decided_by == cast.grassroots_officer
    assert application.name == ANON and application.id_number == "" and application.phone == ""
    assert AuditEvent.objects.filter(action="privacy.deletion.anonymise", object_id=r.code).exists()
    assert AuditEvent.objects.filter(action="privacy.anonymise", object_id=application.code).exists()

    # The same three entries still show the outcome, though the application no longer matches them.
    client.post("/privacy/mine/sign-out/")
    assert sign_in(client, applicant_id, applicant_phone, world.rejected.code).status_code == 302
    data = client.get("/privacy/mine/").context["raw"]
    assert data["applications"] == [] and data["deletion_requests"][0]["status"] == "已匿名化"
    assert data["deletion_requests"][0]["items"][0]["outcome"] == "已匿名化"


def test_what_the_law_requires_is_kept_with_its_reason(world, client, login, cast):
    member_id, member_phone = world.numbers["member"]
    sign_in(client, member_id, member_phone, world.card.number)
    client.post("/privacy/mine/delete/")
    r = DeletionRequest.objects.get()
    services.request_decide(actor=cast.actor(cast.officer_a), request=r, decision="anonymise")
    kept = {i.kind: i for i in r.items.all()}
    assert set(kept) == {"person", "card"} and all(i.outcome == ItemOutcome.KEPT and i.why_kept for i in kept.values())
    assert Person.objects.get(pk=world.member.person_id).name == "张秀英"  # an active member stays on the register
    body = client.get("/privacy/mine/").content.decode()
    assert kept["person"].why_kept in body


def test_refusing_needs_a_reason_the_worker_is_shown(world, client, cast):
    sign_in(client, *world.numbers["worker"], world.public_case.code)
    client.post("/privacy/mine/delete/")
    r = DeletionRequest.objects.get()
    assert r.org == cast.county_a
    actor = cast.actor(cast.officer_a)
    with pytest.raises(ValidationError):
        services.request_decide(actor=actor, request=r, decision="refuse", reason=" ")
    with pytest.raises(ValidationError):
        services.request_decide(actor=actor, request=r, decision="delete-everything")
    services.request_decide(actor=actor, request=r, decision="refuse", reason="该诉求涉及仲裁，须保留至结案")
    assert "该诉求涉及仲裁，须保留至结案" in client.get("/privacy/mine/").content.decode()
    with pytest.raises(ValidationError):
        services.request_decide(actor=actor, request=r, decision="anonymise")


def test_only_officers_covering_the_unit_see_and_decide(world, client, login, cast):
    sign_in(client, *world.numbers["rejected"], world.rejected.code)
    client.post("/privacy/mine/delete/")
    r = DeletionRequest.objects.get()
    url = f"/privacy/requests/{r.code}/"
    other = login(cast.officer_b)
    assert other.get(url).status_code == 404 and other.post(url, {"decision": "anonymise"}).status_code == 404
    assert r.code not in other.get("/privacy/requests/").content.decode()
    assert login(cast.auditor_a).get(url).status_code == 403
    assert login(cast.audit_admin).get("/privacy/requests/").status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith("/login/")
    assert login(cast.city_staff).get(url).status_code == 200
    r.refresh_from_db()
    assert r.status == DeletionStatus.PENDING


def test_signing_in_is_rate_limited_per_address(world, client):
    for _ in range(20):
        sign_in(client, world.numbers["member"][0], "13900000000", "X")
    resp = sign_in(client, *world.numbers["member"], world.card.number)
    assert resp.status_code in (403, 429)
    assert client.get("/privacy/").status_code == 200  # looking at the form is not counted
