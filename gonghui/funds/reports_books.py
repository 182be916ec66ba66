"""The books' reports: ledgers with a running balance (总账, 明细账, 库存现金日记账, 银行存款日记账), the trial balance
(科目余额表) and the income and expenditure statement (收入支出表).

Amounts come from aggregate queries (SUM grouped by account, a window SUM for the running balance); Python only
rolls the per-account sums up the chart (a hundred accounts, never the lines). A net amount is debit minus credit;
it is shown on the debit side when positive and on the credit side when negative, so every column pair of a
trial balance agrees. Reversing vouchers carry negative amounts and net their original to zero.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum, Value, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils.translation import gettext as _

from . import books
from . import chart as charts
from .models import Account, AccountKind, Book, OpeningBalance, VoucherLine

ZERO = Decimal("0.00")
MONEY_FIELD = VoucherLine._meta.get_field("debit")


def _sum(name: str):
    return Coalesce(Sum(name), Value(ZERO), output_field=MONEY_FIELD)


@dataclass
class Row:
    account: Account
    opening: Decimal = ZERO  # net, debit minus credit
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self):
        return self.opening if self.opening > 0 else ZERO

    @property
    def opening_credit(self):
        return -self.opening if self.opening < 0 else ZERO

    @property
    def closing_debit(self):
        return self.closing if self.closing > 0 else ZERO

    @property
    def closing_credit(self):
        return -self.closing if self.closing < 0 else ZERO

    @property
    def active(self) -> bool:
        return bool(self.opening or self.debit or self.credit)


def ancestors(path: str) -> list[str]:
    """The path itself and every account above it: 职工活动支出-节日慰问-春节 → three paths."""
    parts = path.split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]


def chart_sorted(accounts) -> list[Account]:
    """Accounts in chart order: each level by code (a union's own sub-accounts, without one, after the coded ones,
    by name), every account right after its parent."""
    accounts = list(accounts)
    by_path = {a.path: a for a in accounts}

    def level(path: str) -> tuple[str, str]:
        a = by_path.get(path)
        name = path.rsplit("-", 1)[-1]
        return (a.code, name) if a is not None and a.code else ("~", name)

    return sorted(accounts, key=lambda a: tuple(level(p) for p in reversed(ancestors(a.path))))


def period_of(book_year: int, start: datetime.date | None, end: datetime.date | None):
    first, last = datetime.date(book_year, 1, 1), datetime.date(book_year, 12, 31)
    start = max(start or first, first)
    end = min(end or last, last)
    return start, end


def _lines(book: Book):
    return VoucherLine.objects.filter(voucher__book=book)


def _by_account(qs) -> dict[int, tuple[Decimal, Decimal]]:
    return {r["account"]: (r["d"], r["c"])
            for r in qs.order_by().values("account").annotate(d=_sum("debit"), c=_sum("credit"))}


def _openings(book: Book) -> dict[int, Decimal]:
    return {r["account"]: r["debit"] - r["credit"]
            for r in OpeningBalance.objects.filter(book=book).values("account", "debit", "credit")}


@dataclass
class TrialBalance:
    start: datetime.date
    end: datetime.date
    rows: list[Row] = field(default_factory=list)  # every account with an amount, parents before children
    totals: Row | None = None  # first-level accounts summed

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (t.opening_debit == t.opening_credit and t.debit == t.credit
                and t.closing_debit == t.closing_credit)


def _rolled_up(accounts: list[Account], own: dict[int, Row]) -> dict[str, Row]:
    """Rows by path: each account's own amounts added to itself and every account above it."""
    rows = {a.path: Row(a) for a in accounts}
    for r in own.values():
        acc = r.account
        for path in ancestors(acc.path):
            target = rows.get(path)
            if target is not None:
                target.opening += r.opening
                target.debit += r.debit
                target.credit += r.credit
    return rows


def trial_balance(book: Book | None, *, start=None, end=None, year: int | None = None) -> TrialBalance:
    """科目余额表 of a book for a period of its year: opening, period debits and credits, closing per account."""
    year = book.year if book is not None else year
    start, end = period_of(year, start, end)
    tb = TrialBalance(start, end)
    if book is None:
        tb.totals = Row(Account(path="", name=_("Total")))
        return tb
    accounts = chart_sorted(books.accounts_of(book))
    by_id = {a.pk: a for a in accounts}
    opening = _openings(book)
    before = _by_account(_lines(book).filter(date__lt=start))
    during = _by_account(_lines(book).filter(date__gte=start, date__lte=end))
    own: dict[int, Row] = {}
    for acc_id in set(opening) | set(before) | set(during):
        acc = by_id.get(acc_id) or Account.objects.get(pk=acc_id)  # an account since switched off
        d0, c0 = before.get(acc_id, (ZERO, ZERO))
        d, c = during.get(acc_id, (ZERO, ZERO))
        own[acc_id] = Row(acc, opening=opening.get(acc_id, ZERO) + d0 - c0, debit=d, credit=c)
        by_id.setdefault(acc_id, acc)
    rows = _rolled_up(list(by_id.values()), own)
    tb.rows = [rows[a.path] for a in chart_sorted(by_id.values()) if rows[a.path].active]
    total = Row(Account(path="", name=_("Total")))
    for r in tb.rows:
        if r.account.depth == 1:
            # Each column on its own: the debit and credit sides of the first-level accounts.
            total.debit += r.debit
            total.credit += r.credit
    total_od = sum((r.opening_debit for r in tb.rows if r.account.depth == 1), ZERO)
    total_oc = sum((r.opening_credit for r in tb.rows if r.account.depth == 1), ZERO)
    total_cd = sum((r.closing_debit for r in tb.rows if r.account.depth == 1), ZERO)
    total_cc = sum((r.closing_credit for r in tb.rows if r.account.depth == 1), ZERO)
    tb.totals = _Totals(total.account, debit=total.debit, credit=total.credit, od=total_od, oc=total_oc,
                        cd=total_cd, cc=total_cc)
    return tb


