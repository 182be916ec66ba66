"""The demo's budgets, decisions, audits and boards, seeded over the test cast."""

import datetime
import random
from decimal import Decimal

import pytest

from gonghui.core.models import Role
from gonghui.demo.funds_budget import seed_budget
from gonghui.funds.models import Audit, Budget, Decision, Disclosure, Supplier, VoucherLine
from gonghui.funds.testing import expense, post
from gonghui.orgs.models import Org
from gonghui.testing import _org, _user

pytestmark = pytest.mark.django_db


def test_seed_budget(cast):
    _user("city", "市总干部", Role.FEDERATION_STAFF, cast.city)
    _user("auditor", "经审委员", Role.AUDITOR, cast.city)
    for i in range(2, 11):  # ten grassroots unions: the tenth has no budget
        _org(cast.township_a, f"GA{i}", f"东湖{i}厂工会", "grassroots", "enterprise")
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=datetime.date(2025, 3, 1), lines=[("102", "会费", "900", "0"),
                                                                      ("401", "会费", "0", "900")])
    expense(u, cast.grassroots_a, "26000", summary="职工疗休养", decision_ref="GA党〔2025〕2号",
            date=datetime.date(2025, 7, 1))
    counts = seed_budget(today=datetime.date(2026, 6, 15), rng=random.Random(7))
    grassroots = Org.objects.filter(level="grassroots").count()
    assert grassroots == 11
    # Budgets follow each union's own spending: only GA has books to budget from (last year's 26,000 of activities).
    assert counts["budgets"] == Budget.objects.filter(year=2026, state="approved").count() == 1
    line = Budget.objects.get(org=cast.grassroots_a, year=2026).lines.get(account__path="职工活动支出")
    assert Decimal("28600") <= line.amount <= Decimal("33800")
    assert counts["audits"] == Audit.objects.filter(year=2025).count() == 6
    assert Disclosure.objects.filter(year=2025).count() == counts["boards"] == 1  # only GA has books in 2025
    assert not Supplier.objects.exists()
    # The recorded large expense got its decision; one 30,000 expense is left without any.
    assert Decision.objects.get(reference="GA党〔2025〕2号").lines.count() == 1
    bare = VoucherLine.objects.filter(kind="expense", debit__gte=20000, decision_ref="")
    assert list(bare.values_list("debit", flat=True)) == [Decimal("30000.00")]
    assert VoucherLine.objects.filter(kind="expense", debit__gte=20000, decision__isnull=False).count() == 4
