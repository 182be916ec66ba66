"""Reads of income, allocations, shares and returns, always inside the actor's subtree (outside it: 404)."""

import datetime
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from gonghui.core.figures import rate
from gonghui.core.menu import count_badge
from gonghui.core.pagination import COUNT_CAP
from gonghui.orgs.models import Org

from .models import AlertKind, Allocation, DuesMonth, FundReturn, ReturnAlert, ReturnState, ShareTable

RETURN_TABS = ("pending", "overdue", "paid")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _can_view(actor) -> bool:
    return actor.org is not None and actor.can("funds.view")


def dues_scope(*, actor) -> QuerySet[DuesMonth]:
    if not _can_view(actor):
        return DuesMonth.objects.none()
    return DuesMonth.objects.filter(union_path__startswith=actor.org.path)


def dues_list(*, actor, under: Org | None = None, year: int | None = None) -> QuerySet[DuesMonth]:
    qs = dues_scope(actor=actor).select_related("union")
    if under is not None:
        qs = qs.filter(union_path__startswith=under.path)
    if year:
        qs = qs.filter(year=year)
    return qs


def dues_get(*, actor, pk) -> DuesMonth:
    row = dues_scope(actor=actor).select_related("union").filter(pk=pk).first() if str(pk).isdigit() else None
    if row is None:
        raise Http404
    return row


def dues_grid(*, actor, union: Org, year: int) -> dict:
    """The twelve months of a unit's dues for a year, with the year's totals and collection rate."""
    actor.require_covers(union.path)
    rows = {r.month: r for r in dues_scope(actor=actor).filter(union=union, year=year)}
    months = [{"month": m, "row": rows.get(m)} for m in range(1, 13)]
    due = sum((r.due for r in rows.values()), Decimal("0"))
    collected = sum((r.collected for r in rows.values()), Decimal("0"))
    return {"months": months, "due": due, "collected": collected, "rate": rate(collected, due)}


def dues_rate(*, actor, under: Org, year: int) -> dict:
    """Dues due and collected in a subtree and year, and the collection rate (%)."""
    actor.require_covers(under.path)
    totals = dues_scope(actor=actor).filter(union_path__startswith=under.path, year=year).aggregate(
        due=Sum("due"), collected=Sum("collected"))
    due, collected = totals["due"] or Decimal("0"), totals["collected"] or Decimal("0")
    return {"due": due, "collected": collected, "rate": rate(collected, due)}


def allocation_scope(*, actor) -> QuerySet[Allocation]:
    if not _can_view(actor):
        return Allocation.objects.none()
    return Allocation.objects.filter(union_path__startswith=actor.org.path)


def allocation_list(*, actor, under: Org | None = None, year: int | None = None, received: bool | None = None,
                    with_returned: bool = False) -> QuerySet[Allocation]:
    """Allocations in scope; ``with_returned`` adds ``owed_back``: the grassroots part not yet claimed by a
    return receipt (a subquery per page row)."""
    qs = allocation_scope(actor=actor).select_related("union", "collector")
    if with_returned:
        claimed = (FundReturn.objects.filter(allocation=OuterRef("pk")).order_by().values("allocation")
                   .annotate(total=Sum("amount")).values("total"))
        qs = qs.annotate(owed_back=F("grassroots_amount") - Coalesce(Subquery(claimed), Value(Decimal("0")),
                                                                      output_field=MONEY_FIELD))
    if under is not None:
        qs = qs.filter(union_path__startswith=under.path)
    if year:
        qs = qs.filter(year=year)
    if received is not None:
        qs = qs.filter(received__gt=0) if received else qs.filter(received=0)
    return qs


def allocation_get(*, actor, pk) -> Allocation:
    row = (allocation_scope(actor=actor).select_related("union", "collector").filter(pk=pk).first()
           if str(pk).isdigit() else None)
    if row is None:
        raise Http404
    return row


def allocation_totals(*, under: Org, start: datetime.date, end: datetime.date) -> dict:
    """Allocation due and received for the periods starting in [start, end] in a subtree (for the figure)."""
    totals = Allocation.objects.filter(union_path__startswith=under.path, period_start__gte=start,
                                       period_start__lte=end).aggregate(due=Sum("due"), received=Sum("received"))
    return {"due": totals["due"] or Decimal("0"), "received": totals["received"] or Decimal("0")}


