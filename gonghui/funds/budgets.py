"""Budgets (预算) by expenditure account: drafted by the union, reviewed by the funds review committee (经审委),
approved by a collective decision, then changed only by adjustments (预算调整) that keep the history; execution
(budget against the books at any date); the final account (决算) built from the books and frozen when approved;
the yearly summary published on the public board (公开栏).

The rule engine reads ``BudgetLine.amount`` as the effective amount: an adjustment updates it under
``select_for_update`` and keeps its own row (before, change, after).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from . import chart as charts
from .books import account_find, book_open, money
from .models import (
    Account,
    AccountKind,
    Budget,
    BudgetAdjustment,
    BudgetLine,
    BudgetReview,
    BudgetState,
    Decision,
    Disclosure,
    FinalAccount,
    FinalAccountState,
    VoucherLine,
)

ZERO = Decimal("0.00")


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _decision_of(budget_org, decision: Decision | None) -> Decision:
    if decision is None:
        raise ValidationError({"decision": _("Choose the collective decision that approved it.")})
    if decision.org_id != budget_org.pk:
        raise ValidationError({"decision": _("Decision %(ref)s belongs to another union.") % {
            "ref": decision.reference}})
    return decision


@transaction.atomic
def budget_create(*, actor, org, year: int) -> Budget:
    """A draft budget for ``org`` and ``year`` (one per union and year)."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("The year %(year)s is not a budget year.") % {"year": year}})
    if Budget.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": _("%(org)s already has a budget for %(year)s.") % {"org": org.name,
                                                                                          "year": year}})
    budget = Budget(org=org, org_path=org.path, year=year, created_by=_user(actor))
    budget.full_clean()
    try:
        with transaction.atomic():
            budget.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"year": _("%(org)s already has a budget for %(year)s.") % {
            "org": org.name, "year": year}}) from None
    audit.record(actor=actor, action="funds.budget_create", object_type="funds.budget", object_id=budget.pk,
                 scope_path=org.path, details={"union": org.code, "year": year})
    return budget


def _expense_account(budget: Budget, ref: str) -> Account:
    book = book_open(org=budget.org, year=budget.year)
    account = account_find(book, ref)
    if account is None:
        raise ValidationError({"account": _("No account %(ref)s in this union's books.") % {"ref": ref}})
    if account.kind != AccountKind.EXPENSE:
        raise ValidationError({"account": _("%(acc)s is not an expenditure account: a budget line must be on an "
                                            "expenditure account.") % {"acc": account.path}})
    return account


@transaction.atomic
def budget_line_set(*, actor, budget: Budget, account: str, amount) -> BudgetLine:
    """Set the amount of a draft budget's line on an expenditure account (a code or a path), adding the line."""
    actor.require("funds.write")
    actor.require_covers(budget.org_path)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.state != BudgetState.DRAFT:
        raise ValidationError(_("Only a draft budget is edited; an approved budget changes by adjustments."))
    acc = _expense_account(budget, account)
    value = money(amount, label=_("Budget amount"))
    if value < 0:
        raise ValidationError({"amount": _("Budget amount may not be negative: %(v)s") % {"v": value}})
    line = BudgetLine.objects.filter(budget=budget, account=acc).first()
    if line is None:
        line = BudgetLine(budget=budget, account=acc, amount=value)
        line.full_clean()
        line.save(force_insert=True)
    else:
        line.amount = value
        line.full_clean()
        line.save(update_fields=["amount"])
    audit.record(actor=actor, action="funds.budget_line_set", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"account": acc.path, "amount": str(value)})
    return line


@transaction.atomic
def budget_line_remove(*, actor, budget: Budget, line_id: int) -> None:
    actor.require("funds.write")
    actor.require_covers(budget.org_path)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.state != BudgetState.DRAFT:
        raise ValidationError(_("Only a draft budget is edited; an approved budget changes by adjustments."))
    line = BudgetLine.objects.filter(budget=budget, pk=line_id).select_related("account").first()
    if line is None:
        raise ValidationError(_("That budget line does not exist."))
    path = line.account.path
    line.delete()
    audit.record(actor=actor, action="funds.budget_line_remove", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"account": path})


