"""Audit labels of the field visits, inspections and tips."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from . import inspections  # noqa: F401  (registers the supervision kind "inspection")
from .models import ItemKind


def _visits(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import FieldVisit

    if not actor.can("oversight.view"):
        return {}
    rows = FieldVisit.objects.filter(org_path__startswith=actor.org.path,
                                     pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "title")
    return {str(pk): DisplayedObject(title, reverse("oversight:visit_detail", args=[pk])) for pk, title in rows}


def _rounds(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import InspectionRound

    if not actor.can("oversight.view"):
        return {}
    rows = InspectionRound.objects.filter(org_path__startswith=actor.org.path,
                                          pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "title")
    return {str(pk): DisplayedObject(title, reverse("oversight:inspection_detail", args=[pk])) for pk, title in rows}


def _items(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import InspectionItem

    if not actor.can("oversight.view"):
        return {}
    rows = InspectionItem.objects.filter(org_path__startswith=actor.org.path,
                                         pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
        "pk", "number", "title")
    return {str(pk): DisplayedObject(f"{number} {title}", reverse("oversight:inspection_item", args=[pk]))
            for pk, number, title in rows}


def _tips(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Tip

    if not actor.can("oversight.view"):
        return {}
    rows = Tip.objects.filter(org_path__startswith=actor.org.path,
                              pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "code")
    return {str(pk): DisplayedObject(code, reverse("oversight:tip_detail", args=[pk])) for pk, code in rows}


register_group("oversight_visits", _("Visits and inspections"))
register_object_type("oversight.visit", _("Field visit"), _visits)
register_object_type("oversight.inspection", _("Inspection round"), _rounds)
register_object_type("oversight.inspection_item", _("Inspection item"), _items)
register_object_type("oversight.tip", _("Conduct mailbox tip"), _tips)

_DETAILS = {
    "title": _("Subject of the visit"), "units": _("Units"), "findings": _("Problems found"), "problem": _("Problem"),
    "kind": (_("Kind"), choices(ItemKind)), "number": _("Number"), "unit": _("Unit"), "due_on": _("Answer by"),
    "items": _("Items"), "code": _("Tracking code"), "contact": _("Contact given"),
    "case": _("Request case"),
}
G = "oversight_visits"
for _code, _label in (
    ("oversight.visit_create", _("Field visit recorded")), ("oversight.visit_update", _("Field visit edited")),
    ("oversight.visit_finding_problem", _("Problem found on a visit put on the problem list")),
    ("oversight.visit_finding_case", _("Problem found on a visit filed as a request case")),
):
    register(_code, _label, group=G, object_type="oversight.visit", details=_DETAILS)
for _code, _label in (
    ("oversight.inspection_create", _("Inspection round opened")),
    ("oversight.inspection_update", _("Inspection round edited")),
):
    register(_code, _label, group=G, object_type="oversight.inspection", details=_DETAILS)
for _code, _label in (
    ("oversight.inspection_item_issue", _("Inspection item issued")),
    ("oversight.inspection_item_answer", _("Inspection item answered")),
):
    register(_code, _label, group=G, object_type="oversight.inspection_item", details=_DETAILS)
for _code, _label in (
    ("oversight.tip_receive", _("Tip received in the conduct mailbox")),
    ("oversight.tip_answer", _("Tip answered")),
    ("oversight.tip_problem", _("Tip put on the problem list")),
    ("oversight.tip_case", _("Tip filed as a request case")),
):
    register(_code, _label, group=G, object_type="oversight.tip", details=_DETAILS)
