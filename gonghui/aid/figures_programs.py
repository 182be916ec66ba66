"""The ``aid.*`` figures that come from grants and visits, for a subtree (the recipient's union, the visiting union)
and a period (the day paid, the day visited).

For whole months each is read from the unit's pre-aggregated rows (gonghui.aid.stats: "grant:<kind>" and
"visit*:<target>:<warmth>" keys), one grouped query per (org, period). Otherwise from two grouped queries per (org,
period), memoised on the period: the paid grants of the subtree by
kind (index ``aid_grant_path_paid`` on (org_path, paid_on, kind), partial on state = paid) and the visits by target
and whether they belong to a 送温暖 program (index ``aid_visit_path_day`` on (org_path, visited_on, target)).

Definitions (FIGURES.md):
- warmth_raised: paid 送温暖 grants + cash and goods given on visits of 送温暖 programs (元);
- warmth_visits: paid 送温暖 grants + people (人次) on visits of 送温暖 programs;
- warmth_households: paid 送温暖 grants (one household each) + households (户) on 送温暖 visits;
- warmth_enterprises: enterprises (家) visited in difficulty (any program);
- model_worker_visits / _amount: paid 困难劳模慰问 grants + visits to model workers (people; cash and goods);
- hardship_visits / _amount: paid 困难职工救助 grants + visits to households in hardship outside 送温暖;
- scholarship_recipients / _amount: paid 金秋助学 grants;
- village_team_members / _amount: paid 驻村工作队员慰问 grants + visits to village team members.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure

from . import stats
from .models import AidVisit, Grant, GrantState, ProgramKind, VisitTarget

GROUP = _("Assistance")
ZERO = Decimal("0.00")


def whole_months(period) -> tuple[int, int] | None:
    return stats.whole_months(period)


def _from_stats(org, months) -> tuple[dict, dict]:
    grants, visits = {}, {}
    fields = {"visit": ("people", "money"), "visit_hh": ("households", None), "visit_ent": ("enterprises", None)}
    for key, (n, amount) in stats.sums(org.path, *months).items():
        kind, _, rest = key.partition(":")
        if kind == "grant":
            grants[rest] = (n, amount)
        elif kind in fields:
            target, _, w = rest.partition(":")
            r = visits.setdefault((target, w == "1"), {"people": 0, "households": 0, "enterprises": 0, "money": ZERO})
            count_field, amount_field = fields[kind]
            r[count_field] += n
            if amount_field:
                r[amount_field] += amount
    return grants, visits


def _data(org, period) -> dict:
    memo = period.__dict__.get("_aid_programs_memo")
    if memo is None:
        memo = {}
        object.__setattr__(period, "_aid_programs_memo", memo)  # Period is frozen; one read per page
    if org.path not in memo and (months := whole_months(period)):
        memo[org.path] = _from_stats(org, months)
    if org.path not in memo:
        grants = {r["kind"]: (r["n"], r["amount"] or ZERO) for r in Grant.objects.filter(
            org_path__startswith=org.path, state=GrantState.PAID, paid_on__gte=period.start,
            paid_on__lte=period.end).values("kind").annotate(n=Count("pk"), amount=Sum("amount")).order_by()}
        visits = {}
        for r in AidVisit.objects.filter(org_path__startswith=org.path, visited_on__gte=period.start,
                                         visited_on__lte=period.end).values("target").annotate(
                warmth=Q(program__kind=ProgramKind.WARMTH)).values("target", "warmth").annotate(
                people=Sum("people"), households=Sum("households"), enterprises=Sum("enterprises"),
                money=Sum("cash") + Sum("goods_value")).order_by():
            visits[(r["target"], bool(r["warmth"]))] = r
        memo[org.path] = (grants, visits)
    return memo[org.path]


def _g(org, period, kind) -> tuple[int, Decimal]:
    return _data(org, period)[0].get(kind, (0, ZERO))


def _v(org, period, *, target=None, warmth=None, field) -> Decimal | int:
    total = 0
    for (t, w), r in _data(org, period)[1].items():
        if (target is None or t == target) and (warmth is None or w == warmth):
            total += r[field] or 0
    return total


@figure("aid.warmth_raised", label=_("Winter warmth (送温暖): funds given"), unit=_("yuan"), group=GROUP)
def warmth_raised(org, period):
    return _g(org, period, ProgramKind.WARMTH)[1] + _v(org, period, warmth=True, field="money")


@figure("aid.warmth_visits", label=_("Winter warmth (送温暖): people visited"), unit=_("person-times"), group=GROUP)
def warmth_visits(org, period):
    return _g(org, period, ProgramKind.WARMTH)[0] + _v(org, period, warmth=True, field="people")


@figure("aid.warmth_households", label=_("Households of workers in hardship comforted"), unit=_("households"),
        group=GROUP)
def warmth_households(org, period):
    return _g(org, period, ProgramKind.WARMTH)[0] + _v(org, period, warmth=True, field="households")


@figure("aid.warmth_enterprises", label=_("Enterprises in difficulty visited"), unit=_("enterprises"), group=GROUP)
def warmth_enterprises(org, period):
    return _v(org, period, target=VisitTarget.ENTERPRISE, field="enterprises")


@figure("aid.model_worker_visits", label=_("Model workers comforted"), unit=_("people"), group=GROUP)
def model_worker_visits(org, period):
    return _g(org, period, ProgramKind.MODEL_WORKER)[0] + _v(org, period, target=VisitTarget.MODEL_WORKER,
                                                              field="people")


@figure("aid.model_worker_amount", label=_("Money for model workers"), unit=_("yuan"), group=GROUP)
def model_worker_amount(org, period):
    return _g(org, period, ProgramKind.MODEL_WORKER)[1] + _v(org, period, target=VisitTarget.MODEL_WORKER,
                                                              field="money")


@figure("aid.hardship_visits", label=_("Workers in hardship comforted"), unit=_("people"), group=GROUP)
def hardship_visits(org, period):
    return _g(org, period, ProgramKind.HARDSHIP)[0] + _v(org, period, target=VisitTarget.HOUSEHOLD, warmth=False,
                                                          field="people")


@figure("aid.hardship_amount", label=_("Money for workers in hardship"), unit=_("yuan"), group=GROUP)
def hardship_amount(org, period):
    return _g(org, period, ProgramKind.HARDSHIP)[1] + _v(org, period, target=VisitTarget.HOUSEHOLD, warmth=False,
                                                          field="money")


@figure("aid.scholarship_recipients", label=_("Golden autumn scholarship recipients"), unit=_("people"),
        group=GROUP)
def scholarship_recipients(org, period):
    return _g(org, period, ProgramKind.SCHOLARSHIP)[0]


@figure("aid.scholarship_amount", label=_("Golden autumn scholarships paid"), unit=_("yuan"), group=GROUP)
def scholarship_amount(org, period):
    return _g(org, period, ProgramKind.SCHOLARSHIP)[1]


@figure("aid.village_team_members", label=_("Village work team members comforted"), unit=_("people"), group=GROUP)
def village_team_members(org, period):
    return _g(org, period, ProgramKind.VILLAGE_TEAM)[0] + _v(org, period, target=VisitTarget.VILLAGE_TEAM,
                                                              field="people")


@figure("aid.village_team_amount", label=_("Money for village work team members"), unit=_("yuan"), group=GROUP)
def village_team_amount(org, period):
    return _g(org, period, ProgramKind.VILLAGE_TEAM)[1] + _v(org, period, target=VisitTarget.VILLAGE_TEAM,
                                                              field="money")
