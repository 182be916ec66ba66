"""The demo's income: dues, allocations and returns in every state the screens show, through the services."""

import datetime
import random

import pytest

from gonghui.casework.testing import Clock
from gonghui.demo.funds_income import seed_income
from gonghui.funds.models import Allocation, DuesMonth, FundReturn, Voucher

pytestmark = pytest.mark.django_db


def test_seed_income_makes_every_kind_of_return(cast, monkeypatch):
    clock = Clock(monkeypatch, datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.timezone(
        datetime.timedelta(hours=8))))
    counts = seed_income(today=clock.today, rng=random.Random(3))
    assert counts["unions"] == 2  # the cast's two grassroots unions
    assert DuesMonth.objects.filter(year=2025).count() == 24 and DuesMonth.objects.filter(year=2026).count() == 20
    assert Allocation.objects.count() == 2 * (4 + 3)
    states = sorted(FundReturn.objects.values_list("state", "color", "late"))
    assert ("pending", "red", False) in states and ("pending", "blue", False) in states
    assert ("paid", "", True) in states and ("paid", "", False) in states
    assert Voucher.objects.filter(org=cast.county_a).exists()
