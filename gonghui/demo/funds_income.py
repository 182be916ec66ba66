"""Demo income for the funds app: for the first grassroots unions of the demo federation, last year's and this
year's dues by month and allocations by quarter (half paid directly, half collected by the tax office through the
county federation), the province's shares, and fund returns: most paid on time, one paid late, one pending and
red, one pending and blue (the sweep colors them). Everything goes through the services, so the books agree."""

import datetime
import random
import zoneinfo
from decimal import Decimal

from gonghui.core.access import Actor, actor_for
from gonghui.core.models import Grant, Role
from gonghui.core.workdays import add_workdays
from gonghui.funds import income, returns
from gonghui.funds.models import Allocation, Channel, FundReturn, ShareTable
from gonghui.funds.tasks_income import returns_tick
from gonghui.orgs.models import Level, Org, Status

UNIONS = 16  # the unions given income (the first by path): enough for every screen, quick to seed
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _actor(root: Org) -> Actor:
    """A federation officer of the root federation (the demo's city login when it exists)."""
    grant = Grant.objects.filter(org=root, role=Role.FEDERATION_STAFF).select_related("user", "org").first()
    if grant is not None:
        return actor_for(grant.user, grant.id)
    return Actor(user=None, grant=Grant(org=root, role=Role.FEDERATION_STAFF), label="system")


def _county(union: Org) -> Org | None:
    paths = [union.path[:i] for i in range(Org.steplen, len(union.path), Org.steplen)]
    return Org.objects.filter(path__in=paths, level=Level.COUNTY).first()


def _month_end(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def seed_income(*, today: datetime.date, rng: random.Random) -> dict:
    root = Org.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return {"unions": 0}
    actor = _actor(root)
    unions = list(Org.objects.filter(level=Level.GRASSROOTS, status=Status.ACTIVE).order_by("path")[:UNIONS])
    years = (today.year - 1, today.year)
    if not ShareTable.objects.filter(org=root).exists():
        income.shares_add(actor=actor, org=root, effective_on=datetime.date(years[0], 1, 1), grassroots=60,
                          county=15, city=10, province=10, national=5)
    counts = {"unions": len(unions), "dues": 0, "allocations": 0, "returns": 0}
    taxed: list[Allocation] = []
    for n, union in enumerate(unions):
        members = income.active_members(actor=actor, union=union)
        wage = Decimal(rng.randrange(5200, 9800))
        staff = max(union.employee_count, members, 10)
        county = _county(union)
        for year in years:
            months = 12 if year < today.year else today.month - 1
            for month in range(1, months + 1):
                base = (wage * max(members, 1) * Decimal(rng.uniform(0.97, 1.03))).quantize(Decimal("0.01"))
                row = income.dues_set(actor=actor, union=union, year=year, month=month, wage_base=base,
                                      members=members)
                counts["dues"] += 1
                paid_on = min(_month_end(year, month) + datetime.timedelta(days=10), today)
                # The latest month of the unions at the end of the list is still being collected.
                if year == today.year and month == months and n % 4 == 3:
                    continue
                share = Decimal("1") if rng.random() < 0.9 else Decimal("0.8")
                amount = (row.due * share).quantize(Decimal("0.01"))
                if amount > 0:
                    income.dues_collect(actor=actor, row=row, amount=amount, on=paid_on)
            quarters = 4 if year < today.year else (today.month - 1) // 3
            for quarter in range(1, quarters + 1):
                payroll = (wage * staff * 3 * Decimal(rng.uniform(0.95, 1.05))).quantize(Decimal("0.01"))
                alloc = income.allocation_declare(actor=actor, union=union, year=year, period_kind="quarter",
                                                  period_no=quarter, payroll=payroll)
                counts["allocations"] += 1
                received_on = min(_month_end(year, 3 * quarter) + datetime.timedelta(days=15), today)
                tax = county is not None and n % 2 == 0
                income.allocation_receive(actor=actor, allocation=alloc, amount=alloc.due, on=received_on,
                                          channel=Channel.TAX if tax else Channel.DIRECT,
                                          collector=county if tax else None)
                if tax:
                    alloc.refresh_from_db()
                    taxed.append(alloc)
    counts["returns"] = _returns(actor, taxed, today, rng)
    tick_at = datetime.datetime(today.year, today.month, today.day, 10, 0, tzinfo=SHANGHAI)
    counts["swept"] = returns_tick(now=tick_at)
    return counts


def _returns(actor, taxed: list[Allocation], today: datetime.date, rng: random.Random) -> int:
    """Receipts for the tax-collected allocations: the latest two become the pending red and blue returns, one
    older one is paid late, the others are paid within the 5 working days."""
    taxed.sort(key=lambda a: (a.received_on, a.pk))
    red_receipt = add_workdays(today, -8)  # due 3 working days ago
    blue_receipt = add_workdays(today, -4)  # due tomorrow (a working day): within 2 working days
    pending = [(a, on) for a, on in ((taxed[-2], red_receipt), (taxed[-1], blue_receipt))
               if len(taxed) >= 2 and a.received_on <= on] if len(taxed) >= 2 else []
    pending_ids = {a.pk for a, _on in pending}
    made = 0
    older = [a for a in taxed if a.pk not in pending_ids and add_workdays(a.received_on, 12) <= today]
    late_pk = older[len(older) // 2].pk if older else None
    for alloc in older:
        receipt_on = add_workdays(alloc.received_on, rng.randint(1, 3))
        ret = _receipt(actor, alloc, receipt_on, made)
        paid_on = add_workdays(ret.due_on, 2) if alloc.pk == late_pk else add_workdays(receipt_on,
                                                                                      rng.randint(1, 5))
        returns.return_pay(actor=actor, fund_return=ret, paid_on=paid_on)
        made += 1
    for alloc, receipt_on in pending:
        _receipt(actor, alloc, receipt_on, made)
        made += 1
    return made


def _receipt(actor, alloc: Allocation, receipt_on: datetime.date, n: int) -> FundReturn:
    return returns.return_receipt_record(actor=actor, payer=alloc.collector, union=alloc.union, allocation=alloc,
                                         receipt_no=f"JF{receipt_on:%Y%m}-{n + 1:04d}", receipt_on=receipt_on)
