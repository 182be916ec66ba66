"""The demo's books: every demo union (grassroots, townships, counties, industry unions, the city) keeps books
for the previous year in full and the current year up to today, written through the journal import's bulk path
(COPY on PostgreSQL, batched inserts on SQLite) with every column ``books.voucher_post`` fills.

A grassroots union's year: dues each month and the employer's allocation each quarter, 送温暖 in January,
holiday gifts before 春节, 端午 and 中秋, monthly activities on the 职工活动支出 sub-accounts, training, office
supplies, petty cash. The federations: allocations shared up, grants down to the unions below, meetings,
training. A handful of real-looking cases the rules flag sit in the current year (a 购物卡 summary, the same
invoice in two unions, a purchase split in three under 20,000 in one week, 30,000 paid without a collective
decision, 1,500 in cash, holiday gifts far above 2,000 a member in one small union). Earlier years stay empty.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.access import SYSTEM
from gonghui.funds import books as funds_books
from gonghui.funds import chart as charts
from gonghui.funds.journal.writing import insert_rows, new_ids
from gonghui.funds.models import (
    Account,
    Book,
    Decision,
    MeetingKind,
    PayMethod,
    Voucher,
    VoucherLine,
    VoucherSource,
)
from gonghui.orgs.models import Org

CENT = Decimal("0.01")
BANK, CASH = "银行存款", "库存现金"
# 春节, 端午, 中秋 (lunar): the gifts are bought in the fortnight before.
FESTIVALS = {
    2024: ((2, 10), (6, 10), (9, 17)), 2025: ((1, 29), (5, 31), (10, 6)), 2026: ((2, 17), (6, 19), (9, 25)),
    2027: ((2, 6), (6, 9), (9, 15)), 2028: ((1, 26), (5, 28), (10, 3)),
}
SUPERMARKETS = ("临江华联超市", "永辉超市临江店", "物美超市东湖店", "临江百货大楼")
STATIONERS = ("临江办公用品商行", "晨光文具临江店", "临江市政府采购中心")
TRAINERS = ("临江市职工学校", "临江市总工会干部学校", "东湖培训中心")
VENUES = ("临江体育中心", "东湖文化宫", "临江市职工文化活动中心")


@dataclass
class Entry:
    """A voucher to write: its date and its lines (path, summary, debit, credit, counterparty, invoice code,
    invoice number, decision reference)."""

    date: datetime.date
    lines: list[tuple] = field(default_factory=list)
    bare: bool = False  # a large expense left without its collective decision on purpose (a case the rules flag)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


class _Invoices:
    """Distinct invoice codes and numbers across the federation (the duplicate case reuses one on purpose)."""

    def __init__(self, rng: random.Random):
        self.rng, self.n = rng, 10_000_000

    def next(self) -> tuple[str, str]:
        self.n += self.rng.randint(1, 40)
        return f"0440{self.rng.randint(10, 99)}1900{self.rng.randint(10, 99)}", f"{self.n:08d}"


def _expense(date, path, summary, amount, counterparty="", invoice=("", ""), ref="", paid=BANK) -> Entry:
    amount = _money(amount) if not isinstance(amount, Decimal) else amount
    return Entry(date, [(path, summary, amount, Decimal(0), counterparty, invoice[0], invoice[1], ref),
                        (paid, summary, Decimal(0), amount, counterparty, "", "", "")])


def _income(date, path, summary, amount, counterparty="") -> Entry:
    amount = _money(amount)
    return Entry(date, [(BANK, summary, amount, Decimal(0), counterparty, "", "", ""),
                        (path, summary, Decimal(0), amount, counterparty, "", "", "")])


def _day(rng, year: int, month: int, lo: int = 1, hi: int = 28) -> datetime.date:
    return datetime.date(year, month, rng.randint(lo, hi))


def _grassroots_year(rng, inv: _Invoices, union: Org, members: int, year: int) -> list[Entry]:
    out: list[Entry] = []
    employees = max(union.employee_count or members or 30, members, 10)
    wage = rng.uniform(4200, 9000)
    for month in range(1, 13):
        out.append(_income(_day(rng, year, month, 5, 15), "会费收入", f"收到{month}月会员会费",
                           members * wage * 0.005))
        if month % 3 == 0:
            out.append(_income(_day(rng, year, month, 10, 25), "拨缴经费收入",
                               f"收到{month // 3}季度工会经费（60%返还）",
                               employees * wage * 0.02 * 3 * 0.6, "临江市总工会"))
        if rng.random() < 0.7:
            what, place = rng.choice((("职工篮球赛", VENUES), ("读书分享会", ("临江书城",)), ("职工健步走", VENUES),
                                      ("文艺汇演", VENUES), ("趣味运动会", VENUES)))
            out.append(_expense(_day(rng, year, month), "职工活动支出-文体活动", f"{what}费用",
                                # at most 9,000: two in one week never pass the 20,000 decision threshold together
                                rng.uniform(600, min(60 * members + 800, 9000)), rng.choice(place), inv.next()))
        if rng.random() < 0.25:
            out.append(_expense(_day(rng, year, month), "职工活动支出-职工教育", "职工技能提升课程费",
                                rng.uniform(800, 6000), rng.choice(TRAINERS), inv.next()))
        if rng.random() < 0.3:
            out.append(_expense(_day(rng, year, month), "行政支出-办公费", "购买办公用品",
                                rng.uniform(120, 1800), rng.choice(STATIONERS), inv.next()))
        if month in (3, 9) and rng.random() < 0.6:
            out.append(_expense(_day(rng, year, month), "业务支出-培训", "工会干部业务培训费",
                                rng.uniform(1000, 5000), rng.choice(TRAINERS), inv.next()))
        if month in (4, 10):
            out.append(Entry(_day(rng, year, month), [(CASH, "提取备用金", _money(2000), Decimal(0), "", "", "", ""),
                                                      (BANK, "提取备用金", Decimal(0), _money(2000), "", "", "", "")]))
            out.append(_expense(_day(rng, year, month), "职工活动支出-职工集体福利", "看望生病住院职工",
                                rng.choice((300, 500, 600, 800)), "", paid=CASH))
        if month == 5 and rng.random() < 0.5:
            out.append(_expense(_day(rng, year, 5), "职工活动支出-宣传活动", "五一劳动节宣传展板制作",
                                rng.uniform(500, 3000), "临江广告制作部", inv.next()))
    # 送温暖 in January; holiday gifts in the fortnight before 春节, 端午 and 中秋.
    out.append(_expense(_day(rng, year, 1, 5, 20), "维权支出-送温暖", "春节送温暖慰问困难职工",
                        rng.choice((2, 3, 4, 5)) * rng.choice((500, 800, 1000)), ""))
    spring, dragon, autumn = FESTIVALS.get(year, ((2, 1), (6, 5), (9, 20)))
    for (m, d), name, per in ((spring, "春节", rng.uniform(350, 600)), (dragon, "端午", rng.uniform(150, 300)),
                              (autumn, "中秋", rng.uniform(250, 450))):
        day = datetime.date(year, m, d) - datetime.timedelta(days=rng.randint(3, 14))
        out.append(_expense(day, "职工活动支出-节日慰问", f"{name}节日慰问品", members * per,
                            rng.choice(SUPERMARKETS), inv.next()))
    return out


def _federation_year(rng, inv: _Invoices, org: Org, below: int, year: int) -> list[Entry]:
    out: list[Entry] = []
    scale = max(below, 1)
    for q in range(1, 5):
        month = q * 3
        out.append(_income(_day(rng, year, month, 5, 20), "拨缴经费收入", f"{q}季度拨缴经费（分成）",
                           scale * rng.uniform(6000, 12000), "临江市税务局代收"))
        out.append(_expense(_day(rng, year, month, 10, 28), "补助下级支出", f"{q}季度补助下级工会",
                            scale * rng.uniform(1500, 3000), "下级工会"))
    for month in range(1, 13):
        if rng.random() < 0.5:
            out.append(_expense(_day(rng, year, month), "业务支出-会议", "工会工作会议费用", rng.uniform(800, 6000),
                                rng.choice(VENUES), inv.next()))
        if rng.random() < 0.4:
            out.append(_expense(_day(rng, year, month), "行政支出-办公费", "购买办公用品", rng.uniform(200, 3000),
                                rng.choice(STATIONERS), inv.next()))
    for month in (4, 9):
        out.append(_expense(_day(rng, year, month), "业务支出-培训", "基层工会干部培训班", rng.uniform(5000, 18000),
                            rng.choice(TRAINERS), inv.next()))
    # "三公": official cars every quarter, a reception now and then (the summary the board publishes counts them).
    for q in range(1, 5):
        out.append(_expense(_day(rng, year, q * 3 - 1), "行政支出-公务用车运行维护费", "公务用车加油及维修",
                            rng.uniform(1200, 4000), "临江市汽车服务公司", inv.next()))
    for month in rng.sample(range(1, 13), 2):
        out.append(_expense(_day(rng, year, month), "行政支出-公务接待费", "接待上级工会调研工作餐",
                            rng.uniform(300, 1200), "临江市总工会职工食堂", inv.next()))
    out.append(_expense(_day(rng, year, 1, 5, 20), "维权支出-送温暖", "春节送温暖走访慰问困难职工",
                        scale * rng.uniform(800, 2000), ""))
    return out


def _flagged(rng, inv: _Invoices, grassroots: list[Org], members: dict, year: int,
             today: datetime.date) -> dict[int, list[Entry]]:
    """The current year's cases the rules flag, in a few unions, each dated before ``today``."""
    extra: dict[int, list[Entry]] = {}
    pool = sorted(grassroots, key=lambda o: o.code)
    if len(pool) < 6:
        return extra

    def when(month: int, day: int) -> datetime.date:
        d = datetime.date(year, min(month, today.month), day)
        return min(d, today)

    a, b, c, d, e = pool[1], pool[2], pool[3], pool[4], pool[5]
    extra.setdefault(a.pk, []).append(_expense(when(9, 12), "职工活动支出-节日慰问", "购买超市购物卡发放职工中秋福利",
                                               members.get(a.pk, 40) * 300, "永辉超市临江店", inv.next()))
    shared = inv.next()
    extra.setdefault(b.pk, []).append(_expense(when(5, 8), "行政支出-办公费", "购买打印纸硒鼓", 2860,
                                               "临江办公用品商行", shared))
    extra.setdefault(c.pk, []).append(_expense(when(5, 20), "行政支出-办公费", "购买打印纸硒鼓", 2860,
                                               "临江办公用品商行", shared))
    start = when(6, 3)
    for offset, amount in ((0, 8500), (2, 7800), (5, 6900)):
        extra.setdefault(d.pk, []).append(_expense(min(start + datetime.timedelta(days=offset), today),
                                                   "行政支出-办公费", "购买办公电脑", amount, "临江办公设备有限公司",
                                                   inv.next()))
    bare = _expense(when(7, 15), "职工活动支出-文体活动", "职工运动会场地及器材", 30000, "临江体育中心", inv.next())
    bare.bare = True
    extra.setdefault(e.pk, []).append(bare)
    extra.setdefault(a.pk, []).append(_expense(when(3, 18), "维权支出-困难职工帮扶", "慰问重病职工", 1500, "",
                                               paid=CASH))
    # A large expense that is in order: its collective decision is recorded and referenced (``_decide``).
    extra.setdefault(b.pk, []).append(_expense(when(4, 20), "职工活动支出-文体活动", "职工文化节演出服务", 26000,
                                               "东湖文化宫", inv.next()))
    # The smallest union: 春节 gifts far above 2,000 yuan a member.
    small = min(pool, key=lambda o: (members.get(o.pk, 0) or 10**6, o.code))
    spring = datetime.date(year, *FESTIVALS.get(year, ((2, 1),))[0]) - datetime.timedelta(days=7)
    extra.setdefault(small.pk, []).append(_expense(min(spring, today), "职工活动支出-节日慰问",
                                                   "春节慰问品（高档礼盒）",
                                                   max(members.get(small.pk, 5), 1) * 3200, "临江百货大楼",
                                                   inv.next()))
    return extra