class _Totals(Row):
    """The totals row: each side summed over the first-level accounts (not netted)."""

    def __init__(self, account, *, debit, credit, od, oc, cd, cc):
        super().__init__(account, opening=od - oc, debit=debit, credit=credit)
        self._od, self._oc, self._cd, self._cc = od, oc, cd, cc

    opening_debit = property(lambda self: self._od)
    opening_credit = property(lambda self: self._oc)
    closing_debit = property(lambda self: self._cd)
    closing_credit = property(lambda self: self._cc)


TRIAL_HEADERS = ["科目编码", "科目名称", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方"]


def trial_balance_rows(tb: TrialBalance):
    for r in [*tb.rows, tb.totals]:
        yield [r.account.code, r.account.path or r.account.name, r.opening_debit, r.opening_credit, r.debit,
               r.credit, r.closing_debit, r.closing_credit]


# --- the income and expenditure statement ---

@dataclass
class Statement:
    start: datetime.date
    end: datetime.date
    income: list[tuple[Account, Decimal]] = field(default_factory=list)  # first-level, then their sub-accounts
    expense: list[tuple[Account, Decimal]] = field(default_factory=list)
    income_total: Decimal = ZERO
    expense_total: Decimal = ZERO

    @property
    def surplus(self) -> Decimal:
        return self.income_total - self.expense_total


def statement(book: Book | None, *, start=None, end=None, year: int | None = None, org=None) -> Statement:
    """收入支出表 for a period: each first-level income and expenditure account (all of them, zero or not) and
    its sub-accounts with an amount; income is credits minus debits, expenditure debits minus credits."""
    year = book.year if book is not None else year
    start, end = period_of(year, start, end)
    st = Statement(start, end)
    if book is not None:
        accounts = chart_sorted(books.accounts_of(book).filter(kind__in=(AccountKind.INCOME, AccountKind.EXPENSE)))
        sums = _by_account(_lines(book).filter(date__gte=start, date__lte=end,
                                              kind__in=(AccountKind.INCOME, AccountKind.EXPENSE)))
    else:
        chart = charts.chart_for(org, year)
        accounts = chart_sorted(Account.objects.filter(chart=chart, org__isnull=True,
                                                       kind__in=(AccountKind.INCOME, AccountKind.EXPENSE)))
        sums = {}
    by_id = {a.pk: a for a in accounts}
    own = {}
    for acc_id, (d, c) in sums.items():
        acc = by_id.get(acc_id) or Account.objects.get(pk=acc_id)
        by_id.setdefault(acc_id, acc)
        own[acc_id] = Row(acc, debit=d, credit=c)
    rows = _rolled_up(list(by_id.values()), own)
    for acc in chart_sorted(by_id.values()):
        r = rows[acc.path]
        income = acc.kind == AccountKind.INCOME
        amount = (r.credit - r.debit) if income else (r.debit - r.credit)
        if acc.depth > 1 and not (r.debit or r.credit):
            continue
        (st.income if income else st.expense).append((acc, amount))
        if acc.depth == 1:
            if income:
                st.income_total += amount
            else:
                st.expense_total += amount
    return st


STATEMENT_HEADERS = ["类别", "科目编码", "科目名称", "金额"]


def statement_rows(st: Statement):
    for label, items, total in ((_("Income"), st.income, st.income_total),
                                (_("Expenditure"), st.expense, st.expense_total)):
        for acc, amount in items:
            yield [label, acc.code, acc.path, amount]
        yield [label, "", _("Total %(kind)s") % {"kind": label}, total]
    yield ["", "", _("Surplus for the period"), st.surplus]


# --- ledgers ---

@dataclass
class LedgerLine:
    date: datetime.date
    voucher: str
    voucher_number: int
    voucher_word: str
    account: str
    summary: str
    counterparty: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # net, debit minus credit, after this line


@dataclass
class Ledger:
    account: Account
    start: datetime.date
    end: datetime.date
    opening: Decimal = ZERO
    lines: list[LedgerLine] = field(default_factory=list)
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    months: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)  # month: (debit, credit), summed

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def general(self) -> bool:
        return self.account.depth == 1

    def side(self, net: Decimal) -> tuple[str, Decimal]:
        """(direction 借/贷/平, amount) of a net balance as the ledger shows it."""
        if not net:
            return _("Nil"), ZERO
        return (_("Dr"), net) if net > 0 else (_("Cr"), -net)


