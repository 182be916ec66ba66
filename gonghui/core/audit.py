"""The audit trail: append every write, login, denial, reveal and export to a keyed hash chain.

Each event's hash is an HMAC-SHA256, under a key kept outside the database (GONGHUI_AUDIT_KEYS), of its content,
its key id and the previous event's hash: someone who can rewrite the table (a database administrator with the
triggers dropped) cannot recompute a valid chain without the key. Cutting the newest rows leaves a valid chain, so
the head is also anchored outside the database (audit_anchors.py) and ``verify_chain`` compares with the anchors.
Appending takes a lock so the
chain stays linear: on PostgreSQL a transaction-level advisory lock, on SQLite the IMMEDIATE
transaction that already serializes writers. The event is written inside the caller's transaction,
so a rolled-back write leaves no event and an event never describes a write that did not happen.
"""

import base64
import contextvars
import datetime
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent, Outcome

GENESIS = "0" * 64
_ADVISORY_KEY = 0x67680001  # "gh" + 1: the audit chain's lock id

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gonghui_ip", default=None)


def _canonical(event: AuditEvent, *, keyed: bool = True) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_org": event.actor_org,
        "scope_path": event.scope_path,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "ip": event.ip,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    if keyed:  # the key id is covered too: a row cannot be moved under another (perhaps leaked, retired) key
        body["kid"] = event.key_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


@functools.cache
def _keyring(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    current = ""
    for part in (p.strip() for p in (spec or "").split(",")):
        if not part:
            continue
        kid, _sep, b64 = part.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) < 32 or not kid or len(kid) > 16 or "$" in kid:
            raise ImproperlyConfigured("GONGHUI_AUDIT_KEYS entries must be 'kid:<base64 of 32 bytes>' (kid up to 16)")
        keys[kid] = raw
        current = current or kid
    if not keys:
        raise ImproperlyConfigured("GONGHUI_AUDIT_KEYS is empty: the audit chain cannot be keyed")
    return current, keys


def audit_keys() -> tuple[str, dict[str, bytes]]:
    """The current key id (signs new events and anchors) and every configured key by id (verify)."""
    return _keyring(settings.GONGHUI_AUDIT_KEYS)


def legacy_hash(event: AuditEvent) -> str:
    """The unkeyed SHA-256 of the chain before it was keyed (migration 0008 checks the old chain with it)."""
    return hashlib.sha256(_canonical(event, keyed=False)).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """The event's HMAC under the key its ``key_id`` names; KeyError when that key is not configured."""
    _current, keys = audit_keys()
    return hmac.new(keys[event.key_id], _canonical(event), hashlib.sha256).hexdigest()


