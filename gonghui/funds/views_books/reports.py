"""The books' reports on screen and as xlsx: trial balance, income and expenditure statement, ledgers and the cash
and bank journals, each for a period of the book's year."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gonghui.core import audit
from gonghui.core.spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response
from gonghui.core.views import requires

from .. import books
from .. import chart as charts
from .. import reports_books as rep
from .. import selectors_books as sel
from . import forms
from .common import accounts, base_context, book_ref, resolver


def _period(request, ref):
    form = forms.PeriodForm(request.GET or None, year=ref.year, actor=request.actor)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("date_from"), data.get("date_to")


def _export(request, ref, title: str, headers: list[str], rows, *, period) -> object:
    actor = request.actor
    actor.require("export")
    extra = f"{period[0].isoformat()}~{period[1].isoformat()}"
    content = write_xlsx(headers, rows, sheet=sheet_name(title),
                         notes=[f"{ref.org.name} {title} {extra}"])
    audit.record(actor=actor, action="export", object_type="funds.book", object_id=ref.book.pk if ref.book else "",
                 scope_path=ref.org.path, details={"filters": {k: v for k, v in request.GET.items()
                                                               if k != "export"}, "masked": True})
    return xlsx_response(content, export_filename(title, unit=ref.org, extra=str(ref.year)))


@never_cache
@requires("funds.view")
def trial_balance(request, code: str, year: int):
    ref = book_ref(request, code, year)
    form, start, end = _period(request, ref)
    tb = rep.trial_balance(ref.book, start=start, end=end, year=year)
    title = _("Trial balance")
    if request.GET.get("export") == "xlsx":
        return _export(request, ref, title, rep.TRIAL_HEADERS, rep.trial_balance_rows(tb), period=(tb.start, tb.end))
    return render(request, "funds/books_trial_balance.html", {
        **base_context(request, ref, "trial_balance", f"{title}：{ref.org.name} {year}", title),
        "period_form": form, "tb": tb, "can_export": request.actor.can("export")})


@never_cache
@requires("funds.view")
def statement(request, code: str, year: int):
    ref = book_ref(request, code, year)
    form, start, end = _period(request, ref)
    st = rep.statement(ref.book, start=start, end=end, year=year, org=ref.org)
    title = _("Income and expenditure statement")
    if request.GET.get("export") == "xlsx":
        return _export(request, ref, title, rep.STATEMENT_HEADERS, rep.statement_rows(st), period=(st.start, st.end))
    return render(request, "funds/books_statement.html", {
        **base_context(request, ref, "statement", f"{title}：{ref.org.name} {year}", title),
        "period_form": form, "st": st, "can_export": request.actor.can("export")})


def _ledger(request, ref, account, *, here: str, title: str, pickable: bool):
    form, start, end = _period(request, ref)
    led = rep.ledger(ref.book, account, start=start, end=end, year=ref.year) if account is not None else None
    if led is not None and request.GET.get("export") == "xlsx":
        return _export(request, ref, f"{title}-{account.path}", rep.LEDGER_HEADERS, rep.ledger_rows(led),
                       period=(led.start, led.end))
    rows = rep.ledger_display(led) if led is not None else []
    not_found = bool(pickable and request.GET.get("account", "").strip() and account is None)
    return render(request, "funds/books_ledger.html", {
        **base_context(request, ref, here, f"{title}：{ref.org.name} {ref.year}", title),
        "period_form": form, "ledger": led, "rows": rows, "not_found": not_found, "pickable": pickable,
        "account": account, "accounts": accounts(request, ref) if pickable else [],
        "account_text": request.GET.get("account", ""), "can_export": request.actor.can("export")})


@never_cache
@requires("funds.view")
def ledger(request, code: str, year: int):
    """总账 of a first-level account, 明细账 of a sub-account: opening, each line, running balance, closing."""
    ref = book_ref(request, code, year)
    text = request.GET.get("account", "").strip()
    account = resolver(request, ref)(text) if text else None
    title = _("General ledger") if account is not None and account.depth == 1 else _("Ledger")
    return _ledger(request, ref, account, here="ledger", title=title, pickable=True)


def _journal(request, code: str, year: int, role: str, here: str, title: str):
    ref = book_ref(request, code, year)
    if ref.book is not None:
        account = books.account_find(ref.book, role)
    else:
        account = sel.account_pick(actor=request.actor, org=ref.org, year=year, ref=role)
    return _ledger(request, ref, account, here=here, title=title, pickable=False)


@never_cache
@requires("funds.view")
def cash_journal(request, code: str, year: int):
    """库存现金日记账."""
    return _journal(request, code, year, charts.CASH, "cash_journal", _("Cash journal"))


@never_cache
@requires("funds.view")
def bank_journal(request, code: str, year: int):
    """银行存款日记账."""
    return _journal(request, code, year, charts.BANK, "bank_journal", _("Bank journal"))
