import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gonghui.core import audit, audit_sql
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent


def _events(cast, n=3):
    actor = actor_for(cast.officer_a)
    return [audit.record(actor=actor, action="test.event", object_type="t", object_id=str(i),
                         details={"i": i}) for i in range(n)]


def test_chain_links_each_event_to_the_previous(cast):
    events = _events(cast)
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert events[0].actor_name == "officer_a" and events[0].actor_org == "CA"
    assert audit.verify_chain().ok


def test_database_refuses_update_and_delete(cast):
    _events(cast, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def _tamper(sql, params):
    audit_sql.remove(connection)
    try:
        with connection.cursor() as cur:
            cur.execute(sql, params)
    finally:
        audit_sql.install(connection)


def test_verify_names_the_first_edited_row(cast):
    events = _events(cast, 5)
    _tamper("UPDATE core_auditevent SET object_id = %s WHERE seq = %s", ["x", events[2].seq])
    report = audit.verify_chain()
    assert report.broken_seq == events[2].seq
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert str(events[2].seq) in str(exc.value) and exc.value.returncode == 1


def test_verify_notices_a_deleted_row(cast):
    events = _events(cast, 5)
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [events[3].seq])
    assert audit.verify_chain().broken_seq == events[4].seq


def test_verify_command_passes_on_intact_chain(cast, capsys):
    _events(cast, 2)
    call_command("audit", "verify")
    assert "完好" in capsys.readouterr().out


def test_event_inside_a_rolled_back_write_disappears_with_it(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _events(cast, 1)
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert audit.verify_chain().ok


def test_logins_and_failures_are_recorded(cast, client):
    from gonghui.testing import PASSWORD

    client.post("/login/", {"username": "officer_a", "password": "wrong-password"})
    client.post("/login/", {"username": "officer_a", "password": PASSWORD})
    actions = list(AuditEvent.objects.filter(action="auth.login").order_by("seq").values_list("outcome", "object_id"))
    assert actions[-2:] == [("failed", "officer_a"), ("success", "officer_a")]


def test_audit_screen_for_the_audit_admin_only(cast, login, client):
    _events(cast, 2)
    c = login(cast.audit_admin)
    resp = c.get("/audit/", {"action": "test.event"})
    assert resp.status_code == 200 and b"test.event" in resp.content
    client.logout()
    c = login(cast.system_admin)
    assert c.get("/audit/").status_code == 403


def test_details_never_hold_a_phone_in_clear(cast):
    from gonghui.orgs.services import org_update

    org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_phone="13900001111")
    ev = AuditEvent.objects.filter(action="org.update").latest("seq")
    assert ev.details == {"changed": ["contact_phone"]}
    assert "13900001111" not in str(ev.details)


def test_failed_logins_show_to_the_top_audit_admin_only(cast, client, login):
    client.post("/login/", {"username": "officer_b", "password": "wrong-password"})
    resp = login(cast.audit_admin).get("/audit/", {"action": "auth.login", "outcome": "failed"})
    assert "officer_b" in resp.content.decode()
    county_auditor = login(cast.auditor_a).get("/audit/", {"action": "auth.login", "outcome": "failed"})
    assert "officer_b" not in county_auditor.content.decode()
