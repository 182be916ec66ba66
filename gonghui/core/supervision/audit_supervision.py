"""The audit labels of the shared supervision list: the 督办 note and the thresholds per kind."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type

from .registry import kinds


def _kind_label(value) -> str:
    entry = kinds().get(value)
    return str(entry.label) if entry else str(value)


def _items(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .services import supervision_list

    rows = supervision_list(actor).filter(pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "kind", "title")
    return {str(pk): DisplayedObject(f"{_kind_label(kind)}：{title}", reverse("supervision:list") + f"#item-{pk}")
            for pk, kind, title in rows}


def _settings(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    return {k: DisplayedObject(_kind_label(k), "") for k in ids}


register_group("supervision", _("Supervision"))
register_object_type("supervision_item", _("Supervision item"), _items)
register_object_type("supervision_setting", _("Supervision thresholds"), _settings)
_DETAILS = {"kind": (_("Kind"), _kind_label), "title": _("Title"), "note": _("Supervision note"),
            "blue_within": _("Blue when due within (working days)"),
            "remind_before": _("Remind before the deadline (working days)"), "before": _("Before")}
register("supervision.handle", _("Supervision note recorded"), group="supervision", object_type="supervision_item",
         details=_DETAILS)
register("supervision.settings", _("Supervision thresholds changed"), group="supervision",
         object_type="supervision_setting", details=_DETAILS)
