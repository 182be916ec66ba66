"""The audit screen's reads: the filtered trail in the reader's scope, a keyset page of it (by seq, never a COUNT
over the trail), each event with its labels, names and links resolved for the whole page at once, and the xlsx."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, audit_labels
from .models import AuditEvent, User
from .spreadsheets import export_filename, write_xlsx, xlsx_response

PAGE = 50
EXPORT_CHUNK = 1000


def audit_scope(actor) -> QuerySet[AuditEvent]:
    """Audit events in the actor's subtree. Events that belong to no unit (failed logins, lockouts, system
    jobs) are the installation's: they show to audit roles granted at the top of the tree."""
    in_subtree = Q(scope_path__startswith=actor.org.path)
    if actor.org.is_root():
        in_subtree |= Q(scope_path="")
    return AuditEvent.objects.filter(in_subtree)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def audit_filter(*, actor, form) -> QuerySet[AuditEvent]:
    """The trail filtered by the valid form; an unknown unit is a form error (and an empty result)."""
    from gonghui.orgs.selectors import org_scope

    qs = audit_scope(actor)
    if not form.is_valid():
        return qs.none()
    d = form.cleaned_data
    if d["group"]:
        qs = qs.filter(action__in=audit_labels.group_actions(d["group"]))
    if d["action"]:
        qs = qs.filter(action=d["action"])
    if code := d["unit"]:  # the picker already checked it is a unit in the actor's scope
        qs = qs.filter(scope_path__startswith=org_scope(actor=actor).get(code=code).path)
    if who := d["user"].strip():
        usernames = list(User.objects.filter(Q(username__iexact=who) | Q(display_name=who))
                         .values_list("username", flat=True)[:20])
        qs = qs.filter(actor_name__in=[who, *usernames])
    if q := d["q"].strip():
        qs = qs.filter(object_id=q)
    if d["outcome"]:
        qs = qs.filter(outcome=d["outcome"])
    # Ranges on the indexed time column itself (a date cast of it would read every row).
    if d["start"]:
        qs = qs.filter(at__gte=_day_start(d["start"]))
    if d["end"]:
        qs = qs.filter(at__lt=_day_start(d["end"] + datetime.timedelta(days=1)))
    return qs


@dataclass
class AuditPage:
    events: list
    newer: int | None  # the ``after`` cursor of the page before this one (newer events), if any
    older: int | None  # the ``before`` cursor of the next page (older events), if any


def _cursor(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**62 else None


def audit_page(qs: QuerySet[AuditEvent], *, before=None, after=None, per_page: int = PAGE) -> AuditPage:
    """One page, newest first, by seq: ``before`` walks to older events, ``after`` back to newer ones."""
    before, after = _cursor(before), _cursor(after)
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[:per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        older = rows[-1].seq if rows and qs.filter(seq__lt=rows[-1].seq).exists() else None
        return AuditPage(rows, rows[0].seq if rows and more_newer else None, older)
    if before is not None:
        qs_page = qs.filter(seq__lt=before)
    else:
        qs_page = qs
    rows = list(qs_page.order_by("-seq")[:per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    newer = rows[0].seq if rows and before is not None and qs.filter(seq__gt=rows[0].seq).exists() else None
    return AuditPage(rows, newer, rows[-1].seq if rows and more_older else None)


def _actor_key(event) -> tuple[str, str]:
    return ("user", event.actor_name) if event.actor_id else ("", "")


def describe(actor, events: list) -> list[dict]:
    """Each event as the screen shows it: one resolver call per object type for the whole list."""
    pairs = set()
    for e in events:
        pairs.add((e.object_type, e.object_id))
        pairs.add(_actor_key(e))
        pairs.add(("org", e.actor_org))
    objects = audit_labels.resolve_objects(actor, pairs)
    out = []
    for e in events:
        if e.actor_id:
            who = objects[("user", e.actor_name)]
        else:
            who = audit_labels.DisplayedObject(audit_labels.actor_label(e.actor_name) or e.actor_name)
        unit = objects.get(("org", e.actor_org)) if e.actor_org else None
        obj = objects.get((e.object_type, e.object_id)) if e.object_id else None
        out.append({
            "seq": e.seq, "at": timezone.localtime(e.at), "action": e.action,
            "label": audit_labels.action_label(e.action), "group": audit_labels.group_label(e.action),
            "who": who, "unit": unit, "object": obj, "outcome": e.get_outcome_display(),
            "object_type": audit_labels.object_type_label(e.object_type) if e.object_type else "",
            "failed": e.outcome != "success",
            "ip": e.ip or "", "details": audit_labels.detail_rows(e.action, e.details),
        })
    return out


EXPORT_HEADERS = ("No.", "Time", "User", "Unit", "Action", "Action group", "Object type", "Object", "Outcome",
                  "IP address", "Details")


def _export_rows(actor, qs):
    last = None
    while True:
        chunk_qs = qs.order_by("-seq")
        if last is not None:
            chunk_qs = chunk_qs.filter(seq__lt=last)
        events = list(chunk_qs[:EXPORT_CHUNK])
        if not events:
            return
        for row in describe(actor, events):
            yield [row["seq"], row["at"].replace(tzinfo=None), row["who"].text, row["unit"].text if row["unit"] else "",
                   row["label"], row["group"], row["object_type"], row["object"].text if row["object"] else "",
                   row["outcome"], row["ip"], "；".join(f"{k}：{v}" for k, v in row["details"])]
        last = events[-1].seq


def audit_export(*, actor, qs, filters: dict):
    """The filtered trail as xlsx, with the same Chinese labels as the screen; the export is itself recorded."""
    actor.require("export")
    content = write_xlsx([_(h) for h in EXPORT_HEADERS], _export_rows(actor, qs), sheet=_("Audit trail"))
    audit.record(actor=actor, action="export", object_type="audit", details={"filters": filters, "masked": True})
    return xlsx_response(content, export_filename(_("Audit trail"), unit=actor.org))
