"""Backups and restores of the whole database, with a manifest that proves the restore is complete.

SQLite: the online backup API copies a consistent snapshot while the server keeps running, then
``PRAGMA integrity_check`` checks the copy. PostgreSQL: ``pg_dump -Fc`` inside an exported snapshot,
so the row counts in the manifest describe exactly what the dump holds; ``pg_restore`` in one
transaction. Next to every backup file a manifest (``<file>.manifest.json``) records the engine, each
table's row count, the audit chain's last sequence number and hash, and the file's SHA-256; a restore
refuses a file whose checksum does not match, and after restoring it compares the counts and walks the
audit chain in the restored database before saying it is done.

The personal-data keys (GONGHUI_DATA_KEYS, GONGHUI_BLIND_INDEX_KEY) are not in the backup: keep them
apart from it. A backup without its keys holds no readable ID number, phone or authenticator secret. Live
credentials are left out (``EXCLUDED_DATA``: sessions and the database cache; the tables stay, empty). The file
and its manifest are created 0600; with GONGHUI_BACKUP_KEY set the file is encrypted (AES-GCM in chunks,
crypto.encrypt_stream) and the manifest says so; a restore decrypts it and refuses a wrong key.
"""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, crypto
from .access import SYSTEM
from .models import AuditEvent

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    file: str
    sha256: str
    tables: dict[str, int]
    audit_seq: int
    audit_hash: str
    format: int = FORMAT
    encrypted: bool = False
    excluded: list[str] = field(default_factory=list)

    def write(self, backup_file: Path) -> Path:
        path = manifest_path(backup_file)
        with _private(path, "w") as fh:
            fh.write(json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True))
        return path

    @classmethod
    def read(cls, backup_file: Path) -> "Manifest":
        path = manifest_path(backup_file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError as exc:
            raise BackupError(_("The manifest %(path)s is missing: a backup is restored with its manifest.")
                              % {"path": path}) from exc
        except (ValueError, TypeError) as exc:
            raise BackupError(_("The manifest %(path)s cannot be read.") % {"path": path}) from exc


@dataclass
class RestoreReport:
    manifest: Manifest
    target: str
    differences: list[str] = field(default_factory=list)
    audit_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


def _private(path: Path, mode: str):
    """A new file only its owner can read (0600 whatever the umask), opened for writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8")


def excluded_tables() -> list[str]:
    """Tables whose rows are live credentials, not records: a session key from a backup must not sign anyone in."""
    tables = {"django_session"}
    for cache in settings.CACHES.values():
        if cache.get("BACKEND", "").endswith("DatabaseCache"):
            tables.add(cache["LOCATION"])
    return sorted(tables)


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_name(engine: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"gonghui-{stamp}." + ("sqlite3" if engine == "sqlite" else "dump")


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    return vendor


def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the database's own catalog)
        counts[table] = cursor.fetchone()[0]
    return counts


def _audit_head(cursor) -> tuple[int, str]:
    cursor.execute(f'SELECT seq, hash FROM "{AuditEvent._meta.db_table}" ORDER BY seq DESC LIMIT 1')  # noqa: S608
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, audit.GENESIS)


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cursor.fetchall()]


# ----------------------------------------------------------------------------------------------- backup

def backup(destination: Path | None = None, *, using: str = "default") -> tuple[Path, Manifest]:
    """Back the database up to ``destination`` (a file, or a directory for a dated name). Returns the file and
    its manifest; the backup is audited."""
    engine = _engine(using)
    destination = Path(destination or Path(settings.VAR_DIR) / "backups")
    if destination.is_dir() or not destination.suffix:
        destination.mkdir(parents=True, exist_ok=True)
        destination = destination / default_name(engine)
    if destination.exists():
        raise BackupError(_("%(path)s exists already: a backup never overwrites a file.") % {"path": destination})
    destination.parent.mkdir(parents=True, exist_ok=True)
    key = crypto.backup_key()
    partial = destination.with_name(destination.name + ".partial")
    sealed = destination.with_name(destination.name + ".sealing")
    excluded = excluded_tables()
    try:
        _private(partial, "wb").close()  # created 0600 before anything is copied into it
        if engine == "sqlite":
            tables, head = _sqlite_backup(partial, using, excluded)
        else:
            tables, head = _pg_backup(partial, using, excluded)
        if key is not None:
            with partial.open("rb") as src, _private(sealed, "wb") as dst:
                crypto.encrypt_stream(src, dst, key)
            os.replace(sealed, destination)
        else:
            os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    manifest = Manifest(engine=engine, created_at=timezone.now().isoformat(), file=destination.name,
                        sha256=sha256_of(destination), tables=tables, audit_seq=head[0], audit_hash=head[1],
                        encrypted=key is not None, excluded=excluded)
    manifest.write(destination)
    audit.record(actor=SYSTEM, action="backup.create", object_type="database", object_id=destination.name,
                 details={"engine": engine, "sha256": manifest.sha256, "tables": len(tables),
                          "rows": sum(tables.values()), "audit_seq": head[0], "encrypted": manifest.encrypted})
    return destination, manifest


def _sqlite_backup(partial: Path, using: str, excluded: list[str]) -> tuple[dict[str, int], tuple[int, str]]:
    conn = connections[using]
    conn.ensure_connection()
    target = sqlite3.connect(partial, isolation_level=None)
    try:
        conn.connection.backup(target)  # the online backup API: a consistent copy while others write
        present = set(_sqlite_tables(target.cursor()))
        # secure_delete and VACUUM: the removed rows must not linger in free pages of the copy.
        target.execute("PRAGMA secure_delete = ON")
        for table in excluded:
            if table in present:
                target.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from settings, not input)
        target.execute("VACUUM")
        check = target.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(_("The copy failed its integrity check: %(result)s") % {"result": check[:5]})
        cur = target.cursor()
        return _table_counts(cur, _sqlite_tables(cur)), _audit_head(cur)
    finally:
        target.close()


def _pg_conninfo(alias_or_settings) -> tuple[list[str], dict]:
    """Command-line options and environment for pg_dump/pg_restore from Django database settings."""
    db = connections[alias_or_settings].settings_dict if isinstance(alias_or_settings, str) else alias_or_settings
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(_("%(tool)s is not installed: install the PostgreSQL client tools of the server's version.")
                          % {"tool": name})
    return path


def _pg_backup(partial: Path, using: str, excluded: list[str]) -> tuple[dict[str, int], tuple[int, str]]:
    """pg_dump inside a snapshot exported by a repeatable-read transaction that also counts the rows."""
    import psycopg

    args, env = _pg_conninfo(using)
    db = connections[using].settings_dict
    conninfo = {"dbname": db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None,
                "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with pg.cursor() as cur:
            tables, head = _table_counts(cur, _pg_tables(cur)), _audit_head(cur)
        skip = [t for t in excluded if t in tables]
        tables.update({t: 0 for t in skip})  # the dump holds these tables empty
        result = subprocess.run(  # noqa: S603 (fixed argv, no shell); the snapshot lives as long as this transaction stays open
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             *[f"--exclude-table-data={t}" for t in skip], "--file", str(partial), *args],
            env=env, capture_output=True, text=True, check=False)
        pg.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()[-500:]})
    return tables, head


# ----------------------------------------------------------------------------------------------- restore

def restore(source: Path, *, target: dict | None = None, force: bool = False) -> RestoreReport:
    """Restore ``source`` into ``target`` (Django database settings; the configured database when None), then
    compare the row counts with the manifest and walk the audit chain there. Refuses a database that already
    holds tables unless ``force``. A restore that does not match raises BackupError after saying what differs."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("%(path)s is not a backup file.") % {"path": source})
    manifest = Manifest.read(source)
    if manifest.format != FORMAT:
        raise BackupError(_("This backup was made by another version of the format (%(format)s).")
                          % {"format": manifest.format})
    if sha256_of(source) != manifest.sha256:
        raise BackupError(_("%(path)s does not match its manifest's checksum: the file is damaged or was altered.")
                          % {"path": source})
    target = dict(target or connections["default"].settings_dict)
    engine = "sqlite" if target["ENGINE"].endswith("sqlite3") else "postgresql"
    if engine != manifest.engine:
        raise BackupError(_("A %(backup)s backup cannot be restored into a %(target)s database.")
                          % {"backup": manifest.engine, "target": engine})
    connections.close_all()  # nothing of this process keeps the old database open
    with _decrypted(source, manifest) as plain:
        if engine == "sqlite":
            _sqlite_restore(plain, Path(target["NAME"]), force=force)
        else:
            _pg_restore(plain, target, force=force)
    report = RestoreReport(manifest=manifest, target=str(target["NAME"]))
    with _temporary_alias(target) as alias:
        with connections[alias].cursor() as cur:
            tables = _sqlite_tables(cur) if engine == "sqlite" else _pg_tables(cur)
            counts = _table_counts(cur, tables)
            head = _audit_head(cur)
        for table in sorted(set(counts) | set(manifest.tables)):
            if counts.get(table) != manifest.tables.get(table):
                report.differences.append(_("table %(table)s: %(found)s rows, the backup had %(expected)s")
                                          % {"table": table, "found": counts.get(table, "-"),
                                             "expected": manifest.tables.get(table, "-")})
        if head != (manifest.audit_seq, manifest.audit_hash):
            report.differences.append(_("the audit chain ends at %(found)s, the backup's at %(expected)s")
                                      % {"found": head[0], "expected": manifest.audit_seq})
        chain = audit.verify_chain(using=alias)
        report.audit_checked = chain.checked
        if not chain.ok:
            report.differences.append(_("the audit chain is broken at %(seq)s: %(reason)s")
                                      % {"seq": chain.broken_seq, "reason": chain.reason})
        if report.ok:
            audit.record(actor=SYSTEM, action="backup.restore", object_type="database", object_id=source.name,
                         details={"engine": engine, "sha256": manifest.sha256, "audit_seq": manifest.audit_seq,
                                  "rows": sum(counts.values())}, using=alias)
    if not report.ok:
        raise BackupError(_("The restored database does not match the backup: %(diff)s")
                          % {"diff": "; ".join(report.differences[:10])})
    return report


@contextlib.contextmanager
def _decrypted(source: Path, manifest: Manifest):
    """The backup in clear: the file itself, or for an encrypted one a 0600 temporary copy removed afterwards."""
    if not manifest.encrypted:
        yield source
        return
    key = crypto.backup_key()
    if key is None:
        raise BackupError(_("This backup is encrypted: set GONGHUI_BACKUP_KEY to the key it was made with."))
    fd, name = tempfile.mkstemp(prefix=source.name + ".", suffix=".decrypted", dir=source.parent)
    plain = Path(name)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            try:
                crypto.decrypt_stream(src, dst, key)
            except ValueError as exc:
                raise BackupError(_("%(path)s cannot be decrypted: GONGHUI_BACKUP_KEY is not the key it was made "
                                    "with, or the file was altered.") % {"path": source}) from exc
        yield plain
    finally:
        plain.unlink(missing_ok=True)


def _sqlite_restore(source: Path, target: Path, *, force: bool) -> None:
    if target.exists() and target.stat().st_size > 0 and not force:
        raise BackupError(_("%(path)s exists: stop the server and restore with --force to replace it.")
                          % {"path": target})
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".restoring", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            check = dst.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(_("The backup failed its integrity check: %(result)s") % {"result": check[:5]})
        finally:
            src.close()
            dst.close()
        for suffix in ("-wal", "-shm"):  # a stale write-ahead log must not be replayed onto the restored file
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _pg_restore(source: Path, target: dict, *, force: bool) -> None:
    with _temporary_alias(target) as alias, connections[alias].cursor() as cur:
        existing = _pg_tables(cur)
    if existing and not force:
        raise BackupError(_("The database %(name)s already holds %(n)s tables: restore into an empty database, "
                            "or use --force to replace them.") % {"name": target["NAME"], "n": len(existing)})
    args, env = _pg_conninfo(target)
    extra = ["--clean", "--if-exists"] if existing else []
    result = subprocess.run(  # noqa: S603 (fixed argv, no shell)
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", *extra,
         *args, str(source)], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": result.stderr.strip()[-500:]})


@contextlib.contextmanager
def _temporary_alias(db_settings: dict):
    """A connection under a fresh alias to another database (the restore's target), closed afterwards. It is not
    added to DATABASES: it exists only for this process, only while the restore needs it."""
    alias = f"restore_{uuid.uuid4().hex[:8]}"
    cfg = {k: v for k, v in db_settings.items() if k != "TEST"}
    cfg = connections.configure_settings({DEFAULT_DB_ALIAS: cfg})[DEFAULT_DB_ALIAS]  # fills in Django's defaults
    wrapper = load_backend(cfg["ENGINE"]).DatabaseWrapper(cfg, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]
