"""The demo's key tasks and targets, seeded over the test cast."""

import datetime
import random

import pytest

from gonghui.core.models import Role
from gonghui.demo.oversight_tasks import seed_tasks
from gonghui.oversight.models import KeyTask, TargetPlan, TargetState, TaskKind
from gonghui.testing import _user

pytestmark = pytest.mark.django_db


def test_seed_tasks(cast):
    _user("city", "市总干部", Role.FEDERATION_STAFF, cast.city)
    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    counts = seed_tasks(today=datetime.date(2026, 6, 15), rng=random.Random(7))
    assert counts["practical"] == 15 == KeyTask.objects.filter(org=cast.city, kind=TaskKind.PRACTICAL).count()
    assert counts["done"] == 7 and counts["tasks"] == 6 + 15 + 3 + 3
    assert set(TargetPlan.objects.values_list("state", flat=True)) == {
        TargetState.DECLARED, TargetState.SUMMARISED, TargetState.REVIEWED, TargetState.EVALUATED}
    evaluated = TargetPlan.objects.get(state=TargetState.EVALUATED)
    assert evaluated.grade and evaluated.total_score == 94
