"""The funds benchmark's data: a province of unions with a year of books, written with COPY.

One province (the root, depth 1) > cities > counties > townships > grassroots unions, materialized paths as
``orgs.Org`` writes them (treebeard steps of 4 base-36 digits). Each grassroots union gets its books for ``YEAR``
on the shipped chart (``gonghui.funds.chart``), about ``--lines / --unions`` voucher lines in balanced vouchers
numbered in date order, active members (``members_person`` + ``members_membership``, which the holiday-gift cap
counts), and, planted at known rates so that every built-in rule has work to do and a near miss to stay silent on:

* invoices mostly unique (paper: 12-digit code + 8-digit number; e-invoice: 20-digit number, no code), with
  duplicates of recent invoices, often another union's, and the same number under another code;
* split purchases (2-3 lines, same counterparty and account, within 7 days, each under the threshold and together
  over it) and the same 8 days apart;
* large expenses (20,000 or more) with a recorded decision, with none, and with a reference no decision matches;
  19,999.99 without one;
* banned words in expense summaries (and in income summaries, which no rule flags);
* cash payments over 1,000 yuan and of exactly 1,000;
* holiday gifts (职工活动支出-节日慰问) near the statutory holidays, under, at and over 2,000 yuan a member;
* approved budgets for half the unions (501-504 and the 办公费 sub-line), some overspent, with lines on unbudgeted
  accounts (505, 508);
* office supplies bought from the province's central purchasing list and, now and then, elsewhere;
* fund returns from the county, paid on time, late, or still unpaid;
* a few reversed vouchers (both the original and the red-ink reversal are ``voided``).

Everything is written with COPY with the lines table's secondary indexes dropped and triggers off (the loader
writes consistent rows; the foreign keys are not re-checked), then the indexes are rebuilt and the tables
ANALYZEd. The ids are drawn here and the sequences moved past them.
"""

import datetime
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

YEAR = 2025
FANOUT = (10, 10, 10)  # cities in the province, counties in a city, townships in a county
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
THRESHOLD = Decimal("20000")
CAP = 2000  # yuan a member a year: the holiday-gift default when the province keeps no cap row
BANNED = ["购物卡", "消费卡", "礼品卡", "加油卡", "礼金", "红包", "宴请", "请客", "烟酒", "高尔夫", "KTV", "会所", "洗浴",
          "足浴"]
SUPPLIERS = [f"省直集中采购{n:02d}号供应商有限公司" for n in range(1, 31)]
IMPORT_UNION = "GIMPORT"  # a union without books: the journal import's target
HOLIDAY_DAYS = [(1, 1), (1, 20), (1, 25), (2, 5), (4, 4), (5, 1), (5, 31), (10, 1), (10, 6)]  # 元旦..国庆 (2025)

# Expense accounts drawn for ordinary lines, by weight, with their summaries.
EXPENSES = [
    ("50101", 8, ["职工教育培训费", "职工书屋图书采购", "技能竞赛培训"]),
    ("50102", 12, ["职工篮球赛场地费", "文艺汇演服装租赁", "健步走活动用品", "职工运动会奖品"]),
    ("50103", 5, ["宣传展板制作", "工会宣传册印刷"]),
    ("50104", 8, ["职工食堂补贴", "职工体检费", "集体福利用品"]),
    ("50106", 4, ["职工活动其他支出"]),
    ("50201", 1, ["劳动关系协调会议费"]),
    ("50202", 2, ["夏季防暑降温用品", "劳动保护用品"]),
    ("50203", 1, ["职工法律援助律师费"]),
    ("50204", 5, ["困难职工帮扶金", "大病职工救助"]),
    ("50205", 5, ["送温暖慰问金", "金秋助学金"]),
    ("50301", 6, ["工会干部培训费"]),
    ("50302", 5, ["工会会员代表大会会议费", "工会委员会会议费"]),
    ("50303", 2, ["专项业务经费"]),
    ("50401", 8, ["办公用品采购", "打印纸墨盒采购", "办公耗材"]),
    ("50402", 1, ["公务接待餐费"]),
    ("50405", 4, ["差旅费报销"]),
    ("50406", 2, ["其他行政支出"]),
    ("505", 1, ["办公设备购置"]),
    ("508", 1, ["其他支出"]),
]
INCOME = [("401", ["收到会费"]), ("402", ["收到拨缴经费", "收到税务代收经费返还"]), ("403", ["收到上级补助"]),
          ("408", ["收到其他收入", "利息收入"])]
