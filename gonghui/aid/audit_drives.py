"""Audit labels of the donation drives and of the recuperation and check-up schemes."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type

from . import board_drives  # noqa: F401  (registers the board kind "aid.drive_totals")


def _resolver(model_name: str, url_name: str, text, *, above: bool):
    def resolve(actor, ids: list[str]) -> dict[str, DisplayedObject]:
        from django.apps import apps

        from .selectors_programs import _ancestors_or_below

        if not actor.can("aid.view"):
            return {}
        qs = apps.get_model("aid", model_name).objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
        qs = qs.filter(_ancestors_or_below(actor)) if above else qs.filter(org_path__startswith=actor.org.path)
        return {str(o.pk): DisplayedObject(text(o), reverse(url_name, args=[o.pk])) for o in qs}
    return resolve


register_group("aid_drives", _("Donation drives, recuperation and check-ups"))
register_object_type("aid.drive", _("Donation drive"), _resolver("Drive", "aid:drive_detail", str, above=True))
register_object_type("aid.donation", _("Named donation"))
register_object_type("aid.scheme", _("Recuperation or check-up scheme"),
                     _resolver("Scheme", "aid:scheme_detail", str, above=True))
register_object_type("aid.nomination", _("Nomination"),
                     _resolver("Nomination", "aid:nomination_detail", lambda o: f"#{o.pk}", above=False))

_DETAILS = {
    "name": _("Name"), "day": _("Donation day"), "unit": _("Unit"), "donors": _("Donors"), "amount": _("Amount"),
    "receipt": _("Receipt number"), "member": _("A member of the registry"), "units": _("Units"),
    "total": _("Total"), "places": _("Places"), "subsidy": _("Subsidy per person"), "before": _("Places before"),
    "scheme": _("Scheme"), "group": _("Group"), "reason": _("Reason"), "place": _("Place"),
    "start_on": _("From"), "capacity": _("Capacity"), "count": _("People"), "attended": _("Attended"),
    "absent": _("Absent"), "file": _("File"), "rows": _("Rows"),
}
for _code, _label, _type in (
    ("aid.drive_create", _("Donation drive opened"), "aid.drive"),
    ("aid.drive_unit", _("Unit's donations recorded"), "aid.drive"),
    ("aid.drive_import", _("Units of a drive imported from a spreadsheet"), "aid.drive"),
    ("aid.donation_add", _("Named donation recorded"), "aid.drive"),
    ("aid.drive_close", _("Donation drive closed"), "aid.drive"),
    ("aid.scheme_create", _("Recuperation or check-up scheme set up"), "aid.scheme"),
    ("aid.quota_allocate", _("Places given to a union"), "aid.scheme"),
    ("aid.nomination_create", _("Member nominated"), "aid.nomination"),
    ("aid.nomination_approve", _("Nomination approved"), "aid.nomination"),
    ("aid.nomination_refuse", _("Nomination refused"), "aid.nomination"),
    ("aid.trip_create", _("Trip or check-up day set up"), "aid.scheme"),
    ("aid.trip_assign", _("People assigned to a trip"), "aid.scheme"),
    ("aid.attendance_mark", _("Attendance marked"), "aid.scheme"),
):
    register(_code, _label, group="aid_drives", object_type=_type, details=_DETAILS)
