"""Eligibility and amount rules of a program: a small JSON document an admin edits on screen, validated here and
evaluated by one function (``evaluate``), described in words by ``describe``.

    {"relatives": ["夫", "妻", ...],          the applicant's relationship to the member must be one of these
     "admitted_this_year": true,             the child's admission year is the program's year (金秋助学)
     "levels": ["本科", "专科", "高中"],        the school level must be one of these
     "household_on_file": true,              the member's household is filed in the hardship archive
     "min_days": 3,                          days in hospital at least
     "categories": ["深度困难", "相对困难"],      the household's category in the hardship archive must be one of these
     "amount": {"fixed": "500"}
             | {"by_level": {"本科": "3000", ...}, "school_type": {"民办": "500"}}   (a supplement by school type)
             | {"by_days": [[1, "300"], [8, "500"], [15, "1000"]]}                 (the highest band reached)
             | {"by_category": {"深度困难": "1000", "相对困难": "500", "意外致困": "800"}}}  (送温暖 from the archive)

The facts a rule reads: relationship, admission_year, school_level, school_type, hospital_days, and category (the
household's category in the hardship archive, by its Chinese name; looked up from the archive when not given).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ProgramKind

DIRECT_RELATIVES = ["夫", "妻", "子", "女", "父", "母", "岳父母", "公婆"]
LEVELS = ["本科", "专科", "高中"]
SCHOOL_TYPES = ["公办", "民办"]
CATEGORIES = {"deep": "深度困难", "relative": "相对困难", "accident": "意外致困"}  # archive code -> rule name
MAX_AMOUNT = Decimal("1000000")
KEYS = {"relatives", "admitted_this_year", "levels", "household_on_file", "min_days", "categories", "amount"}
AMOUNTS = ("fixed", "by_level", "by_days", "by_category")

DEFAULTS = {
    ProgramKind.WARMTH: {"amount": {"fixed": "500"}},
    ProgramKind.SCHOLARSHIP: {"admitted_this_year": True, "levels": LEVELS, "household_on_file": False,
                              "amount": {"by_level": {"本科": "3000", "专科": "2000", "高中": "1000"},
                                         "school_type": {"民办": "500"}}},
    ProgramKind.COOLING: {"amount": {"fixed": "200"}},
    ProgramKind.MODEL_WORKER: {"amount": {"fixed": "1000"}},
    ProgramKind.HOSPITAL: {"min_days": 1, "amount": {"by_days": [[1, "300"], [8, "500"], [15, "1000"]]}},
    ProgramKind.BEREAVEMENT: {"relatives": DIRECT_RELATIVES, "amount": {"fixed": "500"}},
    ProgramKind.VILLAGE_TEAM: {"amount": {"fixed": "800"}},
    ProgramKind.HARDSHIP: {"amount": {"fixed": "1000"}},
    ProgramKind.CUSTOM: {"amount": {"fixed": "300"}},
    ProgramKind.MUTUAL: {"amount": {"fixed": "0"}},  # paid only through claims (gonghui.aid.mutual)
}


def defaults_for(kind: str) -> dict:
    import copy

    return copy.deepcopy(DEFAULTS.get(kind, DEFAULTS[ProgramKind.CUSTOM]))


def _money(value, where: str) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"rules": _("%(w)s: %(v)s is not an amount.") % {"w": where, "v": str(value)[:20]}}) \
            from None
    if not Decimal(0) <= d <= MAX_AMOUNT:
        raise ValidationError({"rules": _("%(w)s: the amount must be between 0 and 1,000,000 yuan.") % {"w": where}})
    return d


def validate(data) -> dict:
    """The rules in canonical form, or a ValidationError on ``rules`` naming what is wrong."""
    if not isinstance(data, dict):
        raise ValidationError({"rules": _("The rules must be a JSON object.")})
    unknown = set(data) - KEYS
    if unknown:
        raise ValidationError({"rules": _("Unknown rule: %(k)s.") % {"k": "、".join(sorted(map(str, unknown)))}})
    out: dict = {}
    if "relatives" in data:
        rel = data["relatives"]
        if not isinstance(rel, list) or not rel or any(r not in DIRECT_RELATIVES for r in rel):
            raise ValidationError({"rules": _("Relatives must be a list taken from: %(l)s.") % {
                "l": "、".join(DIRECT_RELATIVES)}})
        out["relatives"] = [r for r in DIRECT_RELATIVES if r in rel]
    for flag in ("admitted_this_year", "household_on_file"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise ValidationError({"rules": _("%(k)s must be true or false.") % {"k": flag}})
            out[flag] = data[flag]
    if "levels" in data:
        lv = data["levels"]
        if not isinstance(lv, list) or not lv or any(x not in LEVELS for x in lv):
            raise ValidationError({"rules": _("Levels must be a list taken from: %(l)s.") % {"l": "、".join(LEVELS)}})
        out["levels"] = [x for x in LEVELS if x in lv]
    if "min_days" in data:
        d = data["min_days"]
        if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 366:
            raise ValidationError({"rules": _("The minimum days in hospital must be a whole number from 0 to 366.")})
        out["min_days"] = d
    names = list(CATEGORIES.values())
    if "categories" in data:
        cats = data["categories"]
        if not isinstance(cats, list) or not cats or any(c not in names for c in cats):
            raise ValidationError({"rules": _("Categories must be a list taken from: %(l)s.") % {
                "l": "、".join(names)}})
        out["categories"] = [c for c in names if c in cats]
    amount = data.get("amount")
    if not isinstance(amount, dict) or len(set(AMOUNTS) & set(amount)) != 1:
        raise ValidationError({"rules": _("Give one amount rule: fixed, by level, by days in hospital or by "
                                          "category.")})
    if "fixed" in amount:
        out["amount"] = {"fixed": str(_money(amount["fixed"], _("Fixed amount")))}
    elif "by_level" in amount:
        by = amount["by_level"]
        if not isinstance(by, dict) or not by or any(k not in LEVELS for k in by):
            raise ValidationError({"rules": _("Amounts by level must name levels among: %(l)s.") % {
                "l": "、".join(LEVELS)}})
        extra = amount.get("school_type", {})
        if not isinstance(extra, dict) or any(k not in SCHOOL_TYPES for k in extra):
            raise ValidationError({"rules": _("School type supplements must name types among: %(l)s.") % {
                "l": "、".join(SCHOOL_TYPES)}})
        out["amount"] = {"by_level": {k: str(_money(v, k)) for k, v in by.items()},
                         "school_type": {k: str(_money(v, k)) for k, v in extra.items()}}
    elif "by_category" in amount:
        by = amount["by_category"]
        if not isinstance(by, dict) or not by or any(k not in names for k in by):
            raise ValidationError({"rules": _("Amounts by category must name categories among: %(l)s.") % {
                "l": "、".join(names)}})
        out["amount"] = {"by_category": {k: str(_money(by[k], k)) for k in names if k in by}}
    else:
        bands = amount["by_days"]
        if not isinstance(bands, list) or not bands or not all(
                isinstance(b, list) and len(b) == 2 and isinstance(b[0], int) and not isinstance(b[0], bool)
                and 0 <= b[0] <= 366 for b in bands):
            raise ValidationError({"rules": _("Bands by days must be a list of [days from, amount].")})
        days = [b[0] for b in bands]
        if days != sorted(set(days)):
            raise ValidationError({"rules": _("Bands by days must go up, each from a different day.")})
        out["amount"] = {"by_days": [[b[0], str(_money(b[1], str(b[0])))] for b in bands]}
    return out


@dataclass
class Decision:
    amount: Decimal | None = None
    reasons: dict = field(default_factory=dict)  # field -> message

    @property
    def ok(self) -> bool:
        return not self.reasons and self.amount is not None and self.amount > 0


def household_on_file(person) -> bool | None:
    """Whether the person's household is filed in the hardship archive (None when the archive is not installed)."""
    try:
        household = apps.get_model("aid", "Household")
    except LookupError:
        return None
    return household.objects.filter(person=person, state="filed").exists()