HOLIDAY_SUMMARY = {1: "元旦慰问品", 2: "春节慰问品", 4: "清明节慰问", 5: "端午节慰问品", 10: "中秋国庆慰问品"}
COMPANY_WORDS = ["华联", "永辉", "新华", "恒信", "金盛", "宏达", "鑫源", "东方", "长城", "天诚", "瑞丰", "博远"]
COMPANY_KINDS = ["商贸有限公司", "文化传媒有限公司", "体育用品店", "酒店有限公司", "印务有限公司", "科技有限公司"]
BUDGETED = ("501", "502", "503", "504")  # first-level lines of a budget; 505 and 508 stay unbudgeted
LINE_COLUMNS = ("id", "voucher_id", "org_path", "date", "line_no", "account_id", "kind", "summary", "debit",
                "credit", "counterparty", "invoice_code", "invoice_number", "decision_ref", "decision_id",
                "pay_method", "voided")
VOUCHER_COLUMNS = ("id", "org_path", "year", "word", "number", "date", "source", "source_ref", "reversal_reason",
                   "total", "attachment_count", "created_at", "book_id", "created_by_id", "org_id", "reverses_id")
ORG_COLUMNS = ("id", "path", "depth", "numchild", "code", "name", "level", "kind", "ownership", "uscc",
               "region_code", "employee_count", "founded_on", "term_ends_on", "legal_person_registered",
               "legal_person_registered_on", "legal_person_cert_no", "has_women_committee", "has_audit_committee",
               "contact_name", "contact_phone", "contact_phone_bidx", "status", "dissolved_on", "dissolved_reason",
               "created_at", "updated_at")


def log(message: str) -> None:
    import sys

    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def step(n: int) -> str:
    digits = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


@dataclass
class Shape:
    unions: int
    lines: int
    cities: int
    counties: int  # per city
    townships: int  # per county
    per_township: int
    extra: int  # the first ``extra`` townships get one union more

    @classmethod
    def of(cls, unions: int, lines: int) -> "Shape":
        c, k, t = FANOUT
        while c * k * t > unions and t > 1:
            t -= 1
        while c * k * t > unions and k > 1:
            k -= 1
        while c * k * t > unions and c > 1:
            c -= 1
        per, extra = divmod(unions, c * k * t)
        return cls(unions, lines, c, k, t, per, extra)

    def describe(self) -> str:
        return (f"1 province > {self.cities} cities > {self.cities * self.counties} counties > "
                f"{self.cities * self.counties * self.townships} townships > {self.unions:,} grassroots unions "
                f"({self.per_township}-{self.per_township + (1 if self.extra else 0)} a township)")


@dataclass
class Union:
    id: int
    path: str
    code: str
    city: int
    county_id: int
    county_path: str


