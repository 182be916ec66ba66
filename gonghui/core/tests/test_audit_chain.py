"""The keyed audit chain and its anchors: tampering by someone who can drop the triggers is named by seq."""

import base64
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gonghui.core import audit, audit_anchors, audit_sql
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent

KEY_AT2 = "at2:" + base64.b64encode(b"n" * 32).decode()


@pytest.fixture
def anchors(settings, tmp_path):
    settings.GONGHUI_AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors" / audit_anchors.FILE_NAME


def _events(cast, n):
    actor = actor_for(cast.officer_a)
    return [audit.record(actor=actor, action="test.event", object_type="t", object_id=str(i), details={"i": i})
            for i in range(n)]


def _without_triggers(fn):
    """What a database owner can do: lift the append-only triggers, change rows, put the triggers back."""
    audit_sql.remove(connection)
    try:
        fn()
    finally:
        audit_sql.install(connection)


def _rewrite_from(seq: int, hasher):
    """Edit event ``seq`` and recompute every later link and hash with ``hasher``."""
    def run():
        prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
        for ev in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if ev.seq == seq:
                ev.object_id = "rewritten"
            ev.prev_hash = prev
            ev.hash = prev = hasher(ev)
            ev.save(update_fields=["object_id", "prev_hash", "hash"])
    _without_triggers(run)


def test_events_are_keyed_with_the_current_key(cast):
    ev = _events(cast, 1)[0]
    assert ev.key_id == "at1"
    assert ev.hash != audit.legacy_hash(ev)  # not the public, unkeyed hash
    assert audit.verify_chain().ok


def test_a_correct_chain_passes_against_its_anchors(cast, anchors, capsys):
    _events(cast, 5)
    call_command("audit", "anchor")
    _events(cast, 3)
    report = audit.verify_chain()
    assert report.ok and report.checked == AuditEvent.objects.count() and report.anchors_checked == 1
    call_command("audit", "verify")
    assert "完好" in capsys.readouterr().out
    assert anchors.stat().st_mode & 0o777 == 0o600


def test_a_cut_tail_is_named_by_its_first_missing_seq(cast, anchors):
    _events(cast, 30)
    head = AuditEvent.objects.order_by("-seq").first().seq
    audit_anchors.write(kind="manual")
    _without_triggers(lambda: AuditEvent.objects.filter(seq__gt=head - 20).delete())
    report = audit.verify_chain()
    assert report.broken_seq == head - 19 and str(head) in report.reason
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1 and f"第 {head - 19} 条" in str(exc.value) and "删除" in str(exc.value)


def test_without_an_anchor_a_cut_tail_goes_unseen(cast):
    """Why the anchors exist: the remaining chain is valid on its own."""
    _events(cast, 10)
    _without_triggers(lambda: AuditEvent.objects.filter(seq__gt=5).delete())
    assert audit.verify_chain().ok


def test_history_rewritten_with_the_public_hash_is_named(cast):
    events = _events(cast, 8)
    _rewrite_from(events[2].seq, audit.legacy_hash)
    report = audit.verify_chain()
    assert report.broken_seq == events[2].seq and "修改" in report.reason


def test_history_rewritten_under_a_guessed_key_is_named(cast):
    events = _events(cast, 8)
    guessed = "at1:" + base64.b64encode(b"g" * 32).decode()

    def forged(ev):
        from django.test import override_settings

        with override_settings(GONGHUI_AUDIT_KEYS=guessed):
            return audit.event_hash(ev)
    _rewrite_from(events[4].seq, forged)
    assert audit.verify_chain().broken_seq == events[4].seq


def test_history_rewritten_with_the_key_is_named_by_the_anchor(cast, anchors):
    """Even a thief of the key cannot move the anchored head: the anchor file is out of reach."""
    events = _events(cast, 6)
    audit_anchors.write(kind="manual")
    _rewrite_from(events[1].seq, audit.event_hash)
    report = audit.verify_chain()
    assert report.broken_seq == AuditEvent.objects.order_by("-seq").first().seq and "改写" in report.reason


def test_an_edited_anchor_line_is_not_genuine(cast, anchors):
    _events(cast, 3)
    audit_anchors.write(kind="manual")
    line = json.loads(anchors.read_text())
    line["seq"] -= 1
    anchors.write_text(json.dumps(line) + "\n")
    report = audit.verify_chain()
    assert not report.ok and "锚点" in report.reason and "1" in report.reason


def test_key_rotation_keeps_old_events_verifiable(cast, settings):
    old = _events(cast, 3)
    settings.GONGHUI_AUDIT_KEYS = KEY_AT2 + "," + settings.GONGHUI_AUDIT_KEYS
    new = _events(cast, 3)
    assert {e.key_id for e in old} == {"at1"} and {e.key_id for e in new} == {"at2"}
    assert audit.verify_chain().ok
    settings.GONGHUI_AUDIT_KEYS = KEY_AT2  # the old key dropped: its events can no longer be checked
    report = audit.verify_chain()
    assert report.broken_seq == AuditEvent.objects.order_by("seq").first().seq and "at1" in report.reason


