"""A re-scan updates the alert it raised before when its numbers move, instead of raising another."""

import datetime

import pytest

from gonghui.core.access import actor_for
from gonghui.funds.models import Alert
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense

pytestmark = pytest.mark.django_db


def test_a_growing_total_updates_its_alert(cast):
    officer = cast.officer_b
    gift = {"account": "职工活动支出-节日慰问", "summary": "春节慰问品"}
    expense(officer, cast.grassroots_b, "2500", date=datetime.date(2026, 1, 20), **gift)
    scan(actor=actor_for(officer), org=cast.county_b, year=2026, rules=["holiday_gift_cap"])
    alert = Alert.objects.get(rule="holiday_gift_cap")
    before = (alert.message, alert.amount)
    expense(officer, cast.grassroots_b, "700", date=datetime.date(2026, 9, 20), **gift)
    scan(actor=actor_for(officer), org=cast.county_b, year=2026, rules=["holiday_gift_cap"])
    again = Alert.objects.get(rule="holiday_gift_cap")
    assert again.pk == alert.pk and (again.message, again.amount) != before
    assert "3,200.00" in again.message and again.alert_lines.count() == 2
