"""Opening balances and the year-end carry-forward (结转).

A union's first year in the platform starts from balances entered per account, which must balance (debits =
credits). Closing year Y closes income and expenditure into 工会资金结余 (304) and carries every balance-sheet
account's closing balance into the openings of Y+1; the book of Y is then closed (no more vouchers, no
reversals). Both are all or nothing and audited.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from . import books
from . import chart as charts
from .models import Account, AccountKind, Book, OpeningBalance, Voucher
from .reports_books import ZERO, _by_account, _lines, _openings

BALANCE_SHEET = (AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.NET_ASSET)


@dataclass
class OpeningIn:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def first_year(book: Book) -> bool:
    """True when the union has no book of an earlier year (its openings are entered, not carried)."""
    return not Book.objects.filter(org_id=book.org_id, year__lt=book.year).exists()


@transaction.atomic
def openings_set(*, actor, org, year: int, rows: list[OpeningIn]) -> Book:
    """Enter the opening balances of the union's first year: they replace those entered before, and must balance."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    book = books.book_open(org=org, year=year)
    book = Book.objects.select_for_update().get(pk=book.pk)
    if book.state == Book.State.CLOSED:
        raise ValidationError(_("The books of %(year)s are closed.") % {"year": year})
    if not first_year(book):
        raise ValidationError(_("The books of %(year)s follow those of an earlier year: their opening balances are "
                                "carried forward when that year is closed, not entered.") % {"year": year})
    allowed = set(books.accounts_of(book).values_list("pk", flat=True))
    debit = credit = ZERO
    kept: dict[int, OpeningIn] = {}
    for row in rows:
        label = row.account.path
        d = books.money(row.debit, label=_("%(acc)s debit") % {"acc": label})
        c = books.money(row.credit, label=_("%(acc)s credit") % {"acc": label})
        if not (d or c):
            continue
        if row.account.pk not in allowed:
            raise ValidationError(_("The account %(acc)s is not in this union's books.") % {"acc": label})
        if row.account.kind not in BALANCE_SHEET:
            raise ValidationError(_("%(acc)s is an income or expenditure account: it has no opening balance.") % {
                "acc": label})
        if d < 0 or c < 0 or (d and c):
            raise ValidationError(_("%(acc)s: enter the opening balance on one side, as a positive amount.") % {
                "acc": label})
        if row.account.pk in kept:
            raise ValidationError(_("%(acc)s is entered twice.") % {"acc": label})
        kept[row.account.pk] = OpeningIn(row.account, d, c)
        debit += d
        credit += c
    if debit != credit:
        raise ValidationError(_("The opening balances do not balance: debits %(d)s, credits %(c)s.") % {
            "d": f"{debit:,.2f}", "c": f"{credit:,.2f}"})
    OpeningBalance.objects.filter(book=book).delete()
    created = [OpeningBalance(book=book, account=r.account, debit=r.debit, credit=r.credit) for r in kept.values()]
    for ob in created:
        ob.full_clean(validate_unique=False)
    OpeningBalance.objects.bulk_create(created)
    audit.record(actor=actor, action="funds.openings_set", object_type="funds.book", object_id=book.pk,
                 scope_path=org.path, details={"year": year, "accounts": len(created), "amount": str(debit)})
    return book


def _target_account(account: Account, next_book: Book, org) -> Account:
    """The account of next year's chart carrying ``account``: the same code or path; a union's own sub-account
    missing there is added under its parent's counterpart."""
    found = None
    if account.code and account.org_id is None:
        found = Account.objects.filter(chart_id=next_book.chart_id, org__isnull=True, code=account.code).first()
    found = found or books.account_find(next_book, account.path)
    if found is not None:
        return found
    if account.org_id is None or account.parent is None:
        raise ValidationError(_("The account %(acc)s is not in the chart of %(year)s: the balance cannot be carried "
                                "forward.") % {"acc": account.path, "year": next_book.year})
    parent = _target_account(account.parent, next_book, org)
    return Account.objects.create(chart_id=next_book.chart_id, org=org, parent=parent, code=account.code,
                                  name=account.name, path=f"{parent.path}-{account.name}", kind=parent.kind,
                                  depth=parent.depth + 1)