@transaction.atomic
def budget_review(*, actor, budget: Budget, opinion: str) -> BudgetReview:
    """The funds review committee's opinion (经审委审查): the draft becomes reviewed."""
    actor.require("funds.review")
    actor.require_covers(budget.org_path)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("Write the review committee's opinion.")})
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.state != BudgetState.DRAFT:
        raise ValidationError(_("Only a draft budget is reviewed."))
    if not budget.lines.exists():
        raise ValidationError(_("The budget has no lines to review."))
    review = BudgetReview(budget=budget, opinion=opinion, reviewed_by=_user(actor))
    review.full_clean()
    review.save(force_insert=True)
    budget.state = BudgetState.REVIEWED
    budget.save(update_fields=["state"])
    audit.record(actor=actor, action="funds.budget_review", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"state": budget.state, "opinion": opinion[:200]})
    return review


@transaction.atomic
def budget_return(*, actor, budget: Budget, opinion: str) -> BudgetReview:
    """The review committee sends a reviewed budget back to draft with its opinion."""
    actor.require("funds.review")
    actor.require_covers(budget.org_path)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("Write the review committee's opinion.")})
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.state != BudgetState.REVIEWED:
        raise ValidationError(_("Only a reviewed budget is sent back."))
    review = BudgetReview(budget=budget, opinion=opinion, reviewed_by=_user(actor))
    review.full_clean()
    review.save(force_insert=True)
    budget.state = BudgetState.DRAFT
    budget.save(update_fields=["state"])
    audit.record(actor=actor, action="funds.budget_return", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"state": budget.state, "opinion": opinion[:200]})
    return review


def _rescan_on_commit(actor, budget: Budget) -> None:
    """A budget approved or adjusted changes what its lines are measured against: once the change is committed, the
    union's over-budget and unbudgeted rules are run again for that year (the incremental scan only looks at new
    lines, so without this an adjustment with no new line would leave stale alerts until a full scan)."""
    from .models import RuleKey
    from .rules import scan

    org, year = budget.org, budget.year
    transaction.on_commit(lambda: scan(actor=actor, org=org, year=year,
                                       rules=[RuleKey.OVER_BUDGET, RuleKey.UNBUDGETED]))


@transaction.atomic
def budget_approve(*, actor, budget: Budget, decision: Decision | None) -> Budget:
    """A reviewed budget approved by a collective decision of the union."""
    actor.require("funds.write")
    actor.require_covers(budget.org_path)
    budget = Budget.objects.select_for_update().select_related("org").get(pk=budget.pk)
    if budget.state != BudgetState.REVIEWED:
        raise ValidationError(_("The funds review committee must review the budget before it is approved."))
    decision = _decision_of(budget.org, decision)
    budget.state, budget.decision = BudgetState.APPROVED, decision
    budget.approved_by, budget.approved_at = _user(actor), timezone.now()
    budget.full_clean()
    budget.save(update_fields=["state", "decision", "approved_by", "approved_at"])
    audit.record(actor=actor, action="funds.budget_approve", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"state": budget.state, "decision": decision.reference})
    _rescan_on_commit(actor, budget)
    return budget


