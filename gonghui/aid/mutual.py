"""Medical mutual aid services (职工医疗互助, issue 14 §3).

- A plan is set up by federation staff (aid.settings) for a union of their subtree with its year, contribution and
  benefit rules, and with a fund: its assistance ``Program`` (kind MUTUAL, several grants per person) is created in
  the same transaction on an expenditure account of the running union's books. A plan is drafted, opened (units
  enrol and file claims) and closed.
- A unit (aid.write over it) enrols its workers for the plan's year, one by one or from a spreadsheet (all or
  nothing, gonghui.aid.import_mutual). A worker is enrolled once per plan (the constraint ``aid_menrol_once_per_plan``)
  and must be an active member of the unit's subtree.
- A claim is filed for an enrolled worker's hospital stay. Its subsidy is computed here, once, under a lock of the
  enrolment row (so two claims of one worker never both pass the cap):

      subsidy = min(cap − already used, max(0, (self-paid − deductible) × ratio)), rounded to 0.01

  A special illness of the plan uses its own ratio and its own annual cap (counted over that illness's claims); any
  other stay uses the plan's. "Already used" counts the worker's claims of the plan awaiting review, approved or
  paid (a claim awaiting review holds its amount: otherwise two filed claims could both pass the cap), not the
  refused ones. A claim that would get nothing (the bill is under the deductible, or the cap is used up) is refused
  with the reason, nothing is written.
- A claim is approved by a SECOND person holding aid.review over the plan's union: the approval makes an APPROVED
  grant of the plan's program through ``programs.grant_approve`` (maker-checker, budget under the program's lock),
  so the program's payment batches pay it like any grant. Whether a claim is paid is read from its grant
  (``MutualClaim.status``): there is no second copy of the payment state to keep in step.
"""

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.members.models import Membership, MembershipStatus

from . import programs
from .models import (
    ClaimState,
    Grant,
    MutualClaim,
    MutualEnrolment,
    MutualPlan,
    PlanState,
    ProgramKind,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")
MAX_SPECIAL = 30
DEFAULT_ACCOUNT = "维权支出-困难职工帮扶"


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _money(value, field: str, *, positive: bool = False, limit: Decimal = MAX_AMOUNT) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0) or d > limit:
        raise ValidationError({field: _("Enter an amount between 0 and %(n)s yuan.") % {"n": limit}})
    return d


def _ratio(value, field: str = "ratio") -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter the ratio as a number between 0 and 1, e.g. 0.5.")}) from None
    if not d.is_finite() or not Decimal(0) <= d <= Decimal(1) or d != d.quantize(Decimal("0.001")):
        raise ValidationError({field: _("Enter the ratio as a number between 0 and 1, e.g. 0.5.")})
    return d.quantize(Decimal("0.001"))


def validate_special(data) -> list[dict]:
    """The special illnesses in canonical form ([{illness, ratio, cap}] with the amounts as strings), or a
    ValidationError on ``special_rules`` naming the entry at fault."""
    if isinstance(data, str):
        text = data.strip()
        if not text:
            return []
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError({"special_rules": _("The special illnesses are not valid JSON.")}) from None
    if data in (None, ""):
        return []
    if not isinstance(data, list) or len(data) > MAX_SPECIAL:
        raise ValidationError({"special_rules": _("The special illnesses must be a list of at most %(n)s entries, "
                                                  "each with an illness, a ratio and a cap.") % {"n": MAX_SPECIAL}})
    out, seen = [], set()
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) != {"illness", "ratio", "cap"}:
            raise ValidationError({"special_rules": _("Entry %(i)s: give exactly an illness, a ratio and a cap.")
                                   % {"i": i}})
        name = str(item["illness"] or "").strip()
        if not name or len(name) > 30:
            raise ValidationError({"special_rules": _("Entry %(i)s: name the illness (at most 30 characters).")
                                   % {"i": i}})
        if name in seen:
            raise ValidationError({"special_rules": _("Entry %(i)s: %(n)s is listed twice.") % {"i": i, "n": name}})
        seen.add(name)
        try:
            ratio = _ratio(item["ratio"], "special_rules")
            cap = _money(item["cap"], "special_rules", positive=True)
        except ValidationError:
            raise ValidationError({"special_rules": _("Entry %(i)s (%(n)s): the ratio must be between 0 and 1 and "
                                                      "the cap an amount above 0.") % {"i": i, "n": name}}) from None
        out.append({"illness": name, "ratio": str(ratio), "cap": str(cap)})
    return out


