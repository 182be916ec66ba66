"""Program, grant, payment batch and visit services (issue 14 §2).

- A program is set up by federation staff (aid.settings) for a paying union of their subtree, on an expenditure
  account of that union's books; its rules are validated by gonghui.aid.rules.
- A grant is applied for by the member's union (aid.write), judged by ``rules.evaluate`` and approved or refused by
  a SECOND person holding aid.review over the paying union (maker-checker: the applicant cannot approve). The
  approval locks the program row and refuses to pass the budget. One grant per person per program per period is
  the partial unique index ``aid_grant_one_per_period``; the check here only gives the friendly message first.
- A payment batch gathers a program's approved grants; paying it posts ONE voucher in the paying union's books
  (gonghui.funds.books.payment_post: the bank pays a batch as one transfer under one reference, so the books carry
  one line per transfer, the grants being listed in the batch) and marks every grant paid, in one transaction. A
  batch is paid once.
"""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.members.models import Membership, MembershipStatus

from . import rules as rules_mod
from . import stats
from .models import AidVisit, BatchState, Grant, GrantState, PaymentBatch, Program, ProgramKind, VisitTarget

MAX_BUDGET = Decimal("1000000000")


def _money(value, field: str, *, positive=False, limit=MAX_BUDGET) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if d < 0 or (positive and d == 0) or d > limit:
        raise ValidationError({field: _("Enter an amount between 0 and %(n)s yuan.") % {"n": limit}})
    return d


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _check_account(org, year: int, account: str) -> str:
    from gonghui.funds.books import account_find, book_open
    from gonghui.funds.models import AccountKind

    account = (account or "").strip()
    found = account_find(book_open(org=org, year=year), account) if account else None
    if found is None or found.kind != AccountKind.EXPENSE:
        raise ValidationError({"budget_account": _("%(a)s is not an expenditure account of the paying union's "
                                                   "books.") % {"a": account or "—"}})
    return found.path


# --- programs ------------------------------------------------------------------------------------------------

@transaction.atomic
def program_create(*, actor, org, kind: str, name: str, period_key: str, start_on: datetime.date,
                   end_on: datetime.date, budget, budget_account: str, one_per_person: bool = True,
                   rules: dict | None = None) -> Program:
    actor.require("aid.settings")
    actor.require_covers(org.path)
    if kind not in ProgramKind.values:
        raise ValidationError({"kind": _("Choose a kind of program.")})
    if end_on < start_on:
        raise ValidationError({"end_on": _("The end comes before the start.")})
    program = Program(org=org, org_path=org.path, kind=kind, name=(name or "").strip(),
                      period_key=(period_key or "").strip() or str(start_on.year), start_on=start_on, end_on=end_on,
                      budget=_money(budget, "budget"),
                      budget_account=_check_account(org, start_on.year, budget_account),
                      one_per_person=one_per_person,
                      rules=rules_mod.validate(rules if rules is not None else rules_mod.defaults_for(kind)),
                      created_by=_user(actor))
    program.full_clean()
    program.save()
    audit.record(actor=actor, action="aid.program_create", object_type="aid.program", object_id=program.pk,
                 scope_path=org.path, details={"name": program.name, "budget": str(program.budget)})
    return program


@transaction.atomic
def program_set_rules(*, actor, program: Program, rules) -> Program:
    actor.require("aid.settings")
    actor.require_covers(program.org_path)
    if isinstance(rules, str):
        try:
            rules = json.loads(rules)
        except ValueError:
            raise ValidationError({"rules": _("The rules are not valid JSON.")}) from None
    program.rules = rules_mod.validate(rules)
    program.save(update_fields=["rules"])
    audit.record(actor=actor, action="aid.program_rules", object_type="aid.program", object_id=program.pk,
                 scope_path=program.org_path, details={"rules": program.rules})
    return program


# --- grants --------------------------------------------------------------------------------------------------