@transaction.atomic
def budget_adjust(*, actor, budget: Budget, account: str, change, reason: str,
                  decision: Decision | None) -> BudgetAdjustment:
    """An adjustment of an approved budget, approved by ``decision``: the line's amount changes by ``change`` (a new
    line when the account had none) and the adjustment is kept as history."""
    actor.require("funds.write")
    actor.require_covers(budget.org_path)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    delta = money(change, label=_("Adjustment amount"))
    if delta == 0:
        raise ValidationError({"change": _("The adjustment may not be zero.")})
    budget = Budget.objects.select_for_update().select_related("org").get(pk=budget.pk)
    if budget.state != BudgetState.APPROVED:
        raise ValidationError(_("Only an approved budget is adjusted; edit a draft directly."))
    decision = _decision_of(budget.org, decision)
    acc = _expense_account(budget, account)
    line = BudgetLine.objects.select_for_update().filter(budget=budget, account=acc).first()
    if line is None:
        line = BudgetLine(budget=budget, account=acc, amount=ZERO)
        line.save(force_insert=True)
    before = line.amount
    after = before + delta
    if after < 0:
        raise ValidationError({"change": _("The adjustment would leave %(acc)s below zero (%(before)s %(change)s).")
                               % {"acc": acc.path, "before": before, "change": delta}})
    adjustment = BudgetAdjustment(budget=budget, line=line, before=before, change=delta, after=after, reason=reason,
                                  decision=decision, created_by=_user(actor))
    adjustment.full_clean()
    adjustment.save(force_insert=True)
    line.amount = after
    line.save(update_fields=["amount"])
    audit.record(actor=actor, action="funds.budget_adjust", object_type="funds.budget", object_id=budget.pk,
                 scope_path=budget.org_path, details={"account": acc.path, "before": str(before),
                                                      "change": str(delta), "after": str(after), "reason": reason,
                                                      "decision": decision.reference})
    _rescan_on_commit(actor, budget)
    return adjustment


# --- execution -------------------------------------------------------------------------------------------------

@dataclass
class ExecutionRow:
    line: BudgetLine
    path: str
    budget: Decimal
    actual: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual

    @property
    def percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.actual * 100 / self.budget).quantize(Decimal("0.1"))


def covering_line(path: str, lines_by_path: dict) -> str | None:
    """The most specific budgeted path that is ``path`` or one of its parents."""
    parts = path.split("-")
    for n in range(len(parts), 0, -1):
        candidate = "-".join(parts[:n])
        if candidate in lines_by_path:
            return candidate
    return None


def spent_by_account(org, start: datetime.date, end: datetime.date) -> dict[str, Decimal]:
    """Expenditure (debits minus credits) of one union's books between two dates, by account path: one
    aggregate query. Reversed vouchers and their reversals both count, so they net to zero."""
    rows = (VoucherLine.objects.filter(voucher__org_id=org.pk, kind=AccountKind.EXPENSE, date__gte=start,
                                       date__lte=end)
            .values("account__path").annotate(d=Sum("debit"), c=Sum("credit")))
    return {r["account__path"]: (r["d"] or ZERO) - (r["c"] or ZERO) for r in rows}


def budget_execution(budget: Budget, *, on: datetime.date) -> tuple[list[ExecutionRow], Decimal]:
    """Budget against actual at ``on``: each line's actual is the spending on its account and the sub-accounts no
    finer line covers. Returns the rows and the spending on accounts no line covers (unbudgeted)."""
    # In the chart's order (by code, then path), sorted here so every database gives the same order.
    lines = sorted(budget.lines.select_related("account"), key=lambda ln: (ln.account.code or "~", ln.account.path))
    by_path = {ln.account.path: ExecutionRow(ln, ln.account.path, ln.amount, ZERO) for ln in lines}
    end = min(on, datetime.date(budget.year, 12, 31))
    unbudgeted = ZERO
    for path, amount in spent_by_account(budget.org, datetime.date(budget.year, 1, 1), end).items():
        key = covering_line(path, by_path)
        if key is None:
            unbudgeted += amount
        else:
            by_path[key].actual += amount
    return list(by_path.values()), unbudgeted


def budget_sheet(budget: Budget, *, on: datetime.date) -> tuple[list[str], list[list]]:
    """The execution table as an xlsx sheet (Chinese headers)."""
    rows, unbudgeted = budget_execution(budget, on=on)
    headers = [_("Account"), _("Budget"), _("Actual"), _("Remaining"), _("Execution rate")]
    body = [[r.path, r.budget, r.actual, r.remaining, r.percent if r.percent is not None else ""] for r in rows]
    body.append([_("Spending on accounts with no budget line"), "", unbudgeted, "", ""])
    return headers, body


