"""The books home (a union and year picked, its vouchers listed newest first), voucher entry, a voucher's page and
its red-ink reversal."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gonghui.core.forms import apply_validation_error, run_form
from gonghui.core.listing import Column, ListPage
from gonghui.core.views import requires
from gonghui.orgs.selectors import org_get

from .. import books
from .. import selectors_books as sel
from ..models import Voucher, VoucherLine
from . import forms
from .common import accounts, base_context, book_ref, resolver, voucher_url


@never_cache
@requires("funds.view")
def books_home(request):
    """Pick a union in the scope and a year; without a choice, the actor's own union this year."""
    actor = request.actor
    year = timezone.localdate().year
    if "org" not in request.GET and "org_q" not in request.GET:
        asked = request.GET.get("year", "")
        return redirect("funds:book", actor.org.code, int(asked) if asked.isdigit() and 1990 <= int(asked) <= 2100
                        else year)
    form = forms.BookPickForm(request.GET, actor=actor)
    if form.is_valid():
        org = org_get(actor=actor, code=form.cleaned_data["org"])
        return redirect("funds:book", org.code, form.cleaned_data["year"])
    return render(request, "funds/books_home.html", {"title": _("Books"), "pick": form}, status=422)


def _columns(ref) -> list[Column]:
    def url(v):
        return voucher_url(v, ref.org)

    return [
        Column(_("Date"), lambda v: v.date),
        Column(_("Voucher number"), lambda v: v.display_number, url=url),
        Column(_("Summary"), lambda v: v.first_summary or ""),
        Column(_("Amount"), lambda v: f"{v.total:,.2f}", export=lambda v: v.total),
        Column(_("Source"), lambda v: v.get_source_display()),
        Column(_("Source reference"), lambda v: v.source_ref),
        Column(_("Posted by"), lambda v: str(v.created_by) if v.created_by_id else ""),
    ]


@never_cache
@requires("funds.view")
def book(request, code: str, year: int):
    """A union's book of a year: its vouchers, the newest first, filtered; xlsx export."""
    actor = request.actor
    ref = book_ref(request, code, year)
    form = forms.VoucherFilterForm(request.GET or None, actor=actor, resolve=resolver(request, ref))
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if ref.book is not None:
        first = VoucherLine.objects.filter(voucher=OuterRef("pk"), line_no=1).values("summary")[:1]
        qs = sel.voucher_list(actor=actor, book=ref.book, filters=filters).annotate(first_summary=Subquery(first))
    else:
        qs = Voucher.objects.none()  # nothing posted yet: the book opens with its first voucher
    ctx = base_context(request, ref, "book", _("Books of %(org)s, %(year)s") % {"org": ref.org.name, "year": year})
    page = ListPage(request, qs, _columns(ref), filter_form=form, export_name="vouchers", object_type="funds.voucher",
                    export_title=_("Vouchers %(year)s") % {"year": year}, export_unit=ref.org)
    page.queryset = qs  # keep the newest-first order of the book's date index
    if request.GET.get("export") == "xlsx":
        return page.export()
    page.paginate()
    pick = forms.BookPickForm(initial={"org": ref.org.code, "year": year}, actor=actor)
    return render(request, "funds/books_book.html", {**ctx, "listing": page, "pick": pick,
                                                     "accounts": accounts(request, ref)})


def _line_forms(request, year: int, *, more: bool = False):
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and more:
        total = int(data.get("form-TOTAL_FORMS", "0") or 0)
        data["form-TOTAL_FORMS"] = str(min(total + forms.BLANK_ROWS, forms.MAX_ROWS))
    if data is None:
        return forms.LineFormSet(initial=[{}] * forms.BLANK_ROWS)
    return forms.LineFormSet(data)


def _totals(formset) -> tuple[Decimal, Decimal]:
    debit = credit = Decimal("0")
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None) or {}
        debit += data.get("debit") or 0
        credit += data.get("credit") or 0
    return debit, credit


def _lines_in(request, ref, formset) -> list[books.LineIn] | None:
    """The filled rows as LineIn, or None with the errors put on the rows."""
    out, ok = [], True
    find = resolver(request, ref)
    for n, f in enumerate(formset.forms, 1):
        if f.is_blank():
            continue
        d = f.cleaned_data
        account = find(d["account"]) if d.get("account") else None
        if account is None:
            f.add_error("account", _("Line %(n)s: no account “%(ref)s” in this union's books.") % {
                "n": n, "ref": d.get("account") or ""} if d.get("account") else
                _("Line %(n)s: choose the account.") % {"n": n})
            ok = False
            continue
        out.append(books.LineIn(account=account, summary=d.get("summary") or "", debit=d.get("debit") or Decimal(0),
                                credit=d.get("credit") or Decimal(0), counterparty=d.get("counterparty") or "",
                                invoice_code=d.get("invoice_code") or "", invoice_number=d.get("invoice_number") or "",
                                decision_ref=d.get("decision_ref") or ""))
    return out if ok else None