# --- plans -----------------------------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, actor, org, year: int, name: str, contribution, deductible, ratio, annual_cap, fund,
                special_rules=None, budget_account: str = DEFAULT_ACCOUNT) -> MutualPlan:
    actor.require("aid.settings")
    actor.require_covers(org.path)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("Name the plan.")})
    if MutualPlan.objects.filter(org=org, year=year, name=name).exists():
        raise ValidationError({"name": _("%(o)s already has a plan of this name for %(y)s.") % {
            "o": org.name, "y": year}})
    fields = {"contribution": _money(contribution, "contribution"), "deductible": _money(deductible, "deductible"),
              "ratio": _ratio(ratio), "annual_cap": _money(annual_cap, "annual_cap", positive=True),
              "special_rules": validate_special(special_rules)}
    program = programs.program_create(
        actor=actor, org=org, kind=ProgramKind.MUTUAL, name=name, period_key=str(year),
        start_on=datetime.date(year, 1, 1), end_on=datetime.date(year, 12, 31), budget=fund,
        budget_account=budget_account, one_per_person=False)
    plan = MutualPlan(org=org, org_path=org.path, year=year, name=name, program=program, created_by=_user(actor),
                      **fields)
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="aid.mutual_plan_create", object_type="aid.mutual_plan", object_id=plan.pk,
                 scope_path=org.path, details={"name": name, "year": year, "fund": str(program.budget)})
    return plan


def _set_state(actor, plan: MutualPlan, *, from_states, to: str, action: str, refusal: str) -> MutualPlan:
    actor.require("aid.settings")
    actor.require_covers(plan.org_path)
    plan = MutualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state not in from_states:
        raise ValidationError(refusal)
    plan.state = to
    plan.save(update_fields=["state"])
    audit.record(actor=actor, action=action, object_type="aid.mutual_plan", object_id=plan.pk,
                 scope_path=plan.org_path, details={"state": to})
    return plan


@transaction.atomic
def plan_open(*, actor, plan: MutualPlan) -> MutualPlan:
    return _set_state(actor, plan, from_states=(PlanState.DRAFT,), to=PlanState.OPEN, action="aid.mutual_plan_open",
                      refusal=_("Only a draft plan can be opened."))


@transaction.atomic
def plan_close(*, actor, plan: MutualPlan) -> MutualPlan:
    return _set_state(actor, plan, from_states=(PlanState.OPEN,), to=PlanState.CLOSED,
                      action="aid.mutual_plan_close", refusal=_("Only an open plan can be closed."))


def _require_open(plan: MutualPlan) -> None:
    if plan.state != PlanState.OPEN:
        raise ValidationError({"plan": _("%(p)s is not open: workers are enrolled and claims filed only while a plan "
                                         "is open.") % {"p": plan.name}})


# --- enrolments ------------------------------------------------------------------------------------------------

def active_member_of(person, unit) -> bool:
    """Whether ``person`` is an active member of a union in ``unit``'s subtree."""
    return Membership.objects.filter(person=person, org_path__startswith=unit.path,
                                     status=MembershipStatus.ACTIVE).exists()


def check_unit(plan: MutualPlan, unit) -> None:
    if not unit.path.startswith(plan.org_path):
        raise ValidationError({"unit": _("%(p)s does not cover %(o)s.") % {"p": plan.name, "o": unit.name}})


@transaction.atomic
def enrol(*, actor, plan: MutualPlan, unit, person, enrolled_on: datetime.date | None = None,
          contribution=None) -> MutualEnrolment:
    actor.require("aid.write")
    actor.require_covers(unit.path)
    check_unit(plan, unit)
    plan = MutualPlan.objects.get(pk=plan.pk)  # its state as it is now
    _require_open(plan)
    if not active_member_of(person, unit):
        raise ValidationError({"person": _("This person is not an active member of %(o)s.") % {"o": unit.name}})
    paid = plan.contribution if contribution in (None, "") else _money(contribution, "contribution")
    row = MutualEnrolment(plan=plan, year=plan.year, unit=unit, org_path=unit.path, person=person,
                          enrolled_on=enrolled_on or timezone.localdate(), contribution=paid,
                          enrolled_by=_user(actor))
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"person": _("This worker is already enrolled in %(p)s.") % {"p": plan.name}}) \
            from None
    audit.record(actor=actor, action="aid.mutual_enrol", object_type="aid.mutual_plan", object_id=plan.pk,
                 scope_path=unit.path, details={"unit": unit.name, "count": 1})
    return row


# --- claims ----------------------------------------------------------------------------------------------------

def special_rule(plan: MutualPlan, name: str) -> dict | None:
    return next((r for r in plan.special_rules if r["illness"] == name), None)


