"""A field-visit finding or a conduct-mailbox tip that is a worker's request (诉求) rather than a rectification
problem is filed as a casework case in one step, with a link both ways: the finding or tip shows the case code, and
the case shows where it came from (``case_origin``).

The case is logged through casework's own front-desk service (``case_log``): it is received at the actor's unit,
on the referral channel, with the time limit, colors and figures of any other case. A tip's contact was given for
answering the tip only, so it never goes with the case; the office contacts the worker through the tip's answer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.casework.intake import case_log
from gonghui.casework.models import Category, Channel, Topic
from gonghui.core import audit

from .models import FindingFate, Tip, TipFate, VisitFinding

LINK_KIND = "casework.case"
SUBJECT_MAX = 100


def _data(*, category, topic, subject, description, source_note) -> dict:
    errors = {}
    if category not in Category.values:
        errors["category"] = [_("Choose the kind of request.")]
    if topic not in Topic.values:
        errors["topic"] = [_("Choose what the request is about.")]
    subject = (subject or "").strip()
    if len(subject) < 2:
        errors["subject"] = [_("Say in a few words what the request is about.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("At most %(n)s characters.") % {"n": SUBJECT_MAX}]
    if errors:
        raise ValidationError(errors)
    return {"channel": Channel.REFERRAL, "category": category, "topic": topic, "subject": subject,
            "description": (description or "")[:4000], "source_note": source_note[:100]}


@transaction.atomic
def finding_to_case(actor, *, finding: VisitFinding, category: str, topic: str, subject: str = ""):
    """File a problem found on a visit as a request case at the actor's unit; the finding shows the case."""
    actor.require("oversight.write")
    actor.require("case.write")
    visit = finding.visit
    actor.require_covers(visit.org_path)
    finding = VisitFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.fate != FindingFate.NOTED:
        raise ValidationError(_("This problem has already been followed up."))
    note = _("Field visit: %(title)s (%(on)s)") % {"title": visit.title, "on": visit.started_on.isoformat()}
    case = case_log(actor=actor, data=_data(category=category, topic=topic, subject=subject or finding.text[:100],
                                            description=finding.text, source_note=note)).case
    finding.fate, finding.link_kind, finding.link_id, finding.link_label = FindingFate.CASE, LINK_KIND, case.pk, \
        case.code
    finding.save(update_fields=["fate", "link_kind", "link_id", "link_label"])
    audit.record(actor=actor, action="oversight.visit_finding_case", object_type="oversight.visit",
                 object_id=visit.pk, scope_path=visit.org_path, details={"title": visit.title, "case": case.code})
    return case


@transaction.atomic
def tip_to_case(actor, *, tip: Tip, category: str, topic: str, subject: str = ""):
    """File a tip as a request case at the actor's unit (the contact stays with the tip); the tip shows the case."""
    actor.require("oversight.write")
    actor.require("case.write")
    actor.require_covers(tip.org_path)
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.fate:
        raise ValidationError(_("This tip has already been followed up."))
    note = _("Mailbox tip %(code)s") % {"code": tip.code}
    case = case_log(actor=actor, data=_data(category=category, topic=topic, subject=subject or tip.subject[:100],
                                            description=tip.body, source_note=note)).case
    tip.fate, tip.link_kind, tip.link_id, tip.link_label = TipFate.CASE, LINK_KIND, case.pk, case.code
    tip.save(update_fields=["fate", "link_kind", "link_id", "link_label"])
    audit.record(actor=actor, action="oversight.tip_case", object_type="oversight.tip", object_id=tip.pk,
                 scope_path=tip.org_path, details={"code": tip.code, "case": case.code})
    return case


def case_origin(*, actor, case) -> dict | None:
    """Where a case came from, for the case's page: the visit or tip it was filed from, linked when the actor may
    open it (the label alone otherwise)."""
    finding = VisitFinding.objects.filter(link_kind=LINK_KIND, link_id=case.pk).select_related("visit").first()
    if finding is not None:
        visit = finding.visit
        url = reverse("oversight:visit_detail", args=[visit.pk]) \
            if actor.can("oversight.view") and actor.covers(visit.org_path) else ""
        return {"kind": "visit", "label": _("Field visit: %(title)s (%(on)s)") % {
            "title": visit.title, "on": visit.started_on.isoformat()}, "url": url}
    tip = Tip.objects.filter(link_kind=LINK_KIND, link_id=case.pk).first()
    if tip is not None:
        url = reverse("oversight:tip_detail", args=[tip.pk]) \
            if actor.can("oversight.view") and actor.covers(tip.org_path) else ""
        return {"kind": "tip", "label": _("Mailbox tip %(code)s") % {"code": tip.code}, "url": url}
    return None


def case_url(obj) -> str:
    """The case page of a finding or tip filed as a case."""
    if obj.link_kind == LINK_KIND and obj.link_label:
        return reverse("casework:detail", args=[obj.link_label])
    return ""