def _clean_facts(facts: dict | None) -> dict:
    allowed = ("relationship", "admission_year", "school_level", "school_type", "hospital_days", "school")
    out = {}
    for k in allowed:
        v = (facts or {}).get(k)
        if v not in (None, ""):
            out[k] = str(v).strip()[:60]
    return out


def _membership_check(person, org) -> None:
    if not Membership.objects.filter(person=person, union=org, status=MembershipStatus.ACTIVE).exists():
        raise ValidationError({"person": _("This person is not an active member of %(org)s.") % {"org": org.name}})


@transaction.atomic
def grant_apply(*, actor, program: Program, person, org, facts: dict | None = None, bank_account: str = "",
                note: str = "") -> Grant:
    """Apply for a grant for a member of ``org`` (the member's union, inside the paying union's subtree)."""
    actor.require("aid.write")
    actor.require_covers(org.path)
    if not org.path.startswith(program.org_path):
        raise ValidationError({"program": _("This program does not pay members of %(org)s.") % {"org": org.name}})
    _membership_check(person, org)
    facts = _clean_facts(facts)
    decision = rules_mod.evaluate(program, facts, person)
    if not decision.ok:
        raise ValidationError(decision.reasons or {"program": _("The rules give no amount for this application.")})
    if program.one_per_person and Grant.objects.filter(program=program, person=person,
                                                       period_key=program.period_key,
                                                       state__in=[GrantState.APPLIED, GrantState.APPROVED,
                                                                  GrantState.PAID]).exists():
        raise ValidationError({"person": _("This member already has a grant of this program for %(p)s.") % {
            "p": program.period_key}})
    grant = Grant(program=program, kind=program.kind, period_key=program.period_key,
                  one_per_person=program.one_per_person, org=org, org_path=org.path, person=person,
                  facts=json.dumps(facts, ensure_ascii=False), bank_account=(bank_account or "").strip()[:40],
                  amount=decision.amount, note=(note or "").strip()[:200], applied_by=_user(actor))
    try:
        with transaction.atomic():
            grant.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"person": _("This member already has a grant of this program for %(p)s.") % {
            "p": program.period_key}}) from None
    audit.record(actor=actor, action="aid.grant_apply", object_type="aid.grant", object_id=grant.pk,
                 scope_path=org.path, details={"program": program.pk, "amount": str(grant.amount)})
    return grant


def grant_facts(grant: Grant) -> dict:
    try:
        return json.loads(grant.facts or "{}")
    except ValueError:
        return {}


def _lock_grant(actor, grant: Grant) -> tuple[Program, Grant]:
    actor.require("aid.review")
    actor.require_covers(grant.program.org_path)
    program = Program.objects.select_for_update().get(pk=grant.program_id)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    return program, grant


@transaction.atomic
def grant_approve(*, actor, grant: Grant) -> Grant:
    """The second person's approval, refused when it would pass the program's budget (the program row is locked)."""
    program, grant = _lock_grant(actor, grant)
    if grant.applied_by_id is not None and grant.applied_by_id == getattr(actor.user, "pk", None):
        raise PermissionDenied(_("The person who applied for a grant cannot approve it: a second person must."))
    if grant.state != GrantState.APPLIED:
        raise ValidationError(_("Only a grant awaiting approval can be approved."))
    after = program.approved_total + grant.amount
    if after > program.budget:
        raise ValidationError(_("Approving %(a)s yuan would pass the budget of %(p)s: %(b)s yuan budgeted, %(u)s "
                                "already approved, %(r)s left.") % {
            "a": grant.amount, "p": program.name, "b": program.budget, "u": program.approved_total,
            "r": program.budget - program.approved_total})
    program.approved_total = after
    program.save(update_fields=["approved_total"])
    grant.state, grant.decided_by, grant.decided_at = GrantState.APPROVED, _user(actor), timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record(actor=actor, action="aid.grant_approve", object_type="aid.grant", object_id=grant.pk,
                 scope_path=grant.org_path, details={"amount": str(grant.amount)})
    return grant


