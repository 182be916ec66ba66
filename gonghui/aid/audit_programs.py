"""Audit labels of the programs, grants, payment batches and visits."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, register, register_group, register_object_type


def _resolver(model_name: str, url_name: str, text):
    def resolve(actor, ids: list[str]) -> dict[str, DisplayedObject]:
        from django.apps import apps

        from .selectors_programs import _ancestors_or_below

        if not actor.can("aid.view"):
            return {}
        model = apps.get_model("aid", model_name)
        scope = _ancestors_or_below(actor) if model_name == "Program" else None
        qs = model.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
        qs = qs.filter(scope) if scope is not None else qs.filter(org_path__startswith=actor.org.path)
        return {str(o.pk): DisplayedObject(text(o), reverse(url_name, args=[o.pk])) for o in qs}
    return resolve


register_group("aid_programs", _("Assistance programs and grants"))
register_object_type("aid.program", _("Assistance program"),
                     _resolver("Program", "aid:program_detail", lambda o: str(o)))
register_object_type("aid.grant", _("Assistance grant"), _resolver("Grant", "aid:grant_detail", lambda o: f"#{o.pk}"))
register_object_type("aid.batch", _("Payment batch"), _resolver("PaymentBatch", "aid:batch_detail",
                                                                lambda o: f"#{o.pk}"))
register_object_type("aid.visit", _("Assistance visit"), _resolver("AidVisit", "aid:visit_detail",
                                                                   lambda o: o.place))

_DETAILS = {
    "name": _("Program name"), "budget": _("Budget"), "rules": _("Rules"), "program": _("Program"),
    "amount": _("Amount"), "reason": _("Reason"), "count": _("Grants"), "total": _("Total"),
    "reference": _("Bank reference"), "voucher": _("Voucher"), "full": _("Full account numbers"),
    "target": _("Visited"), "people": _("People visited"), "cash": _("Cash given"),
    "without_account": _("Approved, waiting for a bank account"), "file": _("File"), "rows": _("Rows"),
}
G = "aid_programs"
for _code, _label, _type in (
    ("aid.program_create", _("Assistance program set up"), "aid.program"),
    ("aid.program_rules", _("Program rules changed"), "aid.program"),
    ("aid.grant_apply", _("Grant applied for"), "aid.grant"),
    ("aid.grant_approve", _("Grant approved"), "aid.grant"),
    ("aid.grant_refuse", _("Grant refused"), "aid.grant"),
    ("aid.grant_import", _("Grants imported from a spreadsheet"), "aid.program"),
    ("aid.batch_create", _("Payment batch made"), "aid.batch"),
    ("aid.batch_file", _("Bank transfer file downloaded"), "aid.batch"),
    ("aid.batch_pay", _("Payment batch paid"), "aid.batch"),
    ("aid.visit_create", _("Assistance visit recorded"), "aid.visit"),
):
    register(_code, _label, group=G, object_type=_type, details=_DETAILS)
