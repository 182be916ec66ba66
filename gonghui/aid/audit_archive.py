"""Audit labels of the hardship archive; importing it also registers the archive's supervision kind, its evidence
files' owner kind and its notice kind on the public board."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from . import attachments_archive, board_archive, supervision_archive  # noqa: F401
from .models import Category


def _households(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Household

    if not actor.can("aid.view"):
        return {}
    rows = Household.objects.filter(org_path__startswith=actor.org.path,
                                    pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "name_masked")
    return {str(pk): DisplayedObject(name, reverse("aid:household", args=[pk])) for pk, name in rows}


G = "aid_archive"
register_group(G, _("Hardship archive"))
register_object_type("aid.household", _("Hardship household"), _households)
register_object_type("aid.standard", _("低保 standard"))
register_object_type("aid.settings", _("Archive settings"))

_DETAILS = {
    "name": _("Worker (masked)"), "unit": _("Unit"), "members": _("Household members"),
    "registry": _("In the members registry"), "category": (_("Category"), choices(Category)),
    "before": _("Before"), "after": _("After"), "reason": _("Reason"), "notice_until": _("Notice until"),
    "public": _("On the public page"), "upheld": _("Upheld"), "year": _("Year"), "on": _("Date"),
    "cadre": _("Cadre"), "cash": _("Cash (yuan)"), "goods": _("Goods"), "number": _("Card number"),
    "filed": _("Filed"), "escalated": _("Escalated"),
}
for _code, _label in (
    ("aid.household_create", _("Hardship file created")), ("aid.household_update", _("Hardship file changed")),
    ("aid.household_apply", _("Hardship file applied for")),
    ("aid.household_approve", _("Hardship file approved: public notice started")),
    ("aid.household_return", _("Hardship file returned to the union")),
    ("aid.household_reject", _("Hardship file refused")),
    ("aid.objection_lodge", _("Objection to a public notice lodged")),
    ("aid.objection_resolve", _("Objection to a public notice resolved")),
    ("aid.household_file", _("Hardship file created after the notice (建档)")),
    ("aid.household_review_year", _("Hardship file reviewed for the year")),
    ("aid.household_exit", _("Household exited the archive (解困)")),
    ("aid.pairing_create", _("一帮一 pair made")), ("aid.pair_visit", _("一帮一 visit logged")),
    ("aid.card_issue", _("优待证 issued")), ("aid.card_withdraw", _("优待证 withdrawn")),
    ("aid.archive_tick", _("Hardship archive daily sweep")),
):
    register(_code, _label, group=G, object_type="aid.household", details=_DETAILS)
register("aid.standard_set", _("低保 standard set"), group=G, object_type="aid.standard",
         details={"where": _("Unit or region"), "year": _("Year"), "before": _("Before"),
                  "monthly": _("Monthly (yuan)")})
register("aid.settings_update", _("Archive thresholds changed"), group=G, object_type="aid.settings",
         details={"deep_ratio": _("深度困难 below (× 低保)"), "relative_ratio": _("相对困难 below (× 低保)"),
                  "notice_days": _("Public notice (working days)")})