@never_cache
@requires("funds.write")
def voucher_new(request, code: str, year: int):
    """Enter a voucher on screen: date and lines; an unbalanced voucher is refused and the input kept."""
    actor = request.actor
    ref = book_ref(request, code, year)
    if ref.closed:
        messages.error(request, _("The books of %(year)s are closed.") % {"year": year})
        return redirect("funds:book", ref.org.code, year)
    more = "more" in request.POST
    head = forms.VoucherHeadForm(request.POST or None, year=year, actor=actor,
                                 initial={"date": forms.default_date(year)})
    lines = _line_forms(request, year, more=more)
    status = 200
    if request.method == "POST":
        valid = head.is_valid() & lines.is_valid()
        if not more and valid:
            posted = _lines_in(request, ref, lines)
            if posted is not None:
                try:
                    voucher = books.voucher_post(actor=actor, org=ref.org, date=head.cleaned_data["date"],
                                                 lines=posted)
                except ValidationError as exc:
                    apply_validation_error(head, exc)
                else:
                    messages.success(request, _("Voucher %(v)s posted.") % {"v": voucher.display_number})
                    if "another" in request.POST:
                        return redirect("funds:voucher_new", ref.org.code, year)
                    return redirect(voucher_url(voucher, ref.org))
            status = 422
        elif not more:
            status = 422
    debit, credit = _totals(lines)
    ctx = base_context(request, ref, "voucher_new", _("Enter a voucher"), _("Enter a voucher"))
    return render(request, "funds/books_voucher_new.html", {
        **ctx, "head": head, "lines": lines, "accounts": accounts(request, ref), "total_debit": debit,
        "total_credit": credit, "difference": debit - credit, "more": more}, status=status)


@never_cache
@requires("funds.view")
def voucher_detail(request, code: str, year: int, number: int):
    actor = request.actor
    ref = book_ref(request, code, year)
    voucher = sel.voucher_get(actor=actor, org=ref.org, year=year, number=number, word=request.GET.get("word", "记"))
    return _render_detail(request, ref, voucher)


def _render_detail(request, ref, voucher, *, form=None, status=200):
    actor = request.actor
    lines = sel.voucher_lines(voucher)
    reversal = sel.voucher_reversal(voucher)
    can_reverse = (actor.can("funds.write") and reversal is None and voucher.reverses_id is None
                   and not ref.closed)
    ctx = base_context(request, ref, "book", _("Voucher %(v)s") % {"v": voucher.display_number},
                       voucher.display_number)
    return render(request, "funds/books_voucher.html", {
        **ctx, "voucher": voucher, "lines": lines, "reversal": reversal,
        "reversal_url": voucher_url(reversal, ref.org) if reversal else "",
        "reverses_url": voucher_url(voucher.reverses, ref.org) if voucher.reverses_id else "",
        "total_debit": sum((ln.debit for ln in lines), Decimal(0)),
        "total_credit": sum((ln.credit for ln in lines), Decimal(0)),
        "reverse_form": (form or forms.ReverseForm()) if can_reverse else None,
        "reverse_url": reverse("funds:voucher_reverse", args=[ref.org.code, ref.year, voucher.number])
        + ("" if voucher.word == "记" else f"?word={voucher.word}"),
    }, status=status)


@never_cache
@requires("funds.write")
@require_POST
def voucher_reverse(request, code: str, year: int, number: int):
    """红字冲销: a reversing voucher with the reason; the original stays, both marked reversed."""
    actor = request.actor
    ref = book_ref(request, code, year)
    voucher = sel.voucher_get(actor=actor, org=ref.org, year=year, number=number, word=request.GET.get("word", "记"))
    form = forms.ReverseForm(request.POST)
    if run_form(request, form, lambda d: books.voucher_reverse(actor=actor, voucher=voucher, reason=d["reason"]),
                success=lambda reversal: _("Voucher %(v)s reversed by %(r)s.") % {
                "v": voucher.display_number, "r": reversal.display_number}):
        return redirect(voucher_url(voucher, ref.org))
    return _render_detail(request, ref, voucher, form=form, status=422)