def _live(claim: MutualClaim) -> bool:
    return claim.status in (ClaimState.APPLIED, ClaimState.APPROVED, ClaimState.PAID)


def used_this_year(enrolment: MutualEnrolment, special: str = "", *, exclude: int | None = None) -> Decimal:
    """What the worker's live claims of the plan already take from the cap of ``special`` ("" for the plan's)."""
    claims = MutualClaim.objects.filter(enrolment=enrolment).select_related("grant")
    if exclude is not None:
        claims = claims.exclude(pk=exclude)
    return sum((c.subsidy for c in claims if _live(c) and (c.special_illness or "") == special), Decimal("0.00"))


def compute_subsidy(plan: MutualPlan, *, self_paid: Decimal, used: Decimal, special: str = "") -> dict:
    """The plan's rules applied to one stay: {subsidy, raw, cap, used, ratio, capped}."""
    rule = special_rule(plan, special) if special else None
    ratio = Decimal(rule["ratio"]) if rule else plan.ratio
    cap = Decimal(rule["cap"]) if rule else plan.annual_cap
    raw = max(Decimal("0.00"), ((self_paid - plan.deductible) * ratio).quantize(CENT, rounding=ROUND_HALF_UP))
    left = max(Decimal("0.00"), cap - used)
    subsidy = min(raw, left)
    return {"subsidy": subsidy, "raw": raw, "cap": cap, "used": used, "ratio": ratio, "capped": raw > left}


