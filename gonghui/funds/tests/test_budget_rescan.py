"""A budget approved or adjusted is measured again at once: the union's over-budget and unbudgeted rules run when the
change commits, so an adjustment with no new line does not wait for a full scan."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.access import actor_for
from gonghui.funds import books, budgets
from gonghui.funds.models import AlertLine, AlertState, Budget, BudgetLine, Decision
from gonghui.funds.testing import expense

pytestmark = pytest.mark.django_db


def _flagged(rule) -> set[str]:
    return set(AlertLine.objects.filter(alert__rule=rule).exclude(alert__state=AlertState.CLOSED)
               .values_list("line__summary", flat=True))


def test_an_adjustment_down_flags_the_spending_it_no_longer_covers(cast, django_capture_on_commit_callbacks):
    u, g = cast.grassroots_officer, cast.grassroots_a
    budget = Budget.objects.create(org=g, org_path=g.path, year=2026, state="approved")
    book = books.book_open(org=g, year=2026)
    BudgetLine.objects.create(budget=budget, account=books.account_find(book, "职工活动支出"), amount=Decimal("10000"))
    expense(u, g, "8000", summary="文体活动", account="50102", date=datetime.date(2026, 3, 1))
    decision = Decision.objects.create(org=g, org_path=g.path, kind="committee", date=datetime.date(2026, 3, 2),
                                       reference="工委〔2026〕3号", title="调整年度预算")
    assert _flagged("over_budget") == set()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        budgets.budget_adjust(actor=actor_for(u), budget=budget, account="职工活动支出", change="-3000",
                              reason="压减活动经费", decision=decision)
    assert len(callbacks) == 1
    assert _flagged("over_budget") == {"文体活动"}  # 8,000 spent against 7,000 now, with no new line


def test_a_refused_adjustment_scans_nothing(cast, django_capture_on_commit_callbacks):
    g = cast.grassroots_a
    budget = Budget.objects.create(org=g, org_path=g.path, year=2026, state="approved")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        budgets.budget_adjust(actor=actor_for(cast.grassroots_officer), budget=budget, account="职工活动支出",
                              change="0", reason="无", decision=None)
    assert callbacks == []
