"""Audit labels of the ledger's actions (measures, progress, closure, dispatch rounds, meetings, the snail list).

Also connects the ledger at start-up: evidence files on measures and the "measure" supervision kind."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import register, register_group, register_object_type

from . import attachments_oversight, supervision_ledger  # noqa: F401  (registrations)

G = "oversight"
register_group(G, _("Oversight"))
register_object_type("oversight.measure", _("Rectification measure"))
register_object_type("oversight.round", _("Dispatch round"))
register_object_type("oversight.meeting", _("Coordination meeting"))
register_object_type("oversight.snail", _("Snail list"))

_DETAILS = {
    "problem": _("Problem"), "due_on": _("Deadline"), "owner": _("Owner"), "percent": _("Progress (%)"),
    "rounds": _("Dispatch rounds reported in"), "evidence": _("Evidence files"), "problem_closed": _("Problem closed"),
    "title": _("Title"), "expected": _("Reports expected"), "reminders": _("Reminders sent"),
    "held_on": _("Held on"), "problems": _("Problems"), "start": _("From"), "end": _("To"),
    "recolored": _("Colors changed"), "escalations": _("Escalations"), "resolved": _("Escalations resolved"),
    "published": _("Snail lists published"),
}

register("oversight.measure_add", _("Rectification measure added"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.progress_add", _("Measure progress reported"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.closure_request", _("Measure closure requested"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.closure_close", _("Measure closed (销号)"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.closure_reject", _("Measure closure rejected"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.measure_reopen", _("Measure reopened"), group=G, object_type="oversight.measure",
         details=_DETAILS)
register("oversight.round_open", _("Dispatch round opened"), group=G, object_type="oversight.round",
         details=_DETAILS)
register("oversight.round_remind", _("Missing dispatch reports reminded"), group=G, object_type="oversight.round",
         details=_DETAILS)
register("oversight.round_close", _("Dispatch round closed"), group=G, object_type="oversight.round",
         details=_DETAILS)
register("oversight.meeting_add", _("Coordination meeting recorded"), group=G, object_type="oversight.meeting",
         details=_DETAILS)
register("oversight.snail_publish", _("Snail list published"), group=G, object_type="oversight.snail",
         details=_DETAILS)
register("oversight.ledger_tick", _("Rectification ledger sweep"), group=G, object_type="oversight.measure",
         details=_DETAILS)
