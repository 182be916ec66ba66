"""The demo's medical mutual aid, seeded over the test cast: a plan of the county, enrolments across units, claims
at every state, one that hit the cap, a batch paid to the books."""

import datetime
import random

import pytest

from gonghui.aid.models import ClaimState, MutualClaim, MutualEnrolment, MutualPlan, PlanState
from gonghui.core.models import Role
from gonghui.funds.models import Voucher
from gonghui.members.tests.factories import add_member
from gonghui.testing import _user

pytestmark = pytest.mark.django_db


def test_seed_mutual(cast):
    from gonghui.demo.aid_mutual import seed_mutual

    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(12):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=f"职工{i:02d}")
    counts = seed_mutual(today=datetime.date(2026, 10, 15), rng=random.Random(3))
    plan = MutualPlan.objects.get()
    assert plan.state == PlanState.OPEN and plan.year == 2026
    assert counts["enrolled"] == MutualEnrolment.objects.count() >= 6
    claims = list(MutualClaim.objects.select_related("grant"))
    assert {c.status for c in claims} == set(ClaimState.values)
    assert counts["capped"] == sum(c.capped for c in claims) >= 1
    paid = [c for c in claims if c.status == ClaimState.PAID]
    assert Voucher.objects.filter(pk=paid[0].grant.batch.voucher_id).exists()
