"""The category rule: per-capita income after rigid costs against the 低保 standard (see the package's docstring)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models import Category, Household
from .common import CENT, amount_of, today
from .standards import settings_for, standard_for


@dataclass(frozen=True)
class Assessment:
    category: str
    per_capita: Decimal
    members: int
    standard: Decimal | None
    year: int
    deep_line: Decimal | None
    relative_line: Decimal | None
    uncovered_monthly: Decimal


def assess(*, incomes: list[Decimal], illness: Decimal, disability: Decimal, schooling: Decimal,
           accident_loss: Decimal, compensation: Decimal, standard: Decimal | None, deep_ratio: Decimal,
           relative_ratio: Decimal, year: int) -> Assessment:
    """The category by the rule of the module docstring (pure: no database)."""
    n = max(len(incomes), 1)
    per_capita = ((sum(incomes, Decimal(0)) - illness - disability - schooling) / n).quantize(CENT, ROUND_HALF_UP)
    uncovered = max(accident_loss - compensation, Decimal(0))
    uncovered_monthly = (uncovered / 12 / n).quantize(CENT, ROUND_HALF_UP)
    if standard is None:
        return Assessment(Category.NONE, per_capita, n, None, year, None, None, uncovered_monthly)
    deep_line = (standard * deep_ratio).quantize(CENT, ROUND_HALF_UP)
    relative_line = (standard * relative_ratio).quantize(CENT, ROUND_HALF_UP)
    if per_capita < deep_line:
        category = Category.DEEP
    elif per_capita < relative_line:
        category = Category.RELATIVE
    elif uncovered > 0 and per_capita - uncovered_monthly < relative_line:
        category = Category.ACCIDENT
    else:
        category = Category.NONE
    return Assessment(category, per_capita, n, standard, year, deep_line, relative_line, uncovered_monthly)


def assess_household(household: Household, *, year: int | None = None, incomes: list[Decimal] | None = None
                     ) -> Assessment:
    year = year or today().year
    settings = settings_for(household.org)
    std = standard_for(household.org, year)
    if incomes is None:
        incomes = [amount_of(m.monthly_income) for m in household.members.all()]
    return assess(incomes=incomes, illness=amount_of(household.illness_cost),
                  disability=amount_of(household.disability_cost), schooling=amount_of(household.schooling_cost),
                  accident_loss=amount_of(household.accident_loss), compensation=amount_of(household.compensation),
                  standard=std.monthly if std else None, deep_ratio=settings.deep_ratio,
                  relative_ratio=settings.relative_ratio, year=year)


def _apply_assessment(household: Household, a: Assessment) -> list[str]:
    household.category = a.category
    household.per_capita = str(a.per_capita)
    household.standard_year = a.year if a.standard is not None else None
    household.standard_monthly = a.standard
    return ["category", "per_capita", "standard_year", "standard_monthly"]
