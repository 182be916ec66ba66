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


def add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=d.year + years, day=28)


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
                employees = int(self.rng.lognormvariate(3.6, 0.8)) + 8
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
                term_end = add_years(term_end, term_years)
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


ETHNICITIES = ["汉族"] * 46 + ["回族", "满族", "畲族", "土家族"]
EDUCATION = ["bachelor"] * 30 + ["college"] * 30 + ["secondary"] * 25 + ["junior"] * 10 + ["postgraduate"] * 5
POLITICAL = ["masses"] * 70 + ["cpc"] * 18 + ["league"] * 10 + ["cpc_probationary"] + ["democratic_party"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_FEMALE = ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "丽", "敏", "静", "燕", "艳", "娟", "霞", "芳", "婷",
                "雪梅", "丽娟", "晓红", "海燕", "春梅", "欣怡", "梓涵", "雨欣", "思雨", "佳怡", "慧", "颖", "倩", "琳",
                "晓燕", "美玲", "红梅", "丹", "萍", "玲", "佳", "欢", "悦", "雅婷", "诗涵"]
GIVEN_MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "建华",
              "建国", "志强", "海涛", "国庆", "俊杰", "浩然", "子轩", "宇轩", "博文", "文斌", "永刚", "立新", "建军",
              "晓东", "德明", "志明", "振华", "家豪", "天宇", "鑫", "波", "斌", "亮", "健"]
JOBS = ["操作工", "技术员", "车间主任", "质检员", "仓管员", "司机", "会计", "教师", "护士", "快递员", "外卖骑手",
        "网约车司机", "销售", "行政", "电工", "焊工"]


def resident_id(rng: random.Random, region: str, birth: datetime.date, female: bool) -> str:
    from gonghui.core.identity import id_check_char

    seq = rng.randrange(0, 100)
    sex_digit = rng.choice("02468" if female else "13579")
    body = f"{region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    return body + id_check_char(body)


def person_row(gen: "Generator", region: str, union_kind: str, earliest: datetime.date,
               latest: datetime.date = datetime.date(2026, 10, 31)) -> dict:
    """One synthetic member as a roster row would hold them (the demo, tests and benchmarks use this); joined
    between ``earliest`` (or when they came of age) and ``latest``."""
    rng = gen.rng
    female = rng.random() < (0.62 if union_kind in ("school", "institution") else 0.38)
    birth = gen.date_between(datetime.date(1966, 1, 1), datetime.date(2004, 12, 31))
    adult = birth + datetime.timedelta(days=18 * 366)
    first = max(earliest, adult, datetime.date(1995, 1, 1))
    joined = gen.date_between(min(first, latest), latest)
    platform = union_kind == "regional" and rng.random() < 0.35
    migrant = union_kind in ("enterprise", "regional") and rng.random() < 0.3
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
        "id_number": resident_id(rng, region, birth, female),
        "sex": "F" if female else "M",
        "birth_date": birth,
        "phone": gen.mobile(),
        "ethnicity": rng.choice(ETHNICITIES),
        "education": rng.choice(EDUCATION),
        "political_status": rng.choice(POLITICAL),
        "joined_on": joined,
        "job_title": rng.choice(JOBS[9:12] if platform else JOBS[:9] + JOBS[12:]),
        "is_migrant_worker": migrant,
        "is_new_employment": platform,
        "is_dispatched": union_kind == "enterprise" and rng.random() < 0.05,
    }