@transaction.atomic
def grant_refuse(*, actor, grant: Grant, reason: str) -> Grant:
    program, grant = _lock_grant(actor, grant)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    if grant.state not in (GrantState.APPLIED, GrantState.APPROVED) or grant.batch_id:
        raise ValidationError(_("Only a grant awaiting approval or approved and not in a batch can be refused."))
    if grant.state == GrantState.APPROVED:
        program.approved_total -= grant.amount
        program.save(update_fields=["approved_total"])
    grant.state, grant.refused_reason = GrantState.REFUSED, reason[:200]
    grant.decided_by, grant.decided_at = _user(actor), timezone.now()
    grant.save(update_fields=["state", "refused_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="aid.grant_refuse", object_type="aid.grant", object_id=grant.pk,
                 scope_path=grant.org_path, details={"reason": reason[:200]})
    return grant


# --- payment batches -----------------------------------------------------------------------------------------

@transaction.atomic
def batch_create(*, actor, program: Program) -> PaymentBatch:
    """Gather the program's approved grants not yet in a batch that have a bank account (one UPDATE whatever their
    number; the program row is locked so two batches never race for the same grants). A grant without an account
    waits until one is set."""
    from django.db.models import Count, Sum

    actor.require("aid.review")
    actor.require_covers(program.org_path)
    program = Program.objects.select_for_update().get(pk=program.pk)
    waiting = Grant.objects.filter(program=program, state=GrantState.APPROVED, batch__isnull=True)
    batch = PaymentBatch.objects.create(program=program, org_id=program.org_id, org_path=program.org_path,
                                        created_by=_user(actor))
    n = waiting.exclude(bank_account="").update(batch=batch)
    if not n:
        without = waiting.count()
        raise ValidationError(_("No approved grant of this program is waiting for payment.") if not without else
                              _("%(n)s approved grants have no bank account yet: set one before making a batch.")
                              % {"n": without})
    agg = Grant.objects.filter(batch=batch).aggregate(n=Count("pk"), total=Sum("amount"))
    batch.count, batch.total = agg["n"], agg["total"]
    batch.save(update_fields=["count", "total"])
    audit.record(actor=actor, action="aid.batch_create", object_type="aid.batch", object_id=batch.pk,
                 scope_path=program.org_path, details={"count": batch.count, "total": str(batch.total),
                                                       "without_account": waiting.filter(batch__isnull=True).count()})
    return batch


def batch_rows(batch: PaymentBatch, *, full: bool = False):
    """(payee, account, amount, purpose) per grant; the account masked unless ``full`` (revealed with a reason)."""
    from gonghui.core.identity import mask

    purpose = f"{batch.program.name} {batch.program.period_key}"
    # Not ``batch.grants``: the related manager sets each row's batch from its (deferred) batch_id, one query a row.
    grants = Grant.objects.filter(batch_id=batch.pk).select_related("person").only(
        "pk", "amount", "bank_account", "person__name")
    for g in grants.order_by("pk").iterator(chunk_size=2000):
        account = g.bank_account
        if not full and account:
            account = account[:4] + "*" * max(len(account) - 8, 2) + account[-4:] if len(account) > 8 \
                else mask(account, kind="bank_account")
        yield g.person.name, account, g.amount, purpose


def batch_file(*, actor, batch: PaymentBatch, reason: str = "") -> bytes:
    """The bank transfer file (xlsx). Full account numbers only with a reason (recorded, like every reveal)."""
    from gonghui.core.spreadsheets import write_xlsx

    actor.require("aid.review")
    actor.require_covers(batch.org_path)
    full = bool((reason or "").strip())
    if full:
        actor.require("personal.reveal")
        if len(reason.strip()) < 2:
            raise ValidationError({"reason": _("Say why you need to see this information.")})
    audit.record(actor=actor, action="aid.batch_file", object_type="aid.batch", object_id=batch.pk,
                 scope_path=batch.org_path, details={"full": full, "reason": (reason or "").strip()[:200]})
    headers = [_("Payee"), _("Bank account"), _("Amount"), _("Purpose")]
    return write_xlsx(headers, batch_rows(batch, full=full), sheet=_("Bank transfer"))


@transaction.atomic
def batch_pay(*, actor, batch: PaymentBatch, bank_reference: str, paid_on: datetime.date | None = None):
    """Mark the batch paid with the bank's reference: one voucher in the paying union's books, every grant paid,
    all or nothing. A batch is paid once."""
    from gonghui.funds.books import payment_post

    actor.require("aid.review")
    actor.require_covers(batch.org_path)
    batch = PaymentBatch.objects.select_for_update().select_related("program", "org").get(pk=batch.pk)
    if batch.state == BatchState.PAID:
        raise ValidationError(_("This batch was already paid (bank reference %(r)s).") % {"r": batch.bank_reference})
    reference = (bank_reference or "").strip()
    if len(reference) < 4:
        raise ValidationError({"bank_reference": _("Give the bank's reference of the transfer.")})
    paid_on = paid_on or timezone.localdate()
    program = batch.program
    voucher = payment_post(actor=actor, payer=batch.org, amount=batch.total, expense_account=program.budget_account,
                           payee=_("%(n)s recipients of %(p)s") % {"n": batch.count, "p": program.name},
                           reference=f"aid.batch:{batch.pk}", date=paid_on,
                           summary=_("%(p)s, payment batch %(b)s, bank reference %(r)s") % {
                               "p": program.name, "b": batch.pk, "r": reference})
    n = Grant.objects.filter(batch=batch, state=GrantState.APPROVED).update(state=GrantState.PAID, paid_on=paid_on)
    if n != batch.count:
        raise ValidationError(_("The batch changed while it was being paid; nothing was posted."))
    batch.state, batch.bank_reference, batch.paid_on = BatchState.PAID, reference[:60], paid_on
    batch.voucher_id, batch.paid_by = voucher.pk, _user(actor)
    batch.save(update_fields=["state", "bank_reference", "paid_on", "voucher_id", "paid_by"])
    stats.batch_paid(batch)
    audit.record(actor=actor, action="aid.batch_pay", object_type="aid.batch", object_id=batch.pk,
                 scope_path=batch.org_path, details={"reference": reference[:60], "total": str(batch.total),
                                                     "voucher": voucher.pk})
    return batch


# --- visits --------------------------------------------------------------------------------------------------

@transaction.atomic
def visit_create(*, actor, org, target: str, visited_on: datetime.date, place: str, people: int = 0,
                 households: int = 0, enterprises: int = 0, cash=0, goods: str = "", goods_value=0,
                 program: Program | None = None) -> AidVisit:
    actor.require("aid.write")
    actor.require_covers(org.path)
    if target not in VisitTarget.values:
        raise ValidationError({"target": _("Choose what was visited.")})
    if program is not None and not actor.covers(program.org_path) and not org.path.startswith(program.org_path):
        raise ValidationError({"program": _("Choose a program of your area.")})
    for name, value in (("people", people), ("households", households), ("enterprises", enterprises)):
        if not isinstance(value, int) or not 0 <= value <= 100000:
            raise ValidationError({name: _("Enter a number between 0 and 100000.")})
    if people + households + enterprises == 0:
        raise ValidationError({"people": _("Count at least one person, household or enterprise visited.")})
    visit = AidVisit(org=org, org_path=org.path, program=program, target=target, visited_on=visited_on,
                     place=(place or "").strip()[:100], people=people, households=households,
                     enterprises=enterprises, cash=_money(cash, "cash", limit=Decimal("10000000")),
                     goods=(goods or "").strip()[:200],
                     goods_value=_money(goods_value, "goods_value", limit=Decimal("10000000")),
                     created_by=_user(actor))
    if not visit.place:
        raise ValidationError({"place": _("Name the household, enterprise or post visited.")})
    visit.full_clean()
    visit.save()
    stats.visit_added(visit)
    audit.record(actor=actor, action="aid.visit_create", object_type="aid.visit", object_id=visit.pk,
                 scope_path=org.path, details={"target": target, "people": people, "cash": str(visit.cash)})
    return visit
