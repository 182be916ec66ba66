"""Seed the demo federation: one city, three districts/counties, ~20 townships, ~300 grassroots unions."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.core.access import SYSTEM, actor_for
from gonghui.core.models import Grant, Role
from gonghui.orgs import services
from gonghui.orgs.models import Org

from . import data

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


def seed(*, seed: int = 2026, per_township: int = 14, members: int | None = None) -> dict:
    if not getattr(settings, "GONGHUI_DEMO_ALLOWED", False):
        raise ImproperlyConfigured("These settings refuse to create demo users and data.")
    gen = data.Generator(seed)
    with transaction.atomic():
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
        added = seed_members(gen, staff, members)
        seed_cards(gen, staff)
        cases = seed_cases(gen, users)
        demo_security_policy()
    return {"orgs": Org.objects.count(), "users": len(users), "members": added, "cases": cases}


def seed_members(gen: data.Generator, staff, total: int | None) -> int:
    """Members for every grassroots union, brought in as each union would: a roster file per union through
    the roster import (one audit event per union). ``total`` spreads that many by union size; None gives
    each union a realistic membership rate (80-98% of its employees)."""
    import csv
    import io

    from gonghui.members.roster import roster_import

    unions = list(Org.objects.filter(level="grassroots").order_by("path"))
    employees = sum(u.employee_count for u in unions) or 1
    fields = ["name", "id_number", "sex", "birth_date", "phone", "ethnicity", "education", "political_status",
              "joined_on", "job_title", "is_migrant_worker", "is_new_employment", "is_dispatched"]
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
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for _ in range(share):
            row = data.person_row(gen, region, union.kind, earliest)
            row["sex"] = "男" if row["sex"] == "M" else "女"
            for flag in ("is_migrant_worker", "is_new_employment", "is_dispatched"):
                row[flag] = "是" if row[flag] else "否"
            writer.writerow(row)
        # Generated ID numbers can collide; such rows are skipped, and the seed stays deterministic.
        result = roster_import(actor=staff, union=union, data=out.getvalue().encode(), filename=f"{union.code}.csv",
                               skip_invalid=True)
        added += result.created
    return added


def seed_cards(gen: data.Generator, staff) -> None:
    """Cards issued across 城关街道, a little over half of them activated, as the unions report them."""
    from gonghui.members.cards import card_activate_by_officer, cards_issue

    township = Org.objects.filter(code="LJ-DH-01").first()
    if township is None:
        return
    try:
        batch = cards_issue(actor=staff, union=township)
    except ValidationError:  # no members to issue cards to (a seed with --members 0)
        return
    for card in batch.cards.order_by("number"):
        if gen.rng.random() < 0.56:
            card_activate_by_officer(actor=staff, card=card)


CASE_TOPICS = {
    "wages": ("拖欠工资", "所在工地拖欠{n}个月工资，多次讨要未果，要求工会协调支付。"),
    "contract": ("未签劳动合同", "入职{n}个月单位一直未签书面劳动合同，咨询如何维权。"),
    "social_insurance": ("未缴社会保险", "单位{n}个月未缴纳社会保险，要求补缴。"),
    "safety": ("车间安全隐患", "车间通风设备损坏{n}周未修，工人身体不适，请求督促整改。"),
    "union_founding": ("申请建会", "企业有职工{n}0余人，职工希望成立工会，请求指导建会。"),
    "assistance": ("困难帮扶", "家庭成员重病，{n}口人生活困难，申请帮扶。"),
}
WORKPLACES = ["临江建工集团第三项目部", "城关物流园", "东湖机械厂", "城关商贸城", "临江食品有限公司", "外卖配送站"]


def seed_cases(gen: data.Generator, users) -> int:
    """Workers' requests in 东湖区 at every stage: logged at the county's front desk in the last weeks, some
    dispatched to 城关街道 and accepted there, one waiting for papers, some answered, followed up and closed.
    The tick then colors them, so the inbox, the supervision list and the figures have something to show."""
    from gonghui.casework import intake
    from gonghui.casework import services as cases
    from gonghui.casework.tasks import casework_tick

    township = Org.objects.filter(code="LJ-DH-01").first()
    if township is None:
        return 0
    county, town = actor_for(users["donghu"]), actor_for(users["chengguan"])
    today = timezone.localdate()
    logged = 0
    region = township.region_code or data.CITY[1]
    for i in range(36):
        person = data.person_row(gen, region, "enterprise", data.datetime.date(2010, 1, 1))
        topic = gen.rng.choice(sorted(CASE_TOPICS))
        subject, description = CASE_TOPICS[topic]
        channel = gen.rng.choice(["visit", "visit", "phone", "phone", "letter", "grid"])
        case = intake.case_log(actor=county, data={
            "channel": channel, "people": gen.rng.choice([1, 1, 1, 2, 3, 6]) if channel == "visit" else 1,
            "category": "consultation" if topic == "contract" else "solution", "topic": topic,
            "complexity": "general", "subject": subject, "description": description.format(n=gen.rng.randint(2, 5)),
            "worker_name": person["name"], "phone": person["phone"], "workplace": gen.rng.choice(WORKPLACES),
            "source_note": "", "note": "",
            "received_on": today - data.datetime.timedelta(days=gen.rng.randint(0, 25))}).case
        logged += 1
        stage = i % 6
        if stage == 0:
            continue  # waits at the county's front desk
        cases.case_dispatch(actor=county, case=case, to=township, note="请街道总工会核实办理。")
        if stage == 1:
            continue  # waits for the township to accept it
        cases.case_accept(actor=town, case=case)
        if stage == 2:
            cases.case_pause(actor=town, case=case, missing=["劳动合同或工资条复印件", "身份证复印件"])
            continue
        if stage == 3:
            cases.case_progress(actor=town, case=case, note="已约谈用人单位，正在协调。")
            continue
        cases.case_reply(actor=town, case=case, reply="经协调，用人单位同意在本月内解决，请留意后续通知。")
        if stage == 5:
            cases.case_follow_up(actor=town, case=case, satisfaction="satisfied", note="电话回访，职工表示满意。")
            cases.case_close(actor=town, case=case)
    casework_tick()
    return logged


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
