"""Alert services: the union explains, a reviewer dismisses or confirms, the union records the rectification; and the
settings of the rules (per federation), the holiday-gift cap table and custom rules. Each write is one transaction
with one audit event."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.orgs.models import FEDERATION_LEVELS

from .books import money
from .models import Alert, AlertEvent, AlertState, CustomRule, HolidayGiftCap, RuleKey, RuleSettings
from .models.rules import BUILT_IN
from .rules.custom import compile_rule

# Which state each action may start from.
EXPLAINABLE = (AlertState.OPEN, AlertState.EXPLAINED)
REVIEWABLE = (AlertState.OPEN, AlertState.EXPLAINED)


def _text(value: str, field: str, message: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _move(*, actor, alert: Alert, to: str, note: str, fields: dict, action: str) -> Alert:
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.state = to
    alert.full_clean(validate_unique=False, validate_constraints=False)
    alert.save(update_fields=[*fields, "state", "updated_at"])
    AlertEvent.objects.create(alert=alert, to_state=to, note=note,
                              actor=actor.user if getattr(actor.user, "is_authenticated", False) else None,
                              actor_name=getattr(actor.user, "username", "") or actor.label)
    audit.record(actor=actor, action=action, object_type="funds.alert", object_id=alert.pk,
                 scope_path=alert.org_path, details={"rule": alert.rule, "state": to, "reason": note})
    return alert


def _state_error(alert: Alert):
    return ValidationError(_("This alert is %(state)s: that action is not open to it.") % {
        "state": alert.get_state_display()})


@transaction.atomic
def alert_explain(*, actor, alert: Alert, reason: str) -> Alert:
    """The union gives its explanation (the union itself or a federation above it that writes its books)."""
    actor.require("funds.write")
    actor.require_covers(alert.org_path)
    reason = _text(reason, "reason", _("Give the explanation."))
    alert = _locked(alert)
    if alert.state not in EXPLAINABLE:
        raise _state_error(alert)
    return _move(actor=actor, alert=alert, to=AlertState.EXPLAINED, note=reason, fields={"explanation": reason},
                 action="funds.alert_explain")


@transaction.atomic
def alert_dismiss(*, actor, alert: Alert, reason: str) -> Alert:
    """A reviewer (federation staff, auditor) accepts the spending: no problem."""
    actor.require("funds.review")
    actor.require_covers(alert.org_path)
    reason = _text(reason, "reason", _("Give the reason for dismissing the alert."))
    alert = _locked(alert)
    if alert.state not in REVIEWABLE:
        raise _state_error(alert)
    return _move(actor=actor, alert=alert, to=AlertState.DISMISSED, note=reason, fields={"review_reason": reason},
                 action="funds.alert_dismiss")


@transaction.atomic
def alert_confirm(*, actor, alert: Alert, reason: str) -> Alert:
    """A reviewer confirms the alert as a problem (问题线索) to be rectified."""
    actor.require("funds.review")
    actor.require_covers(alert.org_path)
    reason = _text(reason, "reason", _("Give the reason for confirming the problem."))
    alert = _locked(alert)
    if alert.state not in REVIEWABLE:
        raise _state_error(alert)
    return _move(actor=actor, alert=alert, to=AlertState.CONFIRMED, note=reason, fields={"review_reason": reason},
                 action="funds.alert_confirm")


@transaction.atomic
def alert_rectify(*, actor, alert: Alert, note: str) -> Alert:
    """The confirmed problem is put right (with a note saying how)."""
    actor.require("funds.write")
    actor.require_covers(alert.org_path)
    note = _text(note, "note", _("Say how the problem was put right."))
    alert = _locked(alert)
    if alert.state != AlertState.CONFIRMED:
        raise _state_error(alert)
    return _move(actor=actor, alert=alert, to=AlertState.RECTIFIED, note=note,
                 fields={"rectify_note": note, "closed_at": timezone.now()}, action="funds.alert_rectify")


@transaction.atomic
def alert_file_problem(*, actor, alert: Alert):
    """A confirmed alert goes on the problem list (source 智能监控预警) with a link back; once only."""
    from gonghui.oversight.problems import problem_create
    from gonghui.oversight.selectors_problems import problems_linked

    actor.require("oversight.write")
    actor.require_covers(alert.org_path)
    alert = _locked(alert)
    if alert.state != AlertState.CONFIRMED:
        raise _state_error(alert)
    if problems_linked(actor=actor, link_kind="funds.alert", link_id=alert.pk):
        raise ValidationError(_("This alert is already on the problem list."))
    rule = alert.get_rule_display()
    return problem_create(actor, org=alert.union, source_key="monitoring", category_key="funds_use",
                          title=f"{rule}：{alert.message}"[:200],
                          description="\n".join(t for t in (alert.message, alert.review_reason) if t),
                          link_kind="funds.alert", link_id=alert.pk,
                          link_label=_("Funds alert: %(rule)s (%(union)s, %(year)s)") % {
                              "rule": rule, "union": alert.union.name, "year": alert.year})


def _federation(actor, org) -> None:
    actor.require("funds.settings")
    actor.require_covers(org.path)
    if org.level not in FEDERATION_LEVELS:
        raise ValidationError({"org": _("%(org)s is not a federation: rules are set by federations.") % {
            "org": org.name}})


@transaction.atomic
def rule_settings_save(*, actor, org, disabled: list[str], threshold, window_days: int, cash_limit,
                       banned_words: str) -> RuleSettings:
    """A federation's settings of the built-in rules; every union below it without settings of its own uses them."""
    _federation(actor, org)
    bad = [r for r in disabled if r not in BUILT_IN]
    if bad:
        raise ValidationError({"disabled": _("Unknown rule: %(rule)s") % {"rule": ", ".join(bad)}})
    threshold = money(threshold, label=_("Collective-decision threshold"))
    cash_limit = money(cash_limit, label=_("Cash payment limit"))
    if threshold <= 0:
        raise ValidationError({"threshold": _("The threshold must be above zero.")})
    if cash_limit <= 0:
        raise ValidationError({"cash_limit": _("The cash limit must be above zero.")})
    if not isinstance(window_days, int) or not 1 <= window_days <= 31:
        raise ValidationError({"window_days": _("The window is 1 to 31 days.")})
    words = "\n".join(dict.fromkeys(w.strip() for w in (banned_words or "").splitlines() if w.strip()))
    row = RuleSettings.objects.select_for_update().filter(org=org).first() or RuleSettings(org=org,
                                                                                             org_path=org.path)
    row.disabled, row.threshold, row.window_days, row.cash_limit, row.banned_words = (
        sorted(set(disabled)), threshold, window_days, cash_limit, words)
    row.updated_by = actor.user if getattr(actor.user, "is_authenticated", False) else None
    row.full_clean(validate_unique=False)
    if row.pk:
        row.save(update_fields=["disabled", "threshold", "window_days", "cash_limit", "banned_words", "updated_by",
                                "updated_at"])
    else:
        row.save()
    audit.record(actor=actor, action="funds.rule_settings", object_type="org", object_id=org.code,
                 scope_path=org.path, details={"disabled": row.disabled, "threshold": str(threshold),
                                               "window_days": window_days, "cash_limit": str(cash_limit),
                                               "words": len(row.words)})
    return row


