"""Rule settings, caps and custom rules as services: permissions and bad input; the two figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core import figures
from gonghui.core.access import actor_for
from gonghui.funds import alerts
from gonghui.funds.models import Alert, RuleSettings
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense

pytestmark = pytest.mark.django_db
D = datetime.date


def _save(cast, user, org, **kw):
    args = {"disabled": [], "threshold": "20000", "window_days": 7, "cash_limit": "1000", "banned_words": "礼金",
            **kw}
    return alerts.rule_settings_save(actor=actor_for(user), org=org, **args)


def test_settings_saved_by_federation_staff_only(cast):
    row = _save(cast, cast.officer_a, cast.county_a, disabled=["cash_limit"], banned_words="礼金\n礼金\n红包")
    assert row.words == ["礼金", "红包"] and row.disabled == ["cash_limit"]
    assert RuleSettings.objects.count() == 1
    with pytest.raises(PermissionDenied):
        _save(cast, cast.grassroots_officer, cast.grassroots_a)
    with pytest.raises(Http404):
        _save(cast, cast.officer_b, cast.county_a)


@pytest.mark.parametrize("kw", [{"threshold": "0"}, {"threshold": "abc"}, {"window_days": 0},
                                {"cash_limit": "-5"}, {"disabled": ["nope"]}])
def test_settings_bad_input(cast, kw):
    with pytest.raises(ValidationError):
        _save(cast, cast.officer_a, cast.county_a, **kw)


def test_settings_only_for_a_federation(cast):
    with pytest.raises(ValidationError):
        _save(cast, cast.officer_a, cast.grassroots_a)


def test_caps_and_custom_rules_validated(cast):
    a = actor_for(cast.city_staff)
    alerts.gift_cap_add(actor=a, org=cast.city, effective_from=D(2025, 1, 1), amount="2200")
    with pytest.raises(ValidationError):
        alerts.gift_cap_add(actor=a, org=cast.city, effective_from=D(2025, 1, 1), amount="1500")
    with pytest.raises(ValidationError):
        alerts.gift_cap_add(actor=a, org=cast.city, effective_from=D(2026, 1, 1), amount="0")
    with pytest.raises(ValidationError, match="salary"):
        alerts.custom_rule_save(actor=a, org=cast.city, name="坏规则",
                                conditions={"conditions": [{"field": "salary", "op": "gt", "value": "1"}]})
    with pytest.raises(PermissionDenied):
        alerts.custom_rule_save(actor=actor_for(cast.auditor_a), org=cast.county_a, name="x",
                                conditions={"conditions": [{"field": "amount", "op": "gt", "value": "1"}]})


def test_figures_alerts_by_rule_and_confirmed(cast):
    expense(cast.grassroots_officer, cast.grassroots_a, "25000", summary="大额")
    expense(cast.grassroots_officer, cast.grassroots_a, "1500", summary="现金", paid_from="101")
    scan(actor=actor_for(cast.city_staff), org=cast.city, year=2026)
    alert = Alert.objects.get(rule="cash_limit")
    alerts.alert_confirm(actor=actor_for(cast.officer_a), alert=alert, reason="违规现金支付")
    today = datetime.date.today()
    period = figures.Period(today - datetime.timedelta(days=1), today + datetime.timedelta(days=1), "x")
    by_rule = dict(figures.get("funds.alerts").compute(cast.county_a, period))
    assert by_rule == {"大额支出无集体决策": 1, "现金支付超限": 1}
    assert figures.get("funds.alerts_confirmed").compute(cast.county_a, period) == 1
    assert figures.get("funds.alerts_confirmed").compute(cast.county_b, period) == 0
    assert Decimal("1500") == alert.amount
