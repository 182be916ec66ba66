"""Income services: members' dues by unit and month, the employer's 2% allocation and its split by the shares a
province sets, and the shares table itself. Every receipt posts a voucher in the books through
``books.voucher_post``; every write is one audited transaction."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.orgs.models import Level, Org

from .. import books
from .. import chart as charts
from ..models import Allocation, Channel, DuesMonth, PeriodKind, ShareTable, VoucherSource
from ..models.income import ALLOCATION_RATE, DUES_RATE

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# The levels above the grassroots union that take a share, nearest first.
UPPER_LEVELS = (Level.COUNTY, Level.CITY, Level.PROVINCE, Level.NATIONAL)
# With no row in the table for the union's province: the grassroots union keeps 60%; 5% goes to the national
# federation and the rest is split among the county, city and province.
DEFAULT_SHARES = {"grassroots": Decimal("60"), "county": Decimal("15"), "city": Decimal("10"),
                  "province": Decimal("10"), "national": Decimal("5")}
INCOME_DUES = "401"  # 会费收入
INCOME_ALLOCATION = "402"  # 拨缴经费收入
OWED_UP = "201"  # 应付上级经费
OWED_DOWN = "202"  # 应付下级经费


def _part(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _check_unit(union: Org, label: str) -> None:
    if union.is_federation or not union.is_active:
        raise ValidationError({"union": _("%(label)s %(name)s is not an active grassroots union or branch.") % {
            "label": label, "name": union.name}})


def _not_future(on: datetime.date, field: str, label: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("%(label)s %(date)s is in the future.") % {"label": label, "date": on}})


def _account(book, ref: str):
    account = books.account_find(book, ref)
    if account is None:
        raise ValidationError(_("The account %(acc)s is missing from the books of %(org)s.") % {
            "acc": ref, "org": book.org.name})
    return account


def active_members(*, actor, union: Org) -> int:
    """The active memberships of the unit and its branches, through the members app's selector."""
    from gonghui.members.selectors import member_list

    return member_list(actor=actor, filters={"under": union}).count()


# --- dues ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def dues_set(*, actor, union: Org, year: int, month: int, wage_base, members: int | None = None) -> DuesMonth:
    """Enter (or correct) a unit's wage base for a month: the roster's active members are counted now and 0.5% of
    the wage base is due. ``members`` is given by an import that already counted them."""
    actor.require("funds.write")
    actor.require_covers(union.path)
    _check_unit(union, _("Unit"))
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("The month must be 1 to 12: %(value)s") % {"value": month}})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("The year is out of range: %(value)s") % {"value": year}})
    base = books.money(wage_base, label=_("Wage base"))
    if base < 0:
        raise ValidationError({"wage_base": _("The wage base may not be negative: %(value)s") % {"value": base}})
    count = active_members(actor=actor, union=union) if members is None else int(members)
    row = DuesMonth.objects.select_for_update().filter(union=union, year=year, month=month).first()
    due = _part(base, DUES_RATE)
    if row is None:
        row = DuesMonth(union=union, union_path=union.path, year=year, month=month, members=count, wage_base=base,
                        due=due)
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        created = True
    else:
        row.members, row.wage_base, row.due = count, base, due
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save(update_fields=["members", "wage_base", "due", "updated_at"])
        created = False
    audit.record(actor=actor, action="funds.dues_set", object_type="funds.dues", object_id=row.pk,
                 scope_path=union.path, details={"period": f"{year}-{int(month):02d}", "members": count,
                                                 "wage_base": str(base), "due": str(due), "created": created})
    return row


