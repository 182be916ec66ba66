"""The demo's visits, inspections and tips, seeded over the test cast."""

import datetime
import random

import pytest

from gonghui.core.models import Role
from gonghui.demo.oversight_visits import seed_visits
from gonghui.oversight.models import FieldVisit, InspectionItem, InspectionRound, Problem, Tip
from gonghui.oversight.tasks_visits import inspections_tick
from gonghui.testing import _org, _user

pytestmark = pytest.mark.django_db


def test_seed_visits(cast):
    _user("city", "市总干部", Role.FEDERATION_STAFF, cast.city)
    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    for i in range(2, 5):
        _org(cast.township_a, f"GA{i}", f"东湖{i}厂工会", "grassroots", "enterprise")
    counts = seed_visits(today=datetime.date(2026, 6, 15), rng=random.Random(7))
    assert counts["visits"] == FieldVisit.objects.count() >= 20
    assert FieldVisit.objects.filter(units__unit__isnull=True).exists()  # enterprises not yet unionized
    assert InspectionRound.objects.count() == 2 and counts["items"] == InspectionItem.objects.count()
    assert InspectionItem.objects.filter(state="open").count() == 1
    assert Tip.objects.count() == 4 and Tip.objects.filter(state="answered").count() == 3
    assert Problem.objects.filter(link_kind="oversight.tip").count() == 1
    assert Problem.objects.filter(link_kind="oversight.visit").count() == counts["findings_on_list"] - 1
    assert inspections_tick()["raised"] == 1
