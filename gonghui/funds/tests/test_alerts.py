"""The alert workflow (explain, dismiss, confirm, rectify), its permissions and bad input, the scan CLI's JSON
contract, the pages and the API."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.funds import alerts
from gonghui.funds.models import Alert, AlertState, FundReturn
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense

pytestmark = pytest.mark.django_db
D = datetime.date


def _alert(cast, union=None, user=None, summary="大额支出"):
    union = union or cast.grassroots_a
    expense(user or cast.grassroots_officer, union, "25000", summary=summary)
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026)
    return Alert.objects.get(union=union, rule="large_without_decision")


def test_explained_then_dismissed(cast):
    a = _alert(cast)
    alerts.alert_explain(actor=actor_for(cast.grassroots_officer), alert=a, reason="已补开党组会")
    a.refresh_from_db()
    assert (a.state, a.explanation) == (AlertState.EXPLAINED, "已补开党组会")
    alerts.alert_dismiss(actor=actor_for(cast.auditor_a), alert=a, reason="说明属实")
    a.refresh_from_db()
    assert a.state == AlertState.DISMISSED
    assert AuditEvent.objects.filter(action="funds.alert_dismiss", object_id=str(a.pk)).exists()
    assert list(a.events.values_list("to_state", flat=True)) == ["explained", "dismissed"]


def test_confirmed_then_rectified_and_rescan_keeps_state(cast):
    a = _alert(cast)
    alerts.alert_confirm(actor=actor_for(cast.officer_a), alert=a, reason="未经集体决策")
    alerts.alert_rectify(actor=actor_for(cast.grassroots_officer), alert=a, note="已补办决策并通报")
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026)
    a.refresh_from_db()
    assert a.state == AlertState.RECTIFIED and Alert.objects.filter(rule="large_without_decision").count() == 1
    assert AuditEvent.objects.filter(action="funds.alert_confirm").exists()


def test_bad_input_dismissal_without_reason_and_wrong_state(cast):
    a = _alert(cast)
    with pytest.raises(ValidationError):
        alerts.alert_dismiss(actor=actor_for(cast.auditor_a), alert=a, reason="  ")
    with pytest.raises(ValidationError):
        alerts.alert_rectify(actor=actor_for(cast.grassroots_officer), alert=a, note="没确认就整改")
    a.refresh_from_db()
    assert a.state == AlertState.OPEN


def test_permissions_other_county_grassroots_and_reviewer_only(cast):
    a = _alert(cast)
    b = _alert(cast, cast.grassroots_b, cast.officer_b, summary="乙大额")
    with pytest.raises(Http404):
        alerts.alert_dismiss(actor=actor_for(cast.officer_b), alert=a, reason="x")
    with pytest.raises(Http404):
        alerts.alert_explain(actor=actor_for(cast.grassroots_officer), alert=b, reason="x")
    with pytest.raises(PermissionDenied):  # a union officer explains but does not review
        alerts.alert_dismiss(actor=actor_for(cast.grassroots_officer), alert=a, reason="x")
    with pytest.raises(PermissionDenied):  # an auditor reviews but does not explain
        alerts.alert_explain(actor=actor_for(cast.auditor_a), alert=a, reason="x")


def test_pages_scoped_and_refused(cast, client):
    a = _alert(cast)
    b = _alert(cast, cast.grassroots_b, cast.officer_b, summary="乙大额")
    assert client.get(f"/funds/alerts/{a.pk}/").status_code == 302  # anonymous: to the login page
    client.force_login(cast.officer_b)
    assert client.get(f"/funds/alerts/{a.pk}/").status_code == 404
    assert client.post(f"/funds/alerts/{a.pk}/dismiss/", {"reason": "x"}).status_code == 404
    client.force_login(cast.grassroots_officer)
    assert client.get(f"/funds/alerts/{b.pk}/").status_code == 404
    assert client.post(f"/funds/alerts/{a.pk}/dismiss/", {"reason": "x"}).status_code == 403
    page = client.get("/funds/alerts/")
    assert page.status_code == 200 and "大额支出" in page.content.decode() and "乙大额" not in page.content.decode()
    client.force_login(cast.auditor_a)
    assert client.post(f"/funds/alerts/{a.pk}/dismiss/", {"reason": ""}).status_code == 422
    r = client.post(f"/funds/alerts/{a.pk}/dismiss/", {"reason": "属实"})
    assert r.status_code == 302 and Alert.objects.get(pk=a.pk).state == AlertState.DISMISSED
    assert client.get("/funds/alerts/?state=dismissed").status_code == 200


def test_settings_caps_custom_pages(cast, client):
    client.force_login(cast.city_staff)
    for url in ("/funds/rules/settings/", "/funds/rules/caps/", "/funds/rules/custom/", "/funds/rules/custom/new/"):
        assert client.get(url).status_code == 200, url
    r = client.post("/funds/rules/settings/", {"enabled": ["cash_limit"], "threshold": "30000", "window_days": "7",
                                               "cash_limit": "800", "banned_words": "宴请\n礼金"})
    assert r.status_code == 302
    assert client.post("/funds/rules/caps/", {"effective_from": "2025-01-01", "amount": "2200"}).status_code == 302
    expense(cast.grassroots_officer, cast.grassroots_a, "700", summary="周末聚餐", date=D(2026, 3, 7))
    form = {"name": "周末大额", "match": "all", "c0_field": "weekday", "c0_op": "in", "c0_value": "6,7",
            "c1_field": "amount", "c1_op": "between", "c1_value": "500-1000"}
    r = client.post("/funds/rules/custom/new/", {**form, "preview": "1"})
    assert r.status_code == 200 and r.context["preview"]["count"] == (1 if D.today().year == 2026 else 0)
    r = client.post("/funds/rules/custom/new/", {**form, "c2_field": "salary", "c2_op": "gt", "c2_value": "1"})
    assert r.status_code == 422
    assert client.post("/funds/rules/custom/new/", {**form, "save": "1"}).status_code == 302
    client.force_login(cast.grassroots_officer)
    assert client.get("/funds/rules/settings/").status_code == 403


def test_scan_cli_json_contract(cast, capsys):
    expense(cast.grassroots_officer, cast.grassroots_a, "25000", summary="大额", date=D(2026, 3, 2))
    expense(cast.grassroots_officer, cast.grassroots_a, "1200", summary="现金", paid_from="101", date=D(2026, 4, 1))
    FundReturn.objects.create(payer=cast.county_a, payer_path=cast.county_a.path, union=cast.grassroots_a,
                              union_path=cast.grassroots_a.path, amount=Decimal("800.50"), receipt_no="SJ-7",
                              receipt_on=D(2026, 3, 2), due_on=D(2026, 3, 9), paid_on=D(2026, 3, 12),
                              state="paid")
    call_command("funds", "scan", "--org", "CA", "--year", "2026", "--as", "officer_a", "--json")
    first = json.loads(capsys.readouterr().out)
    call_command("funds", "scan", "--org", "CA", "--year", "2026", "--as", "officer_a", "--json")
    assert json.loads(capsys.readouterr().out) == first
    assert {(o["rule"], o["union"], o["voucher"], o["date"], o["amount"]) for o in first} == {
        ("large_without_decision", "GA", "记-0001", "2026-03-02", "25000.00"),
        ("cash_limit", "GA", "记-0002", "2026-04-01", "1200.00"),
        ("late_return", "GA", "SJ-7", "2026-03-02", "800.50")}
    assert all(set(o) == {"rule", "union", "voucher", "date", "amount", "message"} for o in first)
    call_command("funds", "scan", "--org", "CA", "--year", "2026", "--as", "officer_a")
    summary = capsys.readouterr().out
    assert "现金支付超限：1 项" in summary and "经费返拨超期：1 项" in summary
    with pytest.raises(CommandError) as exc:
        call_command("funds", "scan", "--org", "CA", "--year", "2026", "--as", "officer_b")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("funds", "scan", "--org", "CA", "--year", "2026", "--as", "nobody")
    assert exc.value.returncode == 2


def test_api_list_detail_dismiss_and_scan(cast, client):
    a = _alert(cast)
    client.force_login(cast.auditor_a)
    r = client.get("/api/v1/funds/alerts")
    assert r.status_code == 200 and r.json()["items"][0]["id"] == a.pk
    assert client.get(f"/api/v1/funds/alerts/{a.pk}").json()["lines"][0]["voucher"] == "记-0001"
    r = client.post(f"/api/v1/funds/alerts/{a.pk}/dismiss", {"reason": "属实"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "dismissed"
    client.force_login(cast.officer_b)
    assert client.get(f"/api/v1/funds/alerts/{a.pk}").status_code == 404
    r = client.post("/api/v1/funds/alerts/scan", {"year": 2026}, content_type="application/json")
    assert r.status_code == 200 and r.json()["by_rule"] == {}  # county B scans its own subtree only
    client.force_login(cast.grassroots_officer)
    assert client.post(f"/api/v1/funds/alerts/{a.pk}/confirm", {"reason": "x"},
                       content_type="application/json").status_code == 403
    client.logout()
    assert client.get("/api/v1/funds/alerts").status_code == 401


def test_nightly_sweep_scans_new_lines_and_returns_that_fell_due(cast):
    from gonghui.funds.tasks_rules import rules_sweep

    expense(cast.grassroots_officer, cast.grassroots_a, "1500", summary="现金", paid_from="101")
    FundReturn.objects.create(payer=cast.county_a, payer_path=cast.county_a.path, union=cast.grassroots_a,
                              union_path=cast.grassroots_a.path, amount=Decimal("100"), receipt_no="SJ-9",
                              receipt_on=D(2026, 3, 2), due_on=D(2026, 3, 9))
    counts = rules_sweep(today=D(2026, 3, 9))
    assert counts["created"] == 1 and Alert.objects.get().rule == "cash_limit"
    rules_sweep(today=D(2026, 3, 10))  # the return is now overdue and unpaid
    assert set(Alert.objects.values_list("rule", flat=True)) == {"cash_limit", "late_return"}
    assert rules_sweep(today=D(2026, 3, 10))["created"] == 0