def shares_list(*, actor) -> QuerySet[ShareTable]:
    """The shares set by the actor's federation and those above it (they apply here) and below it."""
    if not _can_view(actor):
        return ShareTable.objects.none()
    path = actor.org.path
    above = [path[:i] for i in range(Org.steplen, len(path), Org.steplen)]
    return ShareTable.objects.filter(Q(org_path__startswith=path) | Q(org_path__in=above)).select_related("org")


def return_scope(*, actor) -> QuerySet[FundReturn]:
    """Returns the actor pays (its subtree's federations) or is owed (its subtree's unions)."""
    if not _can_view(actor):
        return FundReturn.objects.none()
    path = actor.org.path
    return FundReturn.objects.filter(Q(payer_path__startswith=path) | Q(union_path__startswith=path))


def return_list(*, actor, tab: str = "pending", today: datetime.date | None = None,
                filters: dict | None = None) -> QuerySet[FundReturn]:
    """A tab of the returns inbox: pending (most urgent first), overdue, paid (latest first)."""
    today = today or datetime.date.today()
    filters = filters or {}
    qs = return_scope(actor=actor).select_related("payer", "union")
    if tab == "paid":
        qs = qs.filter(state=ReturnState.PAID).order_by("-paid_on", "-pk")
    elif tab == "overdue":
        qs = qs.filter(state=ReturnState.PENDING, due_on__lt=today).order_by("due_on", "pk")
    else:
        qs = qs.filter(state=ReturnState.PENDING).order_by("due_on", "pk")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(receipt_no__icontains=q) | Q(union__name__icontains=q) | Q(union__code=q.upper()))
    if filters.get("late"):
        qs = qs.filter(late=True)
    return qs


def return_counts(*, actor, today: datetime.date) -> dict[str, int | None]:
    """Each tab's count, bounded: None past ``COUNT_CAP`` (the tab then shows "more than")."""
    qs = return_scope(actor=actor).order_by()

    def bounded(q) -> int | None:
        n = q[:COUNT_CAP + 1].count()
        return n if n <= COUNT_CAP else None

    return {"pending": bounded(qs.filter(state=ReturnState.PENDING)),
            "overdue": bounded(qs.filter(state=ReturnState.PENDING, due_on__lt=today)),
            "paid": bounded(qs.filter(state=ReturnState.PAID))}


def return_get(*, actor, pk) -> FundReturn:
    row = (return_scope(actor=actor).select_related("payer", "union", "voucher", "union_voucher", "allocation")
           .filter(pk=pk).first() if str(pk).isdigit() else None)
    if row is None:
        raise Http404
    return row


@count_badge
def returns_menu_badge(actor) -> list[QuerySet[FundReturn]] | None:
    """Overdue returns the actor's unit pays (shown next to the menu entry)."""
    if not _can_view(actor):
        return None
    return [FundReturn.objects.filter(payer_path__startswith=actor.org.path, state=ReturnState.PENDING, color="red")]


def supervision_list(*, actor, handled: bool = False) -> QuerySet[ReturnAlert]:
    """Escalations of overdue returns told to the actor's unit (or units under it)."""
    if not _can_view(actor):
        return ReturnAlert.objects.none()
    return (ReturnAlert.objects.filter(org_path__startswith=actor.org.path, kind=AlertKind.ESCALATION,
                                       handled_at__isnull=not handled)
            .select_related("fund_return__payer", "fund_return__union", "org", "handled_by")
            .order_by("-created_at", "-pk"))


def supervision_get(*, actor, pk) -> ReturnAlert:
    row = supervision_list(actor=actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if row is None:
        raise Http404
    return row


def return_on_time(*, under: Org, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """(returns paid within 5 working days of the receipt, returns due) for returns due in [start, end] paid by
    the federations of the subtree."""
    qs = FundReturn.objects.filter(payer_path__startswith=under.path, due_on__gte=start, due_on__lte=end)
    due = qs.count()
    on_time = qs.filter(state=ReturnState.PAID, late=False).count()
    return on_time, due
