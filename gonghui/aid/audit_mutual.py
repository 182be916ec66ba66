"""Audit labels of the medical mutual aid plans, enrolments and claims."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type

from . import attachments_mutual, board_mutual  # noqa: F401  (the evidence owner, the board kind)


def _resolver(model_name: str, url_name: str, text):
    def resolve(actor, ids: list[str]) -> dict[str, DisplayedObject]:
        from django.apps import apps

        from .selectors_programs import _ancestors_or_below

        if not actor.can("aid.view"):
            return {}
        model = apps.get_model("aid", model_name)
        scope = _ancestors_or_below(actor) if model_name == "MutualPlan" else None
        qs = model.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
        qs = qs.filter(scope) if scope is not None else qs.filter(org_path__startswith=actor.org.path)
        return {str(o.pk): DisplayedObject(text(o), reverse(url_name, args=[o.pk])) for o in qs}
    return resolve


register_group("aid_mutual", _("Medical mutual aid"))
register_object_type("aid.mutual_plan", _("Medical mutual aid plan"),
                     _resolver("MutualPlan", "aid:mutual_plan", lambda o: str(o)))
register_object_type("aid.mutual_claim", _("Medical mutual aid claim"),
                     _resolver("MutualClaim", "aid:mutual_claim", lambda o: f"#{o.pk}"))

_DETAILS = {
    "name": _("Plan name"), "year": _("Year"), "fund": _("Fund"), "state": _("State"), "unit": _("Unit"),
    "count": _("Workers"), "file": _("File"), "subsidy": _("Subsidy"), "capped": _("Limited by the annual cap"),
    "grant": _("Grant"), "reason": _("Reason"),
}
G = "aid_mutual"
for _code, _label, _type in (
    ("aid.mutual_plan_create", _("Medical mutual aid plan set up"), "aid.mutual_plan"),
    ("aid.mutual_plan_open", _("Medical mutual aid plan opened"), "aid.mutual_plan"),
    ("aid.mutual_plan_close", _("Medical mutual aid plan closed"), "aid.mutual_plan"),
    ("aid.mutual_enrol", _("Worker enrolled in medical mutual aid"), "aid.mutual_plan"),
    ("aid.mutual_enrol_import", _("Workers enrolled from a spreadsheet"), "aid.mutual_plan"),
    ("aid.mutual_claim_file", _("Medical mutual aid claim filed"), "aid.mutual_claim"),
    ("aid.mutual_claim_approve", _("Medical mutual aid claim approved"), "aid.mutual_claim"),
    ("aid.mutual_claim_refuse", _("Medical mutual aid claim refused"), "aid.mutual_claim"),
):
    register(_code, _label, group=G, object_type=_type, details=_DETAILS)
