"""Backup and restore: a restore into a fresh database holds every row and an intact audit chain."""

import contextlib
import datetime
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gonghui.casework.testing import log_case
from gonghui.core.access import actor_for
from gonghui.core.backup import BackupError, Manifest, backup, manifest_path, restore
from gonghui.core.models import AuditEvent
from gonghui.members.services import member_add

# pg_dump and the SQLite backup API read committed data, as a real backup does: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _work(cast):
    member_add(actor=actor_for(cast.officer_a), union=cast.grassroots_a, joined_on=datetime.date(2024, 5, 1),
               person={"id_number": "330102198803150020", "name": "张秀英", "phone": "13612345678"})
    log_case(cast.officer_a)


@contextlib.contextmanager
def fresh_database(tmp_path: Path):
    """Settings for an empty database of the same engine, dropped afterwards."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings
        return
    import psycopg

    name = f"gh_restore_{uuid.uuid4().hex[:10]}"
    admin = {"dbname": "postgres", "host": settings.get("HOST") or None, "port": settings.get("PORT") or None,
             "user": settings.get("USER") or None, "password": settings.get("PASSWORD") or None}
    admin = {k: v for k, v in admin.items() if v}
    with psycopg.connect(**admin, autocommit=True) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**settings, "NAME": name}
    finally:
        with psycopg.connect(**admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(settings: dict, sql: str):
    from django.db import connections

    from gonghui.core.backup import _temporary_alias

    with _temporary_alias(settings) as alias, connections[alias].cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_a_backup_restores_into_a_fresh_database_with_every_row_and_the_audit_chain(cast, tmp_path):
    _work(cast)
    path, manifest = backup(tmp_path)
    assert path.exists() and manifest_path(path).exists()
    assert manifest.tables["members_membership"] == 1 and manifest.tables["casework_case"] == 1
    assert manifest.audit_seq == AuditEvent.objects.filter(action="backup.create").get().seq - 1
    with fresh_database(tmp_path) as target:
        report = restore(path, target=target)
        assert report.ok and report.audit_checked == manifest.audit_seq
        # Every table holds what it held; the restore itself is the next link of the restored chain.
        for table, count in manifest.tables.items():
            expected = count + 1 if table == AuditEvent._meta.db_table else count
            assert _rows(target, f'SELECT COUNT(*) FROM "{table}"')[0][0] == expected, table
        assert _rows(target, "SELECT action FROM core_auditevent ORDER BY seq DESC LIMIT 1") == [("backup.restore",)]
        # Personal data stays encrypted in the copy, as it is in the database.
        dump = path.read_bytes()
        assert b"13612345678" not in dump and b"330102198803150020" not in dump


def test_a_damaged_backup_is_refused(cast, tmp_path):
    path, _manifest = backup(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with fresh_database(tmp_path) as target, pytest.raises(BackupError, match="校验和"):
        restore(path, target=target)


def test_a_restore_that_does_not_match_its_manifest_is_refused(cast, tmp_path):
    _work(cast)
    path, manifest = backup(tmp_path)
    manifest.tables["members_membership"] += 1  # the backup claims a row the file does not hold
    manifest.write(path)
    with fresh_database(tmp_path) as target, pytest.raises(BackupError, match="members_membership"):
        restore(path, target=target)


def test_restore_refuses_a_database_that_holds_data_unless_forced(cast, tmp_path):
    path, _manifest = backup(tmp_path)
    with fresh_database(tmp_path) as target:
        restore(path, target=target)
        with pytest.raises(BackupError, match="--force"):
            restore(path, target=target)
        assert restore(path, target=target, force=True).ok


def test_a_backup_never_overwrites_and_needs_its_manifest(cast, tmp_path):
    path, _manifest = backup(tmp_path / "one.bak")
    with pytest.raises(BackupError, match="已存在"):
        backup(path)
    manifest_path(path).unlink()
    with fresh_database(tmp_path) as target, pytest.raises(BackupError, match="清单"):
        restore(path, target=target)


def test_the_commands_report_in_chinese_and_exit_1_on_failure(cast, tmp_path, capsys):
    call_command("backup", str(tmp_path / "cmd.bak"))
    out = capsys.readouterr().out
    assert "已备份" in out and "密钥" in out
    manifest = json.loads(manifest_path(tmp_path / "cmd.bak").read_text(encoding="utf-8"))
    assert Manifest(**manifest).file == "cmd.bak"
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(tmp_path / "missing.bak"))
    assert exc.value.returncode == 1
    if connection.vendor == "sqlite":
        call_command("restore", str(tmp_path / "cmd.bak"), "--to", f"sqlite:///{tmp_path / 'cmd.sqlite3'}")
        assert "审计链" in capsys.readouterr().out
