"""Target management (目标管理) in five steps, enforced in order:

1. 目标申报 — a department declares its targets for the year (items with a weight and a measurable indicator);
2. 目标管理卡 — the office approves them (weights add up to 100) into the department's target card;
3. 工作总结 — the department writes its year-end summary per item;
4. 审查核定 — the office reviews each item: completion and a reviewed score (at most the item's weight);
5. 成果评价 — the office evaluates: total score and grade.

Declaring and summarising need oversight.write; approving, reviewing and evaluating need oversight.review. The unit
must be inside the actor's subtree (else 404). Every step is audited."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from .models import Department, TargetItem, TargetPlan, TargetState

S = TargetState
GRADES = ((Decimal(90), "优秀"), (Decimal(80), "良好"), (Decimal(60), "合格"), (Decimal(0), "不合格"))


def grade_for(total: Decimal) -> str:
    return next(label for floor, label in GRADES if total >= floor)


def _check(actor, org, perm: str) -> None:
    actor.require(perm)
    actor.require_covers(org.path)


def _state(plan, *states) -> None:
    if plan.state not in states:
        raise ValidationError(_("This step is not open: the target card is at “%(state)s”.")
                              % {"state": plan.get_state_display()})


def _decimal(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not d.is_finite() or d < 0 or d > 100:
        raise ValidationError({field: _("Enter a number from 0 to 100.")})
    return d.quantize(Decimal("0.1"))


def _items(items) -> list[dict]:
    out = []
    for i, item in enumerate(items or ()):
        title = (item.get("title") or "").strip()
        indicator = (item.get("indicator") or "").strip()
        weight = item.get("weight")
        if not title and not indicator and weight in (None, ""):
            continue
        if not title or not indicator:
            raise ValidationError({"items": _("Row %(n)s: each target needs a name and a measurable indicator.")
                                   % {"n": i + 1}})
        w = _decimal(weight, "items")
        if w <= 0:
            raise ValidationError({"items": _("Row %(n)s: the weight must be above 0.") % {"n": i + 1}})
        out.append({"title": title[:200], "indicator": indicator[:200], "weight": w})
    if not out:
        raise ValidationError({"items": _("Declare at least one target.")})
    return out


def _audit(actor, action: str, plan, **details) -> None:
    audit.record(actor=actor, action=action, object_type="oversight.target", object_id=plan.pk,
                 scope_path=plan.org_path, details={"department": plan.department.name, "year": plan.year,
                                                    **details})


def target_declare(actor, *, department, year, items) -> TargetPlan:
    """Declare (or, while still declared, re-declare) a department's targets for the year."""
    if not isinstance(department, Department):
        raise ValidationError({"department": _("Choose a department of the unit.")})
    org = department.org
    _check(actor, org, "oversight.write")
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    rows = _items(items)
    with transaction.atomic():
        plan = TargetPlan.objects.select_for_update().filter(department=department, year=year).first()
        if plan is None:
            try:
                with transaction.atomic():
                    plan = TargetPlan.objects.create(org=org, org_path=org.path, department=department, year=year)
            except IntegrityError:
                raise ValidationError(_("This department has already declared its targets for the year.")) from None
        _state(plan, S.DECLARED)
        plan.items.all().delete()
        TargetItem.objects.bulk_create(TargetItem(plan=plan, order=i, **r) for i, r in enumerate(rows))
        _audit(actor, "oversight.target_declare", plan, items=len(rows),
               weight=str(sum(r["weight"] for r in rows)))
    return plan


def target_approve(actor, *, plan) -> TargetPlan:
    _check(actor, plan.org, "oversight.review")
    _state(plan, S.DECLARED)
    total = sum(i.weight for i in plan.items.all())
    if total != 100:
        raise ValidationError(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    with transaction.atomic():
        plan.state, plan.approved_on = S.APPROVED, timezone.localdate()
        plan.save(update_fields=["state", "approved_on"])
        _audit(actor, "oversight.target_approve", plan)
    return plan


def target_summarise(actor, *, plan, summaries: dict) -> TargetPlan:
    """The department's year-end summary: ``summaries`` maps each item's id to its text (every item needs one)."""
    _check(actor, plan.org, "oversight.write")
    _state(plan, S.APPROVED)
    items = list(plan.items.all())
    for item in items:
        text = (summaries.get(item.pk) or summaries.get(str(item.pk)) or "").strip()
        if not text:
            raise ValidationError({"summaries": _("Write a summary for “%(t)s”.") % {"t": item.title}})
        item.summary = text[:4000]
    with transaction.atomic():
        TargetItem.objects.bulk_update(items, ["summary"])
        plan.state = S.SUMMARISED
        plan.save(update_fields=["state"])
        _audit(actor, "oversight.target_summarise", plan)
    return plan


def target_review(actor, *, plan, results: dict) -> TargetPlan:
    """The office's review: ``results`` maps each item's id to (completion, score); a score is at most the weight."""
    _check(actor, plan.org, "oversight.review")
    _state(plan, S.SUMMARISED)
    items = list(plan.items.all())
    for item in items:
        completion, score = results.get(item.pk) or results.get(str(item.pk)) or ("", None)
        completion = (completion or "").strip()
        if not completion or score in (None, ""):
            raise ValidationError({"results": _("Give the completion and the score of “%(t)s”.") % {"t": item.title}})
        score = _decimal(score, "results")
        if score > item.weight:
            raise ValidationError({"results": _("The score of “%(t)s” cannot exceed its weight %(w)s.")
                                   % {"t": item.title, "w": item.weight}})
        item.completion, item.score = completion[:200], score
    with transaction.atomic():
        TargetItem.objects.bulk_update(items, ["completion", "score"])
        plan.state = S.REVIEWED
        plan.total_score = sum(i.score for i in items)
        plan.save(update_fields=["state", "total_score"])
        _audit(actor, "oversight.target_review", plan, total=str(plan.total_score))
    return plan


def target_evaluate(actor, *, plan, evaluation: str) -> TargetPlan:
    _check(actor, plan.org, "oversight.review")
    _state(plan, S.REVIEWED)
    evaluation = (evaluation or "").strip()
    if not evaluation:
        raise ValidationError({"evaluation": _("This field is required.")})
    with transaction.atomic():
        plan.state, plan.evaluation = S.EVALUATED, evaluation[:4000]
        plan.grade = grade_for(plan.total_score)
        plan.save(update_fields=["state", "evaluation", "grade"])
        _audit(actor, "oversight.target_evaluate", plan, total=str(plan.total_score), grade=plan.grade)
    return plan
