import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from . import figures as figure_registry
from . import workdays
from .admin_views import audit_scope
from .pagination import PageNumberPagination

router = Router(tags=["core"])


class GrantOut(Schema):
    id: int
    role: str
    org_code: str = Field(..., alias="org.code")
    org_name: str = Field(..., alias="org.name")


class MeOut(Schema):
    username: str
    name: str
    current: GrantOut
    grants: list[GrantOut]
    permissions: list[str]


@router.get("/me", response=MeOut, summary="Who I am and what I may do")
def me(request):
    from .access import PERMISSIONS

    actor = request.auth
    return {"username": actor.user.username, "name": str(actor.user), "current": actor.grant,
            "grants": list(actor.grants), "permissions": sorted(PERMISSIONS[actor.role])}


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    group: str
    value: float | None = None
    breakdown: list[tuple[str, int | float]] | None = None


class FiguresOut(Schema):
    org: str
    period: str
    start: datetime.date
    end: datetime.date
    figures: list[FigureOut]


PERIOD_HELP = "2026, 2026H1, 2026Q3, 2026-05"


def figures_out(actor, *, org: str | None, period: str | None, keys: list[str] | None = None) -> dict:
    """The figures (all, or those of ``keys``) of a unit's subtree (the actor's unit when none is named) for a
    period, as ``FiguresOut``; a bad period is refused in Chinese."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from gonghui.orgs.selectors import org_get

    actor.require("dashboard.view")
    target = org_get(actor=actor, code=org) if org else actor.org
    try:
        p = figure_registry.Period.parse(period, today=timezone.localdate())
    except ValueError:
        raise ValidationError({"period": _("Write the period as 2026, 2026H1, 2026Q3 or 2026-05.")}) from None
    out = []
    for fv in figure_registry.compute(target, p, actor=actor, keys=keys):
        item = {"key": fv.key, "label": str(fv.figure.label), "unit": str(fv.figure.unit),
                "group": str(fv.figure.group)}
        if fv.figure.breakdown:
            item["breakdown"] = fv.value
        else:
            item["value"] = None if fv.value is None else float(fv.value)
        out.append(item)
    return {"org": target.code, "period": p.key, "start": p.start, "end": p.end, "figures": out}


@router.get("/figures", response=FiguresOut, summary="Figures for a unit's subtree and a period")
def figures(request, org: str | None = None, period: str | None = Query(None, description=PERIOD_HELP)):
    return figures_out(request.auth, org=org, period=period)


class WorkdayOut(Schema):
    date: datetime.date
    provisional: bool


class CountOut(Schema):
    workdays: int
    provisional: bool


@router.get("/workdays/add", response=WorkdayOut, summary="The date n working days after a date")
def workdays_add(request, date: datetime.date, n: int = Query(..., ge=-3650, le=3650)):
    result = workdays.add_workdays(date, n)
    return {"date": datetime.date(result.year, result.month, result.day), "provisional": result.provisional}


@router.get("/workdays/between", response=CountOut, summary="Working days after one date up to another")
def workdays_between(request, start: datetime.date, end: datetime.date):
    result = workdays.workdays_between(start, end)
    return {"workdays": int(result), "provisional": result.provisional}


class AuditOut(Schema):
    seq: int
    at: datetime.datetime
    actor_name: str
    actor_org: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    ip: str | None
    details: dict


@router.get("/audit", response=list[AuditOut], summary="The audit trail in scope (audit roles only)")
@paginate(PageNumberPagination, page_size=100)
def audit_list(request, action: str = "", object_id: str = ""):
    actor = request.auth
    actor.require("audit.view")
    qs = audit_scope(actor).order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
