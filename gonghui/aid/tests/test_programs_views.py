"""The programs pages: each opens for its users, is a 404 outside the subtree, keeps the input when refused."""

import pytest

from gonghui.aid import programs
from gonghui.aid.models import Grant, GrantState, ProgramKind
from gonghui.aid.testing_programs import make_program, member
from gonghui.core.access import actor_for


@pytest.fixture
def grant(cast):
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    return programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=member(cast),
                                org=cast.grassroots_a, facts={"relationship": "父"}, bank_account="6222021234567890123")


def test_pages_open_for_their_users(cast, login, grant):
    c = login(cast.officer_a)
    for url in ("/aid/programs/", f"/aid/programs/{grant.program_id}/", "/aid/grants/", f"/aid/grants/{grant.pk}/",
                "/aid/grants/inbox/", "/aid/visits/", "/aid/visits/new/", "/aid/programs/new/", "/aid/grants/apply/"):
        r = c.get(url)
        assert r.status_code == 200, url
    assert "李*" in c.get("/aid/grants/").content.decode()
    assert "李强" not in c.get(f"/aid/grants/{grant.pk}/").content.decode()


def test_other_county_gets_404_and_anonymous_is_sent_to_sign_in(cast, login, client, grant):
    r = client.get(f"/aid/grants/{grant.pk}/")
    assert r.status_code == 302
    c = login(cast.officer_b)
    for url in (f"/aid/grants/{grant.pk}/", f"/aid/programs/{grant.program_id}/"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/aid/grants/{grant.pk}/approve/").status_code == 404
    g = login(cast.grassroots_officer)
    assert g.post(f"/aid/grants/{grant.pk}/approve/").status_code == 403
    grant.refresh_from_db()
    assert grant.state == GrantState.APPLIED


def test_apply_form_refused_keeps_input_and_names_the_field(cast, login, grant):
    c = login(cast.grassroots_officer)
    r = c.post("/aid/grants/apply/", {"program": grant.program_id, "org": cast.grassroots_a.pk,
                                      "id_number": grant.person.id_number, "relationship": "其他"})
    assert r.status_code == 422
    assert r.context["form"].errors["relationship"]
    r = c.post("/aid/grants/apply/", {"program": grant.program_id, "org": cast.grassroots_a.pk,
                                      "id_number": "110101199001011234", "relationship": "母"})
    assert r.status_code == 422 and r.context["form"].errors["id_number"]


def test_approve_batch_and_pay_through_the_pages(cast, login, grant):
    c = login(cast.officer_a)
    assert c.post(f"/aid/grants/{grant.pk}/approve/").status_code == 302
    grant.refresh_from_db()
    assert grant.state == GrantState.APPROVED
    r = c.post(f"/aid/programs/{grant.program_id}/batch/")
    batch_id = Grant.objects.get(pk=grant.pk).batch_id
    assert r.status_code == 302 and batch_id
    f = c.get(f"/aid/batches/{batch_id}/file/")
    assert f.status_code == 200 and f["Content-Type"].startswith("application/vnd.openxmlformats")
    r = c.post(f"/aid/batches/{batch_id}/pay/", {"bank_reference": "", "paid_on": "2026-03-01"})
    assert r.status_code == 422 and r.context["form"].errors["bank_reference"]
    r = c.post(f"/aid/batches/{batch_id}/pay/", {"bank_reference": "BOC-7788", "paid_on": "2026-03-01"})
    assert r.status_code == 302
    grant.refresh_from_db()
    assert grant.state == GrantState.PAID


def test_maker_sees_no_approve_button_and_rules_editor_refuses_bad_json(cast, login):
    program = make_program(cast, kind=ProgramKind.WARMTH)
    g = programs.grant_apply(actor=actor_for(cast.officer_a), program=program, person=member(cast),
                             org=cast.grassroots_a)
    c = login(cast.officer_a)
    assert 'id="grant-approve"' not in c.get(f"/aid/grants/{g.pk}/").content.decode()
    c.post(f"/aid/grants/{g.pk}/approve/")
    g.refresh_from_db()
    assert g.state == GrantState.APPLIED
    r = c.post(f"/aid/programs/{program.pk}/rules/", {"rules": '{"amount": {"fixed": "abc"}}'})
    assert r.status_code == 422 and r.context["rules_form"].errors["rules"]


def test_a_union_below_the_payer_sees_the_program_but_not_the_payers_batches(cast, login, grant):
    # The program is paid by county A; its batches are the county's: a link the union could not open is not shown.
    officer = login(cast.officer_a)
    officer.post(f"/aid/grants/{grant.pk}/approve/")
    officer.post(f"/aid/programs/{grant.program_id}/batch/")
    batch_id = Grant.objects.get(pk=grant.pk).batch_id
    assert batch_id
    assert f"/aid/batches/{batch_id}/" in officer.get(f"/aid/programs/{grant.program_id}/").content.decode()
    union = login(cast.grassroots_officer)
    page = union.get(f"/aid/programs/{grant.program_id}/")
    assert page.status_code == 200
    assert f"/aid/batches/{batch_id}/" not in page.content.decode()
    assert union.get(f"/aid/batches/{batch_id}/").status_code == 404