@transaction.atomic
def gift_cap_add(*, actor, org, effective_from: datetime.date, amount) -> HolidayGiftCap:
    _federation(actor, org)
    amount = money(amount, label=_("Cap a member a year"))
    if amount <= 0:
        raise ValidationError({"amount": _("The cap must be above zero.")})
    if HolidayGiftCap.objects.filter(org=org, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("%(org)s already has a cap from %(date)s.") % {
            "org": org.name, "date": effective_from.isoformat()}})
    cap = HolidayGiftCap(org=org, org_path=org.path, effective_from=effective_from, amount=amount,
                         created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None)
    cap.full_clean(validate_unique=False)
    cap.save()
    audit.record(actor=actor, action="funds.gift_cap_add", object_type="org", object_id=org.code,
                 scope_path=org.path, details={"from": effective_from.isoformat(), "amount": str(amount)})
    return cap


@transaction.atomic
def gift_cap_delete(*, actor, cap: HolidayGiftCap) -> None:
    actor.require("funds.settings")
    actor.require_covers(cap.org_path)
    details = {"from": cap.effective_from.isoformat(), "amount": str(cap.amount)}
    path, code = cap.org_path, cap.org.code
    cap.delete()
    audit.record(actor=actor, action="funds.gift_cap_delete", object_type="org", object_id=code, scope_path=path,
                 details=details)


@transaction.atomic
def custom_rule_save(*, actor, org, name: str, conditions: dict, enabled: bool = False,
                     rule: CustomRule | None = None) -> CustomRule:
    """Create or change a custom rule; its conditions are compiled (and refused with the condition named) first."""
    _federation(actor, org)
    name = _text(name, "name", _("Give the rule a name."), limit=80)
    compile_rule(conditions)
    if CustomRule.objects.filter(org=org, name=name).exclude(pk=getattr(rule, "pk", None)).exists():
        raise ValidationError({"name": _("%(org)s already has a rule named %(name)s.") % {"org": org.name,
                                                                                         "name": name}})
    if rule is None:
        rule = CustomRule(org=org, org_path=org.path,
                          created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None)
    elif not actor.covers(rule.org_path):
        raise PermissionDenied("funds.settings")
    rule.name, rule.conditions, rule.enabled = name, conditions, bool(enabled)
    rule.full_clean(validate_unique=False)
    if rule.pk:
        rule.save(update_fields=["name", "conditions", "enabled", "updated_at"])
    else:
        rule.save()
    audit.record(actor=actor, action="funds.custom_rule_save", object_type="funds.custom_rule", object_id=rule.pk,
                 scope_path=org.path, details={"name": name, "enabled": rule.enabled})
    return rule


def amount_text(value: Decimal) -> str:
    return f"{value:,.2f}"


RULE_LABELS = dict(RuleKey.choices)