@transaction.atomic
def dues_collect(*, actor, row: DuesMonth, amount, on: datetime.date) -> DuesMonth:
    """Record dues collected for the month: the amount is added to what was collected and posted in the union's
    books (debit 银行存款, credit 会费收入)."""
    actor.require("funds.write")
    actor.require_covers(row.union_path)
    amount = books.money(amount, label=_("Amount collected"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount collected must be positive: %(value)s") % {"value": amount}})
    _not_future(on, "on", _("Collection date"))
    union = row.union
    book = books.book_open(org=union, year=on.year)
    summary = _("Dues of %(period)s") % {"period": f"{row.year}-{row.month:02d}"}
    voucher = books.voucher_post(
        actor=actor, org=union, date=on, source=VoucherSource.MANUAL, source_ref=f"funds.dues:{row.pk}", record=False,
        lines=[books.LineIn(account=_account(book, charts.BANK), summary=summary, debit=amount),
               books.LineIn(account=_account(book, INCOME_DUES), summary=summary, credit=amount)])
    DuesMonth.objects.filter(pk=row.pk).update(collected=F("collected") + amount, collected_on=on)
    row.refresh_from_db()
    audit.record(actor=actor, action="funds.dues_collect", object_type="funds.dues", object_id=row.pk,
                 scope_path=row.union_path, details={"period": f"{row.year}-{row.month:02d}", "amount": str(amount),
                                                     "voucher": voucher.display_number, "date": on.isoformat()})
    return row


# --- shares --------------------------------------------------------------------------------------------------------

def _percent(value, label: str) -> Decimal:
    try:
        pct = Decimal(str(value if value not in (None, "") else "0").strip())
    except ArithmeticError:
        raise ValidationError({label: _("Not a percentage: %(value)s") % {"value": value}}) from None
    if not pct.is_finite() or pct < 0 or pct > 100 or pct != pct.quantize(CENT):
        raise ValidationError({label: _("A share must be a percentage from 0 to 100 with at most two decimals: "
                                        "%(value)s") % {"value": value}})
    return pct.quantize(CENT)


@transaction.atomic
def shares_add(*, actor, org: Org, effective_on: datetime.date, grassroots, county=0, city=0, province=0,
               national=0) -> ShareTable:
    """A federation's split of the 2% allocation from ``effective_on`` (the shares must sum to 100%)."""
    actor.require("funds.settings")
    actor.require_covers(org.path)
    if not org.is_federation:
        raise ValidationError({"org": _("Shares are set by a federation; %(name)s is not one.") % {"name": org.name}})
    values = {k: _percent(v, k) for k, v in (("grassroots", grassroots), ("county", county), ("city", city),
                                             ("province", province), ("national", national))}
    total = sum(values.values())
    if total != HUNDRED:
        raise ValidationError(_("The shares must sum to 100%%; they sum to %(total)s%%.") % {"total": total})
    if ShareTable.objects.filter(org=org, effective_on=effective_on).exists():
        raise ValidationError({"effective_on": _("%(name)s already has shares in force from %(date)s.") % {
            "name": org.name, "date": effective_on}})
    row = ShareTable(org=org, org_path=org.path, effective_on=effective_on, **values)
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    audit.record(actor=actor, action="funds.shares_add", object_type="funds.shares", object_id=row.pk,
                 scope_path=org.path, details={"effective_on": effective_on.isoformat(),
                                               **{k: str(v) for k, v in values.items()}})
    return row


def shares_for(union: Org, on: datetime.date) -> dict[str, Decimal]:
    """The shares in force for ``union`` on ``on``: the nearest federation above it with a row in force wins."""
    paths = charts.ancestor_paths(union.path, Org.steplen)
    row = (ShareTable.objects.filter(org_path__in=paths, effective_on__lte=on)
           .order_by("-org_path", "-effective_on").first())
    if row is None:
        return dict(DEFAULT_SHARES)
    return {k: getattr(row, k) for k in DEFAULT_SHARES}


def split_amount(union: Org, amount: Decimal, shares: dict[str, Decimal]) -> dict[str, dict]:
    """Each level's part of ``amount``: the level's federation above the union (its code, or "" when the tree
    does not hold that level) and the amount; the grassroots part takes the cents left by rounding."""
    paths = charts.ancestor_paths(union.path, Org.steplen)[:-1]
    by_level = {o.level: o for o in Org.objects.filter(path__in=paths).only("code", "level", "path")}
    out: dict[str, dict] = {}
    upper_total = Decimal("0")
    for level in UPPER_LEVELS:
        part = _part(amount, shares[str(level)] / HUNDRED)
        upper_total += part
        org = by_level.get(level)
        out[str(level)] = {"pct": str(shares[str(level)]), "amount": str(part), "org": org.code if org else ""}
    out["grassroots"] = {"pct": str(shares["grassroots"]), "amount": str(amount - upper_total), "org": union.code}
    return out


# --- allocations ---------------------------------------------------------------------------------------------------

def period_start(year: int, kind: str, number: int) -> datetime.date:
    if kind == PeriodKind.QUARTER:
        if not 1 <= number <= 4:
            raise ValidationError({"period_no": _("A quarter is 1 to 4: %(value)s") % {"value": number}})
        return datetime.date(year, 3 * number - 2, 1)
    if not 1 <= number <= 12:
        raise ValidationError({"period_no": _("The month must be 1 to 12: %(value)s") % {"value": number}})
    return datetime.date(year, number, 1)


@transaction.atomic
def allocation_declare(*, actor, union: Org, year: int, period_kind: str, period_no: int, payroll) -> Allocation:
    """The payroll the employer declares for a month or quarter; 2% of it is due."""
    actor.require("funds.write")
    actor.require_covers(union.path)
    _check_unit(union, _("Grassroots union"))
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose month or quarter.")})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("The year is out of range: %(value)s") % {"value": year}})
    start = period_start(int(year), period_kind, int(period_no))
    amount = books.money(payroll, label=_("Declared payroll"))
    if amount < 0:
        raise ValidationError({"payroll": _("The declared payroll may not be negative: %(value)s") % {
            "value": amount}})
    other_kind = PeriodKind.MONTH if period_kind == PeriodKind.QUARTER else PeriodKind.QUARTER
    if Allocation.objects.filter(union=union, year=year, period_kind=other_kind).exists():
        raise ValidationError({"period_kind": _("%(name)s declares its payroll by %(kind)s in %(year)s.") % {
            "name": union.name, "kind": PeriodKind(other_kind).label, "year": year}})
    row = Allocation(union=union, union_path=union.path, year=year, period_kind=period_kind, period_no=period_no,
                     period_start=start, payroll=amount, due=_part(amount, ALLOCATION_RATE))
    row.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"period_no": _("%(name)s has already declared %(period)s.") % {
            "name": union.name, "period": row.period_label}}) from None
    audit.record(actor=actor, action="funds.allocation_declare", object_type="funds.allocation", object_id=row.pk,
                 scope_path=union.path, details={"period": row.period_label, "payroll": str(amount),
                                                 "due": str(row.due)})
    return row


