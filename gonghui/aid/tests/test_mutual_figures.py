"""The medical mutual aid figures against a hand count: units and workers by plan year, the participation rate
against the members app's member count, claims and amounts by the day paid, the chart by unit."""

import datetime
from decimal import Decimal

from gonghui.aid import mutual, programs
from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute
from gonghui.members.tests.factories import add_member

KEYS = ["aid.mutual_units", "aid.mutual_covered", "aid.mutual_participation_rate", "aid.mutual_claims",
        "aid.mutual_amount", "aid.mutual_amount_by_unit"]


def _figures(cast, org, period):
    return {v.key: v.value for v in compute(org, Period.parse(period), actor=actor_for(cast.city_staff), keys=KEYS)}


def test_figures_match_a_hand_count(cast):
    plan = make_plan(cast)
    a, b, c = (enrolled(cast, plan, n) for n in ("张三", "李四", "王五"))  # 3 of 东湖机械厂工会
    branch = enrolled(cast, plan, "周敏", unit=cast.branch_a)  # 1 of its branch: a second unit
    add_member(cast.grassroots_officer, cast.grassroots_a, name="不参保")  # a member not covered
    officer, checker = cast.grassroots_officer, actor_for(cast.officer_a)
    paid = [file_claim(officer, a, self_paid="3000"),                        # 1000
            file_claim(officer, b, self_paid="13000"),                       # 5000, capped
            file_claim(officer, branch, self_paid="2000")]                   # 500
    for claim in paid:
        mutual.claim_approve(actor=checker, claim=claim)
    batch = programs.batch_create(actor=checker, program=plan.program)
    programs.batch_pay(actor=checker, batch=batch, bank_reference="REF-M-1", paid_on=datetime.date(2026, 4, 20))
    late = file_claim(officer, c, self_paid="5000", day=datetime.date(2026, 5, 1))  # 2000, paid in June
    mutual.claim_approve(actor=checker, claim=late)
    batch = programs.batch_create(actor=checker, program=plan.program)
    programs.batch_pay(actor=checker, batch=batch, bank_reference="REF-M-2", paid_on=datetime.date(2026, 6, 3))
    file_claim(officer, c, self_paid="1500", day=datetime.date(2026, 7, 1))  # 250, awaiting review: not counted
    refused = file_claim(officer, a, self_paid="1500", day=datetime.date(2026, 7, 2))
    mutual.claim_refuse(actor=checker, claim=refused, reason="材料不全")
    other_year = make_plan(cast, year=2027, name="2027年职工医疗互助")
    mutual.enrol(actor=actor_for(officer), plan=other_year, unit=cast.grassroots_a, person=a.person)

    got = _figures(cast, cast.city, "2026")
    assert got == {
        "aid.mutual_units": 2, "aid.mutual_covered": 4,
        "aid.mutual_participation_rate": Decimal("80.0"),  # 4 covered of 5 members
        "aid.mutual_claims": 4, "aid.mutual_amount": Decimal("8500.00"),  # 1000 + 5000 + 500 + 2000
        "aid.mutual_amount_by_unit": [("东湖区总工会", 8500)],
    }
    h1 = _figures(cast, cast.grassroots_a, "2026-04")
    assert h1["aid.mutual_claims"] == 3 and h1["aid.mutual_amount"] == Decimal("6500.00")
    assert h1["aid.mutual_amount_by_unit"] == [("东湖机械厂工会", 6000), ("一车间分会", 500)]
    assert _figures(cast, cast.city, "2027")["aid.mutual_covered"] == 1
    assert not any(_figures(cast, cast.county_b, "2026").values())
