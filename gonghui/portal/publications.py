"""The generic publication on the public board: publish, withdraw (each audited), and the board's section that
lists a union's current publications by kind.

An app registers its kinds (``register_kind``): the label of the kind's block on the board, and optionally a
``respond`` handler that takes what a worker sends back about one publication on the public page (the hardship
archive's 公示 takes objections this way). The publishing app masks what it publishes: this module stores and shows
strings, and refuses rows that look like an ID number or a phone number.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from .models import Publication

# Eleven digits or more in a row: an ID or phone number that should never be on a board.
_NUMBER = re.compile(r"\d{11,}")


@dataclass(frozen=True)
class Kind:
    key: str
    label: object
    respond: Callable | None = None  # fn(publication, *, text, contact, ip) -> None (raises ValidationError)
    respond_label: object = ""


_KINDS: dict[str, Kind] = {}


def register_kind(key: str, *, label, respond: Callable | None = None, respond_label="") -> None:
    _KINDS[key] = Kind(key, label, respond, respond_label)


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


def kind_label(key: str) -> str:
    k = _KINDS.get(key)
    return str(k.label) if k else key


def _check_text(rows: list[dict], *texts: str) -> None:
    values = [*texts, *(str(v) for row in rows for v in row.values())]
    if any(_NUMBER.search(v or "") for v in values):
        raise ValidationError(_("A publication cannot show an ID or phone number."))


@transaction.atomic
def publication_publish(*, actor, kind: str, org, title: str, object_id: int | None = None, summary: str = "",
                        body: str = "", rows: list[dict] | None = None,
                        until: datetime.datetime | None = None, now: datetime.datetime | None = None) -> Publication:
    """Put an item on ``org``'s public board from now (or ``now``) until ``until`` (open-ended when None)."""
    if kind not in _KINDS:
        raise ValidationError({"kind": _("Unknown publication kind.")})
    if actor.grant is not None:  # the system (the daily tick) publishes on a union's behalf too
        actor.require_covers(org.path)
    rows = [{str(k): str(v) for k, v in row.items()} for row in (rows or [])]
    _check_text(rows, title, summary, body)
    pub = Publication(kind=kind, object_id=object_id, org=org, org_path=org.path, title=title, summary=summary,
                      body=body, rows=rows, published_by=actor.user if actor.user is not None else None,
                      published_at=now or timezone.now(), until=until)
    pub.full_clean()
    pub.save()
    audit.record(actor=actor, action="portal.publish", object_type="portal.publication", object_id=pub.pk,
                 scope_path=org.path, details={"kind": kind, "title": title, "rows": len(rows),
                                               "until": until.isoformat() if until else ""})
    return pub


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication, reason: str) -> Publication:
    """Take an item off the board (kept, with who withdrew it and why)."""
    if actor.grant is not None:
        actor.require_covers(publication.org_path)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing.")})
    pub = Publication.objects.select_for_update().get(pk=publication.pk)
    if pub.withdrawn_at is not None:
        raise ValidationError(_("This publication is already withdrawn."))
    pub.withdrawn_at = timezone.now()
    pub.withdrawn_by = actor.user if actor.user is not None else None
    pub.withdraw_reason = reason[:300]
    pub.full_clean()
    pub.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit.record(actor=actor, action="portal.withdraw", object_type="portal.publication", object_id=pub.pk,
                 scope_path=pub.org_path, details={"kind": pub.kind, "reason": pub.withdraw_reason})
    return pub


def current_publications(org, *, kind: str | None = None, now: datetime.datetime | None = None, limit: int = 200):
    """What ``org``'s board shows now: published, not withdrawn, not past ``until``; newest first."""
    now = now or timezone.now()
    qs = Publication.objects.filter(org=org, withdrawn_at__isnull=True, published_at__lte=now).exclude(
        until__lte=now)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("kind", "-published_at", "-pk")[:limit])


def current_publication_get(org, pk) -> Publication | None:
    """One current publication of ``org`` (None when missing, withdrawn or ended: the page answers 404)."""
    if not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    now = timezone.now()
    return (Publication.objects.filter(pk=int(pk), org=org, withdrawn_at__isnull=True, published_at__lte=now)
            .exclude(until__lte=now).first())


def board_items(org) -> list[dict]:
    """The board section: current publications grouped by kind, in registration order."""
    by_kind: dict[str, list[Publication]] = {}
    for pub in current_publications(org):
        by_kind.setdefault(pub.kind, []).append(pub)
    return [{"kind": k, "label": _KINDS[k].label, "respond": _KINDS[k].respond is not None,
             "respond_label": _KINDS[k].respond_label, "publications": by_kind[k]}
            for k in _KINDS if k in by_kind]
