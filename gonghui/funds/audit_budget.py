"""Audit labels of the funds actions: budgets, decisions, final accounts, audits, suppliers, the public board."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from .models import BudgetState, FindingState, MeetingKind


def _budgets(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .selectors_budget import budget_list

    if not actor.can("funds.view"):
        return {}
    rows = budget_list(actor=actor).filter(pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "org__code",
                                                                                                "org__name", "year")
    return {str(pk): DisplayedObject(f"{name} {year}", reverse("funds:budget_detail", args=[code, year]))
            for pk, code, name, year in rows}


def _audits(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .selectors_budget import audit_list

    if not actor.can("funds.view"):
        return {}
    rows = audit_list(actor=actor).filter(pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "org__code",
                                                                                              "org__name", "year")
    return {str(pk): DisplayedObject(f"{name} {year}", reverse("funds:audit_detail", args=[code, year]))
            for pk, code, name, year in rows}


register_group("funds", _("Funds"))
register_object_type("funds.budget", _("Budget"), _budgets)
register_object_type("funds.final_account", _("Final account"))
register_object_type("funds.disclosure", _("Public board"))
register_object_type("funds.decision", _("Collective decision"))
register_object_type("funds.audit", _("Annual audit"), _audits)
register_object_type("funds.supplier", _("Central purchasing supplier"))

_DETAILS = {
    "union": _("Union"), "year": _("Year"), "account": _("Account"), "amount": _("Amount"),
    "state": (_("State"), choices({**dict(BudgetState.choices), **dict(FindingState.choices)})),
    "opinion": _("Review opinion"), "decision": _("Decision reference"), "before": _("Amount before"),
    "change": _("Adjustment amount"), "after": _("Amount after"), "reason": _("Reason"), "income": _("Total income"),
    "expense": _("Total expenditure"), "three_public": _("Reception, official cars and trips abroad"),
    "reference": _("Decision reference"), "kind": (_("Meeting"), choices(MeetingKind)),
    "items": _("Items decided"), "linked": _("Voucher lines linked"), "vouchers": _("Vouchers checked"),
    "finding": _("Finding"), "due": _("Rectify by"), "note": _("Note"), "name": _("Supplier"),
    "uscc": _("Unified social credit code"), "file": _("File"), "added": _("Added"), "restored": _("Back on the list"),
    "kept": _("Already on the list"),
}
for _code, _label, _type in (
    ("budget_create", _("Budget drafted"), "funds.budget"),
    ("budget_line_set", _("Budget line set"), "funds.budget"),
    ("budget_line_remove", _("Budget line removed"), "funds.budget"),
    ("budget_review", _("Budget reviewed by the funds review committee"), "funds.budget"),
    ("budget_return", _("Budget sent back by the funds review committee"), "funds.budget"),
    ("budget_approve", _("Budget approved"), "funds.budget"),
    ("budget_adjust", _("Budget adjusted"), "funds.budget"),
    ("final_build", _("Final account built from the books"), "funds.final_account"),
    ("final_approve", _("Final account approved"), "funds.final_account"),
    ("disclosure_publish", _("Funds summary published on the public board"), "funds.disclosure"),
    ("disclosure_withdraw", _("Funds summary taken off the public board"), "funds.disclosure"),
    ("decision_record", _("Collective decision recorded"), "funds.decision"),
    ("audit_record", _("Annual audit recorded"), "funds.audit"),
    ("finding_add", _("Audit finding recorded"), "funds.audit"),
    ("finding_progress", _("Audit finding rectification updated"), "funds.audit"),
    ("supplier_add", _("Supplier added to the central purchasing list"), "funds.supplier"),
    ("supplier_deactivate", _("Supplier taken off the central purchasing list"), "funds.supplier"),
    ("supplier_import", _("Central purchasing suppliers imported"), "funds.supplier"),
):
    register(f"funds.{_code}", _label, group="funds", object_type=_type, details=_DETAILS)
