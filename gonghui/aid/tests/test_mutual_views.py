"""The medical mutual aid pages: each opens for its users, names are masked, another county gets a 404, a refused
form keeps the input and names the field in Chinese, review through the pages, the board publication."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from gonghui.aid import programs
from gonghui.aid.models import ClaimState, MutualClaim, MutualEnrolment, MutualPlan, PlanState
from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan
from gonghui.core.access import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(cast):
    plan = make_plan(cast)
    return file_claim(cast.grassroots_officer, enrolled(cast, plan))


def test_pages_open_for_their_users(cast, login, claim):
    plan = claim.plan
    c = login(cast.officer_a)
    for url in ("/aid/mutual/", f"/aid/mutual/{plan.pk}/", f"/aid/mutual/{plan.pk}/enrolments/",
                "/aid/mutual/claims/", f"/aid/mutual/claims/{claim.pk}/", "/aid/mutual/claims/review/",
                "/aid/mutual/new/", f"/aid/mutual/{plan.pk}/enrolments/new/",
                f"/aid/mutual/{plan.pk}/enrolments/import/",
                "/aid/mutual/claims/new/", "/aid/mutual/claims/?state=applied&month=2026-03"):
        r = c.get(url)
        assert r.status_code == 200, url
    page = c.get(f"/aid/mutual/{plan.pk}/enrolments/").content.decode()
    assert "李*" in page and "李强" not in page and claim.enrolment.person.id_number not in page
    assert "李强" not in c.get(f"/aid/mutual/claims/{claim.pk}/").content.decode()
    detail = c.get(f"/aid/mutual/{plan.pk}/")
    assert detail.context["part"]["covered"] == 1 and detail.context["part"]["members"] == 1
    assert detail.context["part"]["rate"] == 100
    r = c.get(f"/aid/mutual/{plan.pk}/enrolments/?export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    listed = c.get("/aid/mutual/claims/?state=applied&month=2026-03").content.decode()
    assert f"/aid/mutual/claims/{claim.pk}/" in listed
    for query in ("state=paid", "month=2026-04", f"unit={cast.branch_a.pk}"):
        assert f"/aid/mutual/claims/{claim.pk}/" not in c.get(f"/aid/mutual/claims/?{query}").content.decode(), query
    g = login(cast.grassroots_officer)
    for url in ("/aid/mutual/", f"/aid/mutual/{plan.pk}/", "/aid/mutual/claims/", "/aid/mutual/claims/new/"):
        assert g.get(url).status_code == 200, url
    assert g.get("/aid/mutual/new/").status_code == 403
    assert g.get("/aid/mutual/claims/review/").status_code == 403


def test_other_county_404_grassroots_403_anonymous_to_sign_in(cast, login, client, claim):
    plan = claim.plan
    assert client.get(f"/aid/mutual/claims/{claim.pk}/").status_code == 302
    assert client.post(f"/aid/mutual/claims/{claim.pk}/approve/").status_code == 302
    c = login(cast.officer_b)
    for url in (f"/aid/mutual/claims/{claim.pk}/", f"/aid/mutual/{plan.pk}/", f"/aid/mutual/{plan.pk}/enrolments/"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/aid/mutual/claims/{claim.pk}/approve/").status_code == 404
    assert c.post(f"/aid/mutual/{plan.pk}/close/").status_code == 404
    assert "李" not in c.get("/aid/mutual/claims/").content.decode().split("<main", 1)[-1]
    g = login(cast.grassroots_officer)
    assert g.post(f"/aid/mutual/claims/{claim.pk}/approve/").status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPLIED


def test_claim_form_refused_keeps_input_and_names_the_field(cast, login, claim):
    c = login(cast.grassroots_officer)
    person = claim.enrolment.person
    data = {"plan": claim.plan_id, "id_number": person.id_number, "admitted_on": "2026-04-01",
            "discharged_on": "2026-03-25", "illness": "阑尾炎", "total_bill": "5000", "insurance_paid": "3000",
            "self_paid": "2000", "bank_account": ""}
    r = c.post("/aid/mutual/claims/new/", data)
    assert r.status_code == 422 and "出院日期不能早于入院日期" in r.context["form"].errors["discharged_on"][0]
    assert r.context["form"]["illness"].value() == "阑尾炎"
    r = c.post("/aid/mutual/claims/new/", dict(data, id_number="110101199001011237", discharged_on="2026-04-05"))
    assert r.status_code == 422 and r.context["form"].errors["id_number"]
    r = c.post("/aid/mutual/claims/new/", dict(data, discharged_on="2026-04-05", self_paid="900", total_bill="3900"))
    assert r.status_code == 422 and "起付线" in r.context["form"].errors["self_paid"][0]
    r = c.post("/aid/mutual/claims/new/", dict(data, discharged_on="2026-04-05"))
    assert r.status_code == 302
    new = MutualClaim.objects.latest("pk")
    assert new.subsidy == 500 and new.illness == "阑尾炎"


def test_review_through_the_pages_then_paid_and_published(cast, login, claim):
    c = login(cast.officer_a)
    r = c.post(f"/aid/mutual/claims/{claim.pk}/refuse/", {"reason": ""})
    assert r.status_code == 422
    assert c.post(f"/aid/mutual/claims/{claim.pk}/approve/", {"next": "review"}).status_code == 302
    claim = MutualClaim.objects.select_related("grant").get(pk=claim.pk)
    assert claim.status == ClaimState.APPROVED
    assert c.post(f"/aid/mutual/{claim.plan_id}/publish/", {"days": "7"}).status_code == 302
    from gonghui.portal.models import Publication

    assert not Publication.objects.filter(kind="aid.mutual_claims").exists()  # nothing paid yet
    staff = actor_for(cast.officer_a)
    batch = programs.batch_create(actor=staff, program=claim.plan.program)
    programs.batch_pay(actor=staff, batch=batch, bank_reference="REF-MUT-9", paid_on=datetime.date(2026, 4, 2))
    page = c.get(f"/aid/mutual/claims/{claim.pk}/").content.decode()
    assert 'data-state="paid"' in page
    assert c.post(f"/aid/mutual/{claim.plan_id}/publish/", {"days": "7"}).status_code == 302
    pub = Publication.objects.get(kind="aid.mutual_claims")
    assert [list(row.values()) for row in pub.rows] == [["东湖机械厂工会", "1", "1000.00"]]
    assert "李" not in str(pub.rows) and "李" not in pub.title
    assert c.post(f"/aid/mutual/{claim.plan_id}/publications/{pub.pk}/withdraw/", {"reason": "公示期满"}) \
        .status_code == 302
    pub.refresh_from_db()
    assert pub.withdrawn_at is not None


def test_plan_set_up_opened_and_closed_through_the_pages(cast, login):
    c = login(cast.officer_a)
    data = {"name": "2026年住院互助", "org": cast.county_a.pk, "year": "2026", "contribution": "50",
            "deductible": "800", "ratio": "0.6", "annual_cap": "8000", "special_rules": "[{\"illness\": \"尿毒症\"}]",
            "fund": "50000", "budget_account": "维权支出-困难职工帮扶"}
    r = c.post("/aid/mutual/new/", data)
    assert r.status_code == 422 and r.context["form"].errors["special_rules"]
    r = c.post("/aid/mutual/new/", dict(data, special_rules=""))
    plan = MutualPlan.objects.get()
    assert r.status_code == 302 and plan.state == PlanState.DRAFT and plan.program.budget == 50000
    assert c.post(f"/aid/mutual/{plan.pk}/open/").status_code == 302
    g = login(cast.grassroots_officer)
    from gonghui.members.tests.factories import add_member

    person = add_member(cast.grassroots_officer, cast.grassroots_a, name="孙丽").person
    r = g.post(f"/aid/mutual/{plan.pk}/enrolments/new/", {"unit": cast.grassroots_a.pk, "id_number": person.id_number})
    assert r.status_code == 302 and MutualEnrolment.objects.filter(plan=plan, person=person).exists()
    r = g.post(f"/aid/mutual/{plan.pk}/enrolments/new/", {"unit": cast.grassroots_a.pk, "id_number": person.id_number})
    assert r.status_code == 422 and "已参加" in r.context["form"].errors["id_number"][0]
    c = login(cast.officer_a)
    assert c.post(f"/aid/mutual/{plan.pk}/close/").status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.CLOSED


def test_evidence_attached_while_awaiting_review_and_shown_on_the_claim(cast, login, claim):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.aid.testing_archive import pdf_bytes
    from gonghui.core.attachments import services as attachments

    officer = actor_for(cast.grassroots_officer)
    attachments.attachment_upload(actor=officer, kind="aid.mutual_claim", object_id=str(claim.pk),
                                  upload=SimpleUploadedFile("出院小结.pdf", pdf_bytes(),
                                                            content_type="application/pdf"))
    page = login(cast.officer_a).get(f"/aid/mutual/claims/{claim.pk}/").content.decode()
    assert "出院小结.pdf" in page
    assert "出院小结.pdf" not in login(cast.officer_b).get(f"/aid/mutual/claims/{claim.pk}/").content.decode()
    from gonghui.aid import mutual

    mutual.claim_refuse(actor=actor_for(cast.officer_a), claim=claim, reason="材料不全")
    with pytest.raises(PermissionDenied):  # decided: no more evidence
        attachments.attachment_upload(actor=officer, kind="aid.mutual_claim", object_id=str(claim.pk),
                                      upload=SimpleUploadedFile("发票.pdf", pdf_bytes(),
                                                                content_type="application/pdf"))
