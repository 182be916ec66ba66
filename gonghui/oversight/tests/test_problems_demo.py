"""The demo's problem list, seeded over the test cast: every source, every stage, some final for the ledger."""

import datetime
import random

import pytest

from gonghui.core.access import actor_for
from gonghui.core.models import Role
from gonghui.demo.oversight_problems import final_problems, seed_problems
from gonghui.funds import audits
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense
from gonghui.oversight.models import Problem, Source, Stage
from gonghui.testing import _org, _user

pytestmark = pytest.mark.django_db


def test_seed_problems(cast):
    _user("city", "市总干部", Role.FEDERATION_STAFF, cast.city)
    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(2, 5):
        _org(cast.township_a, f"GA{i}", f"东湖{i}厂工会", "grassroots", "enterprise")
    # The funds demo left an alert and an audit with open findings in the county.
    expense(cast.grassroots_officer, cast.grassroots_a, "600", summary="购物卡")
    scan(actor=actor_for(cast.officer_a), org=cast.grassroots_a, year=2026)
    record = audits.audit_record(actor=actor_for(cast.officer_a), org=cast.grassroots_a, year=2025, auditor="经审会",
                                 started_on=datetime.date(2026, 2, 1), ended_on=datetime.date(2026, 2, 3),
                                 vouchers_checked=10, conclusion="基本规范")
    for text in ("会议费无签到表", "采购未比价"):
        audits.finding_add(actor=actor_for(cast.officer_a), audit_=record, text=text, due_on=datetime.date(2026, 5, 1))
    counts = seed_problems(today=datetime.date(2026, 6, 15), rng=random.Random(7))
    assert counts["problems"] == Problem.objects.count() >= 13
    assert counts["sources"] == Source.objects.count()
    assert set(Problem.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Problem.objects.filter(returned=True).exists() and Problem.objects.filter(returns__gte=1,
                                                                                    stage=Stage.FINAL).exists()
    final = final_problems()
    assert len(final) == counts["final"] >= 5 and all(p.meeting_name for p in final)
    assert Problem.objects.get(source__key="tip").cadre_name == "刘建华"
    assert counts["linked"] == 3
    assert Problem.objects.get(link_kind="funds.alert").stage == Stage.FINAL
    assert Problem.objects.filter(link_kind="funds.finding").count() == 2
    assert not Problem.objects.exclude(org_path__startswith=cast.county_a.path).exists()
