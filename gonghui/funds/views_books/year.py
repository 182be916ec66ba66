"""Opening balances (entered for a union's first year, carried forward after) and the year-end carry-forward."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.views import requires

from .. import closing
from .. import reports_books as rep
from ..models import AccountKind, Book, OpeningBalance
from .common import accounts, base_context, book_ref


def _balance_sheet(request, ref):
    return [a for a in accounts(request, ref) if a.kind in closing.BALANCE_SHEET]


def _render_openings(request, ref, *, entered=None, error="", status=200):
    rows = _balance_sheet(request, ref)
    saved = {}
    if ref.book is not None:
        saved = {ob.account_id: ob for ob in OpeningBalance.objects.filter(book=ref.book)}
    first = ref.book is None or closing.first_year(ref.book)
    editable = first and not ref.closed and request.actor.can("funds.write")
    lines = []
    for acc in rows:
        ob = saved.get(acc.pk)
        typed = (entered or {}).get(acc.pk)
        lines.append({"account": acc, "debit": typed[0] if typed else (ob.debit if ob else ""),
                      "credit": typed[1] if typed else (ob.credit if ob else "")})
    debit = sum((ob.debit for ob in saved.values()), Decimal(0))
    credit = sum((ob.credit for ob in saved.values()), Decimal(0))
    return render(request, "funds/books_openings.html", {
        **base_context(request, ref, "openings", _("Opening balances: %(org)s, %(year)s") % {
            "org": ref.org.name, "year": ref.year}, _("Opening balances")),
        "lines": lines, "editable": editable, "first_year": first, "error": error, "saved": bool(saved),
        "total_debit": debit, "total_credit": credit}, status=status)


@never_cache
@requires("funds.view")
def openings(request, code: str, year: int):
    ref = book_ref(request, code, year)
    if request.method != "POST":
        return _render_openings(request, ref)
    if not request.actor.can("funds.write"):
        raise PermissionDenied("funds.write")
    by_pk = {a.pk: a for a in _balance_sheet(request, ref)}
    entered, rows, problems = {}, [], []
    for pk, acc in by_pk.items():
        d = request.POST.get(f"debit_{pk}", "").strip()
        c = request.POST.get(f"credit_{pk}", "").strip()
        if not (d or c):
            continue
        entered[pk] = (d, c)
        try:
            rows.append(closing.OpeningIn(acc, Decimal(d.replace(",", "") or "0"),
                                          Decimal(c.replace(",", "") or "0")))
        except InvalidOperation:
            problems.append(_("%(acc)s: “%(value)s” is not an amount.") % {"acc": acc.path, "value": d or c})
    if problems:
        return _render_openings(request, ref, entered=entered, error="；".join(problems), status=422)
    try:
        closing.openings_set(actor=request.actor, org=ref.org, year=year, rows=rows)
    except ValidationError as exc:
        return _render_openings(request, ref, entered=entered, error="；".join(exc.messages), status=422)
    messages.success(request, _("Opening balances of %(year)s saved.") % {"year": year})
    return redirect("funds:openings", ref.org.code, year)


@never_cache
@requires("funds.view")
def book_close(request, code: str, year: int):
    """What closing the year will do (the surplus, the next year's openings); the button for those who write."""
    ref = book_ref(request, code, year)
    return _render_close(request, ref)


def _render_close(request, ref, *, error="", status=200):
    st = rep.statement(ref.book, year=ref.year, org=ref.org)
    next_book = Book.objects.filter(org=ref.org, year=ref.year + 1).first()
    next_has_openings = next_book is not None and OpeningBalance.objects.filter(book=next_book).exists()
    can_close = (request.actor.can("funds.write") and ref.book is not None and not ref.closed
                 and not next_has_openings)
    return render(request, "funds/books_close.html", {
        **base_context(request, ref, "book_close", _("Year-end carry-forward: %(org)s, %(year)s") % {
            "org": ref.org.name, "year": ref.year}, _("Year-end carry-forward")),
        "st": st, "next_year": ref.year + 1, "next_has_openings": next_has_openings, "can_close": can_close,
        "error": error, "income_kind": AccountKind.INCOME}, status=status)


@never_cache
@requires("funds.write")
@require_POST
def book_close_post(request, code: str, year: int):
    ref = book_ref(request, code, year)
    try:
        closing.year_close(actor=request.actor, org=ref.org, year=year)
    except ValidationError as exc:
        return _render_close(request, ref, error="；".join(exc.messages), status=422)
    messages.success(request, _("The books of %(year)s are closed; their balances open %(next)s.") % {
        "year": year, "next": year + 1})
    return redirect("funds:openings", ref.org.code, year + 1)
