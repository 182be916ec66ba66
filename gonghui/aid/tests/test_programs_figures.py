"""The programs' aid.* figures against a hand count."""

import datetime
from decimal import Decimal

from gonghui.aid import programs
from gonghui.aid.models import ProgramKind, VisitTarget
from gonghui.aid.testing_programs import make_program, member
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, compute


def _paid(cast, program, people, **facts):
    staff = actor_for(cast.officer_a)
    for p in people:
        programs.grant_apply(actor=actor_for(cast.grassroots_officer), program=program, person=p,
                             org=cast.grassroots_a, facts=facts, bank_account="6222021234567890123")
    for g in program.grants.all():
        programs.grant_approve(actor=staff, grant=g)
    batch = programs.batch_create(actor=staff, program=program)
    programs.batch_pay(actor=staff, batch=batch, bank_reference="REF-1", paid_on=datetime.date(2026, 1, 20))


def test_figures_match_a_hand_count(cast):
    a, b, c = member(cast, "张三"), member(cast, "李四"), member(cast, "王五")
    warmth = make_program(cast, kind=ProgramKind.WARMTH)  # 500 each
    _paid(cast, warmth, [a, b])
    school = make_program(cast, kind=ProgramKind.SCHOLARSHIP, name="助学")
    _paid(cast, school, [c], admission_year="2026", school_level="专科", school_type="公办")  # 2000
    actor = actor_for(cast.grassroots_officer)
    day = datetime.date(2026, 1, 25)
    programs.visit_create(actor=actor, org=cast.grassroots_a, program=warmth, target=VisitTarget.HOUSEHOLD,
                          visited_on=day, place="张家", people=3, households=2, cash="600", goods_value="100")
    programs.visit_create(actor=actor, org=cast.grassroots_a, target=VisitTarget.ENTERPRISE, visited_on=day,
                          place="某厂", people=1, enterprises=1, cash="1000")
    programs.visit_create(actor=actor, org=cast.grassroots_a, target=VisitTarget.MODEL_WORKER, visited_on=day,
                          place="劳模", people=2, cash="800")
    programs.visit_create(actor=actor, org=cast.grassroots_a, target=VisitTarget.HOUSEHOLD, visited_on=day,
                          place="李家", people=1, households=1, cash="300")
    programs.visit_create(actor=actor, org=cast.grassroots_a, target=VisitTarget.VILLAGE_TEAM,
                          visited_on=datetime.date(2027, 1, 2), place="驻村", people=5, cash="5000")
    keys = ["aid.warmth_raised", "aid.warmth_visits", "aid.warmth_households", "aid.warmth_enterprises",
            "aid.model_worker_visits", "aid.model_worker_amount", "aid.hardship_visits", "aid.hardship_amount",
            "aid.scholarship_recipients", "aid.scholarship_amount", "aid.village_team_members",
            "aid.village_team_amount"]
    got = {v.key: v.value for v in compute(cast.city, Period.parse("2026"), actor=actor_for(cast.city_staff),
                                           keys=keys)}
    assert got == {
        "aid.warmth_raised": Decimal("1700.00"),  # 2 × 500 + 600 + 100
        "aid.warmth_visits": 5, "aid.warmth_households": 4, "aid.warmth_enterprises": 1,
        "aid.model_worker_visits": 2, "aid.model_worker_amount": Decimal("800.00"),
        "aid.hardship_visits": 1, "aid.hardship_amount": Decimal("300.00"),
        "aid.scholarship_recipients": 1, "aid.scholarship_amount": Decimal("2000.00"),
        "aid.village_team_members": 0, "aid.village_team_amount": 0,
    }
    other = {v.key: v.value for v in compute(cast.county_b, Period.parse("2026"), actor=actor_for(cast.city_staff),
                                             keys=keys)}
    assert not any(other.values())
