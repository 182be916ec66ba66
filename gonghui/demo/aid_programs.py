"""The demo's assistance programs, played through the services by the county (``donghu``, the checker) and the
grassroots officer (``union``, the maker):

- a year of programs of 东湖区总工会: 送温暖 (on 维权支出-送温暖), 金秋助学, 生病住院慰问, 白事慰问, 困难劳模慰问 (on
  维权支出-困难职工帮扶);
- grants to members of the officer's union at every state: applied, approved, refused, paid (a paid batch posted to
  the county's books with the bank's reference) and one approved batch still awaiting payment;
- visits (走访慰问) to households, a model worker, an enterprise in difficulty and a village work team.

``seed_programs(today=..., rng=...)`` returns counts.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from gonghui.aid import programs
from gonghui.aid import warmth as warmth_mod
from gonghui.aid.models import GrantState, ProgramKind, VisitTarget
from gonghui.core.access import actor_for
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def seed_programs(*, today: datetime.date, rng, county: str = "donghu", union: str = "union") -> dict:
    checker, maker = _actor(county), _actor(union)
    county_org, union_org = checker.org, maker.org
    year = today.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    made = {}
    for kind, name, budget, account in (
            (ProgramKind.WARMTH, f"{year}年元旦春节送温暖", "50000", "维权支出-送温暖"),
            (ProgramKind.SCHOLARSHIP, f"{year}年金秋助学", "30000", "维权支出-困难职工帮扶"),
            (ProgramKind.HOSPITAL, f"{year}年生病住院慰问", "10000", "维权支出-困难职工帮扶"),
            (ProgramKind.BEREAVEMENT, f"{year}年白事慰问", "5000", "维权支出-困难职工帮扶"),
            (ProgramKind.MODEL_WORKER, f"{year}年困难劳模慰问", "8000", "维权支出-困难职工帮扶")):
        made[kind] = programs.program_create(actor=checker, org=county_org, kind=kind, name=name,
                                             period_key=str(year), start_on=start, end_on=end, budget=budget,
                                             budget_account=account,
                                             one_per_person=kind != ProgramKind.HOSPITAL)
    people = [m.person for m in Membership.objects.filter(union=union_org, status=MembershipStatus.ACTIVE)
              .select_related("person").order_by("pk")[:14]]
    grants = []

    def apply(kind, person, **facts):
        try:
            g = programs.grant_apply(actor=maker, program=made[kind], person=person, org=union_org, facts=facts,
                                     bank_account=f"62220210{rng.randrange(10 ** 10):011d}")
        except ValidationError:
            return None
        grants.append(g)
        return g

    for p in people[:8]:
        apply(ProgramKind.WARMTH, p)
    for p, level in zip(people[8:11], ("本科", "专科", "高中"), strict=False):
        apply(ProgramKind.SCHOLARSHIP, p, admission_year=str(year), school_level=level,
              school_type=rng.choice(["公办", "民办"]))
    for p in people[11:13]:
        apply(ProgramKind.HOSPITAL, p, hospital_days=rng.randint(3, 20))
    if people:
        apply(ProgramKind.BEREAVEMENT, people[0], relationship="父")
        apply(ProgramKind.MODEL_WORKER, people[-1])
    live = [g for g in grants if g is not None]
    # warmth: all approved but one refused, then paid in one batch posted to the books
    warmth = [g for g in live if g.kind == ProgramKind.WARMTH]
    for g in warmth[:-1]:
        programs.grant_approve(actor=checker, grant=g)
    if warmth:
        programs.grant_refuse(actor=checker, grant=warmth[-1], reason="该户本年度已享受其他帮扶，不重复慰问")
    paid_batches = 0
    if len(warmth) > 1:
        batch = programs.batch_create(actor=checker, program=made[ProgramKind.WARMTH])
        programs.batch_pay(actor=checker, batch=batch, bank_reference=f"ICBC{year}0125001",
                           paid_on=min(today, datetime.date(year, 1, 25)))
        paid_batches = 1
    # scholarships approved and batched, awaiting payment; hospital and bereavement left applied
    school = [g for g in live if g.kind == ProgramKind.SCHOLARSHIP]
    for g in school:
        programs.grant_approve(actor=checker, grant=g)
    if school:
        programs.batch_create(actor=checker, program=made[ProgramKind.SCHOLARSHIP])
    # 送温暖 from the hardship archive in one step: the filed households of the union in the registry get a grant by
    # their category, waiting for the county's "approve all".
    archive_program = programs.program_create(
        actor=checker, org=county_org, kind=ProgramKind.WARMTH, name=f"{year}年困难职工建档户送温暖",
        period_key=str(year), start_on=start, end_on=end, budget="20000", budget_account="维权支出-送温暖")
    programs.program_set_rules(actor=checker, program=archive_program, rules={
        "categories": ["深度困难", "相对困难", "意外致困"],
        "amount": {"by_category": {"深度困难": "1000", "相对困难": "600", "意外致困": "800"}}})
    from_archive = warmth_mod.grants_from_archive(actor=maker, program=archive_program, org=union_org)
    visits = 0
    spots = list(Org.objects.filter(path__startswith=union_org.path).order_by("path")[:1]) or [union_org]
    for target, place, people_n, hh, ent, cash, goods, value in (
            (VisitTarget.HOUSEHOLD, "困难职工王某家", 2, 1, 0, "800", "米、油", "200"),
            (VisitTarget.HOUSEHOLD, "困难职工陈某家", 3, 1, 0, "800", "米、油", "200"),
            (VisitTarget.MODEL_WORKER, "市级劳模李某", 1, 0, 0, "1000", "慰问品", "150"),
            (VisitTarget.ENTERPRISE, "宏达建材有限公司", 5, 0, 1, "0", "", "0"),
            (VisitTarget.VILLAGE_TEAM, "驻村工作队（城关街道某村）", 3, 0, 0, "1500", "", "0")):
        programs.visit_create(actor=maker, org=spots[0], target=target, place=place, people=people_n,
                              households=hh, enterprises=ent, cash=cash, goods=goods, goods_value=value,
                              visited_on=min(today, datetime.date(year, 1, 20) + datetime.timedelta(days=visits)),
                              program=made[ProgramKind.WARMTH] if target == VisitTarget.HOUSEHOLD else None)
        visits += 1
    from gonghui.aid.models import Grant

    states = {s: Grant.objects.filter(pk__in=[g.pk for g in live], state=s).count() for s in GrantState.values}
    return {"programs": len(made) + 1, "grants": len(live), "paid_batches": paid_batches, "visits": visits,
            "from_archive": from_archive.created,
            **{f"grants_{k}": v for k, v in states.items()}}
