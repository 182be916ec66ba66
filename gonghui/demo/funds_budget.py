"""The demo's budgets, collective decisions, audits and public boards (run after the books are seeded).

- approved budgets for this year for most grassroots unions (every tenth has none), drafted by the city's staff,
  reviewed by the auditor and approved by the union committee's decision;
- a decision for each large expense whose reference is not recorded yet, plus a few large expenses with their
  decisions, and one 30,000 yuan expense left without any (the rule engine flags it);
- audits of last year for about half the grassroots unions, a few with findings (some rectified, some overdue);
- last year's income and expense summary published on the public board of every union with books that year;
- the central purchasing supplier list left empty (the check is off until a federation fills it).
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from gonghui.core.access import actor_for
from gonghui.funds import audits, budgets, decisions
from gonghui.funds.books import LineIn, account_find, book_open, voucher_post
from gonghui.funds.models import AccountKind, Decision, MeetingKind, VoucherLine
from gonghui.orgs.models import Level, Org, Status

# Budgets follow each union's own spending (the larger of last year's and this year's so far, by first-level
# expenditure account, with 10-30% to spare), with a line of its own for holiday gifts: a budget the books keep to.
# One union in 25 budgeted its activities tightly and is over budget by autumn.
HOLIDAY = "职工活动支出-节日慰问"
FINDINGS = ["部分报销凭证缺少发票原件", "节日慰问品发放签收表不完整", "现金日记账未按日登记", "固定资产未定期盘点",
            "大额支出集体决策会议纪要未归档", "工会经费与行政经费混用"]
LARGE = [("职工活动支出-文体活动", "职工运动会场地及器材", Decimal("42000.00")),
         ("职工活动支出-节日慰问", "中秋节慰问品采购", Decimal("36800.00")),
         ("业务支出-培训", "工会干部业务培训", Decimal("24500.00"))]


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value / 100) * 100)).quantize(Decimal("0.01"))


def _post_expense(actor, org, day, path, summary, amount, ref=""):
    book = book_open(org=org, year=day.year)
    account, bank = account_find(book, path), account_find(book, "102")
    return voucher_post(actor=actor, org=org, date=day, lines=[
        LineIn(account=account, summary=summary, debit=amount, counterparty="临江市供销服务公司", decision_ref=ref),
        LineIn(account=bank, summary=summary, credit=amount)])


def _spending(union, year: int) -> dict[str, Decimal]:
    """Expenditure by first-level account (and holiday gifts on their own), the larger of last year and this."""
    totals: dict[str, Decimal] = {}
    for y in (year - 1, year):
        by_year: dict[str, Decimal] = {}
        rows = (VoucherLine.objects.filter(voucher__org=union, voucher__year=y, kind=AccountKind.EXPENSE, voided=False)
                .values_list("account__path").annotate(total=Sum("debit") - Sum("credit")))
        for path, total in rows:
            for key in {path.split("-")[0], HOLIDAY if path.startswith(HOLIDAY) else ""} - {""}:
                by_year[key] = by_year.get(key, Decimal(0)) + total
        for key, total in by_year.items():
            totals[key] = max(totals.get(key, Decimal(0)), total)
    return totals


def seed_budget(*, today: datetime.date, rng) -> dict:
    staff, auditor = _actor("city"), _actor("auditor")
    unions = list(Org.objects.filter(level=Level.GRASSROOTS, status=Status.ACTIVE).order_by("path"))
    counts = {"budgets": 0, "decisions": 0, "audits": 0, "findings": 0, "boards": 0}
    year, last = today.year, today.year - 1
    with transaction.atomic():
        for n, union in enumerate(unions):
            spending = _spending(union, year)
            if n % 10 == 9 or not spending:
                continue  # a few unions without a budget this year (and those with no books to budget from)
            decided = min(datetime.date(year, 1, 10 + n % 15), today)
            decision = decisions.decision_record(
                actor=staff, org=union, kind=MeetingKind.COMMITTEE, date=decided,
                reference=f"{union.code}工会〔{year}〕1号", title=f"审议{year}年度经费预算", items=[])
            budget = budgets.budget_create(actor=staff, org=union, year=year)
            for path, spent in spending.items():
                spare = rng.uniform(0.8, 0.9) if n % 25 == 4 and path == "职工活动支出" else rng.uniform(1.1, 1.3)
                budgets.budget_line_set(actor=staff, budget=budget, account=path,
                                        amount=max(_money(float(spent) * spare), Decimal("1000.00")))
            budgets.budget_review(actor=auditor, budget=budget, opinion="预算编制符合规定，同意提交工会委员会审议。")
            budgets.budget_approve(actor=staff, budget=budget, decision=decision)
            counts["budgets"] += 1
            counts["decisions"] += 1
        counts["decisions"] += _large_expenses(staff, unions, today, rng)
        for n, union in enumerate(unions):
            if n % 2:
                continue
            counts["findings"] += _audit(auditor, union, last, today, rng)
            counts["audits"] += 1
        for union in unions:
            try:
                budgets.disclosure_publish(actor=staff, org=union, year=last)
            except ValidationError:
                continue  # nothing in the books that year
            counts["boards"] += 1
    return counts


def _large_expenses(staff, unions, today, rng) -> int:
    """Decisions for the recorded large expenses, a few more with theirs, and one 30,000 without."""
    made = 0
    if not unions or today.timetuple().tm_yday < 3:
        return made
    day = today - datetime.timedelta(days=1)
    for i, (path, summary, amount) in enumerate(LARGE):
        union = unions[(i * 7 + 3) % len(unions)]
        ref = f"{union.code}工会〔{day.year}〕{i + 5}号"
        decisions.decision_record(actor=staff, org=union, kind=MeetingKind.COMMITTEE, date=day, reference=ref,
                                  title=summary, items=[(summary, amount)])
        _post_expense(staff, union, day, path, summary, amount, ref)
        made += 1
    union = unions[len(unions) // 2]
    _post_expense(staff, union, day, "职工活动支出-文体活动", "购置职工活动中心健身器材", Decimal("30000.00"))
    # Large expenses the books already carry, whose reference no decision has recorded yet.
    rows = (VoucherLine.objects.filter(kind=AccountKind.EXPENSE, debit__gte=decisions.LARGE_EXPENSE, voided=False,
                                       decision__isnull=True).exclude(decision_ref="")
            .values_list("voucher__org_id", "decision_ref", "date", "summary", "debit").order_by("date", "pk"))
    by_id = {u.pk: u for u in unions}
    seen = set()
    for org_id, ref, date, summary, debit in rows:
        union = by_id.get(org_id)
        if union is None or (org_id, ref) in seen or Decision.objects.filter(org_id=org_id, reference=ref).exists():
            continue
        seen.add((org_id, ref))
        decisions.decision_record(actor=staff, org=union, kind=rng.choice([MeetingKind.COMMITTEE,
                                                                           MeetingKind.COLLECTIVE]),
                                  date=date, reference=ref, title=summary, items=[(summary, debit)])
        made += 1
    return made


def _audit(auditor, union, last: int, today: datetime.date, rng) -> int:
    county = Org.objects.filter(level=Level.COUNTY, path=union.path[:8]).first()
    started = datetime.date(today.year, 3, 1) + datetime.timedelta(days=rng.randint(0, 40))
    if started > today - datetime.timedelta(days=20):
        started = datetime.date(last, 12, 1) + datetime.timedelta(days=rng.randint(0, 10))
    ended = started + datetime.timedelta(days=rng.randint(3, 12))
    record = audits.audit_record(
        actor=auditor, org=union, year=last, auditor=f"{county.name if county else '临江市总工会'}经费审查委员会",
        started_on=started, ended_on=ended, vouchers_checked=rng.randint(40, 320),
        conclusion="会计核算基本规范，经费收支真实，未发现重大违纪问题。")
    made = 0
    if rng.random() < 0.2:
        for text in rng.sample(FINDINGS, rng.randint(1, 2)):
            due = ended + datetime.timedelta(days=rng.choice([30, 60, 90]))
            finding = audits.finding_add(actor=auditor, audit_=record, text=text, due_on=due)
            made += 1
            if due < today and rng.random() < 0.6:
                audits.finding_progress(actor=auditor, finding=finding, state="rectified", note="已按要求整改到位",
                                        on=min(due, today))
    return made
