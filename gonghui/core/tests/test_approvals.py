"""Maker-checker: the rules of the service, the members' export with full numbers wired to it, the screens and
the API."""

import contextlib
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from gonghui.core import approvals
from gonghui.core.access import actor_for
from gonghui.core.models import Approval, AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.members.tests.factories import add_member

State = Approval.State


@contextlib.contextmanager
def refused(code: str):
    """A ValidationError with this code (the message is translated)."""
    with pytest.raises(ValidationError) as exc:
        yield
    assert exc.value.code == code, exc.value


def _request(cast, user=None, org=None, reason="报送市总会员实名库"):
    user = user or cast.grassroots_officer
    return approvals.approval_request(actor=actor_for(user), kind=approvals.MEMBERS_EXPORT,
                                      org=org or cast.grassroots_a, payload={"filters": {"status": "active"},
                                                                             "rows": 1}, reason=reason)


class Clock:
    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


def test_request_then_another_officer_approves_and_every_step_is_audited(cast):
    a = _request(cast)
    assert (a.state, a.maker, a.org_path) == (State.REQUESTED, cast.grassroots_officer, cast.grassroots_a.path)
    a = approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a, note="同意")
    assert (a.state, a.checker, a.decision_note) == (State.APPROVED, cast.officer_a, "同意")
    assert a.execute_by > a.decided_at
    events = list(AuditEvent.objects.filter(object_type="approval", object_id=a.uid).order_by("seq")
                  .values_list("action", "actor_name"))
    assert events == [("approval.request", "grassroots_a"), ("approval.approve", "officer_a")]


def test_the_maker_cannot_approve_their_own_request(cast):
    a = _request(cast, user=cast.officer_a, org=cast.county_a)
    with refused("own_request"):
        approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a)
    with refused("own_request"):
        approvals.approval_reject(actor=actor_for(cast.officer_a), approval=a, note="不需要")
    a.refresh_from_db()
    assert a.state == State.REQUESTED and a.checker is None
    # The database holds the line too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=a.pk).update(state=State.APPROVED, checker=cast.officer_a,
                                                decided_at=timezone.now())


def test_a_checker_must_cover_the_unit_and_hold_the_approve_permission(cast):
    a = _request(cast, user=cast.officer_a, org=cast.county_a)
    # Another county's officer and a grassroots officer below the unit do not cover it: as if it did not exist.
    for user in (cast.officer_b, cast.grassroots_officer):
        with pytest.raises(Http404):
            approvals.approval_approve(actor=actor_for(user), approval=a)
        with pytest.raises(Http404):
            approvals.approval_get(actor=actor_for(user), uid=a.uid)
    # The auditor covers it but only reads; the administrators hold no approve permission.
    for user in (cast.auditor_a, cast.system_admin, cast.audit_admin):
        with pytest.raises(PermissionDenied):
            approvals.approval_approve(actor=actor_for(user), approval=a)
    a = approvals.approval_approve(actor=actor_for(cast.city_staff), approval=a)
    assert a.checker == cast.city_staff


def test_a_decided_request_is_not_decided_again(cast):
    a = _request(cast)
    approvals.approval_reject(actor=actor_for(cast.officer_a), approval=a, note="范围过大，请按分会导出")
    for fn, kwargs in ((approvals.approval_approve, {}), (approvals.approval_reject, {"note": "再拒"})):
        with refused("decided"):
            fn(actor=actor_for(cast.city_staff), approval=a, **kwargs)
    a.refresh_from_db()
    assert (a.state, a.checker, a.decision_note) == (State.REJECTED, cast.officer_a, "范围过大，请按分会导出")
    with refused("not_approved"):
        approvals.approval_execute(actor=actor_for(cast.grassroots_officer), approval=a)