def ledger(book: Book | None, account: Account, *, start=None, end=None, year: int | None = None) -> Ledger:
    """The account's ledger (with its sub-accounts' lines): opening, every line in date order with the running
    balance, closing."""
    year = book.year if book is not None else year
    start, end = period_of(year, start, end)
    led = Ledger(account, start, end)
    if book is None:
        return led
    subtree = Q(account__path=account.path) | Q(account__path__startswith=account.path + "-")
    lines = _lines(book).filter(subtree, account__chart_id=account.chart_id)
    opening = OpeningBalance.objects.filter(Q(account__path=account.path)
                                            | Q(account__path__startswith=account.path + "-"),
                                            book=book, account__chart_id=account.chart_id).aggregate(
        d=_sum("debit"), c=_sum("credit"))
    before = lines.filter(date__lt=start).aggregate(d=_sum("debit"), c=_sum("credit"))
    led.opening = opening["d"] - opening["c"] + before["d"] - before["c"]
    order = [F("date").asc(), F("voucher__number").asc(), F("line_no").asc(), F("pk").asc()]
    running = Window(Sum(F("debit") - F("credit"), output_field=MONEY_FIELD), order_by=order,
                     frame=RowRange(start=None, end=0))
    rows = (lines.filter(date__gte=start, date__lte=end).annotate(running=running)
            .order_by("date", "voucher__number", "line_no", "pk")
            .values_list("date", "voucher__word", "voucher__number", "account__path", "summary", "counterparty",
                         "debit", "credit", "running"))
    for date, word, number, path, summary, party, d, c, run in rows:
        led.lines.append(LedgerLine(date, f"{word}-{number:04d}", number, word, path, summary, party, d, c,
                                    led.opening + (run or ZERO)))
        led.debit += d
        led.credit += c
    led.months = {r["m"]: (r["d"], r["c"]) for r in lines.filter(date__gte=start, date__lte=end)
                  .annotate(m=ExtractMonth("date")).order_by().values("m").annotate(d=_sum("debit"), c=_sum("credit"))}
    return led


def ledger_display(led: Ledger) -> list[dict]:
    """The ledger's rows as the page and the xlsx show them: the opening, each line with its balance, after each
    month's last line 本月合计 and 本年累计 (from the period's start), and the closing."""
    def row(kind, date, summary, debit=None, credit=None, net=ZERO, line=None):
        direction, amount = led.side(net)
        return {"kind": kind, "date": date, "summary": summary, "debit": debit, "credit": credit,
                "direction": direction, "balance": amount, "line": line}

    out = [row("opening", led.start, _("Opening balance"), net=led.opening)]
    cum_d = cum_c = ZERO
    for i, ln in enumerate(led.lines):
        out.append(row("line", ln.date, ln.summary, ln.debit, ln.credit, ln.balance, ln))
        after = led.lines[i + 1].date if i + 1 < len(led.lines) else None
        if after is None or after.month != ln.date.month:
            d, c = led.months.get(ln.date.month, (ZERO, ZERO))
            cum_d, cum_c = cum_d + d, cum_c + c
            net = led.opening + cum_d - cum_c
            out.append(row("month", ln.date, _("Total for the month"), d, c, net))
            out.append(row("cumulative", ln.date, _("Total for the year to date"), cum_d, cum_c, net))
    out.append(row("closing", led.end, _("Period total and closing balance"), led.debit, led.credit, led.closing))
    return out


LEDGER_HEADERS = ["日期", "凭证号", "科目", "摘要", "往来单位", "借方", "贷方", "方向", "余额"]


def ledger_rows(led: Ledger):
    for r in ledger_display(led):
        ln = r["line"]
        yield [r["date"], ln.voucher if ln else "", ln.account if ln else led.account.path, r["summary"],
               ln.counterparty if ln else "", r["debit"], r["credit"], r["direction"], r["balance"]]


def account_balance(book: Book | None, code: str) -> Decimal:
    """An account's balance now (with its sub-accounts), on its own side: the bank account's money, say."""
    if book is None:
        return ZERO
    account = books.account_find(book, code)
    if account is None:
        return ZERO
    subtree = Q(account__path=account.path) | Q(account__path__startswith=account.path + "-")
    moved = _lines(book).filter(subtree, account__chart_id=account.chart_id).aggregate(d=_sum("debit"),
                                                                                         c=_sum("credit"))
    opened = OpeningBalance.objects.filter(subtree, book=book).aggregate(d=_sum("debit"), c=_sum("credit"))
    net = opened["d"] - opened["c"] + moved["d"] - moved["c"]
    return net if account.debit_side else -net
