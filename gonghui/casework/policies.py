"""The time-limit policy table, kept by the system administrator. A change applies to cases received (or
reclassified) afterwards; a case keeps the limit it was given."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gonghui.core import audit

from .common import user_of
from .models import Category, Complexity, TimeLimitPolicy, Topic

# The table a new installation starts from (the first data migration holds the same rows).
DEFAULT_BY_CATEGORY = {
    Category.CONSULTATION: (3, 5, 10),
    Category.SOLUTION: (5, 15, 30),
    Category.COMPLAINT: (5, 15, 30),
    Category.SUGGESTION: (10, 15, 30),
    Category.PETITION: (15, 30, 40),
}
DEFAULT_COMMITMENTS = [
    (Topic.UNION_FOUNDING, 3, "建会申请3个工作日内办结"),
    (Topic.LEGAL_PERSON, 0, "法人资格登记材料齐全的当日办结"),
    (Topic.FUND_RETURN, 5, "经费返拨自收到缴款回单之日起5个工作日内办结"),
]


def policy_seed_defaults() -> int:
    """Create the default rules that are missing (for a database emptied by a test, or a fresh install)."""
    have = set(TimeLimitPolicy.objects.values_list("category", "topic", "complexity"))
    rows = [TimeLimitPolicy(category=c, topic="", complexity=x, working_days=n)
            for c, days in DEFAULT_BY_CATEGORY.items()
            for x, n in zip(Complexity.values, days, strict=True) if (c, "", x) not in have]
    rows += [TimeLimitPolicy(category="", topic=t, complexity=Complexity.GENERAL, working_days=n, commitment=text)
             for t, n, text in DEFAULT_COMMITMENTS if ("", t, Complexity.GENERAL) not in have]
    TimeLimitPolicy.objects.bulk_create(rows)
    return len(rows)


def policy_list(*, actor):
    actor.require("case.policy")
    return list(TimeLimitPolicy.objects.select_related("updated_by").order_by("topic", "category", "complexity"))


def _get(actor, pk) -> TimeLimitPolicy:
    actor.require("case.policy")
    row = TimeLimitPolicy.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _clean(working_days, commitment: str) -> tuple[int, str]:
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        raise ValidationError({"working_days": _("The number of working days is a whole number.")}) from None
    if not 0 <= days <= 250:
        raise ValidationError({"working_days": _("Between 0 (the same day) and 250 working days.")})
    commitment = (commitment or "").strip()
    if len(commitment) > 200:
        raise ValidationError({"commitment": _("At most %(n)s characters.") % {"n": 200}})
    return days, commitment


def _record(actor, action: str, row: TimeLimitPolicy, **details) -> None:
    audit.record(actor=actor, action=f"case.policy.{action}", object_type="time_limit_policy", object_id=str(row.pk),
                 details={"category": row.category, "topic": row.topic, "complexity": row.complexity,
                          "working_days": row.working_days, **details})


@transaction.atomic
def policy_update(*, actor, pk: int, working_days, commitment: str = "") -> TimeLimitPolicy:
    row = _get(actor, pk)
    before = row.working_days
    row.working_days, row.commitment = _clean(working_days, commitment)
    row.updated_by = user_of(actor)
    row.full_clean(exclude=["updated_by"], validate_constraints=False)
    row.save(update_fields=["working_days", "commitment", "updated_by", "updated_at"])
    _record(actor, "update", row, before=before)
    return row


@transaction.atomic
def policy_add(*, actor, category: str, topic: str, complexity: str, working_days,
               commitment: str = "") -> TimeLimitPolicy:
    actor.require("case.policy")
    errors = {}
    if category and category not in Category.values:
        errors["category"] = [_("Not one of the listed choices.")]
    if topic and topic not in Topic.values:
        errors["topic"] = [_("Not one of the listed choices.")]
    if complexity not in Complexity.values:
        errors["complexity"] = [_("Choose the complexity.")]
    if not category and not topic:
        errors["topic"] = [_("Name a kind or a topic (or both).")]
    if errors:
        raise ValidationError(errors)
    days, commitment = _clean(working_days, commitment)
    row = TimeLimitPolicy(category=category, topic=topic, complexity=complexity, working_days=days,
                          commitment=commitment, updated_by=user_of(actor))
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(_("A rule for this kind, topic and complexity exists already; change its days "
                                "instead.")) from None
    _record(actor, "add", row)
    return row


@transaction.atomic
def policy_delete(*, actor, pk: int) -> None:
    row = _get(actor, pk)
    if row.category and not row.topic:
        raise ValidationError(_("The rule of a kind cannot be deleted; change its days instead."))
    _record(actor, "delete", row)
    row.delete()
