"""The audit trail: append every write, login, denial, reveal and export to a hash chain.

Each event's hash covers its content and the previous event's hash. Appending takes a lock so the
chain stays linear: on PostgreSQL a transaction-level advisory lock, on SQLite the IMMEDIATE
transaction that already serializes writers. The event is written inside the caller's transaction,
so a rolled-back write leaves no event and an event never describes a write that did not happen.
"""

import contextvars
import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .models import AuditEvent, Outcome

GENESIS = "0" * 64
_ADVISORY_KEY = 0x67680001  # "gh" + 1: the audit chain's lock id

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gonghui_ip", default=None)


def _canonical(event: AuditEvent) -> bytes:
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
    return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


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

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch: int = 5000, using: str = DEFAULT_DB_ALIAS) -> ChainReport:
    """Walk the chain in order; report the first event whose hash, link or sequence does not hold."""
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    qs = AuditEvent.objects.using(using).order_by("seq")
    last_seq = 0
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            return ChainReport(checked=checked)
        for ev in rows:
            if ev.seq != prev_seq + 1:
                return ChainReport(checked, ev.seq, f"sequence jumps from {prev_seq} to {ev.seq}: rows removed")
            if ev.prev_hash != prev_hash:
                return ChainReport(checked, ev.seq, "link to the previous event does not match")
            if event_hash(ev) != ev.hash:
                return ChainReport(checked, ev.seq, "content does not match its hash: the row was edited")
            prev_hash, prev_seq = ev.hash, ev.seq
            checked += 1
        last_seq = rows[-1].seq