def test_bad_input_empty_reasons_and_unknown_kind(cast):
    with pytest.raises(ValidationError) as exc:
        _request(cast, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        approvals.approval_request(actor=actor_for(cast.officer_a), kind="funds.pay", org=cast.county_a,
                                   payload={}, reason="付款")
    assert "kind" in exc.value.message_dict
    a = _request(cast)
    with pytest.raises(ValidationError) as exc:
        approvals.approval_reject(actor=actor_for(cast.officer_a), approval=a, note=" ")
    assert "note" in exc.value.message_dict
    assert Approval.objects.get(pk=a.pk).state == State.REQUESTED


def test_requesting_needs_the_permission_and_the_scope(cast):
    with pytest.raises(PermissionDenied):
        _request(cast, user=cast.auditor_a, org=cast.county_a)
    with pytest.raises(Http404):
        _request(cast, user=cast.officer_b, org=cast.grassroots_a)
    assert not Approval.objects.exists()


def test_requests_expire_undecided_and_approvals_expire_unused(cast, monkeypatch):
    clock = Clock(monkeypatch)
    waiting = _request(cast)
    used_late = _request(cast)
    approvals.approval_approve(actor=actor_for(cast.officer_a), approval=used_late)
    clock.advance(hours=approvals.EXECUTE_HOURS, seconds=1)
    with refused("expired"):
        approvals.approval_execute(actor=actor_for(cast.grassroots_officer), approval=used_late)
    clock.advance(days=approvals.REQUEST_DAYS)
    assert approvals.current_state(waiting) == State.EXPIRED
    with refused("expired"):
        approvals.approval_approve(actor=actor_for(cast.officer_a), approval=waiting)
    assert approvals.approvals_expire() == {"expired": 2}
    assert approvals.approvals_expire() == {"expired": 0}
    assert set(Approval.objects.values_list("state", flat=True)) == {State.EXPIRED}
    assert AuditEvent.objects.filter(action="approval.expire", actor_name="system").count() == 2


def test_the_maker_cancels_only_their_own_open_request(cast):
    a = _request(cast)
    with pytest.raises(PermissionDenied):
        approvals.approval_cancel(actor=actor_for(cast.officer_a), approval=a)
    approvals.approval_cancel(actor=actor_for(cast.grassroots_officer), approval=a)
    with refused("closed"):
        approvals.approval_cancel(actor=actor_for(cast.grassroots_officer), approval=a)
    with refused("decided"):
        approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a)


def test_an_approved_export_runs_once_for_its_maker_only(cast):
    m = add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678")
    add_member(cast.officer_a, cast.branch_a, name="李强")
    add_member(cast.officer_b, cast.grassroots_b, name="王五")
    a = _request(cast)
    approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a)
    with pytest.raises(PermissionDenied):
        approvals.approval_execute(actor=actor_for(cast.officer_a), approval=a)
    response = approvals.approval_execute(actor=actor_for(cast.grassroots_officer), approval=a)
    rows = list(read_rows(response.content, "m.xlsx"))
    assert sorted(r[0] for r in rows[1:]) == ["张秀英", "李强"]
    assert [r[2:4] for r in rows[1:] if r[0] == "张秀英"] == [[m.person.id_number, "13612345678"]]
    with refused("used"):
        approvals.approval_execute(actor=actor_for(cast.grassroots_officer), approval=a)
    a.refresh_from_db()
    assert a.state == State.EXECUTED and a.executed_at is not None
    ev = AuditEvent.objects.get(action="personal.export")
    assert ev.details == {"approval": a.uid, "reason": "报送市总会员实名库", "rows": 2}
    assert AuditEvent.objects.filter(action="approval.execute", object_id=a.uid).count() == 1


def test_the_export_runs_with_the_makers_scope_at_download_time(cast):
    """Losing the grant between approval and download loses the file."""
    add_member(cast.officer_a, cast.grassroots_a, name="张秀英")
    a = _request(cast)
    approvals.approval_approve(actor=actor_for(cast.officer_a), approval=a)
    cast.grassroots_officer.grants.all().delete()
    with pytest.raises(PermissionDenied):
        approvals.approval_execute(actor=actor_for(cast.grassroots_officer), approval=a)
    assert Approval.objects.get(pk=a.pk).state == State.APPROVED


# The members' list page asks; the approvals screen decides; the maker downloads.

def test_the_list_page_asks_for_approval_instead_of_exporting_full_numbers(cast, login):
    m = add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678")
    client = login(cast.grassroots_officer)
    # The old address of the immediate export gives the masked file only.
    resp = client.get("/members/", {"export": "xlsx", "reveal": "1", "reason": "报送"})
    rows = list(read_rows(resp.content, "m.xlsx"))
    assert rows[1][2] != m.person.id_number and rows[1][3] == "136****5678"
    resp = client.post("/members/?status=active&category=female", {"reason": ""})
    assert resp.status_code == 302 and not Approval.objects.exists()
    resp = client.post("/members/?status=active&union=GA", {"reason": "报送市总会员实名库"})
    a = Approval.objects.get()
    assert resp["Location"] == f"/approvals/{a.uid}/"
    assert (a.org, a.payload) == (cast.grassroots_a, {"filters": {"status": "active"}, "rows": 1})
    assert m.person.id_number not in str(a.payload)
    assert login(cast.auditor_a).post("/members/", {"reason": "报送"}).status_code == 403


