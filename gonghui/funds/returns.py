"""Fund returns (返拨): the federation that received a tax-collected allocation owes the grassroots union its share.
The obligation starts when the union's receipt (经费划拨收据) arrives and is due 5 working days later; paying it
posts a voucher in both books. Colors, reminders and escalation are the sweep's (``tasks_income``)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.workdays import add_workdays, workdays_between
from gonghui.orgs.models import Org

from . import books
from . import chart as charts
from .income import INCOME_ALLOCATION, OWED_DOWN, _account
from .models import AlertKind, Allocation, Channel, FundReturn, ReturnAlert, ReturnColor, ReturnState, VoucherSource
from .models.income import BLUE_WITHIN, RETURN_DAYS

SUBSIDY_DOWN = "506"  # 补助下级支出


def color_for(*, state: str, due_on: datetime.date, today: datetime.date) -> str:
    """Red when overdue, blue when due within 2 working days, none when paid or further off."""
    if state != ReturnState.PENDING:
        return ReturnColor.NONE
    if today > due_on:
        return ReturnColor.RED
    if workdays_between(today, due_on) <= BLUE_WITHIN:
        return ReturnColor.BLUE
    return ReturnColor.NONE


@transaction.atomic
def return_receipt_record(*, actor, payer: Org, union: Org, amount=None, receipt_no: str,
                          receipt_on: datetime.date, allocation: Allocation | None = None) -> FundReturn:
    """The union's receipt for a return has arrived at ``payer``: the return is due 5 working days later. With an
    ``allocation`` collected by the tax office, the amount defaults to its grassroots part."""
    actor.require("funds.write")
    actor.require_covers(payer.path)
    if not payer.is_federation:
        raise ValidationError({"payer": _("%(name)s is not a federation.") % {"name": payer.name}})
    if not union.path.startswith(payer.path) or union.pk == payer.pk:
        raise ValidationError({"union": _("%(union)s is not a union under %(payer)s.") % {
            "union": union.name, "payer": payer.name}})
    receipt_no = " ".join((receipt_no or "").split())
    if not receipt_no:
        raise ValidationError({"receipt_no": _("Enter the number of the union's receipt.")})
    if len(receipt_no) > 40:
        raise ValidationError({"receipt_no": _("The receipt number is longer than 40 characters.")})
    if receipt_on > timezone.localdate():
        raise ValidationError({"receipt_on": _("The receipt date %(date)s is in the future.") % {"date": receipt_on}})
    if allocation is not None:
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.union_id != union.pk or allocation.channel != Channel.TAX or allocation.collector_id != payer.pk:
            raise ValidationError({"allocation": _("That allocation was not collected by %(payer)s for %(union)s "
                                                   "through the tax office.") % {"payer": payer.name,
                                                                                 "union": union.name}})
        owed = allocation.grassroots_amount - sum((r.amount for r in allocation.returns.all()), Decimal("0"))
        amount = owed if amount in (None, "") else amount
        if books.money(amount, label=_("Amount")) > owed:
            raise ValidationError({"amount": _("Only %(owed)s of that allocation is still owed to the union.") % {
                "owed": owed}})
    if amount in (None, ""):
        raise ValidationError({"amount": _("Enter the amount to return.")})
    amount = books.money(amount, label=_("Amount"))
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive: %(value)s") % {"value": amount}})
    due = add_workdays(receipt_on, RETURN_DAYS)
    row = FundReturn(payer=payer, payer_path=payer.path, union=union, union_path=union.path, amount=amount,
                     receipt_no=receipt_no, receipt_on=receipt_on, due_on=due, allocation=allocation)
    row.color = color_for(state=row.state, due_on=due, today=timezone.localdate())
    row.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"receipt_no": _("Receipt %(no)s is already recorded at %(payer)s.") % {
            "no": receipt_no, "payer": payer.name}}) from None
    audit.record(actor=actor, action="funds.return_receipt", object_type="funds.return", object_id=row.pk,
                 scope_path=payer.path, details={"receipt": receipt_no, "union": union.code, "amount": str(amount),
                                                 "receipt_on": receipt_on.isoformat(), "due": due.isoformat()})
    return row


@transaction.atomic
def return_pay(*, actor, fund_return: FundReturn, paid_on: datetime.date | None = None) -> FundReturn:
    """Pay a return: the payer's books debit 应付下级经费 (a tax-collected allocation's grassroots part, owed since
    it was received) or 补助下级支出 (a return not tied to one) and credit the bank; the union's books debit the
    bank and credit 拨缴经费收入. Paid after the due date: flagged late."""
    actor.require("funds.write")
    row = FundReturn.objects.select_for_update().get(pk=fund_return.pk)
    actor.require_covers(row.payer_path)
    if row.state == ReturnState.PAID:
        raise ValidationError(_("Return %(no)s was already paid on %(date)s.") % {"no": row.receipt_no,
                                                                                 "date": row.paid_on})
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date %(date)s is in the future.") % {"date": paid_on}})
    if paid_on < row.receipt_on:
        raise ValidationError({"paid_on": _("The payment date %(date)s is before the receipt arrived (%(receipt)s).")
                               % {"date": paid_on, "receipt": row.receipt_on}})
    payer, union = row.payer, row.union
    summary = _("Return to %(union)s, receipt %(no)s") % {"union": union.name, "no": row.receipt_no}
    ref = f"funds.return:{row.pk}"
    payer_book = books.book_open(org=payer, year=paid_on.year)
    debit = OWED_DOWN if row.allocation_id else SUBSIDY_DOWN
    out = books.voucher_post(actor=actor, org=payer, date=paid_on, source=VoucherSource.PAYMENT, source_ref=ref,
                             record=False, lines=[
                                 books.LineIn(account=_account(payer_book, debit), summary=summary, debit=row.amount,
                                              counterparty=union.name),
                                 books.LineIn(account=_account(payer_book, charts.BANK), summary=summary,
                                              credit=row.amount, counterparty=union.name)])
    union_book = books.book_open(org=union, year=paid_on.year)
    text = _("Return from %(payer)s, receipt %(no)s") % {"payer": payer.name, "no": row.receipt_no}
    into = books.voucher_post(actor=actor, org=union, date=paid_on, source=VoucherSource.PAYMENT, source_ref=ref,
                              record=False, lines=[
                                  books.LineIn(account=_account(union_book, charts.BANK), summary=text,
                                               debit=row.amount, counterparty=payer.name),
                                  books.LineIn(account=_account(union_book, INCOME_ALLOCATION), summary=text,
                                               credit=row.amount, counterparty=payer.name)])
    row.state, row.paid_on, row.voucher, row.union_voucher = ReturnState.PAID, paid_on, out, into
    row.late, row.color = paid_on > row.due_on, ReturnColor.NONE
    row.save(update_fields=["state", "paid_on", "voucher", "union_voucher", "late", "color"])
    audit.record(actor=actor, action="funds.return_pay", object_type="funds.return", object_id=row.pk,
                 scope_path=row.payer_path, details={"receipt": row.receipt_no, "amount": str(row.amount),
                                                     "paid_on": paid_on.isoformat(), "late": row.late,
                                                     "voucher": out.display_number,
                                                     "union_voucher": into.display_number})
    return row


@transaction.atomic
def return_supervise(*, actor, alert: ReturnAlert, note: str) -> ReturnAlert:
    """The parent federation records what it did about an escalated return (督办)."""
    actor.require("funds.write")
    alert = ReturnAlert.objects.select_for_update().get(pk=alert.pk)
    actor.require_covers(alert.org_path)
    if alert.kind != AlertKind.ESCALATION:
        raise ValidationError(_("Only an escalated return is supervised."))
    if alert.handled_at is not None:
        raise ValidationError(_("This escalation has already been supervised."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what the supervising federation did.")})
    if len(note) > 500:
        raise ValidationError({"note": _("The note is longer than 500 characters.")})
    alert.handled_at, alert.handled_note = timezone.now(), note
    alert.handled_by = actor.user if getattr(actor.user, "is_authenticated", False) else None
    alert.save(update_fields=["handled_at", "handled_note", "handled_by"])
    audit.record(actor=actor, action="funds.return_supervise", object_type="funds.return",
                 object_id=alert.fund_return_id, scope_path=alert.org_path, details={"note": note})
    return alert
