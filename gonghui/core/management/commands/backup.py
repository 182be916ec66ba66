"""``gonghui backup [PATH]``: a consistent copy of the database with a manifest (see gonghui/core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.core import audit_anchors
from gonghui.core.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = ("备份数据库（SQLite 在线备份并做完整性检查；PostgreSQL 用 pg_dump -Fc），"
            "旁边写一份清单（各表行数、审计链末端、校验和）")

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", type=Path,
                            help="备份文件或目录（默认 var/backups/，按时间命名）")

    def handle(self, *args, destination=None, **options):
        try:
            path, manifest = backup(destination)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        audit_anchors.write(kind="backup")
        self.stdout.write(self.style.SUCCESS(
            f"已备份：{path}（{len(manifest.tables)} 张表，{sum(manifest.tables.values())} 行，"
            f"审计链至第 {manifest.audit_seq} 条）；清单：{manifest_path(path)}"))
        self.stdout.write("备份已加密（GONGHUI_BACKUP_KEY）。" if manifest.encrypted else
                          "备份未加密：设置 GONGHUI_BACKUP_KEY 可加密备份。")
        self.stdout.write("注意：密钥（GONGHUI_DATA_KEYS、GONGHUI_BLIND_INDEX_KEY、GONGHUI_AUDIT_KEYS、GONGHUI_BACKUP_KEY）"
                          "不在备份中，请与备份分开妥善保管。")
