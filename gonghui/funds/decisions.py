"""Collective decisions (集体决策): a meeting's date, reference number (决策文号), subject and the items decided with
their amounts. Recording one links the union's voucher lines that already carry its reference."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.core import audit

from .books import money
from .models import Decision, DecisionItem, MeetingKind, VoucherLine

# A large expense needs a collective decision from this amount (yuan) on.
LARGE_EXPENSE = Decimal("20000.00")


@transaction.atomic
def decision_record(*, actor, org, kind: str, date: datetime.date, reference: str, title: str,
                    items: list[tuple[str, object]]) -> Decision:
    """Record a decision of ``org``; its reference is unique in the union. ``items`` are (subject, amount or None)."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    reference, title = (reference or "").strip(), (title or "").strip()
    if not reference:
        raise ValidationError({"reference": _("The reference number is required.")})
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if Decision.objects.filter(org=org, reference=reference).exists():
        raise ValidationError({"reference": _("%(org)s already has a decision numbered %(ref)s.") % {
            "org": org.name, "ref": reference}})
    cleaned = []
    for n, (subject, amount) in enumerate(items, 1):
        subject = (subject or "").strip()
        if not subject:
            raise ValidationError({"items": _("Item %(n)s: the subject is required.") % {"n": n}})
        value = None
        if amount not in (None, ""):
            value = money(amount, label=_("Item %(n)s amount") % {"n": n})
            if value <= 0:
                raise ValidationError({"items": _("Item %(n)s: the amount must be positive.") % {"n": n}})
        cleaned.append((subject, value))
    decision = Decision(org=org, org_path=org.path, kind=kind, date=date, reference=reference, title=title,
                        created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None)
    decision.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            decision.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"reference": _("%(org)s already has a decision numbered %(ref)s.") % {
            "org": org.name, "ref": reference}}) from None
    DecisionItem.objects.bulk_create([DecisionItem(decision=decision, subject=s, amount=a) for s, a in cleaned])
    linked = VoucherLine.objects.filter(voucher__org_id=org.pk, decision_ref=reference,
                                        decision__isnull=True).update(decision=decision)
    audit.record(actor=actor, action="funds.decision_record", object_type="funds.decision", object_id=decision.pk,
                 scope_path=org.path, details={"reference": reference, "kind": kind, "items": len(cleaned),
                                               "linked": linked})
    return decision


def parse_items(text: str) -> list[tuple[str, str]]:
    """Items typed one a line, "subject amount" (the amount optional, last on the line)."""
    items = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        head, _sep, tail = line.rpartition(" ")
        candidate = tail.replace(",", "").replace("，", "")
        if head and candidate.replace(".", "", 1).isdigit():
            items.append((head.strip(), candidate))
        else:
            items.append((line, ""))
    return items


def large_state(line) -> str:
    """linked (to a recorded decision), unverified (a reference matching no decision), or none."""
    if line.decision_id:
        return "linked"
    return "unverified" if line.decision_ref else "none"
