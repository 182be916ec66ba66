"""Test helpers of the grants in bulk: filed households of county A's 东湖机械厂工会, their workers in the registry
or not, and a 送温暖 program paying by category."""

from .testing_archive import filed_household, id_number
from .testing_programs import make_program, member

WARMTH_RULES = {"household_on_file": True, "categories": ["深度困难", "相对困难"],
                "amount": {"by_category": {"深度困难": "1000", "相对困难": "500"}}}


def filed(cast, name: str, *, registry: bool = True, income: str = "800"):
    """A filed household of cast.grassroots_a (800 a month for two: 深度困难 under a 低保 of 1000; 3000: 相对困难);
    its worker a member of the registry when ``registry``. Needs a 低保 standard for the year."""
    number = member(cast, name).id_number if registry else id_number()
    return filed_household(cast.grassroots_officer, cast.officer_a, cast.grassroots_a, name=name, number=number,
                           income=income)


def warmth_program(cast, *, budget="10000", rules=None, **extra):
    from .models import ProgramKind

    return make_program(cast, kind=ProgramKind.WARMTH, budget=budget, rules=rules or WARMTH_RULES, **extra)