def test_a_restore_or_seed_starts_a_new_history_for_the_anchors(cast, anchors):
    _events(cast, 10)
    audit_anchors.write(kind="manual")
    _without_triggers(lambda: AuditEvent.objects.filter(seq__gt=3).delete())  # as a restore of an older backup
    assert not audit.verify_chain().ok
    audit_anchors.write(kind="restore")
    assert audit.verify_chain().ok


def test_tick_anchors_once_a_day(cast, anchors):
    _events(cast, 2)
    assert audit_anchors.anchor_sweep()["anchored"] == 1
    assert audit_anchors.anchor_sweep()["anchored"] == 0
    call_command("tick")
    assert len(anchors.read_text().splitlines()) == 1


def test_anchor_command_without_a_directory_fails_in_chinese(db):
    with pytest.raises(CommandError) as exc:
        call_command("audit", "anchor")
    assert "锚点目录" in str(exc.value)


def test_an_unkeyed_chain_from_before_the_upgrade_is_rekeyed(cast):
    events = _events(cast, 5)

    def make_legacy():
        prev = audit.GENESIS
        for ev in AuditEvent.objects.order_by("seq"):
            ev.key_id, ev.prev_hash = "", prev
            ev.hash = prev = audit.legacy_hash(ev)
            ev.save(update_fields=["key_id", "prev_hash", "hash"])
    _without_triggers(make_legacy)
    legacy_head = AuditEvent.objects.order_by("-seq").first().hash
    assert not audit.verify_chain().ok
    count = AuditEvent.objects.count()
    assert count >= len(events) and audit.rekey_legacy(AuditEvent, connection) == count
    assert audit.verify_chain().ok
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.action == "audit.rekey" and last.details["legacy_hash"] == legacy_head
    assert audit.rekey_legacy(AuditEvent, connection) == 0  # already keyed: nothing to do


def test_a_broken_unkeyed_chain_is_not_rekeyed(cast):
    _events(cast, 4)

    def make_broken_legacy():
        prev = audit.GENESIS
        for ev in AuditEvent.objects.order_by("seq"):
            ev.key_id, ev.prev_hash = "", prev
            ev.hash = prev = audit.legacy_hash(ev)
            ev.save(update_fields=["key_id", "prev_hash", "hash"])
        AuditEvent.objects.filter(seq=2).update(object_id="edited")
    _without_triggers(make_broken_legacy)
    with pytest.raises(RuntimeError, match="第 2 条"):
        audit.rekey_legacy(AuditEvent, connection)


def test_the_audit_screen_shows_the_anchors_to_the_top_audit_admin(cast, anchors, login, client):
    _events(cast, 4)
    audit_anchors.write(kind="manual")
    _without_triggers(lambda: AuditEvent.objects.filter(seq__gt=2).delete())
    html = login(cast.audit_admin).get("/audit/").content.decode()
    assert "审计链锚点" in html and 'class="anchor-missing"' in html and "事件被删除" in html
    client.logout()
    assert "audit-anchors" not in login(cast.auditor_a).get("/audit/").content.decode()  # a county: not its file
    client.logout()
    for user in (cast.officer_b, cast.grassroots_officer):
        assert login(user).get("/audit/").status_code == 403
        client.logout()
    assert login(cast.officer_b).get("/audit/").status_code == 403
    client.logout()
    assert client.get("/audit/").status_code == 302  # anonymous: to the sign-in page


def test_the_audit_screen_says_when_no_anchor_directory_is_set(cast, login):
    html = login(cast.audit_admin).get("/audit/").content.decode()
    assert "GONGHUI_AUDIT_ANCHOR_DIR" in html


def test_the_deploy_check_requires_the_audit_key_and_recommends_anchors_and_backup_key(settings):
    from django.core.checks.registry import registry

    from gonghui.core.checks import check_secrets

    assert check_secrets in registry.get_checks(include_deployment_checks=True)
    assert check_secrets() == []  # the test settings: keyed, demo allowed
    settings.GONGHUI_AUDIT_KEYS = ""
    assert [e.id for e in check_secrets()] == ["gonghui.E203"]
    settings.GONGHUI_AUDIT_KEYS = "bad"
    settings.GONGHUI_BACKUP_KEY = "c2hvcnQ="
    assert [e.id for e in check_secrets()] == ["gonghui.E203", "gonghui.E204"]
    settings.GONGHUI_AUDIT_KEYS = KEY_AT2
    settings.GONGHUI_BACKUP_KEY = ""
    settings.GONGHUI_DEMO_ALLOWED = False
    assert [e.id for e in check_secrets()] == ["gonghui.W205", "gonghui.W206"]