def test_an_export_request_never_carries_a_full_number(cast, rf):
    """A search by full number is one person, revealed on their page: the request is refused, so no number lands
    in the payload. (Built with RequestFactory: the test client's URLs are scanned for numbers in clear.)"""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from gonghui.members.views import member_list

    m = add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678")
    for number in (m.person.id_number, "13612345678"):
        request = rf.post("/members/", {"reason": "报送"}, QUERY_STRING=f"q={number}")
        request.user, request.actor, request.session = cast.grassroots_officer, actor_for(cast.grassroots_officer), \
            SessionStore()
        request._messages = FallbackStorage(request)
        assert member_list(request).status_code == 302
    assert not Approval.objects.exists()


def test_approvals_screen_permissions(cast, login, client):
    a = _request(cast, user=cast.officer_a, org=cast.county_a)
    for user in (cast.officer_b, cast.grassroots_officer):
        c = login(user)
        assert c.get(f"/approvals/{a.uid}/").status_code == 404
        assert c.post(f"/approvals/{a.uid}/approve/", {"note": ""}).status_code == 404
        assert a.uid not in c.get("/approvals/", {"show": "all"}).content.decode()
    for user in (cast.auditor_a, cast.system_admin, cast.audit_admin):
        assert login(user).get("/approvals/").status_code == 403
    client.logout()
    assert client.get(f"/approvals/{a.uid}/")["Location"].startswith("/login/")
    assert client.post(f"/approvals/{a.uid}/approve/")["Location"].startswith("/login/")
    assert Approval.objects.get().state == State.REQUESTED


def test_approvals_screen_flow_and_bad_input(cast, login):
    add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678")
    a = _request(cast)
    checker = login(cast.officer_a)
    resp = checker.get("/approvals/")
    assert a.uid in resp.content.decode()
    assert 'data-badge="1"' in resp.content.decode()
    resp = checker.post(f"/approvals/{a.uid}/reject/", {"note": ""})
    assert resp.status_code == 422 and "note" in resp.context["reject_form"].errors
    resp = checker.post(f"/approvals/{a.uid}/approve/", {"note": "同意"})
    assert resp.status_code == 302
    assert "data-badge" not in checker.get("/approvals/").content.decode()
    maker = login(cast.grassroots_officer)
    resp = maker.get(f"/approvals/{a.uid}/")
    assert 'id="execute-form"' in resp.content.decode()
    resp = maker.post(f"/approvals/{a.uid}/download/")
    assert resp["Content-Disposition"].startswith("attachment") and "no-store" in resp["Cache-Control"]
    assert list(read_rows(resp.content, "m.xlsx"))[1][3] == "13612345678"
    resp = maker.post(f"/approvals/{a.uid}/download/")
    assert resp.status_code == 302 and Approval.objects.get().state == State.EXECUTED


def test_approvals_api(cast, login):
    a = _request(cast)
    mine = _request(cast, user=cast.officer_a, org=cast.county_a)
    api = login(cast.officer_a)
    resp = api.get("/api/v1/approvals")
    assert [r["uid"] for r in resp.json()["items"]] == [a.uid]
    assert {r["uid"] for r in api.get("/api/v1/approvals", {"show": "all"}).json()["items"]} == {a.uid, mine.uid}
    resp = api.post(f"/api/v1/approvals/{mine.uid}/approve", {}, content_type="application/json")
    assert resp.status_code == 422
    resp = api.post(f"/api/v1/approvals/{a.uid}/reject", {"note": ""}, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["detail"][0]["field"] == "note"
    resp = api.post(f"/api/v1/approvals/{a.uid}/approve", {"note": "同意"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["state"] == "approved" and resp.json()["checker"] == "officer_a"
    resp = api.post(f"/api/v1/approvals/{a.uid}/reject", {"note": "晚了"}, content_type="application/json")
    assert resp.status_code == 422
    other = login(cast.officer_b)
    assert other.get(f"/api/v1/approvals/{mine.uid}").status_code == 404
    assert other.post(f"/api/v1/approvals/{mine.uid}/approve", {}, content_type="application/json").status_code == 404
    assert other.get("/api/v1/approvals", {"show": "all"}).json()["items"] == []
    assert login(cast.auditor_a).get("/api/v1/approvals").status_code == 403
    other.logout()
    assert other.get("/api/v1/approvals").status_code == 401
    assert Approval.objects.get(pk=mine.pk).state == State.REQUESTED


def test_the_tick_command_records_expired_requests(cast, monkeypatch):
    import io

    from django.core.management import call_command

    clock = Clock(monkeypatch)
    a = _request(cast)
    clock.advance(days=approvals.REQUEST_DAYS, seconds=1)
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert 'approvals_expire: {"expired": 1}' in out.getvalue()
    assert Approval.objects.get(pk=a.pk).state == State.EXPIRED
