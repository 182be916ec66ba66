"""The demo's medical mutual aid (职工医疗互助), played through the services by the county (``donghu``, the checker
and the running union's staff) and the grassroots officer (``union``, the maker):

- a plan of 东湖区总工会 for this year (60 yuan a person; deductible 1000, ratio 0.5, cap 5000; 恶性肿瘤 at 0.7 up to
  20000), opened;
- enrolments across several units of the county: the officer's union enrols most of its members, the county enrols
  workers of a few more grassroots unions;
- claims of the officer's union at every state: awaiting review, approved, refused, paid through a payment batch
  posted to the county's books, and one that hit the annual cap.

``seed_mutual(today=..., rng=...)`` returns counts.
"""

import datetime

from django.contrib.auth import get_user_model

from gonghui.aid import mutual, programs
from gonghui.aid.models import ClaimState, MutualClaim
from gonghui.core.access import actor_for
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def seed_mutual(*, today: datetime.date, rng, county: str = "donghu", union: str = "union") -> dict:
    checker, maker = _actor(county), _actor(union)
    county_org, union_org = checker.org, maker.org
    year = today.year
    plan = mutual.plan_create(actor=checker, org=county_org, year=year, name=f"{year}年职工住院医疗互助",
                              contribution="60", deductible="1000", ratio="0.5", annual_cap="5000", fund="200000",
                              special_rules=[{"illness": "恶性肿瘤", "ratio": "0.7", "cap": "20000"}])
    plan = mutual.plan_open(actor=checker, plan=plan)
    start = datetime.date(year, 1, 1)
    # the officer's union enrols about nine in ten of its members
    own = list(Membership.objects.filter(union=union_org, status=MembershipStatus.ACTIVE)
               .select_related("person").order_by("pk")[:60])
    mine = []
    for m in own:
        if rng.random() < 0.9:
            mine.append(mutual.enrol(actor=maker, plan=plan, unit=union_org, person=m.person,
                                     enrolled_on=start))
    # the county enrols workers of a few more grassroots unions of its subtree
    others = (Org.objects.filter(path__startswith=county_org.path, level="grassroots").exclude(pk=union_org.pk)
              .order_by("path")[:3])
    more = 0
    for unit in others:
        for m in (Membership.objects.filter(union=unit, status=MembershipStatus.ACTIVE).select_related("person")
                  .order_by("pk")[:rng.randint(8, 20)]):
            mutual.enrol(actor=checker, plan=plan, unit=unit, person=m.person, enrolled_on=start)
            more += 1

    def day(n: int) -> datetime.date:
        return min(today, start + datetime.timedelta(days=n))

    def claim(e, n, self_paid, *, special="", illness="肺炎"):
        out = day(n)
        admitted = out - datetime.timedelta(days=rng.randint(3, 12))
        return mutual.claim_file(actor=maker, enrolment=e, admitted_on=admitted, discharged_on=out,
                                 total_bill=str(int(self_paid) * 2), insurance_paid=self_paid,
                                 self_paid=self_paid, illness=illness, special_illness=special,
                                 bank_account=f"62220210{rng.randrange(10 ** 10):011d}")

    made = []
    if len(mine) >= 6:
        made.append(claim(mine[0], 20, "3000", illness="急性阑尾炎"))                         # approved, paid
        made.append(claim(mine[1], 35, "4200", illness="腰椎间盘突出"))                        # approved, paid
        made.append(claim(mine[2], 50, "9000", illness="股骨骨折"))                            # 4000, approved, paid
        made.append(claim(mine[2], 80, "5000", illness="骨折术后取内固定"))                     # the cap hit: 1000
        made.append(claim(mine[3], 60, "30000", special="恶性肿瘤", illness="肺恶性肿瘤"))       # its own cap
        made.append(claim(mine[4], 90, "2600", illness="冠心病"))                               # refused
        made.append(claim(mine[5], 120, "3800", illness="糖尿病并发症"))                        # awaiting review
        for c in made[:5]:
            mutual.claim_approve(actor=checker, claim=c)
        mutual.claim_refuse(actor=checker, claim=made[5], reason="住院发票为复印件，请补交原件")
        batch = programs.batch_create(actor=checker, program=plan.program)
        programs.batch_pay(actor=checker, batch=batch, bank_reference=f"ICBC{year}MUT0001", paid_on=day(100))
        # one more approved after the batch: awaiting the next one
        late = claim(mine[1], 130, "2400", illness="胆结石")
        mutual.claim_approve(actor=checker, claim=late)
        made.append(late)
    states = {s: 0 for s in ClaimState.values}
    for c in MutualClaim.objects.filter(plan=plan).select_related("grant"):
        states[c.status] += 1
    return {"plans": 1, "enrolled": len(mine) + more, "units": 1 + len(others), "claims": len(made),
            "capped": MutualClaim.objects.filter(plan=plan, capped=True).count(),
            **{f"claims_{k}": v for k, v in states.items()}}
