"""Reads of the rule engine, each scoped to the actor's subtree: an alert outside it is a 404, like a missing one."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gonghui.core.menu import count_badge

from .models import Alert, AlertLine, AlertState, CustomRule, HolidayGiftCap, RuleSettings, VoucherLine

STATE_TABS = [AlertState.OPEN, AlertState.EXPLAINED, AlertState.CONFIRMED, AlertState.DISMISSED,
              AlertState.RECTIFIED, AlertState.CLOSED]


def alert_scope(*, actor) -> QuerySet[Alert]:
    if not actor.can("funds.view"):
        return Alert.objects.none()
    return Alert.objects.filter(org_path__startswith=actor.org.path)


def alert_list(*, actor, filters: dict | None = None) -> QuerySet[Alert]:
    f = filters or {}
    qs = alert_scope(actor=actor)
    if f.get("org") is not None:
        qs = qs.filter(org_path__startswith=f["org"].path)
    if f.get("rule"):
        qs = qs.filter(rule=f["rule"])
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    return qs.select_related("union", "custom_rule")


def alert_counts(*, actor, filters: dict | None = None) -> dict[str, int]:
    """Alerts by state (the tabs): one GROUP BY over the alerts' path index."""
    f = {k: v for k, v in (filters or {}).items() if k != "state"}
    rows = alert_list(actor=actor, filters=f).order_by().values("state").annotate(n=Count("pk"))
    counts = dict.fromkeys(STATE_TABS, 0)
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


def alert_chart(*, actor, filters: dict | None = None) -> dict:
    """Alerts by rule and by unit (the top 10 unions), from aggregate queries."""
    qs = alert_list(actor=actor, filters=filters).order_by()
    by_rule = list(qs.values("rule").annotate(n=Count("pk")).order_by("-n", "rule"))
    by_unit = list(qs.values("union__name").annotate(n=Count("pk")).order_by("-n", "union__name")[:10])
    return {"rule": by_rule, "unit": by_unit}


def open_count(*, actor) -> int:
    """The menu badge: open alerts in the subtree, one read of the partial index on open alerts."""
    return _open_alerts(actor).count()


def _open_alerts(actor) -> QuerySet[Alert]:
    return alert_scope(actor=actor).filter(state=AlertState.OPEN)


@count_badge
def menu_badge(actor) -> list[QuerySet[Alert]] | None:
    return [_open_alerts(actor)] if actor.can("funds.view") else None


def alert_get(*, actor, pk: int) -> Alert:
    alert = alert_scope(actor=actor).select_related("union", "custom_rule", "fund_return").filter(pk=pk).first()
    if alert is None:
        raise Http404
    return alert


def alert_lines(*, alert: Alert) -> QuerySet[VoucherLine]:
    ids = AlertLine.objects.filter(alert=alert).values("line_id")
    return (VoucherLine.objects.filter(pk__in=ids).select_related("voucher", "account", "decision")
            .order_by("date", "pk"))


def alert_events(*, alert: Alert):
    return alert.events.order_by("at", "pk")


def flagged_rows(*, actor, org, year: int) -> QuerySet:
    """One row per flagged line of the year in the subtree, for every current alert (all but those closed)."""
    return (AlertLine.objects.filter(alert__org_path__startswith=org.path, alert__year=year)
            .exclude(alert__state=AlertState.CLOSED)
            .values_list("alert__rule", "alert__union__code", "line__voucher__word", "line__voucher__number",
                         "line__date", "line__debit", "alert__message")
            .order_by("alert__rule", "alert__union__code", "line__date", "line__voucher__number", "line_id"))


def return_rows(*, actor, org, year: int) -> QuerySet:
    return (alert_scope(actor=actor).filter(org_path__startswith=org.path, year=year, fund_return__isnull=False)
            .exclude(state=AlertState.CLOSED)
            .values_list("rule", "union__code", "fund_return__receipt_no", "fund_return__receipt_on",
                         "fund_return__amount", "message")
            .order_by("union__code", "fund_return__receipt_on", "pk"))


def settings_list(*, actor) -> QuerySet[RuleSettings]:
    return RuleSettings.objects.filter(org_path__startswith=actor.org.path).select_related("org")


def gift_caps(*, actor) -> QuerySet[HolidayGiftCap]:
    return (HolidayGiftCap.objects.filter(Q(org_path__startswith=actor.org.path))
            .select_related("org").order_by("org_path", "-effective_from"))


def gift_cap_get(*, actor, pk: int) -> HolidayGiftCap:
    cap = gift_caps(actor=actor).filter(pk=pk).first()
    if cap is None:
        raise Http404
    return cap


def custom_rules(*, actor) -> QuerySet[CustomRule]:
    return CustomRule.objects.filter(org_path__startswith=actor.org.path).select_related("org").order_by("org_path",
                                                                                                         "name")


def custom_rule_get(*, actor, pk: int) -> CustomRule:
    rule = custom_rules(actor=actor).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule
