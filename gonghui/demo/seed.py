"""Seed the demo federation: one city, three districts/counties, ~20 townships, ~300 grassroots unions."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

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
    DemoUser("union", "基层工会主席", Role.UNION_OFFICER, "LJ-DH-01-003", "基层工会：本单位"),
    DemoUser("auditor", "经审委员", Role.AUDITOR, "LJ", "经审：全市只读"),
    DemoUser("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "LJ", "用户与授权"),
    DemoUser("secadmin", "安全管理员", Role.SECURITY_ADMIN, "LJ", "安全设置"),
    DemoUser("auditadmin", "审计管理员", Role.AUDIT_ADMIN, "LJ", "审计日志"),
]


def seed(*, seed: int = 2026, per_township: int = 14) -> dict:
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
    return {"orgs": Org.objects.count(), "users": len(users)}


def _user(u: DemoUser):
    user = get_user_model().objects.create_user(username=u.username, password=DEMO_PASSWORD, display_name=u.name)
    Grant.objects.create(user=user, role=u.role, org=Org.objects.get(code=u.org_code))
    return user
