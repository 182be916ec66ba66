"""A visit's finding or a mailbox tip that is a worker's request becomes a casework case in one step: the service
(linked both ways, audited, refused twice), the pages (the form keeps the input, errors in Chinese), the API, and
refusals (another county, a grassroots officer of another union, an anonymous visitor, an auditor)."""

import pytest
from django.core.exceptions import ValidationError

from gonghui.casework.models import Case, Channel
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.oversight import casework_links, tips
from gonghui.oversight.models import FindingFate, TipFate
from gonghui.oversight.testing_visits import record_visit

pytestmark = pytest.mark.django_db


def _tip(org, **kw):
    data = {"org": org, "subject": "某企业拖欠职工工资三个月", "body": "东湖机械厂3月起未发工资，职工求助",
            "contact_name": "李四", "contact_phone": "13800138000", "consent_version": tips.TIP_NOTICE_VERSION}
    data.update(kw)
    return tips.tip_submit(**data)[0]


def test_finding_becomes_a_case_linked_both_ways(cast, login):
    v = record_visit(cast.officer_a, units="GA", findings=["职工反映加班费未足额发放"])
    f = v.findings.get()
    case = casework_links.finding_to_case(actor_for(cast.officer_a), finding=f, category="solution", topic="wages")
    assert (case.channel, case.topic, case.org_path, case.subject) == (Channel.REFERRAL, "wages",
                                                                       cast.county_a.path, "职工反映加班费未足额发放")
    f.refresh_from_db()
    assert (f.fate, f.link_kind, f.link_id, f.link_label) == (FindingFate.CASE, "casework.case", case.pk, case.code)
    assert AuditEvent.objects.filter(action="oversight.visit_finding_case", object_id=str(v.pk),
                                     details__case=case.code).exists()
    assert AuditEvent.objects.filter(action="case.receive").exists()
    # Refused twice: neither a second case nor a problem.
    with pytest.raises(ValidationError):
        casework_links.finding_to_case(actor_for(cast.officer_a), finding=f, category="solution", topic="wages")
    from gonghui.oversight import visits

    with pytest.raises(ValidationError):
        visits.finding_to_problem(actor_for(cast.officer_a), finding=f)
    assert Case.objects.count() == 1
    client = login(cast.officer_a)
    page = client.get(f"/oversight/visits/{v.pk}/").content.decode()
    from django.urls import reverse

    assert reverse("casework:detail", args=[case.code]) in page
    detail = client.get(reverse("casework:detail", args=[case.code])).content.decode()
    assert 'id="case-origin"' in detail and f"/oversight/visits/{v.pk}/" in detail


def test_tip_becomes_a_case_without_its_contact(cast, login):
    tip = _tip(cast.county_a)
    case = casework_links.tip_to_case(actor_for(cast.officer_a), tip=tip, category="solution", topic="wages",
                                      subject="东湖机械厂拖欠工资")
    assert (case.subject, case.phone, case.worker_name) == ("东湖机械厂拖欠工资", "", "")
    tip.refresh_from_db()
    assert (tip.fate, tip.link_label) == (TipFate.CASE, case.code)
    assert AuditEvent.objects.filter(action="oversight.tip_case", object_id=str(tip.pk)).exists()
    with pytest.raises(ValidationError):
        casework_links.tip_to_case(actor_for(cast.officer_a), tip=tip, category="solution", topic="wages")
    with pytest.raises(ValidationError):
        tips.tip_to_problem(actor_for(cast.officer_a), tip=tip)
    from django.urls import reverse

    client = login(cast.officer_a)
    assert reverse("casework:detail", args=[case.code]) in client.get(f"/oversight/tips/{tip.pk}/").content.decode()
    detail = client.get(reverse("casework:detail", args=[case.code])).content.decode()
    assert f"/oversight/tips/{tip.pk}/" in detail and "13800138000" not in detail