def _masked(value):
    """Details with any ID or mobile number typed into free text (a reason, a note) masked."""
    from gonghui.privacy.scan import mask_all

    if isinstance(value, str):
        return mask_all(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def record(*, actor, action: str, object_type: str = "", object_id: str = "", scope_path: str = "",
           outcome: str = Outcome.SUCCESS, details: dict | None = None, using: str = DEFAULT_DB_ALIAS) -> AuditEvent:
    """Append one event. ``details`` must never hold personal data in clear (mask or omit it)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_KEY])
        last = AuditEvent.objects.using(using).order_by("-seq").values("seq", "hash").first()
        event = AuditEvent(
            seq=(last["seq"] + 1) if last else 1,
            at=timezone.now(),
            scope_path=scope_path or (actor.org.path if getattr(actor, "org", None) else ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=outcome,
            ip=current_ip.get(),
            details=_masked(json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))),
            prev_hash=last["hash"] if last else GENESIS,
            key_id=audit_keys()[0],
            **actor.audit_fields(),
        )
        event.hash = event_hash(event)
        event.save(force_insert=True, using=using)
    return event


@dataclass
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    last_seq: int = 0
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch: int = 5000, using: str = DEFAULT_DB_ALIAS, anchors=None) -> ChainReport:
    """Walk the chain in order; report the first event whose hash, link or sequence does not hold, then compare
    with the anchors written outside the database (a cut tail or a history rewritten with the key is named).
    ``anchors``: None reads the anchor store (the configured database's), [] checks the chain alone (a restore
    checks a copy against its manifest instead)."""
    from . import audit_anchors

    if anchors is None:
        anchors = audit_anchors.effective(audit_anchors.read()) if using == DEFAULT_DB_ALIAS else []
    bad = next((a for a in anchors if not a.genuine), None)
    if bad is not None:
        return ChainReport(0, bad.seq, _("anchor line %(line)s is not genuine (its HMAC does not match): the anchor "
                                         "file was edited") % {"line": bad.line_no})
    by_seq: dict[int, list] = {}
    for a in anchors:
        by_seq.setdefault(a.seq, []).append(a)
    _current, keys = audit_keys()
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    qs = AuditEvent.objects.using(using).order_by("seq")
    last_seq = 0
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            break
        for ev in rows:
            report = _check_event(ev, prev_seq, prev_hash, keys, checked)
            if report is None:
                report = _check_anchors(ev, by_seq.get(ev.seq, ()), checked)
            if report is not None:
                return report
            prev_hash, prev_seq = ev.hash, ev.seq
            checked += 1
        last_seq = rows[-1].seq
    beyond = max((a for a in anchors if a.seq > prev_seq), key=lambda a: a.seq, default=None)
    if beyond is not None:
        return ChainReport(checked, prev_seq + 1, _(
            "the events from %(first)s on were removed: the anchor of %(at)s records the chain up to %(seq)s, the "
            "database ends at %(last)s") % {"first": prev_seq + 1, "at": beyond.local_at, "seq": beyond.seq,
                                           "last": prev_seq}, last_seq=prev_seq, anchors_checked=len(anchors))
    return ChainReport(checked, last_seq=prev_seq, anchors_checked=len(anchors))


def _check_event(ev, prev_seq: int, prev_hash: str, keys: dict, checked: int) -> ChainReport | None:
    if ev.seq != prev_seq + 1:
        return ChainReport(checked, ev.seq, _("the sequence jumps from %(prev)s to %(seq)s: events were removed")
                           % {"prev": prev_seq, "seq": ev.seq})
    if ev.prev_hash != prev_hash:
        return ChainReport(checked, ev.seq, _("the link to the previous event does not match"))
    if ev.key_id not in keys:
        return ChainReport(checked, ev.seq, _("the event is keyed with %(kid)s, which is not among the audit keys")
                           % {"kid": ev.key_id or "-"})
    if not hmac.compare_digest(event_hash(ev), ev.hash):
        return ChainReport(checked, ev.seq, _("the content does not match its hash: the event was edited"))
    return None


def _check_anchors(ev, anchors, checked: int) -> ChainReport | None:
    for a in anchors:
        if not hmac.compare_digest(a.hash, ev.hash):
            return ChainReport(checked, ev.seq, _("the event differs from the anchor written at %(at)s: the history "
                                                  "was rewritten") % {"at": a.local_at})
    return None


def rekey_legacy(model, connection, *, batch: int = 2000) -> int:
    """Upgrade a chain written before it was keyed (migration 0008): check the old SHA-256 chain, refusing a
    broken one (re-keying would launder the damage), then rewrite every event's hash as an HMAC under the current
    key, and append an ``audit.rekey`` event recording the old head. Returns the number of events re-keyed."""
    from . import audit_sql

    qs = model.objects.using(connection.alias).order_by("seq")
    if not qs.filter(key_id="").exists():
        return 0
    prev_hash, prev_seq = GENESIS, 0
    for ev in _batched(qs, batch):
        if ev.key_id or ev.seq != prev_seq + 1 or ev.prev_hash != prev_hash or legacy_hash(ev) != ev.hash:
            raise RuntimeError(f"审计链在第 {ev.seq} 条记录处断开，不能改用密钥链：请先查明原因（audit chain broken at "
                               f"seq {ev.seq}; not re-keyed）。")
        prev_hash, prev_seq = ev.hash, ev.seq
    legacy_head = (prev_seq, prev_hash)
    kid = audit_keys()[0]
    audit_sql.remove(connection)
    prev_hash, count = GENESIS, 0
    for rows in _batched(qs, batch, chunks=True):
        for ev in rows:
            ev.prev_hash, ev.key_id = prev_hash, kid
            ev.hash = prev_hash = event_hash(ev)
        model.objects.using(connection.alias).bulk_update(rows, ["prev_hash", "key_id", "hash"])
        count += len(rows)
    audit_sql.install(connection)
    event = model(seq=legacy_head[0] + 1, at=timezone.now(), actor_id=None, actor_name="system", actor_org="",
                  scope_path="", action="audit.rekey", object_type="audit", object_id="", outcome=Outcome.SUCCESS,
                  ip=None, details={"legacy_seq": legacy_head[0], "legacy_hash": legacy_head[1], "kid": kid},
                  prev_hash=prev_hash, key_id=kid)
    event.hash = event_hash(event)
    event.save(force_insert=True, using=connection.alias)
    return count


def _batched(qs, batch: int, *, chunks: bool = False):
    last = 0
    while True:
        rows = list(qs.filter(seq__gt=last)[:batch])
        if not rows:
            return
        if chunks:
            yield rows
        else:
            yield from rows
        last = rows[-1].seq