def tree(shape: Shape, now: str):
    """COPY lines for orgs_org in path order, and the grassroots unions (plus the import's target union)."""
    rows, unions = [], []
    ids = iter(range(1, 10**9))

    def org(path, depth, numchild, code, name, level):
        org_id = next(ids)
        kind = "enterprise" if level == "grassroots" else "federation"
        employees = org_id * 7919 % 900 + 20 if level == "grassroots" else 0
        rows.append(f"{org_id}\t{path}\t{depth}\t{numchild}\t{code}\t{name}\t{level}\t{kind}\t\t\t\t{employees}\t\\N"
                    f"\t\\N\tf\t\\N\t\tf\tf\t\t\t\tactive\t\\N\t\t{now}\t{now}\n")
        return org_id

    root = step(1)
    org(root, 1, shape.cities, "P", "基准省总工会", "province")
    township_no = 0
    for c in range(1, shape.cities + 1):
        c_path = root + step(c)
        org(c_path, 2, shape.counties, f"P{c:02d}", f"第{c}市总工会", "city")
        for k in range(1, shape.counties + 1):
            k_path = c_path + step(k)
            k_id = org(k_path, 3, shape.townships, f"P{c:02d}{k:02d}", f"第{c}市第{k}县总工会", "county")
            for t in range(1, shape.townships + 1):
                kids = shape.per_township + (1 if township_no < shape.extra else 0)
                first = township_no == 0
                township_no += 1
                t_path = k_path + step(t)
                org(t_path, 4, kids + (1 if first else 0), f"P{c:02d}{k:02d}{t:02d}", f"第{c}市{k}县第{t}镇总工会",
                    "township")
                for g in range(1, kids + 1):
                    n = len(unions) + 1
                    g_path = t_path + step(g)
                    g_id = org(g_path, 5, 0, f"G{n:06d}", f"第{n}号基层工会", "grassroots")
                    unions.append(Union(g_id, g_path, f"G{n:06d}", c, k_id, k_path))
                if first:
                    g_path = t_path + step(kids + 1)
                    g_id = org(g_path, 5, 0, IMPORT_UNION, "序时账导入基层工会", "grassroots")
                    target = Union(g_id, g_path, IMPORT_UNION, c, k_id, k_path)
    return rows, unions, target


class Ids:
    def __init__(self):
        self.voucher = self.line = self.decision = self.person = self.membership = 0
        self.budget = self.budget_line = self.fund_return = self.invoice = 0


class Writer:
    """Buffers COPY text per table and streams it when a buffer is large."""

    TABLES = {
        "funds_voucher": VOUCHER_COLUMNS,
        "funds_voucherline": LINE_COLUMNS,
        "funds_decision": ("id", "org_path", "kind", "date", "reference", "title", "created_at", "created_by_id",
                           "org_id"),
        "funds_budget": ("id", "org_path", "year", "state", "approved_at", "created_at", "approved_by_id",
                         "decision_id", "org_id"),
        "funds_budgetline": ("id", "amount", "account_id", "budget_id"),
        "funds_fundreturn": ("id", "payer_path", "union_path", "amount", "receipt_no", "receipt_on", "due_on",
                             "paid_on", "state", "created_at", "payer_id", "union_id", "voucher_id"),
        "funds_book": ("id", "org_path", "year", "state", "next_number", "created_at", "closed_at", "org_id",
                       "chart_id"),
        "members_person": ("id", "uid", "doc_type", "id_number", "id_number_bidx", "name", "sex", "birth_date",
                           "ethnicity", "phone", "phone_bidx", "education", "political_status", "created_at",
                           "updated_at"),
        "members_membership": ("id", "org_path", "joined_on", "left_on", "status", "leave_reason",
                               "is_migrant_worker", "is_new_employment", "is_dispatched", "is_female", "job_title",
                               "employment_form", "source", "created_at", "updated_at", "union_id", "person_id"),
    }

    def __init__(self, conn, chunk: int = 4 << 20):
        self.conn, self.chunk = conn, chunk
        self.buffers = {t: [] for t in self.TABLES}
        self.sizes = dict.fromkeys(self.TABLES, 0)
        self.rows = dict.fromkeys(self.TABLES, 0)

    def add(self, table: str, text: str) -> None:
        buf = self.buffers[table]
        buf.append(text)
        self.rows[table] += 1
        if len(buf) >= 20000:
            self.flush(table)

    def flush(self, table: str) -> None:
        buf = self.buffers[table]
        if not buf:
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(self.TABLES[table])}) FROM STDIN") as cp:
            cp.write("".join(buf))
        buf.clear()

    def close(self) -> None:
        for table in self.TABLES:
            self.flush(table)


