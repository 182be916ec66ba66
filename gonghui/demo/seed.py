"""Seed the demo federation: one city, three districts/counties, ~20 townships, ~300 grassroots unions."""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from gonghui.core.access import SYSTEM, actor_for
from gonghui.core.models import Grant, Role
from gonghui.orgs import services
from gonghui.orgs.models import Org

from . import data, year
from .clock import played_clock

DEMO_PASSWORD = "Demo-2026-gh"  # noqa: S105 - printed for the demo; production refuses to seed demo users


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    org_code: str
    what: str


DEMO_USERS = [
    DemoUser("city", "市总工会干部", Role.FEDERATION_STAFF, "LJ", "市总工会：全市数据"),
    DemoUser("donghu", "东湖区总工会干部", Role.FEDERATION_STAFF, "LJ-DH", "区总工会：东湖区"),
    DemoUser("chengguan", "城关街道工会干部", Role.FEDERATION_STAFF, "LJ-DH-01", "街道总工会：城关街道"),
    DemoUser("union", "基层工会主席", Role.UNION_OFFICER, "LJ-DH-01-*", "基层工会：本单位"),
    DemoUser("auditor", "经审委员", Role.AUDITOR, "LJ", "经审：全市只读"),
    DemoUser("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "LJ", "用户与授权"),
    DemoUser("secadmin", "安全管理员", Role.SECURITY_ADMIN, "LJ", "安全设置"),
    DemoUser("auditadmin", "审计管理员", Role.AUDIT_ADMIN, "LJ", "审计日志"),
]


def seed(*, seed: int = 2026, per_township: int = 14, members: int | None = None, activity: float = 1.0) -> dict:
    """The federation as it stood a year ago (its unions and their members), then the year of work since, played
    forward to now through the services (``year``; ``activity`` scales it, 0 leaves it out)."""
    if not getattr(settings, "GONGHUI_DEMO_ALLOWED", False):
        raise ImproperlyConfigured("These settings refuse to create demo users and data.")
    from gonghui.casework.policies import policy_seed_defaults

    gen = data.Generator(seed)
    now = timezone.now()
    # The time limits decide when the year's requests fall due; a database emptied since its migration lacks them.
    policy_seed_defaults()
    start = year.month_start(timezone.localdate(now), 11)
    with transaction.atomic(), played_clock(timezone.make_aware(
            data.datetime.datetime.combine(start, data.datetime.time(8, 0)))) as clock:
        city = services.org_create_root(actor=SYSTEM, code="LJ", name=data.CITY[0], level="city",
                                        kind="federation", region_code=data.CITY[1],
                                        founded_on=data.datetime.date(1950, 5, 1))
        users = {u.username: _user(u) for u in DEMO_USERS if u.org_code == "LJ"}
        staff = actor_for(users["city"])
        for n, name in enumerate(data.INDUSTRY_UNIONS, start=1):
            services.org_create(actor=staff, parent=city, code=f"LJ-HY{n}", name=name, level="industry",
                                kind="industry", region_code=data.CITY[1])
        for ci, (county_name, region, townships) in enumerate(data.COUNTIES, start=1):
            code = ["LJ-DH", "LJ-XS", "LJ-QX"][ci - 1]
            county = services.org_create(actor=staff, parent=city, code=code, name=county_name, level="county",
                                         kind="federation", region_code=region)
            for ti, town in enumerate(townships, start=1):
                township = services.org_create(
                    actor=staff, parent=county, code=f"{code}-{ti:02d}", name=f"{town}总工会", level="township",
                    kind="federation", region_code=region)
                for gi, fields in enumerate(gen.grassroots(town, region, per_township), start=1):
                    union = services.org_create(actor=staff, parent=township, code=f"{code}-{ti:02d}-{gi:03d}",
                                                level="grassroots", **fields)
                    if fields["kind"] == "enterprise" and fields["employee_count"] > 150:
                        for bi, workshop in enumerate(["一车间", "二车间", "机关"][: gen.rng.randint(2, 3)], 1):
                            services.org_create(actor=staff, parent=union, code=f"{union.code}-B{bi}",
                                                name=f"{workshop}分会", level="branch", kind="enterprise")
        edu = Org.objects.get(code="LJ-HY1")
        for si, school in enumerate(["临江市第一中学", "临江市实验小学", "临江市职业技术学校"], start=1):
            services.org_create(actor=staff, parent=edu, code=f"LJ-HY1-{si:03d}", name=f"{school}工会",
                                level="grassroots", kind="school", ownership="public_institution",
                                employee_count=gen.rng.randint(80, 260),
                                uscc=gen.uscc(data.CITY[1], "12"), legal_person_registered=True,
                                has_women_committee=True, has_audit_committee=True)
        for u in DEMO_USERS:
            if u.username not in users:
                users[u.username] = _user(u)
        seed_members(gen, staff, members, before=start)
        counts = dict.fromkeys(("cases", "imports"), 0)
        if activity > 0:
            played = year.Year(gen, year.cast(users), clock, start, now, activity=activity)
            played.plan()
            counts = played.play()
    if activity > 0:
        counts["funds"] = seed_funds(gen, today=timezone.localdate(now))
        counts["oversight"] = seed_oversight(gen, today=timezone.localdate(now))
        counts["aid_archive"] = seed_aid_archive(gen, today=timezone.localdate(now))
        counts["aid_programs"] = seed_aid_programs(gen, today=timezone.localdate(now))
        counts["aid_drives"] = seed_aid_drives(gen, today=timezone.localdate(now))
        counts["aid_mutual"] = seed_aid_mutual(gen, today=timezone.localdate(now))
        counts["democracy"] = seed_democracy(gen)
        counts["congress"] = seed_congress(gen, today=timezone.localdate(now))
    with transaction.atomic():
        # The demo logins were made at the start of the played year; their passwords are fresh today (else the
        # 90-day password age would ask for a new one at the first sign-in).
        get_user_model().objects.filter(is_demo=True).update(password_changed_at=now)
        demo_security_policy()
    from gonghui.members.models import Membership, MembershipStatus

    # Members now: the rosters' of a year ago, less those who left, with the year's joins.
    members_now = Membership.objects.filter(status=MembershipStatus.ACTIVE).count()
    return {"orgs": Org.objects.count(), "users": len(users), "members": members_now, "cases": counts["cases"],
            "year": counts}


def seed_funds(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """Each union's books for last year and this year to date (with a handful of spending the rules flag), dues,
    allocations and returns, budgets, decisions and audits; then the rule engine's scan of both years."""
    from gonghui.demo.funds_books import seed_books
    from gonghui.demo.funds_budget import seed_budget
    from gonghui.demo.funds_income import seed_income
    from gonghui.funds.rules import scan

    with transaction.atomic():
        counts = {"books": seed_books(today=today, rng=gen.rng), "income": seed_income(today=today, rng=gen.rng),
                  "budget": seed_budget(today=today, rng=gen.rng)}
    root = Org.objects.filter(depth=1).order_by("path").first()
    staff = actor_for(get_user_model().objects.get(username="city"))
    counts["alerts"] = sum(scan(actor=staff, org=root, year=y, today=today).created
                           for y in (today.year - 1, today.year))
    return counts


def seed_oversight(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """A year of supervision for the demo city: problems from every source at every stage, the ledger's measures in
    each color with two dispatch rounds and a 蜗牛榜, key tasks and targets, visits, inspections and tips; then the
    sweeps raise what is overdue to the parents' supervision lists, where the offices have noted most of it."""
    from gonghui.demo.oversight_ledger import seed_ledger
    from gonghui.demo.oversight_problems import final_problems, seed_problems
    from gonghui.demo.oversight_tasks import seed_tasks
    from gonghui.demo.oversight_visits import seed_visits
    from gonghui.demo.supervision import seed_supervision
    from gonghui.oversight.tasks_visits import inspections_tick

    with transaction.atomic():
        counts = {"problems": seed_problems(today=today, rng=gen.rng)}
        counts["ledger"] = seed_ledger(final_problems())
        counts["tasks"] = seed_tasks(today=today, rng=gen.rng)
        counts["visits"] = seed_visits(today=today, rng=gen.rng)
        counts["inspections"] = inspections_tick()
        counts["supervision"] = seed_supervision(rng=gen.rng)
    return counts


def seed_aid_archive(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """The hardship archive: 低保 standards, files at every stage with an objection, 一帮一 and a 优待证."""
    from gonghui.demo.aid_archive import seed_archive

    with transaction.atomic():
        return seed_archive(today=today, rng=gen.rng)


def seed_aid_programs(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """A year of assistance programs: grants at every state, a paid batch posted to the county's books, visits."""
    from gonghui.demo.aid_programs import seed_programs

    with transaction.atomic():
        return seed_programs(today=today, rng=gen.rng)


def seed_aid_drives(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """Donation drives (one closed, one on the board), a 疗休养 and a 体检 scheme with places two levels down,
    nominations by group and attendance."""
    from gonghui.demo.aid_drives import seed_drives

    with transaction.atomic():
        return seed_drives(today=today, rng=gen.rng)


def seed_aid_mutual(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """Medical mutual aid: the county's plan for the year, enrolments across units, claims at every state."""
    from gonghui.demo.aid_mutual import seed_mutual

    with transaction.atomic():
        return seed_mutual(today=today, rng=gen.rng)


def seed_democracy(gen: data.Generator) -> dict:
    """Evaluation polls: a published 民主测评 of the county's cadres, an open 会员评议职工之家 with sent codes, and a
    民主评议 waiting for its printed codes."""
    from gonghui.demo.democracy import seed_democracy as seed_polls

    with transaction.atomic():
        return seed_polls(rng=gen.rng)


def seed_congress(gen: data.Generator, *, today: data.datetime.date) -> dict:
    """The grassroots union's 职代会 with its delegates, sessions and proposals at every stage, 厂务公开 records, and a
    school's 教代会 with too many managers among its delegates."""
    from gonghui.demo.democracy import seed_congress as seed

    with transaction.atomic():
        return seed(rng=gen.rng, today=today)


def seed_members(gen: data.Generator, staff, total: int | None, *, before: data.datetime.date) -> int:
    """Members for every grassroots union, brought in as each union would: a roster file per union through
    the roster import (one audit event per union). ``total`` spreads that many by union size; None gives
    each union a realistic membership rate (80-98% of its employees). All joined before ``before``."""
    from gonghui.members.roster import roster_import

    unions = list(Org.objects.filter(level="grassroots").order_by("path"))
    employees = sum(u.employee_count for u in unions) or 1
    latest = before - data.datetime.timedelta(days=1)
    added = 0
    for union in unions:
        if total is None:
            share = round(union.employee_count * gen.rng.uniform(0.80, 0.98))
        else:
            share = min(round(total * union.employee_count / employees), union.employee_count)
        if not share:
            continue
        region = union.region_code or data.CITY[1]
        earliest = union.founded_on or data.datetime.date(1995, 1, 1)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=year.ROSTER_FIELDS)
        writer.writeheader()
        for _ in range(share):
            writer.writerow(year.roster_row(data.person_row(gen, region, union.kind, earliest, latest=latest)))
        # Generated ID numbers can collide; such rows are skipped, and the seed stays deterministic.
        result = roster_import(actor=staff, union=union, data=out.getvalue().encode(), filename=f"{union.code}.csv",
                               skip_invalid=True)
        added += result.created
    return added


def demo_security_policy() -> None:
    """The demo logins work with the printed password alone: two-step verification is not required here (the
    security administrator can turn it on under 安全设置). Production keeps the default, required."""
    from gonghui.core import audit
    from gonghui.core.models import SecurityPolicy

    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_second_factor": False})
    audit.record(actor=SYSTEM, action="security.policy", object_type="security_policy", object_id="1",
                 details={"require_second_factor": False, "reason": "demo"})


def _user(u: DemoUser):
    user = get_user_model().objects.create_user(username=u.username, password=DEMO_PASSWORD, display_name=u.name,
                                                is_demo=True)
    if u.org_code.endswith("*"):  # the largest enterprise union under that township
        under = Org.objects.filter(code__startswith=u.org_code[:-1], level="grassroots")
        org = (under.filter(kind="enterprise").order_by("-employee_count", "code").first()
               or under.order_by("-employee_count", "code").first())
    else:
        org = Org.objects.get(code=u.org_code)
    Grant.objects.create(user=user, role=u.role, org=org)
    return user
