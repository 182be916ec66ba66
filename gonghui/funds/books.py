"""Posting to the books: open a union's book for a year, post a balanced voucher whole, reverse it (红字冲销),
add a union's sub-account, and the payment service other apps call.

Every posting locks the book row, so voucher numbers are handed out in order and a voucher is written whole or
not at all. Amounts are Decimal with two places; a line is a debit or a credit, never both.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import django.dispatch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from . import chart as charts
from .models import Account, AccountKind, Book, PayMethod, Voucher, VoucherLine, VoucherSource

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")

# Sent after a voucher is posted or reversed (on commit), for the rule engine and the figures.
voucher_posted = django.dispatch.Signal()  # voucher
voucher_reversed = django.dispatch.Signal()  # voucher (the original), reversal


def money(value, *, label: str = "") -> Decimal:
    """A money amount with at most two decimals, or a ValidationError naming ``label``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip() or "0")
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s is not an amount: %(value)s") % {"label": label or _("Amount"),
                                                                           "value": value}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) > MAX_AMOUNT:
        raise ValidationError(_("%(label)s must be an amount with at most two decimals: %(value)s") % {
            "label": label or _("Amount"), "value": value})
    return amount.quantize(CENT)


FIRST_YEAR, LAST_YEAR = 1950, 2100


def year_checked(year: int) -> int:
    """A books year, or a ValidationError naming the field (a typed 21001231 is not a year)."""
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValidationError({"year": _("The year must be between %(a)s and %(b)s.") % {"a": FIRST_YEAR,
                                                                                         "b": LAST_YEAR}})
    return int(year)


@dataclass
class LineIn:
    """A voucher line to post. ``account`` is an Account of the book's chart (or the union's own sub-account)."""

    account: Account
    summary: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    counterparty: str = ""
    invoice_code: str = ""
    invoice_number: str = ""
    decision_ref: str = ""
    extra: dict = field(default_factory=dict)


def book_open(*, org, year: int) -> Book:
    """The union's book for ``year``, opened on the chart in force when it does not exist yet."""
    book = Book.objects.filter(org=org, year=year).first()
    if book is not None:
        return book
    chart = charts.chart_for(org, year)
    book, _created = Book.objects.get_or_create(org=org, year=year, defaults={"chart": chart, "org_path": org.path})
    return book


def accounts_of(book: Book):
    """The accounts a book may post to: the chart's own and the union's sub-accounts."""
    return Account.objects.filter(Q(org__isnull=True) | Q(org_id=book.org_id), chart_id=book.chart_id, active=True)


def account_find(book: Book, ref: str) -> Account | None:
    """An account of the book by its code, else by its name path (职工活动支出-节日慰问)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    candidates = accounts_of(book)
    found = candidates.filter(code=ref).order_by("org_id").first() if ref.replace(".", "").isdigit() else None
    return found or candidates.filter(path=ref).order_by("-org_id").first()


@transaction.atomic
def account_add(*, actor, org, parent: Account, name: str, code: str = "") -> Account:
    """A union's own sub-account under ``parent`` (职工活动支出-节日慰问-春节)."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    name = (name or "").strip()
    if not name or "-" in name:
        raise ValidationError({"name": _("An account name is required and may not contain '-'.")})
    book_chart = parent.chart
    if parent.org_id not in (None, org.pk):
        raise ValidationError({"parent": _("The parent account belongs to another union.")})
    path = f"{parent.path}-{name}"
    if Account.objects.filter(Q(org__isnull=True) | Q(org=org), chart=book_chart, path=path).exists():
        raise ValidationError({"name": _("The account %(path)s already exists.") % {"path": path}})
    account = Account(chart=book_chart, org=org, parent=parent, code=(code or "").strip(), name=name, path=path,
                      kind=parent.kind, depth=parent.depth + 1)
    account.full_clean(validate_unique=False)
    account.save()
    audit.record(actor=actor, action="funds.account_add", object_type="funds.account", object_id=account.pk,
                 scope_path=org.path, details={"account": path, "code": account.code})
    return account


