"""The medical mutual aid figures (FIGURES.md) for a subtree and a period.

- enrolment by plan year (the plans of the years the period touches), counted where the enrolling unit is
  (index ``aid_menrol_path_year`` on (org_path, year)): aid.mutual_units (units enrolling, 家), aid.mutual_covered
  (workers covered, 人: one worker enrolled in two plans of a year counts once), aid.mutual_participation_rate
  (covered / members of the subtree, where members is the members app's own figure members.total at the period's
  end; target ≥ 80%);
- claims by the day paid (their grants' paid_on): aid.mutual_claims (人次) and aid.mutual_amount (元), and the
  amount by unit directly under the org as a bar chart on the dashboard (aid.mutual_amount_by_unit).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure, rate
from gonghui.core.figures import get as figure_get
from gonghui.orgs.models import Org

from .models import MutualClaim, MutualEnrolment

GROUP = _("Assistance")
ZERO = Decimal("0.00")


def _enrolments(org, period):
    return MutualEnrolment.objects.filter(org_path__startswith=org.path, year__gte=period.start.year,
                                          year__lte=period.end.year)


def paid_claims(org, period):
    return MutualClaim.objects.filter(org_path__startswith=org.path, state="approved", grant__state="paid",
                                      grant__paid_on__gte=period.start, grant__paid_on__lte=period.end)


def _memo(org, period) -> dict:
    memo = period.__dict__.get("_aid_mutual_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_aid_mutual_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo:
        enrol = _enrolments(org, period).aggregate(units=Count("unit_id", distinct=True),
                                                   covered=Count("person_id", distinct=True))
        paid = paid_claims(org, period).aggregate(n=Count("pk"), amount=Sum("subsidy"))
        memo[org.path] = {**enrol, "claims": paid["n"], "amount": paid["amount"] or ZERO}
    return memo[org.path]


@figure("aid.mutual_units", label=_("Medical mutual aid: units taking part"), unit=_("units (家)"), group=GROUP)
def mutual_units(org, period):
    return _memo(org, period)["units"]


@figure("aid.mutual_covered", label=_("Medical mutual aid: workers covered"), unit=_("people"), group=GROUP)
def mutual_covered(org, period):
    return _memo(org, period)["covered"]


@figure("aid.mutual_participation_rate", label=_("Medical mutual aid participation rate"), unit="%", group=GROUP)
def mutual_participation_rate(org, period):
    return rate(_memo(org, period)["covered"], figure_get("members.total").compute(org, period))


@figure("aid.mutual_claims", label=_("Medical mutual aid subsidies paid"), unit=_("person-times"), group=GROUP)
def mutual_claims(org, period):
    return _memo(org, period)["claims"]


@figure("aid.mutual_amount", label=_("Medical mutual aid amount paid"), unit=_("yuan"), group=GROUP)
def mutual_amount(org, period):
    return _memo(org, period)["amount"]


@figure("aid.mutual_amount_by_unit", label=_("Medical mutual aid paid by unit"), unit=_("yuan"), group=GROUP,
        breakdown=True, chart="bar")
def mutual_amount_by_unit(org, period):
    """The amount paid to the workers of each unit directly under ``org`` (with its subtree), and of ``org``, in
    whole yuan (a breakdown is (label, integer) pairs for the dashboard and the figures API)."""
    width = len(org.path) + Org.steplen
    rows = (paid_claims(org, period).order_by().annotate(prefix=Substr("org_path", 1, width))
            .values_list("prefix").annotate(amount=Sum("subsidy")))
    amounts = {p: int(a.quantize(Decimal("1"), rounding=ROUND_HALF_UP)) for p, a in rows}
    names = dict(Org.objects.filter(path__in=[p for p in amounts if p != org.path]).values_list("path", "name"))
    out = [(org.name, amounts[org.path])] if amounts.get(org.path) else []
    return out + [(names.get(p, p), a) for p, a in sorted(amounts.items()) if p != org.path]
