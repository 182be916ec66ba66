"""Anchors of the audit chain's head, kept outside the database.

A keyed chain cannot be rewritten without the key, but its newest events can still be cut off: what remains is a
valid chain. So the head (sequence number and hash) is written now and then to an append-only file in
GONGHUI_AUDIT_ANCHOR_DIR, one JSON line per anchor with an HMAC of the line under the audit key; ``verify_chain``
then names any event removed up to an anchored head, and any anchored event whose hash changed. Put the directory
where the database administrator cannot write (another host's mount, a WORM volume, a log shipper's spool).

``gonghui audit anchor`` anchors at once; ``gonghui tick`` once a day; ``seed``, ``backup`` and ``restore`` when
they finish. A restore or a seed starts a new history (``BASELINE_KINDS``): the anchors before it stop applying.
"""

import datetime
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from .models import AuditEvent

FILE_NAME = "anchors.jsonl"
BASELINE_KINDS = frozenset({"seed", "restore"})
KINDS = frozenset({"manual", "tick", "backup"}) | BASELINE_KINDS


@dataclass
class Anchor:
    at: str
    seq: int
    hash: str
    kid: str
    kind: str
    line_no: int = 0
    genuine: bool = True

    @property
    def local_at(self) -> str:
        """The time in Asia/Shanghai, as people read it (the file keeps UTC)."""
        try:
            return timezone.localtime(datetime.datetime.fromisoformat(self.at)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self.at


def anchor_dir() -> Path | None:
    directory = getattr(settings, "GONGHUI_AUDIT_ANCHOR_DIR", None)
    return Path(directory) if directory else None


def anchor_file() -> Path | None:
    directory = anchor_dir()
    return directory / FILE_NAME if directory else None


def _mac(key: bytes, body: dict) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def write(*, kind: str, using: str = DEFAULT_DB_ALIAS) -> Anchor | None:
    """Append the current head to the anchor file (None when no anchor directory is configured)."""
    from .audit import GENESIS, audit_keys

    if kind not in KINDS:
        raise ValueError(f"unknown anchor kind {kind!r}")
    path = anchor_file()
    if path is None:
        return None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    head = AuditEvent.objects.using(using).order_by("-seq").values("seq", "hash").first() or \
        {"seq": 0, "hash": GENESIS}
    kid, keys = audit_keys()
    body = {"at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"), "seq": head["seq"],
            "hash": head["hash"], "kid": kid, "kind": kind}
    line = json.dumps({**body, "mac": _mac(keys[kid], body)}, ensure_ascii=False, sort_keys=True) + "\n"
    # O_APPEND: one write() per line, never a rewrite; 0600: the anchors are the installation's, not the host's.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Anchor(**body)


def read() -> list[Anchor]:
    """Every anchor in the file, in order; a line whose HMAC does not check is returned with ``genuine=False``."""
    from .audit import audit_keys

    path = anchor_file()
    if path is None or not path.exists():
        return []
    _kid, keys = audit_keys()
    anchors = []
    with path.open(encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                mac = data.pop("mac")
                anchor = Anchor(at=data["at"], seq=int(data["seq"]), hash=data["hash"], kid=data["kid"],
                                kind=data["kind"], line_no=n)
                key = keys.get(anchor.kid)
                anchor.genuine = key is not None and set(data) == {"at", "seq", "hash", "kid", "kind"} and \
                    hmac.compare_digest(_mac(key, data), str(mac))
            except (ValueError, KeyError, TypeError, AttributeError):
                anchor = Anchor(at="", seq=0, hash="", kid="", kind="", line_no=n, genuine=False)
            anchors.append(anchor)
    return anchors


def effective(anchors: list[Anchor]) -> list[Anchor]:
    """The anchors that apply to the current history: those from the last genuine seed or restore on (a line
    that is not genuine always stays, so that it is reported)."""
    start = 0
    for i, a in enumerate(anchors):
        if a.genuine and a.kind in BASELINE_KINDS:
            start = i
    return [a for i, a in enumerate(anchors) if i >= start or not a.genuine]


def anchor_sweep(now=None) -> dict:
    """``gonghui tick``: anchor the head once a day (Asia/Shanghai), whatever the tick's interval."""
    if anchor_file() is None:
        return {"anchored": 0}
    today = timezone.localdate(now or timezone.now())
    last = next((a for a in reversed(read()) if a.genuine), None)
    if last is not None:
        try:
            if timezone.localdate(datetime.datetime.fromisoformat(last.at)) >= today:
                return {"anchored": 0}
        except ValueError:
            pass
    anchor = write(kind="tick")
    return {"anchored": 1, "seq": anchor.seq}


def for_screen(actor) -> dict | None:
    """The audit screen's anchors section: installation-wide, so only for audit roles at the top of the tree."""
    if actor.org is None or not actor.org.is_root() or not actor.can("audit.view"):
        return None
    return status()


def status(limit: int = 10) -> dict:
    """The audit screen's view of the anchors: the file, and the newest anchors each checked against the
    database (matches, differs, beyond the database's head, or not genuine)."""
    path = anchor_file()
    anchors = read() if path is not None else []
    recent = list(reversed(anchors[-limit:]))
    seqs = [a.seq for a in recent if a.genuine]
    hashes = dict(AuditEvent.objects.filter(seq__in=seqs).values_list("seq", "hash"))
    live = {id(a) for a in effective(anchors)}
    rows = []
    for a in recent:
        if not a.genuine:
            state = "forged"
        elif id(a) not in live:
            state = "superseded"
        elif a.seq == 0 or hashes.get(a.seq) == a.hash:
            state = "ok"
        elif a.seq in hashes:
            state = "differs"
        else:
            state = "missing"
        rows.append({"anchor": a, "state": state})
    return {"configured": path is not None, "path": str(path or ""), "total": len(anchors), "rows": rows}