def household_category(person) -> str:
    """The Chinese name of the category of the person's filed household ("" when none)."""
    try:
        household = apps.get_model("aid", "Household")
    except LookupError:
        return ""
    code = household.objects.filter(person=person, state="filed").values_list("category", flat=True).first()
    return CATEGORIES.get(code or "", "")


def needs_category(rules: dict) -> bool:
    return "categories" in rules or "by_category" in rules.get("amount", {})


def archive_judgeable(rules: dict) -> bool:
    """Whether the rules can be judged from a filed household alone (no fact an application must give): the
    program can make grants from the hardship archive in one step."""
    return not ({"relatives", "admitted_this_year", "levels", "min_days"} & set(rules)) and not (
        {"by_level", "by_days"} & set(rules.get("amount", {})))


def _year_of(period_key: str, start: datetime.date) -> int:
    head = (period_key or "")[:4]
    return int(head) if head.isdigit() else start.year


def evaluate(program, facts: dict, person=None, *, on_file: bool | None = None) -> Decision:
    """The one place a program's rules are applied to the facts of an application. ``on_file`` tells that the
    household is filed (a batch from the archive knows it) instead of looking it up for ``person``."""
    if program.kind == ProgramKind.MUTUAL:  # its grants come from reviewed claims, by the plan's rules
        return Decision(reasons={"program": _("A medical mutual aid program pays through claims: file a claim.")})
    rules = program.rules or defaults_for(program.kind)
    d = Decision()
    if needs_category(rules) and not facts.get("category") and person is not None:
        facts = {**facts, "category": household_category(person)}
    category = facts.get("category") or ""
    if "categories" in rules and category not in rules["categories"]:
        d.reasons["category"] = _("Only households on file as %(l)s are eligible.") % {
            "l": "、".join(rules["categories"])}
    if "relatives" in rules:
        rel = facts.get("relationship") or ""
        if rel not in rules["relatives"]:
            d.reasons["relationship"] = _("%(r)s is not among the relatives this program covers (%(l)s).") % {
                "r": rel or _("(none given)"), "l": "、".join(rules["relatives"])}
    if rules.get("admitted_this_year"):
        year = _year_of(program.period_key, program.start_on)
        if str(facts.get("admission_year") or "") != str(year):
            d.reasons["admission_year"] = _("Only a child admitted in %(y)s is eligible.") % {"y": year}
    if "levels" in rules and facts.get("school_level") not in rules["levels"]:
        d.reasons["school_level"] = _("The school level must be one of %(l)s.") % {"l": "、".join(rules["levels"])}
    if rules.get("household_on_file"):
        filed = on_file if on_file is not None else household_on_file(person) if person is not None else None
        if filed is None:
            d.reasons["person"] = _("The hardship archive cannot be checked: the household must be on file.")
        elif not filed:
            d.reasons["person"] = _("The member's household is not on file in the hardship archive.")
    days = None
    if "min_days" in rules or "by_days" in rules.get("amount", {}):
        try:
            days = int(facts.get("hospital_days"))
        except (TypeError, ValueError):
            d.reasons["hospital_days"] = _("Give the days in hospital.")
        else:
            if days < rules.get("min_days", 0):
                d.reasons["hospital_days"] = _("At least %(n)s days in hospital are required.") % {
                    "n": rules["min_days"]}
    amount = rules["amount"]
    if "fixed" in amount:
        d.amount = Decimal(amount["fixed"])
    elif "by_level" in amount:
        base = amount["by_level"].get(facts.get("school_level") or "")
        if base is None:
            d.reasons.setdefault("school_level", _("No amount is set for this school level."))
        else:
            d.amount = Decimal(base) + Decimal(amount.get("school_type", {}).get(facts.get("school_type") or "", "0"))
    elif "by_category" in amount:
        base = amount["by_category"].get(category)
        if base is None:
            d.reasons.setdefault("category", _("No amount is set for the household's category."))
        else:
            d.amount = Decimal(base)
    elif days is not None:
        reached = [Decimal(a) for start, a in amount["by_days"] if days >= start]
        if reached:
            d.amount = reached[-1]
        else:
            d.reasons.setdefault("hospital_days", _("The stay is shorter than the first band."))
    return d