# --- final account (决算) --------------------------------------------------------------------------------------

def year_totals(org, year: int) -> dict[str, tuple[str, Decimal]]:
    """Income (credits minus debits) and expenditure (debits minus credits) of a union's year, by account path
    (one aggregate query); values are (kind, amount)."""
    rows = (VoucherLine.objects.filter(voucher__org_id=org.pk, voucher__year=year,
                                       kind__in=(AccountKind.INCOME, AccountKind.EXPENSE))
            .exclude(voucher__source="carry")
            .values("account__path", "kind").annotate(d=Sum("debit"), c=Sum("credit")))
    out = {}
    for r in rows:
        d, c = r["d"] or ZERO, r["c"] or ZERO
        out[r["account__path"]] = (r["kind"], c - d if r["kind"] == AccountKind.INCOME else d - c)
    return out


def final_rows(org, year: int) -> list[dict]:
    """The final account's lines: every income and expenditure account with activity or a budget line, with the
    budget (approved budget lines) and the actual; income first, then expenditure, by path."""
    totals = year_totals(org, year)
    budget = Budget.objects.filter(org=org, year=year, state=BudgetState.APPROVED).first()
    budgeted = {}
    if budget is not None:
        budgeted = {ln.account.path: ln.amount for ln in budget.lines.select_related("account")}
    rows = []
    for path in sorted(set(totals) | set(budgeted)):
        kind, actual = totals.get(path, (AccountKind.EXPENSE, ZERO))
        rows.append({"path": path, "kind": kind, "budget": str(budgeted[path]) if path in budgeted else "",
                     "actual": str(actual)})
    rows.sort(key=lambda r: (r["kind"] != AccountKind.INCOME, r["path"]))
    return rows


