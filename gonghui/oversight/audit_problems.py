"""Audit labels of the problem actions: the problem list, its review, the settings of the lists and departments."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from .models import Decision, Stage


def _problems(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Problem

    if not actor.can("oversight.view"):
        return {}
    rows = Problem.objects.filter(org_path__startswith=actor.org.path,
                                  pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "number", "title")
    return {str(pk): DisplayedObject(f"{number} {title}", reverse("oversight:problem_detail", args=[pk]))
            for pk, number, title in rows}


register_group("oversight_problems", _("Problem lists"))
register_object_type("oversight.problem", _("Problem"), _problems)
register_object_type("oversight.sources", _("Problem source"))
register_object_type("oversight.categories", _("Problem category"))
register_object_type("oversight.department", _("Department"))

_DETAILS = {
    "number": _("Number"), "source": _("Source"), "category": _("Category"), "stage": (_("Review stage"),
                                                                                     choices(Stage)),
    "link": _("Came from"), "round": _("Round"), "decision": (_("Decision"), choices(Decision)),
    "opinion": _("Opinion"), "department": _("Department"), "reviewers": _("Reviewers"),
    "departments": _("Departments"), "meeting": _("Approving meeting"), "on": _("Meeting date"),
    "name": _("Name"), "old": _("Former name"), "active": _("In use"), "up": _("Moved up"),
    "file": _("File"), "added": _("Problems added"),
}
G = "oversight_problems"
for _code, _label in (
    ("oversight.problem_create", _("Problem filed")), ("oversight.problem_update", _("Problem edited")),
    ("oversight.problem_submit", _("Problem submitted for review")),
    ("oversight.problem_first_review", _("Problem first review")),
    ("oversight.problem_group", _("Joint review group named")),
    ("oversight.problem_joint_review", _("Problem joint review opinion")),
    ("oversight.problem_finalize", _("Problem finalised")),
    ("oversight.problem_import", _("Problem list imported")),
):
    register(_code, _label, group=G, object_type="oversight.problem", details=_DETAILS)
for _code, _label in (
    ("oversight.list_add", _("List entry added")), ("oversight.list_save", _("List entry changed")),
    ("oversight.list_move", _("List entry moved")), ("oversight.list_delete", _("List entry deleted")),
):
    register(_code, _label, group=G, details=_DETAILS)
for _code, _label in (
    ("oversight.department_add", _("Department added")), ("oversight.department_save", _("Department changed")),
):
    register(_code, _label, group=G, object_type="oversight.department", details=_DETAILS)