def _validate_lines(book: Book, date: datetime.date, lines: list[LineIn]) -> Decimal:
    if date.year != book.year:
        raise ValidationError(_("The date %(date)s is outside the year %(year)s.") % {"date": date,
                                                                                    "year": book.year})
    if len(lines) < 2:
        raise ValidationError(_("A voucher needs at least two lines."))
    allowed_orgs = (None, book.org_id)
    debit = credit = Decimal("0")
    for n, line in enumerate(lines, 1):
        acc = line.account
        if acc.chart_id != book.chart_id or acc.org_id not in allowed_orgs or not acc.active:
            raise ValidationError(_("Line %(n)s: the account %(acc)s is not in this union's books.") % {
                "n": n, "acc": acc.path})
        d = money(line.debit, label=_("Line %(n)s debit") % {"n": n})
        c = money(line.credit, label=_("Line %(n)s credit") % {"n": n})
        if (d and c) or not (d or c):
            raise ValidationError(_("Line %(n)s: enter a debit or a credit, not both and not neither.") % {"n": n})
        if not (line.summary or "").strip():
            raise ValidationError(_("Line %(n)s: the summary is required.") % {"n": n})
        line.debit, line.credit = d, c
        debit += d
        credit += c
    if debit != credit:
        raise ValidationError(_("The voucher does not balance: debits %(d)s, credits %(c)s.") % {
            "d": f"{debit:,.2f}", "c": f"{credit:,.2f}"})
    return debit


def pay_method_of(lines) -> str:
    """Cash when a credit is on 库存现金, bank when on 银行存款 (cash wins), else other."""
    codes = {(ln.account.code, ln.account.path.split("-")[0]) for ln in lines if ln.credit > 0}
    if any(code == charts.CASH or root == "库存现金" for code, root in codes):
        return PayMethod.CASH
    if any(code == charts.BANK or root == "银行存款" for code, root in codes):
        return PayMethod.BANK
    return PayMethod.OTHER


def _link_decisions(book: Book, rows: list[VoucherLine]) -> None:
    from .models import Decision

    refs = {r.decision_ref for r in rows if r.decision_ref}
    if not refs:
        return
    found = dict(Decision.objects.filter(org_id=book.org_id, reference__in=refs).values_list("reference", "id"))
    for r in rows:
        r.decision_id = found.get(r.decision_ref)


@transaction.atomic
def voucher_post(*, actor, org, date: datetime.date, lines: list[LineIn], word: str = "记",
                 number: int | None = None, source: str = VoucherSource.MANUAL, source_ref: str = "",
                 record: bool = True) -> Voucher:
    """Post a balanced voucher in ``org``'s book for ``date.year``: whole, numbered, audited."""
    actor.require_covers(org.path)
    book = book_open(org=org, year=date.year)
    book = Book.objects.select_for_update().get(pk=book.pk)
    if book.state == Book.State.CLOSED:
        raise ValidationError(_("The books of %(year)s are closed.") % {"year": book.year})
    total = _validate_lines(book, date, lines)
    if number is None:
        number = book.next_number
    elif Voucher.objects.filter(book=book, word=word, number=number).exists():
        raise ValidationError(_("Voucher number %(w)s-%(n)04d already exists in %(year)s.") % {
            "w": word, "n": number, "year": book.year})
    if number >= book.next_number:
        book.next_number = number + 1
        book.save(update_fields=["next_number"])
    voucher = Voucher.objects.create(
        book=book, org=org, org_path=org.path, year=book.year, word=word, number=number, date=date, source=source,
        source_ref=source_ref, total=total,
        created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None)
    method = pay_method_of(lines)
    rows = [VoucherLine(voucher=voucher, org_path=org.path, date=date, line_no=n, account=ln.account,
                        kind=ln.account.kind, summary=ln.summary.strip()[:200], debit=ln.debit, credit=ln.credit,
                        counterparty=(ln.counterparty or "").strip()[:100],
                        invoice_code=(ln.invoice_code or "").strip(), invoice_number=(ln.invoice_number or "").strip(),
                        decision_ref=(ln.decision_ref or "").strip(), pay_method=method)
            for n, ln in enumerate(lines, 1)]
    _link_decisions(book, rows)
    VoucherLine.objects.bulk_create(rows)
    if record:
        audit.record(actor=actor, action="funds.voucher_post", object_type="funds.voucher", object_id=voucher.pk,
                     scope_path=org.path, details={"voucher": voucher.display_number, "year": book.year,
                                                   "amount": str(total), "source": source})
    transaction.on_commit(lambda: voucher_posted.send(sender=Voucher, voucher=voucher))
    return voucher