@transaction.atomic
def claim_file(*, actor, enrolment: MutualEnrolment, admitted_on: datetime.date, discharged_on: datetime.date,
               total_bill, insurance_paid, self_paid, illness: str = "", special_illness: str = "",
               bank_account: str = "") -> MutualClaim:
    actor.require("aid.write")
    actor.require_covers(enrolment.org_path)
    plan = MutualPlan.objects.get(pk=enrolment.plan_id)  # its state and rules as they are now
    _require_open(plan)
    errors = {}
    if not isinstance(admitted_on, datetime.date):
        errors["admitted_on"] = [_("Give the day of admission.")]
    if not isinstance(discharged_on, datetime.date):
        errors["discharged_on"] = [_("Give the day of discharge.")]
    elif isinstance(admitted_on, datetime.date) and discharged_on < admitted_on:
        errors["discharged_on"] = [_("The discharge cannot come before the admission.")]
    elif discharged_on.year != plan.year:
        errors["discharged_on"] = [_("%(p)s covers stays ending in %(y)s.") % {"p": plan.name, "y": plan.year}]
    elif discharged_on > timezone.localdate():
        errors["discharged_on"] = [_("The discharge cannot be in the future.")]
    illness = (illness or "").strip()[:100]
    if len(illness) < 2:
        errors["illness"] = [_("Name the illness or the reason for the stay.")]
    special = (special_illness or "").strip()
    if special and special_rule(plan, special) is None:
        errors["special_illness"] = [_("%(n)s is not a special illness of this plan (%(l)s).") % {
            "n": special[:30], "l": "、".join(r["illness"] for r in plan.special_rules) or "—"}]
    account = "".join((bank_account or "").split()).replace("-", "")
    if account and not (account.isdigit() and 8 <= len(account) <= 30):
        errors["bank_account"] = [_("A bank account is 8 to 30 digits.")]
    amounts = {}
    for field, value in (("total_bill", total_bill), ("insurance_paid", insurance_paid), ("self_paid", self_paid)):
        try:
            amounts[field] = _money(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if len(amounts) == 3 and amounts["insurance_paid"] + amounts["self_paid"] > amounts["total_bill"]:
        errors["self_paid"] = [_("Insurance (%(i)s) and the worker's part (%(s)s) cannot add up to more than the "
                                 "bill (%(t)s).") % {"i": amounts["insurance_paid"], "s": amounts["self_paid"],
                                                     "t": amounts["total_bill"]}]
    if errors:
        raise ValidationError(errors)
    # The worker's row is locked: two claims filed at once are counted one after the other against the cap.
    enrolment = MutualEnrolment.objects.select_for_update().select_related("plan").get(pk=enrolment.pk)
    got = compute_subsidy(plan, self_paid=amounts["self_paid"], used=used_this_year(enrolment, special),
                          special=special)
    if got["raw"] == 0:
        raise ValidationError({"self_paid": _("The worker's part (%(s)s yuan) is not above the deductible of "
                                              "%(d)s yuan: the plan gives nothing for this stay.") % {
            "s": amounts["self_paid"], "d": plan.deductible}})
    if got["subsidy"] == 0:
        raise ValidationError({"self_paid": _("The annual cap of %(c)s yuan%(w)s is used up: %(u)s yuan already "
                                              "claimed this year, nothing is left for this stay.") % {
            "c": got["cap"], "u": got["used"], "w": _(" for %(n)s") % {"n": special} if special else ""}})
    claim = MutualClaim(plan=plan, enrolment=enrolment, org_id=enrolment.unit_id, org_path=enrolment.org_path,
                        admitted_on=admitted_on, discharged_on=discharged_on, illness=illness,
                        special_illness=special, bank_account=account, subsidy=got["subsidy"],
                        capped=got["capped"], filed_by=_user(actor), **amounts)
    claim.save(force_insert=True)
    audit.record(actor=actor, action="aid.mutual_claim_file", object_type="aid.mutual_claim", object_id=claim.pk,
                 scope_path=claim.org_path, details={"subsidy": str(claim.subsidy), "capped": claim.capped})
    return claim


def _lock_claim(actor, claim: MutualClaim) -> MutualClaim:
    actor.require("aid.review")
    actor.require_covers(claim.plan.org_path)
    MutualEnrolment.objects.select_for_update().get(pk=claim.enrolment_id)
    return MutualClaim.objects.select_for_update().select_related("plan", "enrolment__person").get(pk=claim.pk)


@transaction.atomic
def claim_approve(*, actor, claim: MutualClaim) -> MutualClaim:
    claim = _lock_claim(actor, claim)
    if claim.filed_by_id is not None and claim.filed_by_id == getattr(actor.user, "pk", None):
        raise PermissionDenied(_("The person who filed a claim cannot approve it: a second person must."))
    if claim.state != ClaimState.APPLIED:
        raise ValidationError(_("Only a claim awaiting review can be approved."))
    special = claim.special_illness or ""
    got = compute_subsidy(claim.plan, self_paid=claim.self_paid, special=special,
                          used=used_this_year(claim.enrolment, special, exclude=claim.pk))
    if got["subsidy"] < claim.subsidy:  # cannot happen while filing holds the amount; kept as the last guard
        raise ValidationError(_("This claim would pass the annual cap of %(c)s yuan (%(u)s yuan already used).")
                              % {"c": got["cap"], "u": got["used"]})
    grant = Grant(program=claim.plan.program, kind=ProgramKind.MUTUAL, period_key=claim.plan.program.period_key,
                  one_per_person=False, org_id=claim.org_id, org_path=claim.org_path,
                  person=claim.enrolment.person, amount=claim.subsidy, bank_account=claim.bank_account,
                  facts=json.dumps({"hospital_days": claim.stay_days}), applied_by_id=claim.filed_by_id,
                  note=_("Medical mutual aid claim %(n)s") % {"n": claim.pk})
    grant.save(force_insert=True)
    # maker-checker again, and the fund checked under the program's lock
    grant = programs.grant_approve(actor=actor, grant=grant)
    claim.state, claim.grant, claim.decided_by, claim.decided_at = (ClaimState.APPROVED, grant, _user(actor),
                                                                     timezone.now())
    claim.save(update_fields=["state", "grant", "decided_by", "decided_at"])
    audit.record(actor=actor, action="aid.mutual_claim_approve", object_type="aid.mutual_claim", object_id=claim.pk,
                 scope_path=claim.org_path, details={"subsidy": str(claim.subsidy), "grant": grant.pk})
    return claim


@transaction.atomic
def claim_refuse(*, actor, claim: MutualClaim, reason: str) -> MutualClaim:
    """Refuse a claim awaiting review, or an approved one not yet in a payment batch (its grant is refused too and
    gives its amount back to the fund)."""
    claim = _lock_claim(actor, claim)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    if claim.state == ClaimState.APPROVED and claim.status == ClaimState.APPROVED and not claim.grant.batch_id:
        claim.grant = programs.grant_refuse(actor=actor, grant=claim.grant, reason=reason)
    elif claim.state != ClaimState.APPLIED:
        raise ValidationError(_("Only a claim awaiting review, or approved and not yet in a payment batch, can be "
                                "refused."))
    claim.state, claim.refused_reason = ClaimState.REFUSED, reason[:200]
    claim.decided_by, claim.decided_at = _user(actor), timezone.now()
    claim.save(update_fields=["state", "refused_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="aid.mutual_claim_refuse", object_type="aid.mutual_claim", object_id=claim.pk,
                 scope_path=claim.org_path, details={"reason": reason[:200]})
    return claim