THRESHOLD = Decimal("20000")


def _decide(rng, org: Org, year: int, found: list[Entry]) -> list[tuple]:
    """Every expense of 20,000 or more is paid after a collective decision, referenced on its line (except the
    cases left bare on purpose). Returns the decisions to record: (org, reference, date, subject, kind)."""
    out = []
    committee = org.level == "grassroots"
    for entry in sorted(found, key=lambda e: e.date):
        if entry.bare:
            continue
        for i, ln in enumerate(entry.lines):
            if ln[0] in (BANK, CASH) or ln[2] < THRESHOLD or ln[7]:
                continue
            ref = f"{'工委' if committee else '党组'}〔{year}〕{len(out) + 1}号"
            on = max(entry.date - datetime.timedelta(days=rng.randint(2, 15)), datetime.date(year, 1, 1))
            kind = MeetingKind.COMMITTEE if committee else MeetingKind.PARTY_GROUP
            out.append((org, ref, on, f"研究{ln[1]}事项", kind))
            entry.lines[i] = (*ln[:7], ref)
    return out


def seed_books(*, today: datetime.date, rng: random.Random) -> dict:
    """Books for the previous year and the current year up to ``today`` for every demo union but the branches."""
    from gonghui.members.models import Membership, MembershipStatus

    orgs = list(Org.objects.exclude(level="branch").order_by("path"))
    if not orgs:
        return {"books": 0, "vouchers": 0, "lines": 0}
    by_path = dict(Membership.objects.filter(status=MembershipStatus.ACTIVE).values_list("union__path")
                   .annotate(n=Count("id")).values_list("union__path", "n"))
    inv = _Invoices(rng)
    grassroots = [o for o in orgs if o.level == "grassroots"]
    members = {}  # a union's active members, its branches' (分会) included; a union without a roster: an estimate
    for o in grassroots:
        counted = sum(n for path, n in by_path.items() if path.startswith(o.path))
        members[o.pk] = counted or max((o.employee_count or 40) // 2, 8)
    below = {o.pk: sum(1 for g in grassroots if g.path.startswith(o.path)) for o in orgs if o.level != "grassroots"}
    entries: dict[tuple[int, int], list[Entry]] = {}
    decisions: list = []
    for year in (today.year - 1, today.year):
        for org in orgs:
            if org.level == "grassroots":
                found = _grassroots_year(rng, inv, org, members[org.pk], year)
            else:
                found = _federation_year(rng, inv, org, below.get(org.pk, 1), year)
            entries[(org.pk, year)] = found
    for pk, extra in _flagged(rng, inv, grassroots, members, today.year, today).items():
        entries[(pk, today.year)].extend(extra)
    by_pk = {o.pk: o for o in orgs}
    for (pk, year), found in entries.items():
        decisions.extend(_decide(rng, by_pk[pk], year, found))
    with transaction.atomic():
        counts = _write(orgs, entries, today, decisions)
    return counts


def _write(orgs: list[Org], entries: dict, today: datetime.date, decisions: list) -> dict:
    by_pk = {o.pk: o for o in orgs}
    now = timezone.now()
    charts_by_year = {y: charts.chart_for(orgs[0], y) for y in {y for _pk, y in entries}}
    accounts = {(c.pk, a.path): a for c in charts_by_year.values()
                for a in Account.objects.filter(chart=c, org__isnull=True)}
    kept_decisions = [d for d in decisions if d[2] <= today]
    Decision.objects.bulk_create([Decision(org=org, org_path=org.path, kind=kind, date=on, reference=ref, title=title)
                                  for org, ref, on, title, kind in kept_decisions], batch_size=500)
    refs = {(org_id, ref): pk for org_id, ref, pk in Decision.objects.filter(org_id__in=list(by_pk))
            .values_list("org_id", "reference", "id")}
    plan = []  # (org, year, chart, [(entry, number)])
    for (pk, year), found in entries.items():
        kept = sorted((e for e in found if e.date <= today), key=lambda e: e.date)
        if kept:
            plan.append((by_pk[pk], year, charts_by_year[year], kept))
    Book.objects.bulk_create([Book(org=org, org_path=org.path, year=year, chart=chart, next_number=len(kept) + 1)
                              for org, year, chart, kept in plan], batch_size=500)
    book_ids = {(b.org_id, b.year): b.pk for b in Book.objects.filter(org_id__in=list(by_pk))}
    vouchers, lines = [], []
    for org, year, chart, kept in plan:
        for number, entry in enumerate(kept, 1):
            vouchers.append((org, year, chart, number, entry))
    ids = new_ids(Voucher, len(vouchers))
    cols = ("book_id", "org_id", "org_path", "year", "word", "number", "date", "source", "source_ref", "reverses_id",
            "reversal_reason", "total", "attachment_count", "created_by_id", "created_at")
    rows = [(book_ids[(org.pk, year)], org.pk, org.path, year, "记", number, e.date, VoucherSource.IMPORT, "演示数据",
             None, "", sum(ln[2] for ln in e.lines), 1, None, now) for org, year, _c, number, e in vouchers]
    if ids is not None:
        insert_rows(Voucher, ("id", *cols), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    else:
        before = Voucher.objects.order_by("-id").values_list("id", flat=True).first() or 0
        insert_rows(Voucher, cols, rows)
        found = {(b, n): pk
                 for b, n, pk in Voucher.objects.filter(id__gt=before).values_list("book_id", "number", "id")}
        ids = [found[(row[0], row[5])] for row in rows]

    @dataclass
    class _Ln:
        account: Account
        credit: Decimal

    for vid, (org, _year, chart, _number, e) in zip(ids, vouchers, strict=True):
        accs = [accounts[(chart.pk, ln[0])] for ln in e.lines]
        method = funds_books.pay_method_of([_Ln(a, ln[3]) for a, ln in zip(accs, e.lines, strict=True)])
        for n, (acc, (_path, summary, debit, credit, party, code, number, ref)) in enumerate(
                zip(accs, e.lines, strict=True), 1):
            lines.append((vid, org.path, e.date, n, acc.pk, acc.kind, summary, debit, credit, party, code, number, ref,
                          refs.get((org.pk, ref)) if ref else None, method or PayMethod.OTHER, False))
    insert_rows(VoucherLine, ("voucher_id", "org_path", "date", "line_no", "account_id", "kind", "summary", "debit",
                              "credit", "counterparty", "invoice_code", "invoice_number", "decision_ref",
                              "decision_id", "pay_method", "voided"), lines)
    lines_written = VoucherLine.objects.filter(voucher_id__gte=min(ids)).order_by("id").values_list("id", flat=True)
    first_line, last_line = lines_written.first(), lines_written.last()
    counts = {"books": len(plan), "vouchers": len(vouchers), "lines": len(lines), "first_line_id": first_line,
              "last_line_id": last_line}
    audit.record(actor=SYSTEM, action="funds.demo_books", object_type="funds.book", object_id="",
                 scope_path=orgs[0].path, details={"books": counts["books"], "vouchers": counts["vouchers"],
                                                   "lines": counts["lines"]})
    return counts
