"""Funds API under /api/v1/funds/: books, vouchers (paged, newest first), a voucher with its lines, posting and
reversing a voucher, the trial balance and the accounts of a union's book. A union outside the actor's subtree is
a 404, the same as a missing one; a refused voucher is a 422 naming what is wrong."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.pagination import PageNumberPagination

from . import books, reports_books
from . import selectors_books as sel
from .models import Voucher, VoucherSource

router = Router(tags=["funds"])


class BookOut(Schema):
    org: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")
    year: int
    chart: str = Field(..., alias="chart.name")
    state: str
    closed_at: datetime.datetime | None


class VoucherOut(Schema):
    org: str
    year: int
    word: str
    number: int
    display_number: str
    date: datetime.date
    source: str
    source_ref: str
    total: Decimal
    reverses: str | None
    created_by: str | None

    @staticmethod
    def resolve_org(v):
        return v.org.code

    @staticmethod
    def resolve_reverses(v):
        return v.reverses.display_number if v.reverses_id else None

    @staticmethod
    def resolve_created_by(v):
        return v.created_by.username if v.created_by_id else None


class LineOut(Schema):
    line_no: int
    account_code: str = Field(..., alias="account.code")
    account: str = Field(..., alias="account.path")
    summary: str
    debit: Decimal
    credit: Decimal
    counterparty: str
    invoice_code: str
    invoice_number: str
    decision_ref: str
    voided: bool


class VoucherDetailOut(VoucherOut):
    lines: list[LineOut]
    reversal_reason: str
    reversed_by: str | None

    @staticmethod
    def resolve_lines(v):
        return sel.voucher_lines(v)

    @staticmethod
    def resolve_reversed_by(v):
        r = sel.voucher_reversal(v)
        return r.display_number if r else None


class LineIn(Schema):
    account: str = Field(..., description="account code or path: 50101, 职工活动支出-职工教育",
                         max_length=240)
    summary: str = Field(..., max_length=200)
    debit: Decimal = Field(Decimal("0"), max_digits=16, decimal_places=2)
    credit: Decimal = Field(Decimal("0"), max_digits=16, decimal_places=2)
    counterparty: str = Field("", max_length=100)
    invoice_code: str = Field("", max_length=12)
    invoice_number: str = Field("", max_length=20)
    decision_ref: str = Field("", max_length=60)


# The body's fields default to empty: the union is looked up first (404 outside the scope), then what is missing is
# refused naming the field (422).
class VoucherIn(Schema):
    date: datetime.date | None = None
    lines: list[LineIn] = Field([], max_length=200)


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


class VoucherFilters(Schema):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    account: str = Field("", description="code or path: the account's lines and its sub-accounts'")
    words: str = Field("", description="words in a line's summary", max_length=100)
    counterparty: str = Field("", max_length=100)
    amount_min: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    amount_max: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    source: VoucherSource | None = None


class AccountOut(Schema):
    code: str
    path: str
    name: str
    kind: str
    depth: int
    own: bool

    @staticmethod
    def resolve_own(a):
        return a.org_id is not None


class TrialRowOut(Schema):
    code: str
    account: str
    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal


class TrialBalanceOut(Schema):
    org: str
    year: int
    start: datetime.date
    end: datetime.date
    balanced: bool
    rows: list[TrialRowOut]
    totals: TrialRowOut


def _trial_row(r) -> dict:
    return {"code": r.account.code, "account": r.account.path or str(r.account.name),
            "opening_debit": r.opening_debit, "opening_credit": r.opening_credit, "debit": r.debit,
            "credit": r.credit, "closing_debit": r.closing_debit, "closing_credit": r.closing_credit}


def _union(request, code: str):
    return sel.union_get(actor=request.auth, code=code)


@router.get("/books", response=list[BookOut], summary="Books of a subtree's unions, by union, the newest year first")
@paginate(PageNumberPagination, page_size=50)
def book_list(request, org: str | None = Query(None, description="code of a unit: only its subtree")):
    actor = request.auth
    return sel.book_list(actor=actor, org=_union(request, org) if org else None)


@router.get("/books/{code}/{year}/vouchers", response=list[VoucherOut],
            summary="A union's vouchers of a year, the newest first")
@paginate(PageNumberPagination, page_size=50)
def voucher_list(request, code: str, year: int, filters: Query[VoucherFilters]):
    actor = request.auth
    org = _union(request, code)
    book = sel.book_find(actor=actor, org=org, year=year)
    if book is None:
        return Voucher.objects.none()
    data = filters.dict()
    if ref := (data.pop("account") or "").strip():
        data["account"] = sel.account_pick(actor=actor, org=org, year=year, ref=ref, book=book)
        if data["account"] is None:
            raise ValidationError({"account": _("No account “%(ref)s” in this union's books.") % {"ref": ref}})
    return sel.voucher_list(actor=actor, book=book, filters=data).select_related("org", "reverses")


@router.get("/books/{code}/{year}/vouchers/{number}", response=VoucherDetailOut, summary="A voucher with its lines")
def voucher_detail(request, code: str, year: int, number: int, word: str = "记"):
    return sel.voucher_get(actor=request.auth, org=_union(request, code), year=year, number=number, word=word)


@router.post("/books/{code}/{year}/vouchers", response={201: VoucherDetailOut},
             summary="Post a balanced voucher (numbered in the union's year)")
def voucher_post(request, code: str, year: int, payload: VoucherIn):
    actor = request.auth
    actor.require("funds.write")
    org = _union(request, code)
    sel.year_checked(year)
    if payload.date is None:
        raise ValidationError({"date": _("Give the voucher's date.")})
    if payload.date.year != year:
        raise ValidationError({"date": _("The date %(date)s is outside the year %(year)s.") % {
            "date": payload.date.isoformat(), "year": year}})
    book = sel.book_find(actor=actor, org=org, year=year)
    lines = []
    for n, ln in enumerate(payload.lines, 1):
        account = sel.account_pick(actor=actor, org=org, year=year, ref=ln.account, book=book)
        if account is None:
            raise ValidationError({"lines": _("Line %(n)s: no account “%(ref)s” in this union's books.") % {
                "n": n, "ref": ln.account}})
        lines.append(books.LineIn(account=account, summary=ln.summary, debit=ln.debit, credit=ln.credit,
                                  counterparty=ln.counterparty, invoice_code=ln.invoice_code,
                                  invoice_number=ln.invoice_number, decision_ref=ln.decision_ref))
    voucher = books.voucher_post(actor=actor, org=org, date=payload.date, lines=lines)
    return 201, sel.voucher_get(actor=actor, org=org, year=year, number=voucher.number, word=voucher.word)


@router.post("/books/{code}/{year}/vouchers/{number}/reverse", response={201: VoucherDetailOut},
             summary="Reverse a voucher with red ink (a reason is required)")
def voucher_reverse(request, code: str, year: int, number: int, payload: ReasonIn, word: str = "记"):
    actor = request.auth
    actor.require("funds.write")
    org = _union(request, code)
    voucher = sel.voucher_get(actor=actor, org=org, year=year, number=number, word=word)
    reversal = books.voucher_reverse(actor=actor, voucher=voucher, reason=payload.reason)
    return 201, sel.voucher_get(actor=actor, org=org, year=year, number=reversal.number, word=reversal.word)


@router.get("/books/{code}/{year}/trial-balance", response=TrialBalanceOut,
            summary="Trial balance (科目余额表) for a period of the year")
def trial_balance(request, code: str, year: int, date_from: datetime.date | None = None,
                  date_to: datetime.date | None = None):
    actor = request.auth
    org = _union(request, code)
    book = sel.book_find(actor=actor, org=org, year=year)
    tb = reports_books.trial_balance(book, start=date_from, end=date_to, year=year)
    return {"org": org.code, "year": year, "start": tb.start, "end": tb.end, "balanced": tb.balanced,
            "rows": [_trial_row(r) for r in tb.rows], "totals": _trial_row(tb.totals)}


@router.get("/books/{code}/{year}/accounts", response=list[AccountOut],
            summary="The accounts a union's book posts to (the chart's and its own sub-accounts)")
def account_list(request, code: str, year: int):
    actor = request.auth
    org = _union(request, code)
    book = sel.book_find(actor=actor, org=org, year=year)
    return reports_books.chart_sorted(sel.accounts_for(actor=actor, org=org, year=year, book=book))
