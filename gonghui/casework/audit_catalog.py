"""The audit labels of workers' requests and petitions, and the cases shown by code and topic."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from .models import Category, Channel, Complexity, Satisfaction, State, Topic


def _cases(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .selectors import case_scope

    topics = dict(Topic.choices)
    rows = case_scope(actor=actor).filter(code__in=ids).values_list("code", "topic")
    return {code: DisplayedObject(f"{code}（{topics.get(topic, topic)}）", reverse("casework:detail", args=[code]))
            for code, topic in rows}


register_group("casework", _("Workers' requests"))
register_object_type("case", _("Request"), _cases)
register_object_type("time_limit_policy", _("Time-limit rule"))

_CASE = {
    "state": (_("State"), choices(State)), "channel": (_("Channel"), choices(Channel)),
    "topic": (_("Topic"), choices(Topic)), "category": (_("Category"), choices(Category)),
    "complexity": (_("Complexity"), choices(Complexity)), "satisfaction": (_("Satisfaction"), choices(Satisfaction)),
    "people": _("People"), "collective": _("Collective request"), "at_org": _("At unit"), "by": _("By unit"),
    "limit": _("Time limit (working days)"), "on_time": _("On time"), "days": _("Days taken"),
    "paused_days": _("Days paused"), "due": _("Due on"), "times": _("Times reopened"),
    "working_days": _("Working days"), "before": _("Before"),
    "checked": _("Cases checked"), "blue": _("Due soon"), "yellow": _("No progress"), "red": _("Overdue"),
    "recolored": _("Colors changed"), "into": _("Linked into"), "repeat": _("Repeat request"),
    "reminders": _("Reminders sent"), "escalations": _("Escalations"), "solved": _("Problem solved"),
}
C = "casework"
for _code, _label in (
    ("receive", _("Request received")), ("link", _("Same request came in again")),
    ("dispatch", _("Request dispatched")), ("accept", _("Request accepted")), ("return", _("Request returned")),
    ("progress", _("Progress recorded")), ("reclassify", _("Request reclassified")),
    ("pause", _("Waiting for papers")), ("resume", _("Papers complete")),
    ("cohandler.add", _("Co-handling unit added")),
    ("cohandler.report", _("Co-handling opinion given")), ("reply", _("Reply given")),
    ("follow_up", _("Follow-up call recorded")), ("close", _("Request closed")), ("reopen", _("Request reopened")),
    ("supervise", _("Escalation supervised")), ("rate", _("Worker rated the reply")),
    ("tick", _("Time-limit sweep")),
    ("possible_repeat", _("Flagged as a possible repeat")), ("link_repeat", _("Repeat linked to the earlier request")),
):
    register(f"case.{_code}", _label, group=C, object_type="case", details=_CASE)
for _code, _label in (("add", _("Time-limit rule added")), ("update", _("Time-limit rule changed")),
                      ("delete", _("Time-limit rule deleted"))):
    register(f"case.policy.{_code}", _label, group=C, object_type="time_limit_policy", details=_CASE)
