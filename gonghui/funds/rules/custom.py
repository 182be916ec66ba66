"""Custom rules built on screen: conditions validated against a fixed vocabulary and compiled to a Django ``Q``
over the expense lines (no eval, no raw SQL).

The stored form is JSON::

    {"match": "all" | "any",
     "conditions": [ {"field": "amount", "op": "gte", "value": "5000"},
                     {"any": [ {...}, {...} ]} ]}          # one level of grouping: "any" or "all"

Fields and operators:
    account       prefix            an account path (whole names: 职工活动支出 covers 职工活动支出-节日慰问)
    summary       contains|not_contains   one word or several separated by 、 , or spaces (any of them)
    counterparty  is|contains|empty|not_empty
    amount        gt|gte|lt|lte|between   yuan; between takes [low, high], both included
    pay_method    is                cash | bank
    weekday       in                [1..7], Monday = 1
    holiday       near|far          value: N days; near = within N days of a statutory holiday in the core calendar
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.models import HolidayDay

FIELDS = {
    "account": (gettext_lazy("Account"), ("prefix",)),
    "summary": (gettext_lazy("Summary"), ("contains", "not_contains")),
    "counterparty": (gettext_lazy("Counterparty"), ("is", "contains", "empty", "not_empty")),
    "amount": (gettext_lazy("Amount"), ("gt", "gte", "lt", "lte", "between")),
    "pay_method": (gettext_lazy("Payment method"), ("is",)),
    "weekday": (gettext_lazy("Weekday"), ("in",)),
    "holiday": (gettext_lazy("Statutory holidays"), ("near", "far")),
}
OPS = {
    "prefix": gettext_lazy("is or is under"), "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"), "is": gettext_lazy("is"), "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"), "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
    "between": gettext_lazy("between"), "in": gettext_lazy("falls on"),
    "near": gettext_lazy("within N days of a holiday"), "far": gettext_lazy("more than N days from any holiday"),
}
MAX_CONDITIONS = 20


def _words(value) -> list[str]:
    return [w for w in re.split(r"[、,，\s]+", str(value or "")) if w]


def _amount(value, n) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Condition %(n)s: %(value)s is not an amount.") % {"n": n, "value": value}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("Condition %(n)s: %(value)s is not an amount.") % {"n": n, "value": value})
    return amount.quantize(Decimal("0.01"))


def _holiday_q(days: int) -> Q:
    """Within ``days`` days of a statutory holiday: one date range per run of holiday days in the core calendar."""
    dates = sorted(HolidayDay.objects.filter(is_workday=False).exclude(name="").values_list("date", flat=True))
    runs: list[list[datetime.date]] = []
    for d in dates:
        if runs and (d - runs[-1][1]).days <= 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    q = Q(pk__in=[])
    span = datetime.timedelta(days=days)
    for start, end in runs:
        q |= Q(date__gte=start - span, date__lte=end + span)
    return q


def _one(cond: dict, n: int) -> Q:
    if not isinstance(cond, dict):
        raise ValidationError(_("Condition %(n)s is not a condition.") % {"n": n})
    name, op, value = cond.get("field"), cond.get("op"), cond.get("value")
    if name not in FIELDS:
        raise ValidationError(_("Condition %(n)s: unknown field %(field)s.") % {"n": n, "field": name})
    if op not in FIELDS[name][1]:
        raise ValidationError(_("Condition %(n)s: %(field)s cannot be compared with %(op)s.") % {
            "n": n, "field": FIELDS[name][0], "op": op})
    if name == "account":
        path = str(value or "").strip().strip("-")
        if not path:
            raise ValidationError(_("Condition %(n)s: enter an account path.") % {"n": n})
        return Q(account__path=path) | Q(account__path__startswith=path + "-")
    if name == "summary":
        words = _words(value)
        if not words:
            raise ValidationError(_("Condition %(n)s: enter at least one word.") % {"n": n})
        q = Q(pk__in=[])
        for w in words:
            q |= Q(summary__icontains=w)
        return ~q if op == "not_contains" else q
    if name == "counterparty":
        if op == "empty":
            return Q(counterparty="")
        if op == "not_empty":
            return ~Q(counterparty="")
        text = str(value or "").strip()
        if not text:
            raise ValidationError(_("Condition %(n)s: enter the counterparty.") % {"n": n})
        return Q(counterparty=text) if op == "is" else Q(counterparty__icontains=text)
    if name == "amount":
        if op == "between":
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValidationError(_("Condition %(n)s: between takes two amounts.") % {"n": n})
            low, high = _amount(value[0], n), _amount(value[1], n)
            if low > high:
                raise ValidationError(_("Condition %(n)s: the lower amount is above the upper one.") % {"n": n})
            return Q(debit__gte=low, debit__lte=high)
        return Q(**{f"debit__{op}": _amount(value, n)})
    if name == "pay_method":
        if value not in ("cash", "bank"):
            raise ValidationError(_("Condition %(n)s: the payment method is cash or bank.") % {"n": n})
        return Q(pay_method=value)
    if name == "weekday":
        days = value if isinstance(value, list | tuple) else [value]
        try:
            days = sorted({int(d) for d in days})
        except (TypeError, ValueError):
            days = []
        if not days or any(d < 1 or d > 7 for d in days):
            raise ValidationError(_("Condition %(n)s: weekdays are 1 (Monday) to 7 (Sunday).") % {"n": n})
        # Django's week_day counts Sunday as 1.
        return Q(date__week_day__in=[d % 7 + 1 for d in days])
    # holiday
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= 60:
        raise ValidationError(_("Condition %(n)s: the number of days is 0 to 60.") % {"n": n})
    near = _holiday_q(days)
    return near if op == "near" else ~near


def compile_rule(spec) -> Q:
    """The Q a rule's JSON stands for, or a ValidationError naming the condition at fault."""
    if not isinstance(spec, dict) or spec.get("match", "all") not in ("all", "any"):
        raise ValidationError(_("The rule is not in the expected form."))
    conds = spec.get("conditions")
    if not isinstance(conds, list) or not conds:
        raise ValidationError(_("Add at least one condition."))
    if len(conds) > MAX_CONDITIONS:
        raise ValidationError(_("A rule has at most %(n)s conditions.") % {"n": MAX_CONDITIONS})
    parts = []
    n = 0
    for cond in conds:
        group = None
        if isinstance(cond, dict) and ("any" in cond or "all" in cond):
            group = "any" if "any" in cond else "all"
        if group:
            inner = cond[group]
            if not isinstance(inner, list) or not inner:
                raise ValidationError(_("A group needs at least one condition."))
            qs = []
            for c in inner:
                n += 1
                if isinstance(c, dict) and ("any" in c or "all" in c):
                    raise ValidationError(_("Condition %(n)s: groups cannot be nested.") % {"n": n})
                qs.append(_one(c, n))
            parts.append(_combine(qs, group))
        else:
            n += 1
            parts.append(_one(cond, n))
    return _combine(parts, spec.get("match", "all"))


def _combine(qs: list[Q], how: str) -> Q:
    out = qs[0]
    for q in qs[1:]:
        out = (out | q) if how == "any" else (out & q)
    return out


def describe(spec) -> str:
    """The rule in words, for the lists and the alerts."""
    def one(c):
        label, _ops = FIELDS.get(c.get("field"), (c.get("field"), ()))
        value = c.get("value")
        if isinstance(value, list):
            value = "–".join(str(v) for v in value)
        return f"{label} {OPS.get(c.get('op'), c.get('op'))} {value if value not in (None, '') else ''}".strip()

    joiner = _(" and ") if spec.get("match", "all") == "all" else _(" or ")
    parts = []
    for c in spec.get("conditions", []):
        if isinstance(c, dict) and ("any" in c or "all" in c):
            g = "any" if "any" in c else "all"
            inner = (_(" or ") if g == "any" else _(" and ")).join(one(x) for x in c[g] if isinstance(x, dict))
            parts.append(f"（{inner}）")
        elif isinstance(c, dict):
            parts.append(one(c))
    return joiner.join(parts)