def _collector_for(union: Org, collector: Org | None) -> Org:
    if collector is None or not collector.is_federation or not union.path.startswith(collector.path):
        raise ValidationError({"collector": _("Name the federation above the union that received the allocation "
                                              "from the tax office.")})
    return collector


@transaction.atomic
def allocation_receive(*, actor, allocation: Allocation, amount, on: datetime.date, channel: str,
                       collector: Org | None = None) -> Allocation:
    """Record the allocation received and post it.

    Paid directly: the union's books take the whole amount to the bank, its share as 拨缴经费收入 and the rest as
    owed to the levels above (应付上级经费). Collected by the tax office: the collecting federation's books take
    it; its own level's share is its income, the grassroots part (and the parts of the levels between) is owed
    down (应付下级经费) and returned once the union's receipt arrives, the parts above are owed up."""
    actor.require("funds.write")
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    actor.require_covers(allocation.union_path)
    if allocation.received:
        raise ValidationError(_("The allocation of %(period)s has already been received.") % {
            "period": allocation.period_label})
    amount = books.money(amount, label=_("Amount received"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount received must be positive: %(value)s") % {"value": amount}})
    _not_future(on, "on", _("Date received"))
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the allocation was paid.")})
    union = allocation.union
    shares = shares_for(union, allocation.period_start)
    split = split_amount(union, amount, shares)
    grassroots = Decimal(split["grassroots"]["amount"])
    summary = _("Allocation of %(period)s, %(name)s") % {"period": allocation.period_label, "name": union.name}
    ref = f"funds.allocation:{allocation.pk}"
    if channel == Channel.DIRECT:
        collector = None
        book = books.book_open(org=union, year=on.year)
        lines = [books.LineIn(account=_account(book, charts.BANK), summary=summary, debit=amount),
                 books.LineIn(account=_account(book, INCOME_ALLOCATION), summary=summary, credit=grassroots)]
        if amount - grassroots:
            lines.append(books.LineIn(account=_account(book, OWED_UP), summary=summary, credit=amount - grassroots))
        voucher = books.voucher_post(actor=actor, org=union, date=on, lines=lines, source_ref=ref, record=False)
    else:
        collector = _collector_for(union, collector)
        actor.require_covers(collector.path)
        own = Decimal(split.get(str(collector.level), {}).get("amount", "0"))
        order = [str(level) for level in UPPER_LEVELS]
        at = order.index(collector.level) if collector.level in order else len(order)
        above = sum((Decimal(split[lv]["amount"]) for lv in order[at + 1:]), Decimal("0"))
        below = amount - own - above
        book = books.book_open(org=collector, year=on.year)
        lines = [books.LineIn(account=_account(book, charts.BANK), summary=summary, debit=amount, counterparty=
                              union.name)]
        for ref_acc, part in ((OWED_DOWN, below), (INCOME_ALLOCATION, own), (OWED_UP, above)):
            if part:
                lines.append(books.LineIn(account=_account(book, ref_acc), summary=summary, credit=part,
                                          counterparty=union.name))
        voucher = books.voucher_post(actor=actor, org=collector, date=on, lines=lines, source_ref=ref, record=False)
    allocation.received, allocation.received_on, allocation.channel = amount, on, channel
    allocation.collector = collector
    allocation.grassroots_share, allocation.grassroots_amount = shares["grassroots"], grassroots
    allocation.split = split
    allocation.save(update_fields=["received", "received_on", "channel", "collector", "grassroots_share",
                                   "grassroots_amount", "split"])
    audit.record(actor=actor, action="funds.allocation_receive", object_type="funds.allocation",
                 object_id=allocation.pk, scope_path=allocation.union_path,
                 details={"period": allocation.period_label, "amount": str(amount), "channel": channel,
                          "collector": collector.code if collector else "", "grassroots": str(grassroots),
                          "voucher": voucher.display_number, "date": on.isoformat()})
    return allocation