class Generator:
    """Draws one union's year of books at a time; the COPY text goes to a Writer."""

    def __init__(self, *, seed: int, accounts: dict, chart_id: int, now: str, lines_per_union: float):
        self.rng = random.Random(seed)
        self.accounts = accounts  # code -> (id, path, kind)
        self.chart_id, self.now = chart_id, now
        self.mean = lines_per_union
        self.ids = Ids()
        rng = self.rng
        self.days = [datetime.date(YEAR, 1, 1) + datetime.timedelta(days=d) for d in range(365)]
        self.day_text = [d.isoformat() for d in self.days]
        self.amounts = [f"{min(19000.0, max(20.0, rng.lognormvariate(math.log(600), 1.0))):.2f}"
                        for _ in range(50000)]
        self.small = [f"{rng.uniform(30, 999):.2f}" for _ in range(5000)]
        self.companies = [f"{rng.choice(COMPANY_WORDS)}{n}{rng.choice(COMPANY_KINDS)}" for n in range(1, 5001)]
        weights, self.expense_pick = [], []
        for code, weight, summaries in EXPENSES:
            weights.append(weight)
            self.expense_pick.append((code, summaries))
        total = sum(weights)
        self.cum = [sum(weights[: i + 1]) / total for i in range(len(weights))]
        self.recent_invoices: list[tuple[str, str]] = []
        self.counts = dict.fromkeys(("duplicate", "near_duplicate", "split", "split_near", "large_decided",
                                     "large_bare", "large_unverified", "large_near", "banned", "banned_income",
                                     "cash_over", "cash_at", "holiday_over", "holiday_at", "budgets", "reversed",
                                     "offlist", "returns", "returns_late", "returns_unpaid", "members"), 0)

    # -- small draws ---------------------------------------------------------------------------------------------
    def expense_account(self) -> tuple[str, list[str]]:
        r = self.rng.random()
        for i, c in enumerate(self.cum):
            if r <= c:
                return self.expense_pick[i]
        return self.expense_pick[-1]

    def invoice(self, city: int) -> tuple[str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.1:
            return "", ""
        if r < 0.1015 and self.recent_invoices:  # a duplicate of a recent invoice (often another union's)
            self.counts["duplicate"] += 1
            return self.recent_invoices[int(rng.random() * len(self.recent_invoices))]
        if r < 0.1020 and self.recent_invoices:  # the same number under another code: a near miss
            code, number = self.recent_invoices[int(rng.random() * len(self.recent_invoices))]
            if code:
                self.counts["near_duplicate"] += 1
                return ("9" + code[1:]) if code[0] != "9" else ("8" + code[1:]), number
        self.ids.invoice += 1
        n = self.ids.invoice
        inv = (f"0{city:03d}25{n // 10**8:06d}", f"{n % 10**8:08d}") if r < 0.7 else ("", f"25{city:03d}{n:015d}")
        if n % 7 == 0:
            self.recent_invoices.append(inv)
            if len(self.recent_invoices) > 2000:
                del self.recent_invoices[:1000]
        return inv

    # -- a union's year --------------------------------------------------------------------------------------------
    def union_year(self, u: Union, book_id: int, w: Writer, members: int, budget: bool, fund_return) -> int:
        rng = self.rng
        quota = max(8, int(self.mean * (0.5 + rng.random())))
        vouchers = []  # (date index, [line tuples]); a line: (code, summary, debit, credit, cp, inv, ref, dec)
        decisions = []

        def expense(day, code, summary, amount, cp="", inv=None, ref="", dec=None, cash=False, extra=()):
            inv = inv if inv is not None else self.invoice(u.city)
            lines = [(code, summary, amount, "0", cp, inv, ref, dec), *extra]
            total = sum(Decimal(ln[2]) for ln in lines)
            lines.append(("101" if cash else "102", summary, "0", f"{total:.2f}", cp, ("", ""), "", None))
            vouchers.append((day, lines, cash))

        def decided(day, amount):
            self.ids.decision += 1
            ref = f"{u.code}决〔{YEAR}〕{len(decisions) + 1}号"
            decisions.append((self.ids.decision, ref, max(0, day - rng.randrange(1, 20))))
            self.counts["large_decided"] += 1
            return ref, self.ids.decision

        # Holiday gifts: a total of under, at or over the cap for the union's members, in 2-5 lines.
        r = rng.random()
        factor = 1.0 if r < 0.03 else rng.uniform(0.4, 1.25)
        if factor > 1:
            self.counts["holiday_over"] += 1
        elif r < 0.03:
            self.counts["holiday_at"] += 1
        cents = int(members * CAP * 100 * factor)
        parts = rng.randrange(2, 6)
        cuts = sorted(rng.randrange(1, cents) for _ in range(parts - 1))
        for a, b, (month, mday) in zip([0, *cuts], [*cuts, cents], rng.sample(HOLIDAY_DAYS, parts), strict=True):
            amount = Decimal(b - a) / 100
            day = max(0, (datetime.date(YEAR, month, mday) - datetime.date(YEAR, 1, 1)).days - rng.randrange(0, 10))
            ref, dec = decided(day, amount) if amount >= THRESHOLD else ("", None)
            expense(day, "50105", HOLIDAY_SUMMARY.get(month, "节日慰问品"), f"{amount:.2f}",
                    rng.choice(self.companies), ref=ref, dec=dec)
        # Split purchases and their near miss (8 days apart).
        if rng.random() < 0.03:
            self.counts["split"] += 1
            code = rng.choice(["50102", "50104", "50401"])
            cp, day = rng.choice(self.companies), rng.randrange(0, 355)
            for k in range(rng.choice([2, 2, 3])):
                expense(day + (0 if k == 0 else rng.randrange(0, 7)), code, "活动用品采购",
                        f"{rng.uniform(10001, 15000):.2f}", cp)
        if rng.random() < 0.02:
            self.counts["split_near"] += 1
            cp, day = rng.choice(self.companies), rng.randrange(0, 355)
            for k in range(2):
                expense(day + 8 * k, "50102", "文体用品采购", f"{rng.uniform(10001, 15000):.2f}", cp)
        # Ordinary vouchers until the quota: expenses (some large, cash, banned, off-list) and income.
        lines_made = sum(len(v[1]) for v in vouchers)
        while lines_made < quota:
            day = int(rng.random() * 365)
            r = rng.random()
            if r < 0.15:
                code, summaries = INCOME[int(rng.random() * len(INCOME))]
                summary = summaries[0] if len(summaries) == 1 else rng.choice(summaries)
                if rng.random() < 0.003:
                    summary, code = f"退回{rng.choice(BANNED)}", "408"  # a banned word on income: never flagged
                    self.counts["banned_income"] += 1
                amount = self.amounts[int(rng.random() * 50000)]
                vouchers.append((day, [("102", summary, amount, "0", "", ("", ""), "", None),
                                       (code, summary, "0", amount, "", ("", ""), "", None)], False))
                lines_made += 2
                continue
            code, summaries = self.expense_account()
            summary = summaries[0] if len(summaries) == 1 else summaries[int(rng.random() * len(summaries))]
            amount, ref, dec, cash = self.amounts[int(rng.random() * 50000)], "", None, False
            cp = self.companies[int(rng.random() * 5000)]
            if code == "50401":
                if rng.random() < 0.03:
                    self.counts["offlist"] += 1
                else:
                    cp = SUPPLIERS[int(rng.random() * len(SUPPLIERS))]
            r = rng.random()
            if r < 0.01:
                amount = f"{rng.uniform(20000, 150000):.2f}"
                k = rng.random()
                if k < 0.7:
                    ref, dec = decided(day, amount)
                elif k < 0.9:
                    self.counts["large_bare"] += 1
                else:
                    ref = f"{u.code}会〔{YEAR}〕99号"
                    self.counts["large_unverified"] += 1
            elif r < 0.012:
                amount = "19999.99"
                self.counts["large_near"] += 1
            elif r < 0.09:
                cash = True
                k = rng.random()
                if k < 0.15:
                    amount = f"{rng.uniform(1000.01, 5000):.2f}"
                    self.counts["cash_over"] += 1
                elif k < 0.2:
                    amount = "1000.00"
                    self.counts["cash_at"] += 1
                else:
                    amount = self.small[int(rng.random() * 5000)]
            if rng.random() < 0.003:
                summary = f"{summary}（{rng.choice(BANNED)}）"
                self.counts["banned"] += 1
            extra = ()
            if rng.random() < 0.1:
                code2, summaries2 = self.expense_account()
                extra = ((code2, summaries2[0], self.small[int(rng.random() * 5000)], "0", cp, self.invoice(u.city),
                          "", None),)
            expense(day, code, summary, amount, cp, ref=ref, dec=dec, cash=cash, extra=extra)
            lines_made += 2 + len(extra)
        return self._write(u, book_id, w, vouchers, decisions, members, budget, fund_return)

    def _write(self, u, book_id, w, vouchers, decisions, members, budget, fund_return) -> int:
        rng, ids, acc, days, now = self.rng, self.ids, self.accounts, self.day_text, self.now
        vouchers.sort(key=lambda v: v[0])
        spent: dict[str, Decimal] = {}
        reversals = 0
        for number, (day, lines, cash) in enumerate(vouchers, 1):
            ids.voucher += 1
            vid, date = ids.voucher, days[day]
            reverse = rng.random() < 0.002
            total = sum(Decimal(ln[2]) for ln in lines)
            w.add("funds_voucher", f"{vid}\t{u.path}\t{YEAR}\t记\t{number}\t{date}\timport\t\t\t{total:.2f}\t0\t{now}"
                                   f"\t{book_id}\t\\N\t{u.id}\t\\N\n")
            method = "cash" if cash else "bank"
            voided = "t" if reverse else "f"
            for n, (code, summary, debit, credit, cp, (icode, inum), ref, dec) in enumerate(lines, 1):
                ids.line += 1
                a_id, _path, kind = acc[code]
                w.add("funds_voucherline", f"{ids.line}\t{vid}\t{u.path}\t{date}\t{n}\t{a_id}\t{kind}\t{summary}\t"
                                           f"{debit}\t{credit}\t{cp}\t{icode}\t{inum}\t{ref}\t"
                                           f"{dec if dec else chr(92) + 'N'}\t{method}\t{voided}\n")
                if kind == "expense" and not reverse:
                    spent[code[:3]] = spent.get(code[:3], Decimal(0)) + Decimal(debit)
                    if code == "50401":
                        spent[code] = spent.get(code, Decimal(0)) + Decimal(debit)
            if reverse:  # the red-ink reversal, dated later the same year
                self.counts["reversed"] += 1
                reversals += 1
                ids.voucher += 1
                rdate = days[min(364, day + rng.randrange(1, 30))]
                w.add("funds_voucher", f"{ids.voucher}\t{u.path}\t{YEAR}\t记\t{len(vouchers) + reversals}"
                                       f"\t{rdate}\treversal\t记-{number:04d}\t凭证有误\t{-total:.2f}\t0\t{now}\t{book_id}"
                                       f"\t\\N\t{u.id}\t{vid}\n")
                for n, (code, summary, debit, credit, cp, (icode, inum), ref, _dec) in enumerate(lines, 1):
                    ids.line += 1
                    a_id, _p, kind = acc[code]
                    w.add("funds_voucherline", f"{ids.line}\t{ids.voucher}\t{u.path}\t{rdate}\t{n}\t{a_id}\t{kind}\t"
                                               f"冲销记-{number:04d}：{summary}\t{-Decimal(debit):.2f}\t"
                                               f"{-Decimal(credit):.2f}\t{cp}\t{icode}\t{inum}\t{ref}\t\\N\t{method}"
                                               f"\tt\n")
        next_number = len(vouchers) + 1 + reversals
        for dec_id, ref, day in decisions:
            w.add("funds_decision", f"{dec_id}\t{u.path}\tcommittee\t{days[day]}\t{ref}\t大额支出集体研究\t{now}\t\\N"
                                    f"\t{u.id}\n")
        if budget:
            self.counts["budgets"] += 1
            ids.budget += 1
            w.add("funds_budget", f"{ids.budget}\t{u.path}\t{YEAR}\tapproved\t{now}\t{now}\t\\N\t\\N\t{u.id}\n")
            for code in (*BUDGETED, "50401"):
                base = spent.get(code, Decimal(0))
                amount = (base * Decimal(rng.uniform(0.8, 1.4))).quantize(Decimal("100")) + 100
                ids.budget_line += 1
                w.add("funds_budgetline", f"{ids.budget_line}\t{amount:.2f}\t{acc[code][0]}\t{ids.budget}\n")
        for _ in range(members):
            ids.person += 1
            p = ids.person
            sex = "F" if p % 3 == 0 else "M"
            w.add("members_person", f"{p}\tB{p:010d}\tresident_id\tbench:{p}\tbench{p:027d}\t职工{p}\t{sex}\t\\N\t\t"
                                    f"\t\t\t\t{now}\t{now}\n")
            w.add("members_membership", f"{p}\t{u.path}\t2020-01-01\t\\N\tactive\t\tf\tf\tf\t{'t' if sex == 'F' else 'f'}"
                                        f"\t\t\timport\t{now}\t{now}\t{u.id}\t{p}\n")
        self.counts["members"] += members
        if fund_return is not None:
            add_workdays = fund_return
            self.counts["returns"] += 1
            ids.fund_return += 1
            receipt = self.days[rng.randrange(0, 340)]
            due = add_workdays(receipt, 5)
            k = rng.random()
            if k < 0.1:
                paid, state = "\\N", "pending"
                self.counts["returns_unpaid"] += 1
            else:
                paid = add_workdays(receipt, rng.randrange(1, 6) if k < 0.8 else rng.randrange(6, 12)).isoformat()
                state = "paid"
                self.counts["returns_late"] += k >= 0.8
            w.add("funds_fundreturn", f"{ids.fund_return}\t{u.county_path}\t{u.path}\t"
                                      f"{self.amounts[rng.randrange(50000)]}\t收据{ids.fund_return:07d}\t{receipt}\t"
                                      f"{due.isoformat()}\t{paid}\t{state}\t{now}\t{u.county_id}\t{u.id}\t\\N\n")
        return next_number


def book_row(book_id: int, u: Union, next_number: int, chart_id: int, now: str) -> str:
    return f"{book_id}\t{u.path}\t{YEAR}\topen\t{next_number}\t{now}\t\\N\t{u.id}\t{chart_id}\n"


LINE_TABLES = ("funds_voucherline", "funds_voucher", "members_membership", "members_person")


def secondary_indexes(cur, tables) -> list[str]:
    """CREATE INDEX statements of the tables' indexes that back no constraint (dropped for the load)."""
    cur.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    """, [list(tables)])
    return cur.fetchall()


def model_defaults(cur, columns_by_table: dict) -> list[str]:
    """Give every NOT NULL column the loader does not write (one a later migration added) its model default as a
    database default; returns the statements that would take those defaults off again."""
    from django.apps import apps
    from psycopg import sql

    models = {m._meta.db_table: m for m in apps.get_models()}
    undo = []
    for table, written in columns_by_table.items():
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO' "
                    "AND column_default IS NULL AND is_identity = 'NO'", [table])
        for (column,) in cur.fetchall():
            if column in written:
                continue
            field = next(f for f in models[table]._meta.concrete_fields if f.column == column)
            cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                sql.Identifier(table), sql.Identifier(column), sql.Literal(field.get_default())))
            undo.append(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
    return undo


def load(*, conn, shape: Shape, seed: int, chart, add_workdays, actor_user_id: int) -> dict:
    """Write the whole data set through ``conn`` (a psycopg 3 connection, autocommit). Returns counts."""
    t0 = time.monotonic()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    accounts = {a.code: (a.id, a.path, a.kind) for a in chart.accounts.filter(org__isnull=True)}
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers: the rows are consistent
        cur.execute("SET maintenance_work_mem = '1GB'")
        undo = model_defaults(cur, {**Writer.TABLES, "orgs_org": ORG_COLUMNS,
                                    "funds_supplier": ("id", "org_path", "name", "uscc", "active", "created_at",
                                                       "org_id")})
        dropped = secondary_indexes(cur, LINE_TABLES)
        for name, _sql in dropped:
            cur.execute(f"DROP INDEX {name}")
        rows, unions, target = tree(shape, now)
        with cur.copy(f"COPY orgs_org ({', '.join(ORG_COLUMNS)}) FROM STDIN") as cp:
            for i in range(0, len(rows), 20000):
                cp.write("".join(rows[i:i + 20000]))
        log(f"orgs: {len(rows):,} in {time.monotonic() - t0:.1f} s ({shape.describe()})")
        w = Writer(conn)
        for n, name in enumerate(SUPPLIERS, 1):
            cur.execute("INSERT INTO funds_supplier (id, org_path, name, uscc, active, created_at, org_id) "
                        "VALUES (%s, %s, %s, '', true, now(), 1)", [n, step(1), name])
        gen = Generator(seed=seed, accounts=accounts, chart_id=chart.id, now=now,
                        lines_per_union=shape.lines / shape.unions)
        books = []
        rng = random.Random(seed + 1)
        t1 = time.monotonic()
        for i, u in enumerate(unions, 1):
            members = max(3, min(400, int(rng.lognormvariate(math.log(18), 0.6))))
            next_number = gen.union_year(u, i, w, members, budget=i % 2 == 0,
                                         fund_return=add_workdays if rng.random() < 0.05 else None)
            books.append(book_row(i, u, next_number, chart.id, now))
            if i % 10000 == 0:
                log(f"  {i:,} unions, {gen.ids.line:,} lines ({time.monotonic() - t1:.0f} s)")
        w.close()
        with cur.copy(f"COPY funds_book ({', '.join(Writer.TABLES['funds_book'])}) FROM STDIN") as cp:
            cp.write("".join(books))
        log(f"books: {gen.ids.line:,} lines, {gen.ids.voucher:,} vouchers in {time.monotonic() - t1:.0f} s; "
            "rebuilding indexes")
        t2 = time.monotonic()
        for _name, sql in dropped:
            cur.execute(sql)
        index_seconds = time.monotonic() - t2
        for table in ("orgs_org", "funds_book", "funds_voucher", "funds_voucherline", "funds_decision", "funds_budget",
                      "funds_budgetline", "funds_fundreturn", "funds_supplier", "members_person",
                      "members_membership"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))")
        cur.execute("INSERT INTO core_grant (user_id, role, org_id, created_at) VALUES (%s, 'federation_staff', 1, "
                    "now())", [actor_user_id])
        # The defaults stay (the database is the benchmark's): the day's lines and the COPY bounds write the same
        # columns later. ``undo`` lists what a shared database would take off again.
        log(f"model defaults set for {len(undo)} column(s) the loader does not write")
        cur.execute("SET session_replication_role = origin")
        cur.execute("VACUUM ANALYZE")
    counts = dict(gen.counts)
    counts.update(lines=gen.ids.line, vouchers=gen.ids.voucher, decisions=gen.ids.decision, unions=len(unions),
                  orgs=len(rows), load_seconds=round(time.monotonic() - t0, 1), index_seconds=round(index_seconds, 1),
                  import_union=target.id)
    log(f"loaded in {counts['load_seconds']:.0f} s (indexes {index_seconds:.0f} s)")
    return counts
