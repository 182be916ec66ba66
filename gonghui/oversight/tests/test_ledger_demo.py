"""The demo's ledger seed: measures in every color, two dispatch rounds, a closure, a meeting, a snail list."""

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.demo.oversight_ledger import seed_ledger
from gonghui.oversight.models import DispatchRound, Measure, Meeting, SnailPublication
from gonghui.oversight.testing_ledger import final_problem

pytestmark = pytest.mark.django_db


def test_seed_ledger(cast, monkeypatch):
    monday_2_march_2026(monkeypatch)
    finals = [final_problem(org, f"问题{i}") for i, org in enumerate([cast.grassroots_a, cast.county_a] * 6)]
    counts = seed_ledger(finals)
    assert counts["measures"] == Measure.objects.count() >= 12
    colors = set(Measure.objects.filter(state="open").values_list("color", flat=True))
    assert {"red", "yellow", "blue"} <= colors
    assert Measure.objects.filter(state="closed").exists()
    assert DispatchRound.objects.count() == 2 and Meeting.objects.count() == 1
    pub = SnailPublication.objects.get(org=cast.county_a)
    assert any(u["overdue_days"] for u in pub.units) and any(u["missed"] for u in pub.units)