def describe(rules: dict) -> list[str]:
    """The rules in words, for the program page."""
    out = []
    if "relatives" in rules:
        out.append(_("Only for these relatives of the member: %(l)s.") % {"l": "、".join(rules["relatives"])})
    if rules.get("admitted_this_year"):
        out.append(_("The child must have been admitted this year (the program's year)."))
    if "levels" in rules:
        out.append(_("School levels: %(l)s.") % {"l": "、".join(rules["levels"])})
    if rules.get("household_on_file"):
        out.append(_("The household must be on file in the hardship archive."))
    if "categories" in rules:
        out.append(_("Households on file as: %(l)s.") % {"l": "、".join(rules["categories"])})
    if rules.get("min_days"):
        out.append(_("At least %(n)s days in hospital.") % {"n": rules["min_days"]})
    amount = rules.get("amount", {})
    if "fixed" in amount:
        out.append(_("Amount: %(a)s yuan.") % {"a": amount["fixed"]})
    elif "by_level" in amount:
        out.append(_("Amount by level: %(l)s.") % {"l": "；".join(f"{k} {v}" for k, v in amount["by_level"].items())})
        for k, v in amount.get("school_type", {}).items():
            out.append(_("Supplement for %(t)s schools: %(a)s yuan.") % {"t": k, "a": v})
    elif "by_days" in amount:
        out.append(_("Amount by days in hospital: %(l)s.") % {
            "l": "；".join(_("from day %(d)s: %(a)s yuan") % {"d": d, "a": a} for d, a in amount["by_days"])})
    elif "by_category" in amount:
        out.append(_("Amount by category: %(l)s.") % {
            "l": "；".join(f"{k} {v}" for k, v in amount["by_category"].items())})
    return out
