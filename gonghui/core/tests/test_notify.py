import json
import logging

import pytest
from django.db import transaction

from gonghui.core import crypto, notify

PHONE = "13912345678"


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    yield notify.outbox
    notify.outbox.clear()


def test_console_backend_logs_a_line_without_any_digit_of_the_phone(settings, caplog):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.ConsoleBackend"
    with caplog.at_level(logging.INFO, logger="gonghui.notify"):
        notify.send(to_phone=PHONE, template="join.approved", context={"code": "ABCDEFGH23", "union": "东湖机械厂工会"})
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert PHONE not in line and "5678" not in line and "139" not in line  # the code + last 4 digits open a case
    assert notify.recipient_tag(PHONE) in line and "join.approved" in line and "ABCDEFGH23" in line


def test_default_backends_log_and_write_no_file_when_the_directory_is_unset(settings, caplog, tmp_path):
    del settings.GONGHUI_NOTIFY_BACKEND  # not configured: the defaults apply
    settings.GONGHUI_NOTIFY_DIR = None
    with caplog.at_level(logging.INFO, logger="gonghui.notify"):
        notify.send(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
    assert [r.name for r in caplog.records] == ["gonghui.notify"]
    assert list(tmp_path.iterdir()) == []


def test_file_backend_appends_0600_json_lines_with_the_phone_tagged_and_sealed(settings, tmp_path):
    settings.GONGHUI_NOTIFY_BACKEND = ["gonghui.core.notify.FileBackend"]
    settings.GONGHUI_NOTIFY_DIR = str(tmp_path / "notify")
    notify.send(to_phone=PHONE, template="join.rejected", context={"code": "C1", "union": "U", "reason": "不在本单位"})
    notify.send(to_phone=PHONE, template="join.approved", context={"code": "C2", "union": "U"})
    path = tmp_path / "notify" / "notifications.jsonl"
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_text(encoding="utf-8")
    assert PHONE not in raw and "5678" not in raw  # the line carries the code: no digit of the phone next to it
    lines = [json.loads(x) for x in raw.splitlines()]
    assert [x["template"] for x in lines] == ["join.rejected", "join.approved"]
    assert lines[0]["to"] == lines[1]["to"] == notify.recipient_tag(PHONE) != notify.recipient_tag("13912340000")
    assert lines[0]["context"]["reason"] == "不在本单位" and "不在本单位" in lines[0]["text"]
    assert crypto.decrypt(lines[0]["to_sealed"], kind="phone") == PHONE


def test_locmem_backend_keeps_an_outbox(outbox):
    notify.send(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "东湖机械厂工会"})
    assert len(outbox) == 1
    msg = outbox[0]
    assert (msg.to_phone, msg.template) == (PHONE, "join.approved")
    assert msg.context == {"code": "C", "union": "东湖机械厂工会"}
    assert "东湖机械厂工会" in msg.text


def test_unknown_template_or_missing_context_fails_before_any_backend(outbox):
    with pytest.raises(KeyError):
        notify.send(to_phone=PHONE, template="no.such", context={})
    with pytest.raises(KeyError):
        notify.send(to_phone=PHONE, template="join.rejected", context={"code": "C", "union": "U"})
    assert outbox == []


@pytest.mark.django_db
def test_send_on_commit_waits_for_the_commit(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify.send_on_commit(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
        assert outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_rolled_back_write(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.send_on_commit(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
        raise RuntimeError
    assert outbox == []
    with transaction.atomic():
        notify.send_on_commit(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
    assert len(outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_backend_is_logged_without_the_phone_and_not_raised(settings, caplog):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.BaseBackend"  # send() raises NotImplementedError
    with caplog.at_level(logging.ERROR, logger="gonghui.notify"), transaction.atomic():
        notify.send_on_commit(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
    assert len(caplog.records) == 1
    assert PHONE not in caplog.records[0].getMessage()


def test_a_notification_file_made_readable_before_is_closed_again(settings, tmp_path):
    settings.GONGHUI_NOTIFY_BACKEND = ["gonghui.core.notify.FileBackend"]
    settings.GONGHUI_NOTIFY_DIR = str(tmp_path)
    path = tmp_path / "notifications.jsonl"
    path.write_text("")
    path.chmod(0o644)
    notify.send(to_phone=PHONE, template="join.approved", context={"code": "C9", "union": "U"})
    assert path.stat().st_mode & 0o777 == 0o600 and len(path.read_text().splitlines()) == 1


def test_a_log_file_is_private(tmp_path):
    handler = notify.PrivateFileHandler(tmp_path / "gonghui.log", encoding="utf-8")
    try:
        handler.emit(logging.makeLogRecord({"msg": "hello", "levelno": logging.INFO}))
    finally:
        handler.close()
    assert (tmp_path / "gonghui.log").stat().st_mode & 0o777 == 0o600
    assert "hello" in (tmp_path / "gonghui.log").read_text()
