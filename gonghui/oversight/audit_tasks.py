"""Audit labels of the key-task and target actions."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from . import attachments_tasks  # noqa: F401  (evidence files on key tasks)
from .models import TaskKind


def _tasks(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import KeyTask

    if not actor.can("oversight.view"):
        return {}
    rows = KeyTask.objects.filter(org_path__startswith=actor.org.path,
                                  pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "year", "title")
    return {str(pk): DisplayedObject(f"{year} {title}", reverse("oversight:task_detail", args=[pk]))
            for pk, year, title in rows}


def _targets(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import TargetPlan

    if not actor.can("oversight.view"):
        return {}
    rows = TargetPlan.objects.filter(org_path__startswith=actor.org.path,
                                     pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
        "pk", "year", "department__name")
    return {str(pk): DisplayedObject(f"{year} {name}", reverse("oversight:target_detail", args=[pk]))
            for pk, year, name in rows}


register_group("oversight_tasks", _("Key tasks and targets"))
register_object_type("oversight.task", _("Key task"), _tasks)
register_object_type("oversight.target", _("Target card"), _targets)

_DETAILS = {
    "kind": (_("Kind"), choices(TaskKind)), "year": _("Year"), "title": _("Task"), "milestones": _("Milestones"),
    "milestone": _("Milestone"), "due_on": _("Deadline"), "done_on": _("Done on"), "percent": _("Progress (%)"),
    "on": _("Date"), "department": _("Department"), "items": _("Targets"), "weight": _("Total weight"),
    "total": _("Total score"), "grade": _("Grade"), "file": _("File"), "added": _("Tasks added"),
}
G = "oversight_tasks"
for _code, _label in (
    ("oversight.task_create", _("Key task added")), ("oversight.task_update", _("Key task edited")),
    ("oversight.milestone_add", _("Milestone added")), ("oversight.milestone_done", _("Milestone done")),
    ("oversight.task_report", _("Progress reported")), ("oversight.task_done", _("Key task done")),
    ("oversight.task_import", _("Key-task list imported")),
):
    register(_code, _label, group=G, object_type="oversight.task", details=_DETAILS)
for _code, _label in (
    ("oversight.target_declare", _("Targets declared")), ("oversight.target_approve", _("Target card issued")),
    ("oversight.target_summarise", _("Work summary written")), ("oversight.target_review", _("Targets reviewed")),
    ("oversight.target_evaluate", _("Targets evaluated")),
):
    register(_code, _label, group=G, object_type="oversight.target", details=_DETAILS)
