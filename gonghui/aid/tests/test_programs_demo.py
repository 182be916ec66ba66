"""The demo's programs, seeded over the test cast."""

import datetime
import random

import pytest

from gonghui.aid.models import AidVisit, BatchState, Grant, GrantState, PaymentBatch, Program
from gonghui.core.models import Role
from gonghui.funds.models import Voucher
from gonghui.members.tests.factories import add_member
from gonghui.testing import _user

pytestmark = pytest.mark.django_db


def test_seed_programs(cast):
    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(14):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=f"职工{i:02d}")
    counts = seed_programs_run()
    assert counts["programs"] == Program.objects.count() == 6  # with 送温暖 from the archive (nothing filed here)
    assert counts["from_archive"] == 0
    states = set(Grant.objects.values_list("state", flat=True))
    assert states == {GrantState.APPLIED, GrantState.APPROVED, GrantState.REFUSED, GrantState.PAID}
    paid = PaymentBatch.objects.get(state=BatchState.PAID)
    assert Voucher.objects.filter(pk=paid.voucher_id, source_ref=f"aid.batch:{paid.pk}").exists()
    assert AidVisit.objects.count() == counts["visits"] == 5


def seed_programs_run():
    from gonghui.demo.aid_programs import seed_programs

    return seed_programs(today=datetime.date(2026, 10, 15), rng=random.Random(3))