def test_pages_keep_input_and_name_the_field(cast, login):
    v = record_visit(cast.officer_a, units="GA")
    f = v.findings.get()
    client = login(cast.officer_a)
    resp = client.post(f"/oversight/visits/findings/{f.pk}/case/", {f"c{f.pk}-subject": "食堂收费问题",
                                                                     f"c{f.pk}-category": "solution",
                                                                     f"c{f.pk}-topic": "nonsense"})
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "食堂收费问题" in body and "选择" in body
    assert not Case.objects.exists()
    resp = client.post(f"/oversight/visits/findings/{f.pk}/case/", {f"c{f.pk}-subject": "食堂收费问题",
                                                                     f"c{f.pk}-category": "consultation",
                                                                     f"c{f.pk}-topic": "other"})
    assert resp.status_code == 302
    assert Case.objects.get().subject == "食堂收费问题"
    tip = _tip(cast.county_a)
    resp = client.post(f"/oversight/tips/{tip.pk}/case/", {"subject": "", "category": "", "topic": "wages"})
    assert resp.status_code == 422 and "必填" in resp.content.decode()


def test_bad_input_named_in_chinese(cast):
    v = record_visit(cast.officer_a, units="GA")
    with pytest.raises(ValidationError) as exc:
        casework_links.finding_to_case(actor_for(cast.officer_a), finding=v.findings.get(), category="x",
                                       topic="wages", subject="<script>" * 20)
    assert set(exc.value.message_dict) == {"category", "subject"}
    assert "选择" in "".join(exc.value.message_dict["category"])
    assert "100" in "".join(exc.value.message_dict["subject"])
    assert not Case.objects.exists()


def test_refusals(cast, client, login):
    v = record_visit(cast.officer_a, units="GA")
    f = v.findings.get()
    tip = _tip(cast.county_a)
    data = {f"c{f.pk}-subject": "食堂", f"c{f.pk}-category": "solution", f"c{f.pk}-topic": "wages"}
    for user in (cast.officer_b, cast.grassroots_officer):
        c = login(user)
        assert c.post(f"/oversight/visits/findings/{f.pk}/case/", data).status_code == 404
        assert c.post(f"/oversight/tips/{tip.pk}/case/", {"subject": "x", "category": "solution",
                                                          "topic": "wages"}).status_code == 404
        with pytest.raises(Exception):  # noqa: B017 (PermissionDenied or Http404: both refuse)
            casework_links.finding_to_case(actor_for(user), finding=f, category="solution", topic="wages")
        with pytest.raises(Exception):  # noqa: B017
            casework_links.tip_to_case(actor_for(user), tip=tip, category="solution", topic="wages")
    assert login(cast.auditor_a).post(f"/oversight/visits/findings/{f.pk}/case/", data).status_code == 403
    client.logout()
    assert client.post(f"/oversight/visits/findings/{f.pk}/case/", data).status_code == 302
    assert client.post(f"/api/v1/oversight/visits/findings/{f.pk}/case", {"category": "solution",
                                                                            "topic": "wages"},
                       content_type="application/json").status_code in (401, 403)
    assert not Case.objects.exists()
    f.refresh_from_db()
    tip.refresh_from_db()
    assert f.fate == FindingFate.NOTED and not tip.fate


def test_api(cast, login):
    v = record_visit(cast.officer_a, units="GA")
    f = v.findings.get()
    client = login(cast.officer_a)
    url = f"/api/v1/oversight/visits/findings/{f.pk}/case"
    resp = client.post(url, {"category": "solution", "topic": "bogus"}, content_type="application/json")
    assert resp.status_code in (400, 422)
    resp = client.post(url, {"category": "solution", "topic": "wages"}, content_type="application/json")
    assert resp.status_code == 201
    assert resp.json()["case_code"] == Case.objects.get().code
    assert client.post(url, {"category": "solution", "topic": "wages"},
                       content_type="application/json").status_code in (400, 409, 422)
    assert login(cast.officer_b).post(url, {"category": "solution", "topic": "wages"},
                                      content_type="application/json").status_code == 404
