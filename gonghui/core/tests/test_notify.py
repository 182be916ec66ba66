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


def test_console_backend_logs_a_line_with_the_phone_masked(settings, caplog):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.ConsoleBackend"
    with caplog.at_level(logging.INFO, logger="gonghui.notify"):
        notify.send(to_phone=PHONE, template="join.approved", context={"code": "ABCDEFGH23", "union": "东湖机械厂工会"})
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert PHONE not in line
    assert "139****5678" in line and "join.approved" in line and "ABCDEFGH23" in line


def test_default_backends_log_and_write_no_file_when_the_directory_is_unset(settings, caplog, tmp_path):
    del settings.GONGHUI_NOTIFY_BACKEND  # not configured: the defaults apply
    settings.GONGHUI_NOTIFY_DIR = None
    with caplog.at_level(logging.INFO, logger="gonghui.notify"):
        notify.send(to_phone=PHONE, template="join.approved", context={"code": "C", "union": "U"})
    assert [r.name for r in caplog.records] == ["gonghui.notify"]
    assert list(tmp_path.iterdir()) == []


def test_file_backend_appends_json_lines_with_the_phone_masked_and_sealed(settings, tmp_path):
    settings.GONGHUI_NOTIFY_BACKEND = ["gonghui.core.notify.FileBackend"]
    settings.GONGHUI_NOTIFY_DIR = str(tmp_path / "notify")
    notify.send(to_phone=PHONE, template="join.rejected", context={"code": "C1", "union": "U", "reason": "不在本单位"})
    notify.send(to_phone=PHONE, template="join.approved", context={"code": "C2", "union": "U"})
    raw = (tmp_path / "notify" / "notifications.jsonl").read_text(encoding="utf-8")
    assert PHONE not in raw
    lines = [json.loads(x) for x in raw.splitlines()]
    assert [x["template"] for x in lines] == ["join.rejected", "join.approved"]
    assert lines[0]["to"] == "139****5678"
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
