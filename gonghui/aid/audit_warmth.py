"""Audit labels of the grants in bulk: 送温暖 from the hardship archive, approval of all, the grant import."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import register

from . import board_grants  # noqa: F401  (registers the board kind "aid.grants")

_DETAILS = {
    "unit": _("Unit"), "created": _("Grants created"), "already": _("Already had a grant"),
    "ineligible": _("Not eligible"), "no_person": _("Worker not in the registry"), "count": _("Grants"),
    "total": _("Total"), "own_left": _("Left for a second person"), "rows": _("Rows"),
}
for _code, _label in (
    ("aid.grant_from_archive", _("Grants made from the hardship archive")),
    ("aid.grant_approve_many", _("Grants approved together")),
):
    register(_code, _label, group="aid_programs", object_type="aid.program", details=_DETAILS)
register("aid.grant_account", _("Bank account of a grant set"), group="aid_programs", object_type="aid.grant",
         details=_DETAILS)
