"""Problems from other apps (§5): a confirmed fund alert and an annual audit's open findings go on the problem list,
each linked both ways; permissions and repeated filing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.funds import alerts, audits
from gonghui.funds.models import Alert, FindingState
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense
from gonghui.oversight.models import Problem

pytestmark = pytest.mark.django_db


def _alert(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "600", summary="购物卡")
    scan(actor=actor_for(cast.officer_a), org=cast.grassroots_a, year=2026)
    return Alert.objects.filter(org_path=cast.grassroots_a.path).first()


def test_confirmed_alert_goes_on_the_list_once(cast):
    a = _alert(cast)
    with pytest.raises(ValidationError):  # not confirmed yet
        alerts.alert_file_problem(actor=actor_for(cast.officer_a), alert=a)
    alerts.alert_confirm(actor=actor_for(cast.officer_a), alert=a, reason="购物卡违反八不准")
    p = alerts.alert_file_problem(actor=actor_for(cast.officer_a), alert=a)
    assert (p.source.key, p.category.key, p.link_kind, p.link_id, p.org) == (
        "monitoring", "funds_use", "funds.alert", a.pk, cast.grassroots_a)
    with pytest.raises(ValidationError):
        alerts.alert_file_problem(actor=actor_for(cast.officer_a), alert=a)
    with pytest.raises(Http404):
        alerts.alert_file_problem(actor=actor_for(cast.officer_b), alert=a)
    with pytest.raises(PermissionDenied):  # the auditor reviews funds but does not file problems
        alerts.alert_file_problem(actor=actor_for(cast.auditor_a), alert=a)


def test_alert_page_confirm_with_the_option_and_links_both_ways(cast, login):
    a = _alert(cast)
    client = login(cast.officer_a)
    page = client.get(f"/funds/alerts/{a.pk}/").content.decode()
    assert "同时列入问题清单" in page
    resp = client.post(f"/funds/alerts/{a.pk}/confirm/", {"reason": "确认违规", "as_problem": "on"})
    assert resp.status_code == 302
    p = Problem.objects.get(link_kind="funds.alert", link_id=a.pk)
    page = client.get(f"/funds/alerts/{a.pk}/").content.decode()
    assert p.number in page and f"/oversight/problems/{p.pk}/" in page
    assert f"/funds/alerts/{a.pk}/" in client.get(f"/oversight/problems/{p.pk}/").content.decode()
    # Refusals: another county 404, the grassroots officer may not confirm, anonymous to log in.
    assert login(cast.officer_b).post(f"/funds/alerts/{a.pk}/problem/").status_code == 404
    client.logout()
    assert client.post(f"/funds/alerts/{a.pk}/problem/").status_code == 302


def test_alert_page_button_after_confirmation(cast, login):
    a = _alert(cast)
    alerts.alert_confirm(actor=actor_for(cast.officer_a), alert=a, reason="确认")
    client = login(cast.officer_a)
    assert "列入问题清单" in client.get(f"/funds/alerts/{a.pk}/").content.decode()
    assert client.post(f"/funds/alerts/{a.pk}/problem/").status_code == 302
    assert Problem.objects.filter(link_id=a.pk, source__key="monitoring").count() == 1
    assert login(cast.auditor_a).post(f"/funds/alerts/{a.pk}/problem/").status_code == 403


def _audit(cast):
    actor = actor_for(cast.officer_a)
    record = audits.audit_record(actor=actor, org=cast.grassroots_a, year=2025, auditor="区总经审会",
                                 started_on=datetime.date(2026, 2, 1), ended_on=datetime.date(2026, 2, 10),
                                 vouchers_checked=120, conclusion="基本规范")
    f1 = audits.finding_add(actor=actor, audit_=record, text="会议费无签到表", due_on=datetime.date(2026, 5, 1))
    f2 = audits.finding_add(actor=actor, audit_=record, text="慰问品采购未比价", due_on=datetime.date(2026, 5, 1))
    f3 = audits.finding_add(actor=actor, audit_=record, text="现金支出超限", due_on=datetime.date(2026, 5, 1))
    audits.finding_progress(actor=actor, finding=f3, state=FindingState.RECTIFIED, note="已整改",
                            on=datetime.date(2026, 2, 20))
    return record, f1, f2


def test_audit_findings_become_problems(cast, login):
    record, f1, f2 = _audit(cast)
    client = login(cast.officer_a)
    url = "/funds/audits/GA/2025/"
    assert "列入问题清单" in client.get(url).content.decode()
    assert login(cast.officer_b).post(url + "findings/problems/").status_code == 404
    assert login(cast.auditor_a).post(url + "findings/problems/").status_code == 403
    client = login(cast.officer_a)
    assert client.post(url + "findings/problems/").status_code == 302
    made = Problem.objects.filter(source__key="funds_audit").order_by("link_id")
    assert [(p.link_kind, p.link_id, p.title) for p in made] == [
        ("funds.finding", f1.pk, "会议费无签到表"), ("funds.finding", f2.pk, "慰问品采购未比价")]
    page = client.get(url).content.decode()
    assert f"/oversight/problems/{made[0].pk}/" in page
    assert url in client.get(f"/oversight/problems/{made[0].pk}/").content.decode()
    with pytest.raises(ValidationError):  # all listed already
        audits.findings_to_problems(actor=actor_for(cast.officer_a), audit_=record)