@transaction.atomic
def final_account_build(*, actor, org, year: int) -> FinalAccount:
    """Build (or rebuild) the draft final account from the books; an approved one is frozen."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    final = FinalAccount.objects.select_for_update().filter(org=org, year=year).first()
    if final is not None and final.state == FinalAccountState.APPROVED:
        raise ValidationError(_("The final account of %(year)s is approved and frozen.") % {"year": year})
    rows = final_rows(org, year)
    # Each row holds the postings on that very account, so the totals are the sums over every row.
    income = sum((Decimal(r["actual"]) for r in rows if r["kind"] == AccountKind.INCOME), ZERO)
    expense = sum((Decimal(r["actual"]) for r in rows if r["kind"] == AccountKind.EXPENSE), ZERO)
    fields = {"rows": rows, "income": income, "expense": expense, "built_at": timezone.now()}
    if final is None:
        final = FinalAccount(org=org, org_path=org.path, year=year, **fields)
        final.full_clean()
        final.save(force_insert=True)
    else:
        for k, v in fields.items():
            setattr(final, k, v)
        final.full_clean()
        final.save(update_fields=list(fields))
    audit.record(actor=actor, action="funds.final_build", object_type="funds.final_account", object_id=final.pk,
                 scope_path=org.path, details={"union": org.code, "year": year, "income": str(income),
                                               "expense": str(expense)})
    return final


@transaction.atomic
def final_account_approve(*, actor, final: FinalAccount, decision: Decision | None) -> FinalAccount:
    """Approve the final account by a collective decision: its lines are frozen as built."""
    actor.require("funds.write")
    actor.require_covers(final.org_path)
    final = FinalAccount.objects.select_for_update().select_related("org").get(pk=final.pk)
    if final.state == FinalAccountState.APPROVED:
        raise ValidationError(_("The final account of %(year)s is already approved.") % {"year": final.year})
    decision = _decision_of(final.org, decision)
    final.state, final.decision = FinalAccountState.APPROVED, decision
    final.approved_by, final.approved_at = _user(actor), timezone.now()
    final.full_clean()
    final.save(update_fields=["state", "decision", "approved_by", "approved_at"])
    audit.record(actor=actor, action="funds.final_approve", object_type="funds.final_account", object_id=final.pk,
                 scope_path=final.org_path, details={"year": final.year, "decision": decision.reference})
    return final


def kind_label(kind: str) -> str:
    return _("Income items") if kind == AccountKind.INCOME else _("Expenditure items")


def final_sheet(final: FinalAccount) -> tuple[list[str], list[list]]:
    headers = [_("Category"), _("Account"), _("Budget"), _("Actual")]
    body = [[kind_label(r["kind"]), r["path"], Decimal(r["budget"]) if r["budget"] else "",
             Decimal(r["actual"])] for r in final.rows]
    body.append([_("Total income"), "", "", final.income])
    body.append([_("Total expenditure"), "", "", final.expense])
    return headers, body


# --- the public board (公开栏) ----------------------------------------------------------------------------------

def three_public_q(prefix: str = "account__path") -> Q:
    """Accounts of 三公 spending: the path ends with one of the three names, or runs below one of them."""
    q = Q()
    for name in charts.THREE_PUBLIC:
        q |= Q(**{f"{prefix}__endswith": name}) | Q(**{f"{prefix}__contains": f"{name}-"})
    return q


def disclosure_summary(org, year: int) -> dict:
    """The yearly summary as published: income and expenditure by first-level category, and the three 三公 items."""
    income: dict[str, Decimal] = {}
    expense: dict[str, Decimal] = {}
    three = {name: ZERO for name in charts.THREE_PUBLIC}
    for path, (kind, amount) in year_totals(org, year).items():
        top = path.split("-")[0]
        (income if kind == AccountKind.INCOME else expense).setdefault(top, ZERO)
        (income if kind == AccountKind.INCOME else expense)[top] += amount
        if kind == AccountKind.EXPENSE:
            for name in charts.THREE_PUBLIC:
                if path.endswith(name) or f"{name}-" in path:
                    three[name] += amount
    return {
        "income": [[k, str(v)] for k, v in sorted(income.items()) if v],
        "expense": [[k, str(v)] for k, v in sorted(expense.items()) if v],
        "income_total": sum(income.values(), ZERO), "expense_total": sum(expense.values(), ZERO),
        "three_public": [[k, str(v)] for k, v in three.items()], "three_public_total": sum(three.values(), ZERO),
    }


@transaction.atomic
def disclosure_publish(*, actor, org, year: int) -> Disclosure:
    """Publish (or publish again) a union's yearly funds summary on the public board."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("The year %(year)s has not begun.") % {"year": year}})
    summary = disclosure_summary(org, year)
    if not summary["income"] and not summary["expense"]:
        raise ValidationError(_("%(org)s has nothing in its books for %(year)s to publish.") % {"org": org.name,
                                                                                             "year": year})
    fields = {**summary, "published_by": _user(actor), "published_at": timezone.now()}
    board = Disclosure.objects.select_for_update().filter(org=org, year=year).first()
    if board is None:
        board = Disclosure(org=org, org_path=org.path, year=year, **fields)
        board.full_clean()
        board.save(force_insert=True)
    else:
        for k, v in fields.items():
            setattr(board, k, v)
        board.full_clean()
        board.save(update_fields=list(fields))
    audit.record(actor=actor, action="funds.disclosure_publish", object_type="funds.disclosure", object_id=board.pk,
                 scope_path=org.path, details={"union": org.code, "year": year,
                                               "income": str(board.income_total), "expense": str(board.expense_total),
                                               "three_public": str(board.three_public_total)})
    return board


@transaction.atomic
def disclosure_withdraw(*, actor, org, year: int) -> None:
    """Take a year's summary off the public board."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    board = Disclosure.objects.select_for_update().filter(org=org, year=year).first()
    if board is None:
        raise ValidationError(_("%(year)s is not published.") % {"year": year})
    pk = board.pk
    board.delete()
    audit.record(actor=actor, action="funds.disclosure_withdraw", object_type="funds.disclosure", object_id=pk,
                 scope_path=org.path, details={"union": org.code, "year": year})
