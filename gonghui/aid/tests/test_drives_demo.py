"""The demo's drives and schemes, seeded over the test cast."""

import datetime
import random

import pytest

from gonghui.aid.models import Donation, Drive, DriveState, Nomination, NominationState, Quota, Scheme
from gonghui.core.models import Role
from gonghui.members.tests.factories import add_member
from gonghui.portal.models import Publication
from gonghui.testing import _user

pytestmark = pytest.mark.django_db


def test_seed_drives(cast):
    from gonghui.demo.aid_drives import seed_drives

    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(16):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=f"职工{i:02d}")
    counts = seed_drives(today=datetime.date(2026, 10, 15), rng=random.Random(3))
    assert set(Drive.objects.values_list("state", flat=True)) == {DriveState.OPEN, DriveState.CLOSED}
    assert Donation.objects.count() == 2 + counts["named_donations"]
    assert Publication.objects.filter(kind="aid.drive_totals").count() == 1
    assert Scheme.objects.count() == 2 and counts["quota_levels"] == 2
    # two levels down: county → township → the union, for each scheme
    assert Quota.objects.filter(org=cast.grassroots_a).count() == 2
    states = set(Nomination.objects.values_list("state", flat=True))
    assert {NominationState.ATTENDED, NominationState.ABSENT, NominationState.REFUSED} <= states
    assert counts["attended"] == Nomination.objects.filter(state=NominationState.ATTENDED).count() == 6
    assert len(set(Nomination.objects.values_list("group", flat=True))) >= 3
