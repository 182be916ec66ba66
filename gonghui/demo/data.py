"""Deterministic synthetic data for the demo, tests and benchmarks (all names fictional)."""

import datetime
import random

from faker import Faker

from gonghui.core.identity import USCC_CHARS, uscc_check_char

CITY = ("临江市总工会", "339900")
COUNTIES = [
    ("东湖区总工会", "339902", ["城关街道", "湖滨街道", "新华街道", "东郊街道", "望江街道", "长桥街道", "白沙镇"]),
    ("西山区总工会", "339903", ["西山街道", "凤凰街道", "枫桥街道", "石门镇", "松林镇", "云台镇"]),
    ("青溪县总工会", "339921", ["青溪镇", "双兴镇", "桃源乡", "柳河镇", "大坪乡", "金沙镇", "龙泉镇"]),
]
INDUSTRY_UNIONS = ["临江市教育工会", "临江市卫生健康工会"]
SCHOOL_KINDS = ["小学", "中学", "实验小学", "中心小学", "初级中学", "幼儿园"]
ENTERPRISE_SUFFIX = ["有限公司", "股份有限公司", "机械厂", "纺织有限公司", "物流有限公司", "食品有限公司",
                     "建材有限公司", "电子科技有限公司", "快递服务站", "网约车服务有限公司"]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self._codes: set[str] = set()

    def uscc(self, region: str, prefix: str = "91") -> str:
        while True:
            body = prefix + region + "".join(self.rng.choice(USCC_CHARS) for _ in range(9))
            code = body + uscc_check_char(body)
            if code not in self._codes:
                self._codes.add(code)
                return code

    def mobile(self) -> str:
        return self.rng.choice(["13", "15", "17", "18", "19"]) + "".join(str(self.rng.randrange(10))
                                                                       for _ in range(9))

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def company_word(self) -> str:
        return self.fake.company_prefix()

    def grassroots(self, township: str, region: str, n: int) -> list[dict]:
        """About n grassroots unions for a township: enterprises, schools, institutions, organs, regional."""
        today = datetime.date(2026, 6, 30)
        out = []
        for i in range(n):
            roll = self.rng.random()
            if i == 0:
                kind, ownership, name = "organ", "organ", f"{township}办事处机关工会" if "街道" in township \
                    else f"{township}人民政府机关工会"
                employees = self.rng.randint(30, 90)
            elif i == 1:
                kind, ownership, name = "regional", "non_public", f"{township}小微企业联合工会"
                employees = self.rng.randint(150, 600)
            elif roll < 0.62:
                kind = "enterprise"
                ownership = "state" if self.rng.random() < 0.18 else "non_public"
                name = f"临江{self.company_word()}{self.rng.choice(ENTERPRISE_SUFFIX)}工会委员会"
                employees = int(self.rng.lognormvariate(4.2, 0.9)) + 8
            elif roll < 0.80:
                kind, ownership = "school", "public_institution"
                name = f"{township.removesuffix('街道').removesuffix('镇').removesuffix('乡')}" \
                       f"{self.rng.choice(SCHOOL_KINDS)}工会"
                employees = self.rng.randint(25, 160)
            else:
                kind, ownership = "institution", "public_institution"
                name = f"{township}{self.rng.choice(['卫生院', '文化站', '社区服务中心', '农技站'])}工会"
                employees = self.rng.randint(12, 80)
            founded = self.date_between(datetime.date(1985, 1, 1), datetime.date(2025, 12, 31))
            term_years = 5
            term_end = founded
            while term_end <= today - datetime.timedelta(days=self.rng.randint(-400, 900)):
                term_end = term_end.replace(year=term_end.year + term_years)
            registered = self.rng.random() < 0.82
            reg_on = self.date_between(founded, min(today, founded + datetime.timedelta(days=900))) \
                if registered else None
            out.append({
                "name": name, "kind": kind, "ownership": ownership, "employee_count": employees,
                "uscc": self.uscc(region, "91" if kind in ("enterprise", "regional") else
                                  ("12" if kind in ("school", "institution") else "11")),
                "region_code": region, "founded_on": founded, "term_ends_on": term_end,
                "legal_person_registered": registered, "legal_person_registered_on": reg_on,
                "legal_person_cert_no": f"工法证字第{self.rng.randint(10000, 99999)}号" if registered else "",
                "has_women_committee": self.rng.random() < (0.85 if employees >= 25 else 0.3),
                "has_audit_committee": self.rng.random() < 0.78,
                "contact_name": self.fake.name(), "contact_phone": self.mobile(),
            })
        # Names must be unique within a township (a real register would not hold two of the same).
        seen: dict[str, int] = {}
        for row in out:
            if row["name"] in seen:
                seen[row["name"]] += 1
                row["name"] = row["name"].replace("工会", f"（第{seen[row['name']]}）工会", 1)
            else:
                seen[row["name"]] = 1
        return out