@transaction.atomic
def year_close(*, actor, org, year: int) -> Book:
    """结转: close ``year``'s books; income and expenditure go into 工会资金结余, balance-sheet accounts open the next
    year. Refused when the next year already has opening balances."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    book = Book.objects.select_for_update().filter(org=org, year=year).first()
    if book is None:
        raise ValidationError(_("%(org)s has no books for %(year)s.") % {"org": org.name, "year": year})
    if book.state == Book.State.CLOSED:
        raise ValidationError(_("The books of %(year)s are already closed.") % {"year": year})
    if Book.objects.filter(org=org, year__lt=year, state=Book.State.OPEN).exists():
        # Its balances would open this year: close the years in order.
        raise ValidationError(_("An earlier year of %(org)s is still open: close it before %(year)s.") % {
            "org": org.name, "year": year})
    next_book = books.book_open(org=org, year=year + 1)
    next_book = Book.objects.select_for_update().get(pk=next_book.pk)
    if OpeningBalance.objects.filter(book=next_book).exists():
        raise ValidationError(_("The books of %(year)s already have opening balances: %(prev)s cannot be carried "
                                "forward into them.") % {"year": year + 1, "prev": year})
    if next_book.state == Book.State.CLOSED:
        raise ValidationError(_("The books of %(year)s are closed.") % {"year": year + 1})
    net = _openings(book)
    for acc_id, (d, c) in _by_account(_lines(book)).items():
        net[acc_id] = net.get(acc_id, ZERO) + d - c
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=net).select_related("parent")}
    surplus = ZERO  # income less expenditure: a credit to 304
    carried: dict[int, Decimal] = {}
    for acc_id, amount in net.items():
        acc = accounts[acc_id]
        if acc.kind in (AccountKind.INCOME, AccountKind.EXPENSE):
            surplus -= amount
            continue
        if amount:
            target = _target_account(acc, next_book, org)
            carried[target.pk] = carried.get(target.pk, ZERO) + amount
    retained = Account.objects.filter(chart_id=next_book.chart_id, org__isnull=True, code=charts.SURPLUS).first()
    if retained is None:
        retained = Account.objects.filter(Q(org__isnull=True) | Q(org=org), chart_id=next_book.chart_id,
                                          path="工会资金结余").first()
    if retained is None:
        raise ValidationError(_("The chart of %(year)s has no account 工会资金结余 to close the year into.") % {
            "year": year + 1})
    if surplus:
        carried[retained.pk] = carried.get(retained.pk, ZERO) - surplus
    debit = sum((v for v in carried.values() if v > 0), ZERO)
    credit = -sum((v for v in carried.values() if v < 0), ZERO)
    if debit != credit:
        raise ValidationError(_("The books of %(year)s do not balance (debits %(d)s, credits %(c)s): check the "
                                "opening balances.") % {"year": year, "d": f"{debit:,.2f}", "c": f"{credit:,.2f}"})
    OpeningBalance.objects.bulk_create([
        OpeningBalance(book=next_book, account_id=acc_id, debit=amount if amount > 0 else ZERO,
                       credit=-amount if amount < 0 else ZERO)
        for acc_id, amount in carried.items() if amount])
    book.state = Book.State.CLOSED
    book.closed_at = timezone.now()
    book.full_clean()
    book.save(update_fields=["state", "closed_at"])
    audit.record(actor=actor, action="funds.year_close", object_type="funds.book", object_id=book.pk,
                 scope_path=org.path, details={"year": year, "surplus": str(surplus),
                                               "accounts": len([v for v in carried.values() if v]),
                                               "vouchers": Voucher.objects.filter(book=book).count()})
    return book