@transaction.atomic
def voucher_reverse(*, actor, voucher: Voucher, reason: str, date: datetime.date | None = None) -> Voucher:
    """Cancel a posted voucher with a reversing voucher (红字冲销: the same lines with negative amounts)."""
    actor.require("funds.write")
    actor.require_covers(voucher.org_path)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the reversal.")})
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.reverses_id is not None:
        raise ValidationError(_("A reversing voucher cannot itself be reversed."))
    if Voucher.objects.filter(reverses=voucher).exists():
        raise ValidationError(_("Voucher %(v)s has already been reversed.") % {"v": voucher.display_number})
    date = date or timezone.localdate()
    if date.year != voucher.year:
        date = datetime.date(voucher.year, 12, 31) if date.year > voucher.year else voucher.date
    lines = [LineIn(account=ln.account, summary=_("Reversal of %(v)s: %(s)s") % {"v": voucher.display_number,
                                                                                   "s": ln.summary},
                    debit=-ln.debit, credit=-ln.credit, counterparty=ln.counterparty,
                    invoice_code=ln.invoice_code, invoice_number=ln.invoice_number, decision_ref=ln.decision_ref)
             for ln in voucher.lines.select_related("account").order_by("line_no")]
    reversal = _post_reversal(actor=actor, voucher=voucher, date=date, lines=lines, reason=reason)
    VoucherLine.objects.filter(voucher=voucher).update(voided=True)
    audit.record(actor=actor, action="funds.voucher_reverse", object_type="funds.voucher", object_id=voucher.pk,
                 scope_path=voucher.org_path, details={"voucher": voucher.display_number,
                                                       "reversal": reversal.display_number, "reason": reason})
    transaction.on_commit(lambda: voucher_reversed.send(sender=Voucher, voucher=voucher, reversal=reversal))
    return reversal


def _post_reversal(*, actor, voucher, date, lines, reason) -> Voucher:
    """Post the red-ink lines: they balance in negative amounts, which the ordinary checks refuse."""
    book = Book.objects.select_for_update().get(pk=voucher.book_id)
    if book.state == Book.State.CLOSED:
        raise ValidationError(_("The books of %(year)s are closed.") % {"year": book.year})
    number = book.next_number
    book.next_number = number + 1
    book.save(update_fields=["next_number"])
    reversal = Voucher.objects.create(
        book=book, org_id=voucher.org_id, org_path=voucher.org_path, year=book.year, word=voucher.word,
        number=number, date=date, source=VoucherSource.REVERSAL, source_ref=voucher.display_number,
        reverses=voucher, reversal_reason=reason, total=-voucher.total,
        created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None)
    VoucherLine.objects.bulk_create([
        VoucherLine(voucher=reversal, org_path=voucher.org_path, date=date, line_no=n, account=ln.account,
                    kind=ln.account.kind, summary=ln.summary[:200], debit=ln.debit, credit=ln.credit,
                    counterparty=ln.counterparty, invoice_code=ln.invoice_code, invoice_number=ln.invoice_number,
                    decision_ref=ln.decision_ref, voided=True)
        for n, ln in enumerate(lines, 1)])
    return reversal


def payment_post(*, actor, payer, payee: str, amount, expense_account: str, reference: str,
                 summary: str = "", date: datetime.date | None = None, decision_ref: str = "") -> Voucher:
    """The payment service other apps call: debit the expense account, credit the bank, in the payer's books.

    ``expense_account`` is a code or a name path of an expenditure account; ``reference`` names the paying object
    (``aid.grant:123``) and is kept on the voucher."""
    date = date or timezone.localdate()
    amount = money(amount)
    if amount <= 0:
        raise ValidationError(_("A payment must be a positive amount."))
    book = book_open(org=payer, year=date.year)
    expense = account_find(book, expense_account)
    if expense is None or expense.kind != AccountKind.EXPENSE:
        raise ValidationError(_("%(acc)s is not an expenditure account of this union's books.") % {
            "acc": expense_account})
    bank = account_find(book, charts.BANK)
    text = (summary or _("Payment to %(payee)s") % {"payee": payee}).strip()
    return voucher_post(actor=actor, org=payer, date=date, source=VoucherSource.PAYMENT, source_ref=reference[:80],
                        lines=[LineIn(account=expense, summary=text, debit=amount, counterparty=payee,
                                      decision_ref=decision_ref),
                               LineIn(account=bank, summary=text, credit=amount, counterparty=payee)])
