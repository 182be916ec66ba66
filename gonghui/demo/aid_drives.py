"""The demo's donation drives, recuperation and check-ups, played through the services by the county (``donghu``,
the organiser and checker) and the grassroots officer (``union``, the maker):

- this year's 一日捐 of 东湖区总工会: several units with their donors, amounts and receipts, named donations of the
  union's members and of an outsider, and its totals published on the county's board; last year's drive, closed;
- a 疗休养 scheme and a 体检 scheme (100 yuan per check-up, as seed 003 says), their places given two levels down
  (county → township → the union), nominations by group (劳模, 一线职工, 新就业形态劳动者, 抗疫一线), approved by the
  county but one refused, a trip and a check-up day with attendance marked.

``seed_drives(today=..., rng=...)`` returns counts.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from gonghui.aid import board_drives, drives, schemes
from gonghui.aid.models import NominationGroup, SchemeKind
from gonghui.core.access import actor_for
from gonghui.members.models import Membership, MembershipStatus
from gonghui.orgs.models import Org


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _units(county_org, union_org) -> list:
    others = list(Org.objects.filter(path__startswith=county_org.path, level="grassroots", status="active")
                  .exclude(pk=union_org.pk).order_by("path")[:7])
    return [union_org, *others]


def _drive(county, maker, union_org, units, *, name, day, rng, receipts: str, named: list) -> tuple:
    d = drives.drive_create(actor=county, org=county.org, name=name, day=day, period_key=str(day.year))
    for i, org in enumerate(units, start=1):
        donors = rng.randint(20, 160)
        amount = Decimal(donors * rng.choice((50, 80, 100, 120))) + Decimal(rng.randrange(0, 100))
        who = maker if org.pk == union_org.pk else county
        drives.unit_record(actor=who, drive=d, org=org, donors=donors, amount=amount,
                           receipt_no=f"{receipts}-{i:03d}")
    for person in named:
        drives.donation_add(actor=maker, drive=d, org=union_org, person=person,
                            amount=rng.choice(("200", "300", "500", "1000")))
    return d, len(named)


def seed_drives(*, today: datetime.date, rng, county: str = "donghu", union: str = "union") -> dict:
    checker, maker = _actor(county), _actor(union)
    county_org, union_org = checker.org, maker.org
    year = today.year
    people = [m.person for m in Membership.objects.filter(union=union_org, status=MembershipStatus.ACTIVE)
              .select_related("person").order_by("-pk")[:16]]
    units = _units(county_org, union_org)
    # last year's drive, closed; this year's with named donations (members and an outsider) on the board
    old, _n = _drive(checker, maker, union_org, units[:5], name=f"{year - 1}年“慈善一日捐”", rng=rng,
                     day=datetime.date(year - 1, 6, 18), receipts=f"JK{year - 1}", named=people[:2])
    drives.drive_close(actor=checker, drive=old)
    now, named = _drive(checker, maker, union_org, units, name=f"{year}年“慈善一日捐”", rng=rng,
                        day=min(today, datetime.date(year, 6, 18)), receipts=f"JK{year}", named=people[2:6])
    drives.donation_add(actor=maker, drive=now, org=union_org, donor_name="退休职工陈师傅", amount="500")
    board_drives.totals_publish(actor=checker, drive=now, days=30)

    # recuperation and check-ups, places two levels down to the union
    chain = [o for o in Org.objects.filter(path__in=[union_org.path[:i] for i in range(
        len(county_org.path) + Org.steplen, len(union_org.path) + 1, Org.steplen)]).order_by("path")]
    made, nominations, attended = {}, 0, 0
    groups = [NominationGroup.MODEL_WORKER, NominationGroup.FRONTLINE, NominationGroup.FRONTLINE,
              NominationGroup.NEW_EMPLOYMENT, NominationGroup.EPIDEMIC]
    for kind, name, subsidy, places, pool in (
            (SchemeKind.RECUPERATION, f"{year}年劳模和一线职工疗休养", "1500", 60, people[6:11]),
            (SchemeKind.CHECKUP, f"{year}年职工免费体检", "100", 200, people[11:16])):
        scheme = schemes.scheme_create(actor=checker, org=county_org, kind=kind, year=year, name=name,
                                       subsidy=subsidy, places=places)
        made[kind] = scheme
        for depth, org in enumerate(chain):
            schemes.quota_allocate(actor=checker, scheme=scheme, org=org, places=max(places // (3 * (depth + 1)),
                                                                                      len(pool)))
        noms = [schemes.nomination_create(actor=maker, scheme=scheme, org=union_org, person=p, group=g)
                for p, g in zip(pool, groups, strict=False)]
        nominations += len(noms)
        if not noms:
            continue
        for n in noms[:-1]:
            schemes.nomination_approve(actor=checker, nomination=n)
        schemes.nomination_refuse(actor=checker, nomination=noms[-1], reason="本年度已参加过同类活动")
        if kind == SchemeKind.RECUPERATION:
            start = min(today, datetime.date(year, 5, 11))
            trip = schemes.trip_create(actor=checker, scheme=scheme, place="千岛湖职工疗休养基地", start_on=start,
                                       end_on=start + datetime.timedelta(days=4) if start.month < 12 else start,
                                       capacity=30)
        else:
            trip = schemes.trip_create(actor=checker, scheme=scheme, place="临江市第一人民医院体检中心",
                                       start_on=min(today, datetime.date(year, 9, 15)), capacity=100)
        going = noms[:-1]
        schemes.trip_assign(actor=checker, trip=trip, nominations=going)
        schemes.attendance_mark(actor=checker, trip=trip, attended=[n.pk for n in going[:-1]],
                                absent=[n.pk for n in going[-1:]])
        attended += len(going) - 1
    return {"drives": 2, "units": len(units), "named_donations": named + 1, "schemes": len(made),
            "quota_levels": len(chain), "nominations": nominations, "attended": attended}
