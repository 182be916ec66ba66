"""Reads of the books, always inside the actor's subtree: a union outside it, its books and its vouchers are a 404,
the same as missing ones."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gonghui.orgs.selectors import org_get

from . import books
from .models import Account, Book, Voucher, VoucherLine

FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_NUMBER = 10**9


def year_checked(year: int) -> int:
    """A book's year as an address holds it: one outside any book's range is missing (404), never a date error."""
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise Http404
    return int(year)


def union_get(*, actor, code: str):
    """The union whose books are asked for: in the actor's subtree, else 404."""
    actor.require("funds.view")
    return org_get(actor=actor, code=(code or "").strip().upper())


def book_scope(*, actor) -> QuerySet[Book]:
    if actor.org is None:
        return Book.objects.none()
    return Book.objects.filter(org_path__startswith=actor.org.path)


def book_list(*, actor, org=None) -> QuerySet[Book]:
    """The books of the actor's subtree (or of ``org``'s), by union in tree order, the newest year first."""
    actor.require("funds.view")
    qs = book_scope(actor=actor)
    if org is not None:
        actor.require_covers(org.path)
        qs = qs.filter(org_path__startswith=org.path)
    return qs.select_related("org", "chart").order_by("org_path", "-year")  # the path index; one book a year


def book_find(*, actor, org, year: int) -> Book | None:
    """The union's book for ``year``, or None when nothing was posted yet (reading never opens a book)."""
    actor.require("funds.view")
    actor.require_covers(org.path)
    return Book.objects.filter(org=org, year=year_checked(year)).select_related("chart").first()


def voucher_list(*, actor, book: Book, filters: dict | None = None) -> QuerySet[Voucher]:
    """A book's vouchers, the newest first (the book-date-number index), narrowed by ``filters``: ``date_from``,
    ``date_to``, ``account`` (an Account: its lines and its sub-accounts'), ``words`` (in a line's summary),
    ``counterparty``, ``amount_min``, ``amount_max`` (the voucher's total), ``source``."""
    actor.require("funds.view")
    actor.require_covers(book.org_path)
    f = filters or {}
    qs = Voucher.objects.filter(book=book)
    if f.get("date_from"):
        qs = qs.filter(date__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(date__lte=f["date_to"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("amount_min") is not None:
        qs = qs.filter(total__gte=f["amount_min"])
    if f.get("amount_max") is not None:
        qs = qs.filter(total__lte=f["amount_max"])
    lines = VoucherLine.objects.filter(voucher=OuterRef("pk"))
    if account := f.get("account"):
        qs = qs.filter(Exists(lines.filter(Q(account=account) | Q(account__path__startswith=account.path + "-"),
                                           account__chart_id=account.chart_id)))
    if words := (f.get("words") or "").strip():
        qs = qs.filter(Exists(lines.filter(summary__icontains=words)))
    if party := (f.get("counterparty") or "").strip():
        qs = qs.filter(Exists(lines.filter(counterparty__icontains=party)))
    return qs.select_related("created_by").order_by("-date", "-number", "-pk")


def voucher_get(*, actor, org, year: int, number: int, word: str = "记") -> Voucher:
    """A voucher by union, year and number (记-0001); 404 outside the actor's subtree."""
    actor.require("funds.view")
    actor.require_covers(org.path)
    book = Book.objects.filter(org=org, year=year_checked(year)).first()
    if book is None or not 0 < int(number) <= MAX_NUMBER:
        raise Http404
    return get_object_or_404(Voucher.objects.select_related("book", "org", "created_by", "reverses"),
                             book=book, word=word or "记", number=number)


def voucher_lines(voucher: Voucher) -> list[VoucherLine]:
    return list(voucher.lines.select_related("account", "decision").order_by("line_no"))


def voucher_reversal(voucher: Voucher) -> Voucher | None:
    return Voucher.objects.filter(reverses=voucher).first()


def accounts_for(*, actor, org, year: int, book: Book | None = None) -> QuerySet[Account]:
    """The accounts a union's book of ``year`` posts to (its chart's and the union's own sub-accounts), in chart
    order. Without a book yet, those of the chart it would open on."""
    actor.require("funds.view")
    actor.require_covers(org.path)
    year_checked(year)
    if book is not None:
        return books.accounts_of(book).order_by("path")
    from . import chart as charts

    version = charts.chart_for(org, year)
    return Account.objects.filter(Q(org__isnull=True) | Q(org=org), chart=version, active=True).order_by("path")


def account_pick(*, actor, org, year: int, ref: str, book: Book | None = None) -> Account | None:
    """An account of the union's book by code or path (as typed, or "code path" as the pickers show it)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    accounts = accounts_for(actor=actor, org=org, year=year, book=book)
    if " " in ref:
        code, _sep, rest = ref.partition(" ")
        found = accounts.filter(code=code, path=rest.strip()).first()
        if found is not None:
            return found
    if ref.replace(".", "").isdigit():
        found = accounts.filter(code=ref).order_by("org_id").first()
        if found is not None:
            return found
    return accounts.filter(path=ref).order_by("-org_id").first()
