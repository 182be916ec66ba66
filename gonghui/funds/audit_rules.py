"""Audit labels of the funds actions: rules (scans, alerts and their review, rule settings, caps, custom rules)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from . import signals_rules  # noqa: F401  (the rule engine's signal receivers, connected at start-up)
from .models import AlertState, RuleKey


def _alerts(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .selectors_rules import alert_scope

    labels = dict(RuleKey.choices)
    rows = alert_scope(actor=actor).filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
        "pk", "rule", "union__name")
    return {str(pk): DisplayedObject(f"{labels.get(rule, rule)}（{name}）", reverse("funds:alert_detail", args=[pk]))
            for pk, rule, name in rows}


register_group("funds_rules", _("Funds monitoring"))
register_object_type("funds.alert", _("Funds alert"), _alerts)
register_object_type("funds.custom_rule", _("Custom rule"))

_DETAILS = {
    "rule": (_("Rule"), choices(RuleKey)), "state": (_("State"), choices(AlertState)), "reason": _("Reason"),
    "year": _("Year"), "found": _("Alerts found"), "created": _("New alerts"), "cleared": _("No longer found"),
    "unions": _("Unions scanned"), "alerts": _("Alerts"), "disabled": _("Rules switched off"),
    "threshold": _("Collective-decision threshold"), "window_days": _("Split-purchase window (days)"),
    "cash_limit": _("Cash payment limit"), "words": _("Banned words"), "from": _("In force from"),
    "amount": _("Amount"), "name": _("Rule name"), "enabled": _("Switched on"),
}
G = "funds_rules"
for _code, _label in (
    ("funds.alerts_scan", _("Funds rules scanned")), ("funds.alerts_close", _("Alerts closed by reversal")),
    ("funds.alert_explain", _("Alert explained")), ("funds.alert_dismiss", _("Alert dismissed")),
    ("funds.alert_confirm", _("Alert confirmed as a problem")), ("funds.alert_rectify", _("Alert rectified")),
):
    register(_code, _label, group=G, object_type="funds.alert", details=_DETAILS)
for _code, _label in (
    ("funds.rule_settings", _("Rule settings changed")), ("funds.gift_cap_add", _("Holiday-gift cap added")),
    ("funds.gift_cap_delete", _("Holiday-gift cap deleted")), ("funds.custom_rule_save", _("Custom rule saved")),
):
    register(_code, _label, group=G, object_type="org", details=_DETAILS)
