"""The cast every app's tests use: a small tree with two counties and a user in each role.

city 临江市总工会 (CITY)
├── county A 东湖区总工会 (CA)
│   └── township 城关街道总工会 (CA1)
│       └── grassroots 东湖机械厂工会 (GA)   ── branch 一车间分会 (GA-B)
└── county B 西山县总工会 (CB)
    └── grassroots 西山水泥厂工会 (GB)
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from gonghui.core.access import Actor, actor_for
from gonghui.core.models import Grant, Role, SecurityPolicy
from gonghui.orgs.models import Org

PASSWORD = "Gh-test-pass-2026"  # noqa: S105


@dataclass
class Cast:
    city: Org
    county_a: Org
    township_a: Org
    grassroots_a: Org
    branch_a: Org
    county_b: Org
    grassroots_b: Org
    officer_a: object  # federation staff of county A
    officer_b: object  # federation staff of county B
    grassroots_officer: object  # union officer of 东湖机械厂工会 (under county A)
    auditor_a: object
    city_staff: object
    system_admin: object
    security_admin: object
    audit_admin: object

    def actor(self, user) -> Actor:
        return actor_for(user)


def _org(parent: Org | None, code: str, name: str, level: str, kind: str, **extra) -> Org:
    org = Org(code=code, name=name, level=level, kind=kind, **extra)
    return Org.objects.add_root(instance=org) if parent is None else Org.objects.add_child(parent, instance=org)


def _user(username: str, name: str, role: str, org: Org):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, display_name=name)
    Grant.objects.create(user=user, role=role, org=org)
    return user


def build_cast() -> Cast:
    # The suite signs in with force_login and no authenticator: the second factor is off here, and the sign-in
    # tests (gonghui/core/tests/test_signin*.py) turn it on.
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_second_factor": False})
    city = _org(None, "CITY", "临江市总工会", "city", "federation", region_code="330100")
    county_a = _org(city, "CA", "东湖区总工会", "county", "federation", region_code="330102")
    township_a = _org(county_a, "CA1", "城关街道总工会", "township", "federation")
    grassroots_a = _org(township_a, "GA", "东湖机械厂工会", "grassroots", "enterprise", ownership="state",
                        employee_count=320, contact_name="王芳", contact_phone="13812345678",
                        legal_person_registered=True, has_women_committee=True)
    branch_a = _org(grassroots_a, "GA-B", "一车间分会", "branch", "enterprise")
    county_b = _org(city, "CB", "西山县总工会", "county", "federation", region_code="330122")
    grassroots_b = _org(county_b, "GB", "西山水泥厂工会", "grassroots", "enterprise", ownership="non_public",
                        employee_count=150, contact_phone="13987654321")
    return Cast(
        city=city, county_a=county_a, township_a=township_a, grassroots_a=grassroots_a, branch_a=branch_a,
        county_b=county_b, grassroots_b=grassroots_b,
        officer_a=_user("officer_a", "区总干部甲", Role.FEDERATION_STAFF, county_a),
        officer_b=_user("officer_b", "县总干部乙", Role.FEDERATION_STAFF, county_b),
        grassroots_officer=_user("grassroots_a", "厂工会主席", Role.UNION_OFFICER, grassroots_a),
        auditor_a=_user("auditor_a", "经审委员", Role.AUDITOR, county_a),
        city_staff=_user("city_staff", "市总干部", Role.FEDERATION_STAFF, city),
        system_admin=_user("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, city),
        security_admin=_user("secadmin", "安全管理员", Role.SECURITY_ADMIN, city),
        audit_admin=_user("auditadmin", "审计管理员", Role.AUDIT_ADMIN, city),
    )
